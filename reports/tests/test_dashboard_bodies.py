"""The student and instructor dashboards are built from `.values()` rows by plain functions
(reports.api.serializers student_dashboard_data, instructor_dashboard_data). Their output is
StudentDashboardSerializer's and InstructorDashboardSerializer's (the schema's) for the same data
read as model instances: every value, and the key order at every level, for every shape a part of
a dashboard takes (cover or not, no category, erased or nameless people, a quiz whose score is
hidden, a re-graded submission, a revoked certificate, cohorts with and without a capacity, ...),
in another language and time zone too."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from accounts.tests.factories import InstructorFactory, StudentFactory
from assignments import services as assignments
from assignments.tests.factories import AssignmentFactory
from certificates.models import Certificate
from certificates.tests.factories import CertificateFactory
from courses.models import Course, CourseStatus, Enrollment, Lesson
from courses.progress import progress_for
from courses.services import lesson_complete
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory, SectionFactory
from media.models import Upload, UploadPurpose, UploadStatus
from notifications.models import Notification
from payments.models import Order
from quizzes.models import Attempt, ReviewPolicy
from quizzes.tests.factories import QuestionFactory, QuizFactory
from reports import selectors
from reports.api.serializers import (
    InstructorDashboardSerializer,
    StudentDashboardSerializer,
    instructor_dashboard_data,
    student_dashboard_data,
)
from reports.tests.test_queries import PINNED
from reviews.selectors import review_list_for_instructor
from reviews.services import reply_create, review_create
from schedules.models import CohortMember, MemberStatus
from schedules.selectors import cohort_list_with_figures
from schedules.tests.factories import CohortFactory, LiveSessionFactory

pytestmark = pytest.mark.django_db

STUDENT = "/api/v1/dashboard/student/"
INSTRUCTOR = "/api/v1/dashboard/instructor/"
SETTINGS = [("en", "UTC"), ("fr", "Europe/Paris")]


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def soon(**delta) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def assert_same(actual: dict, expected) -> None:
    """Equal values, and the same JSON body byte for byte (so the key order at every level too)."""
    assert actual == expected
    assert JSONRenderer().render(actual) == JSONRenderer().render(expected)


def cover(owner, *, derived: bool) -> Upload:
    made = {
        "card": {"jpeg": f"public/{owner.pk}/c.jpg", "webp": f"public/{owner.pk}/c.webp", "width": 640, "height": 360},
        "thumb": {"jpeg": f"public/{owner.pk}/t.jpg", "webp": f"public/{owner.pk}/t.webp", "width": 160, "height": 90},
    }
    return Upload.objects.create(
        owner=owner,
        purpose=UploadPurpose.COURSE_COVER,
        status=UploadStatus.READY,
        filename="cover.jpg",
        content_type="image/jpeg",
        size=1000,
        key=f"public/covers/{owner.pk}-{derived}.jpg",
        width=1280,
        height=720,
        variants=made if derived else {},
        derived_at=timezone.now() if derived else None,
        expires_at=soon(days=1),
    )


def erase(user) -> None:
    user.erased_at = timezone.now()
    user.save()


def attempt(quiz, student, number, *, passed: bool, when) -> Attempt:
    return Attempt.objects.create(
        quiz=quiz,
        student=student,
        number=number,
        started_at=when,
        submitted_at=when,
        score=Decimal("1") if passed else Decimal("0"),
        max_score=Decimal("1"),
        percent=Decimal("100.00") if passed else Decimal("37.50"),
        passed=passed,
    )


# --- student -------------------------------------------------------------------------------------
@pytest.fixture
def learner(student, instructor):
    """The student in four courses of every kind of card, with progress, a finished course and its
    certificate (and a revoked one), quiz results under both score policies, work due and graded
    (one re-graded), a cohort seat with its sessions, and unread notifications."""
    instructor.first_name, instructor.last_name = "Ada", "Lovelace"
    instructor.save()
    nameless = InstructorFactory(first_name="", last_name="")
    erased = InstructorFactory(first_name="Gone", last_name="Person")

    rich = PublishedCourseFactory(
        instructor=instructor, lessons=3, price=Decimal("49.90"), cover=cover(instructor, derived=True)
    )
    Course.objects.filter(pk=rich.pk).update(
        average_rating=Decimal("4.25"), rating_count=4, rating_distribution={"1": 0, "2": 0, "3": 1, "4": 1, "5": 2}
    )
    plain = PublishedCourseFactory(
        instructor=instructor, lessons=1, category=None, cover=cover(nameless, derived=False)
    )
    cohort_course = PublishedCourseFactory(
        instructor=nameless, thumbnail_url="https://img.example.com/own.png", price=Decimal("0"), currency="EUR"
    )
    graded_course = PublishedCourseFactory(instructor=erased, lessons=2, level="advanced", language="fr")
    for course in (graded_course, cohort_course, plain, rich):
        EnrollmentFactory(student=student, course=course)
    lessons = list(Lesson.objects.filter(course=rich).order_by("section__order", "order", "id"))
    lesson_complete(student=student, lesson=lessons[0])
    lesson_complete(student=student, lesson=plain.lessons.get())
    done = Enrollment.objects.get(student=student, course=plain)
    assert done.completed_at is not None
    CertificateFactory(enrollment=done, issued_at=ago(days=1))
    left = EnrollmentFactory(
        student=student,
        course=PublishedCourseFactory(instructor=instructor),
        status="revoked",
        completed_at=ago(days=40),
    )
    CertificateFactory(
        enrollment=left,
        issued_at=ago(days=30),
        status="revoked",
        revoked_at=ago(days=2),
        revoked_reason="Issued by mistake.",
        pdf_sha256="",
    )

    hidden = QuizFactory(course=rich, title="Hidden", show_correct_answers=ReviewPolicy.NEVER)
    shown = QuizFactory(course=graded_course, title="Shown", show_correct_answers=ReviewPolicy.AFTER_SUBMIT)
    for quiz in (hidden, shown):
        QuestionFactory(quiz=quiz)
    attempt(hidden, student, 1, passed=True, when=ago(hours=5))
    attempt(shown, student, 1, passed=False, when=ago(hours=4))
    attempt(shown, student, 2, passed=True, when=ago(hours=3))

    section = SectionFactory(course=graded_course)
    AssignmentFactory(section=section, title="Essay", points=40, due_at=soon(days=3))
    for score, title in ((Decimal("70"), "Report"), (Decimal("33.5"), "Review")):
        handed_in = AssignmentFactory(section=section, title=title)
        work = assignments.submission_create(student=student, assignment=handed_in, text="Mine")
        assignments.submission_grade(actor=erased, submission=work, score=score)
    assignments.submission_grade(actor=erased, submission=work, score=Decimal("35.25"))  # a re-grade
    erase(erased)

    run = CohortFactory(course=cohort_course, name="Spring", starts_at=soon(days=2), capacity=None)
    CohortMember.objects.create(cohort=run, student=student, status=MemberStatus.ENROLLED)
    LiveSessionFactory(course=cohort_course, starts_at=soon(days=1), title="Kick-off")
    LiveSessionFactory(course=cohort_course, cohort=run, starts_at=soon(days=4), title="Q&A")
    QuizFactory(course=cohort_course, title="Checkpoint", due_at=soon(days=5))

    for read_at in (None, None, timezone.now()):
        Notification.objects.create(recipient=student, type="announcement", title="News", read_at=read_at)
    return student


def student_reference(student, data: dict, request):
    """StudentDashboardSerializer's output from model instances (as the view served it before)."""
    enrollments = list(
        Enrollment.objects.filter(student=student, status="active")
        .select_related("course__instructor", "course__category", "course__cover")
        .order_by("-enrolled_at", "-id")[:20]
    )
    next_lessons = {row["id"]: row["next_lesson"] for row in data["enrollments"]}
    for enrollment in enrollments:
        enrollment.next_lesson = next_lessons[enrollment.pk]
    body = {
        "enrollments": enrollments,
        "active_count": data["active_count"],
        "completed_count": data["completed_count"],
        "certificates": list(
            Certificate.objects.filter(student=student).select_related("course").order_by("-issued_at")[:20]
        ),
        "recent_quiz_results": list(
            Attempt.objects.filter(student=student, submitted_at__isnull=False)
            .select_related("quiz")
            .order_by("-submitted_at", "-id")[:5]
        ),
        "assignments_due_soon": list(
            selectors.assignment_list_due_soon_for_student(student).select_related("course")[:5]
        ),
        "recently_graded": list(
            selectors.submission_list_graded_for_student(student).select_related("grade", "assignment__course")[:5]
        ),
        "unread_notifications": data["unread_notifications"],
        "upcoming": selectors.upcoming_for_student(student),
    }
    context = {"progress": progress_for(enrollments), "request": request}
    return StudentDashboardSerializer(body, context=context).data


