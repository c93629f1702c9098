"""Instructors (and admins) managing courses: create, update, publish, unpublish, delete, the
curriculum (sections and lessons, reordering) and /instructor/courses/, for every role."""

from decimal import Decimal

import pytest

from conftest import ROLES
from courses.models import Course, CourseStatus, Enrollment, Lesson, Section
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

COURSES = "/api/v1/courses/"
MINE = "/api/v1/instructor/courses/"

# Who may change a course of `instructor`: on a published course outsiders can see it (403), on a
# draft they cannot (404).
ON_PUBLISHED = {
    "anonymous": 401,
    "student": 403,
    "other_student": 403,
    "instructor": 200,
    "other_instructor": 403,
    "admin": 200,
}
ON_DRAFT = {**ON_PUBLISHED, "student": 404, "other_student": 404, "other_instructor": 404}
MANAGERS = ("instructor", "admin")


def course_url(pk, action="") -> str:
    return f"{COURSES}{pk}/{action + '/' if action else ''}"


def ok(expected: int, success: int) -> int:
    """The role table says 200 for "allowed"; the endpoint may answer 201 or 204 instead."""
    return success if expected == 200 else expected


@pytest.fixture
def category():
    return CategoryFactory(name="Programming", slug="programming")


def create_body(cat, **overrides) -> dict:
    return {
        "title": "Practical Django",
        "subtitle": "From zero to deployed",
        "description": "Models, views, tests.",
        "category": cat.pk,
        "level": "intermediate",
        "language": "en",
        "price": "49.99",
        "currency": "EUR",
        **overrides,
    }


@pytest.fixture
def published(instructor):
    """A published course of `instructor` with two sections of two lessons."""
    course = PublishedCourseFactory(instructor=instructor, lessons=0)
    for s in (1, 2):
        section = SectionFactory(course=course, order=s, title=f"S{s}")
        for n in (1, 2):
            LessonFactory(section=section, order=n, title=f"S{s}L{n}")
    course.refresh_from_db()
    return course


@pytest.fixture
def draft(instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(section=SectionFactory(course=course, order=1), order=1)
    course.refresh_from_db()
    return course


def course_for(kind, published, draft):
    return published if kind == "published" else draft


def table(kind) -> dict:
    return ON_PUBLISHED if kind == "published" else ON_DRAFT


# --- create --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 201),
        ("other_instructor", 201),
        ("admin", 403),
    ],
)
def test_course_create_is_instructor_only(clients, category, role, expected):
    response = clients[role].post(COURSES, create_body(category))

    assert response.status_code == expected, response.content
    assert Course.objects.filter(title="Practical Django").exists() == (expected == 201)
    if expected == 201:
        data = response.data
        course = Course.objects.get(pk=data["id"])
        assert course.instructor == clients[role].user
        assert data["status"] == "draft"
        assert course.status == CourseStatus.DRAFT
        assert data["slug"] == "practical-django"
        assert data["price"] == "49.99"
        assert data["currency"] == "EUR"
        assert data["category"]["id"] == category.pk
        assert data["level"] == "intermediate"
        assert data["sections"] == []
        assert data["published_at"] is None


def test_course_create_defaults(clients):
    response = clients["instructor"].post(COURSES, {"title": "Minimal"})

    assert response.status_code == 201
    assert response.data["price"] == "0.00"
    assert response.data["currency"] == "USD"
    assert response.data["is_free"] is True
    assert response.data["category"] is None


def test_course_create_ignores_read_only_fields(clients, other_instructor, category):
    body = create_body(
        category,
        status="published",
        instructor=other_instructor.pk,
        enrollment_count=999,
        average_rating="5.00",
        slug="chosen-by-me",
    )

    response = clients["instructor"].post(COURSES, body)

    assert response.status_code == 201
    course = Course.objects.get(pk=response.data["id"])
    assert course.status == CourseStatus.DRAFT
    assert course.instructor == clients["instructor"].user
    assert course.enrollment_count == 0
    assert course.average_rating == 0
    assert course.slug == "practical-django"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "-1.00"}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": "1e400"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "1.999"}, "price"),
        ({"price": "100000.00"}, "price"),
        ({"category": 999999}, "category"),
        ({"category": "abc"}, "category"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "dollars"}, "currency"),
        ({"level": "expert"}, "level"),
        ({"language": "English!"}, "language"),
        ({"thumbnail_url": "javascript:alert(1)"}, "thumbnail_url"),
    ],
    ids=lambda v: str(v)[:40] if isinstance(v, dict) else v,
)
def test_course_create_bad_input_is_400(clients, category, overrides, field):
    response = clients["instructor"].post(COURSES, create_body(category, **overrides))

    assert response.status_code == 400
    assert field in response.data
    assert not Course.objects.exists()


