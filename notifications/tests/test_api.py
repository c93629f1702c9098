"""The notifications API for every role: the inbox, unread count, marking read, preferences and
course announcements."""

import pytest
from django.core import mail

from courses import services as course_services
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from notifications import services
from notifications.models import DEFAULT_CHANNELS, Announcement, Notification, NotificationPreference, NotificationType

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/api/v1/notifications/"
UNREAD_COUNT = "/api/v1/notifications/unread-count/"
READ_ALL = "/api/v1/notifications/read-all/"
PREFERENCES = "/api/v1/notifications/preferences/"
SIGNED_IN = ("student", "other_student", "instructor", "other_instructor", "admin")


def read_url(notification) -> str:
    return f"{NOTIFICATIONS}{notification.pk}/read/"


def announcements_url(course) -> str:
    return f"/api/v1/courses/{course.pk}/announcements/"


def give(user, count: int = 1, type: str = NotificationType.ANNOUNCEMENT, prefix: str = "Note") -> list[Notification]:
    """`count` notifications for `user`, through the service, oldest first."""
    for n in range(count):
        services.notify(recipients=[user], type=type, title=f"{prefix} {n}", body="Body", payload={"n": n})
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def result_ids(response) -> list[int]:
    return [item["id"] for item in response.data["results"]]


# --- anonymous -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", NOTIFICATIONS),
        ("get", UNREAD_COUNT),
        ("post", READ_ALL),
        ("get", PREFERENCES),
        ("patch", PREFERENCES),
        ("post", "notification-read"),
        ("get", "announcements"),
        ("post", "announcements"),
    ],
)
def test_anonymous_gets_401_everywhere(clients, student, instructor, method, path):
    course = PublishedCourseFactory(instructor=instructor)
    (notification,) = give(student)
    path = {"notification-read": read_url(notification), "announcements": announcements_url(course)}.get(path, path)
    body = {"preferences": [{"type": "announcement", "email": False}]} if method == "patch" else {}
    if path == announcements_url(course) and method == "post":
        body = {"title": "Hello", "body": "World"}

    response = getattr(clients["anonymous"], method)(path, body, format="json")

    assert response.status_code == 401
    notification.refresh_from_db()
    assert notification.read_at is None
    assert not NotificationPreference.objects.exists()
    assert not Announcement.objects.exists()


# --- list ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", SIGNED_IN)
def test_each_user_lists_only_their_own_notifications_newest_first(clients, role):
    users = {r: clients[r].user for r in SIGNED_IN}
    mine = {r: give(u, 2, prefix=r) for r, u in users.items()}

    response = clients[role].get(NOTIFICATIONS)

    assert response.status_code == 200
    assert set(response.data) == {"next", "previous", "results"}
    assert result_ids(response) == [n.pk for n in reversed(mine[role])]
    first = response.data["results"][0]
    assert set(first) >= {"id", "type", "title", "body", "payload", "read_at", "created_at"}
    assert first["type"] == "announcement"
    assert first["title"] == f"{role} 1"
    assert first["payload"] == {"n": 1}
    assert first["read_at"] is None


def test_unread_filter(clients, student):
    notes = give(student, 4)
    clients["student"].post(read_url(notes[1]))
    clients["student"].post(read_url(notes[3]))

    unread = clients["student"].get(NOTIFICATIONS, {"unread": "true"})
    read = clients["student"].get(NOTIFICATIONS, {"unread": "false"})
    everything = clients["student"].get(NOTIFICATIONS)

    assert unread.status_code == read.status_code == everything.status_code == 200
    assert result_ids(unread) == [notes[2].pk, notes[0].pk]
    assert result_ids(read) == [notes[3].pk, notes[1].pk]
    assert len(result_ids(everything)) == 4


