from django.db.models import QuerySet

from courses.selectors import courses_visible_to

from .models import Review


def reviews_of_course(course) -> QuerySet[Review]:
    return Review.objects.filter(course=course).select_related("student", "reply")


def reviews_visible_to(user) -> QuerySet[Review]:
    return Review.objects.filter(course__in=courses_visible_to(user)).select_related("student", "reply", "course")


def instructor_reviews(instructor) -> QuerySet[Review]:
    return (
        Review.objects.filter(course__instructor=instructor)
        .select_related("student", "reply", "course")
        .order_by("-created_at", "-id")
    )