def test_course_create_missing_title_is_400(clients):
    response = clients["instructor"].post(COURSES, {"price": "1.00"})
    assert response.status_code == 400
    assert "title" in response.data


def test_course_create_non_json_body_is_400_or_415(clients):
    response = clients["instructor"].generic("POST", COURSES, "{not json", content_type="application/json")
    assert response.status_code == 400
    form = clients["instructor"].post(COURSES, "title=x", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415


def test_course_title_200_chars_is_accepted_and_slug_fits(clients):
    response = clients["instructor"].post(COURSES, {"title": "word " * 39 + "last!"})
    assert response.status_code == 201
    assert len(response.data["slug"]) <= 80


def test_slug_is_made_once_and_kept_after_a_title_change(clients, category):
    created = clients["instructor"].post(COURSES, create_body(category, title="Original Title"))
    pk, slug = created.data["id"], created.data["slug"]

    renamed = clients["instructor"].patch(course_url(pk), {"title": "A Completely New Title"})

    assert slug == "original-title"
    assert renamed.status_code == 200
    assert renamed.data["title"] == "A Completely New Title"
    assert renamed.data["slug"] == slug
    assert Course.objects.get(pk=pk).slug == slug


def test_same_title_gets_different_slugs(clients, category):
    first = clients["instructor"].post(COURSES, create_body(category))
    second = clients["other_instructor"].post(COURSES, create_body(category))
    third = clients["instructor"].post(COURSES, create_body(category))

    slugs = {first.data["slug"], second.data["slug"], third.data["slug"]}
    assert len(slugs) == 3
    assert all(s.startswith("practical-django") for s in slugs)


def test_title_without_letters_still_gets_a_slug(clients):
    response = clients["instructor"].post(COURSES, {"title": "!!! ???"})
    assert response.status_code == 201
    assert response.data["slug"]


# --- update --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_course_patch_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    expected = table(kind)[role]

    response = clients[role].patch(course_url(course.pk), {"subtitle": "Changed", "price": "5.00"})

    assert response.status_code == expected
    course.refresh_from_db()
    if expected == 200:
        assert response.data["subtitle"] == "Changed"
        assert course.subtitle == "Changed"
        assert course.price == Decimal("5.00")
    else:
        assert course.subtitle != "Changed"


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_course_put_for_every_role(clients, published, draft, category, kind, role):
    course = course_for(kind, published, draft)
    expected = table(kind)[role]

    response = clients[role].put(course_url(course.pk), create_body(category, title="Replaced"))

    assert response.status_code == expected
    course.refresh_from_db()
    assert (course.title == "Replaced") == (expected == 200)
    if expected == 200:
        assert course.currency == "EUR"
        assert course.category == category
        assert course.status == (CourseStatus.PUBLISHED if kind == "published" else CourseStatus.DRAFT)


def test_put_without_title_is_400(clients, published):
    response = clients["instructor"].put(course_url(published.pk), {"subtitle": "x"})
    assert response.status_code == 400
    assert "title" in response.data


@pytest.mark.parametrize(
    "body",
    [
        {"price": "-5"},
        {"price": "abc"},
        {"title": ""},
        {"category": 999999},
        {"currency": "ABC"},
        {"title": "x" * 201},
        {"level": "nope"},
    ],
    ids=str,
)
def test_course_patch_bad_input_is_400_and_changes_nothing(clients, published, body):
    before = Course.objects.values().get(pk=published.pk)

    response = clients["instructor"].patch(course_url(published.pk), body)

    assert response.status_code == 400
    assert Course.objects.values().get(pk=published.pk) == before


def test_patch_cannot_change_status_or_owner(clients, draft, other_instructor):
    response = clients["instructor"].patch(
        course_url(draft.pk), {"status": "published", "instructor": other_instructor.pk, "slug": "x"}
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == CourseStatus.DRAFT
    assert draft.instructor_id == clients["instructor"].user.pk
    assert draft.slug != "x"


# --- publish / unpublish -------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_publish_for_every_role(clients, draft, role):
    expected = ON_DRAFT[role]

    response = clients[role].post(course_url(draft.pk, "publish"))

    assert response.status_code == expected
    draft.refresh_from_db()
    assert (draft.status == CourseStatus.PUBLISHED) == (expected == 200)
    if expected == 200:
        assert response.data["status"] == "published"
        assert response.data["published_at"] is not None


@pytest.mark.parametrize("role", MANAGERS)
def test_publish_without_a_lesson_is_400(clients, instructor, role):
    course = CourseFactory(instructor=instructor)
    SectionFactory(course=course)  # a section alone is not enough

    response = clients[role].post(course_url(course.pk, "publish"))

    assert response.status_code == 400
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT


def test_published_course_appears_in_catalog(clients, draft):
    assert clients["anonymous"].get(COURSES).data["count"] == 0
    clients["instructor"].post(course_url(draft.pk, "publish"))
    assert [c["id"] for c in clients["anonymous"].get(COURSES).data["results"]] == [draft.pk]


def test_publish_twice_keeps_published_at(clients, draft):
    first = clients["instructor"].post(course_url(draft.pk, "publish")).data["published_at"]
    second = clients["instructor"].post(course_url(draft.pk, "publish"))
    assert second.status_code == 200
    assert second.data["published_at"] == first


@pytest.mark.parametrize("role", ROLES)
def test_unpublish_for_every_role(clients, published, role):
    expected = ON_PUBLISHED[role]

    response = clients[role].post(course_url(published.pk, "unpublish"))

    assert response.status_code == expected
    published.refresh_from_db()
    assert (published.status == CourseStatus.DRAFT) == (expected == 200)


def test_unpublished_course_leaves_catalog_but_enrolled_student_keeps_access(clients, published, student):
    EnrollmentFactory(student=student, course=published)

    assert clients["instructor"].post(course_url(published.pk, "unpublish")).status_code == 200

    assert clients["anonymous"].get(COURSES).data["count"] == 0
    assert clients["other_student"].get(course_url(published.pk)).status_code == 404
    detail = clients["student"].get(course_url(published.pk))
    assert detail.status_code == 200
    assert detail.data["is_enrolled"] is True
    assert detail.data["sections"][0]["lessons"][0]["locked"] is False


# --- delete --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_delete_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    expected = ok(table(kind)[role], 204)

    response = clients[role].delete(course_url(course.pk))

    assert response.status_code == expected
    assert Course.objects.filter(pk=course.pk).exists() == (expected != 204)


def test_delete_without_enrollments_really_deletes(clients, published):
    section_ids = list(published.sections.values_list("pk", flat=True))

    assert clients["instructor"].delete(course_url(published.pk)).status_code == 204

    assert not Course.objects.filter(pk=published.pk).exists()
    assert not Section.objects.filter(pk__in=section_ids).exists()
    assert not Lesson.objects.filter(course_id=published.pk).exists()


@pytest.mark.parametrize("role", MANAGERS)
def test_delete_with_enrollments_archives(clients, published, student, role):
    enrollment = EnrollmentFactory(student=student, course=published)
    lesson = published.lessons.first()
    assert clients["student"].post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 200

    response = clients[role].delete(course_url(published.pk))

    assert response.status_code == 204
    published.refresh_from_db()
    assert published.status == CourseStatus.ARCHIVED
    assert Enrollment.objects.filter(pk=enrollment.pk, status="active").exists()
    assert enrollment.lesson_completions.count() == 1
    assert published.lessons.count() == 4
    # Hidden from the catalog and from outsiders...
    assert clients["anonymous"].get(COURSES).data["count"] == 0
    assert clients["other_student"].get(course_url(published.pk)).status_code == 404
    # ...but the enrolled student keeps the content, the progress and the enrollment listing.
    detail = clients["student"].get(course_url(published.pk))
    assert detail.status_code == 200
    assert all(not lesson["locked"] for s in detail.data["sections"] for lesson in s["lessons"])
    assert clients["student"].get(course_url(published.pk, "progress")).data["completed_lessons"] == [lesson.pk]
    mine = clients["student"].get("/api/v1/me/enrollments/")
    assert [e["course"]["id"] for e in mine.data["results"]] == [published.pk]
    # Closed to new students.
    assert clients["other_student"].post(course_url(published.pk, "enroll")).status_code == 404


def test_delete_archived_course_again_is_204_and_still_archived(clients, published, student):
    EnrollmentFactory(student=student, course=published)
    clients["instructor"].delete(course_url(published.pk))

    assert clients["instructor"].delete(course_url(published.pk)).status_code == 204
    published.refresh_from_db()
    assert published.status == CourseStatus.ARCHIVED


# --- sections ------------------------------------------------------------------------------------
def section_url(pk, action="") -> str:
    return f"/api/v1/sections/{pk}/{action + '/' if action else ''}"


def lesson_url(pk, action="") -> str:
    return f"/api/v1/lessons/{pk}/{action + '/' if action else ''}"


def section_orders(course) -> list[tuple[str, int]]:
    return list(Section.objects.filter(course=course).order_by("order", "id").values_list("title", "order"))


def lesson_orders(section) -> list[tuple[str, int]]:
    return list(Lesson.objects.filter(section=section).order_by("order", "id").values_list("title", "order"))


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_section_list_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    expected = 200 if kind == "published" or role in MANAGERS else 404

    response = clients[role].get(course_url(course.pk, "sections"))

    assert response.status_code == expected
    if expected == 200:
        assert [s["title"] for s in response.data] == [s.title for s in course.sections.order_by("order")]


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_section_create_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    expected = ok(table(kind)[role], 201)
    before = course.sections.count()

    response = clients[role].post(course_url(course.pk, "sections"), {"title": "New section"})

    assert response.status_code == expected
    assert course.sections.count() == before + (expected == 201)
    if expected == 201:
        assert response.data["title"] == "New section"
        assert response.data["order"] == before + 1
        assert response.data["lessons"] == []


def test_section_create_at_a_position_moves_the_others(clients, published):
    response = clients["instructor"].post(course_url(published.pk, "sections"), {"title": "Intro", "order": 1})

    assert response.status_code == 201
    assert response.data["order"] == 1
    assert section_orders(published) == [("Intro", 1), ("S1", 2), ("S2", 3)]


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "x" * 201}, {"title": "ok", "order": 0}, {"title": "ok", "order": "abc"}],
    ids=str,
)
def test_section_create_bad_input_is_400(clients, published, body):
    assert clients["instructor"].post(course_url(published.pk, "sections"), body).status_code == 400
    assert published.sections.count() == 2


