"""Every write to assignments, rubrics, submissions and grades.

Submissions are the students' own work: none is changed or lost. A resubmission is a new attempt,
and a re-grade adds a Grade row (the history) and points the submission at it."""

import csv
import logging
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from courses import release
from courses.access import course_actor_require
from courses.models import Section
from courses.selectors import enrollment_get_active
from courses.services import course_lock
from lms.errors import Conflict, InvalidInput, NotPermitted
from lms.events import publish
from lms.i18n import Text, language_of, languages_of, render_in
from lms.jobs import enqueue_on_commit
from lms.services import model_update
from lms.spreadsheet import inert
from media import storage
from media.models import Upload, UploadPurpose
from media.services import upload_attach, upload_release

from . import selectors
from .models import (
    ArchiveStatus,
    Assignment,
    Grade,
    RubricCriterion,
    Submission,
    SubmissionArchive,
    SubmissionFile,
    SubmissionStatus,
    SubmissionType,
)
from .tasks import archive_build_task

logger = logging.getLogger(__name__)

ASSIGNMENT_FIELDS = (
    "title",
    "instructions",
    "points",
    "due_at",
    "due_after_days",
    *release.RULE_FIELDS,
    "submission_types",
    "allowed_file_types",
    "max_files",
    "max_attempts",
    "is_required",
    "pass_percent",
    "accept_late",
    "penalty_percent_per_day",
    "cutoff_at",
    "order",
)
CENT = Decimal("0.01")
DAY_SECONDS = 24 * 3600


def _check_rules(data: dict) -> None:
    """The rules between fields that a single field cannot state."""
    types = data.get("submission_types")
    if types is not None and (
        not types or any(t not in SubmissionType.values for t in types) or len(set(types)) != len(types)
    ):
        raise InvalidInput(
            _("Choose one or more of text, file and url, each once."), extra={"field": "submission_types"}
        )
    points = data.get("points")
    if points is not None and not 1 <= points <= 10000:
        raise InvalidInput(_("Points are from 1 to 10000."), extra={"field": "points"})
    due, cutoff = data.get("due_at"), data.get("cutoff_at")
    if due and cutoff and cutoff < due:
        raise InvalidInput(_("The cutoff cannot come before the due date."), extra={"field": "cutoff_at"})


def _rubric_set(assignment: Assignment, rubric: Sequence[dict]) -> None:
    """Replaces the rubric. A graded submission keeps the scores it was given (its Grade rows copy
    each criterion's title and points)."""
    assignment.criteria.all().delete()
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            assignment=assignment,
            title=c["title"],
            description=c.get("description", ""),
            points=c["points"],
            order=n,
        )
        for n, c in enumerate(rubric, start=1)
    )


@transaction.atomic
def assignment_create(*, actor, section: Section, rubric: Sequence[dict] = (), **data) -> Assignment:
    """Adds an assignment at the end of the section (or at `order`), with its rubric. The course's
    instructor or an admin; actor None: the platform. Locks the course row (orders stay unique)."""
    course_lock(course_id=section.course_id)
    course = section.course
    course_actor_require(actor, course)
    data.setdefault("submission_types", [SubmissionType.TEXT])
    _check_rules(data)
    data = release.rules_prepare(course=course, kind="assignment", data=data)
    if data.get("order") is None:
        data["order"] = (Assignment.objects.filter(section=section).aggregate(m=Max("order"))["m"] or 0) + 1
    assignment = Assignment.objects.create(course=course, section=section, **data)
    _rubric_set(assignment, rubric)
    return assignment


