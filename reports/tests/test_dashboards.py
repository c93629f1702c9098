"""The three dashboards: who may read them, and figures that match hand-counted fixtures."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import InstructorFactory, StudentFactory
from certificates.tests.factories import CertificateFactory
from courses.models import CourseStatus, Enrollment, Lesson
from courses.services import enrollment_revoke, lesson_complete
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from forum.models import Report, ReportStatus
from forum.tests.factories import PostFactory
from notifications.models import Notification
from payments.models import Order
from quizzes.models import Attempt
from quizzes.tests.factories import QuestionFactory, QuizFactory
from reviews.services import reply_create, review_create

pytestmark = pytest.mark.django_db

DASHBOARDS = {
    "/api/v1/dashboard/student/": "student",
    "/api/v1/dashboard/instructor/": "instructor",
    "/api/v1/dashboard/admin/": "admin",
}
ROLE_OF = {
    "anonymous": None,
    "student": "student",
    "other_student": "student",
    "instructor": "instructor",
    "other_instructor": "instructor",
    "admin": "admin",
}


def ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def order(student, course, amount, *, status="paid", currency="USD", when=None):
    when = when or timezone.now()
    return Order.objects.create(
        student=student,
        course=course,
        list_price=amount,
        amount=amount,
        currency=currency,
        status=status,
        paid_at=when if status in ("paid", "refunded") else None,
        refunded_at=when if status == "refunded" else None,
    )


def attempt(quiz, student, number, *, passed, submitted=True, when=None):
    when = when or timezone.now()
    return Attempt.objects.create(
        quiz=quiz,
        student=student,
        number=number,
        started_at=when,
        submitted_at=when if submitted else None,
        score=Decimal("1") if passed else Decimal("0"),
        max_score=Decimal("1"),
        percent=Decimal("100.00") if passed else Decimal("0.00"),
        passed=passed if submitted else None,
    )


# --- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", list(DASHBOARDS))
@pytest.mark.parametrize("role", list(ROLE_OF))
def test_dashboard_roles(clients, path, role):
    response = clients[role].get(path)
    if role == "anonymous":
        assert response.status_code == 401
    elif ROLE_OF[role] == DASHBOARDS[path]:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403
        assert "detail" in response.json()


# --- student -------------------------------------------------------------------------------------
def test_student_dashboard_figures(clients, student, other_student, instructor):
    learning = PublishedCourseFactory(instructor=instructor, lessons=3, title="Learning")
    lessons = list(Lesson.objects.filter(course=learning).order_by("section__order", "order", "id"))
    with time_machine.travel(ago(days=3), tick=False):
        EnrollmentFactory(student=student, course=learning)
    lesson_complete(student=student, lesson=lessons[0])

    finished = PublishedCourseFactory(instructor=instructor, lessons=1, title="Finished")
    with time_machine.travel(ago(days=5), tick=False):
        done = EnrollmentFactory(student=student, course=finished)
    lesson_complete(student=student, lesson=finished.lessons.get())
    done.refresh_from_db()
    assert done.completed_at is not None
    certificate = CertificateFactory(enrollment=done)

    dropped = PublishedCourseFactory(instructor=instructor, lessons=1, title="Dropped")
    enrollment_revoke(actor=None, enrollment=EnrollmentFactory(student=student, course=dropped))
    EnrollmentFactory(student=other_student, course=dropped)  # someone else's

    quiz = QuizFactory(course=learning, title="Checkpoint")
    QuestionFactory(quiz=quiz)
    for number in range(1, 7):  # six submitted, newest last
        attempt(quiz, student, number, passed=number % 2 == 0, when=ago(hours=10 - number))
    attempt(quiz, student, 7, passed=False, submitted=False)  # still open: not a result
    attempt(quiz, other_student, 1, passed=True)

    for read_at in (None, None, timezone.now()):
        Notification.objects.create(recipient=student, type="announcement", title="Hi", read_at=read_at)
    Notification.objects.create(recipient=other_student, type="announcement", title="Not mine")

    body = clients["student"].get("/api/v1/dashboard/student/").json()

    assert body["active_count"] == 2
    assert body["completed_count"] == 1
    by_title = {e["course"]["title"]: e for e in body["enrollments"]}
    assert set(by_title) == {"Learning", "Finished"}  # the revoked one is not listed
    assert [e["course"]["title"] for e in body["enrollments"]] == ["Learning", "Finished"]  # newest first
    assert by_title["Learning"]["next_lesson"] == {"id": lessons[1].pk, "title": lessons[1].title}
    assert by_title["Learning"]["progress_percent"] == 50  # 1 of 3 lessons and the one quiz passed
    assert by_title["Finished"]["next_lesson"] is None
    assert by_title["Finished"]["progress_percent"] == 100
    assert by_title["Finished"]["completed_at"] is not None

    assert [c["id"] for c in body["certificates"]] == [certificate.pk]
    assert body["certificates"][0]["verification_code"] == certificate.verification_code
    assert body["certificates"][0]["download_url"] and body["certificates"][0]["verify_url"]

    results = body["recent_quiz_results"]
    assert [r["attempt"] for r in results] == [
        a.pk for a in Attempt.objects.filter(student=student, number__in=[6, 5, 4, 3, 2]).order_by("-number")
    ]
    assert results[0]["quiz_title"] == "Checkpoint" and results[0]["course"] == learning.pk
    assert results[0]["passed"] is True and results[1]["passed"] is False

    assert body["unread_notifications"] == 2


def test_student_dashboard_empty(clients):
    body = clients["other_student"].get("/api/v1/dashboard/student/").json()
    assert body == {
        "enrollments": [],
        "active_count": 0,
        "completed_count": 0,
        "certificates": [],
        "recent_quiz_results": [],
        "assignments_due_soon": [],
        "recently_graded": [],
        "unread_notifications": 0,
        "upcoming": [],
    }


# --- instructor ----------------------------------------------------------------------------------
@pytest.fixture
def teaching(instructor, other_instructor):
    """Hand-counted: see the assertions in test_instructor_dashboard_figures."""
    s1, s2, s3, s4 = (StudentFactory() for _ in range(4))
    main = PublishedCourseFactory(instructor=instructor, price=Decimal("50.00"), lessons=2, title="Main")
    with time_machine.travel(ago(days=60), tick=False):
        e1 = EnrollmentFactory(student=s1, course=main, source="paid")
        e2 = EnrollmentFactory(student=s2, course=main, source="paid")
        e3 = EnrollmentFactory(student=s3, course=main, source="paid")
    with time_machine.travel(ago(days=50), tick=False):
        EnrollmentFactory(student=s4, course=main)
    Enrollment.objects.filter(pk=e1.pk).update(last_activity_at=ago(days=2), completed_at=ago(days=2))
    Enrollment.objects.filter(pk=e2.pk).update(last_activity_at=ago(days=40))  # not in the last 30 days
    Enrollment.objects.filter(pk=e3.pk).update(last_activity_at=ago(days=1))
    enrollment_revoke(actor=None, enrollment=e3)  # refunded: no longer counted
    order(s1, main, Decimal("50.00"))
    order(s2, main, Decimal("50.00"))
    order(s3, main, Decimal("50.00"), status="refunded")
    order(s4, main, Decimal("50.00"), status="pending")
    with time_machine.travel(ago(days=4), tick=False):
        answered = review_create(course=main, student=s1, rating=5, comment="Great")
    with time_machine.travel(ago(days=3), tick=False):
        review_create(course=main, student=s2, rating=4, comment="Good")
    reply_create(review=answered, author=instructor, body="Thanks")
    quiz = QuizFactory(course=main)
    QuestionFactory(quiz=quiz)
    attempt(quiz, s1, 1, passed=True)
    attempt(quiz, s2, 1, passed=False)
    attempt(quiz, s2, 2, passed=True)
    attempt(quiz, s4, 1, passed=False, submitted=False)  # open: not graded

    old = PublishedCourseFactory(instructor=instructor, price=Decimal("30.00"), lessons=1, title="Old")
    with time_machine.travel(ago(days=20), tick=False):
        e5 = EnrollmentFactory(student=s1, course=old, source="paid")
    Enrollment.objects.filter(pk=e5.pk).update(last_activity_at=ago(days=5), completed_at=ago(days=6))
    order(s1, old, Decimal("30.00"))
    with time_machine.travel(ago(days=2), tick=False):
        review_create(course=old, student=s1, rating=3)
    old.status = CourseStatus.ARCHIVED
    old.save(update_fields=["status"])

    CourseFactory(instructor=instructor, title="Draft")

    theirs = PublishedCourseFactory(instructor=other_instructor, price=Decimal("99.00"), title="Theirs")
    e6 = EnrollmentFactory(student=s2, course=theirs, source="paid")
    Enrollment.objects.filter(pk=e6.pk).update(last_activity_at=ago(days=1), completed_at=ago(days=1))
    order(s2, theirs, Decimal("99.00"))
    review_create(course=theirs, student=s2, rating=1)
    return {"students": (s1, s2, s3, s4), "courses": (main, old, theirs), "e5": e5}


def test_instructor_dashboard_figures(clients, teaching):
    body = clients["instructor"].get("/api/v1/dashboard/instructor/").json()
    courses = {c["title"]: c for c in body["courses"]}
    assert set(courses) == {"Main", "Old", "Draft"}  # every status, not another instructor's

    main = courses["Main"]
    assert main["status"] == "published"
    assert main["enrollment_count"] == 3  # the revoked one is not counted
    assert main["active_students_30d"] == 1  # s1; s2 idle for 40 days, s3 revoked, s4 never active
    assert main["completions"] == 1
    assert main["completion_rate"] == pytest.approx(0.3333, abs=1e-4)
    assert main["revenue"] == "100.00"  # paid, not refunded, not pending
    assert main["average_rating"] == 4.5 and main["rating_count"] == 2
    assert main["unanswered_reviews"] == 1
    assert main["quiz_attempts"] == 3
    assert main["quiz_pass_rate"] == pytest.approx(0.6667, abs=1e-4)

    old = courses["Old"]
    assert old["status"] == "archived"
    assert (old["enrollment_count"], old["active_students_30d"], old["completions"]) == (1, 1, 1)
    assert old["completion_rate"] == 1.0
    assert old["revenue"] == "30.00"
    assert old["unanswered_reviews"] == 1
    assert old["quiz_attempts"] == 0 and old["quiz_pass_rate"] is None

    draft = courses["Draft"]
    assert draft["status"] == "draft"
    assert draft["enrollment_count"] == 0 and draft["completion_rate"] is None
    assert draft["revenue"] == "0.00" and draft["quiz_pass_rate"] is None

    assert body["totals"] == {
        "courses": 3,
        "enrollments": 4,
        "active_students_30d": 2,
        "completions": 2,
        "revenue": "130.00",
        "rating_count": 3,
        "average_rating": "4.00",
        "unanswered_reviews": 2,
        "submissions_to_grade": 0,
        "oldest_waiting_at": None,
    }
    assert [c["submissions_to_grade"] for c in body["courses"]] == [0, 0, 0]

    reviews = body["recent_reviews"]
    assert [r["rating"] for r in reviews] == [3, 4, 5]  # newest first, not another instructor's
    assert reviews[2]["reply"] is not None and reviews[0]["reply"] is None
    recent = body["recent_enrollments"]
    assert [r["course_title"] for r in recent] == ["Old", "Main", "Main", "Main", "Main"]
    assert recent[0]["id"] == teaching["e5"].pk
    assert all(r["course_title"] != "Theirs" for r in recent)


def test_instructor_dashboard_of_another_instructor(clients, teaching):
    body = clients["other_instructor"].get("/api/v1/dashboard/instructor/").json()
    assert [c["title"] for c in body["courses"]] == ["Theirs"]
    assert body["totals"]["revenue"] == "99.00" and body["totals"]["completions"] == 1
    assert [r["rating"] for r in body["recent_reviews"]] == [1]


def test_instructor_dashboard_empty(clients):
    body = clients["instructor"].get("/api/v1/dashboard/instructor/").json()
    assert body["courses"] == [] and body["recent_reviews"] == [] and body["recent_enrollments"] == []
    assert body["totals"]["revenue"] == "0.00" and body["totals"]["average_rating"] is None
    assert body["totals"]["submissions_to_grade"] == 0 and body["totals"]["oldest_waiting_at"] is None


def test_instructor_completion_rate_ignores_revoked_enrollments(clients, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    EnrollmentFactory(course=course)
    for _ in range(2):
        finished = EnrollmentFactory(course=course, completed_at=timezone.now())
        enrollment_revoke(actor=None, enrollment=finished)
    row = clients["instructor"].get("/api/v1/dashboard/instructor/").json()["courses"][0]
    assert row["enrollment_count"] == 1
    assert row["completions"] == 0
    assert row["completion_rate"] == 0.0


# --- admin ---------------------------------------------------------------------------------------
def test_admin_dashboard_figures(clients, instructor, other_instructor, student, other_student):
    # Users: the five fixture users (2 students, 2 instructors, 1 admin), all joined today, plus:
    with time_machine.travel(ago(days=3), tick=False):
        StudentFactory(is_active=False)
        StudentFactory()
    with time_machine.travel(ago(days=29), tick=False):
        InstructorFactory(is_active=False)
    with time_machine.travel(ago(days=45), tick=False):
        StudentFactory()  # outside the 30 days

    published = PublishedCourseFactory(instructor=instructor, price=Decimal("20.00"))
    PublishedCourseFactory(instructor=other_instructor)
    CourseFactory(instructor=instructor)
    archived = PublishedCourseFactory(instructor=instructor, status=CourseStatus.ARCHIVED)

    with time_machine.travel(ago(days=2), tick=False):
        EnrollmentFactory(student=student, course=published, completed_at=timezone.now())
        EnrollmentFactory(student=other_student, course=published)
    enrollment_revoke(actor=None, enrollment=EnrollmentFactory(student=student, course=archived))
    with time_machine.travel(ago(days=40), tick=False):
        EnrollmentFactory(course=archived)  # outside the 30 days

    order(student, published, Decimal("20.00"))
    order(other_student, published, Decimal("30.00"))
    order(student, archived, Decimal("20.00"), status="refunded")
    order(other_student, archived, Decimal("15.00"), currency="EUR")
    order(student, archived, Decimal("99.00"), status="pending")
    order(other_student, archived, Decimal("99.00"), status="failed")

    post = PostFactory(course=published, author=student)
    Report.objects.create(reporter=other_student, course=published, post=post, reason="spam")
    Report.objects.create(reporter=instructor, course=published, post=post, reason="rude")
    Report.objects.create(reporter=student, course=published, post=post, reason="old", status=ReportStatus.RESOLVED)

    body = clients["admin"].get("/api/v1/dashboard/admin/").json()

    assert body["users"] == {
        "student": {"active": 2 + 1 + 1 + 1, "inactive": 1},  # fixtures, 3 days ago, 45 days ago, the enrollee
        "instructor": {"active": 2, "inactive": 1},
        "admin": {"active": 1, "inactive": 0},
    }
    assert body["courses"] == {"draft": 1, "published": 2, "archived": 1}
    assert body["enrollments"] == {"total": 4, "active": 3, "revoked": 1, "completions": 1}
    assert body["revenue"] == [
        {"currency": "EUR", "gross": "15.00", "refunded": "0.00", "net": "15.00"},
        {"currency": "USD", "gross": "70.00", "refunded": "20.00", "net": "50.00"},
    ]
    assert body["open_forum_reports"] == 2

    today = timezone.now().date()
    days = [(today - datetime.timedelta(days=n)).isoformat() for n in range(29, -1, -1)]
    signups = body["signups_by_day"]
    assert [p["period"] for p in signups] == days
    values = {p["period"]: p["value"] for p in signups}
    # Today: the five fixture users; 3 days ago: two students; 29 days ago: the inactive instructor.
    # The student made 45 days ago and the one made with the 40-days-ago enrollment are outside.
    assert values[days[-1]] == 5
    assert values[days[-4]] == 2
    assert values[days[0]] == 1
    assert sum(values.values()) == 8
    enrollments = {p["period"]: p["value"] for p in body["enrollments_by_day"]}
    assert list(enrollments) == days
    assert enrollments[days[-3]] == 2 and enrollments[days[-1]] == 1
    assert sum(enrollments.values()) == 3  # the one 40 days ago is outside


def test_admin_dashboard_empty_platform(clients):
    body = clients["admin"].get("/api/v1/dashboard/admin/").json()
    assert body["revenue"] == []
    assert body["courses"] == {"draft": 0, "published": 0, "archived": 0}
    assert body["enrollments"] == {"total": 0, "active": 0, "revoked": 0, "completions": 0}
    assert len(body["signups_by_day"]) == 30 and len(body["enrollments_by_day"]) == 30
    assert all(p["value"] == 0 for p in body["enrollments_by_day"])


def test_student_dashboard_hides_the_percent_of_a_never_quiz(clients, student):
    """Under the `never` review policy a student sees pass or fail only, here as on the quiz."""
    from quizzes.models import ReviewPolicy

    course = PublishedCourseFactory()
    EnrollmentFactory(student=student, course=course)
    shown = QuizFactory(course=course, show_correct_answers=ReviewPolicy.AFTER_SUBMIT, title="Shown")
    hidden = QuizFactory(course=course, show_correct_answers=ReviewPolicy.NEVER, title="Hidden")
    for quiz in (shown, hidden):
        attempt(quiz, student, 1, passed=False)

    body = clients["student"].get("/api/v1/dashboard/student/").json()
    results = {r["quiz_title"]: r for r in body["recent_quiz_results"]}

    assert results["Shown"]["percent"] == "0.00"
    assert results["Hidden"]["percent"] is None and results["Hidden"]["passed"] is False


def test_instructor_dashboard_leaves_out_reviews_that_no_longer_count(clients, instructor):
    """A refunded or revoked student's review is hidden from the course page; the dashboard agrees."""
    course = PublishedCourseFactory(instructor=instructor)
    stays, leaves = StudentFactory(), StudentFactory()
    for student in (stays, leaves):
        EnrollmentFactory(student=student, course=course)
    review_create(student=stays, course=course, rating=5)
    review_create(student=leaves, course=course, rating=1)
    enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=leaves, course=course))

    body = clients["instructor"].get("/api/v1/dashboard/instructor/").json()

    assert [r["rating"] for r in body["recent_reviews"]] == [5]
    assert body["totals"]["unanswered_reviews"] == 1 == body["courses"][0]["unanswered_reviews"]