@pytest.mark.parametrize(("language", "zone"), SETTINGS)
def test_student_dashboard_is_the_serializers_output(learner, language, zone):
    request = RequestFactory().get(STUDENT, HTTP_HOST="testserver")
    with translation.override(language), timezone.override(zone):
        data = selectors.dashboard_for_student(learner)
        body = student_dashboard_data(data, request)
        assert_same(body, student_reference(learner, data, request))
    # Every part had something to show, in each of its shapes.
    assert len(body["enrollments"]) == 4 and body["completed_count"] == 1
    assert {e["next_lesson"] is None for e in body["enrollments"]} == {True, False}
    assert {e["course"]["cover"] is None for e in body["enrollments"]} == {True, False}
    assert [c["status"] for c in body["certificates"]] == ["issued", "revoked"]
    assert [r["percent"] for r in body["recent_quiz_results"]] == ["100.00", "37.50", None]
    assert [a["title"] for a in body["assignments_due_soon"]] == ["Essay"]
    assert [g["points"] for g in body["recently_graded"]] == ["35.25", "70.00"]
    assert {e["type"] for e in body["upcoming"]} == {"live_session", "cohort_start", "quiz_due", "assignment_due"}
    assert body["unread_notifications"] >= 2


def test_student_dashboard_endpoint_serves_the_same(learner, clients):
    request = RequestFactory().get(STUDENT, HTTP_HOST="testserver")
    expected = student_reference(learner, selectors.dashboard_for_student(learner), request)
    assert clients["student"].get(STUDENT).content == JSONRenderer().render(expected)


