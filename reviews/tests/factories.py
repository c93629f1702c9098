"""Reviews and replies made through the services, so the course's stored figures stay as the
application keeps them; plus the fresh computation the tests compare those figures with."""

from decimal import ROUND_HALF_UP, Decimal

import factory

from accounts.tests.factories import StudentFactory
from courses.models import Course, Enrollment, EnrollmentStatus
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from reviews import services
from reviews.models import InstructorReply, Review


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review by a student enrolled in the course (enrolled here if not yet)."""

    class Meta:
        model = Review

    course = factory.SubFactory(PublishedCourseFactory)
    student = factory.SubFactory(StudentFactory)
    rating = 4
    comment = factory.Sequence(lambda n: f"Review number {n}")

    @classmethod
    def _create(cls, model_class, *, course, student, rating, comment):
        if not Enrollment.objects.filter(student=student, course=course).exists():
            EnrollmentFactory(student=student, course=course)
        return services.review_create(course=course, student=student, rating=rating, comment=comment)


class InstructorReplyFactory(factory.django.DjangoModelFactory):
    """The course instructor's reply to a review."""

    class Meta:
        model = InstructorReply

    review = factory.SubFactory(ReviewFactory)
    body = factory.Sequence(lambda n: f"Thank you, reviewer {n}")

    @classmethod
    def _create(cls, model_class, *, review, body):
        return services.reply_create(review=review, author=review.course.instructor, body=body)


def fresh_figures(course_id: int) -> tuple[int, Decimal, dict[str, int]]:
    """rating_count, average_rating and rating_distribution computed now, in Python, from the rows:
    the reviews whose author is enrolled in the course (active), or that counted when their author
    was erased (counts_after_erasure)."""
    enrolled = set(
        Enrollment.objects.filter(course_id=course_id, status=EnrollmentStatus.ACTIVE).values_list(
            "student_id", flat=True
        )
    )
    reviews = Review.objects.filter(course_id=course_id).values_list("student_id", "rating", "counts_after_erasure")
    ratings = [rating for student_id, rating, kept in reviews if kept or student_id in enrolled]
    distribution = {str(stars): ratings.count(stars) for stars in range(1, 6)}
    average = (
        (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"), ROUND_HALF_UP) if ratings else Decimal("0.00")
    )
    return len(ratings), average, distribution


def stored_figures(course_id: int) -> tuple[int, Decimal, dict[str, int]]:
    """The figures as stored on the course row."""
    course = Course.objects.get(pk=course_id)
    return course.rating_count, course.average_rating, course.rating_distribution


def assert_figures_exact(course_id: int) -> None:
    assert stored_figures(course_id) == fresh_figures(course_id)


def reviews_url(course) -> str:
    return f"/api/v1/courses/{course.pk}/reviews/"
