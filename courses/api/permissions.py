from rest_framework.permissions import BasePermission

from courses.selectors import can_manage_course


class IsCourseManager(BasePermission):
    """Object-level: the course (or the course of a section or lesson) is the caller's own, or the
    caller is an admin."""

    message = "Only the course's instructor or an admin can change it."

    def has_object_permission(self, request, view, obj):
        course = getattr(obj, "course", obj)
        return can_manage_course(request.user, course)
