"""What courses holds about a person, for privacy's export and erasure (privacy.registry): the
courses they teach, their enrollments with their progress, and the lessons they marked done.

Erasure revokes the person's active enrollments through the courses service (so the cohort seat,
the course's figures and the rating follow, as for any revoke) and keeps everything else as
history: the rows then point at the pseudonymised user, who reads "Deleted user". A course whose
instructor is erased stays, readable by its students."""

from privacy.registry import Eraser, Exporter

from .models import Course, Enrollment
from .progress import Progress, progress_for
from .selectors import course_list_taught_by, enrollment_list_for_student, lesson_completion_list_for_student
from .services import enrollments_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _progress(progress: Progress | None) -> dict | None:
    if progress is None:
        return None
    return {
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "complete": progress.complete,
        "parts": {
            name: {"done_ids": sorted(part.done_ids), "total": part.total} for name, part in progress.parts.items()
        },
    }


def courses_export(user) -> dict:
    """The person's courses data as JSON-able rows: courses they teach (any status), their
    enrollments (active and revoked) with each one's progress now, and every lesson they completed.
    A fixed number of queries whatever the number of rows (progress_for works on the whole list)."""
    enrollments = list(enrollment_list_for_student(user))
    progress = progress_for(enrollments)
    return {
        "courses_taught": [
            {
                "id": course.pk,
                "title": course.title,
                "slug": course.slug,
                "status": course.status,
                "created_at": _iso(course.created_at),
                "published_at": _iso(course.published_at),
            }
            for course in course_list_taught_by(user)
        ],
        "enrollments": [
            {
                "id": enrollment.pk,
                "course_id": enrollment.course_id,
                "course_title": enrollment.course.title,
                "source": enrollment.source,
                "status": enrollment.status,
                "enrolled_at": _iso(enrollment.enrolled_at),
                "completed_at": _iso(enrollment.completed_at),
                "revoked_at": _iso(enrollment.revoked_at),
                "last_activity_at": _iso(enrollment.last_activity_at),
                "progress": _progress(progress.get(enrollment.pk)),
            }
            for enrollment in enrollments
        ],
        "lesson_completions": [
            {
                "id": completion.pk,
                "enrollment_id": completion.enrollment_id,
                "course_id": completion.enrollment.course_id,
                "lesson_id": completion.lesson_id,
                "lesson_title": completion.lesson.title,
                "completed_at": _iso(completion.completed_at),
            }
            for completion in lesson_completion_list_for_student(user)
        ],
    }


def courses_erase(user) -> None:
    """Revokes the person's active enrollments (courses.services.enrollments_erase_for_user);
    nothing else in courses is changed. Idempotent and resumable: see the service."""
    enrollments_erase_for_user(user=user)


EXPORTER = Exporter(
    name="courses",
    models=(Course, Enrollment),
    export=courses_export,
    describe={
        "courses_taught": "The courses you are (or were) the instructor of, in any status.",
        "courses_taught.status": "draft, published or archived.",
        "courses_taught.published_at": "When the course was last published (null: never).",
        "enrollments": "Every enrollment of yours in a course, active or revoked.",
        "enrollments.source": "How you enrolled: free, paid (through an order) or admin (granted by staff).",
        "enrollments.status": "active, or revoked (access removed: a refund or a staff decision).",
        "enrollments.completed_at": "When you completed the course (null: not completed).",
        "enrollments.revoked_at": "When the enrollment was revoked (null: it is active).",
        "enrollments.last_activity_at": "When you last marked a lesson of the course done.",
        "enrollments.progress": "Your progress at the time of the export: done and total requirements, percent, "
        "complete, and per requirement (lessons, quizzes, ...) the ids done and the total.",
        "lesson_completions": "Each lesson you marked done, with the enrollment it counts for.",
        "lesson_completions.completed_at": "When you marked the lesson done.",
    },
)

ERASER = Eraser(
    name="courses",
    models=(Course, Enrollment),
    erase=courses_erase,
    # Early: the revokes below record activity and free cohort seats, which later erasers
    # (schedules, activity, notifications) then find and treat as the rest of the person's data.
    order=20,
    policy={
        "Course.instructor": "kept, pseudonymised: the course stays readable for its students; its instructor "
        'reads "Deleted user"',
        "Enrollment.status": "active enrollments revoked (through the courses service: the cohort seat goes to "
        "the next in line, the course's figures and rating are recounted)",
        "Enrollment.student": "kept, pseudonymised: the enrollment history (source, dates, completion) stays for "
        "the course's figures and for accounting",
        "LessonCompletion (through Enrollment)": "kept, pseudonymised: progress history, with its enrollment",
    },
)