def test_cursor_pagination_follows_next_without_duplicates(clients, student, other_student):
    notes = give(student, 25)
    give(other_student, 3)

    seen = []
    pages = 0
    url = f"{NOTIFICATIONS}?page_size=10"
    while url:
        response = clients["student"].get(url)
        assert response.status_code == 200
        seen += result_ids(response)
        url = response.data["next"]
        pages += 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
    assert seen == [n.pk for n in reversed(notes)]


def test_cursor_pagination_is_stable_when_new_notifications_arrive(clients, student):
    notes = give(student, 12)
    first = clients["student"].get(NOTIFICATIONS, {"page_size": 5})
    give(student, 3, prefix="Later")

    second = clients["student"].get(first.data["next"])

    assert result_ids(first) == [n.pk for n in reversed(notes)][:5]
    assert result_ids(second) == [n.pk for n in reversed(notes)][5:10]


# --- unread count, read, read-all ----------------------------------------------------------------
@pytest.mark.parametrize("role", SIGNED_IN)
def test_unread_count_counts_only_own_unread(clients, role):
    given = {r: give(clients[r].user, n) for n, r in enumerate(SIGNED_IN, start=2)}
    clients[role].post(read_url(given[role][0]))

    response = clients[role].get(UNREAD_COUNT)

    assert response.status_code == 200
    assert response.data == {"count": len(given[role]) - 1}


def test_mark_one_read(clients, student):
    first, second = give(student, 2)

    response = clients["student"].post(read_url(first))

    assert response.status_code == 200
    assert response.data["id"] == first.pk
    assert response.data["read_at"] is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert clients["student"].get(UNREAD_COUNT).data == {"count": 1}


def test_marking_read_twice_keeps_the_first_time(clients, student):
    (note,) = give(student)
    clients["student"].post(read_url(note))
    note.refresh_from_db()
    first_read_at = note.read_at

    response = clients["student"].post(read_url(note))

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.read_at == first_read_at


@pytest.mark.parametrize("role", ["other_student", "instructor", "other_instructor", "admin"])
def test_marking_someone_elses_notification_read_is_404(clients, student, role):
    (note,) = give(student)

    response = clients[role].post(read_url(note))

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_an_unknown_notification_read_is_404(clients):
    assert clients["student"].post(f"{NOTIFICATIONS}999999/read/").status_code == 404


@pytest.mark.parametrize("role", SIGNED_IN)
def test_read_all_marks_only_own(clients, student, other_student, role):
    theirs = {r: give(clients[r].user, 3) for r in SIGNED_IN}

    response = clients[role].post(READ_ALL)

    assert response.status_code == 200
    assert response.data == {"updated": 3}
    for r, notes in theirs.items():
        unread = Notification.objects.filter(pk__in=[n.pk for n in notes], read_at__isnull=True).count()
        assert unread == (0 if r == role else 3)
    assert clients[role].get(UNREAD_COUNT).data == {"count": 0}
    assert clients[role].post(READ_ALL).data == {"updated": 0}


def test_notification_detail_and_write_routes_do_not_exist(clients, student):
    (note,) = give(student)

    assert clients["student"].get(f"{NOTIFICATIONS}{note.pk}/").status_code in (404, 405)
    assert clients["student"].delete(f"{NOTIFICATIONS}{note.pk}/").status_code in (404, 405)
    assert clients["student"].post(NOTIFICATIONS, {"title": "x"}, format="json").status_code == 405
    assert Notification.objects.count() == 1


# --- preferences ---------------------------------------------------------------------------------
@pytest.mark.parametrize("role", SIGNED_IN)
def test_preferences_list_every_type_with_defaults(clients, role):
    response = clients[role].get(PREFERENCES)

    assert response.status_code == 200
    prefs = response.data["preferences"]
    assert [p["type"] for p in prefs] == list(NotificationType.values)
    for pref in prefs:
        assert isinstance(pref["in_app"], bool)
        assert isinstance(pref["email"], bool)
        assert {"in_app": pref["in_app"], "email": pref["email"]} == DEFAULT_CHANNELS[pref["type"]]
    by_type = {p["type"]: p for p in prefs}
    assert by_type["new_enrollment"]["email"] is False
    assert by_type["course_updated"]["email"] is False
    assert by_type["enrollment_confirmed"]["email"] is True


