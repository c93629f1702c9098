"""The "download all submissions" zip: what it holds (every attempt, each student's bytes exactly,
the CSV's figures, safe names), built once however often it is asked for or run, on local storage
and on S3; its failures (a file gone from storage, storage down); and the sweep (time-machine)."""

import csv
import io
import zipfile
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from assignments import services, tasks
from assignments.models import ArchiveStatus, SubmissionArchive
from courses.tests.factories import PublishedCourseFactory, SectionFactory
from lms.errors import NotPermitted
from lms.testing import run_together
from media import storage
from media.tests.helpers import read_stored, stored_names

from .factories import AssignmentFactory, enroll, pdf, submission_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

ESSAY = "Mon essai : café, naïve, 東京 ✓\n".encode() * 50
NOTES = b"Second draft notes.\n"
HEADER = list(services.ARCHIVE_CSV_HEADER)


@pytest.fixture
def assignment(instructor):
    section = SectionFactory(course=PublishedCourseFactory(instructor=instructor))
    return AssignmentFactory(
        section=section, course=section.course, title="Essay: week 1!", submission_types=["text", "file", "url"]
    )


def _student(assignment, first, last):
    student = StudentFactory(first_name=first, last_name=last)
    enroll(student, assignment)
    return student


def _submit(student, assignment, *, files=(), **work):
    uploads = [submission_upload(student, data=data, filename=name, content_type=kind) for name, data, kind in files]
    return services.submission_create(student=student, assignment=assignment, files=[u.pk for u in uploads], **work)


def _build(actor, assignment, django_capture_on_commit_callbacks) -> SubmissionArchive:
    """Requests the archive and runs what was queued on commit (the build, inline)."""
    with django_capture_on_commit_callbacks(execute=True):
        archive = services.archive_request(actor=actor, assignment=assignment)
    archive.refresh_from_db()
    return archive


def _zip(archive) -> zipfile.ZipFile:
    data = read_stored(archive.key)
    assert len(data) == archive.size
    return zipfile.ZipFile(io.BytesIO(data))


def _csv(archive_zip) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive_zip.read("submissions.csv").decode())))


@pytest.fixture
def classroom(assignment, instructor):
    """Ada Lovelace: attempt 1 (text, a PDF and two files both named notes.txt, one more named
    text.txt), graded; attempt 2 (a URL), late by two days. Alan Turing: attempt 1 (text only). A
    student whose name is a spreadsheet formula: attempt 1 (text)."""
    ada = _student(assignment, "Ada", "Lovelace")
    alan = _student(assignment, "Alan", "Turing")
    formula = _student(assignment, "=HYPERLINK(1)", "+Abbott")
    assignment.max_files = 5
    assignment.save()
    first = _submit(
        ada,
        assignment,
        text="My essay, inline.",
        files=[
            ("essay.pdf", pdf(), "application/pdf"),
            ("notes.txt", ESSAY, "text/plain"),
            ("Notes.txt", NOTES, "text/plain"),
            ("text.txt", NOTES, "text/plain"),
        ],
    )
    services.submission_grade(actor=instructor, submission=first, score=85, feedback="Good")
    assignment.max_attempts = 3
    assignment.due_at = timezone.now() - timedelta(days=1, hours=2)
    assignment.penalty_percent_per_day = Decimal("10")
    assignment.save()
    second = _submit(ada, assignment, url="https://example.com/my-essay")
    third = _submit(alan, assignment, text="Turing's answer.")
    fourth = _submit(formula, assignment, text="=1+1")
    return {"ada": ada, "alan": alan, "formula": formula, "submissions": [first, second, third, fourth]}


