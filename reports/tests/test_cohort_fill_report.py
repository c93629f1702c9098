"""The `cohort-fill` report: by the period a cohort starts in, the mean percent of its seats taken
(`enrolled` members / capacity x 100; cohorts with unlimited seats left out), for admins and for
the instructor's own courses, against figures computed by hand at the periods' boundaries."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.tests.factories import InstructorFactory, StudentFactory
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.tests.openapi import schema_errors
from schedules.models import CohortMember, MemberStatus
from schedules.tests.factories import CohortFactory

from .test_queries import REPORT_QUERIES
from .test_reports import series

pytestmark = pytest.mark.django_db

ADMIN = "/api/v1/admin/reports/cohort-fill/"
INSTRUCTOR = "/api/v1/instructor/reports/cohort-fill/"


def at(text: str) -> datetime.datetime:
    """'2024-03-04 10:00' in UTC. 2024-03-04 is a Monday."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def cohort(course, starts_at: str, *, capacity: int | None, enrolled: int = 0, others=()):
    """A cohort with `enrolled` seated students (each with the active enrollment it stands for) and
    one member in each of the statuses `others`, none of which takes a seat of the report."""
    start = at(starts_at)
    made = CohortFactory(
        course=course,
        starts_at=start,
        ends_at=start + datetime.timedelta(days=30),
        enrollment_closes_at=start,
        capacity=capacity,
    )
    for _ in range(enrolled):
        student = StudentFactory()
        EnrollmentFactory(student=student, course=course)
        CohortMember.objects.create(cohort=made, student=student, status=MemberStatus.ENROLLED)
    for status in others:
        CohortMember.objects.create(
            cohort=made,
            student=StudentFactory(),
            status=status,
            waitlisted_at=start if status == MemberStatus.WAITLISTED else None,
            offer_expires_at=start if status == MemberStatus.OFFERED else None,
        )
    return made


@pytest.fixture
def cohorts(instructor):
    """Cohorts of the instructor's course (`mine`) and of a third instructor's (`theirs`, so the
    `other_instructor` fixture owns none), in March and April 2024, with their fill."""
    mine = PublishedCourseFactory(instructor=instructor)
    theirs = PublishedCourseFactory(instructor=InstructorFactory())
    not_seated = [MemberStatus.WAITLISTED, MemberStatus.OFFERED, MemberStatus.HELD, MemberStatus.LEFT]
    # Sunday Mar 3, its last second (and the week of Feb 26's): 1 of 4 seats (25 %); the
    # waitlisted, offered, held and a left member do not count.
    cohort(mine, "2024-03-03 23:59:59", capacity=4, enrolled=1, others=not_seated)
    # Monday at midnight, the first second of the week of Mar 4: full (100 %).
    cohort(mine, "2024-03-04 00:00:00", capacity=2, enrolled=2)
    cohort(theirs, "2024-03-04 10:00", capacity=3, enrolled=1)  # 33.33 %
    cohort(mine, "2024-03-04 12:00", capacity=None, enrolled=3)  # unlimited: no fill
    cohort(mine, "2024-03-05 09:00", capacity=None, enrolled=1)  # unlimited, alone on its day
    cohort(mine, "2024-03-06 09:00", capacity=3, enrolled=2)  # 66.67 %
    # The last second of March (a Sunday) and the first of April (a Monday).
    cohort(mine, "2024-03-31 23:59:59", capacity=5, others=[MemberStatus.HELD])  # 0 %
    cohort(theirs, "2024-04-01 00:00:00", capacity=8, enrolled=1)  # 12.5 %
    cohort(mine, "2024-05-02 09:00", capacity=1, enrolled=1)  # after every range below


DAYS = {"from": "2024-03-03", "to": "2024-03-06", "interval": "day"}
WEEKS = {"from": "2024-03-01", "to": "2024-04-07", "interval": "week"}
MONTHS = {"from": "2024-02-15", "to": "2024-04-30", "interval": "month"}


def test_by_day_the_last_second_and_the_first_of_a_day(clients, cohorts):
    response = clients["admin"].get(ADMIN, DAYS)
    # Mar 3: 25; Mar 4: (100 + 33.33...) / 2, the unlimited cohort left out; Mar 5: only an
    # unlimited cohort, so no fill; Mar 6: 66.66...
    assert series(response) == [
        ("2024-03-03", "25.00"),
        ("2024-03-04", "66.67"),
        ("2024-03-05", "0.00"),
        ("2024-03-06", "66.67"),
    ]
    body = response.json()
    assert (body["name"], body["interval"], body["from"], body["to"]) == (
        "cohort-fill",
        "day",
        "2024-03-03",
        "2024-03-06",
    )
    assert schema_errors(body, "TimeSeriesReport") == []


