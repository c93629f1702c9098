"""A demoted instructor (an admin set their role to student) loses control of their courses: the
courses are frozen (unchanged, still open to their students) until an admin reassigns them. And an
instructor, demoted or not, never enrolls in, buys or reviews their own course."""

from decimal import Decimal

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from accounts.tests.factories import InstructorFactory, StudentFactory
from conftest import client_for
from courses import services
from courses.access import can_manage_course
from courses.models import Course, CourseStatus, Enrollment
from courses.selectors import course_list_for_manager
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from lms.errors import InvalidInput, NotPermitted
from payments.models import Coupon, Order
from payments.tests.factories import CouponFactory
from quizzes.services import attempt_start
from quizzes.tests.factories import QuestionFactory, QuizFactory
from reviews.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def demoted(instructor):
    """The instructor, now a student; they own `course` (published, with a quiz and a student)."""
    return instructor


@pytest.fixture
def course(instructor):
    course = PublishedCourseFactory(instructor=instructor, price=Decimal("49.99"))
    user_set_role(actor=None, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    return course


def _manage_requests(course):
    section = course.sections.first()
    quiz = QuizFactory(course=course)
    QuestionFactory(quiz=quiz)
    draft = CourseFactory(instructor=course.instructor)
    learner = StudentFactory()
    EnrollmentFactory(student=learner, course=course)
    attempt, _ = attempt_start(student=learner, quiz=quiz)
    return {
        "edit price": ("patch", f"/api/v1/courses/{course.pk}/", {"price": "0.00"}),
        "publish": ("post", f"/api/v1/courses/{draft.pk}/publish/", None),
        "unpublish": ("post", f"/api/v1/courses/{course.pk}/unpublish/", None),
        "create coupon": ("post", f"/api/v1/courses/{course.pk}/coupons/", {"code": "FREE", "percent_off": 100}),
        "list coupons": ("get", f"/api/v1/courses/{course.pk}/coupons/", None),
        "announce": ("post", f"/api/v1/courses/{course.pk}/announcements/", {"title": "Hi", "body": "Buy"}),
        "add section": ("post", f"/api/v1/courses/{course.pk}/sections/", {"title": "More"}),
        "add lesson": ("post", f"/api/v1/sections/{section.pk}/lessons/", {"title": "Extra"}),
        "quiz results": ("get", f"/api/v1/quizzes/{quiz.pk}/results/", None),
        "a student's attempt": ("get", f"/api/v1/attempts/{attempt.pk}/", None),
        "delete course": ("delete", f"/api/v1/courses/{course.pk}/", None),
    }


MANAGE = [
    "edit price",
    "publish",
    "unpublish",
    "create coupon",
    "list coupons",
    "announce",
    "add section",
    "add lesson",
    "quiz results",
    "a student's attempt",
    "delete course",
]


@pytest.mark.parametrize("what", MANAGE)
def test_a_demoted_instructor_cannot_manage_their_course(demoted, course, what):
    method, url, data = _manage_requests(course)[what]

    response = getattr(client_for(demoted), method)(url, data, format="json")

    assert response.status_code in (403, 404), (what, response.status_code, response.content)
    course.refresh_from_db()
    assert course.price == Decimal("49.99") and course.status == CourseStatus.PUBLISHED
    assert not Coupon.objects.filter(course=course).exists()
    assert course.lessons.count() == 1 and course.sections.count() == 1


@pytest.mark.parametrize(
    "url",
    ["/api/v1/instructor/courses/", "/api/v1/dashboard/instructor/", "/api/v1/instructor/reports/enrollments/"],
)
def test_instructor_only_lists_answer_a_demoted_instructor_as_a_student(demoted, course, url):
    assert client_for(demoted).get(url).status_code == 403


def test_the_access_helpers_drop_a_demoted_instructor(demoted, course):
    draft = CourseFactory(instructor=demoted)

    assert not can_manage_course(demoted, course)
    assert not course_list_for_manager(demoted).exists()
    # Their draft is closed to them too; the published course stays in the catalog.
    assert client_for(demoted).get(f"/api/v1/courses/{draft.pk}/").status_code == 404
    assert client_for(demoted).get(f"/api/v1/courses/{course.pk}/").status_code == 200


def test_the_frozen_course_stays_open_to_its_students(instructor):
    course = PublishedCourseFactory(instructor=instructor)
    student = StudentFactory()
    EnrollmentFactory(student=student, course=course)
    user_set_role(actor=None, user=instructor, role=Role.STUDENT)

    response = client_for(student).get(f"/api/v1/courses/{course.pk}/")

    assert response.status_code == 200 and response.json()["is_enrolled"] is True


# --- never in their own course -------------------------------------------------------------------
def test_a_demoted_instructor_cannot_enroll_in_their_own_free_course(demoted):
    course = PublishedCourseFactory(instructor=demoted)
    user_set_role(actor=None, user=demoted, role=Role.STUDENT)

    response = client_for(demoted).post(f"/api/v1/courses/{course.pk}/enroll/")

    assert response.status_code == 403 and response.json()["code"] == "own_course"
    assert not Enrollment.objects.filter(course=course).exists()


def test_enrollment_create_refuses_the_courses_instructor_whatever_the_source(demoted, course):
    for source in ("free", "paid", "admin"):
        with pytest.raises(NotPermitted) as refused:
            services.enrollment_create(student=demoted, course=course, source=source)
        assert refused.value.code == "own_course"
    assert not Enrollment.objects.filter(course=course).exists()


def test_a_demoted_instructor_cannot_check_out_their_own_course_with_their_own_coupon(demoted, course):
    CouponFactory(course=course, code="MINE", percent_off=100)

    response = client_for(demoted).post(f"/api/v1/courses/{course.pk}/checkout/", {"coupon": "MINE"}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "own_course"
    assert not Order.objects.filter(course=course).exists()
    assert not Enrollment.objects.filter(course=course).exists()


def test_a_demoted_instructor_cannot_review_their_own_course(demoted, course):
    EnrollmentFactory(student=demoted, course=course)  # e.g. one made before this rule

    response = client_for(demoted).post(f"/api/v1/courses/{course.pk}/reviews/", {"rating": 5}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "own_course"
    assert not Review.objects.exists()


# --- reassignment --------------------------------------------------------------------------------
def test_an_admin_reassigns_a_frozen_course_in_the_admin(staff, demoted, course):
    new = InstructorFactory()
    picked = {"action": "reassign", "_selected_action": [course.pk]}

    page = staff.post("/admin/courses/course/", picked)
    assert page.status_code == 200 and b"Reassign" in page.content

    done = staff.post("/admin/courses/course/", {**picked, "apply": "1", "instructor": new.pk})

    assert done.status_code == 302
    course.refresh_from_db()
    assert course.instructor_id == new.pk
    new_owner, old_owner = client_for(new), client_for(demoted)
    assert new_owner.patch(f"/api/v1/courses/{course.pk}/", {"price": "9.99"}, format="json").status_code == 200
    assert new_owner.get("/api/v1/instructor/courses/").json()["results"][0]["id"] == course.pk
    assert old_owner.patch(f"/api/v1/courses/{course.pk}/", {"price": "0.00"}, format="json").status_code == 403
    course.refresh_from_db()
    assert course.price == Decimal("9.99")


def test_the_admin_action_refuses_a_non_instructor(staff, demoted, course):
    picked = {"action": "reassign", "_selected_action": [course.pk], "apply": "1"}

    page = staff.post("/admin/courses/course/", {**picked, "instructor": StudentFactory().pk})

    assert page.status_code == 200  # the form again, with its error
    course.refresh_from_db()
    assert course.instructor_id == demoted.pk


def test_course_reassign_checks_the_new_instructor_and_the_actor(admin_user, demoted, course):
    with pytest.raises(InvalidInput):
        services.course_reassign(course=course, instructor=demoted, actor=admin_user)  # a student now
    inactive = InstructorFactory(is_active=False)
    with pytest.raises(InvalidInput):
        services.course_reassign(course=course, instructor=inactive, actor=admin_user)
    new = InstructorFactory()
    with pytest.raises(NotPermitted):
        services.course_reassign(course=course, instructor=new, actor=new)

    services.course_reassign(course=course, instructor=new, actor=admin_user)

    assert Course.objects.get(pk=course.pk).instructor_id == new.pk
    assert can_manage_course(new, Course.objects.get(pk=course.pk))


def test_a_demoted_instructor_no_longer_moderates_their_courses_forum(demoted, course, admin_user):
    from forum import services as forum

    student = StudentFactory()
    EnrollmentFactory(student=student, course=course)
    post = forum.post_create(course=course, author=student, title="Spam?", body="Cheap watches")
    forum.item_set_hidden(item=post, actor=admin_user, hidden=True)
    client = client_for(demoted)

    assert client.get(f"/api/v1/forum/posts/{post.pk}/").status_code == 404  # hidden: moderators only
    assert client.post(f"/api/v1/forum/posts/{post.pk}/pin/").status_code in (403, 404)
    for url in ("/api/v1/forum/reports/", "/api/v1/forum/moderation-log/"):
        response = client.get(url)
        assert response.status_code == 403 or response.json()["results"] == [], (url, response.content)


def test_a_demoted_instructor_cannot_reply_to_reviews_of_their_course(demoted, course):
    from reviews.services import review_create

    student = StudentFactory()
    EnrollmentFactory(student=student, course=course)
    review = review_create(student=student, course=course, rating=1, comment="Meh")

    response = client_for(demoted).post(f"/api/v1/reviews/{review.pk}/reply/", {"body": "Thanks"}, format="json")

    assert response.status_code in (403, 404), response.content
    assert not review.__class__.objects.filter(pk=review.pk, reply__isnull=False).exists()