def test_the_zip_holds_every_attempt_with_each_file_exactly(
    instructor, assignment, classroom, django_capture_on_commit_callbacks
):
    ada, alan, formula = classroom["ada"], classroom["alan"], classroom["formula"]
    archive = _build(instructor, assignment, django_capture_on_commit_callbacks)

    assert archive.status == ArchiveStatus.READY and archive.error == ""
    assert archive.submission_count == 4 and archive.finished_at is not None
    assert archive.key == f"private/archives/{archive.pk}/essay-week-1-{assignment.pk}-submissions.zip"
    zipped = _zip(archive)
    assert zipped.testzip() is None
    ada_1, ada_2 = f"Lovelace-Ada-{ada.pk}/attempt-1", f"Lovelace-Ada-{ada.pk}/attempt-2"
    alan_1 = f"Turing-Alan-{alan.pk}/attempt-1"
    formula_1 = f"Abbott-HYPERLINK-1-{formula.pk}/attempt-1"
    assert sorted(zipped.namelist()) == sorted(
        [
            f"{ada_1}/text.txt",
            f"{ada_1}/essay.pdf",
            f"{ada_1}/notes.txt",
            f"{ada_1}/Notes (2).txt",  # the same name but for case: apart on any file system
            f"{ada_1}/text (2).txt",  # the student's own text.txt does not replace the inline text
            f"{ada_2}/url.txt",
            f"{alan_1}/text.txt",
            f"{formula_1}/text.txt",
            "submissions.csv",
        ]
    )
    assert zipped.read(f"{ada_1}/essay.pdf") == pdf()
    assert zipped.read(f"{ada_1}/notes.txt") == ESSAY
    assert zipped.read(f"{ada_1}/Notes (2).txt") == NOTES
    assert zipped.read(f"{ada_1}/text (2).txt") == NOTES
    assert zipped.read(f"{ada_1}/text.txt") == b"My essay, inline."
    assert zipped.read(f"{ada_2}/url.txt") == b"https://example.com/my-essay\n"
    assert zipped.read(f"{alan_1}/text.txt") == b"Turing's answer."
    first = classroom["submissions"][0]
    # stamped when submitted (zip times are local times to the minute, here UTC)
    assert zipped.getinfo(f"{ada_1}/essay.pdf").date_time[:5] == first.submitted_at.utctimetuple()[:5]


def test_the_csv_has_one_row_per_attempt_with_its_figures_and_no_formula(
    instructor, assignment, classroom, django_capture_on_commit_callbacks
):
    ada, alan, formula = classroom["ada"], classroom["alan"], classroom["formula"]
    first, second, third, fourth = classroom["submissions"]
    archive = _build(instructor, assignment, django_capture_on_commit_callbacks)

    rows = _csv(_zip(archive))

    def stamp(moment):
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

    graded_at = stamp(first.grades.get().graded_at)
    assert rows == [
        HEADER,
        # by last name ("+Abbott" first, with or without its "+"); cells that would run are quoted
        [str(formula.pk), "'+Abbott", "'=HYPERLINK(1)", "1", stamp(fourth.submitted_at), "yes", "2", "submitted",
         "", "", "", "", f"Abbott-HYPERLINK-1-{formula.pk}/attempt-1/"],
        [str(ada.pk), "Lovelace", "Ada", "1", stamp(first.submitted_at), "no", "0", "graded",
         "85.00", "85.00", "85.00", graded_at, f"Lovelace-Ada-{ada.pk}/attempt-1/"],
        [str(ada.pk), "Lovelace", "Ada", "2", stamp(second.submitted_at), "yes", "2", "submitted",
         "", "", "", "", f"Lovelace-Ada-{ada.pk}/attempt-2/"],
        [str(alan.pk), "Turing", "Alan", "1", stamp(third.submitted_at), "yes", "2", "submitted",
         "", "", "", "", f"Turing-Alan-{alan.pk}/attempt-1/"],
    ]  # fmt: skip
    assert "email" not in rows[0] and ada.email not in str(rows)  # the staff see no contact details


def test_an_assignment_nobody_submitted_to_has_the_header_only(
    instructor, assignment, django_capture_on_commit_callbacks
):
    archive = _build(instructor, assignment, django_capture_on_commit_callbacks)
    zipped = _zip(archive)
    assert zipped.namelist() == ["submissions.csv"]
    assert _csv(zipped) == [HEADER]
    assert archive.status == ArchiveStatus.READY and archive.submission_count == 0


def test_on_s3_the_zip_is_the_same(s3_storage, instructor, assignment, django_capture_on_commit_callbacks):
    student = _student(assignment, "Grace", "Hopper")
    _submit(student, assignment, files=[("essay.pdf", pdf(), "application/pdf"), ("notes.txt", ESSAY, "text/plain")])

    archive = _build(instructor, assignment, django_capture_on_commit_callbacks)

    assert archive.status == ArchiveStatus.READY, archive.error
    listed = s3_storage.list_objects_v2(Bucket=s3_storage.bucket)["Contents"]
    assert f"media/{archive.key}" in {obj["Key"] for obj in listed}
    zipped = _zip(archive)
    folder = f"Hopper-Grace-{student.pk}/attempt-1"
    assert zipped.read(f"{folder}/essay.pdf") == pdf() and zipped.read(f"{folder}/notes.txt") == ESSAY


