from decimal import Decimal

from rest_framework import serializers

from courses.api.serializers import CourseRefSerializer, EnrollInputSerializer
from lms.api.serializers import InputSerializer
from payments.models import Coupon, Order
from payments.services import CODE_SHAPE


class CheckoutInputSerializer(EnrollInputSerializer):
    """`cohort` and `waitlist` as for enrolling (a course taught in cohorts), and a coupon code."""

    coupon = serializers.CharField(max_length=40, required=False, allow_blank=True)


class CheckoutSerializer(serializers.Serializer):
    order_id = serializers.UUIDField(source="pk")
    status = serializers.CharField()
    payment_intent_id = serializers.CharField(allow_null=True)
    client_secret = serializers.CharField(allow_null=True, help_text="For Stripe.js confirmPayment.")
    list_price = serializers.DecimalField(max_digits=8, decimal_places=2)
    discount = serializers.DecimalField(max_digits=8, decimal_places=2)
    amount = serializers.DecimalField(max_digits=8, decimal_places=2)
    currency = serializers.CharField()
    publishable_key = serializers.CharField(allow_null=True)

    def to_representation(self, order):
        data = super().to_representation(order)
        data["client_secret"] = order.client_secret or None
        data["publishable_key"] = self.context.get("publishable_key") or None
        return data


class OrderSerializer(serializers.ModelSerializer):
    course = CourseRefSerializer()
    coupon = serializers.CharField(source="coupon.code", allow_null=True, default=None)

    class Meta:
        model = Order
        fields = [
            "id",
            "course",
            "list_price",
            "discount",
            "amount",
            "currency",
            "status",
            "coupon",
            "payment_intent_id",
            "failure_reason",
            "created_at",
            "paid_at",
            "refunded_at",
        ]
        read_only_fields = fields


class CouponInputSerializer(InputSerializer):
    code = serializers.RegexField(
        r"^[A-Za-z0-9_-]{3,40}$",
        max_length=40,
        error_messages={"invalid": CODE_SHAPE},
    )
    percent_off = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    amount_off = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    max_redemptions = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class CouponSerializer(serializers.ModelSerializer):
    class Meta:
        model = Coupon
        fields = [
            "id",
            "course",
            "code",
            "percent_off",
            "amount_off",
            "max_redemptions",
            "redemptions",
            "reserved",
            "expires_at",
            "active",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "redemptions": {"help_text": "Uses taken by paid orders."},
            "reserved": {"help_text": "Uses held by unpaid orders (checkout started, not yet paid or released)."},
        }
