"""Permission classes shared by every app: one small class per rule, combined with & and |."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.roles import is_admin, is_instructor, is_student


class IsStudent(BasePermission):
    message = _("Only students can do this.")

    def has_permission(self, request, view):
        return is_student(request.user)


class IsInstructor(BasePermission):
    message = _("Only instructors can do this.")

    def has_permission(self, request, view):
        return is_instructor(request.user)


class IsAdmin(BasePermission):
    message = _("Only administrators can do this.")

    def has_permission(self, request, view):
        return is_admin(request.user)
