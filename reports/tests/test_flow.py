"""Dashboards and reports answer with hand-countable figures."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from payments.models import Order

pytestmark = pytest.mark.django_db


def test_dashboards_reports_and_admin_index(clients, student, other_student, instructor, admin_user):
    course = PublishedCourseFactory(instructor=instructor, price=Decimal("20.00"), lessons=2)
    EnrollmentFactory(student=student, course=course, source="paid")
    now = timezone.now()
    Order.objects.create(
        student=student, course=course, list_price=20, amount=20, currency="USD", status="paid", paid_at=now
    )
    Order.objects.create(
        student=other_student,
        course=course,
        list_price=20,
        amount=20,
        currency="USD",
        status="refunded",
        paid_at=now,
        refunded_at=now,
    )

    r = clients["student"].get("/api/v1/dashboard/student/")
    assert r.status_code == 200, r.content
    mine = r.json()
    assert mine["active_count"] == 1 and mine["enrollments"][0]["next_lesson"] is not None

    r = clients["instructor"].get("/api/v1/dashboard/instructor/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["totals"]["revenue"] == "20.00" and body["courses"][0]["enrollment_count"] == 1

    r = clients["admin"].get("/api/v1/dashboard/admin/")
    assert r.status_code == 200, r.content
    assert r.json()["revenue"] == [{"currency": "USD", "gross": "40.00", "refunded": "20.00", "net": "20.00"}]
    assert len(r.json()["signups_by_day"]) == 30

    today = now.date().isoformat()
    r = clients["admin"].get(f"/api/v1/admin/reports/revenue/?from={today}&to={today}")
    assert r.status_code == 200, r.content
    assert r.json()["results"] == [{"period": today, "value": "20.00"}]
    r = clients["instructor"].get("/api/v1/instructor/reports/enrollments/?interval=week&format=csv")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert r.content.decode().splitlines()[0] == "period,value"
    assert clients["instructor"].get("/api/v1/instructor/reports/signups/").status_code == 404
    assert clients["student"].get("/api/v1/admin/reports/signups/").status_code == 403
    week_ago = (now.date() - datetime.timedelta(days=7)).isoformat()
    assert clients["admin"].get(f"/api/v1/admin/reports/signups/?from={today}&to={week_ago}").status_code == 400

    staff = Client()
    staff.force_login(admin_user)
    page = staff.get("/admin/")
    assert page.status_code == 200
    assert b"lms-chart-svg" in page.content and b"Revenue (USD)" in page.content