@transaction.atomic
def assignment_update(*, actor, assignment: Assignment, data: dict) -> Assignment:
    """Changes the editable fields (ASSIGNMENT_FIELDS) and, with `rubric` in `data`, replaces the
    rubric. Grades already given are kept as they were. The course's instructor or an admin; actor
    None: the platform. Locks the assignment's row, and before it the course's when
    `requires_passing` changes (release.rules_prepare: no loop of requirements)."""
    if "requires_passing" in data:
        course_lock(course_id=assignment.course_id)
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("course").get(pk=assignment.pk)
    course_actor_require(actor, assignment.course)
    data = release.rules_prepare(course=assignment.course, kind="assignment", data=data, item=assignment)
    merged = {
        field: data.get(field, getattr(assignment, field))
        for field in ("submission_types", "points", "due_at", "cutoff_at")
    }
    _check_rules(merged)
    assignment, _changed = model_update(instance=assignment, fields=ASSIGNMENT_FIELDS, data=data)
    if "rubric" in data:
        _rubric_set(assignment, data["rubric"])
    return assignment


@transaction.atomic
def assignment_delete(*, actor, assignment: Assignment) -> None:
    """Deletes an assignment nobody has submitted to; one with submissions is refused (409), so no
    student's work is lost. Its archives go too (their zips after commit). The course's instructor
    or an admin; actor None: the platform. Locks the assignment's row."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("course").get(pk=assignment.pk)
    course_actor_require(actor, assignment.course)
    if Submission.objects.filter(assignment=assignment).exists():
        raise Conflict(
            _("Students have submitted work to this assignment: it cannot be deleted."), code="has_submissions"
        )
    keys = [key for key in assignment.archives.values_list("key", flat=True) if key]
    assignment.delete()
    if keys:
        transaction.on_commit(partial(storage.delete, keys))


# --- submissions -----------------------------------------------------------------------------------
def days_late(due_at: datetime | None, at: datetime) -> int:
    """Whole days, or parts of a day, after the due date (0 when on time or without one)."""
    if due_at is None or at <= due_at:
        return 0
    return math.ceil((at - due_at).total_seconds() / DAY_SECONDS)


@transaction.atomic
def submission_create(
    *, student, assignment: Assignment, text: str = "", url: str = "", files: Sequence = ()
) -> Submission:
    """Submits the student's work as their next attempt, stamped now (late or not, against their
    own due date: due_at, or due_after_days after their anchor). Only a student with an active
    enrollment, for themselves, once the release rules open the assignment for them (else 403
    `not_yet_available` / `prerequisite`). Refused with 409: after the cutoff (`cutoff_passed`),
    late when late work is not accepted (`past_due`), with every attempt used (`attempts_used`), or,
    without an attempt limit, once a submission was graded (`already_graded`). The work must use the
    assignment's submission types (400 naming the field). Locks the assignment's row, so concurrent
    submissions take one attempt each and never pass the limit. Queues
    `submission_received` for the course's instructor."""
    from notifications.services import notify

    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("course").get(pk=assignment.pk)
    enrollment = enrollment_get_active(student=student, course=assignment.course_id)
    if enrollment is None:
        raise NotPermitted(_("Enroll in the course to submit work."), code="not_enrolled")
    due_at = release.require_open(
        user=student,
        item=assignment,
        course=assignment.course,
        enrollment=enrollment,
        message=_("This assignment is not open yet."),
    ).due_at
    now = timezone.now()
    if assignment.cutoff_at and now > assignment.cutoff_at:
        raise Conflict(_("The cutoff for this assignment has passed."), code="cutoff_passed")
    if due_at and now > due_at and not assignment.accept_late:
        raise Conflict(_("This assignment was due and does not take late work."), code="past_due")
    earlier = list(Submission.objects.filter(assignment=assignment, student=student).order_by("attempt"))
    if assignment.max_attempts is not None and len(earlier) >= assignment.max_attempts:
        message = ngettext(
            "You have used your {count} attempt at this assignment.",
            "You have used all {count} attempts at this assignment.",
            assignment.max_attempts,
        )
        raise Conflict(message.format(count=assignment.max_attempts), code="attempts_used")
    if assignment.max_attempts is None and any(s.status == SubmissionStatus.GRADED for s in earlier):
        raise Conflict(_("Your work on this assignment has been graded."), code="already_graded")
    _check_work(assignment, text=text, url=url, files=files)
    late = days_late(due_at, now)
    submission = Submission.objects.create(
        assignment=assignment,
        student=student,
        attempt=len(earlier) + 1,
        text=text,
        url=url,
        submitted_at=now,
        is_late=late > 0,
        days_late=late,
    )
    for n, upload_id in enumerate(files, start=1):
        upload = upload_attach(
            actor=student, upload_id=upload_id, purposes=UploadPurpose.SUBMISSION_FILE, field="files"
        )
        allowed = assignment.allowed_file_types
        if allowed and upload.detected_type not in allowed:
            raise InvalidInput(
                _("{filename} is {type}; this assignment takes {types}.").format(
                    filename=upload.filename, type=upload.detected_type, types=", ".join(allowed)
                ),
                code="file_type",
                extra={"field": "files"},
            )
        SubmissionFile.objects.create(submission=submission, upload=upload, order=n)
    # Lazy: notify renders the text in the instructor's language, not the student's.
    if late:
        body = gettext_lazy("{student} submitted attempt {attempt} (late).")
    else:
        body = gettext_lazy("{student} submitted attempt {attempt}.")
    notify(
        recipients=[assignment.course.instructor_id],
        type="submission_received",
        title=format_lazy(gettext_lazy("New submission: {assignment}"), assignment=assignment.title),
        body=format_lazy(body, student=student.full_name, attempt=submission.attempt),
        payload={
            "course_id": assignment.course_id,
            "assignment_id": assignment.pk,
            "submission_id": submission.pk,
            "student_id": student.pk,
        },
    )
    publish("submission.created", submission)
    return submission


