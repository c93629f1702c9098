"""Progress and completion under release rules (courses.progress): for a student seated in a cohort,
the lessons, required quizzes and required assignments whose time rule opens them only after the
cohort's end are left out of what there is to do, so the course completes without them; an item
opening before the end but not yet open counts as not done. A self-paced student counts every item.

Checked through courses.progress.progress_for and GET /api/v1/courses/{id}/progress/, with the clock
stopped (time_machine.travel(..., tick=False)) one second before, exactly at and one second after
the cohort's end. Requests at a moment and items written by the instructor through the API are
test_release_rules' helpers."""

import pytest
import time_machine

from courses.models import Enrollment
from courses.progress import progress_for
from courses.services import enrollment_create
from courses.tests.factories import PublishedCourseFactory, SectionFactory
from courses.tests.test_release_rules import (
    DAY,
    SECOND,
    T0,
    ZERO,
    complete,
    create_assignment,
    create_lesson,
    create_quiz,
    graded,
    ok,
    send,
    take,
)
from schedules.models import CohortMember, MemberStatus
from schedules.tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

STARTS = T0 + 7 * DAY  # the cohort's start
ENDS = STARTS + 30 * DAY  # and its end
PART = {"lesson": "lessons", "quiz": "quizzes", "assignment": "assignments"}
# An item opening one second before, exactly at or one second after the cohort's end.
AROUND_THE_END = pytest.mark.parametrize(
    "offset", [-SECOND, ZERO, SECOND], ids=["second_before_end", "exactly_at_end", "second_after_end"]
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor, lessons=0)


@pytest.fixture
def section(course):
    return SectionFactory(course=course)


def cohort_of(course, *, ends_at=ENDS):
    return CohortFactory(course=course, starts_at=STARTS, ends_at=ends_at, enrollment_closes_at=STARTS, capacity=None)


def seated(student, cohort) -> Enrollment:
    """`student` enrolled through the cohort (a seat `enrolled`), at T0."""
    return enrollment_create(student=student, course=cohort.course, cohort=cohort.pk)


def self_paced(student, course) -> Enrollment:
    """`student` enrolled without a seat (an admin's grant needs no cohort), at T0."""
    return enrollment_create(student=student, course=course, source="admin")


def create_item(kind: str, section, **rules):
    """A lesson, or a required quiz or assignment, with `rules`."""
    if kind == "lesson":
        return create_lesson(section, **rules)
    if kind == "quiz":
        return create_quiz(section.course, is_required=True, **rules)
    return create_assignment(section, is_required=True, **rules)


def totals(enrollment: Enrollment) -> dict[str, int]:
    progress = progress_for([Enrollment.objects.select_related("course").get(pk=enrollment.pk)])[enrollment.pk]
    return {name: part.total for name, part in progress.parts.items()}


def progress_page(enrollment: Enrollment, *, when=T0) -> dict:
    return ok(send(enrollment.student, "get", f"/api/v1/courses/{enrollment.course_id}/progress/", when=when))


def completed_at(enrollment: Enrollment):
    return Enrollment.objects.get(pk=enrollment.pk).completed_at


# --- what there is to do ---------------------------------------------------------------------------
@AROUND_THE_END
@pytest.mark.parametrize("kind", ["lesson", "quiz", "assignment"])
def test_an_item_opening_after_the_cohort_end_is_left_out(student, other_student, course, section, kind, offset):
    create_lesson(section)
    create_item(kind, section, available_from=ENDS + offset)
    in_cohort, alone = seated(student, cohort_of(course)), self_paced(other_student, course)
    counted = offset <= ZERO  # what opens by the end, the end itself included, can be done in the run

    everything = {"lessons": 1, "quizzes": 0, "assignments": 0}
    everything[PART[kind]] += 1
    expected = {**everything, PART[kind]: everything[PART[kind]] - (not counted)}
    assert totals(in_cohort) == expected
    assert totals(alone) == everything
    # Both at once, each with their own anchor.
    both = progress_for(Enrollment.objects.select_related("course").filter(pk__in=[in_cohort.pk, alone.pk]))
    assert {pk: p.total for pk, p in both.items()} == {
        in_cohort.pk: sum(expected.values()),
        alone.pk: sum(everything.values()),
    }
    page = progress_page(in_cohort)
    assert (page["lessons_total"], page["quizzes_total"]) == (expected["lessons"], expected["quizzes"])


