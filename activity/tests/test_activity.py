"""The activity log: an event for each verb, recording that never fails the caller, the admin API
with its filters, pruning, and the Django admin."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, StudentFactory
from activity.models import ActivityEvent, Verb
from activity.services import activity_record
from conftest import client_for
from courses import services as course_services
from courses.models import Category
from courses.tests.factories import PublishedCourseFactory
from notifications.models import Announcement, Notification, NotificationPreference

pytestmark = pytest.mark.django_db

ACTIVITY = "/api/v1/admin/activity/"


def events(verb: str):
    return ActivityEvent.objects.filter(verb=verb)


# --- one event per verb --------------------------------------------------------------------------
def test_sign_up_through_the_api_is_recorded():
    response = APIClient().post(
        "/api/v1/auth/register/",
        {"email": "new@example.com", "password": PASSWORD, "first_name": "New", "last_name": "User"},
        format="json",
        REMOTE_ADDR="198.51.100.4",
        HTTP_USER_AGENT="SignupAgent/2.0",
    )

    assert response.status_code == 201
    user = User.objects.get(email="new@example.com")
    event = events(Verb.USER_SIGNED_UP).get()
    assert event.actor == user
    assert (event.target_type, event.target_id) == ("user", str(user.pk))
    assert event.metadata == {"role": "student"}
    assert event.ip == "198.51.100.4"
    assert event.user_agent == "SignupAgent/2.0"


def test_instructor_sign_up_is_recorded_with_its_role():
    response = APIClient().post(
        "/api/v1/auth/instructors/register/",
        {"email": "teach@example.com", "password": PASSWORD, "first_name": "T", "last_name": "Eacher"},
        format="json",
    )

    assert response.status_code == 201
    assert events(Verb.USER_SIGNED_UP).get().metadata == {"role": "instructor"}


def test_a_failed_sign_up_records_nothing(student):
    response = APIClient().post("/api/v1/auth/register/", {"email": student.email, "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert not events(Verb.USER_SIGNED_UP).exists()


def test_login_through_the_api_is_recorded_with_ip_and_user_agent(student):
    response = APIClient().post(
        "/api/v1/auth/login/",
        {"email": student.email, "password": PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 (pytest)",
    )

    assert response.status_code == 200
    event = events(Verb.USER_LOGGED_IN).get()
    assert event.actor == student
    assert event.ip == "203.0.113.7"
    assert event.user_agent == "Mozilla/5.0 (pytest)"
    assert event.created_at is not None


def test_a_very_long_user_agent_is_cut_not_fatal(student):
    response = APIClient().post(
        "/api/v1/auth/login/",
        {"email": student.email, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT="A" * 5000,
    )

    assert response.status_code == 200
    assert events(Verb.USER_LOGGED_IN).get().user_agent == "A" * 300


def test_a_failed_login_records_nothing(student):
    response = APIClient().post("/api/v1/auth/login/", {"email": student.email, "password": "wrong"}, format="json")

    assert response.status_code == 401
    assert not events(Verb.USER_LOGGED_IN).exists()


def test_events_outside_a_request_have_no_ip(student):
    event = activity_record(actor=student, verb=Verb.USER_LOGGED_IN)

    assert event is not None
    event.refresh_from_db()
    assert event.ip is None
    assert event.user_agent == ""


@pytest.fixture
def course(instructor):
    """A published course with two lessons."""
    return PublishedCourseFactory(instructor=instructor, lessons=2)


def test_enrollment_is_recorded(course, student):
    enrollment = course_services.enrollment_create(student=student, course=course)

    event = events(Verb.ENROLLMENT_CREATED).get()
    assert event.actor == student
    assert event.course_id == course.pk
    assert (event.target_type, event.target_id) == ("enrollment", str(enrollment.pk))
    assert event.metadata == {"source": "free"}


def test_enrollment_through_the_api_is_recorded_with_the_client(course, student):
    response = client_for(student).post(
        f"/api/v1/courses/{course.pk}/enroll/", REMOTE_ADDR="192.0.2.55", HTTP_USER_AGENT="Phone/1"
    )

    assert response.status_code == 201
    event = events(Verb.ENROLLMENT_CREATED).get()
    assert (event.ip, event.user_agent) == ("192.0.2.55", "Phone/1")


def test_lesson_completed_is_recorded_once_per_lesson(course, student):
    course_services.enrollment_create(student=student, course=course)
    first, second = course.lessons.order_by("id")

    course_services.lesson_complete(student=student, lesson=first)
    course_services.lesson_complete(student=student, lesson=first)

    event = events(Verb.LESSON_COMPLETED).get()
    assert event.actor == student
    assert event.course_id == course.pk
    assert (event.target_type, event.target_id) == ("lesson", str(first.pk))
    assert not events(Verb.COURSE_COMPLETED).exists()

    course_services.lesson_complete(student=student, lesson=second)

    assert events(Verb.LESSON_COMPLETED).count() == 2


def test_course_completed_is_recorded_once(course, student):
    enrollment = course_services.enrollment_create(student=student, course=course)
    for lesson in course.lessons.all():
        course_services.lesson_complete(student=student, lesson=lesson)
        course_services.lesson_complete(student=student, lesson=lesson)

    event = events(Verb.COURSE_COMPLETED).get()
    assert event.actor == student
    assert event.course_id == course.pk
    assert (event.target_type, event.target_id) == ("enrollment", str(enrollment.pk))


def test_enrollment_revoked_is_recorded_once(course, student):
    enrollment = course_services.enrollment_create(student=student, course=course)

    course_services.enrollment_revoke(enrollment=enrollment)
    course_services.enrollment_revoke(enrollment=enrollment)

    event = events(Verb.ENROLLMENT_REVOKED).get()
    assert event.actor == student
    assert event.course_id == course.pk
    assert event.target_id == str(enrollment.pk)


# --- recording never fails the caller ------------------------------------------------------------
@pytest.mark.parametrize(
    "metadata",
    [{"tags": {"a", "b"}}, {"thing": object()}, {"when": datetime.time(1, 2)}],
    ids=["set", "object", "time"],
)
def test_activity_record_never_raises_and_the_transaction_still_commits(student, metadata):
    with transaction.atomic():
        Category.objects.create(name="Before", slug="before")
        result = activity_record(actor=student, verb=Verb.USER_LOGGED_IN, metadata=metadata)
        Category.objects.create(name="After", slug="after")

    assert result is None
    assert not ActivityEvent.objects.exists()
    assert set(Category.objects.values_list("slug", flat=True)) >= {"before", "after"}


def test_a_failed_record_inside_a_service_keeps_the_service_working(course, student, monkeypatch):
    """Even when the insert itself fails in the database, the enrollment goes through."""

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("activity table is unavailable")

    monkeypatch.setattr(ActivityEvent, "save", failing_save)

    enrollment = course_services.enrollment_create(student=student, course=course)

    monkeypatch.undo()
    assert enrollment.pk is not None
    assert enrollment.is_active
    assert not ActivityEvent.objects.exists()
    assert Notification.objects.filter(recipient=student, type="enrollment_confirmed").exists()


@pytest.mark.django_db(transaction=True)
def test_recording_an_event_for_a_vanished_actor_does_not_break_the_commit():
    """A dangling actor id (a user deleted meanwhile) must not fail the caller's transaction."""
    user = StudentFactory()
    gone = StudentFactory()
    gone_id = gone.pk
    gone.delete()

    with transaction.atomic():
        Category.objects.create(name="Kept", slug="kept")
        activity_record(actor=gone_id, verb=Verb.USER_LOGGED_IN)
        activity_record(actor=user, verb=Verb.USER_LOGGED_IN)

    assert Category.objects.filter(slug="kept").exists()
    assert ActivityEvent.objects.filter(actor=user).exists()


