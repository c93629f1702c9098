"""Reports over time: every name and interval against hand-placed events, inclusive ranges, empty
buckets filled, instructor scoping, currency, CSV, and bad input (never a 5xx)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from activity.models import ActivityEvent
from courses.models import Enrollment
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from payments.models import Order
from quizzes.models import Attempt
from quizzes.tests.factories import QuizFactory

pytestmark = pytest.mark.django_db

ADMIN = "/api/v1/admin/reports/"
INSTRUCTOR = "/api/v1/instructor/reports/"
NAMES = ["signups", "enrollments", "revenue", "completions", "quiz-attempts", "active-users"]
INSTRUCTOR_NAMES = ["enrollments", "revenue", "completions", "quiz-attempts"]


def at(text: str) -> datetime.datetime:
    """'2024-03-04 10:00' in UTC. 2024-03-04 is a Monday."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def series(response) -> list[tuple[str, object]]:
    assert response.status_code == 200, response.content
    return [(p["period"], p["value"]) for p in response.json()["results"]]


@pytest.fixture
def events(instructor, other_instructor, student, other_student):
    """Hand-placed events in March 2024 (the fixture users themselves joined today)."""
    signups = {}
    for label, when in [
        ("u1", "2024-03-03 23:59:59"),  # Sunday, the day before the first Monday
        ("u2", "2024-03-04 10:00"),
        ("u3", "2024-03-04 11:00"),
        ("u4", "2024-03-06 23:59:59"),
        ("u5", "2024-03-07 00:00"),
        ("u6", "2024-03-20 09:00"),
        ("u7", "2024-04-02 09:00"),
    ]:
        with time_machine.travel(at(when), tick=False):
            signups[label] = StudentFactory()

    mine = PublishedCourseFactory(instructor=instructor, price=Decimal("20.00"))
    theirs = PublishedCourseFactory(instructor=other_instructor, price=Decimal("40.00"))
    with time_machine.travel(at("2024-03-04 12:00"), tick=False):
        e1 = EnrollmentFactory(student=student, course=mine)
    with time_machine.travel(at("2024-03-05 12:00"), tick=False):
        e2 = EnrollmentFactory(student=other_student, course=mine)
        e3 = EnrollmentFactory(student=student, course=theirs)
    with time_machine.travel(at("2024-03-12 12:00"), tick=False):
        EnrollmentFactory(student=other_student, course=theirs)
    Enrollment.objects.filter(pk__in=[e1.pk, e3.pk]).update(completed_at=at("2024-03-06 08:00"))
    Enrollment.objects.filter(pk=e2.pk).update(completed_at=at("2024-03-19 08:00"))

    def order(who, course, amount, when, *, status="paid", currency="USD", refunded=None):
        Order.objects.create(
            student=who,
            course=course,
            list_price=amount,
            amount=amount,
            currency=currency,
            status=status,
            paid_at=at(when) if when else None,
            refunded_at=at(refunded) if refunded else None,
        )

    order(student, mine, Decimal("20.00"), "2024-03-04 13:00")
    order(other_student, mine, Decimal("15.50"), "2024-03-04 14:00", currency="EUR")
    order(signups["u2"], mine, Decimal("20.00"), "2024-03-04 15:00", status="refunded", refunded="2024-03-10")
    order(signups["u3"], mine, Decimal("20.00"), None, status="pending")
    order(student, theirs, Decimal("40.00"), "2024-03-05 09:00")
    order(other_student, theirs, Decimal("40.00"), "2024-03-05 10:00")

    my_quiz, their_quiz = QuizFactory(course=mine), QuizFactory(course=theirs)
    for quiz, who, number, submitted in [
        (my_quiz, student, 1, "2024-03-06 10:00"),
        (my_quiz, student, 2, "2024-03-06 11:00"),
        (my_quiz, other_student, 1, None),  # still open
        (their_quiz, student, 1, "2024-03-06 12:00"),
    ]:
        Attempt.objects.create(
            quiz=quiz,
            student=who,
            number=number,
            started_at=at("2024-03-06 09:00"),
            submitted_at=at(submitted) if submitted else None,
            percent=Decimal("80.00") if submitted else None,
            passed=True if submitted else None,
        )

    for who, when in [
        (student, "2024-03-04 08:00"),
        (student, "2024-03-04 09:00"),
        (other_student, "2024-03-04 10:00"),
        (student, "2024-03-05 10:00"),
    ]:
        with time_machine.travel(at(when), tick=False):
            ActivityEvent.objects.create(actor=who, verb="user_logged_in")
    with time_machine.travel(at("2024-03-05 11:00"), tick=False):
        ActivityEvent.objects.create(actor=None, verb="user_logged_in")  # no actor: not a user
    return {"mine": mine, "theirs": theirs}


