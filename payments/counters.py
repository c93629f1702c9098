"""A coupon's uses, which the payments services keep with conditional UPDATEs: `reserved`
(_coupon_hold, _coupon_release) and `redemptions` (_coupon_redeem). See lms/counters.py and the
Coupon model."""

from django.db.models import Count, Q

from lms.counters import Counter, Figure, register

from .models import Coupon, OrderStatus

# An order was paid once it has paid_at: paid, or refunded after paying (a refund does not give
# the use back). An order refunded before it was paid never has paid_at and never redeemed.
REDEEMED = Q(orders__status__in=[OrderStatus.PAID, OrderStatus.REFUNDED], orders__paid_at__isnull=False)

COUPON_USES = register(
    Counter(
        name="payments.coupon_uses",
        model=Coupon,
        figures={
            "redemptions": Figure(Count("orders", filter=REDEEMED)),
            "reserved": Figure(Count("orders", filter=Q(orders__coupon_held=True))),
        },
        definition=(
            "Coupon.redemptions: the coupon's orders that were paid (refunded afterwards or not); "
            "Coupon.reserved: its unsettled orders still holding a use (Order.coupon_held)."
        ),
    )
)
