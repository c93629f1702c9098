"""manage.py close_expired_attempts: grades open attempts past deadline + grace; a dry run lists them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from courses.tests.factories import EnrollmentFactory
from quizzes.models import Attempt
from quizzes.services import attempt_save_answers, attempt_start
from quizzes.tests.helpers import right_answer

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("close_expired_attempts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def open_attempt(quiz, *, deadline_ago: float | None, answers: list | None = None) -> Attempt:
    """An open attempt of a fresh student, with `answers` saved in time, whose deadline was
    `deadline_ago` seconds ago (None: no deadline)."""
    student = StudentFactory()
    EnrollmentFactory(student=student, course=quiz.course)
    attempt, _ = attempt_start(student=student, quiz=quiz)
    if answers:
        attempt_save_answers(actor=student, attempt=attempt, answers=answers)
    deadline = None if deadline_ago is None else timezone.now() - timedelta(seconds=deadline_ago)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def attempts(quiz, questions, grace):
    """Two attempts past deadline + grace, one within the grace, one still running, one untimed."""
    return {
        "expired": open_attempt(quiz, deadline_ago=3600, answers=[right_answer(questions["single"])]),
        "expired_too": open_attempt(quiz, deadline_ago=120),
        "in_grace": open_attempt(quiz, deadline_ago=10),
        "running": open_attempt(quiz, deadline_ago=-300),
        "untimed": open_attempt(quiz, deadline_ago=None),
    }


def states(attempts) -> dict:
    return {
        name: Attempt.objects.values_list("submitted_at", "score", "auto_submitted").get(pk=a.pk)
        for name, a in attempts.items()
    }


def test_dry_run_lists_the_expired_attempts_and_grades_nothing(attempts):
    before = states(attempts)

    out, err = run("--dry-run")

    assert f"attempt {attempts['expired'].pk} " in out and f"attempt {attempts['expired_too'].pk} " in out
    for name in ("in_grace", "running", "untimed"):
        assert f"attempt {attempts[name].pk} " not in out
    assert out.index(f"attempt {attempts['expired'].pk} ") < out.index(f"attempt {attempts['expired_too'].pk} ")
    assert attempts["expired"].student.email in out
    assert "Dry run: would grade 2 expired attempt(s) (grace 30 s). Nothing was changed." in out
    assert states(attempts) == before
    assert err == ""


def test_real_run_grades_them_as_of_the_deadline(attempts):
    out, _ = run()

    assert "Closed 2 expired attempt(s)." in out
    after = {name: Attempt.objects.get(pk=a.pk) for name, a in attempts.items()}
    for name in ("expired", "expired_too"):
        assert after[name].submitted_at == attempts[name].deadline
        assert after[name].auto_submitted is True
    assert after["expired"].score > 0  # the answer saved in time counts
    assert after["expired_too"].score == 0
    for name in ("in_grace", "running", "untimed"):
        assert after[name].submitted_at is None
    assert "Closed 0 expired attempt(s)." in run()[0]  # safe to repeat


def test_progress_in_batches_and_a_limit(quiz, questions, grace):
    for _ in range(5):
        open_attempt(quiz, deadline_ago=600)

    out, err = run("--limit", "4", "--batch-size", "3", "--progress")

    assert "Closed 4 expired attempt(s)." in out
    assert Attempt.objects.filter(submitted_at__isnull=True).count() == 1
    assert "Grading [" in err and "3/4" in err and "4/4 100%" in err


def test_limit_applies_to_the_dry_run(quiz, questions, grace):
    for _ in range(3):
        open_attempt(quiz, deadline_ago=600)
    out, _ = run("--dry-run", "--limit", "2")
    assert "would grade 2 expired attempt(s)" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("--limit", "0"), "--limit must be at least 1"),
        (("--batch-size", "0"), "--batch-size must be at least 1"),
        (("--limit", "many"), "invalid int value"),
    ],
)
def test_bad_arguments(attempts, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert Attempt.objects.filter(submitted_at__isnull=False).count() == 0
