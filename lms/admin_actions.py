"""How the admin writes: through the services, like the API (STYLE.md, habit 13).

Every ModelAdmin either is read-only (`ReadOnlyAdminMixin`) or routes each write path (add,
change, delete, bulk delete, inlines, actions) to a service. `ServiceAdminMixin` is the base of the
second kind: a refusal raised by a service (an ApplicationError or Django's ValidationError) rolls
back everything that request wrote and is shown on the form, or as a message, never as a 500.
lms/tests/test_admin_writes.py checks every registered admin against these rules."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from lms.errors import ApplicationError

# What a service raises when it refuses: shown to staff, never a 500.
SERVICE_ERRORS = (ApplicationError, ValidationError)

_REFUSAL = "_lms_admin_service_refusal"


def refusal_messages(exc: Exception) -> dict[str | None, list[str]]:
    """The refusal's messages by form field (None: not about one field)."""
    if isinstance(exc, ApplicationError):
        return {exc.extra.get("field"): [exc.message]}
    if hasattr(exc, "error_dict"):
        return {None if f == NON_FIELD_ERRORS else f: list(m) for f, m in exc.message_dict.items()}
    return {None: list(exc.messages)}


def refusal_text(exc: Exception) -> str:
    return " ".join(
        _("{field}: {message}").format(field=field, message=message) if field else str(message)
        for field, texts in refusal_messages(exc).items()
        for message in texts
    )


def done_message(done, count: int) -> str:
    """The success message of an action that did `count` things. `done` is a whole sentence with a
    {count} field, a plural: `ngettext_lazy("{count} course published.", "{count} courses published.",
    "count")`. A bare phrase without {count} ("course(s) published", from callers not yet converted)
    still gets "<count> <phrase>." in English, but cannot be translated as a sentence."""
    text = str(done)  # "" for an ngettext_lazy keyed by "count": it has no text until formatted
    if text and "{count}" not in text:
        return f"{count} {text}."
    return done.format(count=count)


def apply_each(modeladmin, request, queryset, action, done) -> int:
    """Runs `action` (a service call) on each object, each in its own savepoint; a refusal is
    reported for that object and the others go on. Reports `done` with the number of objects done
    (see done_message) and returns that number."""
    count = 0
    for obj in queryset:
        try:
            with transaction.atomic():
                action(obj)
            count += 1
        except SERVICE_ERRORS as exc:
            modeladmin.message_user(
                request, _("{object}: {reason}").format(object=obj, reason=refusal_text(exc)), messages.ERROR
            )
    if count:
        modeladmin.message_user(request, done_message(done, count), messages.SUCCESS)
    return count


def adopt(obj, created) -> None:
    """Makes the admin's unsaved `obj` the object a service created (its pk and every stored
    field), so the admin's log entry, message and redirect name the real object."""
    for field in created._meta.concrete_fields:
        setattr(obj, field.attname, getattr(created, field.attname))
    obj._state.adding = False
    obj._state.db = created._state.db


def _with_refusal(form_class, exc: Exception):
    """The admin's form class, failing validation with the service's refusal."""

    class RefusedForm(form_class):
        def full_clean(self):
            super().full_clean()
            if not self.is_bound:
                return
            for field, texts in refusal_messages(exc).items():
                self.add_error(field if field in self.fields else None, texts)

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class ServiceAdminMixin:
    """For a ModelAdmin whose save_model / delete_model / save_formset call services.

    - A refusal raised while saving the add or change form (its inlines included) rolls the whole
      request back (Django wraps the view in a transaction) and the same form is shown again,
      filled in as sent, with the refusal as an error on the field it names.
    - A refusal on the delete page is shown as a message on the object's page; nothing is deleted.
    - The bulk delete action deletes each object through delete_model, in its own savepoint.
    - Deleting through a service deletes what the service decides (a section takes its lessons and
      their completions), so the delete pages do not ask for permission to delete those rows one
      by one: their own admins are read-only because nobody deletes them on their own."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_ERRORS as exc:
            if request.method != "POST":
                raise
            setattr(request, _REFUSAL, exc)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        return form if refusal is None else _with_refusal(form, refusal)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except SERVICE_ERRORS as exc:
            self.message_user(request, _("Not deleted: {reason}").format(reason=refusal_text(exc)), messages.ERROR)
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(object_id)])
        )

    def delete_queryset(self, request, queryset):
        """The bulk delete action: delete_model (a service) on each object."""
        for obj in queryset:
            try:
                with transaction.atomic():
                    self.delete_model(request, obj)
            except SERVICE_ERRORS as exc:
                self.message_user(
                    request,
                    _("{object} was not deleted: {reason}").format(object=obj, reason=refusal_text(exc)),
                    messages.ERROR,
                )

    def get_deleted_objects(self, objs, request):
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected


class ReadOnlyAdminMixin:
    """Nothing is added, changed or deleted here: the page is a record, or its writes happen
    elsewhere (the actions, the API)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def changed(form, fields) -> dict:
    """The form's values for those of `fields` the user changed."""
    return {f: form.cleaned_data[f] for f in fields if f in form.changed_data and f in form.cleaned_data}
