"""Who may open the moderation queues at all; which reports and log entries each moderator sees is
the selectors' scoping, and acting on one is forum.access's `report_for`."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.roles import is_admin, is_instructor


class ModeratesForums(BasePermission):
    message = _("Only instructors and admins moderate forums.")

    def has_permission(self, request, view):
        return is_instructor(request.user) or is_admin(request.user)
