"""Fan-out at scale: an announcement to 2,000 students is one background job with a bounded number
of queries, bulk inserts and chunked e-mail jobs; the inbox endpoints cost the same whatever their
size."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from conftest import client_for
from courses.models import Course, Enrollment
from courses.tests.factories import PublishedCourseFactory
from lms.testing import held_open
from notifications import services, tasks
from notifications.models import Announcement, Notification

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def enroll_many(course, count: int, *, status: str = "active") -> list[int]:
    """`count` new students enrolled in `course`, made with bulk inserts (no per-user hashing)."""
    offset = User.objects.count()
    users = User.objects.bulk_create(
        [
            User(email=f"fan{offset + n}@example.com", password="!", first_name=f"Fan{n}", role=Role.STUDENT)
            for n in range(count)
        ],
        batch_size=500,
    )
    Enrollment.objects.bulk_create(
        [Enrollment(student=u, course=course, source="free", status=status) for u in users], batch_size=500
    )
    if status == "active":
        Course.objects.filter(pk=course.pk).update(enrollment_count=course.enrollments.filter(status="active").count())
    return [u.pk for u in users]


@pytest.fixture
def email_jobs(monkeypatch):
    """Records e-mail jobs instead of sending them (the e-mail itself is tested in test_email.py)."""
    jobs = []
    monkeypatch.setattr(tasks.notification_emails_send_task, "delay", lambda **kwargs: jobs.append(kwargs))
    return jobs


def announce(course, django_capture_on_commit_callbacks) -> Announcement:
    """An announcement stored but not delivered yet (its job is left in the on-commit queue)."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.announcement_create(course=course, author=course.instructor, title="Exam", body="Friday")


def send_counting_queries(announcement, django_capture_on_commit_callbacks):
    """Runs the delivery job's service; returns (recipients, SQL it ran, on-commit callbacks)."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks, CaptureQueriesContext(connection) as queries:
        sent = services.announcement_send(announcement_id=announcement.pk)
    return sent, [q["sql"] for q in queries.captured_queries], callbacks


def is_notification_insert(sql: str) -> bool:
    return sql.upper().startswith("INSERT INTO") and Notification._meta.db_table in sql


def insert_batches(count: int) -> int:
    """How many INSERT statements the database backend needs for `count` notifications: notify()
    inserts INSERT_BATCH rows per bulk_create, and SQLite's 999-parameter limit splits each of
    those further (PostgreSQL takes them whole)."""
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    per_insert = min(connection.ops.bulk_batch_size(fields, [None] * services.INSERT_BATCH), services.INSERT_BATCH)
    return sum(
        math.ceil(min(services.INSERT_BATCH, count - start) / per_insert)
        for start in range(0, count, services.INSERT_BATCH)
    )


def query_budget(count: int) -> int:
    """MAX_QUERIES, plus the extra INSERTs only SQLite's parameter limit forces (0 on PostgreSQL)."""
    return MAX_QUERIES + insert_batches(count) - math.ceil(count / services.INSERT_BATCH)


def test_announcement_to_2000_students_in_one_call_with_bounded_queries(
    django_capture_on_commit_callbacks, django_assert_max_num_queries, email_jobs
):
    course = PublishedCourseFactory(lessons=1)
    students = enroll_many(course, 2000)
    revoked = enroll_many(course, 5, status="revoked")
    outsiders = enroll_many(PublishedCourseFactory(lessons=1), 5)
    announcement = announce(course, django_capture_on_commit_callbacks)

    with django_assert_max_num_queries(query_budget(2000)):
        sent, queries, callbacks = send_counting_queries(announcement, django_capture_on_commit_callbacks)

    assert sent == 2000
    assert len(queries) <= query_budget(2000)
    assert sum(map(is_notification_insert, queries)) == insert_batches(2000)
    notified = list(Notification.objects.filter(type="announcement").values_list("recipient_id", flat=True))
    assert len(notified) == 2000
    assert sorted(notified) == sorted(students)
    assert not Notification.objects.filter(recipient_id__in=revoked + outsiders).exists()
    announcement.refresh_from_db()
    assert announcement.sent_at is not None
    assert announcement.recipient_count == 2000

    # E-mail goes out after commit, in jobs of EMAIL_CHUNK (100) recipients: 20 jobs.
    assert len(callbacks) == 20
    assert email_jobs == []
    for callback in callbacks:
        callback()
    assert len(email_jobs) == 20
    assert all(len(job["user_ids"]) == 100 for job in email_jobs)
    emailed = [pk for job in email_jobs for pk in job["user_ids"]]
    assert len(emailed) == len(set(emailed)) == 2000
    assert set(emailed) == set(students)
    assert {job["type"] for job in email_jobs} == {"announcement"}
    assert email_jobs[0]["title"] == f"{course.title}: Exam"


