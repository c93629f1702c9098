"""courses.access: each helper fetches and authorizes in one call. For every need and every role,
on a published and on a draft course: the object, 404 (hidden) or 403 with its code."""

import pytest

from accounts.models import Role
from accounts.services import user_set_role
from courses.access import (
    category_for,
    course_audience,
    course_for,
    course_require,
    enrollment_for,
    lesson_for,
    section_for,
    sees_public_course_page,
)
from courses.models import Course, CourseStatus
from courses.tests.factories import CategoryFactory, CourseFactory, EnrollmentFactory, PublishedCourseFactory
from lms.errors import NotFound, NotPermitted
from lms.testing import access_outcome

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin", "demoted")
OK = "ok"
HIDDEN = 404
NOT_ENROLLED = "not_enrolled"
NOT_STAFF = "not_course_staff"

# role -> need -> outcome. `student` is enrolled; `demoted` taught the course and is a student now.
ON_PUBLISHED = {
    "anonymous": {"read": OK, "learn": NOT_ENROLLED, "manage": NOT_STAFF},
    "student": {"read": OK, "learn": OK, "manage": NOT_STAFF},
    "other_student": {"read": OK, "learn": NOT_ENROLLED, "manage": NOT_STAFF},
    "instructor": {"read": OK, "learn": OK, "manage": OK},
    "other_instructor": {"read": OK, "learn": NOT_ENROLLED, "manage": NOT_STAFF},
    "admin": {"read": OK, "learn": OK, "manage": OK},
    "demoted": {"read": OK, "learn": NOT_ENROLLED, "manage": NOT_STAFF},
}
# A draft is hidden from everyone but its staff and its enrolled students (and closed to a demoted
# instructor).
ON_DRAFT = {
    **ON_PUBLISHED,
    **{role: dict.fromkeys(("read", "learn", "manage"), HIDDEN) for role in ("anonymous", "other_student")},
    "other_instructor": dict.fromkeys(("read", "learn", "manage"), HIDDEN),
    "demoted": dict.fromkeys(("read", "learn", "manage"), HIDDEN),
}
CASES = [
    (kind, role, need) for kind in ("published", "draft") for role in ROLES for need in ("read", "learn", "manage")
]


@pytest.fixture
def world(users_by_role):
    """The users by role, and for each kind a course of `instructor` with `student` enrolled; the
    `demoted` user's courses are the same, taught by them before their demotion."""
    users = users_by_role
    student, instructor, demoted = users["student"], users["instructor"], users["demoted"]
    courses = {}
    for kind, factory in (("published", PublishedCourseFactory), ("draft", CourseFactory)):
        mine = factory(instructor=instructor)
        theirs = factory(instructor=demoted)
        if kind == "draft":
            for course in (mine, theirs):
                course.sections.create(title="S", order=1).lessons.create(course=course, title="L", order=1)
        for course in (mine, theirs):
            EnrollmentFactory(student=student, course=course)
        courses[kind] = {"mine": mine, "theirs": theirs}
    user_set_role(actor=None, user=demoted, role=Role.STUDENT)
    demoted.refresh_from_db()
    return users, courses


def course_of(world, kind, role) -> Course:
    _, courses = world
    return courses[kind]["theirs" if role == "demoted" else "mine"]


outcome = access_outcome


def expected(kind, role, need):
    return (ON_PUBLISHED if kind == "published" else ON_DRAFT)[role][need]


@pytest.mark.parametrize(("kind", "role", "need"), CASES)
def test_course_for_each_need_and_role(world, kind, role, need):
    users, _ = world
    course = course_of(world, kind, role)
    assert outcome(lambda: course_for(users[role], course.pk, need=need)) == expected(kind, role, need)


@pytest.mark.parametrize(("kind", "role", "need"), CASES)
def test_section_and_lesson_have_the_needs_of_their_course(world, kind, role, need):
    users, _ = world
    course = course_of(world, kind, role)
    section = course.sections.first()
    lesson = course.lessons.first()
    assert outcome(lambda: section_for(users[role], section.pk, need=need)) == expected(kind, role, need)
    assert outcome(lambda: lesson_for(users[role], lesson.pk, need=need)) == expected(kind, role, need)


def test_the_helpers_return_the_object_with_its_course_loaded(world, django_assert_num_queries):
    users, courses = world
    course = courses["published"]["mine"]
    section, lesson = course.sections.first(), course.lessons.first()
    assert course_for(users["instructor"], course.pk, need="manage") == course
    with django_assert_num_queries(1):
        found = section_for(users["instructor"], section.pk, need="manage")
        assert found == section and found.course == course
    with django_assert_num_queries(1):
        found = lesson_for(users["instructor"], lesson.pk, need="manage")
        assert (found, found.course, found.section) == (lesson, course, section)


