from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

# notifications.services queues these tasks, so each task imports it when it runs (not at the top).


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def notification_emails_send_task(
    *,
    type: str,
    user_ids: list[int],
    title: str,
    body: str,
    link: str = "",
    payload: dict | None = None,
    language: str | None = None,
) -> int:
    """The text is checked against withdrawals (a hidden forum reply) when the job runs, not when it
    was queued. Jobs queued without `payload` are sent as they are. `language`: the recipients'
    (the text is already in it); jobs queued before it existed use each recipient's own."""
    from . import services

    return services.notification_emails_send(
        type=type, user_ids=user_ids, title=title, body=body, link=link, payload=payload, language=language
    )


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def notification_emails_send_each_task(*, type: str, messages: list[dict]) -> int:
    """The e-mail copies of notify_each: each message to its own recipient."""
    from . import services

    return services.notification_emails_send_each(type=type, messages=messages)


@shared_task
def announcement_send_task(announcement_id: int) -> int:
    from . import services

    return services.announcement_send(announcement_id=announcement_id)


@shared_task
def course_students_notify_task(
    *, course_id: int, type: str, title: str | dict, body: str | dict, payload: dict
) -> int:
    from . import services

    return services.course_students_notify(course_id=course_id, type=type, title=title, body=body, payload=payload)


@shared_task
def announcements_send_unsent_task(older_than_minutes: int = 10) -> int:
    """Periodic (beat): deliver announcements whose delivery job was lost (the broker was down when
    it was queued). Delivery is idempotent, so racing a late job is harmless."""
    from . import services

    created_before = timezone.now() - timedelta(minutes=older_than_minutes)
    return services.announcements_send_unsent(created_before=created_before)