def test_patch_switches_one_channel_off_and_keeps_the_rest(clients, student, other_student):
    body = {"preferences": [{"type": "announcement", "email": False}]}

    response = clients["student"].patch(PREFERENCES, body, format="json")

    assert response.status_code == 200
    by_type = {p["type"]: p for p in response.data["preferences"]}
    assert by_type["announcement"]["email"] is False
    assert by_type["announcement"]["in_app"] is True
    for type, channels in DEFAULT_CHANNELS.items():
        if type != "announcement":
            assert {"in_app": by_type[type]["in_app"], "email": by_type[type]["email"]} == channels
    again = {p["type"]: p for p in clients["student"].get(PREFERENCES).data["preferences"]}
    assert again["announcement"]["email"] is False
    # Another user is unaffected.
    theirs = {p["type"]: p for p in clients["other_student"].get(PREFERENCES).data["preferences"]}
    assert theirs["announcement"]["email"] is True
    # And it takes effect.
    services.notify(recipients=[student, other_student], type="announcement", title="Hi")
    assert Notification.objects.filter(type="announcement").count() == 2


def test_patch_several_types_and_switch_back_on(clients, student):
    body = {
        "preferences": [
            {"type": "forum_reply", "in_app": False, "email": False},
            {"type": "course_updated", "email": True},
        ]
    }
    response = clients["student"].patch(PREFERENCES, body, format="json")
    assert response.status_code == 200
    by_type = {p["type"]: p for p in response.data["preferences"]}
    assert (by_type["forum_reply"]["in_app"], by_type["forum_reply"]["email"]) == (False, False)
    assert (by_type["course_updated"]["in_app"], by_type["course_updated"]["email"]) == (True, True)

    back = {"preferences": [{"type": "forum_reply", "in_app": True}]}
    response = clients["student"].patch(PREFERENCES, back, format="json")

    by_type = {p["type"]: p for p in response.data["preferences"]}
    assert (by_type["forum_reply"]["in_app"], by_type["forum_reply"]["email"]) == (True, False)
    assert NotificationPreference.objects.filter(user=student).count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"preferences": [{"type": "no_such_type", "email": False}]},
        {"preferences": [{"type": "announcement", "email": "maybe"}]},
        {"preferences": [{"type": "announcement", "in_app": None}]},
        {"preferences": [{"email": False}]},
        {"preferences": []},
        {"preferences": "announcement"},
        {"preferences": [["announcement", False]]},
        {},
    ],
    ids=["unknown-type", "bad-boolean", "null-boolean", "no-type", "empty-list", "not-a-list", "not-objects", "empty"],
)
def test_patch_bad_input_is_400_and_changes_nothing(clients, student, body):
    response = clients["student"].patch(PREFERENCES, body, format="json")

    assert response.status_code == 400
    assert "preferences" in response.data
    assert not NotificationPreference.objects.exists()


def test_patch_malformed_json_is_400(clients):
    response = clients["student"].patch(PREFERENCES, '{"preferences": [', content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.data
    assert not NotificationPreference.objects.exists()


def test_patch_partly_bad_input_changes_nothing(clients, student):
    body = {"preferences": [{"type": "announcement", "email": False}, {"type": "nope", "email": False}]}

    response = clients["student"].patch(PREFERENCES, body, format="json")

    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


# --- announcements -------------------------------------------------------------------------------
@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


@pytest.fixture
def enrolled(course):
    """Three students with an active enrollment, and one whose enrollment was revoked."""
    active = [EnrollmentFactory(course=course).student for _ in range(3)]
    revoked = EnrollmentFactory(course=course)
    course_services.enrollment_revoke(enrollment=revoked)
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
