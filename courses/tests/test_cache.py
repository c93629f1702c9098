"""The public catalog and course detail are cached, and never stale once a change commits."""

import pytest

from courses import cache as course_cache
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db(transaction=True)  # changes really commit, as in production

COURSES = "/api/v1/courses/"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.CATALOG_CACHE_SECONDS = 300


def titles(response):
    return {c["title"] for c in response.json()["results"]}


def test_a_cached_catalog_page_costs_no_query(anon_client, django_assert_num_queries):
    PublishedCourseFactory(title="Cached")
    assert "Cached" in titles(anon_client.get(COURSES))
    with django_assert_num_queries(0):
        assert "Cached" in titles(anon_client.get(COURSES))


def test_an_edit_is_visible_in_the_next_catalog_and_detail_response(clients, instructor):
    course = PublishedCourseFactory(instructor=instructor, title="Old title")
    anon = clients["anonymous"]
    assert "Old title" in titles(anon.get(COURSES))
    assert anon.get(f"{COURSES}{course.pk}/").json()["title"] == "Old title"
    assert clients["instructor"].patch(f"{COURSES}{course.pk}/", {"title": "New title"}).status_code == 200
    assert "New title" in titles(anon.get(COURSES))
    assert anon.get(f"{COURSES}{course.pk}/").json()["title"] == "New title"


def test_curriculum_changes_reach_the_cached_detail(clients, instructor):
    course = PublishedCourseFactory(instructor=instructor, lessons=1)
    anon = clients["anonymous"]
    section_id = anon.get(f"{COURSES}{course.pk}/").json()["sections"][0]["id"]
    r = clients["instructor"].post(f"/api/v1/sections/{section_id}/lessons/", {"title": "Brand new lesson"})
    assert r.status_code == 201
    lessons = anon.get(f"{COURSES}{course.pk}/").json()["sections"][0]["lessons"]
    assert "Brand new lesson" in [lesson["title"] for lesson in lessons]


def test_enrollment_and_rating_changes_reach_the_cached_catalog(clients, student):
    course = PublishedCourseFactory()
    anon = clients["anonymous"]
    assert anon.get(COURSES).json()["results"][0]["enrollment_count"] == 0
    assert clients["student"].post(f"{COURSES}{course.pk}/enroll/").status_code == 201
    assert anon.get(COURSES).json()["results"][0]["enrollment_count"] == 1
    assert clients["student"].post(f"{COURSES}{course.pk}/reviews/", {"rating": 4}).status_code == 201
    row = anon.get(COURSES).json()["results"][0]
    assert (row["rating_count"], row["average_rating"]) == (1, 4.0)
    assert anon.get(f"{COURSES}{course.pk}/").json()["rating_count"] == 1


def test_unpublishing_removes_the_course_from_the_cached_catalog_and_detail(clients, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    anon = clients["anonymous"]
    assert anon.get(COURSES).json()["count"] == 1
    assert anon.get(f"{COURSES}{course.pk}/").status_code == 200
    assert clients["instructor"].post(f"{COURSES}{course.pk}/unpublish/").status_code == 200
    assert anon.get(COURSES).json()["count"] == 0
    assert anon.get(f"{COURSES}{course.pk}/").status_code == 404


def test_enrolled_students_and_owners_never_get_the_outsiders_cached_page(clients, student, instructor):
    course = PublishedCourseFactory(instructor=instructor, lessons=1)
    public = clients["anonymous"].get(f"{COURSES}{course.pk}/").json()
    assert public["sections"][0]["lessons"][0]["content"] is None
    EnrollmentFactory(student=student, course=course)
    mine = clients["student"].get(f"{COURSES}{course.pk}/").json()
    assert mine["is_enrolled"] is True
    assert mine["sections"][0]["lessons"][0]["content"] is not None
    owner = clients["instructor"].get(f"{COURSES}{course.pk}/").json()
    assert owner["sections"][0]["lessons"][0]["content"] is not None
    outsider = clients["other_student"].get(f"{COURSES}{course.pk}/").json()
    assert outsider["sections"][0]["lessons"][0]["content"] is None


def test_a_cached_catalog_page_links_to_the_host_that_asked_for_it(anon_client, settings):
    """The page links (`next`) are absolute: one host's cached page is never served to another."""
    settings.ALLOWED_HOSTS = ["api.school.example", "other.example"]
    PublishedCourseFactory.create_batch(2)
    first = anon_client.get(f"{COURSES}?page_size=1", HTTP_HOST="api.school.example").json()
    assert first["next"].startswith("http://api.school.example/")

    second = anon_client.get(f"{COURSES}?page_size=1", HTTP_HOST="other.example").json()

    assert second["next"].startswith("http://other.example/")
    cached = anon_client.get(f"{COURSES}?page_size=1", HTTP_HOST="api.school.example").json()
    assert cached["next"] == first["next"]


def test_each_language_is_cached_apart(anon_client, django_assert_num_queries):
    """A page cached for one language is never served to a reader of another (README "Languages")."""
    course = PublishedCourseFactory(title="Cached")
    for path in (COURSES, f"{COURSES}{course.pk}/"):
        english = anon_client.get(path)
        with django_assert_num_queries(0):
            assert anon_client.get(path).json() == english.json()
        arabic = anon_client.get(path, HTTP_ACCEPT_LANGUAGE="ar")
        assert arabic["Content-Language"] == "ar"
        assert arabic.json() == english.json()  # what these pages hold is not translated today
        with django_assert_num_queries(0):
            assert anon_client.get(path, HTTP_ACCEPT_LANGUAGE="ar")["Content-Language"] == "ar"


def test_every_page_of_the_same_filters_shares_one_count(anon_client, instructor, django_assert_num_queries):
    """The COUNT of a catalog query is kept with the catalog's version: the next page, another page
    size or ordering of the same filters does not count again; other filters, or a change, do."""
    PublishedCourseFactory.create_batch(3, instructor=instructor)
    assert anon_client.get("/api/v1/courses/?page_size=2").json()["count"] == 3
    with django_assert_num_queries(2):  # no COUNT: the later page's ids, then their rows
        second = anon_client.get("/api/v1/courses/?page_size=2&page=2&ordering=-price")
    assert second.json()["count"] == 3 and len(second.json()["results"]) == 1
    with django_assert_num_queries(2):  # other filters: counted
        assert anon_client.get(f"/api/v1/courses/?instructor={instructor.pk}&page_size=2").json()["count"] == 3
    PublishedCourseFactory(instructor=instructor)
    course_cache.course_changed()  # as the services do: a change, counted again
    with django_assert_num_queries(2):
        assert anon_client.get("/api/v1/courses/?page_size=3").json()["count"] == 4
