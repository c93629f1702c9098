"""manage.py export_report: the admin API's CSV download, byte for byte, from the command line."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from payments.models import Order
from payments.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "signups",
    "enrollments",
    "revenue",
    "completions",
    "quiz-attempts",
    "submissions",
    "grading-turnaround",
    "cohort-fill",
    "active-users",
]


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


@pytest.fixture
def data(db):
    """Sign-ups, enrollments and paid orders in two currencies, in March and April 2024."""
    course = PublishedCourseFactory()
    for when in ["2024-03-03 23:59:59", "2024-03-04 10:00", "2024-03-04 11:00", "2024-03-20 09:00", "2024-04-02"]:
        with time_machine.travel(at(when), tick=False):
            EnrollmentFactory(student=StudentFactory(), course=course)
    for when, amount, currency in [
        ("2024-03-05 12:00", "20.00", "USD"),
        ("2024-03-05 13:00", "10.50", "USD"),
        ("2024-03-18 09:00", "7.00", "EUR"),
    ]:
        course = PublishedCourseFactory(price=Decimal(amount), currency=currency)
        order = OrderFactory(course=course)
        Order.objects.filter(pk=order.pk).update(status="paid", paid_at=at(when))


def export(*args) -> str:
    out = StringIO()
    call_command("export_report", *args, stdout=out)
    return out.getvalue()


def api_csv(client, name: str, query: str) -> bytes:
    response = client.get(f"/api/v1/admin/reports/{name}/?{query}&format=csv")
    assert response.status_code == 200, response.content
    return response.content


@pytest.mark.parametrize("interval", ["day", "week", "month"])
@pytest.mark.parametrize("name", NAMES)
def test_the_csv_is_the_api_download_byte_for_byte(admin_client, data, tmp_path, name, interval):
    target = tmp_path / f"{name}.csv"

    out = export(name, "--from", "2024-03-01", "--to", "2024-04-10", "--interval", interval, "--output", str(target))

    expected = api_csv(admin_client, name, f"from=2024-03-01&to=2024-04-10&interval={interval}")
    assert target.read_bytes() == expected
    assert f"to {target}" in out
    assert export(name, "--from", "2024-03-01", "--to", "2024-04-10", "--interval", interval) == expected.decode()


def test_the_figures(data):
    assert export("signups", "--from", "2024-03-03", "--to", "2024-03-05").splitlines() == [
        "period,value",
        "2024-03-03,1",
        "2024-03-04,2",
        "2024-03-05,0",
    ]
    revenue = export("revenue", "--from", "2024-03-01", "--to", "2024-03-31", "--interval", "month")
    assert revenue.splitlines() == ["period,value", "2024-03-01,30.50"]
    euros = export("revenue", "--from", "2024-03-01", "--to", "2024-03-31", "--interval", "month", "--currency", "eur")
    assert euros.splitlines() == ["period,value", "2024-03-01,7.00"]


def test_currency_matches_the_api_too(admin_client, data):
    expected = api_csv(admin_client, "revenue", "from=2024-03-01&to=2024-03-31&currency=EUR")
    assert export("revenue", "--from", "2024-03-01", "--to", "2024-03-31", "--currency", "EUR") == expected.decode()


def test_default_range_is_the_last_30_days_like_the_api(admin_user, data):
    with time_machine.travel(at("2024-03-21 12:00"), tick=False):
        out = export("signups")
        expected = api_csv(client_for(admin_user), "signups", "interval=day")
    assert out == expected.decode()
    lines = out.splitlines()
    assert lines[1].startswith("2024-02-21,") and lines[-1] == "2024-03-21,0" and "2024-03-20,1" in lines


def test_writes_bytes_to_a_real_stdout(data, capfdbinary):
    call_command("export_report", "signups", "--from", "2024-03-04", "--to", "2024-03-04")
    assert capfdbinary.readouterr().out == b"period,value\r\n2024-03-04,2\r\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (("payouts",), "Unknown report 'payouts'. Choose one of: active-users, cohort-fill, completions, enrollments"),
        (("signups", "--from", "2024-02-30"), "--from: Date has wrong format"),
        (("signups", "--to", "yesterday"), "--to: Date has wrong format"),
        (("signups", "--from", "2024-03-10", "--to", "2024-03-01"), r"--from \(2024-03-10\) must not be after --to"),
        (("signups", "--interval", "year"), "--interval must be one of day, week, month, not 'year'"),
        (("revenue", "--currency", "euro"), "--currency: This value does not match"),
        (("signups", "--from", "1990-01-01", "--to", "2024-01-01"), "Too many days"),
        (("signups", "--to", "9999-12-31"), "--to: Use a date up to 9998-12-31"),
        ((), "the following arguments are required: NAME"),
    ],
)
def test_bad_arguments_are_clear(args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_an_unwritable_output_is_a_command_error(data, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        export("signups", "--output", str(tmp_path / "missing" / "dir" / "x.csv"))
