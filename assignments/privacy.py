"""What assignments holds about a person, for privacy's export and erasure (privacy.registry): the
work they submitted (text, URL, files) with its grades, and, for staff, the grades they gave and the
archives they asked for.

A grader's export lists the grades they gave by id and date only: the score and the feedback are
the graded student's data. Erasure deletes the person's work (files, text, URL; submissions never
graded) and keeps graded submissions, blanked, with their scores for the gradebook; the archives of
assignments they submitted to go, zips and all (assignments.services.submissions_erase_for_user)."""

from collections.abc import Iterator

from privacy.registry import Eraser, Exporter

from .models import Grade, Submission, SubmissionArchive, SubmissionFile
from .selectors import (
    archive_list_requested_by,
    grade_list_given_by,
    submission_file_list_for_student,
    submission_list_for_export,
)
from .services import submissions_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value) -> str | None:
    return None if value is None else str(value)


def _file_paths(submission_id: int, attached: list[SubmissionFile]) -> list[str]:
    """Each file's path in the export zip, `submissions/<id>/<file name>`; a name an earlier file of
    the submission has (compared without case, as Windows and macOS would on extracting) becomes
    `name (2).ext`, and a file without a name `file-<n>`."""
    taken: set[str] = set()
    paths = []
    for n, item in enumerate(attached, start=1):
        name = item.upload.filename or f"file-{n}"
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem:
            stem, dot, ext = name, "", ""
        candidate, copy = name, 1
        while candidate.casefold() in taken:
            copy += 1
            candidate = f"{stem} ({copy}){dot}{ext}"
        taken.add(candidate.casefold())
        paths.append(f"submissions/{submission_id}/{candidate}")
    return paths


def _grade(grade: Grade, current_id: int | None) -> dict:
    return {
        "id": grade.pk,
        "current": grade.pk == current_id,
        "score": _str(grade.score),
        "rubric_scores": grade.rubric_scores,
        "late_penalty": _str(grade.late_penalty),
        "points": _str(grade.points),
        "percent": _str(grade.percent),
        "feedback": grade.feedback,
        "graded_by": grade.graded_by.full_name if grade.graded_by is not None else None,
        "graded_at": _iso(grade.graded_at),
    }


def _submission(submission: Submission) -> dict:
    attached = list(submission.submission_files.all())
    return {
        "id": submission.pk,
        "assignment_id": submission.assignment_id,
        "assignment_title": submission.assignment.title,
        "course_id": submission.assignment.course_id,
        "attempt": submission.attempt,
        "status": submission.status,
        "submitted_at": _iso(submission.submitted_at),
        "is_late": submission.is_late,
        "days_late": submission.days_late,
        "text": submission.text,
        "url": submission.url,
        "files": [
            {
                "id": item.pk,
                "filename": item.upload.filename,
                "content_type": item.upload.detected_type or item.upload.content_type,
                "size": item.upload.size,
                "path": path,
            }
            for item, path in zip(attached, _file_paths(submission.pk, attached), strict=True)
        ],
        "grades": [
            _grade(grade, submission.grade_id)
            for grade in sorted(submission.grades.all(), key=lambda g: (g.graded_at, g.pk))
        ],
    }


def assignments_export(user) -> dict:
    """The person's assignments data as JSON-able rows: their submissions (text, URL, files' names and
    paths in the zip, grade history), the grades they gave and the archives they asked for. A fixed
    number of queries whatever the number of rows."""
    return {
        "submissions": [_submission(submission) for submission in submission_list_for_export(user)],
        "grades_given": [
            {
                "id": grade.pk,
                "submission_id": grade.submission_id,
                "assignment_id": grade.submission.assignment_id,
                "assignment_title": grade.submission.assignment.title,
                "graded_at": _iso(grade.graded_at),
            }
            for grade in grade_list_given_by(user)
        ],
        "archives_requested": [
            {
                "id": archive.pk,
                "assignment_id": archive.assignment_id,
                "status": archive.status,
                "requested_at": _iso(archive.requested_at),
                "finished_at": _iso(archive.finished_at),
            }
            for archive in archive_list_requested_by(user)
        ],
    }