@pytest.mark.parametrize("role", ROLES)
def test_section_retrieve_for_every_role(clients, published, role):
    section = published.sections.get(title="S1")
    response = clients[role].get(section_url(section.pk))
    assert response.status_code == 200
    assert [lesson["title"] for lesson in response.data["lessons"]] == ["S1L1", "S1L2"]


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_section_patch_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    section = course.sections.first()
    expected = table(kind)[role]

    response = clients[role].patch(section_url(section.pk), {"title": "Renamed"})

    assert response.status_code == expected
    section.refresh_from_db()
    assert (section.title == "Renamed") == (expected == 200)


def test_section_patch_order_moves_it(clients, published):
    s2 = published.sections.get(title="S2")
    response = clients["instructor"].patch(section_url(s2.pk), {"order": 1})
    assert response.status_code == 200
    assert response.data["order"] == 1
    assert section_orders(published) == [("S2", 1), ("S1", 2)]


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_section_delete_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    section = course.sections.first()
    lessons_before = course.lesson_count
    removed = section.lessons.count()
    expected = ok(table(kind)[role], 204)

    response = clients[role].delete(section_url(section.pk))

    assert response.status_code == expected
    course.refresh_from_db()
    if expected == 204:
        assert not Section.objects.filter(pk=section.pk).exists()
        assert course.lesson_count == lessons_before - removed == course.lessons.count()
    else:
        assert Section.objects.filter(pk=section.pk).exists()
        assert course.lesson_count == lessons_before


