"""What the gradebook holds about a person, for privacy's export and erasure (privacy.registry).

The gradebook stores no score: a student's grades are computed from their quiz attempts and graded
submissions (the quizzes' and assignments' own data, exported and erased by those apps). The export
gives the person their gradebook row in each course they were enrolled in, as they see it in the
app (gradebook.selectors.row_for_student), and the grading schemes they last changed as staff. The
only stored link to a person, CourseGrading.updated_by, is kept: it then points at the
pseudonymised user ("Deleted user")."""

from courses.selectors import enrollment_list_for_student
from privacy.registry import Eraser, Exporter

from .models import CourseGrading
from .selectors import grading_list_updated_by, row_for_student, scheme_get


def _text(value) -> str | None:
    """A Decimal as a string (None stays None)."""
    return None if value is None else str(value)


def _grades(enrollment) -> dict:
    course = enrollment.course
    scheme = scheme_get(course)
    items, row = row_for_student(course=course, student=enrollment.student, scheme=scheme)
    return {
        "course_id": course.pk,
        "course_title": course.title,
        "enrollment_id": enrollment.pk,
        "enrollment_status": enrollment.status,
        "items": [
            {
                "id": item.id,
                "kind": item.kind,
                "object_id": item.object_id,
                "title": item.title,
                "points": _text(item.points),
                "score": _text(row.scores[item.id]),
                "score_hidden": item.hidden_from_student,
            }
            for item in items
        ],
        "categories": {name: _text(value) for name, value in row.categories.items()},
        "percent": _text(row.percent),
        "letter": row.letter,
        "passed": row.passed,
        "pass_percent": scheme.pass_percent,
    }


def gradebook_export(user) -> dict:
    """The person's gradebook rows, one per course they were ever enrolled in (active or revoked),
    computed now with the same selectors as their own grades page (five queries a course), and the
    grading schemes they last changed."""
    return {
        "grades": [_grades(enrollment) for enrollment in enrollment_list_for_student(user)],
        "grading_settings_changed": [
            {
                "course_id": grading.course_id,
                "course_title": grading.course.title,
                "quizzes_weight": grading.quizzes_weight,
                "assignments_weight": grading.assignments_weight,
                "pass_percent": grading.pass_percent,
                "letter_scale": grading.letter_scale,
                "updated_at": grading.updated_at.isoformat(),
            }
            for grading in grading_list_updated_by(user)
        ],
    }


def gradebook_erase(user) -> None:
    """Nothing to do: the gradebook stores no data of a student (their grades go with their attempts
    and submissions, which quizzes and assignments erase), and CourseGrading.updated_by is kept,
    pointing at the pseudonymised user once accounts' eraser has run. Idempotent by being empty."""


EXPORTER = Exporter(
    name="gradebook",
    models=(CourseGrading,),
    export=gradebook_export,
    describe={
        "grades": "Your gradebook row in each course you enrolled in, computed at the time of the export from "
        "your quiz attempts and graded assignments.",
        "grades.items": "Each quiz and assignment of the course: its points and your score in points (null: not "
        "attempted or not graded yet).",
        "grades.items.score_hidden": "The quiz shows students only pass or fail: its score (and the totals while "
        "it is scored) are withheld, as in the app.",
        "grades.categories": "Your percent per category (quizzes, assignments) over the items scored.",
        "grades.percent": "Your weighted total over the categories scored, with its letter and whether it reaches "
        "the course's pass_percent (passed).",
        "grades.enrollment_status": "active, or revoked (you no longer appear in the course's gradebook).",
        "grading_settings_changed": "Courses whose grading scheme (weights, pass mark, letter scale) you changed "
        "last, as their instructor or an admin.",
    },
)

ERASER = Eraser(
    name="gradebook",
    models=(CourseGrading,),
    erase=gradebook_erase,
    policy={
        "CourseGrading.updated_by": "kept, pseudonymised: the course's grading scheme stays; who last changed it "
        'reads "Deleted user"',
        "grades (computed)": "nothing stored: a student's grades are computed from their quiz attempts and graded "
        "submissions (see quizzes and assignments)",
    },
)