# One sentence per kind of work (their words may agree in gender or case with the noun).
NOT_TAKEN = {
    SubmissionType.TEXT: gettext_lazy("This assignment does not take a text submission."),
    SubmissionType.URL: gettext_lazy("This assignment does not take a url submission."),
    SubmissionType.FILE: gettext_lazy("This assignment does not take a file submission."),
}


def _check_work(assignment: Assignment, *, text: str, url: str, files: Sequence) -> None:
    given = {SubmissionType.TEXT: bool(text.strip()), SubmissionType.URL: bool(url), SubmissionType.FILE: bool(files)}
    for kind, present in given.items():
        if present and kind not in assignment.submission_types:
            field = "files" if kind == SubmissionType.FILE else kind
            raise InvalidInput(str(NOT_TAKEN[kind]), extra={"field": field})
    if not any(given.values()):
        raise InvalidInput(
            _("Submit your work: {types}.").format(types=", ".join(assignment.submission_types)),
            code="empty",
            extra={"field": "text"},
        )
    if len(files) > assignment.max_files:
        message = ngettext("At most {count} file.", "At most {count} files.", assignment.max_files)
        raise InvalidInput(message.format(count=assignment.max_files), code="too_many", extra={"field": "files"})
    if len({str(f) for f in files}) != len(files):
        raise InvalidInput(_("Each file may appear once."), code="duplicate", extra={"field": "files"})


# --- grading -----------------------------------------------------------------------------------------
def late_penalty(assignment: Assignment, score: Decimal, days: int) -> Decimal:
    """What lateness takes off the score: penalty_percent_per_day of it for each day late, at most
    all of it."""
    if days <= 0 or not assignment.penalty_percent_per_day:
        return Decimal("0")
    penalty = score * assignment.penalty_percent_per_day * days / 100
    return min(score, penalty).quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value, field: str) -> Decimal:
    """A finite number from what a caller sent (a string, an int, a Decimal), or a 400 on `field`."""
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError):
        raise InvalidInput(_("Give a number."), extra={"field": field}) from None
    if not number.is_finite():
        raise InvalidInput(_("Give a number."), extra={"field": field})
    return number


