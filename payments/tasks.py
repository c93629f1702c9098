from celery import shared_task

from . import gateway, services


@shared_task
def payments_reconcile_task() -> dict:
    """Periodic (beat): settle pending orders whose webhook never came."""
    if not gateway.configured():
        return {}
    return services.payments_reconcile()
