"""The catalog: categories, the published course list (filters, ordering, search, pagination) and
the course detail with its curriculum, for every role and for hostile input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import ROLES
from courses.models import Category, Course, CourseStatus
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/categories/"
COURSES = "/api/v1/courses/"
NOT_ADMIN = {"anonymous": 401, "student": 403, "other_student": 403, "instructor": 403, "other_instructor": 403}
HOSTILE = [
    pytest.param("'; DROP TABLE courses_course; --", id="sql"),
    pytest.param("a & | ! :* (", id="tsquery-operators"),
    pytest.param("\x00", id="nul"),
    pytest.param("abc\x00def", id="nul-inside"),
    pytest.param("x" * 1000, id="1000-chars"),
    pytest.param('"unterminated', id="quote"),
    pytest.param("-", id="lone-minus"),
    pytest.param("OR OR OR", id="or"),
    pytest.param("%_\\", id="like-wildcards"),
    pytest.param("<script>alert(1)</script>", id="html"),
    pytest.param("日本語 Ünïcödé 🙂", id="unicode"),
    pytest.param("   ", id="blank"),
]


def category_url(pk) -> str:
    return f"{CATEGORIES}{pk}/"


def course_url(pk) -> str:
    return f"{COURSES}{pk}/"


def result_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.data["results"]]


# --- categories ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_categories_list_and_retrieve_for_every_role(clients, role):
    web = CategoryFactory(name="Web", slug="web")
    CategoryFactory(name="Data", slug="data")

    listed = clients[role].get(CATEGORIES)
    one = clients[role].get(category_url(web.pk))

    assert listed.status_code == 200
    assert [c["name"] for c in listed.data["results"]] == ["Data", "Web"]
    assert one.status_code == 200
    assert one.data == {"id": web.pk, "name": "Web", "slug": "web"}


def test_unknown_category_is_404(clients):
    assert clients["anonymous"].get(category_url(999999)).status_code == 404


@pytest.mark.parametrize(("role", "expected"), [*NOT_ADMIN.items(), ("admin", 201)])
def test_category_create_is_admin_only(clients, role, expected):
    response = clients[role].post(CATEGORIES, {"name": "Machine Learning"})

    assert response.status_code == expected
    assert Category.objects.filter(name="Machine Learning").exists() == (expected == 201)
    if expected == 201:
        assert response.data["slug"] == "machine-learning"
        assert set(response.data) == {"id", "name", "slug"}


@pytest.mark.parametrize(("role", "expected"), [*NOT_ADMIN.items(), ("admin", 200)])
def test_category_patch_is_admin_only(clients, role, expected):
    category = CategoryFactory(name="Old", slug="old")

    response = clients[role].patch(category_url(category.pk), {"name": "New"})

    assert response.status_code == expected
    category.refresh_from_db()
    assert category.name == ("New" if expected == 200 else "Old")


@pytest.mark.parametrize(("role", "expected"), [*NOT_ADMIN.items(), ("admin", 204)])
def test_category_delete_is_admin_only(clients, role, expected):
    category = CategoryFactory()

    response = clients[role].delete(category_url(category.pk))

    assert response.status_code == expected
    assert Category.objects.filter(pk=category.pk).exists() == (expected != 204)


def test_category_put_is_not_allowed(clients):
    category = CategoryFactory()
    assert clients["admin"].put(category_url(category.pk), {"name": "X"}).status_code == 405


@pytest.mark.parametrize("name", ["Python", "python", "PYTHON"])
def test_category_duplicate_name_is_400(clients, name):
    CategoryFactory(name="Python", slug="python")

    response = clients["admin"].post(CATEGORIES, {"name": name})

    assert response.status_code == 400
    assert Category.objects.count() == 1


def test_category_rename_to_taken_name_is_400(clients):
    CategoryFactory(name="Python", slug="python")
    other = CategoryFactory(name="Go", slug="go")

    response = clients["admin"].patch(category_url(other.pk), {"name": "python"})

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.name == "Go"


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "x" * 101}, {"name": "Ok", "slug": "not a slug!"}, {"name": None}],
    ids=["missing", "empty", "too-long", "bad-slug", "null"],
)
def test_category_bad_input_is_400(clients, body):
    assert clients["admin"].post(CATEGORIES, body).status_code == 400
    assert Category.objects.count() == 0


def test_delete_category_with_courses_is_409(clients):
    category = CategoryFactory()
    CourseFactory(category=category)

    response = clients["admin"].delete(category_url(category.pk))

    assert response.status_code == 409
    assert Category.objects.filter(pk=category.pk).exists()


# --- catalog list --------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_catalog_lists_only_published_courses(clients, role, instructor):
    published = PublishedCourseFactory(instructor=instructor)
    CourseFactory(instructor=instructor)  # draft
    PublishedCourseFactory(instructor=instructor, status=CourseStatus.ARCHIVED)

    response = clients[role].get(COURSES)

    assert result_ids(response) == [published.pk]
    assert response.data["count"] == 1
    row = response.data["results"][0]
    for field in (
        "id",
        "slug",
        "title",
        "subtitle",
        "description",
        "category",
        "level",
        "language",
        "price",
        "currency",
        "status",
        "instructor",
        "average_rating",
        "rating_count",
        "rating_distribution",
        "enrollment_count",
        "published_at",
        "created_at",
    ):
        assert field in row
    assert row["price"] == "0.00"
    assert row["status"] == "published"
    assert row["instructor"]["id"] == instructor.pk
    assert "email" not in row["instructor"]


def test_catalog_default_order_is_newest_published_first():
    now = timezone.now()
    old = PublishedCourseFactory(published_at=now - timedelta(days=3))
    new = PublishedCourseFactory(published_at=now)
    middle = PublishedCourseFactory(published_at=now - timedelta(days=1))

    from rest_framework.test import APIClient

    assert result_ids(APIClient().get(COURSES)) == [new.pk, middle.pk, old.pk]


@pytest.fixture
def catalog(instructor, other_instructor):
    """Four published courses that differ in every filterable way, plus a draft that matches all."""
    web = CategoryFactory(name="Web", slug="web")
    data = CategoryFactory(name="Data", slug="data")
    courses = {
        "free_web": PublishedCourseFactory(
            instructor=instructor,
            category=web,
            price=Decimal("0.00"),
            level="beginner",
            title="Django for beginners",
            subtitle="Build websites",
            description="Views and templates.",
        ),
        "cheap_web": PublishedCourseFactory(
            instructor=instructor,
            category=web,
            price=Decimal("9.99"),
            level="intermediate",
            title="REST APIs",
            subtitle="With serializers",
            description="Pagination and throttling.",
        ),
        "pricey_data": PublishedCourseFactory(
            instructor=other_instructor,
            category=data,
            price=Decimal("49.99"),
            level="advanced",
            title="Statistics",
            subtitle="Bayesian inference",
            description="Priors and posteriors.",
        ),
        "mid_data": PublishedCourseFactory(
            instructor=other_instructor,
            category=data,
            price=Decimal("19.00"),
            level="all",
            title="Pandas",
            subtitle="Dataframes",
            description="Wrangling spreadsheets quickly.",
        ),
    }
    CourseFactory(
        instructor=instructor,
        category=web,
        price=Decimal("9.99"),
        level="intermediate",
        title="Django REST spreadsheets Bayesian draft",
    )
    return courses


def names(catalog, response) -> set[str]:
    by_id = {c.pk: name for name, c in catalog.items()}
    ids = result_ids(response)
    assert set(ids) <= set(by_id), "a course outside the catalog was listed"
    return {by_id[i] for i in ids}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "web"}, {"free_web", "cheap_web"}),
        ({"category": "data"}, {"pricey_data", "mid_data"}),
        ({"category": "nope"}, set()),
        ({"min_price": "10"}, {"pricey_data", "mid_data"}),
        ({"min_price": "9.99"}, {"cheap_web", "pricey_data", "mid_data"}),
        ({"max_price": "19"}, {"free_web", "cheap_web", "mid_data"}),
        ({"max_price": "0"}, {"free_web"}),
        ({"min_price": "5", "max_price": "20"}, {"cheap_web", "mid_data"}),
        ({"level": "beginner"}, {"free_web"}),
        ({"level": "intermediate"}, {"cheap_web"}),
        ({"level": "advanced"}, {"pricey_data"}),
        ({"level": "all"}, {"mid_data"}),
        ({"is_free": "true"}, {"free_web"}),
        ({"is_free": "false"}, {"cheap_web", "pricey_data", "mid_data"}),
        ({"category": "web", "is_free": "false"}, {"cheap_web"}),
        ({"search": "django"}, {"free_web"}),  # title
        ({"search": "serializers"}, {"cheap_web"}),  # subtitle
        ({"search": "posteriors"}, {"pricey_data"}),  # description
        ({"search": "spreadsheets"}, {"mid_data"}),
        ({"search": "Bayesian", "category": "data"}, {"pricey_data"}),
        ({"search": "nothingmatchesthis"}, set()),
    ],
    ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_catalog_filters(anon_client, catalog, params, expected):
    assert names(catalog, anon_client.get(COURSES, params)) == expected


def test_catalog_filter_by_instructor(anon_client, catalog, instructor, other_instructor):
    assert names(catalog, anon_client.get(COURSES, {"instructor": instructor.pk})) == {"free_web", "cheap_web"}
    assert names(catalog, anon_client.get(COURSES, {"instructor": other_instructor.pk})) == {"pricey_data", "mid_data"}
    assert names(catalog, anon_client.get(COURSES, {"instructor": 999999})) == set()


def test_catalog_search_is_case_insensitive(anon_client, catalog):
    assert names(catalog, anon_client.get(COURSES, {"search": "PANDAS"})) == {"mid_data"}


@pytest.fixture
def ordered_courses():
    """Three courses whose every sort key differs, in a known order."""
    now = timezone.now()
    rows = [
        # (price, created days ago, rating, enrollments)
        (Decimal("20.00"), 1, Decimal("3.50"), 5),
        (Decimal("5.00"), 3, Decimal("4.90"), 1),
        (Decimal("10.00"), 2, Decimal("1.20"), 50),
    ]
    courses = []
    for price, days, rating, enrolled in rows:
        course = PublishedCourseFactory(price=price)
        Course.objects.filter(pk=course.pk).update(
            created_at=now - timedelta(days=days), average_rating=rating, enrollment_count=enrolled
        )
        courses.append(course.pk)
    return courses


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", [1, 2, 0]),
        ("-price", [0, 2, 1]),
        ("created_at", [1, 2, 0]),
        ("-created_at", [0, 2, 1]),
        ("-average_rating", [1, 0, 2]),
        ("-enrollment_count", [2, 0, 1]),
    ],
)
def test_catalog_ordering(anon_client, ordered_courses, ordering, expected):
    response = anon_client.get(COURSES, {"ordering": ordering})
    assert result_ids(response) == [ordered_courses[i] for i in expected]


def test_catalog_ordering_is_stable_on_ties(anon_client):
    courses = [PublishedCourseFactory(price=Decimal("5.00")) for _ in range(5)]
    first = anon_client.get(COURSES, {"ordering": "price", "page_size": 2, "page": 1})
    rest = [anon_client.get(COURSES, {"ordering": "price", "page_size": 2, "page": p}) for p in (2, 3)]

    seen = result_ids(first) + [i for r in rest for i in result_ids(r)]
    assert sorted(seen) == sorted(c.pk for c in courses)


@pytest.mark.parametrize(
    "params",
    [
        {"min_price": "abc"},
        {"max_price": "abc"},
        {"min_price": "NaN"},
        {"max_price": "Infinity"},
        {"level": "bogus"},
        {"ordering": "bogus"},
        {"ordering": "search_vector"},
        {"ordering": "instructor__password"},
        {"instructor": "abc"},
        {"search": "x" * 1000},
    ],
    ids=lambda p: "&".join(f"{k}={v[:20]}" for k, v in p.items()),
)
def test_catalog_bad_input_is_400(anon_client, params):
    PublishedCourseFactory()
    response = anon_client.get(COURSES, params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("param", ["search", "category"])
def test_catalog_hostile_strings_never_500(anon_client, param, text):
    course = PublishedCourseFactory(title="Survives hostile input")

    response = anon_client.get(COURSES, {param: text})

    assert response.status_code in (200, 400), response.content
    assert response["Content-Type"] == "application/json"
    assert Course.objects.filter(pk=course.pk).exists()
    if response.status_code == 200:
        assert isinstance(response.data["results"], list)


@pytest.mark.parametrize("text", HOSTILE)
def test_catalog_hostile_search_with_ordering_and_filters(anon_client, text):
    PublishedCourseFactory(title="Anything")
    response = anon_client.get(COURSES, {"search": text, "ordering": "-price", "min_price": "0", "page_size": 5})
    assert response.status_code in (200, 400), response.content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_price": "1e400"}, (200, 400)),
        ({"max_price": "-1e400"}, (200, 400)),
        ({"instructor": "-1"}, (200, 400)),
        ({"min_price": "-5"}, (200,)),
        ({"is_free": "bogus"}, (200, 400)),
        ({"page_size": "abc"}, (200,)),
        ({"page_size": "-3"}, (200,)),
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) if isinstance(p, dict) else None,
)
def test_catalog_odd_numbers_never_500(anon_client, params, expected):
    PublishedCourseFactory()
    assert anon_client.get(COURSES, params).status_code in expected


def test_catalog_huge_instructor_id_never_500(anon_client):
    PublishedCourseFactory()
    assert anon_client.get(COURSES, {"instructor": "99999999999999999999999"}).status_code in (200, 400)


@pytest.mark.parametrize("page", ["2", "99", "0", "-1", "abc", "last-but-not-really"])
def test_catalog_page_beyond_the_end_is_404(anon_client, page):
    PublishedCourseFactory()
    response = anon_client.get(COURSES, {"page": page})
    assert response.status_code == 404
    assert "detail" in response.data


def test_catalog_last_page_works(anon_client):
    PublishedCourseFactory()
    response = anon_client.get(COURSES, {"page": "last"})
    assert response.status_code == 200
    assert response.data["count"] == 1


def test_catalog_page_size_default_and_cap(anon_client, instructor):
    category = CategoryFactory()
    CourseFactory.create_batch(
        101, instructor=instructor, category=category, status=CourseStatus.PUBLISHED, published_at=timezone.now()
    )

    default = anon_client.get(COURSES)
    capped = anon_client.get(COURSES, {"page_size": 1000})
    small = anon_client.get(COURSES, {"page_size": 7})

    assert default.data["count"] == 101
    assert len(default.data["results"]) == 20
    assert len(capped.data["results"]) == 100
    assert capped.data["next"] is not None
    assert capped.data["previous"] is None
    assert len(small.data["results"]) == 7


# --- course detail -------------------------------------------------------------------------------
@pytest.fixture
def course(instructor, student):
    """A published course of `instructor`, `student` enrolled, one preview and one locked lesson."""
    course = PublishedCourseFactory(instructor=instructor, lessons=0, price=Decimal("19.99"))
    section = SectionFactory(course=course, title="Start here", order=1)
    LessonFactory(
        section=section,
        title="Welcome",
        is_preview=True,
        order=1,
        content="Preview text",
        video_url="https://videos.example.com/preview.mp4",
    )
    LessonFactory(
        section=section,
        title="Deep dive",
        is_preview=False,
        order=2,
        content="Secret text",
        video_url="https://videos.example.com/secret.mp4",
    )
    EnrollmentFactory(student=student, course=course, source="paid")
    course.refresh_from_db()
    return course


CONTENT_VISIBLE = {
    "anonymous": False,
    "student": True,  # enrolled
    "other_student": False,
    "instructor": True,  # owner
    "other_instructor": False,
    "admin": True,
}


def lessons_of(response) -> dict[str, dict]:
    return {lesson["title"]: lesson for section in response.data["sections"] for lesson in section["lessons"]}


@pytest.mark.parametrize("role", ROLES)
def test_published_course_detail_for_every_role(clients, course, role):
    response = clients[role].get(course_url(course.pk))

    assert response.status_code == 200
    data = response.data
    assert data["id"] == course.pk
    assert data["slug"] == course.slug
    assert data["price"] == "19.99"
    assert data["currency"] == "USD"
    assert data["enrollment_count"] == 1
    assert data["average_rating"] == 0
    assert data["rating_count"] == 0
    assert data["category"]["id"] == course.category_id
    assert data["instructor"]["id"] == course.instructor_id
    assert data["is_enrolled"] is (role == "student")
    assert [s["title"] for s in data["sections"]] == ["Start here"]
    assert [lesson["title"] for lesson in data["sections"][0]["lessons"]] == ["Welcome", "Deep dive"]


@pytest.mark.parametrize("role", ROLES)
def test_lesson_content_only_for_preview_enrolled_owner_admin(clients, course, role):
    lessons = lessons_of(clients[role].get(course_url(course.pk)))
    visible = CONTENT_VISIBLE[role]

    preview, locked = lessons["Welcome"], lessons["Deep dive"]
    assert preview["content"] == "Preview text"
    assert preview["video_url"] == "https://videos.example.com/preview.mp4"
    assert preview["locked"] is False
    assert preview["is_preview"] is True
    assert locked["locked"] is (not visible)
    assert locked["content"] == ("Secret text" if visible else None)
    assert locked["video_url"] == ("https://videos.example.com/secret.mp4" if visible else None)
    assert locked["duration_seconds"] == 300  # the outline is public


@pytest.mark.parametrize("role", ROLES)
def test_lesson_detail_hides_content_the_same_way(clients, course, role):
    lesson = course.lessons.get(title="Deep dive")
    preview = course.lessons.get(title="Welcome")

    locked = clients[role].get(f"/api/v1/lessons/{lesson.pk}/")
    open_ = clients[role].get(f"/api/v1/lessons/{preview.pk}/")

    assert locked.status_code == 200
    assert locked.data["content"] == ("Secret text" if CONTENT_VISIBLE[role] else None)
    assert locked.data["locked"] is (not CONTENT_VISIBLE[role])
    assert open_.data["content"] == "Preview text"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("student", 404),
        ("other_student", 404),
        ("instructor", 200),
        ("other_instructor", 404),
        ("admin", 200),
    ],
)
def test_draft_course_detail_only_for_owner_and_admin(clients, instructor, role, expected):
    draft = CourseFactory(instructor=instructor)
    LessonFactory(section=SectionFactory(course=draft))

    response = clients[role].get(course_url(draft.pk))

    assert response.status_code == expected
    if expected == 200:
        assert response.data["status"] == "draft"
        assert lessons_of(response)  # the owner sees the curriculum with content
        assert all(not lesson["locked"] for lesson in lessons_of(response).values())


@pytest.mark.parametrize("role", ROLES)
def test_draft_lessons_and_sections_are_404_to_outsiders(clients, instructor, role):
    draft = CourseFactory(instructor=instructor)
    lesson = LessonFactory(section=SectionFactory(course=draft))
    expected = 200 if role in ("instructor", "admin") else 404

    assert clients[role].get(f"/api/v1/lessons/{lesson.pk}/").status_code == expected
    assert clients[role].get(f"/api/v1/sections/{lesson.section_id}/").status_code == expected
    assert clients[role].get(f"{course_url(draft.pk)}sections/").status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_unknown_course_is_404(clients, role):
    assert clients[role].get(course_url(999999)).status_code == 404




@pytest.mark.parametrize("pk", ["abc", "1e3"])
def test_non_numeric_course_id_is_404(anon_client, pk):
    PublishedCourseFactory()
    assert anon_client.get(course_url(pk)).status_code == 404


def test_huge_course_id_is_404(anon_client):
    assert anon_client.get(course_url("99999999999999999999999")).status_code == 404


@pytest.mark.parametrize("path", ["progress/", "sections/"])
def test_non_numeric_course_id_in_actions_is_404(clients, path):
    assert clients["student"].get(course_url("abc") + path).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 404),
        ("student", 200),
        ("other_student", 404),
        ("instructor", 200),
        ("other_instructor", 404),
        ("admin", 200),
    ],
)
def test_archived_course_hidden_from_catalog_but_open_to_enrolled(clients, course, role, expected):
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.ARCHIVED)

    listed = clients[role].get(COURSES)
    detail = clients[role].get(course_url(course.pk))

    assert course.pk not in result_ids(listed)
    assert detail.status_code == expected
    if expected == 200:
        assert detail.data["status"] == "archived"
        assert lessons_of(detail)["Deep dive"]["content"] == "Secret text"


@pytest.mark.parametrize("value", ["null", "yes", "2", "unknown"])
def test_a_boolean_filter_that_is_not_true_or_false_is_a_400(anon_client, value):
    response = anon_client.get(f"/api/v1/courses/?is_free={value}")
    assert response.status_code == 400
    assert response.json()["is_free"] == ["Enter true or false."]


@pytest.mark.parametrize(
    ("value", "free"), [("true", True), ("TRUE", True), ("1", True), ("false", False), ("0", False)]
)
def test_boolean_filters_take_true_false_one_and_zero(anon_client, value, free):
    PublishedCourseFactory(price=0)
    PublishedCourseFactory(price=10)
    results = anon_client.get(f"/api/v1/courses/?is_free={value}").json()["results"]
    assert [course["is_free"] for course in results] == [free]
