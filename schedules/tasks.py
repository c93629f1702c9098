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
