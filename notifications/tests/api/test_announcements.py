"""/api/v1/courses/{id}/announcements/: the course's instructor announces; its students read."""

import pytest
from django.core import mail

from courses import services as course_services
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from notifications.models import Announcement, Notification
from notifications.tests.api.helpers import announcements_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


@pytest.fixture
def enrolled(course):
    """Three students with an active enrollment, and one whose enrollment was revoked."""
    active = [EnrollmentFactory(course=course).student for _ in range(3)]
    revoked = EnrollmentFactory(course=course)
    course_services.enrollment_revoke(actor=None, enrollment=revoked)
    return active, revoked.student


def test_owner_announces_to_every_active_enrolled_student(
    clients, course, enrolled, student, other_instructor, admin_user, django_capture_on_commit_callbacks
):
    active, revoked = enrolled
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].post(
            announcements_url(course), {"title": "Exam moved", "body": "To Friday."}, format="json"
        )

    assert response.status_code == 202
    assert response.data["title"] == "Exam moved"
    assert response.data["body"] == "To Friday."
    assert response.data["course"] == course.pk
    announcement = Announcement.objects.get()
    assert announcement.author == clients["instructor"].user
    assert announcement.sent_at is not None
    assert announcement.recipient_count == 3
    notified = Notification.objects.filter(type="announcement")
    assert sorted(notified.values_list("recipient_id", flat=True)) == sorted(s.pk for s in active)
    note = notified.first()
    assert "Exam moved" in note.title
    assert note.body == "To Friday."
    assert note.payload == {"course_id": course.pk, "announcement_id": announcement.pk}
    # E-mail is on by default for announcements: one per active student, nobody else.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in active)
    for outsider in (revoked, student, clients["instructor"].user, other_instructor, admin_user):
        assert not Notification.objects.filter(recipient=outsider).exists()


def test_the_announcement_is_delivered_after_the_response(
    clients, course, enrolled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = clients["instructor"].post(announcements_url(course), {"title": "T", "body": "B"}, format="json")

    assert response.status_code == 202
    assert response.data["status"] == "queued"
    assert response.data["sent_at"] is None
    assert callbacks  # the fan-out is queued for after commit, not done in the request
    assert not Notification.objects.filter(type="announcement").exists()


@pytest.mark.parametrize(("role", "expected"), [("student", 403), ("other_instructor", 403), ("admin", 403)])
def test_only_the_owner_announces(clients, course, enrolled, role, expected, django_capture_on_commit_callbacks):
    if role == "student":
        EnrollmentFactory(student=clients["student"].user, course=course)  # even an enrolled student
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        response = clients[role].post(announcements_url(course), {"title": "T", "body": "B"}, format="json")

    assert response.status_code == expected
    assert not Announcement.objects.exists()
    assert not Notification.objects.exists()


def test_announcing_on_someone_elses_draft_course_is_404(clients, instructor):
    draft = CourseFactory(instructor=instructor)

    response = clients["other_instructor"].post(announcements_url(draft), {"title": "T", "body": "B"}, format="json")

    assert response.status_code == 404
    assert not Announcement.objects.exists()


def test_announcing_on_an_unknown_course_is_404(clients):
    response = clients["instructor"].post("/api/v1/courses/999999/announcements/", {"title": "T", "body": "B"})

    assert response.status_code == 404


def test_owner_can_announce_on_own_draft_course(clients, instructor, django_capture_on_commit_callbacks):
    draft = CourseFactory(instructor=instructor)

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].post(announcements_url(draft), {"title": "T", "body": "B"}, format="json")

    assert response.status_code == 202
    assert Announcement.objects.get().recipient_count == 0


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "body": "B"},
        {"title": "   ", "body": "B"},
        {"title": "T", "body": ""},
        {"body": "B"},
        {"title": "T"},
        {"title": "x" * 201, "body": "B"},
        {"title": ["T"], "body": "B"},
    ],
    ids=["empty-title", "blank-title", "empty-body", "no-title", "no-body", "long-title", "list-title"],
)
def test_announcement_bad_input_is_400(clients, course, enrolled, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].post(announcements_url(course), body, format="json")

    assert response.status_code == 400
    assert not Announcement.objects.exists()
    assert not Notification.objects.filter(type="announcement").exists()


def test_announcement_title_with_a_newline_is_delivered_by_email(
    clients, course, enrolled, django_capture_on_commit_callbacks
):
    active, _ = enrolled
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["instructor"].post(
            announcements_url(course), {"title": "Exam\nmoved", "body": "B"}, format="json"
        )

    # Accepted as written (the in-app title keeps its line break); the e-mail subject, a header,
    # is folded onto one line, and every enrolled student gets exactly one e-mail.
    assert response.status_code == 202, response.json()
    assert response.json()["title"] == "Exam\nmoved"
    assert active
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in active)
    assert all("Exam moved" in m.subject and "\n" not in m.subject for m in mail.outbox)


def test_announcement_malformed_json_is_400(clients, course):
    response = clients["instructor"].post(announcements_url(course), "{not json", content_type="application/json")

    assert response.status_code == 400
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 200),  # enrolled below
        ("other_student", 403),
        ("instructor", 200),
        ("other_instructor", 403),
        ("admin", 200),
    ],
)
def test_announcement_list_for_every_role(clients, course, role, expected, django_capture_on_commit_callbacks):
    EnrollmentFactory(student=clients["student"].user, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        clients["instructor"].post(announcements_url(course), {"title": "First", "body": "B"}, format="json")
        clients["instructor"].post(announcements_url(course), {"title": "Second", "body": "B"}, format="json")

    response = clients[role].get(announcements_url(course))

    assert response.status_code == expected
    if expected == 200:
        assert response.data["count"] == 2
        assert [a["title"] for a in response.data["results"]] == ["Second", "First"]
        first = response.data["results"][0]
        assert first["status"] == "sent"
        assert first["recipient_count"] == 1
        assert first["author"]["id"] == clients["instructor"].user.pk


def test_announcement_list_of_a_draft_course_is_404_for_outsiders(clients, instructor):
    draft = CourseFactory(instructor=instructor)

    assert clients["other_student"].get(announcements_url(draft)).status_code == 404
    assert clients["other_instructor"].get(announcements_url(draft)).status_code == 404
    assert clients["instructor"].get(announcements_url(draft)).status_code == 200
