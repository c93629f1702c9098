"""The Django admin index is the staff dashboard: headline figures and three 90-day SVG charts."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from courses.models import CourseStatus
from courses.services import enrollment_revoke
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from payments.models import Order

pytestmark = pytest.mark.django_db


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def paid(student, course, amount, *, status="paid", currency="USD", when=None):
    when = when or timezone.now()
    Order.objects.create(
        student=student,
        course=course,
        list_price=amount,
        amount=amount,
        currency=currency,
        status=status,
        paid_at=when,
        refunded_at=when if status == "refunded" else None,
    )


def build(instructor, student, other_student):
    course = PublishedCourseFactory(instructor=instructor, price=Decimal("25.00"))
    CourseFactory(instructor=instructor)
    PublishedCourseFactory(instructor=instructor, status=CourseStatus.ARCHIVED)
    EnrollmentFactory(student=student, course=course, completed_at=timezone.now())
    enrollment_revoke(actor=None, enrollment=EnrollmentFactory(student=other_student, course=course))
    paid(student, course, Decimal("25.00"))
    paid(other_student, course, Decimal("25.00"), status="refunded")
    paid(student, course, Decimal("7.00"), currency="EUR")
    with time_machine.travel(timezone.now() - datetime.timedelta(days=100), tick=False):
        StudentFactory()  # before the charts' 90 days
    StudentFactory(is_active=False)


def test_admin_index_shows_figures_and_three_charts(admin_user, instructor, student, other_student):
    build(instructor, student, other_student)
    page = staff_client(admin_user).get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()

    assert html.count('class="lms-chart-svg"') == 3
    for title in ("Signups", "Enrollments", "Revenue (USD)"):
        assert f'aria-label="{title}"' in html
    assert html.count("<rect ") == 3 * 90  # a bar for each of the 90 days, empty ones included
    today = timezone.now().date()
    first = today - datetime.timedelta(days=89)
    assert html.count(f"<title>{first.isoformat()}: ") == 3  # each chart starts 89 days ago...
    assert html.count(f"<title>{today.isoformat()}: ") == 3  # ...and ends today

    # Chart totals: 2 enrollments (the revoked one happened too) and 25 USD (paid, not refunded;
    # EUR is not in a USD chart).
    assert re.search(r"Enrollments, last 90 days: 2\b", html)
    assert re.search(r"Revenue \(USD\), last 90 days: 25\b", html)
    # admin_user, instructor, student, other_student and the inactive student joined today.
    assert re.search(r"Signups, last 90 days: 5\b", html)

    cards = re.sub(r"\s+", " ", html)
    assert re.search(r"<h3>Students</h3><div class=\"big\">3</div> <small>1 deactivated", cards)
    assert re.search(r"<h3>Courses</h3><div class=\"big\">1</div> <small>published · 1 draft · 1 archived", cards)
    assert re.search(r"<h3>Enrollments</h3><div class=\"big\">1</div> <small>active · 1 completed · 1 revoked", cards)
    money = r"(\.00)?"  # SQLite sums decimals to "25", PostgreSQL to "25.00"
    assert re.search(rf"<h3>Revenue USD</h3><div class=\"big\">25{money}</div> <small>net · 25{money} refunded", cards)
    assert re.search(rf"<h3>Revenue EUR</h3><div class=\"big\">7{money}</div>", cards)
    assert "/admin/forum/report/?status__exact=open" in html

    # The usual app list is still there.
    assert "/admin/courses/course/" in html


def test_admin_index_on_an_empty_platform(admin_user):
    page = staff_client(admin_user).get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="lms-chart-svg"') == 3
    assert "no paid orders yet" in html


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_admin_index_is_for_staff_only(request, role):
    user = request.getfixturevalue(role)
    page = staff_client(user).get("/admin/")
    assert page.status_code == 302 and "/admin/login/" in page["Location"]
    assert Client().get("/admin/").status_code == 302


def test_admin_index_runs_in_constant_queries(
    admin_user, instructor, student, other_student, django_assert_max_num_queries
):
    client = staff_client(admin_user)
    build(instructor, student, other_student)
    with django_assert_max_num_queries(20) as small:
        assert client.get("/admin/").status_code == 200
    for _ in range(3):
        build(instructor, StudentFactory(), StudentFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/admin/").status_code == 200
