"""manage.py seed_demo: idempotent, and a dry run that reports what it would add and changes nothing."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts import services
from accounts.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS, row_counts
from accounts.models import Role, User
from conftest import client_for
from courses.models import Course

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_dry_run_on_an_empty_database_reports_and_changes_nothing(django_capture_on_commit_callbacks):
    before = row_counts()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out = run("--dry-run")

    assert row_counts() == before
    assert callbacks == []
    assert mail.outbox == []
    for email, *_ in DEMO_USERS:
        assert f"user {email}" in out and "create" in out
    assert "accounts.User" in out and "+5 row(s)" in out
    assert "courses.Course" in out and "quizzes.Quiz" in out
    assert "Nothing was changed." in out
    assert "Sign in with" not in out


def test_seeding_twice_adds_nothing_the_second_time():
    first = run()
    counts = row_counts()
    assert "Demo data ready" in first and f"password: {DEMO_PASSWORD}" in first
    assert counts["accounts.User"] == 5 and counts["courses.Course"] > 0

    second = run()

    assert row_counts() == counts
    assert "(0 new)" in second and "Demo quizzes: 0 new." in second
    out = run("--dry-run")
    assert "Dry run: no rows would be added. Nothing was changed." in out
    assert out.count("unchanged") == len(DEMO_USERS)


def test_dry_run_names_what_it_would_repair_and_repairs_nothing():
    run()
    student = User.objects.get(email="student@demo.lms")
    student.set_password("something-else-123")
    student.is_active = False
    student.save(update_fields=["password", "is_active"])
    courses = Course.objects.count()

    out = run("--dry-run")

    assert "user student@demo.lms" in out and "reactivate, reset password" in out
    student.refresh_from_db()
    assert not student.is_active and student.check_password("something-else-123")
    assert Course.objects.count() == courses

    run()
    student.refresh_from_db()
    assert student.is_active and student.check_password(DEMO_PASSWORD) and student.role == Role.STUDENT


def test_resetting_a_demo_password_signs_out_every_session_of_the_other_password():
    """A demo user whose password was changed, and who signed in with it, is signed out everywhere
    when seed_demo gives the demo password back: the old access and refresh tokens stop working."""
    run()
    student = User.objects.get(email="student@demo.lms")
    services.user_set_password(user=student, password="something-else-123")
    student.refresh_from_db()
    old = services.tokens_for_user(student)
    signed_in = client_for(None)
    signed_in.credentials(HTTP_AUTHORIZATION=f"Bearer {old['access']}")
    assert signed_in.get("/api/v1/auth/me/").status_code == 200

    run()

    assert signed_in.get("/api/v1/auth/me/").status_code == 401
    response = client_for(None).post("/api/v1/auth/token/refresh/", {"refresh": old["refresh"]}, format="json")
    assert response.status_code == 401
    login = client_for(None).post(
        "/api/v1/auth/login/", {"email": "student@demo.lms", "password": DEMO_PASSWORD}, format="json"
    )
    assert login.status_code == 200
