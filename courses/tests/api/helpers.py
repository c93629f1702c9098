"""What the API tests share: URLs, the role tables and small helpers (fixtures are in conftest.py)."""

import pytest

from courses.models import Lesson, Section

COURSES = "/api/v1/courses/"


MINE = "/api/v1/instructor/courses/"


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


def course_of_kind(kind, published, draft):
    return published if kind == "published" else draft


def table(kind) -> dict:
    return ON_PUBLISHED if kind == "published" else ON_DRAFT


def section_url(pk, action="") -> str:
    return f"/api/v1/sections/{pk}/{action + '/' if action else ''}"


def lesson_url(pk, action="") -> str:
    return f"/api/v1/lessons/{pk}/{action + '/' if action else ''}"


def section_orders(course) -> list[tuple[str, int]]:
    return list(Section.objects.filter(course=course).order_by("order", "id").values_list("title", "order"))


def lesson_orders(section) -> list[tuple[str, int]]:
    return list(Lesson.objects.filter(section=section).order_by("order", "id").values_list("title", "order"))


LESSON_BODY = {
    "title": "New lesson",
    "content": "Text",
    "video_url": "https://v.example.com/a.mp4",
    "duration_seconds": 120,
    "is_preview": True,
}


CATEGORIES = "/api/v1/categories/"


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


def result_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.data["results"]]


def names(catalog, response) -> set[str]:
    by_id = {c.pk: name for name, c in catalog.items()}
    ids = result_ids(response)
    assert set(ids) <= set(by_id), "a course outside the catalog was listed"
    return {by_id[i] for i in ids}


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