# --- the admin API -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", 200),
    ],
)
def test_activity_list_for_every_role(clients, student, role, expected):
    activity_record(actor=student, verb=Verb.USER_LOGGED_IN, metadata={"k": "v"})

    response = clients[role].get(ACTIVITY)

    assert response.status_code == expected
    if expected == 200:
        assert set(response.data) == {"next", "previous", "results"}
        (item,) = [r for r in response.data["results"] if r["verb"] == "user_logged_in"]
        assert set(item) >= {"actor", "verb", "target", "course", "created_at", "metadata"}
        assert item["actor"]["id"] == student.pk
        assert item["actor"]["email"] == student.email
        assert item["metadata"] == {"k": "v"}
        assert item["target"] is None
        assert item["course"] is None


@pytest.fixture
def log(student, other_student, instructor):
    """A small log with known times: three days in a row, two courses, two actors."""
    one = PublishedCourseFactory(instructor=instructor)
    two = PublishedCourseFactory(instructor=instructor)
    ActivityEvent.objects.all().delete()
    day = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
    rows = {
        "a": activity_record(actor=student, verb=Verb.ENROLLMENT_CREATED, course=one, target=one),
        "b": activity_record(actor=student, verb=Verb.LESSON_COMPLETED, course=one),
        "c": activity_record(actor=other_student, verb=Verb.ENROLLMENT_CREATED, course=two),
        "d": activity_record(actor=other_student, verb=Verb.USER_LOGGED_IN),
    }
    times = {
        "a": day - datetime.timedelta(days=1),
        "b": day,
        "c": day + datetime.timedelta(hours=11, minutes=59),
        "d": day + datetime.timedelta(days=1),
    }
    for key, when in times.items():
        ActivityEvent.objects.filter(pk=rows[key].pk).update(created_at=when)
    return {"rows": rows, "courses": (one, two), "day": day}


