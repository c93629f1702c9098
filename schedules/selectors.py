"""Reads of cohorts and their seats. The seat figures are annotations (one query per page, never
one per cohort)."""

from django.db.models import Count, Q, QuerySet

from courses.models import Course

from .models import SEAT_STATUSES, Cohort, CohortMember, MemberStatus


def _with_figures(queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
    return queryset.annotate(
        seats_taken=Count("members", filter=Q(members__status__in=SEAT_STATUSES), distinct=True),
        waitlist_count=Count("members", filter=Q(members__status=MemberStatus.WAITLISTED), distinct=True),
    )


def cohort_list_with_figures() -> QuerySet[Cohort]:
    """Every cohort with its seat figures and course (the admin's list)."""
    return _with_figures(Cohort.objects.select_related("course"))


def cohort_list_for_course(course: Course) -> QuerySet[Cohort]:
    """The course's cohorts, soonest first, with `seats_taken` and `waitlist_count` (the caller
    checked that the course is visible to whoever asks)."""
    return _with_figures(Cohort.objects.filter(course=course)).order_by("starts_at", "id")


def cohort_get(cohort_id: int) -> Cohort:
    """One cohort with its seat figures, as the API renders it; the caller checked access."""
    return _with_figures(Cohort.objects.filter(pk=cohort_id)).get()


def cohort_exists_for_course(course_id: int) -> bool:
    """Whether the course is taught in cohorts (else it is self-paced)."""
    return Cohort.objects.filter(course_id=course_id).exists()


def cohort_seats_taken(cohort_id: int) -> int:
    """Seats counted now: enrolled, offered and held members."""
    return CohortMember.objects.filter(cohort_id=cohort_id, status__in=SEAT_STATUSES).count()


def member_list_waiting(cohort_id: int) -> QuerySet[CohortMember]:
    """The cohort's waitlist in order: first come, first offered."""
    return CohortMember.objects.filter(cohort_id=cohort_id, status=MemberStatus.WAITLISTED).order_by(
        "waitlisted_at", "id"
    )


def member_waitlist_position(member: CohortMember) -> int:
    """The member's place in their cohort's waitlist, from 1."""
    ahead = member_list_waiting(member.cohort_id).filter(
        Q(waitlisted_at__lt=member.waitlisted_at) | Q(waitlisted_at=member.waitlisted_at, id__lt=member.pk)
    )
    return ahead.count() + 1


def member_list_for_cohort(cohort: Cohort) -> QuerySet[CohortMember]:
    """Everyone who holds or waits for a seat (and who left), in the order they came."""
    return CohortMember.objects.filter(cohort=cohort).select_related("student").order_by("created_at", "id")
