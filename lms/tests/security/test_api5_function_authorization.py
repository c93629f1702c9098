"""OWASP API5:2023 Broken Function Level Authorization: students never reach instructor or admin
functions, instructors never reach admin functions (the matrix in test_api1 covers every route;
these are the functions whose abuse costs most), and nothing changes when they try."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from conftest import client_for
from courses.models import Course
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory

from .world import paid_order

pytestmark = pytest.mark.django_db

REPORTS = ["signups", "enrollments", "revenue", "completions", "quiz-attempts"]


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("student", 403), ("instructor", 403), ("admin", 200)]
)
def test_admin_reports(clients, role, status, name):
    response = clients[role].get(f"/api/v1/admin/reports/{name}/")
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["name"] == name
    else:
        assert "results" not in response.json()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_admin_report_exports_are_admin_only(clients, fmt):
    for role in ("student", "instructor", "other_instructor"):
        response = clients[role].get(f"/api/v1/admin/reports/revenue/?format={fmt}")
        assert response.status_code == 403, (role, response.status_code)


def test_students_cannot_use_instructor_reports(clients):
    for role in ("student", "admin"):
        assert clients[role].get("/api/v1/instructor/reports/enrollments/").status_code == 403


@pytest.mark.parametrize("role", ["student", "instructor", "other_instructor"])
def test_non_admins_cannot_promote_themselves_or_others(clients, role, student):
    client = clients[role]
    me = client.user
    for target in {me.pk, student.pk}:
        response = client.patch(f"/api/v1/admin/users/{target}/", {"role": "admin"}, format="json")
        assert response.status_code == 403, response.content
    me.refresh_from_db()
    student.refresh_from_db()
    assert me.role == role.replace("other_", "") and not me.is_staff
    assert student.role == "student"
    assert not User.objects.filter(role="admin").exclude(pk=clients["admin"].user.pk).exists()


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_non_admins_cannot_deactivate_users(clients, role, other_student):
    response = clients[role].delete(f"/api/v1/admin/users/{other_student.pk}/")
    assert response.status_code == 403
    other_student.refresh_from_db()
    assert other_student.is_active


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_non_admins_cannot_list_users_or_activity(clients, role):
    for path in ("/api/v1/admin/users/", "/api/v1/admin/users/?search=@", "/api/v1/admin/activity/"):
        response = clients[role].get(path)
        assert response.status_code == 403, path
        assert "@" not in response.content.decode()


def test_instructors_cannot_use_the_admin_course_api_on_their_own_course(clients):
    course = PublishedCourseFactory(instructor=clients["instructor"].user)
    client = clients["instructor"]
    assert client.patch(f"/api/v1/admin/courses/{course.pk}/", {"status": "archived"}).status_code == 403
    assert client.delete(f"/api/v1/admin/courses/{course.pk}/").status_code == 403
    course.refresh_from_db()
    assert course.status == "published"


def test_students_cannot_create_courses_or_categories(clients):
    assert clients["student"].post("/api/v1/courses/", {"title": "Mine"}, format="json").status_code == 403
    assert clients["student"].post("/api/v1/categories/", {"name": "Mine"}, format="json").status_code == 403
    assert clients["instructor"].post("/api/v1/categories/", {"name": "Mine"}, format="json").status_code == 403
    assert not Course.objects.filter(title="Mine").exists()


@pytest.mark.parametrize(("role", "status"), [("other_student", 404), ("instructor", 404), ("other_instructor", 404)])
def test_refunds_of_someone_elses_order(clients, role, status):
    order = paid_order(clients["student"].user)
    response = clients[role].post(f"/api/v1/orders/{order.pk}/refund/")
    assert response.status_code == status
    order.refresh_from_db()
    assert order.status == "paid"


def test_the_course_instructor_cannot_refund_a_buyer(clients):
    order = paid_order(clients["student"].user)
    Course.objects.filter(pk=order.course_id).update(instructor=clients["instructor"].user)
    response = clients["instructor"].post(f"/api/v1/orders/{order.pk}/refund/")
    assert response.status_code in (403, 404)
    order.refresh_from_db()
    assert order.status == "paid"


def test_the_buyer_cannot_refund_after_the_window_but_an_admin_can(clients, settings):
    order = paid_order(clients["student"].user, paid_at=timezone.now() - timezone.timedelta(days=30))
    response = clients["student"].post(f"/api/v1/orders/{order.pk}/refund/")
    assert response.status_code == 403, response.content
    order.refresh_from_db()
    assert order.status == "paid"
    response = clients["admin"].post(f"/api/v1/orders/{order.pk}/refund/")
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == "refunded"


def test_forum_moderation_is_for_the_course_instructor_and_admins(clients):
    from forum import services

    course = PublishedCourseFactory(instructor=clients["instructor"].user)
    EnrollmentFactory(student=clients["student"].user, course=course)
    post = services.post_create(course=course, author=clients["student"].user, title="T", body="B")
    for action in ("pin", "lock"):
        assert clients["student"].post(f"/api/v1/forum/posts/{post.pk}/{action}/").status_code == 403
        assert clients["other_instructor"].post(f"/api/v1/forum/posts/{post.pk}/{action}/").status_code == 403
    post.refresh_from_db()
    assert not post.is_pinned and not post.is_locked
    assert clients["student"].get("/api/v1/forum/reports/").status_code == 403
    assert clients["student"].get("/api/v1/forum/moderation-log/").status_code == 403


def test_a_demoted_admin_loses_admin_functions_at_once(clients, admin_user):
    from accounts import services
    from accounts.tests.factories import AdminFactory

    AdminFactory()  # someone must stay admin
    client = client_for(admin_user)
    assert client.get("/api/v1/admin/users/").status_code == 200
    services.user_set_role(actor=None, user=admin_user, role="student")
    assert client.get("/api/v1/admin/users/").status_code == 403
