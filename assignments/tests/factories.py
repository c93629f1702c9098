"""Assignments as rows (for the tests about submitting and grading), and real submission files made
through the media services, as a student's client makes them."""

import os
import tempfile
from datetime import timedelta

import factory
from django.utils import timezone

from assignments.models import Assignment, RubricCriterion, SubmissionType
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory, SectionFactory
from media import services as media
from media import storage
from media.models import Upload, UploadPurpose


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A text assignment of 100 points in a section of a published course, no due date, unlimited
    attempts (resubmission until graded)."""

    class Meta:
        model = Assignment

    section = factory.SubFactory(SectionFactory, course=factory.SubFactory(PublishedCourseFactory))
    course = factory.LazyAttribute(lambda o: o.section.course)
    title = factory.Sequence(lambda n: f"Assignment {n}")
    instructions = "Write about what you learned."
    points = 100
    submission_types = factory.LazyFunction(lambda: [SubmissionType.TEXT])
    order = factory.Sequence(lambda n: n + 1)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    assignment = factory.SubFactory(AssignmentFactory)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    points = 10
    order = factory.Sequence(lambda n: n + 1)


def enroll(student, assignment_or_course):
    course = getattr(assignment_or_course, "course", assignment_or_course)
    return EnrollmentFactory(student=student, course=course)


def due_in(**delta):
    return timezone.now() + timedelta(**delta)


_pdf_cache: dict[str, bytes] = {}


def pdf() -> bytes:
    """A real PDF (WeasyPrint), made once per process."""
    if "pdf" not in _pdf_cache:
        import weasyprint

        _pdf_cache["pdf"] = weasyprint.HTML(string="<p>x</p>").write_pdf()
    return _pdf_cache["pdf"]


def submission_upload(
    owner,
    *,
    data: bytes | None = None,
    filename: str = "essay.pdf",
    content_type: str = "application/pdf",
    purpose: str = UploadPurpose.SUBMISSION_FILE,
) -> Upload:
    """A ready upload of `owner`'s (a submission file, a real PDF, unless told otherwise), through the
    three media steps: ask (upload_create), the bytes to its incoming key (storage.put_file),
    complete (upload_complete)."""
    data = pdf() if data is None else data
    upload = media.upload_create(
        actor=owner, purpose=purpose, filename=filename, content_type=content_type, size=len(data)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, filename)
        with open(path, "wb") as f:
            f.write(data)
        storage.put_file(upload.incoming_key, path)
    return media.upload_complete(actor=owner, upload_id=upload.pk)
