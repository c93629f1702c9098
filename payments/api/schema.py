"""The OpenAPI description of payments/api/views.py (drf-spectacular), one `described` class
decorator per view class: request and response bodies, every status code each operation answers, and
examples (examples.py). Kept apart from the views so these read as behaviour."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from courses.api.schema import ENROLLMENT_CONFLICT
from courses.api.serializers import WaitlistedSerializer
from lms.api.responses import DESCRIPTIONS, EXAMPLES, ErrorSerializer, ValidationErrorSerializer, body, described, ok
from lms.api.responses import errors as shared_errors
from payments.coupon_limits import CouponAttemptsExceeded

from . import examples as ex
from .serializers import (
    CheckoutInputSerializer,
    CheckoutSerializer,
    CouponInputSerializer,
    CouponSerializer,
    OrderSerializer,
)

WebhookReply = inline_serializer(
    "WebhookReply", {"received": serializers.BooleanField(), "outcome": serializers.CharField()}
)


def errors(*statuses: int, throttled: bool = True, **descriptions: str):
    return shared_errors(
        *statuses,
        throttled=throttled,
        **{
            "r400": "Invalid input; the body names each bad field (e.g. `coupon`).",
            "r503": "Payments are not configured, or Stripe could not be reached.",
            **descriptions,
        },
    )


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": "A rule's stable code (a string), or the messages about the coupon's field `code` (a list).",
    }
)
class _CodeOrMessages(serializers.JSONField):
    pass


class CouponValidationErrorSerializer(ValidationErrorSerializer):
    """A coupon's 400: a coupon has a field named `code`, so `code` is either the rule's stable
    code or that field's list of messages."""

    code = _CodeOrMessages(required=False)


COUPON_INVALID = OpenApiResponse(
    CouponValidationErrorSerializer,
    description=DESCRIPTIONS[400],
    examples=[
        *EXAMPLES[400],
        OpenApiExample(
            "Bad code",
            value={"code": ["Use 3 to 40 letters, digits, - or _."]},
            response_only=True,
            status_codes=["400"],
        ),
    ],
)

# The checkout's 429: the request rate, or the coupon limit (payments.coupon_limits).
CHECKOUT_429 = OpenApiResponse(
    ErrorSerializer,
    description=(
        f"{DESCRIPTIONS[429]} Also answered, with code `too_many_coupon_failures`, to a checkout with a coupon "
        "while this user's coupon checkouts are locked after too many refused codes (a right code included)."
    ),
    examples=[
        *EXAMPLES[429],
        OpenApiExample(
            "Too many refused coupon codes",
            value={"detail": CouponAttemptsExceeded(retry_after=900).message, "code": "too_many_coupon_failures"},
            response_only=True,
            status_codes=["429"],
        ),
    ],
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    description="Seconds to wait before trying again.",
    response=[429],
)


CHECKOUT_RESPONSES = {
    201: CheckoutSerializer,
    202: WaitlistedSerializer,
    **errors(
        400,
        401,
        403,
        404,
        503,
        throttled=False,
        r400=(
            "Invalid input; the body names each bad field. A refused coupon is a 400 on `coupon`: a code this "
            "course does not have (whether or not another course has it) is `Unknown coupon code.`"
        ),
    ),
    **ENROLLMENT_CONFLICT,
    429: CHECKOUT_429,
}
WEBHOOK_RESPONSES = {
    200: WebhookReply,
    **shared_errors(
        400,
        503,
        throttled=False,
        r400="Missing or bad Stripe-Signature, or not an event.",
        r503="Could not be recorded now (or webhooks are not configured); Stripe will retry.",
    ),
}


CHECKOUT = described(
    "payments",
    post=extend_schema(
        request=CheckoutInputSerializer,
        responses=CHECKOUT_RESPONSES,
        parameters=[RETRY_AFTER],
        examples=[
            body(ex.CHECKOUT_INPUT),
            ok(ex.CHECKOUT, status=201),
            ok({"waitlisted": True, "cohort": 4, "position": 3}, "Waitlisted", status=202),
        ],
        summary="Buy a paid course: a pending order and a PaymentIntent to confirm with Stripe.js",
        description="A course taught in cohorts needs `cohort` (400 without it): the order holds a seat in it until "
        "it is paid or can no longer be (409 `enrollment_closed` / `cohort_full`; with `waitlist: true` a full "
        "cohort's waitlist is joined instead: 202, no order). A student offered a freed seat claims it here.",
    ),
)

STRIPE_WEBHOOK = described(
    "payments",
    post=extend_schema(
        request={
            "application/json": {
                "type": "object",
                "description": "A Stripe event, as Stripe sends it (signed in the Stripe-Signature header).",
                "properties": {
                    "id": {"type": "string"},
                    "type": {"type": "string", "example": "payment_intent.succeeded"},
                    "data": {"type": "object", "additionalProperties": True},
                },
                "required": ["id", "type", "data"],
                "additionalProperties": True,
            }
        },
        responses=WEBHOOK_RESPONSES,
        examples=[
            OpenApiExample("payment_intent.succeeded", request_only=True, value=ex.WEBHOOK_EVENT),
            OpenApiExample("Handled", response_only=True, value=ex.WEBHOOK_REPLY),
        ],
        summary="Stripe webhook",
        auth=[],
    ),
)

MY_ORDERS = described(
    "payments",
    list=extend_schema(
        examples=[ok(ex.ORDER)],
        summary="My orders, newest first",
        responses={200: OrderSerializer(many=True), **errors(401, 404)},
    ),
)

ORDERS = described(
    "payments",
    retrieve=extend_schema(
        responses={200: OrderSerializer, **errors(401, 404)}, examples=[ok(ex.ORDER)], summary="An order"
    ),
    refund=extend_schema(
        request=None,
        responses={200: OrderSerializer, **errors(401, 403, 404, 409, 503)},
        examples=[ok(ex.REFUNDED_ORDER)],
        summary="Refund (admin, revoking any certificate; the buyer within the refund window and before a certificate)",
    ),
)

COURSE_COUPONS = described(
    "payments",
    get=extend_schema(
        responses={200: CouponSerializer(many=True), **errors(401, 403, 404)},
        examples=[ok(ex.COUPON)],
        summary="The course's coupons (owner, admin)",
    ),
    post=extend_schema(
        request=CouponInputSerializer,
        responses={201: CouponSerializer, 400: COUPON_INVALID, **errors(401, 403, 404)},
        examples=[body(ex.COUPON_INPUT), ok(ex.NEW_COUPON, status=201)],
        summary="Create a coupon (owner, admin)",
    ),
)

COUPONS = described(
    "payments",
    retrieve=extend_schema(responses={200: CouponSerializer, **errors(401, 403, 404)}, examples=[ok(ex.COUPON)]),
    partial_update=extend_schema(
        request=CouponInputSerializer,
        responses={200: CouponSerializer, 400: COUPON_INVALID, **errors(401, 403, 404)},
        examples=[body(ex.COUPON_PATCH), ok(ex.PATCHED_COUPON)],
    ),
    destroy=extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete a coupon (one already used is deactivated instead)",
    ),
)
