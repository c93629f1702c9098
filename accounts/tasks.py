from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import User


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def password_reset_email_send_task(self, email: str | int) -> bool:
    """Queued for every reset request, whether or not the address has an account (see
    password_reset_request). An int is a user id: a job queued before jobs carried the address."""
    from .services import password_reset_email_send, password_reset_email_send_to

    if isinstance(email, str):
        return password_reset_email_send_to(email=email)
    user = User.objects.filter(pk=email, is_active=True).first()
    if user is None:  # deactivated meanwhile: nothing to send
        return False
    password_reset_email_send(user=user)
    return True


# SMTP errors are OSErrors: retried with backoff; the notice stays pending until one run sends it.
@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def signin_lockout_email_send_task(self, lockout_id: int) -> bool:
    from .services import signin_lockout_email_send

    return signin_lockout_email_send(lockout_id=lockout_id)


@shared_task
def signin_lockout_emails_send_pending_task(older_than_minutes: int = 10) -> int:
    """Periodic (beat): sends lockout e-mails whose job was lost (the broker was down when it was
    queued, or its retries ran out). Sending is idempotent, so racing a late job is harmless."""
    from .services import signin_lockout_emails_send_pending

    return signin_lockout_emails_send_pending(created_before=timezone.now() - timedelta(minutes=older_than_minutes))


@shared_task
def signin_lockouts_prune_task() -> int:
    """Periodic (beat): lockout records are kept as long as activity events (ACTIVITY_RETENTION_DAYS)."""
    from .services import signin_lockouts_prune

    return signin_lockouts_prune(older_than=timezone.now() - timedelta(days=settings.ACTIVITY_RETENTION_DAYS))
