from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from accounts.roles import is_admin
from courses.selectors import course_list_for_user

from .models import InstructorReply, Review, author_enrolled


def review_list_for_course(course) -> QuerySet[Review]:
    """The reviews the course page lists: those that count (author_enrolled)."""
    return Review.objects.filter(author_enrolled(), course=course).select_related("student", "reply")


def review_list_for_user(user) -> QuerySet[Review]:
    """The reviews `user` may act on (edit, delete, reply), in courses they may open: those that
    count; their own whatever their enrollment (so an author whose access ended can still delete
    theirs); every one for admins (moderation)."""
    queryset = Review.objects.filter(course__in=course_list_for_user(user))
    if not user.is_authenticated:
        queryset = queryset.filter(author_enrolled())
    elif not is_admin(user):
        queryset = queryset.filter(author_enrolled() | Q(student=user))
    return queryset.select_related("student", "reply", "course")


def review_list_for_instructor(instructor) -> QuerySet[Review]:
    """The reviews of the instructor's courses that count (as the course pages list them)."""
    return (
        Review.objects.filter(author_enrolled(), course__instructor=instructor)
        .select_related("student", "reply", "course")
        .order_by("-created_at", "-id")
    )


def review_list_by_student(student) -> QuerySet[Review]:
    """Every review `student` wrote, whether it counts or not, with its course and the instructor's
    reply (the person's own data, for their export: privacy)."""
    return (
        Review.objects.filter(student=student)
        .annotate(counts=ExpressionWrapper(author_enrolled(), output_field=BooleanField()))
        .select_related("course", "reply")
        .order_by("created_at", "id")
    )


def reply_list_by_author(author) -> QuerySet[InstructorReply]:
    """Every reply `author` wrote to a review of their courses, with the review's course (the
    person's own data, for their export: privacy)."""
    return InstructorReply.objects.filter(author=author).select_related("review__course").order_by("created_at", "id")