def test_files_are_copied_in_chunks(monkeypatch, instructor, assignment, django_capture_on_commit_callbacks):
    """Memory stays flat: no file is read whole, whatever its size."""
    big = b"0123456789abcdef\n" * 30_000  # 510 kB
    student = _student(assignment, "Big", "File")
    _submit(student, assignment, files=[("big.txt", big, "text/plain")])
    reads = []
    real_open = storage.open_read

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(storage, "open_read", lambda name: Spy(real_open(name)))

    archive = _build(instructor, assignment, django_capture_on_commit_callbacks)
    monkeypatch.undo()

    assert reads and all(0 < size <= storage.CHUNK for size in reads)
    assert len(reads) >= len(big) // storage.CHUNK
    assert _zip(archive).read(f"File-Big-{student.pk}/attempt-1/big.txt") == big


# --- built once -------------------------------------------------------------------------------------
def test_building_twice_builds_once(instructor, assignment, classroom, count_puts):
    archive = services.archive_request(actor=instructor, assignment=assignment)  # its job is queued on commit

    assert services.archive_build(archive_id=archive.pk) is not None
    assert services.archive_build(archive_id=archive.pk) is None
    assert tasks.archive_build_task.delay(archive.pk).get() is False

    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.READY and archive.submission_count == 4
    assert count_puts == [archive.key]
    assert [name for name in stored_names() if name.startswith("private/archives/")] == [archive.key]


def test_a_second_request_while_one_is_pending_returns_it(instructor, admin_user, assignment):
    first = services.archive_request(actor=instructor, assignment=assignment)
    again = services.archive_request(actor=admin_user, assignment=assignment)

    assert again.pk == first.pk and again.requested_by == instructor
    assert SubmissionArchive.objects.count() == 1


def test_a_pending_archive_too_old_to_wait_for_is_not_returned(instructor, assignment):
    with time_machine.travel(timezone.now() - services.ARCHIVE_FAIL_AFTER - timedelta(minutes=1)):
        stale = services.archive_request(actor=instructor, assignment=assignment)
    with time_machine.travel(timezone.now() - services.ARCHIVE_FAIL_AFTER + timedelta(minutes=1)):
        assert services.archive_request(actor=instructor, assignment=assignment).pk == stale.pk  # 2 minutes old
    recent = services.archive_request(actor=instructor, assignment=assignment)  # it is 2 h 1 min old now
    assert recent.pk != stale.pk
    assert services.archive_request(actor=instructor, assignment=assignment).pk == recent.pk


def test_a_new_request_after_a_ready_one_builds_anew(instructor, assignment, django_capture_on_commit_callbacks):
    first = _build(instructor, assignment, django_capture_on_commit_callbacks)
    student = _student(assignment, "Late", "Comer")
    _submit(student, assignment, text="Mine")

    second = _build(instructor, assignment, django_capture_on_commit_callbacks)

    assert second.pk != first.pk and (first.submission_count, second.submission_count) == (0, 1)
    assert second.key != first.key and storage.exists(first.key) and storage.exists(second.key)


@pytest.mark.parametrize("role", ["student", "other_instructor"])
def test_only_the_courses_staff_request_it(role, request, assignment):
    enroll(request.getfixturevalue("student"), assignment)
    with pytest.raises(NotPermitted) as refused:
        services.archive_request(actor=request.getfixturevalue(role), assignment=assignment)
    assert refused.value.code == "not_course_staff"
    assert not SubmissionArchive.objects.exists()


@pytest.mark.parametrize("role", ["instructor", "admin_user", None])
def test_the_owner_an_admin_and_the_platform_request_it(role, request, assignment):
    actor = request.getfixturevalue(role) if role else None
    archive = services.archive_request(actor=actor, assignment=assignment)
    assert archive.status == ArchiveStatus.PENDING and archive.requested_by == actor


