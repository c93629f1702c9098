"""Courses' part of privacy: the export of a person's courses, enrollments and progress (theirs
only), and the erasure that revokes their active enrollments through the courses service and keeps
the history (idempotent, resumable, counters right, other people's rows untouched)."""

import json

import pytest

from accounts.tests.factories import InstructorFactory, StudentFactory
from activity.models import ActivityEvent, Verb
from courses import services
from courses.models import Course, CourseStatus, Enrollment, EnrollmentStatus, LessonCompletion
from courses.privacy import courses_erase, courses_export
from courses.tests.factories import LessonFactory, PublishedCourseFactory, SectionFactory
from lms.counters import counters_drift
from privacy import registry
from reviews.models import Review
from reviews.services import review_create

pytestmark = pytest.mark.django_db


def course_with_lessons(instructor, lessons: int = 2) -> Course:
    course = PublishedCourseFactory(instructor=instructor, lessons=0)
    section = SectionFactory(course=course)
    for _ in range(lessons):
        LessonFactory(section=section)
    course.refresh_from_db()
    return course


@pytest.fixture
def world(student, other_student, instructor, other_instructor):
    """`student` enrolled in `a` (one of its two lessons done, a review) and `b`; `other_student`
    enrolled in `a` (a lesson done, a review) and in `c`, of another instructor."""
    a, b = course_with_lessons(instructor), course_with_lessons(instructor, lessons=1)
    c = course_with_lessons(other_instructor)
    mine_a = services.enrollment_create(student=student, course=a)
    mine_b = services.enrollment_create(student=student, course=b)
    theirs_a = services.enrollment_create(student=other_student, course=a)
    theirs_c = services.enrollment_create(student=other_student, course=c)
    first_lesson = a.lessons.order_by("order", "id").first()
    services.lesson_complete(student=student, lesson=first_lesson)
    services.lesson_complete(student=other_student, lesson=first_lesson)
    review_create(course=a, student=student, rating=1, comment="Not for me")
    review_create(course=a, student=other_student, rating=5, comment="Great")
    return {"a": a, "b": b, "c": c, "mine": [mine_a, mine_b], "theirs": [theirs_a, theirs_c]}


def no_drift() -> list:
    return list(counters_drift())


def snapshot() -> dict:
    """Everything an erasure may touch in courses (and what it causes), to compare runs."""
    return {
        "enrollments": list(Enrollment.objects.order_by("pk").values()),
        "completions": list(LessonCompletion.objects.order_by("pk").values()),
        "courses": list(
            Course.objects.order_by("pk").values("pk", "instructor_id", "status", "enrollment_count", "rating_count")
        ),
        "activity": ActivityEvent.objects.count(),
    }


# --- registration ---------------------------------------------------------------------------------
def test_courses_registers_an_exporter_and_an_eraser_covering_its_user_links():
    exporter = next(e for e in registry.exporters() if e.name == "courses")
    eraser = next(e for e in registry.erasers() if e.name == "courses")
    assert {m._meta.label for m in exporter.models} == {"courses.Course", "courses.Enrollment"}
    assert {m._meta.label for m in eraser.models} == {"courses.Course", "courses.Enrollment"}
    assert exporter.describe and eraser.policy
    assert not [label for label in registry.uncovered()["erase"] if label.startswith("courses.")]
    assert not [label for label in registry.uncovered()["export"] if label.startswith("courses.")]


# --- export ---------------------------------------------------------------------------------------
def test_the_export_holds_the_students_enrollments_progress_and_completions_only(world, student):
    services.enrollment_revoke(actor=None, enrollment=world["mine"][1])
    data = json.loads(json.dumps(courses_export(student)))  # JSON-able as it is
    assert data["courses_taught"] == []
    by_course = {row["course_id"]: row for row in data["enrollments"]}
    assert sorted(row["id"] for row in data["enrollments"]) == sorted(e.pk for e in world["mine"])
    a = by_course[world["a"].pk]
    assert a["status"] == "active" and a["source"] == "free" and a["revoked_at"] is None
    assert a["course_title"] == world["a"].title
    assert a["progress"]["done"] == 1 and a["progress"]["total"] == 2 and a["progress"]["percent"] == 50
    assert a["progress"]["complete"] is False
    b = by_course[world["b"].pk]
    assert b["status"] == "revoked" and b["revoked_at"] is not None
    completions = data["lesson_completions"]
    assert [row["enrollment_id"] for row in completions] == [world["mine"][0].pk]
    mine = LessonCompletion.objects.get(enrollment=world["mine"][0])
    assert completions[0]["id"] == mine.pk and completions[0]["lesson_id"] == mine.lesson_id
    assert completions[0]["completed_at"] == mine.completed_at.isoformat()


