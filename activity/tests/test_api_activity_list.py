"""GET /api/v1/admin/activity/: admins only, newest first, filters, cursor pages, a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import StudentFactory
from activity.models import ActivityEvent, Verb
from activity.services import activity_record
from activity.tests.helpers import ACTIVITY
from courses.tests.factories import PublishedCourseFactory

pytestmark = pytest.mark.django_db


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
