"""Fixtures and helpers of the assignments API tests: a published course of `instructor` with
`student` enrolled (`other_student` is not), one of its sections, assignments in it, and submissions
made as a student's client makes them (files through the three upload steps of the media API).

The role tables below follow assignments/access.py: on a published course everybody signed in sees
the course, so a student without an enrollment is refused (403 `not_enrolled`), not hidden; a
submission is hidden (404) from all but its student and the course's staff."""

import pytest

from accounts.tests.factories import StudentFactory
from assignments import services
from assignments.models import Assignment, Submission
from assignments.tests.factories import AssignmentFactory, CriterionFactory
from conftest import client_for
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory, SectionFactory
from media.tests.helpers import upload

SUBMISSION_TEXT = b"My essay: what I learned this week.\n" * 10

# Reading an assignment (or a section's list, or one's own submissions): enrolled or staff.
READ = {
    "anonymous": 401,
    "student": 200,
    "other_student": 403,
    "instructor": 200,
    "other_instructor": 403,
    "admin": 200,
}
# Changing an assignment, next-ungraded: the course's instructor or an admin.
MANAGE = {**READ, "student": 403}
# Submitting: an active enrollment, whoever else you are.
SUBMIT = {**READ, "instructor": 403, "admin": 403}
# One submission of `student`: hidden from everybody who neither wrote it nor manages the course.
SUBMISSION_READ = {**READ, "other_student": 404, "other_instructor": 404}
# Grading it: as reading, and the student may read but not grade it.
SUBMISSION_GRADE = {**SUBMISSION_READ, "student": 403}

MANAGERS = ("instructor", "admin")


def ok(expected: int, success: int) -> int:
    """The tables say 200 for "allowed"; the endpoint may answer 201 or 204 instead."""
    return success if expected == 200 else expected


def section_assignments_url(section_id) -> str:
    return f"/api/v1/sections/{section_id}/assignments/"


def assignment_url(pk, action="") -> str:
    return f"/api/v1/assignments/{pk}/{action + '/' if action else ''}"


def submission_url(pk, action="") -> str:
    return f"/api/v1/submissions/{pk}/{action + '/' if action else ''}"


def refused_on(response, field: str) -> dict:
    """Asserts a 400 naming `field`: a serializer's `{field: [...]}` (a list item's `field.N`), or a
    service's `{detail, code, field}`. Returns the body."""
    assert response.status_code == 400, (response.status_code, response.content)
    data = response.json()
    named = data.get("field") == field or any(key == field or key.startswith(field + ".") for key in data)
    assert named, data
    return data


def conflict(response, code: str) -> dict:
    assert response.status_code == 409, (response.status_code, response.content)
    data = response.json()
    assert data["code"] == code, data
    return data


def fetch(url: str) -> bytes:
    """A signed file link, fetched by anybody (the link is the permission)."""
    response = client_for(None).get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, getattr(response, "content", b"")
    return b"".join(response.streaming_content) if response.streaming else response.content


def ready_upload(user, *, data: bytes = SUBMISSION_TEXT, filename="essay.txt", content_type="text/plain") -> str:
    """The id of a ready `submission_file` upload of `user`'s, made through the API: ask, PUT the
    bytes, complete."""
    response = upload(
        client_for(user), purpose="submission_file", filename=filename, content_type=content_type, data=data
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ready"
    return response.json()["id"]


def submit(student, assignment: Assignment, **work) -> Submission:
    """A submission through the service (for tests about what comes after submitting); text
    unless told otherwise."""
    work = work or {"text": "My answer."}
    return services.submission_create(student=student, assignment=assignment, **work)


def grade(actor, submission: Submission, score=80, **kwargs):
    return services.submission_grade(actor=actor, submission=submission, score=score, **kwargs)


@pytest.fixture
def course(instructor, student):
    """A published course of `instructor`; `student` enrolled, `other_student` not."""
    course = PublishedCourseFactory(instructor=instructor, lessons=0)
    EnrollmentFactory(student=student, course=course)
    return course


@pytest.fixture
def section(course):
    return SectionFactory(course=course, order=1, title="Week 1")


@pytest.fixture
def assignment(section):
    """Text, file or url; 100 points; unlimited attempts until graded; a two-criterion rubric."""
    assignment = AssignmentFactory(
        section=section, course=section.course, submission_types=["text", "file", "url"], order=1
    )
    CriterionFactory(assignment=assignment, title="Argument", points=60, order=1)
    CriterionFactory(assignment=assignment, title="Style", points=40, order=2)
    return assignment


@pytest.fixture
def submission(student, assignment):
    """`student`'s first attempt, text only, not graded."""
    return submit(student, assignment, text="My first answer.")


def enrolled_student(course):
    """A new student with an active enrollment in `course`."""
    student = StudentFactory()
    EnrollmentFactory(student=student, course=course)
    return student


@pytest.fixture
def classmate(course):
    """Another student enrolled in `course`."""
    return enrolled_student(course)


@pytest.fixture(autouse=True)
def _own_media_folder(media_root):
    """Every test here stores files: each in a media folder of its own (the root conftest's media_root)."""