def test_more_active_enrollments_than_listed(student, clients, django_assert_max_num_queries):
    """The newest 20 are listed; the counts are of them all (read apart, one query more)."""
    for n in range(22):
        EnrollmentFactory(student=student, completed_at=timezone.now() if n % 3 == 0 else None)
    with django_assert_max_num_queries(PINNED[("student", STUDENT)]):
        body = clients["student"].get(STUDENT).json()
    assert len(body["enrollments"]) == 20
    assert (body["active_count"], body["completed_count"]) == (22, 8)


# --- instructor ----------------------------------------------------------------------------------
@pytest.fixture
def teacher(instructor):
    """Courses of every status and kind of card with every figure, cohorts (one unlimited, one
    ended), reviews with and without a reply (one by an erased student), waiting work."""
    people = [StudentFactory(), StudentFactory(first_name="", last_name=""), StudentFactory()]
    main = PublishedCourseFactory(instructor=instructor, price=Decimal("50.00"), cover=cover(instructor, derived=True))
    old = PublishedCourseFactory(instructor=instructor, category=None, cover=cover(people[0], derived=False))
    CourseFactory(instructor=instructor, title="Draft")
    for n, who in enumerate(people):
        enrollment = EnrollmentFactory(student=who, course=main, source="paid")
        Enrollment.objects.filter(pk=enrollment.pk).update(
            last_activity_at=ago(days=2 + 40 * (n % 2)), completed_at=ago(days=1) if n == 0 else None
        )
        Order.objects.create(
            student=who, course=main, list_price=50, amount=Decimal("50.00"), currency="USD", status="paid"
        )
    EnrollmentFactory(student=people[0], course=old)
    answered = review_create(course=main, student=people[0], rating=5, comment="Great")
    reply_create(review=answered, author=instructor, body="Thanks")
    review_create(course=main, student=people[1], rating=4)
    review_create(course=old, student=people[0], rating=2, comment="Dated")
    review_create(course=main, student=people[2], rating=3)
    erase(people[2])
    old.status = CourseStatus.ARCHIVED
    old.save(update_fields=["status"])
    quiz = QuizFactory(course=main)
    QuestionFactory(quiz=quiz)
    attempt(quiz, people[0], 1, passed=True, when=ago(hours=2))
    attempt(quiz, people[1], 1, passed=False, when=ago(hours=1))
    work = AssignmentFactory(section=SectionFactory(course=main))
    assignments.submission_create(student=people[0], assignment=work, text="Mine")
    CohortFactory(course=main, name="Limited", starts_at=soon(days=3), capacity=2)
    CohortFactory(course=main, name="Open", starts_at=soon(days=1), capacity=None)
    CohortFactory(course=main, name="Over", starts_at=ago(days=90), ends_at=ago(days=1))
    return instructor


