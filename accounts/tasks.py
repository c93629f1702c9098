from celery import shared_task

from .models import User


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def password_reset_email_send_task(self, user_id: int) -> None:
    from .services import password_reset_email_send

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:  # deactivated meanwhile: nothing to send
        password_reset_email_send(user=user)