# --- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
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
def test_report_roles(clients, name, role, admin_status, instructor_status):
    assert clients[role].get(f"{ADMIN}{name}/").status_code == admin_status
    expected = instructor_status
    if instructor_status == 200 and name not in INSTRUCTOR_NAMES:
        expected = 404  # signups and active-users are for admins only
    assert clients[role].get(f"{INSTRUCTOR}{name}/").status_code == expected


# --- figures -------------------------------------------------------------------------------------
def test_signups_by_day_inclusive(clients, events):
    response = clients["admin"].get(f"{ADMIN}signups/?from=2024-03-04&to=2024-03-06")
    body = response.json()
    assert (body["name"], body["interval"], body["from"], body["to"]) == ("signups", "day", "2024-03-04", "2024-03-06")
    # u1 (the evening before) and u5 (midnight after) are outside; u4 at 23:59:59 on the last day is in.
    assert series(response) == [("2024-03-04", 2), ("2024-03-05", 0), ("2024-03-06", 1)]
    assert body["total"] == 3


def test_signups_by_week_start_on_monday(clients, events):
    response = clients["admin"].get(f"{ADMIN}signups/?from=2024-03-06&to=2024-03-20&interval=week")
    # The first week holds only what happened from the 6th (u4, u5), not the Monday's u2 and u3.
    assert series(response) == [("2024-03-04", 2), ("2024-03-11", 0), ("2024-03-18", 1)]


def test_signups_by_month_start_on_the_first(clients, events):
    response = clients["admin"].get(f"{ADMIN}signups/?from=2024-02-15&to=2024-04-10&interval=month")
    assert series(response) == [("2024-02-01", 0), ("2024-03-01", 6), ("2024-04-01", 1)]
    assert response.json()["total"] == 7


def test_month_buckets_across_a_year_end(clients, events):
    response = clients["admin"].get(f"{ADMIN}signups/?from=2023-11-30&to=2024-03-01&interval=month")
    assert [p for p, _ in series(response)] == ["2023-11-01", "2023-12-01", "2024-01-01", "2024-02-01", "2024-03-01"]
    assert series(response)[-1] == ("2024-03-01", 0)  # up to the 1st only: nobody joined that day


def test_enrollments_admin_and_scoped_to_the_instructor(clients, events):
    query = "enrollments/?from=2024-03-04&to=2024-03-05"
    assert series(clients["admin"].get(f"{ADMIN}{query}")) == [("2024-03-04", 1), ("2024-03-05", 2)]
    assert series(clients["instructor"].get(f"{INSTRUCTOR}{query}")) == [("2024-03-04", 1), ("2024-03-05", 1)]
    assert series(clients["other_instructor"].get(f"{INSTRUCTOR}{query}")) == [("2024-03-04", 0), ("2024-03-05", 1)]
    weekly = "enrollments/?from=2024-03-04&to=2024-03-17&interval=week"
    assert series(clients["admin"].get(f"{ADMIN}{weekly}")) == [("2024-03-04", 3), ("2024-03-11", 1)]
    assert series(clients["instructor"].get(f"{INSTRUCTOR}{weekly}")) == [("2024-03-04", 2), ("2024-03-11", 0)]


