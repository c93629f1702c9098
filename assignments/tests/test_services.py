"""The assignment and submission services: who may write, the rules between fields, attempts, the
late policy at its boundaries (time-machine), the work's shape and real submission files."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from assignments import services
from assignments.models import Assignment, RubricCriterion, Submission, SubmissionFile, SubmissionStatus
from courses.services import enrollment_revoke
from courses.tests.factories import PublishedCourseFactory, SectionFactory
from lms.errors import Conflict, InvalidInput, NotPermitted
from media import services as media
from media.models import Upload, UploadPurpose
from media.tests.helpers import png
from notifications.models import Notification

from .factories import AssignmentFactory, enroll, submission_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def section(instructor):
    return SectionFactory(course=PublishedCourseFactory(instructor=instructor))


def _actor(role, request):
    return None if role == "platform" else request.getfixturevalue(role)


# --- assignment_create / update / delete ---------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "allowed"),
    [("instructor", True), ("admin_user", True), ("platform", True), ("other_instructor", False), ("student", False)],
)
def test_create_update_delete_by_role(request, section, role, allowed):
    actor = _actor(role, request)
    if not allowed:
        with pytest.raises(NotPermitted) as exc:
            services.assignment_create(actor=actor, section=section, title="Essay")
        assert exc.value.code == "not_course_staff"
        existing = AssignmentFactory(section=section)
        with pytest.raises(NotPermitted):
            services.assignment_update(actor=actor, assignment=existing, data={"title": "Hijacked"})
        with pytest.raises(NotPermitted):
            services.assignment_delete(actor=actor, assignment=existing)
        existing.refresh_from_db()
        assert existing.title != "Hijacked"
        assert Assignment.objects.filter(section=section).count() == 1
        return

    created = services.assignment_create(actor=actor, section=section, title="Essay", points=20)
    assert created.course_id == section.course_id and created.points == 20
    assert created.submission_types == ["text"]
    updated = services.assignment_update(actor=actor, assignment=created, data={"title": "Long essay"})
    assert updated.title == "Long essay"
    created.refresh_from_db()
    assert created.title == "Long essay"
    services.assignment_delete(actor=actor, assignment=created)
    assert not Assignment.objects.filter(pk=created.pk).exists()


def test_create_appends_to_its_own_section(instructor, section):
    first = services.assignment_create(actor=instructor, section=section, title="One")
    second = services.assignment_create(actor=instructor, section=section, title="Two")
    elsewhere = services.assignment_create(
        actor=instructor, section=SectionFactory(course=section.course), title="Other section"
    )
    third = services.assignment_create(actor=instructor, section=section, title="Three")

    assert (first.order, second.order, third.order) == (1, 2, 3)
    assert elsewhere.order == 1
    assert list(Assignment.objects.filter(section=section).values_list("title", flat=True)) == ["One", "Two", "Three"]


def test_create_with_a_rubric_and_update_replaces_it(instructor, section):
    rubric = [{"title": "Argument", "points": 60}, {"title": "Style", "points": 40, "description": "Clear prose"}]
    assignment = services.assignment_create(actor=instructor, section=section, title="Essay", rubric=rubric)
    assert [(c.title, c.points, c.order) for c in assignment.criteria.all()] == [
        ("Argument", 60, 1),
        ("Style", 40, 2),
    ]
    assert assignment.criteria.get(title="Style").description == "Clear prose"

    services.assignment_update(
        actor=instructor, assignment=assignment, data={"rubric": [{"title": "Everything", "points": 100}]}
    )
    assert [(c.title, c.points) for c in assignment.criteria.all()] == [("Everything", 100)]
    assert RubricCriterion.objects.filter(assignment=assignment).count() == 1

    services.assignment_update(actor=instructor, assignment=assignment, data={"title": "Essay 2"})
    assert assignment.criteria.count() == 1  # without `rubric` the rubric stays


def test_cutoff_before_due_is_refused_on_create_and_update(instructor, section):
    due = timezone.now() + timedelta(days=7)
    with pytest.raises(InvalidInput) as exc:
        services.assignment_create(
            actor=instructor, section=section, title="Essay", due_at=due, cutoff_at=due - timedelta(seconds=1)
        )
    assert exc.value.status_code == 400 and exc.value.extra == {"field": "cutoff_at"}

    assignment = services.assignment_create(
        actor=instructor, section=section, title="Essay", due_at=due, cutoff_at=due + timedelta(days=1)
    )
    # The due date moved past the stored cutoff: the rule is checked against the merged values.
    with pytest.raises(InvalidInput) as exc:
        services.assignment_update(actor=instructor, assignment=assignment, data={"due_at": due + timedelta(days=2)})
    assert exc.value.extra == {"field": "cutoff_at"}
    with pytest.raises(InvalidInput):
        services.assignment_update(actor=instructor, assignment=assignment, data={"cutoff_at": due - timedelta(days=1)})
    assignment.refresh_from_db()
    assert assignment.due_at == due and assignment.cutoff_at == due + timedelta(days=1)

    same = services.assignment_update(actor=instructor, assignment=assignment, data={"cutoff_at": due})
    assert same.cutoff_at == due  # at the due date itself is fine


@pytest.mark.parametrize("types", [[], ["essay"], ["text", "text"], ["text", "pdf"]])
def test_submission_types_are_validated(instructor, section, types):
    with pytest.raises(InvalidInput) as exc:
        services.assignment_create(actor=instructor, section=section, title="Essay", submission_types=types)
    assert exc.value.extra == {"field": "submission_types"}

    assignment = AssignmentFactory(section=section)
    with pytest.raises(InvalidInput) as exc:
        services.assignment_update(actor=instructor, assignment=assignment, data={"submission_types": types})
    assert exc.value.extra == {"field": "submission_types"}


def test_all_three_submission_types_are_accepted(instructor, section):
    assignment = services.assignment_create(
        actor=instructor, section=section, title="Project", submission_types=["text", "file", "url"]
    )
    assert assignment.submission_types == ["text", "file", "url"]


def test_delete_with_submissions_is_a_conflict(instructor, student, section):
    assignment = AssignmentFactory(section=section)
    enroll(student, assignment)
    services.submission_create(student=student, assignment=assignment, text="Mine")

    with pytest.raises(Conflict) as exc:
        services.assignment_delete(actor=instructor, assignment=assignment)
    assert exc.value.code == "has_submissions" and exc.value.status_code == 409
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert Submission.objects.filter(assignment=assignment).count() == 1


# --- submission_create: who, attempts, the late policy -----------------------------------------------
def test_not_enrolled_is_refused(student):
    assignment = AssignmentFactory()
    with pytest.raises(NotPermitted) as exc:
        services.submission_create(student=student, assignment=assignment, text="Mine")
    assert exc.value.code == "not_enrolled"
    assert not Submission.objects.exists()


def test_the_courses_instructor_is_not_enrolled_either(instructor):
    assignment = AssignmentFactory(section=SectionFactory(course=PublishedCourseFactory(instructor=instructor)))
    with pytest.raises(NotPermitted) as exc:
        services.submission_create(student=instructor, assignment=assignment, text="Mine")
    assert exc.value.code == "not_enrolled"


def test_a_revoked_enrollment_is_refused(student):
    assignment = AssignmentFactory()
    enrollment = enroll(student, assignment)
    services.submission_create(student=student, assignment=assignment, text="Before")
    enrollment_revoke(actor=None, enrollment=enrollment)

    with pytest.raises(NotPermitted) as exc:
        services.submission_create(student=student, assignment=assignment, text="After")
    assert exc.value.code == "not_enrolled"
    assert Submission.objects.filter(student=student).count() == 1


def test_attempts_are_numbered_and_the_limit_is_a_conflict(student):
    assignment = AssignmentFactory(max_attempts=3)
    enroll(student, assignment)
    made = [services.submission_create(student=student, assignment=assignment, text=f"Try {n}") for n in (1, 2, 3)]
    assert [s.attempt for s in made] == [1, 2, 3]
    assert all(s.status == SubmissionStatus.SUBMITTED and s.student_id == student.pk for s in made)

    with pytest.raises(Conflict) as exc:
        services.submission_create(student=student, assignment=assignment, text="Try 4")
    assert exc.value.code == "attempts_used" and exc.value.status_code == 409
    # Nothing the student submitted is lost or changed.
    assert list(Submission.objects.filter(student=student).values_list("attempt", "text")) == [
        (1, "Try 1"),
        (2, "Try 2"),
        (3, "Try 3"),
    ]


def test_attempts_are_counted_per_student(student, other_student):
    assignment = AssignmentFactory(max_attempts=1)
    enroll(student, assignment)
    enroll(other_student, assignment)
    assert services.submission_create(student=student, assignment=assignment, text="A").attempt == 1
    assert services.submission_create(student=other_student, assignment=assignment, text="B").attempt == 1


def test_unlimited_attempts_until_one_is_graded(student, instructor):
    assignment = AssignmentFactory(max_attempts=None, section__course__instructor=instructor)
    enroll(student, assignment)
    for n in range(1, 6):
        assert services.submission_create(student=student, assignment=assignment, text=f"v{n}").attempt == n
    services.submission_grade(actor=instructor, submission=Submission.objects.get(attempt=2), score=50)

    with pytest.raises(Conflict) as exc:
        services.submission_create(student=student, assignment=assignment, text="v6")
    assert exc.value.code == "already_graded"
    assert Submission.objects.filter(student=student).count() == 5


def test_past_due_without_late_work_is_refused():
    student = StudentFactory()
    assignment = AssignmentFactory(due_at=timezone.now() - timedelta(minutes=1), accept_late=False)
    enroll(student, assignment)
    with pytest.raises(Conflict) as exc:
        services.submission_create(student=student, assignment=assignment, text="Late")
    assert exc.value.code == "past_due"


def test_after_the_cutoff_is_refused_even_when_late_work_is_accepted(student):
    due = timezone.now() + timedelta(days=1)
    assignment = AssignmentFactory(due_at=due, cutoff_at=due + timedelta(days=2), accept_late=True)
    enroll(student, assignment)

    with time_machine.travel(assignment.cutoff_at, tick=False):
        at_cutoff = services.submission_create(student=student, assignment=assignment, text="Just in time")
    assert at_cutoff.is_late and at_cutoff.days_late == 2

    with time_machine.travel(assignment.cutoff_at + timedelta(seconds=1), tick=False), pytest.raises(Conflict) as exc:
        services.submission_create(student=student, assignment=assignment, text="Too late")
    assert exc.value.code == "cutoff_passed" and exc.value.status_code == 409


def test_a_cutoff_without_a_due_date_still_closes(student):
    assignment = AssignmentFactory(due_at=None, cutoff_at=timezone.now() - timedelta(seconds=1))
    enroll(student, assignment)
    with pytest.raises(Conflict) as exc:
        services.submission_create(student=student, assignment=assignment, text="Mine")
    assert exc.value.code == "cutoff_passed"


@pytest.mark.parametrize(
    ("after", "is_late", "days"),
    [
        (timedelta(seconds=-1), False, 0),
        (timedelta(0), False, 0),
        (timedelta(seconds=1), True, 1),
        (timedelta(hours=24), True, 1),
        (timedelta(hours=24, seconds=1), True, 2),
        (timedelta(days=3), True, 3),
    ],
)
def test_lateness_at_the_boundaries(student, after, is_late, days):
    due = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    assignment = AssignmentFactory(due_at=due, accept_late=True, max_attempts=None)
    enroll(student, assignment)

    with time_machine.travel(due + after, tick=False):
        submission = services.submission_create(student=student, assignment=assignment, text="Mine")

    assert submission.submitted_at == due + after  # the server stamps the time
    assert (submission.is_late, submission.days_late) == (is_late, days)
    submission.refresh_from_db()
    assert (submission.is_late, submission.days_late) == (is_late, days)


def test_without_a_due_date_nothing_is_late(student):
    assignment = AssignmentFactory(due_at=None)
    enroll(student, assignment)
    submission = services.submission_create(student=student, assignment=assignment, text="Mine")
    assert (submission.is_late, submission.days_late) == (False, 0)


# --- submission_create: the work's shape -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("types", "work", "field"),
    [
        (["text"], {"url": "https://example.com/mine"}, "url"),
        (["url"], {"text": "An essay"}, "text"),
        (["text", "url"], {"files": ["00000000-0000-0000-0000-000000000000"]}, "files"),
    ],
)
def test_a_submission_type_the_assignment_does_not_take_is_refused(student, types, work, field):
    assignment = AssignmentFactory(submission_types=types)
    enroll(student, assignment)
    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=assignment, **work)
    assert exc.value.extra == {"field": field}
    assert not Submission.objects.exists()


@pytest.mark.parametrize("work", [{}, {"text": ""}, {"text": "   \n\t"}])
def test_empty_work_is_refused(student, work):
    assignment = AssignmentFactory(submission_types=["text", "url"])
    enroll(student, assignment)
    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=assignment, **work)
    assert exc.value.code == "empty"
    assert not Submission.objects.exists()


def test_text_and_url_together(student):
    assignment = AssignmentFactory(submission_types=["text", "url"])
    enroll(student, assignment)
    submission = services.submission_create(
        student=student, assignment=assignment, text="See my repo", url="https://example.com/repo"
    )
    assert (submission.text, submission.url) == ("See my repo", "https://example.com/repo")


def test_the_instructor_is_told_of_a_submission(student, instructor):
    assignment = AssignmentFactory(section__course__instructor=instructor, title="Essay")
    enroll(student, assignment)
    submission = services.submission_create(student=student, assignment=assignment, text="Mine")

    note = Notification.objects.get(type="submission_received")
    assert note.recipient_id == instructor.pk
    assert note.payload == {
        "course_id": assignment.course_id,
        "assignment_id": assignment.pk,
        "submission_id": submission.pk,
        "student_id": student.pk,
    }
    assert "Essay" in note.title and student.full_name in note.body
    assert not Notification.objects.filter(recipient=student).exists()


def test_a_late_submission_says_so_to_the_instructor(student, instructor):
    assignment = AssignmentFactory(section__course__instructor=instructor, due_at=timezone.now() - timedelta(hours=1))
    enroll(student, assignment)
    services.submission_create(student=student, assignment=assignment, text="Mine")
    assert "(late)" in Notification.objects.get(type="submission_received").body


# --- submission files (real uploads) -------------------------------------------------------------------
@pytest.fixture
def file_assignment(student):
    assignment = AssignmentFactory(submission_types=["file", "text"], max_files=2)
    enroll(student, assignment)
    return assignment


def test_files_are_attached_in_order(media_root, student, file_assignment):
    uploads = [submission_upload(student, filename=f"part{n}.pdf") for n in (1, 2)]
    assert all(u.detected_type == "application/pdf" for u in uploads)

    submission = services.submission_create(
        student=student, assignment=file_assignment, text="Two parts", files=[uploads[1].pk, str(uploads[0].pk)]
    )

    files = list(submission.submission_files.select_related("upload"))
    assert [(f.order, f.upload_id) for f in files] == [(1, uploads[1].pk), (2, uploads[0].pk)]
    for upload in uploads:
        upload.refresh_from_db()
        assert upload.attached_at is not None


def test_an_attached_upload_cannot_be_used_again(media_root, student, file_assignment):
    file_assignment.max_attempts = None
    file_assignment.save()
    upload = submission_upload(student)
    services.submission_create(student=student, assignment=file_assignment, files=[upload.pk])

    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=file_assignment, files=[upload.pk])
    assert exc.value.code == "upload_in_use" and exc.value.extra == {"field": "files"}
    assert Submission.objects.count() == 1


def test_too_many_files(media_root, student, file_assignment):
    uploads = [submission_upload(student, filename=f"p{n}.pdf") for n in range(3)]
    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=file_assignment, files=[u.pk for u in uploads])
    assert exc.value.code == "too_many" and exc.value.extra == {"field": "files"}
    assert not Submission.objects.exists()
    assert not Upload.objects.filter(attached_at__isnull=False).exists()


def test_the_same_file_twice(media_root, student, file_assignment):
    upload = submission_upload(student)
    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=file_assignment, files=[upload.pk, str(upload.pk)])
    assert exc.value.code == "duplicate"
    assert not Submission.objects.exists()


def test_someone_elses_upload_is_refused(media_root, student, other_student, file_assignment):
    theirs = submission_upload(other_student)
    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=file_assignment, files=[theirs.pk])
    assert exc.value.code == "invalid_upload" and exc.value.extra == {"field": "files"}
    assert not Submission.objects.exists()
    theirs.refresh_from_db()
    assert theirs.attached_at is None


def test_an_upload_of_another_purpose_is_refused(media_root, student, file_assignment):
    avatar = submission_upload(
        student, data=png(), filename="me.png", content_type="image/png", purpose=UploadPurpose.AVATAR
    )
    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=file_assignment, files=[avatar.pk])
    assert exc.value.code == "invalid_upload" and exc.value.extra == {"field": "files"}
    assert not Submission.objects.exists()


def test_an_unknown_upload_id_is_refused(student, file_assignment):
    with pytest.raises(InvalidInput) as exc:
        services.submission_create(
            student=student, assignment=file_assignment, files=["11111111-1111-1111-1111-111111111111"]
        )
    assert exc.value.code == "invalid_upload"


def test_an_upload_not_completed_is_refused(media_root, student, file_assignment):
    pending = media.upload_create(
        actor=student, purpose=UploadPurpose.SUBMISSION_FILE, filename="a.pdf", content_type="application/pdf", size=9
    )
    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=file_assignment, files=[pending.pk])
    assert exc.value.code == "upload_not_ready"


def test_a_file_type_the_assignment_does_not_allow(media_root, student, file_assignment):
    file_assignment.allowed_file_types = ["image/png"]
    file_assignment.save()
    upload = submission_upload(student)

    with pytest.raises(InvalidInput) as exc:
        services.submission_create(student=student, assignment=file_assignment, files=[upload.pk])
    assert exc.value.code == "file_type" and exc.value.extra == {"field": "files"}
    assert "application/pdf" in exc.value.message and "image/png" in exc.value.message
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()
    upload.refresh_from_db()
    assert upload.attached_at is None  # rolled back with the submission: the student may use it again


def test_an_allowed_file_type_is_taken(media_root, student, file_assignment):
    file_assignment.allowed_file_types = ["application/pdf"]
    file_assignment.save()
    upload = submission_upload(student)
    submission = services.submission_create(student=student, assignment=file_assignment, files=[upload.pk])
    assert submission.submission_files.get().upload_id == upload.pk


@pytest.mark.parametrize("points", [0, 10001])
def test_the_update_service_checks_the_points_whoever_calls(points):
    # The API's serializer bounds them too; a platform caller (shell, admin, task) is held to the same rule.
    from lms.errors import InvalidInput

    from .factories import AssignmentFactory

    assignment = AssignmentFactory(points=30)
    with pytest.raises(InvalidInput) as refused:
        services.assignment_update(actor=None, assignment=assignment, data={"points": points})
    assert refused.value.extra == {"field": "points"}
    assignment.refresh_from_db()
    assert assignment.points == 30
