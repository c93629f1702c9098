"""The Django admin's activity pages: read-only, searchable, closed to non-staff."""

import pytest
from django.test import Client

from courses import services as course_services
from courses.tests.factories import PublishedCourseFactory
from notifications.models import Announcement, NotificationPreference

pytestmark = pytest.mark.django_db


ADMIN_MODELS = [
    "activity/activityevent",
    "notifications/notification",
    "notifications/notificationpreference",
    "notifications/announcement",
]


@pytest.fixture
def admin_rows(student, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    course_services.enrollment_create(student=student, course=course)  # activity and notifications
    NotificationPreference.objects.create(user=student, type="announcement", email=False)
    Announcement.objects.create(course=course, author=instructor, title="Hello", body="World")
    return course


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_changelist_loads_and_offers_no_add(staff, admin_rows, model):
    response = staff.get(f"/admin/{model}/")

    assert response.status_code == 200
    assert response.context["has_add_permission"] is False
    assert f"/admin/{model}/add/".encode() not in response.content
    assert response.context["cl"].result_count >= 1
    assert staff.get(f"/admin/{model}/add/").status_code == 403


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_change_page_is_read_only(staff, admin_rows, model):
    from django.apps import apps

    app_label, model_name = model.split("/")
    obj = apps.get_model(app_label, model_name).objects.first()

    response = staff.get(f"/admin/{model}/{obj.pk}/change/")
    post = staff.post(f"/admin/{model}/{obj.pk}/change/", {})

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert post.status_code == 403


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_changelist_search(staff, admin_rows, model, student, instructor):
    term = instructor.email if model == "notifications/announcement" else student.email

    found = staff.get(f"/admin/{model}/", {"q": term})
    missing = staff.get(f"/admin/{model}/", {"q": "nobody-like-this@example.com"})

    assert found.status_code == missing.status_code == 200
    assert found.context["cl"].result_count >= 1
    assert missing.context["cl"].result_count == 0


def test_admin_activity_filter_by_verb(staff, admin_rows):
    response = staff.get("/admin/activity/activityevent/", {"verb__exact": "enrollment_created"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_is_closed_to_non_staff(model, student):
    client = Client()
    client.force_login(student)

    response = client.get(f"/admin/{model}/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