def test_revenue_counts_paid_not_refunded_and_filters_currency(clients, events):
    query = "revenue/?from=2024-03-04&to=2024-03-05"
    usd = clients["admin"].get(f"{ADMIN}{query}&currency=USD")
    assert series(usd) == [("2024-03-04", "20.00"), ("2024-03-05", "80.00")]
    assert usd.json()["total"] == "100.00"
    eur = clients["admin"].get(f"{ADMIN}{query}&currency=eur")  # case does not matter
    assert series(eur) == [("2024-03-04", "15.50"), ("2024-03-05", "0.00")]
    assert eur.json()["total"] == "15.50"
    assert series(clients["admin"].get(f"{ADMIN}{query}&currency=GBP")) == [
        ("2024-03-04", "0.00"),
        ("2024-03-05", "0.00"),
    ]
    mine = clients["instructor"].get(f"{INSTRUCTOR}{query}&currency=USD")
    assert series(mine) == [("2024-03-04", "20.00"), ("2024-03-05", "0.00")]
    theirs = clients["other_instructor"].get(f"{INSTRUCTOR}revenue/?from=2024-03-01&to=2024-03-31&interval=month")
    assert series(theirs) == [("2024-03-01", "80.00")]


def test_completions(clients, events):
    query = "completions/?from=2024-03-04&to=2024-03-24&interval=week"
    assert series(clients["admin"].get(f"{ADMIN}{query}")) == [("2024-03-04", 2), ("2024-03-11", 0), ("2024-03-18", 1)]
    assert series(clients["instructor"].get(f"{INSTRUCTOR}{query}")) == [
        ("2024-03-04", 1),
        ("2024-03-11", 0),
        ("2024-03-18", 1),
    ]


def test_quiz_attempts_count_submitted_only(clients, events):
    query = "quiz-attempts/?from=2024-03-05&to=2024-03-07"
    assert series(clients["admin"].get(f"{ADMIN}{query}")) == [("2024-03-05", 0), ("2024-03-06", 3), ("2024-03-07", 0)]
    assert series(clients["instructor"].get(f"{INSTRUCTOR}{query}")) == [
        ("2024-03-05", 0),
        ("2024-03-06", 2),
        ("2024-03-07", 0),
    ]


def test_active_users_are_distinct_actors(clients, events):
    response = clients["admin"].get(f"{ADMIN}active-users/?from=2024-03-04&to=2024-03-05")
    assert series(response) == [("2024-03-04", 2), ("2024-03-05", 1)]
    weekly = clients["admin"].get(f"{ADMIN}active-users/?from=2024-03-04&to=2024-03-05&interval=week")
    assert series(weekly) == [("2024-03-04", 2)]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_every_report_and_interval_fills_empty_buckets(clients, name, interval):
    response = clients["admin"].get(f"{ADMIN}{name}/?from=2023-01-01&to=2023-03-31&interval={interval}")
    points = series(response)
    expected_len = {"day": 90, "week": 14, "month": 3}[interval]
    assert len(points) == expected_len
    zero = "0.00" if name == "revenue" else 0
    assert all(value == zero for _, value in points)
    first = {"day": "2023-01-01", "week": "2022-12-26", "month": "2023-01-01"}[interval]
    assert points[0][0] == first
    if interval == "week":
        assert all(datetime.date.fromisoformat(p).weekday() == 0 for p, _ in points)
    if interval == "month":
        assert [p for p, _ in points] == ["2023-01-01", "2023-02-01", "2023-03-01"]


def test_defaults_to_the_last_30_days_by_day(clients):
    body = clients["admin"].get(f"{ADMIN}enrollments/").json()
    today = timezone.now().date()
    assert body["interval"] == "day"
    assert body["to"] == today.isoformat()
    assert body["from"] == (today - datetime.timedelta(days=29)).isoformat()
    assert len(body["results"]) == 30