@pytest.mark.parametrize("role", ROLES)
def test_sections_reorder_for_every_role(clients, published, role):
    s1, s2 = published.sections.order_by("order")
    expected = ON_PUBLISHED[role]

    response = clients[role].post(course_url(published.pk, "sections/reorder"), {"order": [s2.pk, s1.pk]})

    assert response.status_code == expected
    if expected == 200:
        assert [s["id"] for s in response.data] == [s2.pk, s1.pk]
        assert section_orders(published) == [("S2", 1), ("S1", 2)]
    else:
        assert section_orders(published) == [("S1", 1), ("S2", 2)]


@pytest.mark.parametrize("bad", ["missing", "duplicate", "foreign", "unknown", "empty", "not-a-list", "strings"])
def test_sections_reorder_bad_ids_are_400_and_change_nothing(clients, published, bad):
    s1, s2 = published.sections.order_by("order")
    foreign = SectionFactory()
    order = {
        "missing": [s2.pk],
        "duplicate": [s2.pk, s1.pk, s1.pk],
        "foreign": [s2.pk, s1.pk, foreign.pk],
        "unknown": [s2.pk, 999999],
        "empty": [],
        "not-a-list": s1.pk,
        "strings": ["a", "b"],
    }[bad]

    response = clients["instructor"].post(course_url(published.pk, "sections/reorder"), {"order": order})

    assert response.status_code == 400
    assert section_orders(published) == [("S1", 1), ("S2", 2)]
    assert foreign.order == Section.objects.get(pk=foreign.pk).order