def listed(client, params) -> list[int]:
    response = client.get(ACTIVITY, params)
    assert response.status_code == 200, response.data
    return [item["id"] for item in response.data["results"]]


def ids(log, *keys) -> list[int]:
    return [log["rows"][k].pk for k in keys]


def test_activity_list_is_newest_first(clients, log):
    assert listed(clients["admin"], {}) == ids(log, "d", "c", "b", "a")


def test_activity_filters(clients, log, student, other_student):
    admin = clients["admin"]
    one, two = log["courses"]

    assert listed(admin, {"actor": student.pk}) == ids(log, "b", "a")
    assert listed(admin, {"verb": "enrollment_created"}) == ids(log, "c", "a")
    assert listed(admin, {"course": one.pk}) == ids(log, "b", "a")
    assert listed(admin, {"course": two.pk, "actor": other_student.pk}) == ids(log, "c")
    assert listed(admin, {"verb": "enrollment_created", "actor": student.pk}) == ids(log, "a")
    assert listed(admin, {"actor": 999999}) == []


def test_activity_date_range_filters(clients, log):
    admin = clients["admin"]

    # Dates: `from` is the start of that day, `to` includes the whole day (UTC).
    assert listed(admin, {"from": "2026-03-10"}) == ids(log, "d", "c", "b")
    assert listed(admin, {"to": "2026-03-10"}) == ids(log, "c", "b", "a")
    assert listed(admin, {"from": "2026-03-10", "to": "2026-03-10"}) == ids(log, "c", "b")
    assert listed(admin, {"from": "2026-03-12"}) == []
    # Date-times are exact bounds.
    assert listed(admin, {"from": "2026-03-10T12:00:00Z", "to": "2026-03-10T13:00:00Z"}) == ids(log, "b")
    assert listed(admin, {"from": "2026-03-10T12:00:01+00:00"}) == ids(log, "d", "c")
    assert listed(admin, {"to": "2026-03-10T13:00:00+01:00"}) == ids(log, "b", "a")


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday"},
        {"to": "2026-13-01"},
        {"from": "2026-03-10T25:00"},
        {"verb": "hacked_the_mainframe"},
        {"actor": "me"},
        {"course": "one"},
    ],
    ids=["bad-from", "bad-to", "bad-datetime", "bad-verb", "bad-actor", "bad-course"],
)
def test_bad_activity_filters_are_400(clients, log, params):
    response = clients["admin"].get(ACTIVITY, params)

    assert response.status_code == 400
    assert set(params) & set(response.data)


def test_the_last_representable_date_is_not_a_500(clients, log):
    response = clients["admin"].get(ACTIVITY, {"to": "9999-12-31"})

    assert response.status_code in (200, 400)


def test_activity_cursor_pagination(clients, student):
    for _ in range(25):
        activity_record(actor=student, verb=Verb.USER_LOGGED_IN)
    expected = list(ActivityEvent.objects.order_by("-created_at", "-id").values_list("pk", flat=True))

    seen, url = [], f"{ACTIVITY}?page_size=10"
    while url:
        response = clients["admin"].get(url)
        seen += [item["id"] for item in response.data["results"]]
        url = response.data["next"]

    assert seen == expected


def test_activity_list_runs_a_constant_number_of_queries(clients, instructor, django_assert_max_num_queries):
    def fill(count):
        ActivityEvent.objects.all().delete()
        for _ in range(count):
            user = StudentFactory()
            course = PublishedCourseFactory(instructor=instructor, lessons=0)
            activity_record(actor=user, verb=Verb.ENROLLMENT_CREATED, course=course, target=course)

    def measure(params):
        with CaptureQueriesContext(connection) as queries:
            response = clients["admin"].get(ACTIVITY, params)
        assert response.status_code == 200
        return len(queries), len(response.data["results"])

    fill(5)
    few, few_rows = measure({})
    few_filtered, _ = measure({"verb": "enrollment_created", "from": "2020-01-01"})
    fill(50)
    with django_assert_max_num_queries(few):
        many, many_rows = measure({})
    many_filtered, _ = measure({"verb": "enrollment_created", "from": "2020-01-01"})

    assert (few_rows, many_rows) == (5, 20)
    assert many == few
    assert many_filtered == few_filtered
    assert few <= 3