def test_a_single_day(clients, events):
    response = clients["admin"].get(f"{ADMIN}signups/?from=2024-03-20&to=2024-03-20")
    assert series(response) == [("2024-03-20", 1)]


# --- CSV -----------------------------------------------------------------------------------------
def test_csv_download(clients, events):
    response = clients["admin"].get(f"{ADMIN}signups/?from=2024-03-04&to=2024-03-06&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="signups-day-2024-03-04-2024-03-06.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines() == [
        "period,value",
        "2024-03-04,2",
        "2024-03-05,0",
        "2024-03-06,1",
    ]


def test_csv_revenue_of_an_instructor(clients, events):
    response = clients["instructor"].get(f"{INSTRUCTOR}revenue/?from=2024-03-04&to=2024-03-05&currency=USD&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines() == ["period,value", "2024-03-04,20.00", "2024-03-05,0.00"]


def test_csv_errors_are_not_a_file_download(clients):
    response = clients["admin"].get(f"{ADMIN}signups/?from=2024-03-06&to=2024-03-04&format=csv")
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    # Plain text, one row per message: no Python repr (ErrorDetail(string=...)) in the body.
    lines = response.content.decode().splitlines()
    assert lines[0] == "field,message" and len(lines) == 2
    assert lines[1].startswith("from,") and "ErrorDetail" not in lines[1] and "[" not in lines[1]


def test_csv_error_cells_that_would_start_a_formula_are_made_inert():
    from reports.api.renderers import ReportCSVRenderer

    body = ReportCSVRenderer().render({"interval": ["=HYPERLINK(1) is not valid.", "-1 is too small."]})
    assert body.decode().splitlines() == [
        "field,message",
        "interval,'=HYPERLINK(1) is not valid.",
        "interval,'-1 is too small.",
    ]


def test_csv_error_without_a_field_is_a_detail_row(clients):
    response = clients["student"].get(f"{ADMIN}signups/?format=csv")
    assert response.status_code == 403
    assert response.content.decode().splitlines() == [
        "field,message",
        "detail,Only administrators can do this.",
    ]


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query,field",
    [
        ("from=2024-03-06&to=2024-03-04", "from"),
        ("from=2024-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2024-02-30", "from"),
        ("interval=year", "interval"),
        ("from=2000-01-01&to=2024-01-01", "interval"),  # too many days
        ("from=1990-01-01&to=2024-01-01&interval=week", "interval"),  # too many weeks
        ("from=1000-01-01&to=2024-01-01&interval=month", "interval"),  # too many months
        ("currency=US", "currency"),
        ("currency=%00%00%00", "currency"),
    ],
)
def test_bad_input_is_a_400(clients, query, field):
    for base in (ADMIN, INSTRUCTOR):
        client = clients["admin"] if base == ADMIN else clients["instructor"]
        response = client.get(f"{base}revenue/?{query}")
        assert response.status_code == 400, (base, query, response.content)
        assert field in response.json()


@pytest.mark.parametrize("name", ["nope", "Signups", "revenue.csv", "quiz_attempts"])
def test_unknown_report_is_a_404(clients, name):
    assert clients["admin"].get(f"{ADMIN}{name}/").status_code == 404
    assert clients["instructor"].get(f"{INSTRUCTOR}{name}/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "from=0001-01-01&to=0001-01-31",
        "from=0001-01-01&to=0001-02-01&interval=week",
        "from=0001-01-01&to=0001-03-01&interval=month",
        "from=9999-12-01&to=9999-12-31",
        "from=9999-11-01&to=9999-12-31&interval=month",
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_not_a_5xx(clients, query):
    response = clients["admin"].get(f"{ADMIN}signups/?{query}")
    assert response.status_code in (200, 400), response.content
