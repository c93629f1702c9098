"""Who may do what with a cohort (courses.access for its course). `cohort_for` fetches the cohort by
the id a client sent and authorizes the caller in one call; the services re-check.

Needs:
- "read": the cohort's course is visible to the user (courses.access: published, their own, one
  they are enrolled in, any for an admin; anonymous users see published courses). Else 404.
- "manage": read, and they manage the course (its instructor while they hold the role, or an
  admin). Else 403 `not_course_staff`.

A live session (`live_session_for`) is seen only by the course's staff and its audience: students
with an active enrollment in the course, and, when the session names a cohort, seated (`enrolled`)
in that cohort. Anyone else (a student of another cohort, a student not enrolled, another
instructor) is told it does not exist: 404, and it is absent from the course's list.
- "read": staff or audience (join_url included). Else 404.
- "manage": read, and they manage the course. Else 403 `not_course_staff`.
"""

from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.access import can_manage_course, course_require
from courses.models import Course
from courses.selectors import course_visible_q
from lms.access import check_need, object_or_404
from lms.errors import NotFound

from .models import Cohort, LiveSession
from .selectors import live_session_in_audience

CohortNeed = Literal["read", "manage"]
COHORT_NEEDS: tuple[CohortNeed, ...] = ("read", "manage")

MANAGE_DENIED = gettext_lazy("Only the course's instructor or an admin can change its cohorts.")
SESSION_MANAGE_DENIED = gettext_lazy("Only the course's instructor or an admin can change its live sessions.")


def cohort_for(user, cohort_id, *, need: CohortNeed = "read") -> Cohort:
    """The cohort `cohort_id`, its course loaded, as `user` may use it for `need` (see the module
    docstring)."""
    check_need(need, COHORT_NEEDS)
    visible = Course.objects.filter(course_visible_q(user))
    cohort = object_or_404(Cohort.objects.filter(course__in=visible).select_related("course"), cohort_id)
    if need == "manage":
        course_require(user, cohort.course, need="manage", message=MANAGE_DENIED)
    return cohort


def live_session_for(user, session_id, *, need: CohortNeed = "read") -> LiveSession:
    """The live session `session_id`, its course and cohort loaded, as `user` may use it for `need`
    (see the module docstring: 404 unless staff or in its audience)."""
    check_need(need, COHORT_NEEDS)
    visible = Course.objects.filter(course_visible_q(user))
    session = object_or_404(
        LiveSession.objects.filter(course__in=visible).select_related("course", "cohort"), session_id
    )
    if can_manage_course(user, session.course):
        return session
    if not (user and user.is_authenticated and live_session_in_audience(session, user.pk)):
        raise NotFound(_("Not found."))
    if need == "manage":
        course_require(user, session.course, need="manage", message=SESSION_MANAGE_DENIED)
    return session