def test_the_export_of_an_instructor_lists_the_courses_they_teach_in_any_status(world, instructor):
    draft = PublishedCourseFactory(instructor=instructor, status=CourseStatus.DRAFT, published_at=None)
    data = courses_export(instructor)
    assert [row["id"] for row in data["courses_taught"]] == [world["a"].pk, world["b"].pk, draft.pk]
    assert data["courses_taught"][2]["status"] == "draft" and data["courses_taught"][2]["published_at"] is None
    assert data["enrollments"] == [] and data["lesson_completions"] == []


def test_the_export_of_someone_with_nothing_is_empty(db):
    assert courses_export(StudentFactory()) == {"courses_taught": [], "enrollments": [], "lesson_completions": []}


# --- erasure --------------------------------------------------------------------------------------
def test_erasure_revokes_active_enrollments_and_keeps_the_history(world, student, other_student):
    theirs_before = list(Enrollment.objects.filter(student=other_student).order_by("pk").values())
    completions_before = LessonCompletion.objects.count()

    courses_erase(student)

    mine = Enrollment.objects.filter(student=student)
    assert mine.count() == 2
    assert set(mine.values_list("status", flat=True)) == {EnrollmentStatus.REVOKED}
    assert all(e.revoked_at is not None for e in mine)
    assert LessonCompletion.objects.count() == completions_before == 2  # progress kept as history
    assert list(Enrollment.objects.filter(student=other_student).order_by("pk").values()) == theirs_before
    counts = dict(Course.objects.values_list("pk", "enrollment_count"))
    assert counts == {world["a"].pk: 1, world["b"].pk: 0, world["c"].pk: 1}
    # The revoke's own effects: the activity log, and the student's review no longer counts.
    assert ActivityEvent.objects.filter(actor=student, verb=Verb.ENROLLMENT_REVOKED).count() == 2
    world["a"].refresh_from_db()
    assert world["a"].rating_count == 1 and world["a"].average_rating == 5
    assert Review.objects.filter(course=world["a"]).count() == 2  # reviews are the reviews app's business
    assert no_drift() == []


def test_a_second_erasure_changes_nothing(world, student):
    courses_erase(student)
    before = snapshot()
    assert services.enrollments_erase_for_user(user=student) == 0
    assert snapshot() == before


def test_erasure_resumes_after_dying_half_way(world, student, monkeypatch):
    real = services.enrollment_revoke
    calls = []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["enrollment"].pk)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "enrollment_revoke", dies_on_the_second)
    with pytest.raises(RuntimeError):
        courses_erase(student)
    statuses = dict(Enrollment.objects.filter(student=student).values_list("pk", "status"))
    assert sorted(statuses.values()) == [EnrollmentStatus.ACTIVE, EnrollmentStatus.REVOKED]
    assert no_drift() == []  # the first revoke committed whole, the second never started

    monkeypatch.setattr(services, "enrollment_revoke", real)
    courses_erase(student)
    assert set(Enrollment.objects.filter(student=student).values_list("status", flat=True)) == {"revoked"}
    assert ActivityEvent.objects.filter(actor=student, verb=Verb.ENROLLMENT_REVOKED).count() == 2
    assert no_drift() == []


def test_erasing_an_instructor_leaves_their_courses_and_students_alone(world, instructor):
    before = snapshot()
    courses_erase(instructor)
    assert snapshot() == before
    assert set(Course.objects.filter(instructor=instructor).values_list("pk", flat=True)) == {
        world["a"].pk,
        world["b"].pk,
    }


def test_erasure_of_someone_with_nothing_does_nothing(world):
    before = snapshot()
    courses_erase(InstructorFactory())
    assert snapshot() == before