def test_by_week_from_monday(clients, cohorts):
    # Feb 26 week: 25; Mar 4 week: (100 + 33.33... + 66.66...) / 3 = 66.66...; Mar 25 week: a cohort
    # with no seat taken (its held member does not count); Apr 1 week: 1 of 8.
    assert series(clients["admin"].get(ADMIN, WEEKS)) == [
        ("2024-02-26", "25.00"),
        ("2024-03-04", "66.67"),
        ("2024-03-11", "0.00"),
        ("2024-03-18", "0.00"),
        ("2024-03-25", "0.00"),
        ("2024-04-01", "12.50"),
    ]


def test_by_month_from_the_first(clients, cohorts):
    # March: (25 + 100 + 33.33... + 66.66... + 0) / 5 = 45; April: 12.5; nothing in February.
    assert series(clients["admin"].get(ADMIN, MONTHS)) == [
        ("2024-02-01", "0.00"),
        ("2024-03-01", "45.00"),
        ("2024-04-01", "12.50"),
    ]


def test_the_instructor_sees_their_own_courses_only(clients, cohorts):
    assert series(clients["instructor"].get(INSTRUCTOR, DAYS)) == [
        ("2024-03-03", "25.00"),
        ("2024-03-04", "100.00"),
        ("2024-03-05", "0.00"),
        ("2024-03-06", "66.67"),
    ]
    # March: (25 + 100 + 66.66... + 0) / 4 = 47.916...; the April cohort is not theirs.
    assert series(clients["instructor"].get(INSTRUCTOR, MONTHS)) == [
        ("2024-02-01", "0.00"),
        ("2024-03-01", "47.92"),
        ("2024-04-01", "0.00"),
    ]


@pytest.mark.parametrize("query", [DAYS, WEEKS, MONTHS])
def test_another_instructor_sees_zeros(clients, cohorts, query):
    points = series(clients["other_instructor"].get(INSTRUCTOR, query))
    assert points and all(value == "0.00" for _, value in points)


@pytest.mark.parametrize(
    "role,admin_status,instructor_status",
    [
        ("anonymous", 401, 401),
        ("student", 403, 403),
        ("other_student", 403, 403),
        ("instructor", 403, 200),
        ("other_instructor", 403, 200),
        ("admin", 200, 403),
    ],
)
def test_roles(clients, role, admin_status, instructor_status):
    assert clients[role].get(ADMIN).status_code == admin_status
    assert clients[role].get(INSTRUCTOR).status_code == instructor_status


@pytest.mark.parametrize("query", [DAYS, WEEKS, MONTHS])
def test_the_csv_download_is_export_report_byte_for_byte(clients, cohorts, query):
    response = clients["admin"].get(ADMIN, {**query, "format": "csv"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    name = f"cohort-fill-{query['interval']}-{query['from']}-{query['to']}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    out = StringIO()
    arguments = ["--from", query["from"], "--to", query["to"], "--interval", query["interval"]]
    call_command("export_report", "cohort-fill", *arguments, stdout=out)
    assert out.getvalue().encode() == response.content
    if query["interval"] == "month":
        assert response.content.decode().splitlines() == [
            "period,value",
            "2024-02-01,0.00",
            "2024-03-01,45.00",
            "2024-04-01,12.50",
        ]


def count(client, path: str, query: dict, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(REPORT_QUERIES) as captured:
        response = client.get(path, query)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.mark.parametrize("query", [DAYS, WEEKS, MONTHS])
def test_queries_as_many_as_another_report_whatever_the_cohorts(
    clients, cohorts, instructor, query, django_assert_max_num_queries
):
    paths = [
        (clients["admin"], "/api/v1/admin/reports/"),
        (clients["instructor"], "/api/v1/instructor/reports/"),
    ]
    before = [count(client, f"{base}cohort-fill/", query, django_assert_max_num_queries) for client, base in paths]
    mine = PublishedCourseFactory(instructor=instructor)
    for day in range(3, 10):
        cohort(mine, f"2024-03-{day:02} 08:00", capacity=day, enrolled=2, others=[MemberStatus.WAITLISTED])
        cohort(mine, f"2024-03-{day:02} 09:00", capacity=None, enrolled=1)
    for (client, base), small in zip(paths, before, strict=True):
        assert count(client, f"{base}cohort-fill/", query, django_assert_max_num_queries) == small
        assert count(client, f"{base}grading-turnaround/", query, django_assert_max_num_queries) == small