@pytest.mark.parametrize(
    "offset", [-SECOND, ZERO, SECOND], ids=["run_ends_a_second_before", "run_ends_then", "run_ends_a_second_after"]
)
def test_days_after_the_cohort_start_landing_after_its_end_are_left_out(
    student, other_student, course, section, offset
):
    create_lesson(section)
    create_lesson(section, available_after_days=30)  # opens at STARTS + 30 days for the cohort
    create_quiz(course, is_required=True, available_after_days=30)
    in_cohort = seated(student, cohort_of(course, ends_at=STARTS + 30 * DAY + offset))
    alone = self_paced(other_student, course)
    counted = offset >= ZERO  # the cohort ends at or after the items open

    assert totals(in_cohort) == {"lessons": 1 + counted, "quizzes": int(counted), "assignments": 0}
    assert totals(alone) == {"lessons": 2, "quizzes": 1, "assignments": 0}


def test_what_requires_an_item_left_out_is_left_out_too(student, other_student, course, section):
    create_lesson(section)
    late = create_quiz(course, is_required=True, available_from=ENDS + SECOND)  # never opens in the run
    work = create_assignment(  # no date of its own, but it waits for the late quiz
        section, is_required=True, requires_passing=[{"kind": "quiz", "id": late.pk}]
    )
    create_lesson(section, requires_passing=[{"kind": "assignment", "id": work.pk}])  # and this waits for it
    create_lesson(section, is_preview=True, requires_passing=[{"kind": "quiz", "id": late.pk}])  # open to anyone
    in_cohort, alone = seated(student, cohort_of(course)), self_paced(other_student, course)

    assert totals(in_cohort) == {"lessons": 2, "quizzes": 0, "assignments": 0}
    assert totals(alone) == {"lessons": 3, "quizzes": 1, "assignments": 1}


def test_only_an_enrolled_seat_makes_a_cohort_run(student, course, section):
    cohort = cohort_of(course)
    create_lesson(section)
    create_lesson(section, available_from=ENDS + SECOND)
    enrollment = self_paced(student, course)
    CohortMember.objects.create(cohort=cohort, student=student, status=MemberStatus.WAITLISTED, waitlisted_at=T0)

    assert totals(enrollment)["lessons"] == 2


# --- completing the course -------------------------------------------------------------------------
@pytest.fixture
def late_items(course, section):
    """A lesson to do, and a lesson, a required quiz and a required assignment opening a second after
    the cohort's end."""
    lesson = create_lesson(section)
    after_end = {"available_from": ENDS + SECOND}
    create_lesson(section, **after_end)
    create_item("quiz", section, **after_end)
    create_item("assignment", section, **after_end)
    return lesson


def test_a_cohort_student_completes_without_what_opens_after_the_end(student, course, late_items):
    enrollment = seated(student, cohort_of(course))

    done = ok(complete(student, late_items, when=STARTS))

    assert (done["progress_percent"], done["lessons_total"], done["quizzes_total"]) == (100, 1, 0)
    assert completed_at(enrollment) == STARTS
    page = progress_page(enrollment, when=STARTS)
    assert (page["progress_percent"], page["completed_lessons"], page["completed_at"]) == (
        100,
        [late_items.pk],
        STARTS.isoformat().replace("+00:00", "Z"),
    )


def test_a_self_paced_student_counts_every_item(other_student, course, late_items):
    enrollment = self_paced(other_student, course)

    done = ok(complete(other_student, late_items, when=STARTS))

    assert (done["progress_percent"], done["lessons_total"], done["quizzes_total"]) == (25, 2, 1)  # 1 of 4
    assert completed_at(enrollment) is None


def test_an_item_opening_before_the_end_counts_until_it_is_done(student, course, section, late_items):
    """The course completes once the items opening before the end have opened and been done: here
    the last is a quiz opening a day before the end, passed then."""
    opens = ENDS - DAY
    lesson = create_lesson(section, available_from=opens)
    quiz = create_item("quiz", section, available_from=opens)
    work = create_item("assignment", section)
    enrollment = seated(student, cohort_of(course))

    ok(complete(student, late_items, when=STARTS))
    graded(student, work, 100, when=STARTS)
    page = progress_page(enrollment, when=STARTS)
    assert (page["lessons_total"], page["quizzes_total"], page["completed_at"]) == (2, 1, None)
    assert page["progress_percent"] == 50  # 2 of 4: a lesson and the assignment
    assert complete(student, lesson, when=opens - SECOND).status_code == 403  # not open yet

    ok(complete(student, lesson, when=opens))
    assert completed_at(enrollment) is None
    assert take(student, quiz, right=True, when=opens)["passed"] is True
    assert completed_at(enrollment) == opens
    assert progress_page(enrollment, when=opens)["progress_percent"] == 100


def test_a_required_assignment_graded_last_completes_the_run(student, course, section, late_items):
    work = create_item("assignment", section, available_from=ENDS)  # opens exactly at the end: counted
    enrollment = seated(student, cohort_of(course))

    ok(complete(student, late_items, when=STARTS))
    assert completed_at(enrollment) is None

    graded(student, work, 100, when=ENDS)
    assert completed_at(enrollment) == ENDS