def instructor_reference(instructor, data: dict):
    """InstructorDashboardSerializer's output from model instances (as the view served it before):
    the figures, which the database computes, are the rows'."""
    rows = {row["id"]: row for row in data["courses"]}
    by_id = Course.objects.select_related("instructor", "category", "cover").in_bulk(list(rows))
    current = list(cohort_list_with_figures().filter(ends_at__gt=timezone.now()).order_by("starts_at", "id"))
    courses = []
    for pk, row in rows.items():
        course = by_id[pk]
        for name in (*selectors.COURSE_FIGURES, "completion_rate", "quiz_pass_rate"):
            setattr(course, name, row[name])
        course.current_cohorts = [cohort for cohort in current if cohort.course_id == pk]
        courses.append(course)
    body = {
        "courses": courses,
        "totals": data["totals"],
        "recent_reviews": list(review_list_for_instructor(instructor).order_by("-created_at", "-id")[:5]),
        "recent_enrollments": list(
            Enrollment.objects.filter(course__instructor=instructor)
            .select_related("student", "course")
            .order_by("-enrolled_at", "-id")[:5]
        ),
    }
    return InstructorDashboardSerializer(body).data


@pytest.mark.parametrize(("language", "zone"), SETTINGS)
def test_instructor_dashboard_is_the_serializers_output(teacher, language, zone):
    with translation.override(language), timezone.override(zone):
        data = selectors.dashboard_for_instructor(teacher)
        body = instructor_dashboard_data(data)
        assert_same(body, instructor_reference(teacher, data))
        erased = translation.gettext("Deleted user")
    # Every part had something to show, in each of its shapes.
    assert [c["status"] for c in body["courses"]] == ["draft", "archived", "published"]
    main = body["courses"][2]
    assert [c["name"] for c in main["cohorts"]] == ["Open", "Limited"]
    assert [c["capacity"] for c in main["cohorts"]] == [None, 2]
    assert main["oldest_waiting_at"] is not None and main["quiz_pass_rate"] == 0.5
    assert body["courses"][0]["completion_rate"] is None and body["totals"]["average_rating"] is not None
    assert {r["reply"] is None for r in body["recent_reviews"]} == {True, False}
    assert erased in {r["student"]["full_name"] for r in body["recent_reviews"]}


def test_instructor_dashboard_endpoint_serves_the_same(teacher, clients):
    expected = instructor_reference(teacher, selectors.dashboard_for_instructor(teacher))
    assert clients["instructor"].get(INSTRUCTOR).content == JSONRenderer().render(expected)


def test_an_instructor_without_courses_costs_one_query(clients, django_assert_max_num_queries):
    """No course: no cohorts, reviews or enrollments of one to read (the user's row is cached)."""
    clients["instructor"].get(INSTRUCTOR)  # the user's row, cached
    with django_assert_max_num_queries(1):
        body = clients["instructor"].get(INSTRUCTOR).json()
    assert body["courses"] == [] and body["recent_reviews"] == [] and body["recent_enrollments"] == []
