"""Who may do what with an order or a coupon, in one place (courses.access for the course itself).
Each helper fetches the object by the id a client sent and authorizes the caller in one call; the
services re-check with the predicates below, so a caller that forgets is still refused.

Orders, needs:
- "read": the buyer, or an admin. Anyone else: 404 (an order's existence is nobody else's business).
- "refund": read. Whether it may be refunded now (paid, the refund window, no certificate yet;
  admins always) is order_refund's decision (refund_blocker): 403 or 409.

Coupons, needs:
- "manage" (the only one): the coupon's course is visible to them (else 404) and they manage it
  (courses.access.can_manage_course: its instructor while they hold the role, or an admin); else
  403 `not_course_staff`. Students never see a course's coupons: they type a code at checkout.
"""

import uuid
from typing import Literal

from django.utils.translation import gettext_lazy as _

from accounts.roles import is_admin
from courses.access import can_manage_course, course_require
from courses.selectors import course_list_for_user
from lms.access import NOT_FOUND, check_need, object_or_404
from lms.errors import NotFound

from .models import Coupon, Order
from .selectors import order_list_for_user

OrderNeed = Literal["read", "refund"]
ORDER_NEEDS: tuple[OrderNeed, ...] = ("read", "refund")
CouponNeed = Literal["manage"]
COUPON_NEEDS: tuple[CouponNeed, ...] = ("manage",)

COUPON_DENIED = _("Only the course's instructor or an admin can change it.")


def can_see_order(user, order: Order) -> bool:
    """The buyer and admins."""
    return bool(user and user.is_authenticated) and (is_admin(user) or order.student_id == user.pk)


def can_manage_coupon(user, coupon: Coupon) -> bool:
    """Those who manage the coupon's course."""
    return can_manage_course(user, coupon.course)


def order_for(user, order_id, *, need: OrderNeed = "read") -> Order:
    """The order `order_id` (a UUID) as `user` may use it for `need` (see the module docstring).
    Anything that is not a UUID is simply not found."""
    check_need(need, ORDER_NEEDS)
    try:
        pk = uuid.UUID(str(order_id))
    except ValueError:
        raise NotFound(NOT_FOUND) from None
    order = order_list_for_user(user).filter(pk=pk).first()
    if order is None:
        raise NotFound(NOT_FOUND)
    return order


def coupon_for(user, coupon_id, *, need: CouponNeed = "manage") -> Coupon:
    """The coupon `coupon_id` as `user` may use it for `need`: 404 when its course is not visible
    to them, 403 `not_course_staff` when they do not manage it."""
    check_need(need, COUPON_NEEDS)
    queryset = Coupon.objects.filter(course__in=course_list_for_user(user)).select_related("course")
    coupon = object_or_404(queryset, coupon_id)
    course_require(user, coupon.course, need="manage", message=COUPON_DENIED)
    return coupon
