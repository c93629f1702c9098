"""Every dashboard and report runs in a fixed number of queries: measured with a small platform,
then again after it grew; the count must not grow."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from activity.models import ActivityEvent
from assignments import services as assignments
from assignments.tests.factories import AssignmentFactory
from certificates.tests.factories import CertificateFactory
from courses.models import CourseStatus, Enrollment
from courses.services import enrollment_revoke
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    PublishedCourseFactory,
    SectionFactory,
)
from notifications.models import Notification
from payments.models import Order
from quizzes.models import Attempt
from quizzes.tests.factories import QuestionFactory, QuizFactory
from reviews.services import reply_create, review_create

pytestmark = pytest.mark.django_db

# Upper bounds pinned from the measured counts (auth included); they hold for any data size.
PINNED = {
    # + the required assignments (the progress registry), assignments due soon, recently graded,
    # + upcoming: the calendar's student part (enrollments, seats, lessons, quizzes, assignments,
    # live sessions) and the submissions of the assignments due, + the release anchors. 19 up to 20
    # active enrollments (the counts come from the list), 20 beyond (they are counted apart).
    ("student", "/api/v1/dashboard/student/"): 20,
    ("admin", "/api/v1/dashboard/admin/"): 8,
}
# user, courses (submissions to grade included), their current cohorts, recent reviews, recent
# enrollments (+1 to spare)
INSTRUCTOR_DASHBOARD_QUERIES = 6
REPORT_QUERIES = 3  # the user, the report, and nothing else
ADMIN_REPORTS = [
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
INSTRUCTOR_REPORTS = [
    "enrollments",
    "revenue",
    "completions",
    "quiz-attempts",
    "submissions",
    "grading-turnaround",
    "cohort-fill",
]


def grow(*, student, instructor, courses: int) -> None:
    """`courses` more courses of the instructor (each its own category, every status), each with
    a cover, students, orders, reviews with and without replies, quizzes and attempts, assignments
    (one due soon, one the student handed in and had graded, one waiting for a grade), certificates,
    notifications and activity, and the student enrolled in each."""
    from media.models import Upload

    now = timezone.now()
    for n in range(courses):
        status = [CourseStatus.PUBLISHED, CourseStatus.ARCHIVED][n % 2]
        course = PublishedCourseFactory(instructor=instructor, category=CategoryFactory(), lessons=2, status=status)
        cover = Upload.objects.create(
            owner=instructor, purpose="course_cover", status="ready", filename="c.png", content_type="image/png",
            size=10, key=f"public/{n}/c.png", expires_at=now, completed_at=now, attached_at=now, width=4, height=4,
        )  # fmt: skip
        type(course).objects.filter(pk=course.pk).update(cover=cover)
        CourseFactory(instructor=instructor, category=CategoryFactory())
        mine = EnrollmentFactory(student=student, course=course, completed_at=now if n % 2 else None)
        if mine.completed_at:
            CertificateFactory(enrollment=mine)
        others = [EnrollmentFactory(student=StudentFactory(), course=course) for _ in range(2)]
        Enrollment.objects.filter(pk=others[0].pk).update(last_activity_at=now, completed_at=now)
        enrollment_revoke(actor=None, enrollment=others[1])
        quiz = QuizFactory(course=course)
        QuestionFactory(quiz=quiz)
        for i, who in enumerate([student, others[0].student]):
            Attempt.objects.create(
                quiz=quiz,
                student=who,
                number=1,
                started_at=now,
                submitted_at=now,
                percent=Decimal("100.00"),
                passed=bool(i),
            )
        for who, status_ in ((student, "paid"), (others[1].student, "refunded")):
            Order.objects.create(
                student=who,
                course=course,
                list_price=10,
                amount=10,
                currency=["USD", "EUR"][n % 2],
                status=status_,
                paid_at=now,
                refunded_at=now if status_ == "refunded" else None,
            )
        review = review_create(course=course, student=student, rating=4)
        review_create(course=course, student=others[0].student, rating=2)
        reply_create(review=review, author=instructor, body="Thanks")
        section = SectionFactory(course=course)
        AssignmentFactory(section=section, due_at=now + datetime.timedelta(days=n + 1))
        handed_in = AssignmentFactory(section=section)
        work = assignments.submission_create(student=student, assignment=handed_in, text="Mine")
        assignments.submission_grade(actor=instructor, submission=work, score=70)
        assignments.submission_create(student=others[0].student, assignment=handed_in, text="Theirs")
        Notification.objects.create(recipient=student, type="announcement", title="News")
        ActivityEvent.objects.create(actor=student, verb="lesson_completed", course=course)


def count(client, path, django_assert_max_num_queries, bound) -> int:
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def all_paths():
    today = timezone.now().date()
    start = (today - datetime.timedelta(days=89)).isoformat()
    for interval in ("day", "week", "month"):
        for name in ADMIN_REPORTS:
            yield "admin", f"/api/v1/admin/reports/{name}/?from={start}&interval={interval}", REPORT_QUERIES
        for name in INSTRUCTOR_REPORTS:
            yield "instructor", f"/api/v1/instructor/reports/{name}/?from={start}&interval={interval}", REPORT_QUERIES
    yield "admin", f"/api/v1/admin/reports/revenue/?from={start}&currency=USD&format=csv", REPORT_QUERIES
    for (role, path), bound in PINNED.items():
        yield role, path, bound


def test_dashboards_and_reports_run_in_constant_queries(clients, student, instructor, django_assert_max_num_queries):
    grow(student=student, instructor=instructor, courses=1)
    small = {
        (role, path): count(clients[role], path, django_assert_max_num_queries, bound)
        for role, path, bound in all_paths()
    }
    grow(student=student, instructor=instructor, courses=5)
    for role, path, _ in all_paths():
        # Never more than with the small platform.
        count(clients[role], path, django_assert_max_num_queries, small[(role, path)])

    # The figures grew as built, so the measurement saw the larger data.
    body = clients["instructor"].get("/api/v1/dashboard/instructor/").json()
    assert body["totals"]["courses"] == 12 and body["totals"]["unanswered_reviews"] == 6
    assert body["totals"]["submissions_to_grade"] == 6
    student_body = clients["student"].get("/api/v1/dashboard/student/").json()
    assert student_body["active_count"] == 6
    assert len(student_body["assignments_due_soon"]) == 5 and len(student_body["recently_graded"]) == 5


def test_instructor_dashboard_runs_in_constant_queries(clients, student, instructor, django_assert_max_num_queries):
    path = "/api/v1/dashboard/instructor/"
    grow(student=student, instructor=instructor, courses=1)
    small = count(clients["instructor"], path, django_assert_max_num_queries, INSTRUCTOR_DASHBOARD_QUERIES)
    grow(student=student, instructor=instructor, courses=5)
    count(clients["instructor"], path, django_assert_max_num_queries, small)
    courses = clients["instructor"].get(path).json()["courses"]
    assert sorted(c["submissions_to_grade"] for c in courses) == [0] * 6 + [1] * 6  # a draft next to each


def test_student_dashboard_assignments_run_in_constant_queries(
    clients, student, instructor, django_assert_max_num_queries
):
    """One assignment due soon and one graded, then many of each over many courses: the same count."""
    path = "/api/v1/dashboard/student/"
    grow(student=student, instructor=instructor, courses=1)
    body = clients["student"].get(path).json()
    assert (len(body["assignments_due_soon"]), len(body["recently_graded"])) == (1, 1)
    small = count(clients["student"], path, django_assert_max_num_queries, PINNED[("student", path)])
    grow(student=student, instructor=instructor, courses=7)
    body = clients["student"].get(path).json()
    assert (len(body["assignments_due_soon"]), len(body["recently_graded"])) == (5, 5)
    assert count(clients["student"], path, django_assert_max_num_queries, small) == small