# --- lessons -------------------------------------------------------------------------------------
LESSON_BODY = {
    "title": "New lesson",
    "content": "Text",
    "video_url": "https://v.example.com/a.mp4",
    "duration_seconds": 120,
    "is_preview": True,
}


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_lesson_create_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    section = course.sections.order_by("order").first()
    expected = ok(table(kind)[role], 201)
    before = course.lesson_count

    response = clients[role].post(section_url(section.pk, "lessons"), LESSON_BODY)

    assert response.status_code == expected
    course.refresh_from_db()
    if expected == 201:
        for key, value in LESSON_BODY.items():
            assert response.data[key] == value
        assert response.data["order"] == section.lessons.count()
        assert course.lesson_count == before + 1 == course.lessons.count()
    else:
        assert course.lesson_count == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "t", "video_url": "not a url"},
        {"title": "t", "duration_seconds": -1},
        {"title": "t", "duration_seconds": 10**9},
        {"title": "t", "is_preview": "maybe"},
        {"title": "x" * 201},
        {"title": "t", "order": 0},
    ],
    ids=str,
)
def test_lesson_create_bad_input_is_400(clients, published, body):
    section = published.sections.first()
    assert clients["instructor"].post(section_url(section.pk, "lessons"), body).status_code == 400
    published.refresh_from_db()
    assert published.lesson_count == 4


@pytest.mark.parametrize("role", ROLES)
def test_section_lessons_list_for_every_role(clients, published, student, role):
    EnrollmentFactory(student=student, course=published)
    section = published.sections.get(title="S1")

    response = clients[role].get(section_url(section.pk, "lessons"))

    assert response.status_code == 200
    assert [lesson["title"] for lesson in response.data] == ["S1L1", "S1L2"]
    visible = role in ("student", "instructor", "admin")
    assert all(lesson["locked"] is (not visible) for lesson in response.data)
    assert all((lesson["content"] is not None) == visible for lesson in response.data)


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_lesson_patch_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    lesson = course.lessons.first()
    expected = table(kind)[role]

    response = clients[role].patch(lesson_url(lesson.pk), {"title": "Renamed", "is_preview": True})

    assert response.status_code == expected
    lesson.refresh_from_db()
    assert (lesson.title == "Renamed") == (expected == 200)
    assert lesson.is_preview == (expected == 200)


@pytest.mark.parametrize("role", MANAGERS)
def test_lesson_put_replaces(clients, published, role):
    lesson = published.lessons.first()
    response = clients[role].put(lesson_url(lesson.pk), {**LESSON_BODY, "title": "Put"})
    assert response.status_code == 200
    lesson.refresh_from_db()
    assert (lesson.title, lesson.duration_seconds, lesson.is_preview) == ("Put", 120, True)


def test_lesson_patch_order_moves_it(clients, published):
    section = published.sections.get(title="S1")
    second = section.lessons.get(title="S1L2")
    assert clients["instructor"].patch(lesson_url(second.pk), {"order": 1}).status_code == 200
    assert lesson_orders(section) == [("S1L2", 1), ("S1L1", 2)]


