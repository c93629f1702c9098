from rest_framework.permissions import BasePermission

from courses.access import can_manage_course


class IsCourseManager(BasePermission):
    """Object-level: the course (or the course of a section, lesson, quiz or question) is the
    caller's own, or the caller is an admin."""

    message = "Only the course's instructor or an admin can change it."

    def has_object_permission(self, request, view, obj):
        return can_manage_course(request.user, course_of(obj))


def course_of(obj):
    """The course an object belongs to: itself, or through `course`, or a quiz's course."""
    if hasattr(obj, "course"):
        return obj.course
    if hasattr(obj, "quiz"):
        return obj.quiz.course
    return obj
