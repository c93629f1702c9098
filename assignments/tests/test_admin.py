"""The staff pages: assignments and submissions are records (read-only, with their rubric, files
and grading history inline), and the "grade" action goes through submission_grade, showing a
refusal as a message."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from assignments import admin as assignments_admin
from assignments import services
from assignments.models import Assignment, Grade, Submission, SubmissionStatus
from lms.tests.test_admin_writes import superuser_post, write_problems
from notifications.models import Notification

from .factories import AssignmentFactory, CriterionFactory, enroll, submission_upload

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:assignments_submission_changelist"


def _submission(student, **assignment) -> Submission:
    work = AssignmentFactory(**assignment)
    enroll(student, work)
    return services.submission_create(student=student, assignment=work, text="My work")


def _grade_action(staff, submissions, **form):
    response = staff.post(
        reverse(CHANGELIST),
        {"action": "grade", "_selected_action": [s.pk for s in submissions], "index": 0, **form},
        follow=True,
    )
    assert response.status_code == 200
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_grade_action_goes_through_the_service(staff, admin_user, student):
    submission = _submission(student, points=10)

    messages = _grade_action(staff, [submission], score="7.5", feedback="Good argument")

    assert messages == ["1 submission graded."]
    grade = Grade.objects.get(submission=submission)
    assert (grade.score, grade.percent, grade.feedback) == (Decimal("7.50"), Decimal("75.00"), "Good argument")
    assert grade.graded_by_id == admin_user.pk  # the signed-in admin is the grader
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.GRADED and submission.grade_id == grade.pk
    assert Notification.objects.filter(type="assignment_graded", recipient=student).count() == 1


def test_a_refusal_is_a_message_and_nothing_is_graded(staff, student):
    submission = _submission(student, points=10)

    messages = _grade_action(staff, [submission], score="11")

    assert len(messages) == 1
    assert str(submission) in messages[0] and "The score is from 0 to 10." in messages[0]
    assert not Grade.objects.exists()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_no_score_is_refused_by_the_service(staff, student):
    submission = _submission(student)
    messages = _grade_action(staff, [submission], score="")
    assert len(messages) == 1 and "Give either a score or rubric scores." in messages[0]
    assert not Grade.objects.exists()


def test_each_selected_submission_is_graded_or_refused_on_its_own(staff, student, other_student):
    small = _submission(student, points=5)
    large = _submission(other_student, points=50)

    messages = _grade_action(staff, [small, large], score="20")

    assert any("The score is from 0 to 5." in m for m in messages)
    assert "1 submission graded." in messages
    assert list(Grade.objects.values_list("submission_id", "score")) == [(large.pk, Decimal("20.00"))]


def test_a_regrade_in_the_admin_adds_to_the_history(staff, instructor, student):
    submission = _submission(student, section__course__instructor=instructor)
    services.submission_grade(actor=instructor, submission=submission, score=40)
    _grade_action(staff, [submission], score="90")
    assert list(submission.grades.values_list("score", flat=True)) == [Decimal("90.00"), Decimal("40.00")]
    submission.refresh_from_db()
    assert submission.grade.score == Decimal("90.00")


def test_the_pages_render(staff, media_root, instructor, student):
    assignment = AssignmentFactory(section__course__instructor=instructor, submission_types=["text", "file"])
    CriterionFactory(assignment=assignment, title="Argument", points=60)
    CriterionFactory(assignment=assignment, title="Style", points=40)
    enroll(student, assignment)
    upload = submission_upload(student)
    submission = services.submission_create(student=student, assignment=assignment, text="Mine", files=[upload.pk])
    services.submission_grade(actor=instructor, submission=submission, score=50, feedback="Half way")
    services.submission_grade(actor=instructor, submission=submission, score=70, feedback="Better")

    page = staff.get(reverse("admin:assignments_assignment_change", args=[assignment.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert assignment.title in html and "Argument" in html and "Style" in html
    assert student.email in html or str(student) in html

    page = staff.get(reverse("admin:assignments_submission_change", args=[submission.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Half way" in html and "Better" in html  # the whole grading history
    assert str(upload.pk) in html

    for name in ("assignment", "submission"):
        url = reverse(f"admin:assignments_{name}_changelist")
        assert staff.get(url).status_code == 200, url


def test_nothing_is_added_changed_or_deleted_around_the_services(staff, student, admin_user):
    submission = _submission(student)
    assignment = submission.assignment

    assert staff.get(reverse("admin:assignments_assignment_add")).status_code == 403
    assert staff.get(reverse("admin:assignments_submission_add")).status_code == 403
    delete = reverse("admin:assignments_assignment_delete", args=[assignment.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    delete = reverse("admin:assignments_submission_delete", args=[submission.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    staff.post(reverse("admin:assignments_assignment_change", args=[assignment.pk]), {"title": "Changed", "points": 1})
    assignment.refresh_from_db()
    assert assignment.title != "Changed"
    assert Assignment.objects.filter(pk=assignment.pk).exists() and Submission.objects.filter(pk=submission.pk).exists()

    request = superuser_post(admin_user)
    for model_admin in (
        assignments_admin.AssignmentAdmin(Assignment, assignments_admin.admin.site),
        assignments_admin.SubmissionAdmin(Submission, assignments_admin.admin.site),
    ):
        assert write_problems(model_admin, request) == []


# --- the download of all submissions ------------------------------------------------------------------
def test_the_archive_action_goes_through_the_service(
    staff, admin_user, media_root, student, django_capture_on_commit_callbacks
):
    """Two assignments selected: one zip each, built in the background; the page of each assignment
    then lists its archive with a download link, and the archives' list shows them read-only."""
    from assignments.models import ArchiveStatus, SubmissionArchive

    submission = _submission(student)
    empty = AssignmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:assignments_assignment_changelist"),
            {"action": "archive", "_selected_action": [submission.assignment.pk, empty.pk], "index": 0},
            follow=True,
        )
    messages = [str(m) for m in get_messages(response.wsgi_request)]

    assert messages == ["2 archives requested; the zips appear under each assignment when built."]
    archives = {a.assignment_id: a for a in SubmissionArchive.objects.all()}
    assert set(archives) == {submission.assignment.pk, empty.pk}
    assert {a.status for a in archives.values()} == {ArchiveStatus.READY}
    assert archives[submission.assignment.pk].submission_count == 1
    assert {a.requested_by_id for a in archives.values()} == {admin_user.pk}

    page = staff.get(reverse("admin:assignments_assignment_change", args=[submission.assignment.pk])).content.decode()
    assert "/files/signed/" in page and "Download" in page
    listing = staff.get(reverse("admin:assignments_submissionarchive_changelist"))
    assert listing.status_code == 200 and listing.content.decode().count("/files/signed/") == 2
    archive = archives[empty.pk]
    assert staff.get(reverse("admin:assignments_submissionarchive_change", args=[archive.pk])).status_code == 200
    assert staff.get(reverse("admin:assignments_submissionarchive_add")).status_code == 403
    delete = reverse("admin:assignments_submissionarchive_delete", args=[archive.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert SubmissionArchive.objects.count() == 2


def test_the_archives_admin_writes_nothing_around_the_services(admin_user):
    from assignments.models import SubmissionArchive

    model_admin = assignments_admin.SubmissionArchiveAdmin(SubmissionArchive, assignments_admin.admin.site)
    assert write_problems(model_admin, superuser_post(admin_user)) == []
