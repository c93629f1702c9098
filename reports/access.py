"""Which reports a user may build, in one place. `report_for` looks a report up by the name in the
URL and authorizes the caller in one call.

Needs:
- "admin": any report (REPORTS), over the whole platform: admins only.
- "instructor": a report with an instructor scope (ReportSpec.instructor_scope), over the caller's
  own courses: instructors (while they hold the role) only. The platform-wide ones (signups,
  active-users) do not exist for them: 404.

A name that is no report is a 404; the role is a 403 `not_allowed` (the views' role permission
classes answer it first, with their own message).
"""

from typing import Literal

from django.utils.translation import gettext

from accounts.roles import is_admin, is_instructor
from lms.access import check_need
from lms.errors import NotFound, NotPermitted

from .selectors import REPORTS, ReportSpec

Need = Literal["admin", "instructor"]
NEEDS: tuple[Need, ...] = ("admin", "instructor")


def report_for(user, name: str, *, need: Need) -> ReportSpec:
    """The report `name` as `user` may build it for `need` (see the module docstring)."""
    check_need(need, NEEDS)
    allowed = is_admin(user) if need == "admin" else is_instructor(user)
    if not allowed:
        raise NotPermitted(gettext("Not allowed for this role."), code="not_allowed")
    spec = REPORTS.get(name)
    if spec is None or (need == "instructor" and spec.instructor_scope is None):
        raise NotFound(gettext("Not found."))
    return spec