@pytest.mark.parametrize("kind", ["published", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_lesson_delete_for_every_role(clients, published, draft, kind, role):
    course = course_for(kind, published, draft)
    lesson = course.lessons.first()
    before = course.lesson_count
    expected = ok(table(kind)[role], 204)

    response = clients[role].delete(lesson_url(lesson.pk))

    assert response.status_code == expected
    course.refresh_from_db()
    assert Lesson.objects.filter(pk=lesson.pk).exists() == (expected != 204)
    assert course.lesson_count == course.lessons.count() == before - (expected == 204)


def test_lesson_count_stays_right_through_curriculum_changes(clients, draft):
    client = clients["instructor"]
    section = client.post(course_url(draft.pk, "sections"), {"title": "Extra"}).data
    made = [client.post(section_url(section["id"], "lessons"), {"title": f"L{i}"}).data["id"] for i in range(3)]
    draft.refresh_from_db()
    assert draft.lesson_count == 4

    client.delete(lesson_url(made[0]))
    draft.refresh_from_db()
    assert draft.lesson_count == 3

    client.delete(section_url(section["id"]))
    draft.refresh_from_db()
    assert draft.lesson_count == 1 == draft.lessons.count()
    assert client.get(course_url(draft.pk)).data["lesson_count"] == 1


@pytest.mark.parametrize("role", ROLES)
def test_lessons_reorder_for_every_role(clients, published, role):
    section = published.sections.get(title="S1")
    first, second = section.lessons.order_by("order")
    expected = ON_PUBLISHED[role]

    response = clients[role].post(section_url(section.pk, "lessons/reorder"), {"order": [second.pk, first.pk]})

    assert response.status_code == expected
    if expected == 200:
        assert lesson_orders(section) == [("S1L2", 1), ("S1L1", 2)]
    else:
        assert lesson_orders(section) == [("S1L1", 1), ("S1L2", 2)]


def test_lessons_reorder_response_shows_the_new_order(clients, published):
    section = published.sections.get(title="S1")
    first, second = section.lessons.order_by("order")

    response = clients["instructor"].post(section_url(section.pk, "lessons/reorder"), {"order": [second.pk, first.pk]})

    assert response.status_code == 200
    assert [(lesson["id"], lesson["order"]) for lesson in response.data] == [(second.pk, 1), (first.pk, 2)]


@pytest.mark.parametrize("bad", ["missing", "duplicate", "other-section", "other-course", "unknown", "empty"])
def test_lessons_reorder_bad_ids_are_400_and_change_nothing(clients, published, bad):
    section = published.sections.get(title="S1")
    first, second = section.lessons.order_by("order")
    same_course_other_section = published.sections.get(title="S2").lessons.first()
    other_course = LessonFactory()
    order = {
        "missing": [second.pk],
        "duplicate": [second.pk, first.pk, second.pk],
        "other-section": [second.pk, first.pk, same_course_other_section.pk],
        "other-course": [second.pk, first.pk, other_course.pk],
        "unknown": [second.pk, 999999],
        "empty": [],
    }[bad]

    response = clients["instructor"].post(section_url(section.pk, "lessons/reorder"), {"order": order})

    assert response.status_code == 400
    assert lesson_orders(section) == [("S1L1", 1), ("S1L2", 2)]
    assert Lesson.objects.get(pk=other_course.pk).order == other_course.order
    assert Lesson.objects.get(pk=same_course_other_section.pk).order == same_course_other_section.order


# --- /instructor/courses/ ------------------------------------------------------------------------
def test_instructor_courses_lists_own_courses_in_every_status(clients, instructor, other_instructor, student):
    draft = CourseFactory(instructor=instructor)
    published = PublishedCourseFactory(instructor=instructor)
    archived = PublishedCourseFactory(instructor=instructor, status=CourseStatus.ARCHIVED)
    PublishedCourseFactory(instructor=other_instructor)
    CourseFactory(instructor=other_instructor)
    EnrollmentFactory(student=student, course=published)

    response = clients["instructor"].get(MINE)

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.data["results"]}
    assert set(rows) == {draft.pk, published.pk, archived.pk}
    assert response.data["count"] == 3
    assert {row["status"] for row in rows.values()} == {"draft", "published", "archived"}
    assert rows[published.pk]["enrollment_count"] == 1
    assert rows[draft.pk]["enrollment_count"] == 0
    for row in rows.values():
        assert "average_rating" in row
        assert "rating_count" in row


def test_other_instructor_sees_only_their_own(clients, instructor):
    CourseFactory(instructor=instructor)
    response = clients["other_instructor"].get(MINE)
    assert response.status_code == 200
    assert response.data["count"] == 0


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 401), ("student", 403), ("other_student", 403), ("admin", 403)]
)
def test_instructor_courses_is_instructor_only(clients, instructor, role, expected):
    CourseFactory(instructor=instructor)
    assert clients[role].get(MINE).status_code == expected
