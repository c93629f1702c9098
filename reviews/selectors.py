from django.db.models import Q, QuerySet

from accounts.roles import is_admin
from courses.selectors import course_list_for_user

from .models import Review, author_enrolled


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
        queryset = queryset.filter(Q(author_enrolled()) | Q(student=user))
    return queryset.select_related("student", "reply", "course")


def review_list_for_instructor(instructor) -> QuerySet[Review]:
    """The reviews of the instructor's courses that count (as the course pages list them)."""
    return (
        Review.objects.filter(author_enrolled(), course__instructor=instructor)
        .select_related("student", "reply", "course")
        .order_by("-created_at", "-id")
    )
