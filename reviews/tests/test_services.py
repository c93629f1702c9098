"""The services are the last line of defence: each write checks who acts, whoever calls it (the API,
the admin, the shell)."""

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from accounts.tests.factories import StudentFactory
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from lms.errors import NotFound, NotPermitted
from reviews import services
from reviews.models import InstructorReply, Review

from .factories import InstructorReplyFactory, ReviewFactory, assert_figures_exact

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor)


@pytest.fixture
def review(course, student):
    return ReviewFactory(course=course, student=student, rating=4, comment="Solid")


@pytest.fixture
def enrolled_bystander(course):
    """Another student of the course (not the review's author)."""
    bystander = StudentFactory()
    EnrollmentFactory(student=bystander, course=course)
    return bystander


def test_only_the_author_and_admins_edit_a_review(review, enrolled_bystander, instructor, other_instructor, admin_user):
    for wrong in (enrolled_bystander, instructor, other_instructor):
        with pytest.raises(NotPermitted):
            services.review_update(review=review, actor=wrong, data={"rating": 1})
    assert Review.objects.get(pk=review.pk).rating == 4
    services.review_update(review=review, actor=review.student, data={"rating": 5})
    assert Review.objects.get(pk=review.pk).rating == 5
    services.review_update(review=review, actor=admin_user, data={"comment": "Moderated"})
    assert Review.objects.get(pk=review.pk).comment == "Moderated"
    assert_figures_exact(review.course_id)


def test_only_the_author_and_admins_delete(course, enrolled_bystander, instructor, other_instructor, admin_user):
    mine, other = ReviewFactory(course=course), ReviewFactory(course=course)
    for wrong in (enrolled_bystander, instructor, other_instructor):
        with pytest.raises(NotPermitted):
            services.review_delete(review=mine, actor=wrong)
    assert Review.objects.filter(pk=mine.pk).exists()
    services.review_delete(review=mine, actor=mine.student)
    services.review_delete(review=other, actor=admin_user)
    assert not Review.objects.filter(course=course).exists()
    assert_figures_exact(course.pk)


def test_an_edit_of_a_deleted_review_is_404(review):
    stale = Review.objects.get(pk=review.pk)
    services.review_delete(review=review, actor=review.student)
    with pytest.raises(NotFound):
        services.review_update(review=stale, actor=stale.student, data={"rating": 1})


def test_an_edit_already_made_in_memory_is_saved_and_counted(review, admin_user):
    """The admin's form sets the fields on its copy before save_model calls the service."""
    review.rating = 1
    services.review_update(review=review, actor=admin_user, data={"rating": 1})
    assert Review.objects.get(pk=review.pk).rating == 1
    assert_figures_exact(review.course_id)


def test_only_the_courses_instructor_replies(review, student, other_instructor, admin_user, instructor):
    for wrong in (student, other_instructor, admin_user):
        with pytest.raises(NotPermitted):
            services.reply_create(review=review, author=wrong, body="Hi")
    assert not InstructorReply.objects.exists()
    services.reply_create(review=review, author=instructor, body="Thanks")
    assert InstructorReply.objects.get().body == "Thanks"


def test_only_the_courses_instructor_edits_and_deletes_the_reply(review, student, other_instructor, admin_user):
    reply = InstructorReplyFactory(review=review, body="Original")
    for wrong in (student, other_instructor, admin_user):
        with pytest.raises(NotPermitted):
            services.reply_update(reply=reply, actor=wrong, body="Hijacked")
        with pytest.raises(NotPermitted):
            services.reply_delete(reply=reply, actor=wrong)
    assert InstructorReply.objects.get().body == "Original"
    instructor = review.course.instructor
    assert services.reply_update(reply=reply, actor=instructor, body="Edited").body == "Edited"
    services.reply_delete(reply=reply, actor=instructor)
    assert not InstructorReply.objects.exists()


def test_a_demoted_instructor_no_longer_replies(review, instructor, admin_user):
    reply = InstructorReplyFactory(review=review, body="Original")
    user_set_role(actor=admin_user, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.reply_update(reply=reply, actor=instructor, body="x")
    with pytest.raises(NotPermitted):
        services.reply_delete(reply=reply, actor=instructor)
    with pytest.raises(NotPermitted):
        services.reply_create(review=ReviewFactory(course=review.course), author=instructor, body="x")
    assert InstructorReply.objects.get().body == "Original"


def test_an_edit_of_a_deleted_reply_is_404(review, instructor):
    reply = InstructorReplyFactory(review=review)
    stale = InstructorReply.objects.get(pk=reply.pk)
    services.reply_delete(reply=reply, actor=instructor)
    with pytest.raises(NotFound):
        services.reply_update(reply=stale, actor=instructor, body="back")


def test_reviews_are_written_by_enrolled_students_only(course, instructor, other_student):
    with pytest.raises(NotPermitted) as exc:
        services.review_create(course=course, student=other_student, rating=5)
    assert exc.value.code == "not_enrolled"
    with pytest.raises(NotPermitted) as exc:
        services.review_create(course=course, student=instructor, rating=5)
    assert exc.value.code == "own_course"
    assert not Review.objects.exists()
