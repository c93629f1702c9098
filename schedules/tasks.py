"""Cohorts' periodic job (beat, on the default queue). Tasks call services."""

from celery import shared_task


@shared_task
def cohort_offers_expire_task() -> int:
    """Periodic (beat): offers of freed seats not claimed in time pass to the next in line.
    Idempotent: a second run finds nothing left to pass on."""
    from . import services

    return services.cohort_offers_expire()
