import logging

import stripe
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import course_for
from courses.api.serializers import WaitlistedSerializer, waitlisted_data
from courses.hooks import Waitlisted
from lms.api.access import AccessViewSetMixin
from lms.api.permissions import IsStudent
from payments import gateway, selectors, services
from payments.access import coupon_for, order_for
from payments.models import Coupon, Order

from . import schema
from .serializers import (
    CheckoutInputSerializer,
    CheckoutSerializer,
    CouponInputSerializer,
    CouponSerializer,
    OrderSerializer,
)

logger = logging.getLogger(__name__)


@schema.CHECKOUT
class CheckoutView(APIView):
    permission_classes = [IsAuthenticated, IsStudent]

    def post(self, request, course_id):
        course = course_for(request.user, course_id)
        data = CheckoutInputSerializer.validated(request)
        order = services.checkout_start(
            student=request.user,
            course=course,
            coupon_code=data.get("coupon", ""),
            cohort=data.get("cohort"),
            waitlist=data["waitlist"],
        )
        if isinstance(order, Waitlisted):  # a full cohort's waitlist: no order yet
            return Response(WaitlistedSerializer(waitlisted_data(order)).data, status=status.HTTP_202_ACCEPTED)
        context = {"publishable_key": settings.STRIPE_PUBLISHABLE_KEY}
        return Response(CheckoutSerializer(order, context=context).data, status=status.HTTP_201_CREATED)


@schema.STRIPE_WEBHOOK
class StripeWebhookView(APIView):
    """Stripe's calls. Signature-checked; 2xx only once the event's effects are committed (or the
    event is one we ignore, or a duplicate); 5xx when they could not be, so Stripe retries."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def post(self, request):
        if not settings.STRIPE_WEBHOOK_SECRET:
            return Response({"detail": _("Webhooks are not configured.")}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        try:
            event = gateway.construct_event(request.body, request.headers.get("Stripe-Signature", ""))
        except (ValueError, stripe.SignatureVerificationError):
            return Response({"detail": _("Invalid payload or signature.")}, status=status.HTTP_400_BAD_REQUEST)
        try:
            event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
            obj = obj.to_dict() if hasattr(obj, "to_dict") else obj
            if not isinstance(obj, dict):
                raise TypeError("data.object is not an object")
        except (KeyError, TypeError) as exc:
            return Response(
                {"detail": _("Malformed event: {error}").format(error=exc)}, status=status.HTTP_400_BAD_REQUEST
            )
        try:
            outcome = services.webhook_event_process(event_id=event_id, event_type=event_type, obj=obj)
        except DatabaseError:
            logger.exception("Stripe event %s could not be committed", event_id)
            return Response({"detail": _("Try again later.")}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"received": True, "outcome": outcome})


@schema.MY_ORDERS
class MyOrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Order.objects.none()  # for the schema; requests use get_queryset
    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.order_list_for_student(self.request.user)


@schema.ORDERS
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


COUPONS_DENIED = gettext_lazy("Only the course's instructor or an admin manages its coupons.")


@schema.COURSE_COUPONS
class CourseCouponsView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=COUPONS_DENIED)
        return Response(CouponSerializer(selectors.coupon_list_for_course(course), many=True).data)

    def post(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=COUPONS_DENIED)
        data = CouponInputSerializer.validated(request)
        coupon = services.coupon_create(actor=request.user, course=course, **data)
        return Response(CouponSerializer(coupon).data, status=status.HTTP_201_CREATED)


@schema.COUPONS
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
