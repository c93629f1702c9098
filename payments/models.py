import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Coupon(models.Model):
    """A discount on one course: a percentage or a fixed amount. `redemptions` counts paid orders;
    `reserved` counts unsettled orders holding a use (see Order.coupon_held). Checkout takes a use
    only while redemptions + reserved < max_redemptions, with one conditional UPDATE, so the two
    together never pass the limit however many checkouts race for the last use."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="coupons", verbose_name=_("course")
    )
    code = models.CharField(max_length=40, verbose_name=_("code"))
    percent_off = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        verbose_name=_("percent off"),
    )
    amount_off = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        verbose_name=_("amount off"),
    )
    max_redemptions = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("maximum redemptions"))
    redemptions = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("redemptions"))
    reserved = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("reserved"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint("course", Lower("code"), name="payments_coupon_code_ci_unique"),
            models.CheckConstraint(
                condition=(Q(percent_off__isnull=False) & Q(amount_off__isnull=True))
                | (Q(percent_off__isnull=True) & Q(amount_off__isnull=False)),
                name="payments_coupon_one_discount",
            ),
        ]

    def __str__(self):
        return self.code


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")


# The order's state machine. A late failure never downgrades a paid order; a refund can arrive
# before the success it undoes (events come in any order), and then wins.
TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PENDING: {OrderStatus.PAID, OrderStatus.FAILED, OrderStatus.REFUNDED},
    OrderStatus.FAILED: {OrderStatus.PAID, OrderStatus.PENDING, OrderStatus.REFUNDED},
    OrderStatus.PAID: {OrderStatus.REFUNDED},
    OrderStatus.REFUNDED: set(),
}


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("student")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="orders", verbose_name=_("course")
    )
    coupon = models.ForeignKey(
        Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("coupon")
    )
    # True while this order holds one of its coupon's uses (Coupon.reserved): from checkout until
    # the order is paid (the use becomes a redemption) or can never be paid (intent canceled or
    # expired, refunded first, coupon swapped). A declined card keeps it: Stripe lets the customer
    # retry the same intent.
    coupon_held = models.BooleanField(default=False, editable=False, verbose_name=_("coupon use held"))
    # The cohort bought (courses taught in cohorts), and whether this order holds a seat in it
    # (schedules' `held` member): like the coupon's use, from checkout until the order is paid (the
    # seat becomes the student's) or can never be paid (then it goes to the cohort's waitlist).
    cohort = models.ForeignKey(
        "schedules.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("cohort"),
    )
    seat_held = models.BooleanField(default=False, editable=False, verbose_name=_("seat held"))
    list_price = models.DecimalField(max_digits=8, decimal_places=2, verbose_name=_("list price"))
    discount = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"), verbose_name=_("discount"))
    amount = models.DecimalField(max_digits=8, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    status = models.CharField(
        max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING, verbose_name=_("status")
    )
    payment_intent_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True, verbose_name=_("payment intent ID")
    )
    client_secret = models.CharField(max_length=255, blank=True, editable=False, verbose_name=_("client secret"))
    failure_reason = models.CharField(max_length=500, blank=True, verbose_name=_("failure reason"))
    refund_id = models.CharField(max_length=255, blank=True, verbose_name=_("refund ID"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    refunded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("refunded at"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "course"], condition=Q(status="pending"), name="payments_order_one_pending"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payments_order_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["student", "-created_at"]),
            models.Index(fields=["course", "status"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["paid_at"]),
        ]

    def __str__(self):
        return _("Order {id} ({status})").format(id=self.id, status=self.get_status_display())


class StripeEvent(models.Model):
    """A Stripe webhook event we have handled, keyed by Stripe's id: each is handled once."""

    id = models.CharField(primary_key=True, max_length=255, verbose_name=_("ID"))
    type = models.CharField(max_length=100, verbose_name=_("type"))
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="events", verbose_name=_("order")
    )
    outcome = models.CharField(max_length=200, blank=True, verbose_name=_("outcome"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.id}"