def _rubric_score(assignment: Assignment, rubric_scores: Sequence[dict]) -> tuple[Decimal, list[dict]]:
    criteria = {c.pk: c for c in assignment.criteria.all()}
    if not criteria:
        raise InvalidInput(_("This assignment has no rubric: give a score."), extra={"field": "rubric_scores"})
    given: dict[int, Decimal] = {}
    for entry in rubric_scores:
        criterion = criteria.get(entry.get("criterion"))
        if criterion is None:
            raise InvalidInput(
                _("No criterion {criterion} in this rubric.").format(criterion=entry.get("criterion")),
                extra={"field": "rubric_scores"},
            )
        points = _decimal(entry.get("points"), "rubric_scores")
        if criterion.pk in given:
            raise InvalidInput(
                _("Criterion {criterion} is scored twice.").format(criterion=criterion.pk),
                extra={"field": "rubric_scores"},
            )
        if not 0 <= points <= criterion.points:
            message = ngettext(
                "{criterion} takes 0 to {count} point.", "{criterion} takes 0 to {count} points.", criterion.points
            )
            raise InvalidInput(
                message.format(criterion=criterion.title, count=criterion.points), extra={"field": "rubric_scores"}
            )
        given[criterion.pk] = points
    missing = [c.title for pk, c in criteria.items() if pk not in given]
    if missing:
        raise InvalidInput(
            _("Score every criterion: {criteria}.").format(criteria=", ".join(missing)),
            extra={"field": "rubric_scores"},
        )
    record = [
        {"criterion": pk, "title": criteria[pk].title, "points": str(given[pk]), "max_points": criteria[pk].points}
        for pk in criteria
    ]
    return sum(given.values(), Decimal("0")), record


@transaction.atomic
def submission_grade(
    *, actor, submission: Submission, score=None, rubric_scores: Sequence[dict] | None = None, feedback: str = ""
) -> Grade:
    """Grades (or re-grades) a submission by `score` (0 to the assignment's points) or by
    `rubric_scores` (every criterion, each within its points; the score is their sum), exactly one
    of them. The late penalty is applied to the score. A re-grade adds to the history; the
    submission points at the new grade. The course's instructor or an admin (actor required: a
    grade names its grader). Work of an erased student is refused (409 `student_erased`). Locks the
    submission's row. Notifies the student (`assignment_graded`)."""
    from notifications.services import notify

    if actor is None:
        raise NotPermitted(_("A grade names the person who gave it."))
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("assignment__course", "student")
        .get(pk=submission.pk)
    )
    assignment = submission.assignment
    course_actor_require(actor, assignment.course, message=_("Only the course's instructor or an admin grades work."))
    if submission.student.is_erased:
        # Its work was erased (submissions_erase_for_user): new feedback would be about a person
        # who asked to be forgotten, on work nobody can read any more.
        raise Conflict(
            _("This student's account and work were erased: the submission can no longer be graded."),
            code="student_erased",
        )
    if (score is None) == (rubric_scores is None):
        raise InvalidInput(_("Give either a score or rubric scores."), extra={"field": "score"})
    record: list[dict] = []
    if rubric_scores is not None:
        score, record = _rubric_score(assignment, rubric_scores)
    score = _decimal(score, "score").quantize(CENT, rounding=ROUND_HALF_UP)
    if not 0 <= score <= assignment.points:
        raise InvalidInput(
            _("The score is from 0 to {points}.").format(points=assignment.points), extra={"field": "score"}
        )
    penalty = late_penalty(assignment, score, submission.days_late)
    points = score - penalty
    grade = Grade.objects.create(
        submission=submission,
        score=score,
        rubric_scores=record,
        late_penalty=penalty,
        points=points,
        percent=(points * 100 / assignment.points).quantize(CENT, rounding=ROUND_HALF_UP),
        feedback=feedback,
        graded_by=actor,
        graded_at=timezone.now(),
    )
    submission.grade, submission.status = grade, SubmissionStatus.GRADED
    submission.save(update_fields=["grade", "status"])
    # Lazy: notify renders the text in the student's language, not the grader's.
    notify(
        recipients=[submission.student_id],
        type="assignment_graded",
        title=format_lazy(gettext_lazy("Graded: {assignment}"), assignment=assignment.title),
        body=format_lazy(
            ngettext_lazy(
                "{points} of {count} point ({percent}%).", "{points} of {count} points ({percent}%).", assignment.points
            ),
            points=points,
            count=assignment.points,
            percent=grade.percent,
        ),
        payload={
            "course_id": assignment.course_id,
            "assignment_id": assignment.pk,
            "submission_id": submission.pk,
            "percent": str(grade.percent),
        },
    )
    publish("submission.graded", submission)
    if assignment.is_required:
        from courses.selectors import enrollment_get_active
        from courses.services import enrollment_evaluate_completion

        enrollment = enrollment_get_active(student=submission.student_id, course=assignment.course_id)
        if enrollment is not None:
            enrollment_evaluate_completion(enrollment=enrollment)
    return grade