def assignments_files(user) -> Iterator[tuple[str, str]]:
    """(path in the zip, storage key) of every file the person submitted: the paths the export's
    `submissions.files.path` name. One query."""
    by_submission: dict[int, list[SubmissionFile]] = {}
    for item in submission_file_list_for_student(user):
        by_submission.setdefault(item.submission_id, []).append(item)
    for submission_id, attached in by_submission.items():
        for item, path in zip(attached, _file_paths(submission_id, attached), strict=True):
            if item.upload.key:
                yield path, item.upload.key


def assignments_erase(user) -> None:
    """Deletes the person's submitted work and the archives holding it, keeping graded submissions'
    scores (assignments.services.submissions_erase_for_user). Idempotent and resumable: see the
    service."""
    submissions_erase_for_user(user=user)


EXPORTER = Exporter(
    name="assignments",
    models=(Submission, SubmissionFile, Grade, SubmissionArchive),
    export=assignments_export,
    files=assignments_files,
    describe={
        "submissions": "Every piece of work you submitted to an assignment (each attempt), oldest first.",
        "submissions.assignment_id": "The assignment (assignment_title: its title; course_id: its course).",
        "submissions.attempt": "Which of your attempts at that assignment it was (1, 2, ...).",
        "submissions.status": "submitted (waiting for a grade) or graded.",
        "submissions.is_late": "Whether it came after your due date; days_late counts whole or part days.",
        "submissions.text": "The text you submitted (empty if none).",
        "submissions.url": "The link you submitted (empty if none).",
        "submissions.files": "The files you submitted: name, type, size in bytes, and path, where the file "
        "itself is in this zip.",
        "submissions.grades": "Every grading of the submission, oldest first; current marks the one that counts.",
        "submissions.grades.score": "What the grader gave (or the rubric's sum), before any late penalty.",
        "submissions.grades.rubric_scores": "Per rubric criterion: its title, the points given and its maximum.",
        "submissions.grades.points": "The score after the late penalty (late_penalty); percent of the "
        "assignment's points.",
        "submissions.grades.feedback": "The grader's comments on your work.",
        "submissions.grades.graded_by": "Who graded it.",
        "grades_given": "The grades you gave as a course's instructor or an admin: which submission and when "
        "(the score and comments belong to the student graded, so they are not here).",
        "archives_requested": "The zips of an assignment's submissions you asked for, and their status "
        "(the zips hold students' work, so they are not here).",
    },
)

ERASER = Eraser(
    name="assignments",
    models=(Submission, SubmissionFile, Grade, SubmissionArchive),
    erase=assignments_erase,
    # Before media's: a submission's file protects its upload, which this eraser deletes itself.
    order=40,
    policy={
        "Submission (not graded)": "deleted: no score to keep, and kept empty it would wait in the grading "
        "queue forever",
        "Submission (graded)": "kept, pseudonymised: the gradebook, the reports and course completion count "
        'its grade; its student reads "Deleted user"',
        "Submission.text, url": "deleted: blanked",
        "SubmissionFile": "deleted, with its upload and the stored file",
        "Grade.score, points, percent, late_penalty, rubric_scores, graded_at": "kept: the gradebook and reports",
        "Grade.feedback (on the person's work)": "deleted: blanked on every grade of their submissions",
        "Grade.graded_by": "kept, pseudonymised: grades the person gave to others stay with their feedback "
        '(the graded student\'s record); the grader reads "Deleted user"',
        "SubmissionArchive (of an assignment the person submitted to)": "deleted, with its zip: it holds their "
        "name and work (staff ask for a new one)",
        "SubmissionArchive.requested_by": "kept, pseudonymised: the zip holds students' work, not the "
        "requester's; swept a week after it is built",
    },
)
