"""What every admin action of this project does: call a service on each selected object."""

from django.contrib import messages

from lms.errors import ApplicationError


def apply_each(modeladmin, request, queryset, action, done: str) -> int:
    """Runs `action` on each object; a refusal (ApplicationError) is reported for that object and
    the others go on. Reports "<n> <done>." and returns n."""
    count = 0
    for obj in queryset:
        try:
            action(obj)
            count += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
    if count:
        modeladmin.message_user(request, f"{count} {done}.", messages.SUCCESS)
    return count
