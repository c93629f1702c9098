"""Cohorts' periodic job (beat, on the default queue). Tasks call services."""

from celery import shared_task


@shared_task
def cohort_offers_expire_task() -> int:
    """Periodic (beat): offers of freed seats not claimed in time pass to the next in line.
    Idempotent: a second run finds nothing left to pass on."""
    from . import services

    return services.cohort_offers_expire()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300, max_retries=3)
def live_session_reminders_task() -> int:
    """Periodic (beat, every 5 minutes, default queue): students are reminded of live sessions
    starting within the hour. Idempotent and safe to overlap: each student is reminded once per
    session (a unique row), and a retry sends only what is still due."""
    from . import services

    return services.live_session_reminders_send()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300, max_retries=3)
def schedule_reminders_task() -> int:
    """Periodic (beat, every 15 minutes, default queue): `cohort_starting` for cohorts starting
    within a day and `due_soon` for quizzes and assignments due within a day. Idempotent and safe
    to overlap or retry: each notice is recorded once (schedules.reminders)."""
    from . import reminders

    return reminders.cohort_starting_send() + reminders.due_soon_send()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300, max_retries=3)
def content_released_task() -> int:
    """Periodic (beat, hourly, default queue): the daily digest of what opened for each student the
    day before (UTC). The first run after midnight sends it; later runs that day find every digest
    recorded and send nothing, so a beat that was down catches up at its next run."""
    from . import reminders

    return reminders.content_released_send()