# --- pruning -------------------------------------------------------------------------------------
def test_prune_activity_deletes_only_older_rows(student):
    now = timezone.now()
    ages = {"ancient": 400, "old": 31, "recent": 29, "today": 0}
    rows = {}
    for name, days in ages.items():
        rows[name] = activity_record(actor=student, verb=Verb.USER_LOGGED_IN, metadata={"name": name})
        ActivityEvent.objects.filter(pk=rows[name].pk).update(created_at=now - datetime.timedelta(days=days))

    call_command("prune_activity", "--older-than", "30")

    kept = set(ActivityEvent.objects.values_list("metadata__name", flat=True))
    assert kept == {"recent", "today"}


def test_prune_activity_reports_and_is_safe_to_repeat(student, capsys):
    event = activity_record(actor=student, verb=Verb.USER_LOGGED_IN)
    ActivityEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(days=90))

    call_command("prune_activity", "--older-than", "30")
    call_command("prune_activity", "--older-than", "30")

    out = capsys.readouterr().out
    assert "Deleted 1 activity event" in out
    assert "Deleted 0 activity event" in out
    assert not ActivityEvent.objects.exists()


def test_prune_activity_in_batches(student):
    from activity.services import activity_prune

    old = timezone.now() - datetime.timedelta(days=60)
    for _ in range(7):
        activity_record(actor=student, verb=Verb.USER_LOGGED_IN)
    ActivityEvent.objects.update(created_at=old)
    activity_record(actor=student, verb=Verb.USER_LOGGED_IN)

    assert activity_prune(older_than_days=30, batch_size=3) == 7
    assert ActivityEvent.objects.count() == 1


@pytest.mark.parametrize("days", ["0", "-5"])
def test_prune_activity_rejects_a_non_positive_age(student, days):
    activity_record(actor=student, verb=Verb.USER_LOGGED_IN)
    ActivityEvent.objects.update(created_at=timezone.now() - datetime.timedelta(days=365))

    with pytest.raises(CommandError):
        call_command("prune_activity", "--older-than", days)

    assert ActivityEvent.objects.count() == 1


def test_prune_activity_requires_the_age():
    with pytest.raises(CommandError):
        call_command("prune_activity")


# --- the Django admin ----------------------------------------------------------------------------
ADMIN_MODELS = [
    "activity/activityevent",
    "notifications/notification",
    "notifications/notificationpreference",
    "notifications/announcement",
]


@pytest.fixture
def staff_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def admin_rows(student, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    course_services.enrollment_create(student=student, course=course)  # activity and notifications
    NotificationPreference.objects.create(user=student, type="announcement", email=False)
    Announcement.objects.create(course=course, author=instructor, title="Hello", body="World")
    return course


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_changelist_loads_and_offers_no_add(staff_client, admin_rows, model):
    response = staff_client.get(f"/admin/{model}/")

    assert response.status_code == 200
    assert response.context["has_add_permission"] is False
    assert f"/admin/{model}/add/".encode() not in response.content
    assert response.context["cl"].result_count >= 1
    assert staff_client.get(f"/admin/{model}/add/").status_code == 403


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_change_page_is_read_only(staff_client, admin_rows, model):
    from django.apps import apps

    app_label, model_name = model.split("/")
    obj = apps.get_model(app_label, model_name).objects.first()

    response = staff_client.get(f"/admin/{model}/{obj.pk}/change/")
    post = staff_client.post(f"/admin/{model}/{obj.pk}/change/", {})

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert post.status_code == 403


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_changelist_search(staff_client, admin_rows, model, student, instructor):
    term = instructor.email if model == "notifications/announcement" else student.email

    found = staff_client.get(f"/admin/{model}/", {"q": term})
    missing = staff_client.get(f"/admin/{model}/", {"q": "nobody-like-this@example.com"})

    assert found.status_code == missing.status_code == 200
    assert found.context["cl"].result_count >= 1
    assert missing.context["cl"].result_count == 0


def test_admin_activity_filter_by_verb(staff_client, admin_rows):
    response = staff_client.get("/admin/activity/activityevent/", {"verb__exact": "enrollment_created"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_is_closed_to_non_staff(model, student):
    client = Client()
    client.force_login(student)

    response = client.get(f"/admin/{model}/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
