"""/api/v1/admin/courses/: every course in any status, status changes, and removing an
inappropriate course (archived, enrollments kept, the instructor told why)."""

import pytest

from courses.models import Course, CourseStatus, Enrollment
from courses.tests.factories import CourseFactory, EnrollmentFactory, PublishedCourseFactory
from notifications.models import Notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/admin/courses/"


def detail(course) -> str:
    return f"{URL}{course.pk}/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {c["id"] for c in response.json()["results"]}


@pytest.fixture
def catalog(instructor, other_instructor):
    return {
        "draft": CourseFactory(instructor=instructor, title="Rust for cats"),
        "published": PublishedCourseFactory(instructor=instructor, title="Python basics", slug="python-basics"),
        "archived": PublishedCourseFactory(instructor=other_instructor, status=CourseStatus.ARCHIVED, title="Old"),
        "theirs": PublishedCourseFactory(instructor=other_instructor, title="Django deep dive"),
    }


# --- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 403),  # even for the owner: this is the staff API
        ("other_instructor", 403),
        ("admin", None),
    ],
)
def test_only_admins(clients, catalog, role, expected):
    course = catalog["published"]
    client = clients[role]
    for method, path, data in [
        ("get", URL, None),
        ("get", detail(course), None),
        ("patch", detail(course), {"status": "draft"}),
        ("delete", detail(course), None),
    ]:
        response = getattr(client, method)(path, data, format="json") if data else getattr(client, method)(path)
        if expected is None:
            assert response.status_code in (200, 204), (method, response.content)
        else:
            assert response.status_code == expected, (method, response.content)
    course.refresh_from_db()
    if expected is not None:
        assert course.status == CourseStatus.PUBLISHED
        assert not Notification.objects.filter(type="course_removed").exists()


# --- list ----------------------------------------------------------------------------------------
def test_every_course_in_any_status(clients, catalog):
    admin = clients["admin"]
    assert ids(admin.get(URL)) == {c.pk for c in catalog.values()}
    body = admin.get(URL).json()
    assert body["count"] == 4
    assert {c["status"] for c in body["results"]} == {"draft", "published", "archived"}
    assert {"id", "title", "status", "instructor", "enrollment_count"} <= set(body["results"][0])


def test_filters_and_search(clients, catalog, other_instructor):
    admin = clients["admin"]
    assert ids(admin.get(f"{URL}?status=draft")) == {catalog["draft"].pk}
    assert ids(admin.get(f"{URL}?status=archived")) == {catalog["archived"].pk}
    assert ids(admin.get(f"{URL}?status=published")) == {catalog["published"].pk, catalog["theirs"].pk}
    assert ids(admin.get(f"{URL}?instructor={other_instructor.pk}")) == {catalog["archived"].pk, catalog["theirs"].pk}
    assert ids(admin.get(f"{URL}?instructor={other_instructor.pk}&status=published")) == {catalog["theirs"].pk}
    assert ids(admin.get(f"{URL}?search=django")) == {catalog["theirs"].pk}
    assert ids(admin.get(f"{URL}?search=python-basics")) == {catalog["published"].pk}  # slug
    assert ids(admin.get(f"{URL}?search=nothing")) == set()


@pytest.mark.parametrize("query", ["status=gone", "instructor=abc", "search=%00", "page=99"])
def test_bad_filters_are_not_a_5xx(clients, catalog, query):
    assert clients["admin"].get(f"{URL}?{query}").status_code < 500


def test_get_one_any_status_and_unknown(clients, catalog):
    body = clients["admin"].get(detail(catalog["draft"])).json()
    assert body["id"] == catalog["draft"].pk and body["status"] == "draft"
    assert clients["admin"].get(f"{URL}999999/").status_code == 404


