"""Who may do what with an assignment or a submission, in one place (courses.access for the course).
Each helper fetches the object by the id a client sent and authorizes the caller in one call; the
services re-check, so a caller that forgets is still refused.

Assignments (`assignment_for`), needs:
- "read": the course is visible to them (else 404) and they may open its content: an active
  enrollment, or they manage the course. Else 403 `not_enrolled`.
- "submit": visible, and an active enrollment (else 403 `not_enrolled`): whoever submits is graded
  as a student. submission_create checks it again under the assignment's row lock.
- "manage": visible, and they manage the course (its instructor while they hold the role, or an
  admin). Else 403 `not_course_staff`. Also reads every student's submissions.

Submissions (`submission_for`), needs:
- "read": the submission's student, or those who manage its course. Anyone else: 404.
- "grade": read, and they manage the course. Else 403 `not_course_staff` (a student reads their
  own work, they do not grade it).
"""

from typing import Literal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from courses.access import can_manage_course, course_require
from courses.selectors import course_list_for_user, enrollment_active_exists
from lms.access import check_need, object_or_404
from lms.errors import NotPermitted

from .models import Assignment, Submission

AssignmentNeed = Literal["read", "submit", "manage"]
ASSIGNMENT_NEEDS: tuple[AssignmentNeed, ...] = ("read", "submit", "manage")
SubmissionNeed = Literal["read", "grade"]
SUBMISSION_NEEDS: tuple[SubmissionNeed, ...] = ("read", "grade")

READ_DENIED = _("Enroll in this course to see its assignments.")
SUBMIT_DENIED = _("Enroll in this course to submit work.")
MANAGE_DENIED = _("Only the course's instructor or an admin can do this.")


def can_manage_assignment(user, assignment: Assignment) -> bool:
    return can_manage_course(user, assignment.course)


def assignment_for(user, assignment_id, *, need: AssignmentNeed = "read") -> Assignment:
    """The assignment `assignment_id`, its course loaded, as `user` may use it for `need` (see the
    module docstring)."""
    check_need(need, ASSIGNMENT_NEEDS)
    queryset = Assignment.objects.filter(course__in=course_list_for_user(user)).select_related(
        "course__instructor", "section"
    )
    assignment = object_or_404(queryset.prefetch_related("criteria"), assignment_id)
    if need == "read":
        course_require(user, assignment.course, need="learn", message=READ_DENIED)
    elif need == "submit":
        if not (user.is_authenticated and enrollment_active_exists(student=user, course=assignment.course)):
            raise NotPermitted(SUBMIT_DENIED, code="not_enrolled")
    else:
        course_require(user, assignment.course, need="manage", message=MANAGE_DENIED)
    return assignment


def submission_list_for_user(user) -> QuerySet[Submission]:
    """The submissions `user` may read: their own, and every one in the courses they manage."""
    if not user.is_authenticated:
        return Submission.objects.none()
    if user.is_admin:
        return Submission.objects.all()
    return Submission.objects.filter(
        Q(student=user) | Q(assignment__course__instructor=user, assignment__course__instructor__role="instructor")
    )


def submission_for(user, submission_id, *, need: SubmissionNeed = "read") -> Submission:
    """The submission `submission_id`, its assignment and course loaded, as `user` may use it for
    `need` (see the module docstring)."""
    check_need(need, SUBMISSION_NEEDS)
    queryset = (
        submission_list_for_user(user)
        .select_related("assignment__course", "student", "grade__graded_by")
        .prefetch_related("submission_files__upload")
    )
    submission = object_or_404(queryset, submission_id)
    if need == "grade" and not can_manage_course(user, submission.assignment.course):
        raise NotPermitted(MANAGE_DENIED, code="not_course_staff")
    return submission
