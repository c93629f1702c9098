"""Queueing background jobs so that a broker outage never turns a committed request into an error.

Jobs are queued after the transaction commits (the work they describe is then real). If the broker
cannot take a job at that point, the request has already succeeded: the failure is logged and the
job is left to its recovery path instead of failing the request or hanging it (Celery would retry
the result store for about 20 s, then the broker). Each kind of job says how it is recovered:

- certificates: `certificates.tasks.certificates_issue_missing_task` (periodic) issues every
  completed enrollment's missing certificate;
- announcements: `notifications.tasks.announcements_send_unsent_task` (periodic) delivers every
  announcement still unsent;
- e-mail copies of notifications: not re-sent. The in-app notification is stored in the same
  transaction as the event and is the durable record; the e-mail is a best-effort copy, and sending
  it late (or twice, if a retry raced a late delivery) would be worse than not sending it.

Jobs queued here ignore their result: nobody waits for them, and subscribing to the result store
costs a round trip per job (and, with the store down, the 20 s of retries above)."""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger("lms.jobs")

# Fail fast: the request is waiting, and every job queued here has a recovery path.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue(task, *args, **kwargs) -> bool:
    """Sends the job to the broker now. Returns False (and logs) when the broker cannot take it.
    Jobs that run inline (CELERY_TASK_ALWAYS_EAGER) raise their errors as usual."""
    if task.app.conf.task_always_eager:  # inline: nothing to publish, behave exactly as .delay()
        task.delay(*args, **kwargs)
        return True
    try:
        task.apply_async(args, kwargs, ignore_result=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # only publishing happens here: any error means the broker did not take the job
        logger.exception("Could not queue %s%.300s: the broker is unavailable", task.name, (args, kwargs))
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queues the job once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(enqueue, task, *args, **kwargs))


# --- who consumes what -----------------------------------------------------------------------------
def routed_queues(app=None) -> dict[str, list[str]]:
    """Every queue a job of ours is routed to, with the jobs that go there (from the routes in
    settings, resolved by Celery's own router, so glob routes and the default queue count)."""
    if app is None:
        from lms.celery import app
    app.loader.import_default_modules()  # autodiscovers every app's tasks.py
    queues: dict[str, list[str]] = {}
    for name in sorted(app.tasks):
        if name.startswith("celery."):  # Celery's built-ins (chords, canvas): we queue none of them
            continue
        queue = app.amqp.router.route({}, name)["queue"]
        queues.setdefault(queue.name, []).append(name)
    return queues


def consumers_by_queue(app=None, timeout: float = 1.0) -> dict[str, list[str]]:
    """Which live workers consume each queue, as the workers themselves answer (`active_queues`).
    Workers that do not answer within `timeout` seconds count as absent."""
    if app is None:
        from lms.celery import app
    replies = app.control.inspect(timeout=timeout).active_queues() or {}
    consumers: dict[str, list[str]] = {}
    for worker, queues in sorted(replies.items()):
        for queue in queues or ():
            consumers.setdefault(queue["name"], []).append(worker)
    return consumers


def queues_without_consumer(app=None, timeout: float = 1.0) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The routed queues that no live worker consumes (queue -> the jobs that would wait there
    forever), and the consumers that were found (queue -> workers)."""
    consumers = consumers_by_queue(app, timeout)
    missing = {queue: tasks for queue, tasks in routed_queues(app).items() if queue not in consumers}
    return missing, consumers


def describe_missing(missing: dict[str, list[str]]) -> str:
    """ "certificates (certificate_issue_task, ...), emails (...)": short task names, for messages."""
    return "; ".join(
        f"{queue} ({', '.join(name.rpartition('.')[2] for name in tasks)})" for queue, tasks in sorted(missing.items())
    )
