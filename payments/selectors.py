from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.roles import is_admin

from .models import Coupon, Order, OrderStatus


def order_list_for_student(student) -> QuerySet[Order]:
    return Order.objects.filter(student=student).select_related("course", "coupon").order_by("-created_at")


def order_list_for_user(user) -> QuerySet[Order]:
    """The buyer's own orders; every order for admins. Strangers see nothing (404)."""
    if not user.is_authenticated:
        return Order.objects.none()
    queryset = Order.objects.select_related("course", "coupon", "student")
    return queryset if is_admin(user) else queryset.filter(student=user)


def coupon_list_for_course(course) -> QuerySet[Coupon]:
    return Coupon.objects.filter(course=course).order_by("-created_at", "-id")


def revenue_subquery() -> Coalesce:
    """Per course (OuterRef "pk"): the sum of paid orders. Refunded orders are not revenue."""
    paid = (
        Order.objects.filter(course=OuterRef("pk"), status=OrderStatus.PAID)
        .values("course")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(paid, output_field=DecimalField(max_digits=12, decimal_places=2)),
        Value(0),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