# --- privacy -------------------------------------------------------------------------------------------
def submissions_erase_for_user(*, user) -> dict[str, int]:
    """Erases a person's work in assignments (privacy; README "Privacy"), assignment by assignment:

    - the archives of the assignment (zips holding every student's name and work) are deleted with
      their zips (after commit), except those asked for after the person's erasure was complete
      (`user.erased_at`), which hold only the pseudonym: staff ask for a new one;
    - their files are deleted: the SubmissionFile rows, and the uploads with their stored objects
      (media.services.upload_release, after commit);
    - a submission not graded is deleted: there is no score to keep, and kept empty it would wait in
      the grading queue forever;
    - a graded one is kept for the gradebook, the reports and the course's completion figures, its
      text and URL blanked, and the feedback of every grade of it (written about their work) blanked;
      the scores stay.

    Nothing of other students changes: the gradebook reads each student's own grades. The platform
    calls it (the erasure job; there is no actor). Each assignment in its own transaction: it locks
    the assignment's row first (as submitting and asking for an archive do, so neither runs
    meanwhile), then the assignment's archives (waiting for a build in progress, which is then
    deleted), then the person's submissions there. A run cut short leaves each assignment done or
    untouched; the next run finishes the rest, and a run with nothing left writes nothing. Returns
    how many submissions were deleted and blanked, files deleted and archives deleted."""
    done = {"submissions_deleted": 0, "submissions_blanked": 0, "files_deleted": 0, "archives_deleted": 0}
    assignment_ids = sorted(set(Submission.objects.filter(student=user).values_list("assignment_id", flat=True)))
    for assignment_id in assignment_ids:
        _submissions_erase_at(user, assignment_id, done)
    return done


@transaction.atomic
def _submissions_erase_at(user, assignment_id: int, done: dict[str, int]) -> None:
    if not Assignment.objects.select_for_update().filter(pk=assignment_id).exists():
        return
    archives = SubmissionArchive.objects.select_for_update().filter(assignment_id=assignment_id)
    if user.erased_at is not None:
        archives = archives.filter(requested_at__lt=user.erased_at)
    archives = list(archives.order_by("pk"))
    if archives:
        keys = [archive.key for archive in archives if archive.key]
        SubmissionArchive.objects.filter(pk__in=[archive.pk for archive in archives]).delete()
        done["archives_deleted"] += len(archives)
        if keys:
            transaction.on_commit(partial(storage.delete, keys))
    submissions = (
        Submission.objects.select_for_update()
        .filter(assignment_id=assignment_id, student=user)
        .prefetch_related("submission_files__upload", "grades")
        .order_by("attempt")
    )
    for submission in submissions:
        for attached in submission.submission_files.all():
            upload = attached.upload
            attached.delete()  # first: it protects the upload
            upload_release(upload=upload)
            done["files_deleted"] += 1
        if submission.grade_id is None:
            submission.delete()
            done["submissions_deleted"] += 1
            continue
        feedback = [grade.pk for grade in submission.grades.all() if grade.feedback]
        if feedback:
            Grade.objects.filter(pk__in=feedback).update(feedback="")
        if submission.text or submission.url:
            submission.text, submission.url = "", ""
            submission.save(update_fields=["text", "url"])
        elif not feedback:
            continue
        done["submissions_blanked"] += 1


