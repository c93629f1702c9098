from celery import shared_task


@shared_task
def sso_prune_task() -> int:
    """Periodic (beat, hourly): deletes expired pending sign-ins and one-time codes. Safe to run twice."""
    from .services import sso_prune

    return sso_prune()