def test_list_runs_in_constant_queries(clients, catalog, instructor, django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as small:
        assert clients["admin"].get(URL).status_code == 200
    for _ in range(6):
        PublishedCourseFactory()  # each with its own instructor and category
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert clients["admin"].get(URL).status_code == 200


# --- status changes ------------------------------------------------------------------------------
def test_status_changes(clients, catalog):
    admin, course = clients["admin"], catalog["published"]
    response = admin.patch(detail(course), {"status": "draft"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert course.pk not in {c["id"] for c in clients["anonymous"].get("/api/v1/courses/").json()["results"]}

    response = admin.patch(detail(course), {"status": "published"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert course.pk in {c["id"] for c in clients["anonymous"].get("/api/v1/courses/").json()["results"]}

    response = admin.patch(detail(course), {"status": "archived"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "archived"
    course.refresh_from_db()
    assert course.status == CourseStatus.ARCHIVED

    # An archived course with lessons can be published again.
    response = admin.patch(detail(catalog["archived"]), {"status": "published"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"


def test_publishing_without_lessons_is_a_400(clients, catalog):
    response = clients["admin"].patch(detail(catalog["draft"]), {"status": "published"}, format="json")
    assert response.status_code == 400
    catalog["draft"].refresh_from_db()
    assert catalog["draft"].status == CourseStatus.DRAFT


@pytest.mark.parametrize("data", [{"status": "deleted"}, {"status": ""}, {}, {"title": "Renamed"}])
def test_bad_status_is_a_400(clients, catalog, data):
    course = catalog["published"]
    response = clients["admin"].patch(detail(course), data, format="json")
    assert response.status_code == 400, response.content
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED and course.title == "Python basics"


# --- removal -------------------------------------------------------------------------------------
def test_remove_archives_keeps_enrollments_and_notifies_the_instructor(
    clients, catalog, instructor, student, other_student
):
    course = catalog["published"]
    mine = EnrollmentFactory(student=student, course=course)
    EnrollmentFactory(student=other_student, course=course)
    anonymous = clients["anonymous"]
    assert course.pk in {c["id"] for c in anonymous.get("/api/v1/courses/").json()["results"]}  # warm any cache

    response = clients["admin"].delete(f"{detail(course)}?reason=Copied%20material")
    assert response.status_code == 204

    course.refresh_from_db()
    assert course.status == CourseStatus.ARCHIVED
    assert Course.objects.filter(pk=course.pk).exists()
    assert Enrollment.objects.filter(course=course, status="active").count() == 2
    assert course.pk not in {c["id"] for c in anonymous.get("/api/v1/courses/").json()["results"]}
    assert anonymous.get(f"/api/v1/courses/{course.pk}/").status_code == 404
    # Enrolled students keep their access; nobody new gets in.
    mine_now = clients["student"].get("/api/v1/me/enrollments/").json()
    rows = mine_now["results"] if isinstance(mine_now, dict) else mine_now
    assert mine.pk in {e["id"] for e in rows}
    assert clients["student"].get(f"/api/v1/courses/{course.pk}/progress/").status_code == 200

    notes = Notification.objects.filter(type="course_removed")
    assert [n.recipient_id for n in notes] == [instructor.pk]
    note = notes.get()
    assert note.body == "Copied material"
    assert note.payload == {"course_id": course.pk}
    assert course.title in note.title
    # The instructor sees it in their inbox.
    inbox = clients["instructor"].get("/api/v1/notifications/").json()
    assert any(n["type"] == "course_removed" for n in inbox["results"])
    # It stays visible to admins, and to its instructor's dashboard.
    assert clients["admin"].get(detail(course)).json()["status"] == "archived"
    dashboard = clients["instructor"].get("/api/v1/dashboard/instructor/").json()
    row = next(c for c in dashboard["courses"] if c["id"] == course.pk)
    assert row["status"] == "archived" and row["enrollment_count"] == 2


def test_remove_without_reason_gives_a_default_message(clients, catalog, other_instructor):
    assert clients["admin"].delete(detail(catalog["theirs"])).status_code == 204
    note = Notification.objects.get(type="course_removed")
    assert note.recipient_id == other_instructor.pk and note.body


def test_remove_unknown_course_is_a_404(clients):
    assert clients["admin"].delete(f"{URL}999999/").status_code == 404
    assert not Notification.objects.exists()


def test_a_very_long_reason_is_cut_not_a_5xx(clients, catalog):
    response = clients["admin"].delete(f"{detail(catalog['published'])}?reason={'x' * 5000}")
    assert response.status_code == 204
    assert len(Notification.objects.get(type="course_removed").body) <= 10000
