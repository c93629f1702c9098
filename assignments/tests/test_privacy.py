"""Assignments' part of privacy: the export of a person's work (text, URL, files with their bytes,
grades), and the erasure that deletes it, keeps graded submissions' scores for the gradebook, and
deletes the archive zips that hold it, without touching any other student's work or grades."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import StudentFactory
from assignments import privacy, services
from assignments.models import ArchiveStatus, Grade, Submission, SubmissionArchive, SubmissionFile
from courses.tests.factories import PublishedCourseFactory, SectionFactory
from gradebook.selectors import item_list_for_course, row_list, scheme_get
from lms.counters import counters, drifted
from lms.errors import Conflict
from media import storage
from media.models import Upload
from media.tests.helpers import read_stored, stored_names
from privacy import registry

from .factories import AssignmentFactory, enroll, pdf, submission_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

ESSAY = b"Ada's essay, word by word.\n"
THEIRS = b"Alan's notes.\n"


def _submit(student, assignment, *, files=(), **work) -> Submission:
    uploads = [submission_upload(student, data=data, filename=name, content_type=kind) for name, data, kind in files]
    return services.submission_create(student=student, assignment=assignment, files=[u.pk for u in uploads], **work)


def _archive(actor, assignment, capture) -> SubmissionArchive:
    with capture(execute=True):
        archive = services.archive_request(actor=actor, assignment=assignment)
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.READY, archive.error
    return archive


def _snapshot(queryset):
    return [dict(row) for row in queryset.order_by("pk").values()]


@pytest.fixture
def world(instructor, django_capture_on_commit_callbacks):
    """Two assignments of `instructor`'s course. Ada: at `essay`, attempt 1 (text, a PDF and two
    files named alike, a URL) graded with feedback, attempt 2 (text) not graded; nothing at `other`.
    Alan: attempt 1 at `essay` (text and a file) graded with feedback, and attempt 1 at `other`. An
    archive of each assignment, built."""
    section = SectionFactory(course=PublishedCourseFactory(instructor=instructor))
    essay = AssignmentFactory(
        section=section, course=section.course, submission_types=["text", "file", "url"], max_attempts=3
    )
    other = AssignmentFactory(section=section, course=section.course, submission_types=["text", "file"])
    ada = StudentFactory(first_name="Ada", last_name="Lovelace")
    alan = StudentFactory(first_name="Alan", last_name="Turing")
    for student in (ada, alan):
        enroll(student, essay)
    first = _submit(
        ada,
        essay,
        text="Ada's inline essay",
        url="https://example.com/ada",
        files=[
            ("essay.pdf", pdf(), "application/pdf"),
            ("notes.txt", ESSAY, "text/plain"),
            ("Notes.txt", ESSAY, "text/plain"),
        ],
    )
    services.submission_grade(actor=instructor, submission=first, score=70, feedback="Ada, a sharp essay.")
    services.submission_grade(actor=instructor, submission=first, score=80, feedback="Ada, re-graded: better.")
    second = _submit(ada, essay, text="Ada's second try")
    theirs = _submit(alan, essay, text="Alan's essay", files=[("alan.txt", THEIRS, "text/plain")])
    services.submission_grade(actor=instructor, submission=theirs, score=90, feedback="Alan, well argued.")
    elsewhere = _submit(alan, other, text="Alan elsewhere")
    return {
        "essay": essay,
        "other": other,
        "ada": ada,
        "alan": alan,
        "first": first,
        "second": second,
        "theirs": theirs,
        "elsewhere": elsewhere,
        "essay_archive": _archive(instructor, essay, django_capture_on_commit_callbacks),
        "other_archive": _archive(instructor, other, django_capture_on_commit_callbacks),
    }


def _erase(user, capture) -> dict:
    with capture(execute=True):  # the stored objects go after commit
        return services.submissions_erase_for_user(user=user)


# --- registry ---------------------------------------------------------------------------------------
def test_registered_and_covering_the_user_linked_models():
    assert registry._exporters["assignments"] is privacy.EXPORTER
    assert registry._erasers["assignments"] is privacy.ERASER
    linked = {m._meta.label for m in registry.user_linked_models() if m._meta.app_label == "assignments"}
    assert linked == {"assignments.Submission", "assignments.Grade", "assignments.SubmissionArchive"}
    assert linked <= {m._meta.label for m in privacy.EXPORTER.models}
    assert linked <= {m._meta.label for m in privacy.ERASER.models}
    assert privacy.ERASER.policy and privacy.EXPORTER.describe


# --- export -----------------------------------------------------------------------------------------
def test_export_holds_the_persons_work_files_and_grades(world, instructor):
    ada, first, second = world["ada"], world["first"], world["second"]
    data = privacy.EXPORTER.export(ada)
    dumped = json.dumps(data)
    assert "Alan" not in dumped and "alan.txt" not in dumped  # nothing of another student's
    assert data["grades_given"] == [] and data["archives_requested"] == []
    rows = data["submissions"]
    assert [row["id"] for row in rows] == [first.pk, second.pk]
    one, two = rows
    assert (one["assignment_id"], one["attempt"], one["status"]) == (world["essay"].pk, 1, "graded")
    assert (one["text"], one["url"]) == ("Ada's inline essay", "https://example.com/ada")
    assert one["submitted_at"] == first.submitted_at.isoformat()
    assert [(f["filename"], f["path"], f["size"]) for f in one["files"]] == [
        ("essay.pdf", f"submissions/{first.pk}/essay.pdf", len(pdf())),
        ("notes.txt", f"submissions/{first.pk}/notes.txt", len(ESSAY)),
        ("Notes.txt", f"submissions/{first.pk}/Notes (2).txt", len(ESSAY)),  # apart on any file system
    ]
    assert [(g["score"], g["feedback"], g["current"]) for g in one["grades"]] == [
        ("70.00", "Ada, a sharp essay.", False),
        ("80.00", "Ada, re-graded: better.", True),
    ]
    assert one["grades"][1]["graded_by"] == instructor.full_name
    assert one["grades"][1]["percent"] == "80.00"
    assert (two["text"], two["status"], two["files"], two["grades"]) == ("Ada's second try", "submitted", [], [])


def test_export_files_are_the_persons_stored_bytes_at_the_paths_the_json_names(world):
    ada = world["ada"]
    files = list(privacy.EXPORTER.files(ada))
    named = [f["path"] for row in privacy.EXPORTER.export(ada)["submissions"] for f in row["files"]]
    assert [path for path, _key in files] == named
    contents = {path: read_stored(key) for path, key in files}
    first = world["first"].pk
    assert contents == {
        f"submissions/{first}/essay.pdf": pdf(),
        f"submissions/{first}/notes.txt": ESSAY,
        f"submissions/{first}/Notes (2).txt": ESSAY,
    }
    assert [path for path, _key in privacy.EXPORTER.files(world["alan"])] == [
        f"submissions/{world['theirs'].pk}/alan.txt"
    ]


def test_a_graders_export_names_the_grades_and_archives_not_the_students_data(world, instructor):
    data = privacy.EXPORTER.export(instructor)
    assert data["submissions"] == []
    grades = Grade.objects.filter(graded_by=instructor).order_by("graded_at", "pk")
    assert [g["id"] for g in data["grades_given"]] == list(grades.values_list("pk", flat=True))
    assert set(data["grades_given"][0]) == {"id", "submission_id", "assignment_id", "assignment_title", "graded_at"}
    assert [a["id"] for a in data["archives_requested"]] == [world["essay_archive"].pk, world["other_archive"].pk]
    dumped = json.dumps(data)
    assert "sharp essay" not in dumped and "90.00" not in dumped
    assert list(privacy.EXPORTER.files(instructor)) == []


# --- erasure ----------------------------------------------------------------------------------------
def test_erase_deletes_the_work_keeps_the_graded_score_and_nobody_elses(
    world, instructor, django_capture_on_commit_callbacks
):
    ada, alan, first = world["ada"], world["alan"], world["first"]
    ada_keys = [key for f in SubmissionFile.objects.filter(submission__student=ada) for key in f.upload.stored_keys()]
    ada_uploads = list(SubmissionFile.objects.filter(submission__student=ada).values_list("upload_id", flat=True))
    essay_zip, other_zip = world["essay_archive"].key, world["other_archive"].key
    alan_rows = {
        "submissions": _snapshot(Submission.objects.filter(student=alan)),
        "files": _snapshot(SubmissionFile.objects.filter(submission__student=alan)),
        "grades": _snapshot(Grade.objects.filter(submission__student=alan)),
        "uploads": _snapshot(Upload.objects.filter(owner=alan)),
    }
    course = world["essay"].course
    items, scheme = item_list_for_course(course), scheme_get(course)
    (alan_row_before,) = row_list(students=[alan], items=items, scheme=scheme)
    grades_before = _snapshot(Grade.objects.filter(submission=first))

    done = _erase(ada, django_capture_on_commit_callbacks)

    assert done == {"submissions_deleted": 1, "submissions_blanked": 1, "files_deleted": 3, "archives_deleted": 1}
    # The graded attempt stays, its work blanked, its scores as they were, its feedback gone.
    assert list(Submission.objects.filter(student=ada).values_list("pk", flat=True)) == [first.pk]
    first.refresh_from_db()
    assert (first.text, first.url, first.status) == ("", "", "graded")
    assert not first.submission_files.exists()
    grades = _snapshot(Grade.objects.filter(submission=first))
    assert [g["feedback"] for g in grades] == ["", ""]
    strip = [{k: v for k, v in g.items() if k != "feedback"} for g in grades_before]
    assert [{k: v for k, v in g.items() if k != "feedback"} for g in grades] == strip
    assert first.grade.percent == 80
    # Their files: rows, uploads and stored objects.
    assert not Upload.objects.filter(pk__in=ada_uploads).exists()
    assert not set(ada_keys) & stored_names()
    # The archive holding their work is gone with its zip; the other assignment's stays.
    assert not SubmissionArchive.objects.filter(pk=world["essay_archive"].pk).exists()
    assert essay_zip not in stored_names()
    assert SubmissionArchive.objects.filter(pk=world["other_archive"].pk).exists() and other_zip in stored_names()
    # Alan: every row, upload and stored byte as it was, and his gradebook row unchanged.
    assert _snapshot(Submission.objects.filter(student=alan)) == alan_rows["submissions"]
    assert _snapshot(SubmissionFile.objects.filter(submission__student=alan)) == alan_rows["files"]
    assert _snapshot(Grade.objects.filter(submission__student=alan)) == alan_rows["grades"]
    assert _snapshot(Upload.objects.filter(owner=alan)) == alan_rows["uploads"]
    assert read_stored(Upload.objects.get(owner=alan, filename="alan.txt").key) == THEIRS
    (alan_row,) = row_list(students=[alan], items=items, scheme=scheme)
    assert (alan_row.scores, alan_row.percent) == (alan_row_before.scores, alan_row_before.percent)
    # Ada's own gradebook row still counts the kept grade.
    (ada_row,) = row_list(students=[ada], items=items, scheme=scheme)
    assert ada_row.scores[f"assignment-{world['essay'].pk}"] is not None
    assert (Submission.objects.count(), Grade.objects.count(), SubmissionFile.objects.count()) == (3, 3, 1)
    assert all(not drifted(counter).exists() for counter in counters())
    # A new archive of the assignment holds Ada's score, and none of her work.
    with django_capture_on_commit_callbacks(execute=True):
        archive = services.archive_request(actor=instructor, assignment=world["essay"])
    archive.refresh_from_db()
    names = zipfile.ZipFile(io.BytesIO(read_stored(archive.key))).namelist()
    assert not [n for n in names if f"-{ada.pk}/" in n]


def test_a_second_erase_writes_nothing(world, django_capture_on_commit_callbacks):
    _erase(world["ada"], django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        done = _erase(world["ada"], django_capture_on_commit_callbacks)
    assert set(done.values()) == {0}
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "DELETE", "INSERT"))]
    assert writes == []


def test_archives_asked_for_after_the_erasure_are_kept(world, instructor, django_capture_on_commit_callbacks):
    """Once the person is erased (accounts sets erased_at last), a new archive holds only the
    pseudonym: a later run leaves it; before that, a run deletes every archive of the assignment."""
    ada = world["ada"]
    _erase(ada, django_capture_on_commit_callbacks)
    User.objects.filter(pk=ada.pk).update(erased_at=timezone.now() - timedelta(seconds=1))
    ada.refresh_from_db()
    later = _archive(instructor, world["essay"], django_capture_on_commit_callbacks)
    assert _erase(ada, django_capture_on_commit_callbacks)["archives_deleted"] == 0
    assert SubmissionArchive.objects.filter(pk=later.pk).exists()


def test_erase_resumes_after_a_crash_half_way(world, instructor, monkeypatch, django_capture_on_commit_callbacks):
    """Ada has work at both assignments; the worker dies in the second: the first stays erased, the
    second untouched (files, archive), and the next run finishes."""
    ada, other = world["ada"], world["other"]  # the same course: Ada is enrolled
    later = _submit(ada, other, text="Ada elsewhere", files=[("late.txt", ESSAY, "text/plain")])
    real, calls = services.upload_release, []

    def dying(*, upload):
        calls.append(upload)
        if len(calls) > 3:  # the essay's three files, then the other assignment's
            raise RuntimeError("worker killed")
        return real(upload=upload)

    monkeypatch.setattr(services, "upload_release", dying)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.submissions_erase_for_user(user=ada)
    assert not Submission.objects.filter(pk=world["second"].pk).exists()  # the essay: done
    assert Submission.objects.get(pk=later.pk).submission_files.count() == 1  # the other: untouched
    assert SubmissionArchive.objects.filter(pk=world["other_archive"].pk).exists()

    monkeypatch.setattr(services, "upload_release", real)
    done = _erase(ada, django_capture_on_commit_callbacks)
    assert done == {"submissions_deleted": 1, "submissions_blanked": 0, "files_deleted": 1, "archives_deleted": 1}
    assert not Submission.objects.filter(student=ada, assignment=other).exists()
    assert not SubmissionFile.objects.filter(submission__student=ada).exists()


def test_an_erased_students_work_can_no_longer_be_graded(world, instructor, django_capture_on_commit_callbacks):
    ada = world["ada"]
    _erase(ada, django_capture_on_commit_callbacks)
    User.objects.filter(pk=ada.pk).update(erased_at=timezone.now())
    with pytest.raises(Conflict) as caught:
        services.submission_grade(actor=instructor, submission=world["first"], score=10, feedback="New words")
    assert caught.value.code == "student_erased"
    assert not Grade.objects.filter(feedback="New words").exists()


def test_erasing_a_grader_keeps_the_grades_they_gave(world, instructor, django_capture_on_commit_callbacks):
    """An instructor's erasure leaves the grades they gave (the students' record) pointing at them,
    who then read "Deleted user", and deletes nothing of any student's."""
    before = {
        "grades": _snapshot(Grade.objects.all()),
        "submissions": _snapshot(Submission.objects.all()),
        "archives": _snapshot(SubmissionArchive.objects.all()),
    }
    assert _erase(instructor, django_capture_on_commit_callbacks) == dict.fromkeys(
        ("submissions_deleted", "submissions_blanked", "files_deleted", "archives_deleted"), 0
    )
    assert _snapshot(Grade.objects.all()) == before["grades"]
    assert _snapshot(Submission.objects.all()) == before["submissions"]
    assert _snapshot(SubmissionArchive.objects.all()) == before["archives"]
    assert storage.exists(world["essay_archive"].key)
