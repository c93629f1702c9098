import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
# Every CELERY_* Django setting configures Celery; tasks live in each app's tasks.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A job queued during a request logs with that request's id, so one id follows the work end to end.
@before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    from lms import request_context

    request_id = request_context.current().request_id
    if request_id and headers is not None:
        headers.setdefault("lms_request_id", request_id)


_task_context_tokens = {}


@task_prerun.connect
def _receive_request_id(task_id=None, task=None, **kwargs):
    from lms import request_context

    if request_context._current.get() is not None:
        return  # an inline (eager) job, inside the request that queued it: keep its context
    request_id = getattr(task.request, "lms_request_id", None) or f"task-{task_id}"
    _task_context_tokens[task_id] = request_context._current.set(request_context.RequestInfo(request_id=request_id))


@task_postrun.connect
def _forget_request_id(task_id=None, **kwargs):
    from lms import request_context

    token = _task_context_tokens.pop(task_id, None)
    if token is not None:
        try:
            request_context._current.reset(token)
        except ValueError:  # set in another context (eager tasks run inside the caller's)
            request_context._current.set(None)