def test_the_manage_refusal_of_sections_and_lessons_says_change(world):
    users, courses = world
    section = courses["published"]["mine"].sections.first()
    with pytest.raises(NotPermitted, match="can change it"):
        section_for(users["other_instructor"], section.pk, need="manage")
    with pytest.raises(NotPermitted, match="can do this"):
        course_for(users["other_instructor"], section.course_id, need="manage")
    with pytest.raises(NotPermitted, match="Custom"):
        course_for(users["other_instructor"], section.course_id, need="manage", message="Custom")


GARBAGE = ["abc", "", None, "1.5", "-1", "0", str(2**63), "1e3", " 1x"]


@pytest.mark.parametrize("pk", GARBAGE)
@pytest.mark.parametrize("helper", [course_for, section_for, lesson_for, category_for, enrollment_for])
def test_garbage_ids_are_404_never_500(world, helper, pk):
    users, _ = world
    with pytest.raises(NotFound):
        helper(users["admin"], pk) if helper is enrollment_for else helper(users["admin"], pk, need="read")


def test_an_unknown_id_is_404_even_for_an_admin(world):
    users, _ = world
    for helper in (course_for, section_for, lesson_for, category_for):
        with pytest.raises(NotFound):
            helper(users["admin"], 10**9)


def test_an_unknown_need_is_a_programming_error(world):
    users, courses = world
    course = courses["published"]["mine"]
    for call in (
        lambda: course_for(users["admin"], course.pk, need="own"),
        lambda: section_for(users["admin"], course.sections.first().pk, need="own"),
        lambda: course_require(users["admin"], course, need="own"),
        lambda: category_for(users["admin"], CategoryFactory().pk, need="learn"),
    ):
        with pytest.raises(ValueError, match="Unknown need"):
            call()


def test_course_for_applies_visibility_to_the_given_queryset(world):
    users, courses = world
    draft = courses["draft"]["mine"]
    with pytest.raises(NotFound):
        course_for(users["other_student"], draft.pk, queryset=Course.objects.select_related("category"))
    assert course_for(users["instructor"], draft.pk, queryset=Course.objects.filter(status=CourseStatus.DRAFT))


@pytest.mark.parametrize("role", ROLES)
def test_category_for(world, role):
    users, _ = world
    category = CategoryFactory()
    assert category_for(users[role], category.pk) == category
    manage = outcome(lambda: category_for(users[role], category.pk, need="manage"))
    assert manage == (OK if role == "admin" else "not_admin")


@pytest.mark.parametrize(
    ("role", "expected_outcome"),
    [
        ("anonymous", NOT_ENROLLED),
        ("student", OK),
        ("other_student", NOT_ENROLLED),
        ("instructor", NOT_ENROLLED),  # its staff are not enrolled
        ("admin", NOT_ENROLLED),
    ],
)
def test_enrollment_for_is_the_callers_own_active_enrollment(world, role, expected_outcome):
    users, courses = world
    course = courses["published"]["mine"]
    assert outcome(lambda: enrollment_for(users[role], course.pk)) == expected_outcome
    if expected_outcome == OK:
        enrollment = enrollment_for(users[role], course.pk)
        assert (enrollment.student, enrollment.course) == (users[role], course)


def test_enrollment_for_a_hidden_course_is_404(world):
    users, courses = world
    assert outcome(lambda: enrollment_for(users["other_student"], courses["draft"]["mine"].pk)) == HIDDEN


@pytest.mark.parametrize(
    ("role", "manages", "enrolled"),
    [
        ("anonymous", False, False),
        ("student", False, True),
        ("other_student", False, False),
        ("instructor", True, False),
        ("other_instructor", False, False),
        ("admin", True, False),
        ("demoted", False, False),
    ],
)
def test_course_audience(world, role, manages, enrolled):
    users, _ = world
    course = course_of(world, "published", role)
    audience = course_audience(users[role], course)
    assert (audience.manages, audience.enrolled, audience.content_visible) == (manages, enrolled, manages or enrolled)


@pytest.mark.parametrize(
    ("role", "public"),
    [
        ("anonymous", True),
        ("student", False),
        ("other_student", True),
        ("instructor", False),
        ("other_instructor", True),
        ("admin", False),
        ("demoted", False),  # their former course: never served a cached page (a miss, not a leak)
    ],
)
def test_sees_public_course_page(world, role, public):
    users, _ = world
    course = course_of(world, "published", role)
    seen = sees_public_course_page(users[role], course_id=course.pk, instructor_id=course.instructor_id)
    assert seen is public
