"""Who may do what with a cohort (courses.access for its course). `cohort_for` fetches the cohort by
the id a client sent and authorizes the caller in one call; the services re-check.

Needs:
- "read": the cohort's course is visible to the user (courses.access: published, their own, one
  they are enrolled in, any for an admin; anonymous users see published courses). Else 404.
- "manage": read, and they manage the course (its instructor while they hold the role, or an
  admin). Else 403 `not_course_staff`.
"""

from typing import Literal

from courses.access import course_require
from courses.models import Course
from courses.selectors import course_visible_q
from lms.access import check_need, object_or_404

from .models import Cohort

CohortNeed = Literal["read", "manage"]
COHORT_NEEDS: tuple[CohortNeed, ...] = ("read", "manage")

MANAGE_DENIED = "Only the course's instructor or an admin can change its cohorts."


def cohort_for(user, cohort_id, *, need: CohortNeed = "read") -> Cohort:
    """The cohort `cohort_id`, its course loaded, as `user` may use it for `need` (see the module
    docstring)."""
    check_need(need, COHORT_NEEDS)
    visible = Course.objects.filter(course_visible_q(user))
    cohort = object_or_404(Cohort.objects.filter(course__in=visible).select_related("course"), cohort_id)
    if need == "manage":
        course_require(user, cohort.course, need="manage", message=MANAGE_DENIED)
    return cohort
