"""payments.selectors: orders scoped to who asks, a course's coupons, and the revenue subquery the
catalog and the dashboards annotate courses with (paid orders only)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from courses.models import Course
from courses.tests.factories import PublishedCourseFactory
from payments import selectors
from payments.models import OrderStatus
from payments.tests.factories import CouponFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(student, other_student):
    course = PublishedCourseFactory(price=Decimal("40.00"))
    first = OrderFactory(student=student, course=course)
    second = OrderFactory(student=student, course=PublishedCourseFactory())
    theirs = OrderFactory(student=other_student, course=course)
    return first, second, theirs


def test_order_list_for_student_is_their_own_newest_first(student, orders):
    first, second, _ = orders
    assert list(selectors.order_list_for_student(student)) == [second, first]


def test_order_list_for_user(student, other_student, instructor, admin_user, orders):
    first, second, theirs = orders
    assert set(selectors.order_list_for_user(student)) == {first, second}
    assert set(selectors.order_list_for_user(other_student)) == {theirs}
    assert set(selectors.order_list_for_user(instructor)) == set()
    assert set(selectors.order_list_for_user(AnonymousUser())) == set()
    assert set(selectors.order_list_for_user(admin_user)) == {first, second, theirs}


def test_coupon_list_for_course_is_that_courses_newest_first():
    course = PublishedCourseFactory()
    older, newer = CouponFactory(course=course), CouponFactory(course=course)
    CouponFactory()  # another course's
    assert list(selectors.coupon_list_for_course(course)) == [newer, older]


def test_revenue_counts_paid_orders_only(student, other_student):
    course, unsold = PublishedCourseFactory(price=Decimal("40.00")), PublishedCourseFactory()
    OrderFactory(student=student, course=course, status=OrderStatus.PAID, paid_at=timezone.now())
    OrderFactory(
        student=other_student, course=course, status=OrderStatus.PAID, paid_at=timezone.now(), discount=Decimal("10")
    )
    OrderFactory(course=course, status=OrderStatus.REFUNDED, paid_at=timezone.now())
    OrderFactory(course=course)  # pending
    OrderFactory(course=course, status=OrderStatus.FAILED)
    revenue = dict(
        Course.objects.filter(pk__in=[course.pk, unsold.pk])
        .annotate(revenue=selectors.revenue_subquery())
        .values_list("pk", "revenue")
    )
    assert revenue == {course.pk: Decimal("70.00"), unsold.pk: Decimal("0")}
