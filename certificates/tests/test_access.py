"""certificates.access: each need of certificate_for for every role, ids that are garbage, and the
demoted instructor."""

import pytest

from accounts.models import Role, User
from certificates.access import certificate_for
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from lms.errors import NotFound
from lms.testing import access_outcome

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")
OK, HIDDEN, DENIED = "ok", 404, (403, "not_course_staff")

MATRIX = {
    # Downloading: the owner and admins; the course's instructor does not hold their students' PDFs.
    "read": {
        "anonymous": HIDDEN,
        "student": OK,
        "other_student": HIDDEN,
        "instructor": HIDDEN,
        "other_instructor": HIDDEN,
        "admin": OK,
    },
    "manage": {
        "anonymous": HIDDEN,
        "student": DENIED,
        "other_student": HIDDEN,
        "instructor": OK,
        "other_instructor": HIDDEN,
        "admin": OK,
    },
}


@pytest.fixture
def users(users_by_role):
    return users_by_role


@pytest.fixture
def certificate(student, instructor):
    return CertificateFactory(enrollment=CompletedEnrollmentFactory(student=student, course__instructor=instructor))


def outcome(user, pk, need):
    return access_outcome(lambda: certificate_for(user, pk, need=need), report="both")


@pytest.mark.parametrize("need", ["read", "manage"])
@pytest.mark.parametrize("role", ROLES)
def test_certificate_for(users, certificate, need, role):
    assert outcome(users[role], certificate.pk, need) == MATRIX[need][role]


def test_a_demoted_instructor_no_longer_manages_their_courses_certificates(instructor, certificate):
    User.objects.filter(pk=instructor.pk).update(role=Role.STUDENT)
    instructor.refresh_from_db()
    assert outcome(instructor, certificate.pk, "manage") == HIDDEN


@pytest.mark.parametrize("garbage", ["abc", "", None, "1.5", -1, 0, 2**63, "9" * 30, 999_999])
@pytest.mark.parametrize("need", ["read", "manage"])
def test_garbage_ids_are_404_never_500(admin_user, garbage, need):
    with pytest.raises(NotFound):
        certificate_for(admin_user, garbage, need=need)


def test_an_unknown_need_is_a_programming_error(admin_user, certificate):
    with pytest.raises(ValueError):
        certificate_for(admin_user, certificate.pk, need="own")
