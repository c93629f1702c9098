"""Who may do what with a certificate, in one place. `certificate_for` fetches a certificate by the
id a client sent and authorizes the caller in one call; the services re-check with the predicate
below, so a caller that forgets is still refused. Anyone may check a certificate by its code (the
public verify endpoint); that is not an access to it.

Needs:
- "read" (download the PDF): the certificate's student, or an admin. Anyone else: 404 (whose
  certificate it is is nobody else's business).
- "manage" (revoke, re-issue): those who manage its course (courses.access.can_manage_course: its
  instructor while they hold the role, or an admin). The certificate's student gets 403
  `not_course_staff`; anyone else: 404.
"""

from typing import Literal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.access import can_manage_course
from courses.selectors import course_list_for_manager
from lms.access import check_need, object_or_404
from lms.errors import NotPermitted

from .models import Certificate
from .selectors import certificate_list_for_user

Need = Literal["read", "manage"]
NEEDS: tuple[Need, ...] = ("read", "manage")

MANAGE_DENIED = _("Only the course's instructor or an admin can revoke or re-issue its certificates.")


def can_manage_certificate(user, certificate: Certificate) -> bool:
    """Those who manage the certificate's course."""
    return can_manage_course(user, certificate.course)


def certificate_manager_require(actor, certificate: Certificate) -> None:
    """The services' check: `actor` manages the certificate's course (403 `not_course_staff`).
    `actor` None is the platform itself (a refund, an operator's command), which may."""
    if actor is not None and not can_manage_certificate(actor, certificate):
        raise NotPermitted(MANAGE_DENIED, code="not_course_staff")


def certificate_for(user, certificate_id, *, need: Need = "read") -> Certificate:
    """The certificate `certificate_id`, its course loaded, as `user` may use it for `need` (see
    the module docstring)."""
    check_need(need, NEEDS)
    if need == "read":
        return object_or_404(certificate_list_for_user(user).select_related("course"), certificate_id)
    if not user.is_authenticated:
        queryset = Certificate.objects.none()
    else:
        queryset = Certificate.objects.filter(Q(student=user) | Q(course__in=course_list_for_manager(user)))
    certificate = object_or_404(queryset.select_related("course"), certificate_id)
    certificate_manager_require(user, certificate)
    return certificate