# --- failures ---------------------------------------------------------------------------------------
def test_a_file_missing_from_storage_fails_the_archive_naming_it(
    instructor, assignment, django_capture_on_commit_callbacks
):
    student = _student(assignment, "Ada", "Lovelace")
    submission = _submit(student, assignment, files=[("essay.pdf", pdf(), "application/pdf")])
    storage.delete([submission.submission_files.get().upload.key])

    archive = _build(instructor, assignment, django_capture_on_commit_callbacks)

    assert archive.status == ArchiveStatus.FAILED and archive.finished_at is not None
    assert archive.error.startswith(f"Lovelace-Ada-{student.pk}/attempt-1/essay.pdf is missing from storage")
    assert not [name for name in stored_names() if name.startswith("private/archives/")]


def _run_job(monkeypatch, archive_id):
    """The build job as a worker runs it: retried on failure (inline here, without the waits), its
    failure handler called once it gives up. (Jobs inline in tests raise at the first error instead.)"""
    from lms.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    return tasks.archive_build_task.apply((archive_id,))


def test_storage_down_is_retried_then_the_archive_fails(monkeypatch, instructor, assignment, classroom):
    archive = services.archive_request(actor=instructor, assignment=assignment)
    calls = []

    def unreachable(name, path, **kwargs):
        calls.append(name)
        raise ConnectionError("storage unreachable")

    monkeypatch.setattr(storage, "put_file", unreachable)

    result = _run_job(monkeypatch, archive.pk)

    assert result.state == "FAILURE" and isinstance(result.result, ConnectionError)
    assert len(calls) == 1 + tasks.archive_build_task.max_retries
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.FAILED and archive.error == services.ARCHIVE_RETRIES_FAILED
    assert not [name for name in stored_names() if name.startswith("private/archives/")]


def test_a_transient_error_then_success(monkeypatch, instructor, assignment, classroom):
    archive = services.archive_request(actor=instructor, assignment=assignment)
    real, calls = storage.put_file, []

    def flaky(name, path, **kwargs):
        calls.append(name)
        if len(calls) == 1:
            raise ConnectionError("storage hiccup")
        return real(name, path, **kwargs)

    monkeypatch.setattr(storage, "put_file", flaky)

    result = _run_job(monkeypatch, archive.pk)

    assert result.state == "SUCCESS" and result.result is True
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.READY and archive.submission_count == 4
    assert calls == [archive.key, archive.key] and storage.exists(archive.key)


def test_hitting_the_time_limit_fails_the_archive_without_retrying(monkeypatch, instructor, assignment):
    from celery.exceptions import SoftTimeLimitExceeded

    archive = services.archive_request(actor=instructor, assignment=assignment)
    calls = []

    def slow(name, path, **kwargs):
        calls.append(name)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(storage, "put_file", slow)

    result = _run_job(monkeypatch, archive.pk)

    assert result.state == "FAILURE" and len(calls) == 1
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.FAILED and archive.error == services.ARCHIVE_TOO_SLOW


def test_the_failure_handler_leaves_a_built_archive_alone(instructor, assignment, django_capture_on_commit_callbacks):
    archive = _build(instructor, assignment, django_capture_on_commit_callbacks)
    assert services.archive_fail(archive_id=archive.pk, error="Late news.") is None
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.READY and archive.error == ""


# --- deleting the assignment ------------------------------------------------------------------------
def test_deleting_the_assignment_deletes_its_zips(instructor, assignment, django_capture_on_commit_callbacks):
    archive = _build(instructor, assignment, django_capture_on_commit_callbacks)
    assert storage.exists(archive.key)

    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_delete(actor=instructor, assignment=assignment)

    assert not SubmissionArchive.objects.exists()
    assert not storage.exists(archive.key)


# --- the sweep --------------------------------------------------------------------------------------
def _aged(actor, assignment, age: timedelta, callbacks, *, build: bool) -> SubmissionArchive:
    """An archive requested `age` ago; built then, or left pending."""
    with time_machine.travel(timezone.now() - age):
        if build:
            return _build(actor, assignment, callbacks)
        return services.archive_request(actor=actor, assignment=assignment)


