"""Outgoing webhooks (README "Webhooks"): the endpoints other systems gave us, the outbox of events
recorded in the transaction of the change that caused them, one delivery per endpoint and event,
and the log of every attempt (what was sent, what came back)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisabledReason(models.TextChoices):
    GONE = "gone", _("The receiver answered 410 Gone")
    FAILING = "failing", _("Every delivery failed for days")


class Endpoint(models.Model):
    """A receiver of events: an https URL, the event types it wants, its signing secret. The
    previous secret keeps signing (a second `v1`) until `previous_secret_until`, so a receiver can
    switch secrets without dropping a delivery. `failing_since` is the first failure since the last
    success; the endpoint is turned off (`disabled_at`, `disabled_reason`) when the receiver says
    410 or fails for WEBHOOKS_DISABLE_AFTER_DAYS. The drain lease (`lease_until`, `lease_token`)
    keeps two delivery jobs of one endpoint from running at once, without holding a transaction
    open across HTTP calls."""

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=300, blank=True)
    events = models.JSONField(_("event types"), default=list, help_text=_("The event types sent to this URL."))
    is_active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(_("previous secret signs until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Who created the endpoint; e-mailed when it is turned off."),
    )
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("turned off at"), null=True, blank=True)
    disabled_reason = models.CharField(
        _("why it was turned off"), max_length=16, choices=DisabledReason.choices, blank=True
    )
    disabled_notified_at = models.DateTimeField(_("owner told at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("delivery job holds it until"), null=True, blank=True, editable=False)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url


class Event(models.Model):
    """One event in the outbox. `public_id` is what receivers see (`id`, `LMS-Event-Id`): the same
    on every retry and redelivery, so they can drop repeats. `data` is built once, when the event
    is recorded (webhooks.payloads), and never changes."""

    public_id = models.CharField(_("event id"), max_length=40, unique=True)
    type = models.CharField(_("type"), max_length=40)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    data = models.JSONField(_("data"), default=dict)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self):
        return f"{self.type} {self.public_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery", "Pending")
    SUCCEEDED = "succeeded", pgettext_lazy("webhook delivery", "Succeeded")
    FAILED = "failed", pgettext_lazy("webhook delivery", "Failed")


class Delivery(models.Model):
    """One event for one endpoint: pending until a 2xx (succeeded) or until it is given up
    (failed: WEBHOOKS_RETRY_HOURS after the event, or the receiver said 410)."""

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("last response status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-event_id", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhooks_one_delivery_per_event")]
        indexes = [
            # The drain: an endpoint's due deliveries in event order.
            models.Index(fields=["endpoint", "event"], condition=Q(status="pending"), name="webhooks_delivery_pending"),
            # The sweep: every due delivery, whatever its endpoint.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhooks_delivery_due"),
            # The admin's log of an endpoint, newest first, by status.
            models.Index(fields=["endpoint", "status", "-event"], name="webhooks_delivery_log"),
        ]

    def __str__(self):
        return _("{event} to {endpoint}").format(event=self.event_id, endpoint=self.endpoint_id)


class Attempt(models.Model):
    """One HTTP request of a delivery, as sent and as answered (bodies truncated to a few KB), or
    the error that stopped it (refused target, timeout, connection error)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log", verbose_name=_("delivery"))
    number = models.PositiveIntegerField(_("attempt"))
    at = models.DateTimeField(_("sent at"))
    url = models.CharField(_("URL"), max_length=2000)
    request_headers = models.JSONField(_("request headers"), default=dict)
    request_body = models.TextField(_("request body"), blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_headers = models.JSONField(_("response headers"), default=dict)
    response_body = models.TextField(_("response body"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        indexes = [models.Index(fields=["delivery", "-at"])]

    def __str__(self):
        return _("Attempt {number} of delivery {delivery}").format(number=self.number, delivery=self.delivery_id)
