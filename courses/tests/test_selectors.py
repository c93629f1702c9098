"""courses.selectors: what each role may see, the active enrollment lookups and the managers' lists."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from accounts.services import user_set_role
from courses import selectors
from courses.models import Course, CourseStatus, EnrollmentStatus
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(student, other_student, instructor, other_instructor, admin_user):
    """Courses of `instructor` in every status (and one of another instructor); `student` holds an
    active enrollment in the draft and the archived one, and a revoked one in `revoked`."""
    courses = {
        "published": PublishedCourseFactory(instructor=instructor),
        "draft": CourseFactory(instructor=instructor),
        "archived": CourseFactory(instructor=instructor, status=CourseStatus.ARCHIVED),
        "revoked": CourseFactory(instructor=instructor),
        "theirs": CourseFactory(instructor=other_instructor),
    }
    EnrollmentFactory(student=student, course=courses["draft"])
    EnrollmentFactory(student=student, course=courses["archived"])
    EnrollmentFactory(student=student, course=courses["revoked"], status=EnrollmentStatus.REVOKED)
    users = {
        "anonymous": AnonymousUser(),
        "student": student,
        "other_student": other_student,
        "instructor": instructor,
        "other_instructor": other_instructor,
        "admin": admin_user,
    }
    return users, courses


VISIBLE = {
    "anonymous": {"published"},
    "student": {"published", "draft", "archived"},  # enrolled: their courses stay open to them
    "other_student": {"published"},
    "instructor": {"published", "draft", "archived", "revoked"},
    "other_instructor": {"published", "theirs"},
    "admin": {"published", "draft", "archived", "revoked", "theirs"},
}


def names(world, queryset) -> set[str]:
    _, courses = world
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, course in courses.items() if course.pk in ids}


@pytest.mark.parametrize("role", VISIBLE)
def test_course_list_for_user_and_course_visible_q_per_role(world, role):
    users, _ = world
    assert names(world, selectors.course_list_for_user(users[role])) == VISIBLE[role]
    assert names(world, Course.objects.filter(selectors.course_visible_q(users[role]))) == VISIBLE[role]


def test_course_list_public_is_the_published_courses(world):
    assert names(world, selectors.course_list_public()) == {"published"}


def test_a_demoted_instructor_sees_only_what_students_see_of_their_courses(world):
    users, _ = world
    instructor = users["instructor"]
    user_set_role(actor=None, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    assert names(world, selectors.course_list_for_user(instructor)) == {"published"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", set()),
        ("student", set()),
        ("instructor", {"published", "draft", "archived", "revoked"}),
        ("other_instructor", {"theirs"}),
        ("admin", {"published", "draft", "archived", "revoked", "theirs"}),
    ],
)
def test_course_list_for_manager(world, role, expected):
    users, _ = world
    assert names(world, selectors.course_list_for_manager(users[role])) == expected


def test_course_list_for_manager_and_instructor_are_empty_for_a_demoted_instructor(world):
    users, _ = world
    instructor = users["instructor"]
    user_set_role(actor=None, user=instructor, role=Role.STUDENT)
    instructor.refresh_from_db()
    assert not selectors.course_list_for_manager(instructor).exists()
    assert not selectors.course_list_for_instructor(instructor).exists()


def test_course_list_for_instructor_is_their_own_with_revenue(world):
    users, _ = world
    rows = list(selectors.course_list_for_instructor(users["instructor"]))
    assert names(world, Course.objects.filter(pk__in=[c.pk for c in rows])) == VISIBLE["instructor"]
    assert all(row.revenue == 0 for row in rows)


def test_sections_and_lessons_follow_their_course(world):
    users, courses = world
    for role, visible in VISIBLE.items():
        sections = selectors.section_list_for_user(users[role])
        lessons = selectors.lesson_list_for_user(users[role])
        assert names(world, Course.objects.filter(pk__in=sections.values("course"))) <= visible
        assert names(world, Course.objects.filter(pk__in=lessons.values("course"))) <= visible
    # the published course has a lesson (its factory adds one): everyone sees it
    assert selectors.lesson_list_for_user(users["anonymous"]).filter(course=courses["published"]).exists()


def test_enrollment_get_active_takes_models_or_ids(world):
    users, courses = world
    student = users["student"]
    found = selectors.enrollment_get_active(student=student, course=courses["draft"])
    assert found is not None and found.is_active
    assert selectors.enrollment_get_active(student=student.pk, course=courses["draft"].pk) == found
    assert found.course == courses["draft"]  # loaded with it
    assert selectors.enrollment_get_active(student=student, course=courses["revoked"]) is None
    assert selectors.enrollment_get_active(student=student, course=courses["published"]) is None
    assert selectors.enrollment_get_active(student=users["other_student"], course=courses["draft"]) is None


def test_enrollment_get_active_for_update(world, django_assert_num_queries):
    users, courses = world
    with django_assert_num_queries(1):
        found = selectors.enrollment_get_active(student=users["student"], course=courses["archived"], for_update=True)
        assert found.course.pk == courses["archived"].pk


def test_enrollment_active_exists(world):
    users, courses = world
    student = users["student"]
    assert selectors.enrollment_active_exists(student=student, course=courses["draft"])
    assert selectors.enrollment_active_exists(student=student.pk, course=courses["archived"].pk)
    assert not selectors.enrollment_active_exists(student=student, course=courses["revoked"])
    assert not selectors.enrollment_active_exists(student=users["instructor"], course=courses["published"])


def test_enrollment_list_for_student_is_theirs_newest_first(world):
    users, courses = world
    rows = list(selectors.enrollment_list_for_student(users["student"]))
    assert [row.course_id for row in rows] == [courses[n].pk for n in ("revoked", "archived", "draft")]
    assert not selectors.enrollment_list_for_student(users["other_student"]).exists()


def test_course_list_with_curriculum_loads_it_in_five_queries(world, django_assert_num_queries):
    _, courses = world
    # course (category, instructor, cover joined), sections, lessons (video joined), attachments, prerequisites
    with django_assert_num_queries(5):
        course = selectors.course_list_with_curriculum().get(pk=courses["published"].pk)
        lessons = [lesson for s in course.sections.all() for lesson in s.lessons.all()]
        assert [lesson.title for lesson in lessons]
        assert [(lesson.video, list(lesson.attachments.all())) for lesson in lessons]
        assert course.category.name and course.instructor.email and course.cover is None
        assert list(course.prerequisites.all()) == []
