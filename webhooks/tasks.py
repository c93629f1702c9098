"""The webhooks' jobs, on their own `webhooks` queue (settings: CELERY_TASK_ROUTES), so a slow
receiver delays nothing but other webhooks. Each task imports the services when it runs (the
services queue these tasks)."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300, max_retries=5)
def endpoint_drain_task(endpoint_id: int) -> dict:
    """Sends the endpoint's due deliveries (services.endpoint_drain), then queues itself again while
    due ones are left. Idempotent: a second job of the same endpoint finds the lease taken and
    returns; the sweep queues the drain of any endpoint whose job was lost. Jobs run inline (no
    broker) loop here instead of queueing themselves."""
    from lms.jobs import enqueue

    from . import services

    done = {"busy": False, "sent": 0, "succeeded": 0, "failed": 0}
    while True:
        result = services.endpoint_drain(endpoint_id=endpoint_id)
        done["busy"] = result.busy
        for key in ("sent", "succeeded", "failed"):
            done[key] += getattr(result, key)
        if not result.more:
            return done
        if not endpoint_drain_task.app.conf.task_always_eager:
            enqueue(endpoint_drain_task, endpoint_id)
            return done


# SMTP errors are OSErrors (or SMTPExceptions): retried with backoff; the endpoint stays "not told"
# until one run sends it, and the sweep queues a job whose run was lost.
@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def endpoint_disabled_email_send_task(endpoint_id: int) -> bool:
    from . import services

    return services.endpoint_disabled_email_send(endpoint_id=endpoint_id)


@shared_task
def webhooks_sweep_task() -> dict:
    """Periodic (beat, every 60 s): due retries, lost drain and e-mail jobs, old events."""
    from . import services

    return services.webhooks_sweep()