# --- submission archives -----------------------------------------------------------------------------
# A build normally ends within minutes of the request. A pending archive older than
# ARCHIVE_REQUEUE_AFTER lost its job (the broker was down, a worker died) and is queued again; one
# older than ARCHIVE_FAIL_AFTER is given up on. Built zips are kept ARCHIVE_KEEP.
ARCHIVE_REQUEUE_AFTER = timedelta(minutes=10)
ARCHIVE_FAIL_AFTER = timedelta(hours=2)
ARCHIVE_KEEP = timedelta(days=7)
ARCHIVE_CSV = "submissions.csv"
# Stable English column names and yes/no cells (as the gradebook's CSV), never translated: scripts key on them.
ARCHIVE_CSV_HEADER = (
    "student_id",
    "last_name",
    "first_name",
    "attempt",
    "submitted_at",
    "is_late",
    "days_late",
    "status",
    "score",
    "points",
    "percent",
    "graded_at",
    "folder",
)
# Why an archive failed, stored on it in the language of whoever requested it (_archive_finish).
ARCHIVE_GIVEN_UP = gettext_lazy("The archive was not built within 2 hours. Request it again.")
ARCHIVE_RETRIES_FAILED = gettext_lazy(
    "The archive could not be built (file storage may be unavailable). Request it again later."
)
ARCHIVE_TOO_SLOW = gettext_lazy("Building the archive took longer than the time allowed. Request it again later.")


class ArchiveIncomplete(Exception):
    """Something a student submitted cannot be read back: the archive would silently lack it.
    `message` is lazy text, rendered in the requester's language when stored (_archive_finish)."""

    def __init__(self, message: Text):
        super().__init__(message)
        self.message = message


