import logging

import stripe
from django.conf import settings
from django.db import DatabaseError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import course_for
from lms.api.access import AccessViewSetMixin
from lms.api.permissions import IsStudent
from lms.api.responses import DESCRIPTIONS, EXAMPLES, ErrorSerializer, body, ok
from lms.api.responses import errors as shared_errors
from payments import gateway, selectors, services
from payments.access import coupon_for, order_for
from payments.coupon_limits import CouponAttemptsExceeded
from payments.models import Coupon, Order

from . import examples as ex
from .serializers import (
    CheckoutInputSerializer,
    CheckoutSerializer,
    CouponInputSerializer,
    CouponSerializer,
    OrderSerializer,
)

logger = logging.getLogger(__name__)

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
    **errors(
        400,
        401,
        403,
        404,
        409,
        503,
        throttled=False,
        r400=(
            "Invalid input; the body names each bad field. A refused coupon is a 400 on `coupon`: a code this "
            "course does not have (whether or not another course has it) is `Unknown coupon code.`"
        ),
    ),
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


@extend_schema(tags=["payments"])
class CheckoutView(APIView):
    permission_classes = [IsAuthenticated, IsStudent]

    @extend_schema(
        request=CheckoutInputSerializer,
        responses=CHECKOUT_RESPONSES,
        parameters=[RETRY_AFTER],
        examples=[body(ex.CHECKOUT_INPUT), ok(ex.CHECKOUT, status=201)],
        summary="Buy a paid course: a pending order and a PaymentIntent to confirm with Stripe.js",
    )
    def post(self, request, course_id):
        course = course_for(request.user, course_id)
        data = CheckoutInputSerializer.validated(request)
        order = services.checkout_start(student=request.user, course=course, coupon_code=data.get("coupon", ""))
        context = {"publishable_key": settings.STRIPE_PUBLISHABLE_KEY}
        return Response(CheckoutSerializer(order, context=context).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["payments"])
class StripeWebhookView(APIView):
    """Stripe's calls. Signature-checked; 2xx only once the event's effects are committed (or the
    event is one we ignore, or a duplicate); 5xx when they could not be, so Stripe retries."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        request={"application/json": {"type": "object", "description": "A Stripe event."}},
        responses=WEBHOOK_RESPONSES,
        examples=[
            OpenApiExample("payment_intent.succeeded", request_only=True, value=ex.WEBHOOK_EVENT),
            OpenApiExample("Handled", response_only=True, value=ex.WEBHOOK_REPLY),
        ],
        summary="Stripe webhook",
        auth=[],
    )
    def post(self, request):
        if not settings.STRIPE_WEBHOOK_SECRET:
            return Response({"detail": "Webhooks are not configured."}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        try:
            event = gateway.construct_event(request.body, request.headers.get("Stripe-Signature", ""))
        except (ValueError, stripe.SignatureVerificationError):
            return Response({"detail": "Invalid payload or signature."}, status=status.HTTP_400_BAD_REQUEST)
        try:
            event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
            obj = obj.to_dict() if hasattr(obj, "to_dict") else obj
            if not isinstance(obj, dict):
                raise TypeError("data.object is not an object")
        except (KeyError, TypeError) as exc:
            return Response({"detail": f"Malformed event: {exc}"}, status=status.HTTP_400_BAD_REQUEST)
        try:
            outcome = services.webhook_event_process(event_id=event_id, event_type=event_type, obj=obj)
        except DatabaseError:
            logger.exception("Stripe event %s could not be committed", event_id)
            return Response({"detail": "Try again later."}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"received": True, "outcome": outcome})


@extend_schema(tags=["payments"])
@extend_schema_view(
    list=extend_schema(
        examples=[ok(ex.ORDER)],
        summary="My orders, newest first",
        responses={200: OrderSerializer(many=True), **errors(401, 404)},
    )
)
class MyOrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Order.objects.none()  # for the schema; requests use get_queryset
    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.order_list_for_student(self.request.user)


@extend_schema(tags=["payments"])
@extend_schema_view(
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
class OrderViewSet(AccessViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One order: the buyer's own, or any for admins; anyone else gets 404."""

    queryset = Order.objects.none()  # for the schema; requests use order_for
    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(order_for)
    needs = {"refund": "refund"}

    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        order = services.order_refund(order=self.get_object(), actor=request.user)
        return Response(OrderSerializer(order).data)


COUPONS_DENIED = "Only the course's instructor or an admin manages its coupons."


@extend_schema(tags=["payments"])
class CourseCouponsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: CouponSerializer(many=True), **errors(401, 403, 404)},
        examples=[ok(ex.COUPON)],
        summary="The course's coupons (owner, admin)",
    )
    def get(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=COUPONS_DENIED)
        return Response(CouponSerializer(selectors.coupon_list_for_course(course), many=True).data)

    @extend_schema(
        request=CouponInputSerializer,
        responses={201: CouponSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.COUPON_INPUT), ok(ex.NEW_COUPON, status=201)],
        summary="Create a coupon (owner, admin)",
    )
    def post(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=COUPONS_DENIED)
        data = CouponInputSerializer.validated(request)
        coupon = services.coupon_create(actor=request.user, course=course, **data)
        return Response(CouponSerializer(coupon).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["payments"])
@extend_schema_view(
    retrieve=extend_schema(responses={200: CouponSerializer, **errors(401, 403, 404)}, examples=[ok(ex.COUPON)]),
    partial_update=extend_schema(
        request=CouponInputSerializer,
        responses={200: CouponSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.COUPON_PATCH), ok({**ex.COUPON, **ex.COUPON_PATCH})],
    ),
    destroy=extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete a coupon (one already used is deactivated instead)",
    ),
)
class CouponViewSet(
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A coupon of a course (its instructor and admins)."""

    queryset = Coupon.objects.none()  # for the schema; requests use coupon_for
    serializer_class = CouponSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "delete", "head", "options"]
    access = staticmethod(coupon_for)
    needs = {"retrieve": "manage", "partial_update": "manage", "destroy": "manage"}

    def partial_update(self, request, *args, **kwargs):
        data = CouponInputSerializer.validated(request, partial=True)
        coupon = services.coupon_update(actor=request.user, coupon=self.get_object(), data=data)
        return Response(CouponSerializer(coupon).data)

    def destroy(self, request, *args, **kwargs):
        services.coupon_delete(actor=request.user, coupon=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
