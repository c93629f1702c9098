"""manage.py repair_counters: --dry-run lists every drifted value and changes nothing (status 1 when it
finds drift), a run repairs them (status 0), a second run finds nothing; per counter, --counter,
--batch-size, --progress, and the help. (How drift is found and repaired: lms/tests/test_counters.py.)"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from accounts.tests.factories import StudentFactory
from courses.models import Course
from courses.tests.factories import PublishedCourseFactory
from forum import services as forum
from forum.models import Post
from lms.counters import counters
from lms.tests.counters_world import CORRUPTIONS, EXPECTED, build_world, stored

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str, int]:
    """stdout, stderr and the exit status."""
    out, err = StringIO(), StringIO()
    try:
        call_command("repair_counters", *args, stdout=out, stderr=err)
    except CommandError as exc:
        if not exc.returncode:
            raise
        return out.getvalue(), err.getvalue() + str(exc), exc.returncode
    return out.getvalue(), err.getvalue(), 0


@pytest.fixture
def world(db, stripe_emulator):
    return build_world()


@pytest.mark.parametrize(("counter", "model", "row", "field", "wrong"), CORRUPTIONS, ids=lambda v: str(v))
def test_each_counter_corrupted_is_listed_by_the_dry_run_then_repaired(world, counter, model, row, field, wrong):
    pk = getattr(world, row).pk
    model.objects.filter(pk=pk).update(**{field: wrong})
    line = f"  {model._meta.label} {pk} {field}: {wrong} -> {EXPECTED[row][field]}"

    out, err, status = run("--dry-run")

    assert status == 1 and "1 stored value(s) drifted; run `manage.py repair_counters`" in err
    assert out.splitlines() == [line, f"Dry run: 1 value(s) in 1 row(s) ({counter} 1) drifted. Nothing was changed."]
    assert stored(world)[row][field] == wrong

    out, _, status = run()

    assert status == 0
    assert out.splitlines() == [line, f"Repaired 1 value(s) in 1 row(s) ({counter} 1)."]
    assert stored(world) == EXPECTED

    out, _, status = run()
    assert status == 0 and out.startswith("No drift in ") and out.strip().endswith("nothing to repair.")
    out, _, status = run("--dry-run")
    assert status == 0 and out.startswith("Dry run: no drift in ")


@pytest.fixture
def drifted(db):
    """A course whose lesson_count says 9 (it has 2 lessons) and a thread whose vote_count says 3 (1 vote)."""
    course = PublishedCourseFactory(lessons=2)
    student = StudentFactory()
    from courses.services import enrollment_create

    enrollment_create(student=student, course=course)
    post = forum.post_create(course=course, author=student, title="Hello", body="Anyone here?")
    forum.vote_toggle(post=post, user=student)
    Course.objects.filter(pk=course.pk).update(lesson_count=9)
    Post.objects.filter(pk=post.pk).update(vote_count=3)
    return course, post


def figures(course, post) -> tuple[int, int]:
    course.refresh_from_db()
    post.refresh_from_db()
    return course.lesson_count, post.vote_count


def test_a_dry_run_lists_every_drift_and_a_summary(drifted):
    course, post = drifted

    out, _, status = run("--dry-run")

    assert status == 1
    assert out.splitlines() == [
        f"  courses.Course {course.pk} lesson_count: 9 -> 2",
        f"  forum.Post {post.pk} vote_count: 3 -> 1",
        "Dry run: 2 value(s) in 2 row(s) (courses.lesson_count 1, forum.vote_count 1) drifted. Nothing was changed.",
    ]
    assert figures(course, post) == (9, 3)


def test_counter_chooses_what_is_checked_and_repaired(drifted):
    course, post = drifted

    out, _, status = run("--counter", "forum.vote_count")

    assert status == 0
    assert out.splitlines() == [
        f"  forum.Post {post.pk} vote_count: 3 -> 1",
        "Repaired 1 value(s) in 1 row(s) (forum.vote_count 1).",
    ]
    assert figures(course, post) == (9, 1)
    out, _, status = run("--dry-run", "--counter", "forum.vote_count", "--counter", "forum.vote_count")
    assert (out, status) == ("Dry run: no drift in forum.vote_count. Nothing was changed.\n", 0)
    assert run("--dry-run", "--counter", "courses.lesson_count")[2] == 1


def test_small_batches_repair_every_row_and_progress_goes_to_stderr(db):
    courses = [PublishedCourseFactory(lessons=1) for _ in range(5)]
    Course.objects.update(lesson_count=4)

    out, err, status = run("--batch-size", "2", "--progress")

    assert status == 0
    assert out.splitlines()[-1] == "Repaired 5 value(s) in 5 row(s) (courses.lesson_count 5)."
    assert err.startswith("Repairing ") and "5 done" in err
    assert set(Course.objects.filter(pk__in=[c.pk for c in courses]).values_list("lesson_count", flat=True)) == {1}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--batch-size", "0"], "--batch-size must be at least 1."),
        (["--counter", "courses.nothing"], "invalid choice: 'courses.nothing'"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(drifted, args, error):
    with pytest.raises(CommandError, match=error.replace(".", r"\.")):
        call_command("repair_counters", *args, stdout=StringIO())
    assert figures(*drifted) == (9, 3)


def test_help_explains_every_counter_and_option_with_examples():
    command = load_command_class(get_commands()["repair_counters"], "repair_counters")
    parser = command.create_parser("manage.py", "repair_counters")
    text = parser.format_help()

    assert "\nexamples:\n  manage.py repair_counters --dry-run" in text
    for counter in counters():
        assert f"\n  {counter.name}\n      " in text
        assert counter.definition.split()[0] in text
    options = {option for action in parser._actions for option in action.option_strings}
    assert {"--dry-run", "--progress", "--batch-size", "--counter"} <= options