@transaction.atomic
def archive_request(*, actor, assignment: Assignment) -> SubmissionArchive:
    """Asks for a zip of every submission to the assignment, built in the background
    (`archive_build_task`, queued after commit). A pending archive of the assignment younger than
    ARCHIVE_FAIL_AFTER is returned instead of a new one, so a double click builds one zip. The
    course's instructor or an admin; actor None: the platform. Locks the assignment's row, so
    concurrent requests find each other's pending archive."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("course").get(pk=assignment.pk)
    course_actor_require(
        actor, assignment.course, message=_("Only the course's instructor or an admin downloads work.")
    )
    pending = (
        SubmissionArchive.objects.filter(
            assignment=assignment,
            status=ArchiveStatus.PENDING,
            requested_at__gt=timezone.now() - ARCHIVE_FAIL_AFTER,
        )
        .order_by("-requested_at", "-id")
        .first()
    )
    if pending is not None:
        return pending
    archive = SubmissionArchive.objects.create(assignment=assignment, requested_by=actor)
    # The key is fixed now, so that whatever happens to the build, deleting the row deletes the zip.
    archive.key = f"private/archives/{archive.pk}/{archive_filename(assignment)}"
    archive.save(update_fields=["key"])
    enqueue_on_commit(archive_build_task, archive.pk)
    return archive


def archive_build(*, archive_id: int) -> SubmissionArchive | None:
    """Builds a pending archive: a zip with a folder per student and attempt
    (`<Last-First-id>/attempt-<n>/`: `text.txt`, `url.txt`, each file under its own name) and a
    top-level `submissions.csv` of the figures, written to a temporary file (each file's bytes copied
    in chunks, so memory stays flat whatever the sizes), then stored under a private key of its own.
    The platform calls it (a job). Holds the archive's row lock while it works; a second run (a
    duplicate job) skips the locked row at once rather than waiting. Returns None when there was
    nothing to do (not pending, being built, or gone).
    Idempotent: the key is fixed, so a retry rewrites the same object. Transient errors (storage,
    database) propagate for the job to retry; a submitted file that storage no longer has is
    definitive: the archive is marked failed, naming it."""
    with transaction.atomic():
        archive = (
            SubmissionArchive.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("assignment")
            .filter(pk=archive_id, status=ArchiveStatus.PENDING)
            .first()
        )
        if archive is None:
            return None
        key = archive.key or f"private/archives/{archive.pk}/{archive_filename(archive.assignment)}"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "archive.zip")
            try:
                count = _archive_write(path, archive.assignment, tmp)
            except ArchiveIncomplete as exc:
                _archive_finish(archive, status=ArchiveStatus.FAILED, error=exc.message)
                return archive
            storage.put_file(key, path, content_type="application/zip")
            size = os.path.getsize(path)
        _archive_finish(archive, status=ArchiveStatus.READY, key=key, size=size, submission_count=count)
        return archive


def archive_fail(*, archive_id: int, error: Text) -> SubmissionArchive | None:
    """Marks a pending archive failed with `error` (its job gave up; lazy text is stored in the
    requester's language). The platform calls it (the job's failure handler). Locks the archive's
    row; an archive no longer pending is left as it is (None)."""
    with transaction.atomic():
        archive = SubmissionArchive.objects.select_for_update().filter(pk=archive_id, status=ArchiveStatus.PENDING)
        archive = archive.first()
        if archive is not None:
            _archive_finish(archive, status=ArchiveStatus.FAILED, error=error)
        return archive


def archives_sweep(*, limit: int = 500) -> dict[str, int]:
    """The archives' periodic care: pending ones older than ARCHIVE_FAIL_AFTER are marked failed,
    pending ones last queued more than ARCHIVE_REQUEUE_AFTER ago are queued again (their job was lost;
    building is idempotent) and their `queued_at` moved on, so each sweep queues a lost build once, and
    archives finished more than ARCHIVE_KEEP ago are deleted with their zips (after commit). The
    platform calls it (a beat job). Skips rows locked by a build in progress (skip_locked): it never
    waits on one, nor queues it again. Returns how many were failed, requeued and deleted."""
    now = timezone.now()
    done = {"failed": 0, "requeued": 0, "deleted": 0}
    with transaction.atomic():
        stale = SubmissionArchive.objects.select_for_update(skip_locked=True).filter(
            status=ArchiveStatus.PENDING, requested_at__lt=now - ARCHIVE_FAIL_AFTER
        )
        stale = list(stale.order_by("requested_at")[:limit])
        languages = languages_of(archive.requested_by_id for archive in stale)  # None: LANGUAGE_CODE
        for archive in stale:
            language = languages[archive.requested_by_id]
            _archive_finish(archive, status=ArchiveStatus.FAILED, error=ARCHIVE_GIVEN_UP, language=language)
            done["failed"] += 1
        lost = SubmissionArchive.objects.select_for_update(skip_locked=True).filter(
            status=ArchiveStatus.PENDING,
            queued_at__lt=now - ARCHIVE_REQUEUE_AFTER,
            requested_at__gte=now - ARCHIVE_FAIL_AFTER,
        )
        lost = list(lost.order_by("requested_at").values_list("pk", flat=True)[:limit])
        SubmissionArchive.objects.filter(pk__in=lost).update(queued_at=now)
        for pk in lost:
            enqueue_on_commit(archive_build_task, pk)
        done["requeued"] = len(lost)
        old = SubmissionArchive.objects.select_for_update(skip_locked=True).filter(
            status__in=(ArchiveStatus.READY, ArchiveStatus.FAILED), finished_at__lt=now - ARCHIVE_KEEP
        )
        old = list(old.order_by("finished_at")[:limit])
        keys = [archive.key for archive in old if archive.key]
        SubmissionArchive.objects.filter(pk__in=[archive.pk for archive in old]).delete()
        done["deleted"] = len(old)
        if keys:
            transaction.on_commit(partial(storage.delete, keys))
    return done


def archive_filename(assignment: Assignment) -> str:
    """The zip's file name: the assignment's title as a slug (ASCII, safe anywhere)."""
    return f"{slugify(assignment.title)[:80].strip('-') or 'assignment'}-{assignment.pk}-submissions.zip"


def _archive_finish(
    archive: SubmissionArchive, *, status: str, error: Text = "", language: str | None = None, **fields
) -> None:
    """Stores the outcome. `error` (lazy text) is written in `language`, by default the language of
    whoever requested the archive: the staff read it later, and this runs in a job."""
    if error and not isinstance(error, str):
        error = render_in(language or language_of(archive.requested_by), error)
    archive.status, archive.error, archive.finished_at = status, error[:300], timezone.now()
    for name, value in fields.items():
        setattr(archive, name, value)
    archive.save(update_fields=["status", "error", "finished_at", *fields])


def _student_folder(student) -> str:
    """`Lovelace-Ada-5`: the name in letters, digits and dashes (no path separators, nothing a file
    system refuses), and the id, which keeps namesakes apart."""
    name = re.sub(r"[\W_]+", "-", f"{student.last_name} {student.first_name}").strip("-")[:60].strip("-")
    return f"{name}-{student.pk}" if name else f"student-{student.pk}"


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or `name (2).ext`, `name (3).ext`, ... when an earlier entry of the folder has it
    (compared without case: Windows and macOS would merge them on extracting)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, dot, ext = name, "", ""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}){dot}{ext}"
    taken.add(candidate.casefold())
    return candidate


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    at = moment.astimezone(UTC)
    return (max(at.year, 1980), at.month, at.day, at.hour, at.minute, at.second)


def _zip_entry(name: str, moment: datetime, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_zip_time(moment))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = size  # a hint: zipfile writes ZIP64 records for a file that may pass 4 GiB
    return info


def _archive_write(path: str, assignment: Assignment, tmp: str) -> int:
    """Writes the zip at `path` (the CSV collects in `tmp` as the folders are written, then goes in
    last). Returns the number of attempts."""
    count = 0
    csv_path = os.path.join(tmp, ARCHIVE_CSV)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        open(csv_path, "w", newline="", encoding="utf-8") as csv_file,
    ):
        writer = csv.writer(csv_file)
        writer.writerow(ARCHIVE_CSV_HEADER)
        for submission in selectors.submission_list_for_archive(assignment).iterator(chunk_size=200):
            folder = f"{_student_folder(submission.student)}/attempt-{submission.attempt}"
            _archive_attempt(archive, folder, submission)
            writer.writerow([inert(cell) for cell in _csv_row(submission, folder)])
            count += 1
        csv_file.close()
        archive.write(csv_path, ARCHIVE_CSV)
    return count


def _archive_attempt(archive: zipfile.ZipFile, folder: str, submission: Submission) -> None:
    taken: set[str] = set()
    when = submission.submitted_at
    if submission.text:
        archive.writestr(_zip_entry(f"{folder}/{_unique('text.txt', taken)}", when), submission.text.encode())
    if submission.url:
        archive.writestr(_zip_entry(f"{folder}/{_unique('url.txt', taken)}", when), submission.url + "\n")
    for n, attached in enumerate(submission.submission_files.all(), start=1):
        upload = attached.upload
        name = _unique(upload.filename or f"file-{n}", taken)
        entry = _zip_entry(f"{folder}/{name}", when, upload.size)
        _archive_copy(archive, entry, upload)


def _archive_copy(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, upload: Upload) -> None:
    """Copies the upload's bytes into the zip, a chunk at a time. A file storage does not have (any
    more) is ArchiveIncomplete; any other error (storage unreachable) propagates, to be retried."""
    missing = ArchiveIncomplete(
        format_lazy(
            gettext_lazy(
                "{file} is missing from storage, so the archive would be incomplete. Restore the file "
                "(or ask an administrator to), then request the archive again."
            ),
            file=entry.filename,
        )
    )
    if not upload.key:
        raise missing
    try:
        with storage.open_read(upload.key) as source, archive.open(entry, "w") as target:
            shutil.copyfileobj(source, target, storage.CHUNK)
    except Exception as exc:
        if storage.exists(upload.key):
            raise
        raise missing from exc


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(value)


def _csv_row(submission: Submission, folder: str) -> list[str]:
    grade = submission.grade
    student = submission.student
    return [
        _cell(v)
        for v in (
            student.pk,
            student.last_name,
            student.first_name,
            submission.attempt,
            submission.submitted_at,
            submission.is_late,
            submission.days_late,
            submission.status,
            grade and grade.score,
            grade and grade.points,
            grade and grade.percent,
            grade and grade.graded_at,
            folder + "/",
        )
    ]
