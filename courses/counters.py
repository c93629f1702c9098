"""The course figures the courses services keep: lesson_count (lesson_create, lesson_delete,
section_delete, course_recount_lessons) and enrollment_count (enrollment_create, enrollment_revoke).
See lms/counters.py."""

from django.db.models import Count, Q

from lms.counters import Counter, Figure, register

from . import cache
from .models import Course, EnrollmentStatus


def courses_changed(course_ids: list) -> None:
    """The catalog and each course's cached detail show these figures (after commit)."""
    for course_id in course_ids:
        cache.course_changed(course_id)


LESSON_COUNT = register(
    Counter(
        name="courses.lesson_count",
        model=Course,
        figures={"lesson_count": Figure(Count("lessons"))},
        definition="Course.lesson_count: the course's lessons, in every section.",
        repaired=courses_changed,
    )
)

ENROLLMENT_COUNT = register(
    Counter(
        name="courses.enrollment_count",
        model=Course,
        figures={
            "enrollment_count": Figure(Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE)))
        },
        definition="Course.enrollment_count: the course's active enrollments (revoked ones do not count).",
        repaired=courses_changed,
    )
)
