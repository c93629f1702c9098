"""/api/v1/admin/users/: list, search and filter, promote and demote, deactivate and reactivate;
the last active admin stays; a deactivated user's tokens stop working; records are kept."""

from decimal import Decimal

import pytest

from accounts.models import User
from accounts.services import tokens_for_user
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from conftest import client_for
from courses.models import Enrollment
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from payments.models import Order

pytestmark = pytest.mark.django_db

URL = "/api/v1/admin/users/"


def detail(user) -> str:
    return f"{URL}{user.pk}/"


def emails(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {u["email"] for u in response.json()["results"]}


# --- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 401),
        ("student", 403),
        ("other_student", 403),
        ("instructor", 403),
        ("other_instructor", 403),
        ("admin", None),
    ],
)
def test_only_admins(clients, student, role, expected):
    client = clients[role]
    calls = [
        ("get", URL, None),
        ("get", detail(student), None),
        ("patch", detail(student), {"role": "instructor"}),
        ("delete", detail(student), None),
    ]
    for method, path, data in calls:
        response = getattr(client, method)(path, data, format="json") if data else getattr(client, method)(path)
        if expected is None:
            assert response.status_code in (200, 204), (method, response.content)
        else:
            assert response.status_code == expected, (method, response.content)
    if expected is not None:
        student.refresh_from_db()
        assert student.role == "student" and student.is_active


