"""payments.access: order_for and coupon_for fetch and authorize in one call. For every need and
every role: the object, 404 (not theirs to see) or 403 with its code; a garbage id is a 404."""

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from conftest import ROLES as SIGNED_ROLES
from lms.errors import NotFound
from lms.testing import access_outcome as outcome
from payments.access import coupon_for, order_for
from payments.tests.factories import CouponFactory, OrderFactory

pytestmark = pytest.mark.django_db

OK, HIDDEN = "ok", 404
ROLES = (*SIGNED_ROLES, "demoted")

# The buyer is `student`; the course is `instructor`'s.
ORDER = {
    "anonymous": HIDDEN,
    "student": OK,
    "other_student": HIDDEN,
    "instructor": HIDDEN,  # the course's instructor does not see its buyers' orders
    "other_instructor": HIDDEN,
    "admin": OK,
    "demoted": HIDDEN,
}
# The coupon's course is published (visible to all) and `instructor`'s; `demoted` does not own it
# (test_a_demoted_instructor_no_longer_manages_their_courses_coupons covers their own course).
COUPON = {
    "anonymous": "not_course_staff",
    "student": "not_course_staff",
    "other_student": "not_course_staff",
    "instructor": OK,
    "other_instructor": "not_course_staff",
    "admin": OK,
    "demoted": "not_course_staff",
}


@pytest.fixture
def users(users_by_role):
    return users_by_role


@pytest.mark.parametrize("need", ["read", "refund"])
@pytest.mark.parametrize("role", ROLES)
def test_order_for(users, instructor, role, need):
    order = OrderFactory(student=users["student"], course__instructor=instructor)
    assert outcome(lambda: order_for(users[role], order.pk, need=need)) == ORDER[role]
    if ORDER[role] == OK:
        assert order_for(users[role], str(order.pk), need=need) == order


@pytest.mark.parametrize("role", ROLES)
def test_coupon_for(users, instructor, role):
    coupon = CouponFactory(course__instructor=instructor)
    assert outcome(lambda: coupon_for(users[role], coupon.pk)) == COUPON[role]
    if COUPON[role] == OK:
        assert coupon_for(users[role], str(coupon.pk), need="manage") == coupon


def test_a_demoted_instructor_no_longer_manages_their_courses_coupons(users):
    demoted = users["demoted"]
    coupon = CouponFactory(course__instructor=demoted)
    assert coupon_for(demoted, coupon.pk) == coupon
    user_set_role(actor=None, user=demoted, role=Role.STUDENT)
    demoted.refresh_from_db()
    assert outcome(lambda: coupon_for(demoted, coupon.pk)) == "not_course_staff"


def test_a_coupon_of_a_draft_course_is_hidden_from_those_who_cannot_see_the_course(users, instructor):
    coupon = CouponFactory(course__instructor=instructor, course__status="draft")
    assert outcome(lambda: coupon_for(users["other_instructor"], coupon.pk)) == HIDDEN
    assert outcome(lambda: coupon_for(users["student"], coupon.pk)) == HIDDEN
    assert coupon_for(users["instructor"], coupon.pk) == coupon


@pytest.mark.parametrize(
    "garbage", ["abc", "", None, "1", "-1", "0" * 40, "3f2b8c1e-9d4a-4c6b-8e2f-1a7d5c9b0e44", "8f14e45f-zzzz"]
)
def test_order_for_a_garbage_or_unknown_id_is_not_found(admin_user, garbage):
    with pytest.raises(NotFound):
        order_for(admin_user, garbage)


@pytest.mark.parametrize("garbage", ["abc", "", None, "0", "-5", "1.5", str(2**63), "999999"])
def test_coupon_for_a_garbage_or_unknown_id_is_not_found(admin_user, garbage):
    with pytest.raises(NotFound):
        coupon_for(admin_user, garbage)


def test_an_unknown_need_is_a_programming_error(admin_user):
    coupon = CouponFactory()
    with pytest.raises(ValueError):
        coupon_for(admin_user, coupon.pk, need="read")
    with pytest.raises(ValueError):
        order_for(admin_user, OrderFactory().pk, need="manage")


@pytest.mark.parametrize("path", ["/api/v1/orders/not-a-uuid/", "/api/v1/coupons/abc/"])
def test_the_api_answers_404_for_a_garbage_id(admin_client, path):
    assert admin_client.get(path).status_code == 404