def test_fanout_queries_do_not_grow_with_recipients(django_capture_on_commit_callbacks, email_jobs):
    small_course, big_course = PublishedCourseFactory(lessons=1), PublishedCourseFactory(lessons=1)
    enroll_many(small_course, 200)
    enroll_many(big_course, 2000)
    small, big = (announce(c, django_capture_on_commit_callbacks) for c in (small_course, big_course))

    small_sent, small_queries, _ = send_counting_queries(small, django_capture_on_commit_callbacks)
    big_sent, big_queries, _ = send_counting_queries(big, django_capture_on_commit_callbacks)

    assert (small_sent, big_sent) == (200, 2000)
    assert len(small_queries) <= query_budget(200)
    assert len(big_queries) <= query_budget(2000)
    # Ten times the recipients: the same queries apart from the bulk INSERTs and one preference
    # lookup per INSERT_BATCH recipients (one more for 2,000 than for 200). Never one per recipient.
    small_other = [q for q in small_queries if not is_notification_insert(q)]
    big_other = [q for q in big_queries if not is_notification_insert(q)]
    per_batch = math.ceil(2000 / services.INSERT_BATCH) - math.ceil(200 / services.INSERT_BATCH)
    assert len(big_other) - len(small_other) == per_batch
    assert sum(map(is_notification_insert, small_queries)) == insert_batches(200)
    assert sum(map(is_notification_insert, big_queries)) == insert_batches(2000)


def test_announcement_via_api_is_one_background_job(django_capture_on_commit_callbacks, monkeypatch, email_jobs):
    course = PublishedCourseFactory(lessons=1)
    enroll_many(course, 2000)
    jobs = []
    real_delay = tasks.announcement_send_task.delay
    monkeypatch.setattr(tasks.announcement_send_task, "delay", lambda *a, **kw: jobs.append(a) or real_delay(*a, **kw))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(course.instructor).post(
            f"/api/v1/courses/{course.pk}/announcements/", {"title": "Hi", "body": "All"}, format="json"
        )

    assert response.status_code == 202
    assert jobs == [(response.data["id"],)]
    assert Notification.objects.filter(type="announcement").count() == 2000
    assert len(email_jobs) == 20


def test_sending_an_announcement_twice_sends_nothing_the_second_time(django_capture_on_commit_callbacks, email_jobs):
    course = PublishedCourseFactory(lessons=1)
    enroll_many(course, 300)
    announcement = announce(course, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.announcement_send(announcement_id=announcement.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = tasks.announcement_send_task.delay(announcement.pk).get()

    assert (first, second) == (300, 0)
    assert callbacks == []
    assert Notification.objects.filter(type="announcement").count() == 300
    assert len(email_jobs) == 3
    announcement.refresh_from_db()
    assert announcement.recipient_count == 300


def test_sending_an_unknown_announcement_is_a_no_op():
    assert services.announcement_send(announcement_id=999999) == 0


# --- constant-cost inbox endpoints ---------------------------------------------------------------
def fill_inbox(user, count: int) -> None:
    for n in range(count):
        services.notify(recipients=[user], type="announcement", title=f"N{n}", payload={"n": n})


def queries_for(client, path) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize(
    "path", ["/api/v1/notifications/", "/api/v1/notifications/?unread=true", "/api/v1/notifications/unread-count/"]
)
def test_inbox_endpoints_run_a_constant_number_of_queries(student, other_student, path, django_assert_max_num_queries):
    client, other = client_for(student), client_for(other_student)
    fill_inbox(student, 5)
    fill_inbox(other_student, 50)

    few, _ = queries_for(client, path)
    with django_assert_max_num_queries(few):
        many, response = queries_for(other, path)

    assert many == few
    assert few <= 3
    if "unread-count" in path:
        assert response.data == {"count": 50}
    else:
        assert len(response.data["results"]) == 20


def test_next_page_costs_the_same(student, django_assert_max_num_queries):
    client = client_for(student)
    fill_inbox(student, 50)
    first_count, first = queries_for(client, "/api/v1/notifications/?page_size=10")

    with django_assert_max_num_queries(first_count):
        client.get(first.data["next"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sending_an_announcement_does_not_hold_its_course(postgres, email_jobs):
    """The delivery job locks the announcement's row only: while it is in its transaction, students
    still enroll in the course (a new enrollment's key lock on the course would wait on a course row
    lock)."""
    from accounts.tests.factories import StudentFactory
    from courses.tests.factories import EnrollmentFactory

    course = PublishedCourseFactory(lessons=1)
    enroll_many(course, 3)
    announcement = services.announcement_create(course=course, author=course.instructor, title="Exam", body="Fri")
    with held_open(lambda: services.announcement_send(announcement_id=announcement.pk)):
        EnrollmentFactory(student=StudentFactory(), course=course)
    announcement.refresh_from_db()
    assert announcement.sent_at is not None and announcement.recipient_count == 3
    assert course.enrollments.count() == 4