def test_the_sweep(instructor, assignment, classroom, count_puts, django_capture_on_commit_callbacks):
    section = assignment.section
    other = [AssignmentFactory(section=section, course=section.course) for _ in range(5)]
    fresh = _aged(instructor, assignment, timedelta(minutes=5), None, build=False)
    lost = _aged(instructor, other[0], timedelta(minutes=30), None, build=False)
    stuck = _aged(instructor, other[1], timedelta(hours=2, minutes=1), None, build=False)
    expired = _aged(instructor, other[2], timedelta(days=8), django_capture_on_commit_callbacks, build=True)
    kept = _aged(instructor, other[3], timedelta(days=6), django_capture_on_commit_callbacks, build=True)
    old_failure = _aged(instructor, other[4], timedelta(days=8), None, build=False)
    services.archive_fail(archive_id=old_failure.pk, error="Something broke.")
    SubmissionArchive.objects.filter(pk=old_failure.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert storage.exists(expired.key) and storage.exists(kept.key)
    count_puts.clear()

    with django_capture_on_commit_callbacks(execute=True):
        done = tasks.archives_sweep_task.delay().get()

    assert done == {"failed": 1, "requeued": 1, "deleted": 2}
    status = dict(SubmissionArchive.objects.values_list("pk", "status"))
    assert status == {
        fresh.pk: ArchiveStatus.PENDING,  # its job may still be on its way
        lost.pk: ArchiveStatus.READY,  # queued again, and built
        stuck.pk: ArchiveStatus.FAILED,
        kept.pk: ArchiveStatus.READY,
    }
    lost.refresh_from_db()
    stuck.refresh_from_db()
    assert count_puts == [lost.key]
    assert stuck.error == services.ARCHIVE_GIVEN_UP
    assert not storage.exists(expired.key) and storage.exists(kept.key)


def test_the_sweep_fails_a_stuck_archive_whose_requester_is_gone(instructor, assignment):
    stuck = _aged(instructor, assignment, timedelta(hours=3), None, build=False)
    SubmissionArchive.objects.filter(pk=stuck.pk).update(requested_by=None)

    assert services.archives_sweep()["failed"] == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == (ArchiveStatus.FAILED, services.ARCHIVE_GIVEN_UP)


def test_a_lost_build_is_queued_again_once_per_period_not_on_every_sweep(instructor, assignment, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args: queued.append(args))
    lost = _aged(instructor, assignment, timedelta(minutes=30), None, build=False)
    queued.clear()

    assert services.archives_sweep()["requeued"] == 1
    assert services.archives_sweep()["requeued"] == 0  # queued a moment ago: its job is on its way
    with time_machine.travel(timezone.now() + services.ARCHIVE_REQUEUE_AFTER + timedelta(seconds=1)):
        assert services.archives_sweep()["requeued"] == 1
    assert queued == [(lost.pk,), (lost.pk,)]


def test_a_failed_archive_s_zip_is_deleted_with_it(
    instructor, assignment, tmp_path, django_capture_on_commit_callbacks
):
    # A zip stored before its build failed (the job died after the upload) goes with the row.
    archive = services.archive_request(actor=instructor, assignment=assignment)
    leftover = tmp_path / "left.zip"
    leftover.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    storage.put_file(archive.key, str(leftover))
    services.archive_fail(archive_id=archive.pk, error="The worker died.")
    SubmissionArchive.objects.filter(pk=archive.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert storage.exists(archive.key)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.archives_sweep()["deleted"] == 1
    assert not storage.exists(archive.key) and not SubmissionArchive.objects.exists()


def test_the_sweep_with_nothing_to_do(db):
    assert services.archives_sweep() == {"failed": 0, "requeued": 0, "deleted": 0}


# --- concurrency (PostgreSQL: the database's locks decide) --------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_racing_make_one_archive(postgres, monkeypatch, instructor, admin_user, assignment):
    queued = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args: queued.append(args))
    actors = [instructor, admin_user] * 4

    results = run_together([lambda a=a: services.archive_request(actor=a, assignment=assignment) for a in actors])

    assert all(isinstance(r, SubmissionArchive) for r in results), results
    assert {r.pk for r in results} == set(SubmissionArchive.objects.values_list("pk", flat=True))
    assert len({r.pk for r in results}) == 1 and queued == [(results[0].pk,)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_builds_racing_build_once(postgres, monkeypatch, instructor, assignment, count_puts):
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args: None)
    student = _student(assignment, "Ada", "Lovelace")
    _submit(student, assignment, text="Mine", files=[("essay.pdf", pdf(), "application/pdf")])
    archive = services.archive_request(actor=instructor, assignment=assignment)

    results = run_together([lambda: services.archive_build(archive_id=archive.pk)] * 4)

    built = [r for r in results if isinstance(r, SubmissionArchive)]
    assert len(built) == 1 and results.count(None) == 3, results
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.READY
    assert [name for name in count_puts if name.startswith("private/archives/")] == [archive.key]