# --- list ----------------------------------------------------------------------------------------
def test_list_fields_and_pagination(clients, student, other_student, instructor, other_instructor, admin_user):
    body = clients["admin"].get(URL).json()
    assert body["count"] == 5 and {"next", "previous", "results"} <= set(body)
    row = next(u for u in body["results"] if u["id"] == student.pk)
    assert {"id", "email", "first_name", "last_name", "role", "is_active", "date_joined"} <= set(row)
    assert "password" not in row
    assert (row["email"], row["role"], row["is_active"]) == (student.email, "student", True)
    page = clients["admin"].get(f"{URL}?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]


def test_filters_and_search(clients, student, other_student, instructor, other_instructor, admin_user):
    ada = StudentFactory(first_name="Ada", last_name="Lovelace", email="ada@analytical.example")
    grace = InstructorFactory(first_name="Grace", last_name="Hopper", email="grace@navy.example", is_active=False)
    admin = clients["admin"]

    assert emails(admin.get(f"{URL}?role=instructor")) == {instructor.email, other_instructor.email, grace.email}
    assert emails(admin.get(f"{URL}?role=admin")) == {admin_user.email}
    assert emails(admin.get(f"{URL}?is_active=false")) == {grace.email}
    assert len(emails(admin.get(f"{URL}?is_active=true"))) == 6
    assert emails(admin.get(f"{URL}?role=instructor&is_active=true")) == {instructor.email, other_instructor.email}
    assert emails(admin.get(f"{URL}?search=lovelace")) == {ada.email}  # last name, any case
    assert emails(admin.get(f"{URL}?search=GRACE")) == {grace.email}  # first name
    assert emails(admin.get(f"{URL}?search=analytical.example")) == {ada.email}  # e-mail
    assert emails(admin.get(f"{URL}?search=nobody-here")) == set()
    assert admin.get(f"{URL}?search=%00").status_code == 400  # a NUL is bad input, not a 500


@pytest.mark.parametrize("query", ["role=superuser", "is_active=maybe", "page=999"])
def test_bad_filters_are_not_a_5xx(clients, query):
    response = clients["admin"].get(f"{URL}?{query}")
    assert response.status_code < 500, response.content


def test_get_one_and_unknown(clients, instructor):
    body = clients["admin"].get(detail(instructor)).json()
    assert body["id"] == instructor.pk and body["role"] == "instructor"
    assert clients["admin"].get(f"{URL}999999/").status_code == 404


# --- promote / demote ----------------------------------------------------------------------------
def test_promote_and_demote(clients, student, instructor):
    admin = clients["admin"]
    response = admin.patch(detail(student), {"role": "instructor"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "instructor"
    student.refresh_from_db()
    assert student.role == "instructor"
    # The new role is what the API checks from now on.
    assert client_for(student).get("/api/v1/dashboard/instructor/").status_code == 200

    response = admin.patch(detail(student), {"role": "admin"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "admin"
    assert client_for(student).get("/api/v1/dashboard/admin/").status_code == 200

    response = admin.patch(detail(instructor), {"role": "student"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "student"
    assert client_for(instructor).get("/api/v1/dashboard/instructor/").status_code == 403


@pytest.mark.parametrize("data", [{"role": "owner"}, {"is_active": "sometimes"}, {"role": ""}])
def test_bad_patch_is_a_400(clients, student, data):
    response = clients["admin"].patch(detail(student), data, format="json")
    assert response.status_code == 400
    student.refresh_from_db()
    assert student.role == "student" and student.is_active


def test_email_is_not_changed_through_the_admin_api(clients, student):
    original = student.email
    clients["admin"].patch(detail(student), {"email": "new@example.com", "role": "student"}, format="json")
    student.refresh_from_db()
    assert student.email == original


# --- deactivate / reactivate ---------------------------------------------------------------------
def make_records(student, instructor):
    course = PublishedCourseFactory(instructor=instructor, price=Decimal("10.00"))
    EnrollmentFactory(student=student, course=course)
    Order.objects.create(student=student, course=course, list_price=10, amount=10, currency="USD", status="paid")
    return course


def test_deactivate_with_patch_then_reactivate(clients, student, instructor):
    make_records(student, instructor)
    tokens = tokens_for_user(student)
    own = client_for(student)
    assert own.get("/api/v1/auth/me/").status_code == 200

    response = clients["admin"].patch(detail(student), {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert own.get("/api/v1/auth/me/").status_code == 401  # the access token stops working at once
    refresh = own.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refresh.status_code == 401
    login = own.post("/api/v1/auth/login/", {"email": student.email, "password": "Correct-Horse-42"}, format="json")
    assert login.status_code in (400, 401) and "access" not in login.json()
    # Records kept.
    assert User.objects.filter(pk=student.pk).exists()
    assert Enrollment.objects.filter(student=student).count() == 1
    assert Order.objects.filter(student=student).count() == 1

    response = clients["admin"].patch(detail(student), {"is_active": True}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is True
    login = own.post("/api/v1/auth/login/", {"email": student.email, "password": "Correct-Horse-42"}, format="json")
    assert login.status_code == 200
    assert client_for(student).get("/api/v1/auth/me/").status_code == 200


def test_delete_deactivates_and_keeps_records(clients, student, instructor):
    course = make_records(student, instructor)
    own = client_for(student)
    response = clients["admin"].delete(detail(student))
    assert response.status_code == 204
    student.refresh_from_db()
    assert student.is_active is False
    assert Enrollment.objects.filter(student=student, course=course).exists()
    assert Order.objects.filter(student=student).exists()
    assert own.get("/api/v1/dashboard/student/").status_code == 401
    # Still listed for admins, as inactive; deleting again changes nothing.
    assert clients["admin"].get(detail(student)).json()["is_active"] is False
    assert clients["admin"].delete(detail(student)).status_code == 204
    assert clients["admin"].delete(f"{URL}999999/").status_code == 404


def test_deactivated_instructor_keeps_their_courses(clients, instructor):
    course = PublishedCourseFactory(instructor=instructor)
    assert clients["admin"].delete(detail(instructor)).status_code == 204
    course.refresh_from_db()
    assert course.instructor_id == instructor.pk
    assert clients["instructor"].get("/api/v1/dashboard/instructor/").status_code == 401


# --- the last active admin -----------------------------------------------------------------------
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(clients, admin_user):
    admin = clients["admin"]
    for call in (
        lambda: admin.patch(detail(admin_user), {"role": "student"}, format="json"),
        lambda: admin.patch(detail(admin_user), {"is_active": False}, format="json"),
        lambda: admin.delete(detail(admin_user)),
    ):
        response = call()
        assert response.status_code == 409, response.content
        assert "detail" in response.json()
    admin_user.refresh_from_db()
    assert admin_user.role == "admin" and admin_user.is_active
    assert admin.get(URL).status_code == 200


def test_an_inactive_admin_does_not_count(clients, admin_user):
    AdminFactory(is_active=False)
    assert clients["admin"].delete(detail(admin_user)).status_code == 409
    assert clients["admin"].patch(detail(admin_user), {"role": "instructor"}, format="json").status_code == 409


def test_one_of_two_admins_can_go(clients, admin_user):
    second = AdminFactory()
    admin = clients["admin"]
    response = admin.patch(detail(second), {"role": "instructor"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "instructor"
    # Now admin_user is the last one, even for itself.
    assert admin.delete(detail(admin_user)).status_code == 409

    third = AdminFactory()
    assert admin.delete(detail(third)).status_code == 204
    other = client_for(AdminFactory())
    # Another admin may demote this one while one active admin remains.
    response = other.patch(detail(admin_user), {"role": "student"}, format="json")
    assert response.status_code == 200
    assert admin.get(URL).status_code == 403  # no longer an admin


def test_demote_and_deactivate_together_is_all_or_nothing(clients, admin_user):
    response = clients["admin"].patch(detail(admin_user), {"role": "student", "is_active": False}, format="json")
    assert response.status_code == 409
    admin_user.refresh_from_db()
    assert admin_user.role == "admin" and admin_user.is_active
