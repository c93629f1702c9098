from django.db.models import QuerySet

from courses.models import Section

from .models import Assignment, Grade, Submission, SubmissionArchive, SubmissionFile, SubmissionStatus


def assignment_get(assignment_id: int) -> Assignment:
    """One assignment as the API renders it (course and rubric loaded); the caller checked access."""
    return Assignment.objects.select_related("course").prefetch_related("criteria").get(pk=assignment_id)


def assignment_list_for_section(section: Section) -> QuerySet[Assignment]:
    """The section's assignments in order, with their rubrics (the caller checked who may read)."""
    return Assignment.objects.filter(section=section).select_related("course").prefetch_related("criteria")


def submission_list_for_assignment(
    assignment: Assignment, *, student=None, status: str | None = None
) -> QuerySet[Submission]:
    """The assignment's submissions, oldest first: every student's, or one student's (`student`),
    optionally by status. Loads what a submission renders (student, grade, files) in fixed queries."""
    queryset = Submission.objects.filter(assignment=assignment)
    if student is not None:
        queryset = queryset.filter(student=student)
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("assignment__course", "student", "grade__graded_by")
        .prefetch_related("submission_files__upload")
        .order_by("submitted_at", "id")
    )


def submission_get_next_ungraded(assignment: Assignment) -> Submission | None:
    """The oldest submission still to grade (SpeedGrader's next), or None."""
    return submission_list_for_assignment(assignment, status=SubmissionStatus.SUBMITTED).first()


def submission_list_for_archive(assignment: Assignment) -> QuerySet[Submission]:
    """Every attempt at the assignment, as the archive lays them out: by student (last name, first
    name, id), then attempt; with the student, the current grade and the files' uploads loaded."""
    return (
        Submission.objects.filter(assignment=assignment)
        .select_related("student", "grade")
        .prefetch_related("submission_files__upload")
        .order_by("student__last_name", "student__first_name", "student_id", "attempt")
    )


def archive_get(archive_id: int) -> SubmissionArchive:
    """One archive, as the API renders it; the caller checked access to its assignment."""
    return SubmissionArchive.objects.get(pk=archive_id)


def archive_get_latest(assignment: Assignment) -> SubmissionArchive | None:
    """The assignment's most recently requested archive (whatever its status), or None."""
    return SubmissionArchive.objects.filter(assignment=assignment).order_by("-requested_at", "-id").first()


# --- privacy: what a person's export holds ---------------------------------------------------------
def submission_list_for_export(student) -> QuerySet[Submission]:
    """Every submission of the student's, oldest first, with its assignment, its files' uploads and
    its whole grade history with the graders (four queries), for their data export."""
    return (
        Submission.objects.filter(student=student)
        .select_related("assignment")
        .prefetch_related("submission_files__upload", "grades__graded_by")
        .order_by("submitted_at", "id")
    )


def submission_file_list_for_student(student) -> QuerySet[SubmissionFile]:
    """The files the student submitted, with their uploads, by submission then order (one query)."""
    return (
        SubmissionFile.objects.filter(submission__student=student)
        .select_related("upload")
        .order_by("submission_id", "order", "id")
    )


def grade_list_given_by(user) -> QuerySet[Grade]:
    """The grades `user` gave (as a course's instructor or an admin), oldest first, with the
    submission's assignment (one query)."""
    return Grade.objects.filter(graded_by=user).select_related("submission__assignment").order_by("graded_at", "id")


def archive_list_requested_by(user) -> QuerySet[SubmissionArchive]:
    """The submission archives `user` asked for, oldest first (one query)."""
    return SubmissionArchive.objects.filter(requested_by=user).order_by("requested_at", "id")
