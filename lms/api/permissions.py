"""Permission classes shared by every app: one small class per rule, combined with & and |."""

from rest_framework.permissions import BasePermission


def _role(request) -> str | None:
    user = request.user
    return getattr(user, "role", None) if user and user.is_authenticated else None


class IsStudent(BasePermission):
    message = "Only students can do this."

    def has_permission(self, request, view):
        return _role(request) == "student"


class IsInstructor(BasePermission):
    message = "Only instructors can do this."

    def has_permission(self, request, view):
        return _role(request) == "instructor"


class IsAdmin(BasePermission):
    message = "Only administrators can do this."

    def has_permission(self, request, view):
        return _role(request) == "admin"


class IsOwner(BasePermission):
    """Object-level: the object's `owner_field` (a view attribute, default "user") is the caller."""

    message = "You can only change your own records."

    def has_object_permission(self, request, view, obj):
        field = getattr(view, "owner_field", "user")
        return getattr(obj, f"{field}_id", None) == request.user.pk
