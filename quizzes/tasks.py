from celery import shared_task

from . import services


@shared_task
def attempts_close_expired_task() -> int:
    """Periodic (beat): grade attempts left open past their deadline."""
    return services.attempts_close_expired()
