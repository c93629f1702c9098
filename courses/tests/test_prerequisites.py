"""Course prerequisites: set through the course's API (no cycles, only courses one may point to),
and required to enroll for free or to check out (409 `prerequisites_not_met` with what is missing)."""

import pytest
from django.utils import timezone

from accounts.tests.factories import InstructorFactory, StudentFactory
from conftest import client_for
from courses import services
from courses.models import Enrollment
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from lms.errors import Conflict, InvalidInput
from lms.testing import run_together

pytestmark = pytest.mark.django_db

COURSES = "/api/v1/courses/"


def completed(student, course):
    return EnrollmentFactory(student=student, course=course, completed_at=timezone.now())


@pytest.fixture
def chain(instructor):
    """basics <- intermediate <- advanced (each requires the one before), all published."""
    basics = PublishedCourseFactory(instructor=instructor, title="Basics")
    intermediate = PublishedCourseFactory(instructor=instructor, title="Intermediate")
    advanced = PublishedCourseFactory(instructor=instructor, title="Advanced")
    services.course_update(actor=instructor, course=intermediate, data={"prerequisites": [basics.pk]})
    services.course_update(actor=instructor, course=advanced, data={"prerequisites": [intermediate.pk]})
    return basics, intermediate, advanced


# --- setting them ------------------------------------------------------------------------------
def test_the_owner_sets_prerequisites_and_the_course_page_lists_them(instructor, chain):
    basics, intermediate, advanced = chain
    response = client_for(instructor).patch(
        f"{COURSES}{advanced.pk}/", {"prerequisites": [intermediate.pk, basics.pk, basics.pk]}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["prerequisites"] == sorted([basics.pk, intermediate.pk])
    assert client_for(None).get(f"{COURSES}{advanced.pk}/").data["prerequisites"] == sorted(
        [basics.pk, intermediate.pk]
    )
    cleared = client_for(instructor).patch(f"{COURSES}{advanced.pk}/", {"prerequisites": []}, format="json")
    assert cleared.status_code == 200 and cleared.data["prerequisites"] == []


def test_a_patch_without_prerequisites_keeps_them(instructor, chain):
    _, intermediate, advanced = chain
    response = client_for(instructor).patch(f"{COURSES}{advanced.pk}/", {"subtitle": "New"}, format="json")
    assert response.status_code == 200
    assert response.data["prerequisites"] == [intermediate.pk]


def test_a_course_created_with_prerequisites(instructor, chain):
    basics = chain[0]
    response = client_for(instructor).post(COURSES, {"title": "Extra", "prerequisites": [basics.pk]}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["prerequisites"] == [basics.pk]


@pytest.mark.parametrize(
    ("prerequisites", "message"),
    [
        ("self", "cannot require itself"),
        ("loop2", "Intermediate -> Advanced -> Intermediate"),
        ("loop3", "Basics -> Advanced -> Intermediate -> Basics"),
    ],
)
def test_cycles_are_refused_with_the_loop_named(instructor, chain, prerequisites, message):
    basics, intermediate, advanced = chain
    target, ids = {
        "self": (basics, [basics.pk]),
        "loop2": (intermediate, [advanced.pk]),
        "loop3": (basics, [advanced.pk]),
    }[prerequisites]
    before = sorted(target.prerequisites.values_list("pk", flat=True))
    response = client_for(instructor).patch(f"{COURSES}{target.pk}/", {"prerequisites": ids}, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "prerequisite_cycle" and response.data["field"] == "prerequisites"
    assert message in response.data["detail"]
    assert sorted(target.prerequisites.values_list("pk", flat=True)) == before


@pytest.mark.parametrize(
    "ids", [["x"], [0], [-1], "3", [1.5], [None], {"id": 1}, list(range(1, 23))], ids=lambda v: repr(v)[:20]
)
def test_bad_prerequisite_input_is_a_400_naming_the_field(instructor, chain, ids):
    advanced = chain[2]
    response = client_for(instructor).patch(f"{COURSES}{advanced.pk}/", {"prerequisites": ids}, format="json")
    assert response.status_code == 400
    assert "prerequisites" in str(response.data)
    assert list(advanced.prerequisites.values_list("pk", flat=True)) == [chain[1].pk]


def test_only_published_courses_or_ones_own_can_be_required(instructor, other_instructor, admin_user, chain):
    advanced = chain[2]
    hidden = CourseFactory(instructor=other_instructor)  # a draft of someone else's
    own_draft = CourseFactory(instructor=instructor)
    unknown = hidden.pk + 1000
    for ids in ([hidden.pk], [unknown]):
        response = client_for(instructor).patch(f"{COURSES}{advanced.pk}/", {"prerequisites": ids}, format="json")
        assert response.status_code == 400
        assert response.data["field"] == "prerequisites" and str(ids[0]) in response.data["detail"]
    response = client_for(instructor).patch(
        f"{COURSES}{advanced.pk}/", {"prerequisites": [own_draft.pk]}, format="json"
    )
    assert response.status_code == 200
    response = client_for(admin_user).patch(f"{COURSES}{advanced.pk}/", {"prerequisites": [hidden.pk]}, format="json")
    assert response.status_code == 200 and response.data["prerequisites"] == [hidden.pk]


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_only_the_owner_or_an_admin_changes_them(chain, who, student, other_instructor):
    advanced = chain[2]
    user = {"student": student, "other_instructor": other_instructor}[who]
    response = client_for(user).patch(f"{COURSES}{advanced.pk}/", {"prerequisites": []}, format="json")
    assert response.status_code == 403
    assert list(advanced.prerequisites.values_list("pk", flat=True)) == [chain[1].pk]


def test_the_service_refuses_a_cycle_whoever_calls(chain):
    basics, _, advanced = chain
    with pytest.raises(InvalidInput) as refused:
        services.course_update(actor=None, course=basics, data={"prerequisites": [advanced.pk]})
    assert refused.value.code == "prerequisite_cycle"


# --- enrolling -----------------------------------------------------------------------------------
def test_enrolling_needs_every_prerequisite_completed(chain, student):
    _, intermediate, advanced = chain
    response = client_for(student).post(f"{COURSES}{advanced.pk}/enroll/")
    assert response.status_code == 409
    assert response.data["code"] == "prerequisites_not_met"
    assert response.data["missing"] == [{"id": intermediate.pk, "title": "Intermediate", "slug": intermediate.slug}]
    assert not Enrollment.objects.filter(student=student, course=advanced).exists()

    EnrollmentFactory(student=student, course=intermediate)  # enrolled is not enough
    assert client_for(student).post(f"{COURSES}{advanced.pk}/enroll/").status_code == 409

    Enrollment.objects.filter(student=student, course=intermediate).update(completed_at=timezone.now())
    assert client_for(student).post(f"{COURSES}{advanced.pk}/enroll/").status_code == 201


def test_a_completion_counts_after_its_enrollment_was_revoked(chain, student):
    _, intermediate, advanced = chain
    services.enrollment_revoke(actor=None, enrollment=completed(student, intermediate))
    assert client_for(student).post(f"{COURSES}{advanced.pk}/enroll/").status_code == 201


def test_missing_courses_are_listed_by_title(instructor, student):
    zeta = PublishedCourseFactory(instructor=instructor, title="Zeta")
    alpha = PublishedCourseFactory(instructor=instructor, title="Alpha")
    target = PublishedCourseFactory(instructor=instructor)
    services.course_update(actor=instructor, course=target, data={"prerequisites": [zeta.pk, alpha.pk]})
    completed(student, zeta)
    with pytest.raises(Conflict) as refused:
        services.enrollment_create(student=student, course=target)
    assert [m["title"] for m in refused.value.extra["missing"]] == ["Alpha"]
    assert str(refused.value) == "Complete Alpha first."


def test_a_prerequisite_no_longer_published_is_not_required(chain, instructor, student):
    _, intermediate, advanced = chain
    services.course_unpublish(actor=instructor, course=intermediate)
    response = client_for(student).post(f"{COURSES}{advanced.pk}/enroll/")
    assert response.status_code == 201, response.data


def test_an_admin_grant_skips_prerequisites(chain, student, admin_user):
    advanced = chain[2]
    enrollment = services.enrollment_create(student=student, course=advanced, source="admin")
    assert enrollment.is_active


def test_already_enrolled_is_answered_before_prerequisites(chain, student):
    advanced = chain[2]
    EnrollmentFactory(student=student, course=advanced)
    response = client_for(student).post(f"{COURSES}{advanced.pk}/enroll/")
    assert response.status_code == 409 and response.data["code"] == "already_enrolled"


def test_checkout_needs_the_prerequisites_too(instructor, chain, student):
    intermediate = chain[1]
    paid = PublishedCourseFactory(instructor=instructor, price="49.00")
    services.course_update(actor=instructor, course=paid, data={"prerequisites": [intermediate.pk]})
    response = client_for(student).post(f"{COURSES}{paid.pk}/checkout/")
    assert response.status_code == 409
    assert response.data["code"] == "prerequisites_not_met"
    assert [m["id"] for m in response.data["missing"]] == [intermediate.pk]
    assert not paid.orders.exists()


# --- concurrency ---------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_edits_that_would_close_a_loop_together_cannot_both_commit(postgres):
    owner = InstructorFactory()
    StudentFactory()
    courses = [PublishedCourseFactory(instructor=owner, title=f"C{n}") for n in range(4)]
    a, b, c, d = courses
    services.course_update(actor=owner, course=b, data={"prerequisites": [a.pk]})  # A <- B
    services.course_update(actor=owner, course=d, data={"prerequisites": [c.pk]})  # C <- D
    # C needs B and A needs D: each alone is fine; together they close A <- B <- C <- D <- A.
    results = run_together(
        [
            lambda: client_for(owner).patch(f"{COURSES}{c.pk}/", {"prerequisites": [b.pk]}, format="json"),
            lambda: client_for(owner).patch(f"{COURSES}{a.pk}/", {"prerequisites": [d.pk]}, format="json"),
        ],
        timeout=30,
    )
    assert sorted(r.status_code for r in results) == [200, 400], [getattr(r, "data", r) for r in results]


# --- the admin -----------------------------------------------------------------------------------
def test_the_admin_sets_prerequisites_through_the_service_and_shows_a_loop_as_an_error(staff, chain):
    from lms.tests.admin_forms import page_data

    basics, intermediate, advanced = chain
    url = f"/admin/courses/course/{basics.pk}/change/"
    looped = staff.post(url, page_data(staff.get(url), prerequisites=[str(advanced.pk)]))
    assert looped.status_code == 200  # the form again, with the refusal
    assert b"loop of prerequisites" in looped.content
    assert list(basics.prerequisites.all()) == []

    url = f"/admin/courses/course/{advanced.pk}/change/"
    saved = staff.post(url, page_data(staff.get(url), prerequisites=[str(basics.pk), str(intermediate.pk)]))
    assert saved.status_code == 302, saved.content[:2000]
    assert sorted(advanced.prerequisites.values_list("pk", flat=True)) == sorted([basics.pk, intermediate.pk])
