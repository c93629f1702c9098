"""The OpenAPI description of webhooks/api/views.py (drf-spectacular)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from lms.api.responses import body, described, errors, ok, page, paginated

from . import examples as ex
from .serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSerializer,
    WebhookSecretSerializer,
)

ABOUT = (
    "Deliveries are POSTs of JSON `{id, type, created_at, data}` signed with the endpoint's secret "
    '(`LMS-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`), at least once, retried with backoff for '
    "WEBHOOKS_RETRY_HOURS; see README 'Webhooks' for each type's `data` and the verification snippets."
)
STATUS = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=["pending", "succeeded", "failed"],
    description="Only deliveries in this status.",
)
DELIVERY_ID = OpenApiParameter("delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The delivery.")
URL_400 = "Invalid input: the URL refused (plain http, credentials, a private or metadata address), no events."

WEBHOOKS = described(
    "webhooks",
    list=extend_schema(
        summary="Webhook endpoints (admin)",
        description="Every endpoint, newest first. Secrets are never listed. " + ABOUT,
        responses={200: WebhookEndpointSerializer, **errors(401, 403, 404, r404="A page past the end.")},
        examples=[ok(ex.ENDPOINT)],
    ),
    create=extend_schema(
        summary="Add a webhook endpoint (admin)",
        description="201 with the endpoint and its signing `secret`, shown in this response only. The URL is "
        "checked now and again, against the addresses its host resolves to, at every delivery. The caller "
        "becomes the owner, e-mailed if the endpoint is ever turned off.",
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointCreatedSerializer, **errors(400, 401, 403, r400=URL_400)},
        examples=[body(ex.ENDPOINT_INPUT), ok(ex.ENDPOINT_CREATED, status=201)],
    ),
    retrieve=extend_schema(
        summary="A webhook endpoint (admin)",
        description="`disabled_reason` says why the platform turned it off: `gone` (410) or `failing`.",
        responses={200: WebhookEndpointSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.ENDPOINT), ok(ex.ENDPOINT_DISABLED, "Turned off")],
    ),
    update=extend_schema(
        summary="Replace a webhook endpoint (admin)",
        description="`url` and `events` are required. Turning an endpoint back on (`is_active: true`) sends "
        "what is still pending.",
        request=WebhookEndpointInputSerializer,
        responses={200: WebhookEndpointSerializer, **errors(400, 401, 403, 404, r400=URL_400)},
        examples=[body(ex.ENDPOINT_INPUT), ok(ex.ENDPOINT)],
    ),
    partial_update=extend_schema(
        summary="Change a webhook endpoint (admin)",
        description="Any of `url`, `events`, `description`, `is_active`. Turning an endpoint back on "
        "(`is_active: true`) clears why it was turned off and sends what is still pending.",
        request=WebhookEndpointInputSerializer,
        responses={200: WebhookEndpointSerializer, **errors(400, 401, 403, 404, r400=URL_400)},
        examples=[body(ex.ENDPOINT_PATCH), ok(ex.ENDPOINT)],
    ),
    destroy=extend_schema(
        summary="Delete a webhook endpoint (admin)",
        description="With its deliveries and their log. 204.",
        responses={204: None, **errors(401, 403, 404)},
    ),
    rotate_secret=extend_schema(
        summary="Rotate an endpoint's signing secret (admin)",
        description="A new secret, shown in this response only. The previous one keeps signing (a second "
        "`v1` in LMS-Signature) until `previous_secret_expires_at` (WEBHOOKS_SECRET_OVERLAP_HOURS), so the "
        "receiver can switch without rejecting a delivery.",
        request=None,
        responses={200: WebhookSecretSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.SECRET)],
    ),
    deliveries=extend_schema(
        summary="An endpoint's deliveries (admin)",
        description="Newest event first: `event` is the event's id as sent (`LMS-Event-Id`), `status` is "
        "`pending` (retried until `next_attempt_at`), `succeeded` (a 2xx) or `failed` (given up "
        "WEBHOOKS_RETRY_HOURS after the event, or the receiver answered 410). The request and response of "
        "each attempt are in the admin site's delivery log.",
        parameters=[STATUS],
        responses={
            200: paginated(WebhookDeliverySerializer),
            **errors(400, 401, 403, 404, r404="Unknown endpoint, or a page past the end."),
        },
        examples=[ok(page(ex.DELIVERY, count=1))],
    ),
    redeliver=extend_schema(
        summary="Redeliver an event (admin)",
        description="Sends the delivery's event again now, with the same event id (receivers drop repeats by "
        "it), whatever its status: 202 with the delivery, pending. 409 `endpoint_inactive` when the endpoint "
        "is turned off.",
        parameters=[DELIVERY_ID],
        request=None,
        responses={202: WebhookDeliverySerializer, **errors(401, 403, 404, 409)},
        examples=[ok(ex.DELIVERY_PENDING, status=202)],
    ),
)
