"""Webhooks in the admin: endpoints written through the services (the signing secret shown once, in
a message, when it is made and by the "rotate secret" action), and the record of what was sent:
deliveries with the log of each attempt (request and response, truncated) and a "redeliver"
action, and the events of the outbox. Records are read-only."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, adopt, apply_each, changed
from lms.events import EVENT_TYPES

from . import services
from .models import Attempt, Delivery, Endpoint, Event

FIELDS = ("url", "description", "events", "is_active")


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=gettext_lazy("event types"),
        choices=[(name, f"{name}: {description}") for name, (_model, description) in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=2000,
        help_text=gettext_lazy(
            "The receiver's https:// URL. Hosts on private, loopback, link-local or cloud metadata addresses are "
            "refused."
        ),
        widget=forms.URLInput(attrs={"size": 80}),
    )

    class Meta:
        model = Endpoint
        fields = FIELDS


def _secret_message(modeladmin, request, endpoint, secret: str, *, rotated: bool) -> None:
    if rotated:
        text = _(
            "New signing secret of {url}, shown this once: {secret} (the previous one keeps signing for {hours} h)."
        ).format(url=endpoint.url, secret=secret, hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS)
    else:
        text = _("Signing secret of {url}, shown this once: {secret}").format(url=endpoint.url, secret=secret)
    modeladmin.message_user(request, text, messages.WARNING)


@admin.register(Endpoint)
class EndpointAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Written by endpoint_create / endpoint_update / endpoint_delete / endpoint_rotate_secret."""

    form = EndpointForm
    list_display = ("url", "description", "is_active", "disabled_reason", "failing_since", "created_by", "created_at")
    list_filter = ("is_active", "disabled_reason")
    search_fields = ("url", "description")
    list_select_related = ("created_by",)
    readonly_fields = (
        "created_by",
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "disabled_notified_at",
        "previous_secret_until",
        "created_at",
        "updated_at",
    )
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if change:
            services.endpoint_update(actor=request.user, endpoint=obj, **changed(form, FIELDS))
        else:
            data = form.cleaned_data
            endpoint = services.endpoint_create(actor=request.user, **{f: data[f] for f in FIELDS if f in data})
            adopt(obj, endpoint)
            _secret_message(self, request, endpoint, endpoint.secret, rotated=False)

    def delete_model(self, request, obj):
        services.endpoint_delete(actor=request.user, endpoint=obj)

    @admin.action(description=gettext_lazy("Rotate the signing secret"))
    def rotate_secret(self, request, queryset):
        def rotate(endpoint):
            rotated = services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
            _secret_message(self, request, rotated, rotated.secret, rotated=True)

        apply_each(
            self,
            request,
            queryset,
            rotate,
            ngettext_lazy("{count} secret rotated.", "{count} secrets rotated.", "count"),
        )


def _pretty(value) -> str:
    return format_html("<pre style='white-space: pre-wrap'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


class AttemptInline(ReadOnlyAdminMixin, admin.StackedInline):
    """The delivery log: each request as sent and the answer, bodies truncated to a few KB."""

    model = Attempt
    extra = 0
    fields = (
        "number",
        "at",
        "url",
        "duration_ms",
        "error",
        "response_status",
        "request_headers_shown",
        "request_body",
        "response_headers_shown",
        "response_body",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("request headers"))
    def request_headers_shown(self, attempt):
        return _pretty(attempt.request_headers)

    @admin.display(description=gettext_lazy("response headers"))
    def response_headers_shown(self, attempt):
        return _pretty(attempt.response_headers)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "event_id_shown",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "last_attempt_at",
    )
    list_filter = ("status", "event__type")
    search_fields = ("=event__public_id", "endpoint__url")
    list_select_related = ("event", "endpoint")
    readonly_fields = (
        "endpoint",
        "event_id_shown",
        "event_type",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "response_status",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [AttemptInline]
    actions = ["redeliver"]

    @admin.display(description=gettext_lazy("event"), ordering="event__public_id")
    def event_id_shown(self, delivery):
        return delivery.event.public_id

    @admin.display(description=gettext_lazy("type"), ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.action(description=gettext_lazy("Redeliver now (same event id)"))
    def redeliver(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda delivery: services.delivery_redeliver(actor=request.user, delivery=delivery),
            ngettext_lazy("{count} delivery queued again.", "{count} deliveries queued again.", "count"),
        )


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox: each event as recorded, its data as every delivery of it sends it."""

    list_display = ("public_id", "type", "created_at")
    list_filter = ("type", "created_at")
    search_fields = ("=public_id",)
    fields = ("public_id", "type", "created_at", "data_shown")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("data"))
    def data_shown(self, event):
        return _pretty(event.data)
