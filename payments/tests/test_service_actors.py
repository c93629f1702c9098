"""The coupon services and order_refund check their `actor` themselves (defence in depth: a view or
admin page that forgets is still refused). Called directly as the wrong user they raise
NotPermitted and change nothing; the course's instructor, an admin and the platform (actor=None)
succeed."""

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_set_role
from courses.tests.factories import PublishedCourseFactory
from lms.errors import NotPermitted
from payments import services
from payments.models import Coupon, OrderStatus
from payments.tests.factories import CouponFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


@pytest.fixture
def demoted(course):
    """The course's instructor, demoted to student: their course's coupons are frozen."""
    user_set_role(actor=None, user=course.instructor, role=Role.STUDENT)
    course.instructor.refresh_from_db()
    return course.instructor


WRONG = ["student", "other_instructor", "demoted"]


def wrong_user(request, name):
    return request.getfixturevalue(name)


@pytest.mark.parametrize("who", WRONG)
def test_coupon_create_refuses_who_does_not_manage_the_course(request, course, who):
    actor = wrong_user(request, who)
    with pytest.raises(NotPermitted):
        services.coupon_create(actor=actor, course=course, code="NOPE", percent_off=10)
    assert not Coupon.objects.filter(course=course).exists()


@pytest.mark.parametrize("who", WRONG)
def test_coupon_update_refuses_who_does_not_manage_the_course(request, course, who):
    coupon = CouponFactory(course=course, percent_off=10)
    actor = wrong_user(request, who)
    with pytest.raises(NotPermitted):
        services.coupon_update(actor=actor, coupon=coupon, data={"percent_off": 90})
    coupon.refresh_from_db()
    assert coupon.percent_off == 10


@pytest.mark.parametrize("who", WRONG)
def test_coupon_delete_refuses_who_does_not_manage_the_course(request, course, who):
    coupon = CouponFactory(course=course)
    actor = wrong_user(request, who)
    with pytest.raises(NotPermitted):
        services.coupon_delete(actor=actor, coupon=coupon)
    assert Coupon.objects.filter(pk=coupon.pk, active=True).exists()


@pytest.mark.parametrize("who", ["instructor", "admin_user", None])
def test_the_course_staff_and_the_platform_manage_coupons(request, course, who):
    actor = request.getfixturevalue(who) if who else None
    coupon = services.coupon_create(actor=actor, course=course, code="SPRING", percent_off=10)
    coupon = services.coupon_update(actor=actor, coupon=coupon, data={"percent_off": 15})
    assert Coupon.objects.get(pk=coupon.pk).percent_off == 15
    assert services.coupon_delete(actor=actor, coupon=coupon) == "deleted"


def test_coupon_update_writes_only_the_fields_that_changed(course, instructor):
    """The use counters, changed concurrently by checkouts with F() updates, are never written."""
    coupon = CouponFactory(course=course, max_redemptions=10)
    Coupon.objects.filter(pk=coupon.pk).update(redemptions=3, reserved=2)  # behind the instance's back
    coupon.max_redemptions = 999  # a form's unsaved change on the instance given: the data decides
    services.coupon_update(actor=instructor, coupon=coupon, data={"code": "RENAMED"})
    stored = Coupon.objects.get(pk=coupon.pk)
    assert (stored.code, stored.max_redemptions, stored.redemptions, stored.reserved) == ("RENAMED", 10, 3, 2)


@pytest.mark.parametrize("who", ["other_student", "instructor", "other_instructor"])
def test_order_refund_refuses_anyone_but_the_buyer_and_admins(request, course, student, who):
    order = OrderFactory(student=student, course=course, status=OrderStatus.PAID, paid_at=timezone.now())
    with pytest.raises(NotPermitted):
        services.order_refund(order=order, actor=request.getfixturevalue(who))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
