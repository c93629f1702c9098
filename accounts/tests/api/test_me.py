"""GET and PATCH /api/v1/auth/me/: one's own profile, for every role."""

import pytest

from accounts.models import InstructorProfile, Role, User
from accounts.tests.api.helpers import ME, PROFILE_KEYS, SIGNED_IN
from accounts.tests.factories import StudentFactory
from conftest import ROLES, client_for


@pytest.mark.parametrize("role", ROLES)
def test_me_get(clients, role):
    client = clients[role]

    r = client.get(ME)

    if role == "anonymous":
        assert r.status_code == 401
        return
    assert r.status_code == 200
    body = r.json()
    user = client.user
    assert {k: body[k] for k in ("id", "email", "first_name", "last_name", "role")} == {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
    }
    assert "password" not in body
    if user.role == Role.INSTRUCTOR:
        assert body.keys() >= PROFILE_KEYS
        assert body["headline"] == user.instructor_profile.headline
    else:
        assert not PROFILE_KEYS & body.keys()


@pytest.mark.parametrize("role", SIGNED_IN)
def test_me_patch_names(clients, role):
    client = clients[role]

    r = client.patch(ME, {"first_name": "Grace", "last_name": "Hopper"})

    assert r.status_code == 200, r.content
    assert (r.json()["first_name"], r.json()["last_name"]) == ("Grace", "Hopper")
    client.user.refresh_from_db()
    assert (client.user.first_name, client.user.last_name) == ("Grace", "Hopper")


def test_me_patch_is_partial(student_client):
    last_name = student_client.user.last_name

    r = student_client.patch(ME, {"first_name": "Grace"})

    assert r.status_code == 200
    assert r.json()["last_name"] == last_name


@pytest.mark.parametrize("role", ["instructor", "other_instructor"])
def test_me_patch_instructor_profile(clients, role):
    client = clients[role]
    body = {"headline": "New headline", "bio": "New bio", "expertise": "Rust", "website": "https://x.example.com"}

    r = client.patch(ME, body)

    assert r.status_code == 200, r.content
    assert {k: r.json()[k] for k in body} == body
    profile = InstructorProfile.objects.get(user=client.user)
    assert (profile.headline, profile.bio, profile.expertise, profile.website) == tuple(body.values())


def test_me_patch_profile_fields_ignored_for_students(student_client):
    r = student_client.patch(ME, {"headline": "I am a teacher now"})

    assert r.status_code == 200
    assert "headline" not in r.json()
    assert not InstructorProfile.objects.filter(user=student_client.user).exists()


def test_me_patch_instructor_without_profile_gets_one(db):
    user = StudentFactory(role=Role.INSTRUCTOR)  # an instructor whose profile row went missing

    r = client_for(user).patch(ME, {"headline": "Back again"})

    assert r.status_code == 200, r.content
    assert InstructorProfile.objects.get(user=user).headline == "Back again"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_me_patch_ignores_mass_assignment(clients, role):
    client = clients[role]
    user = client.user
    before = (user.role, user.is_staff, user.is_superuser, user.is_active, user.email)

    r = client.patch(
        ME,
        {
            "role": "admin" if role != "admin" else "student",
            "is_staff": role != "admin",
            "is_superuser": role != "admin",
            "is_active": False,
            "email": "new@example.com",
            "id": 12345,
        },
    )

    assert r.status_code == 200, r.content
    assert r.json()["role"] == before[0]
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser, user.is_active, user.email) == before


def test_me_patch_anonymous_is_401(anon_client):
    assert anon_client.patch(ME, {"first_name": "X"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"website": "nope"}, "website"),
    ],
)
def test_me_patch_invalid(instructor_client, body, field):
    r = instructor_client.patch(ME, body)

    assert r.status_code == 400
    assert field in r.json()


def test_admin_role_users_are_staff(admin_client):
    assert admin_client.get(ME).json()["role"] == "admin"
    assert admin_client.user.is_staff and admin_client.user.is_superuser
    assert not User.objects.filter(role=Role.ADMIN, is_staff=False).exists()
    assert not User.objects.exclude(role=Role.ADMIN).filter(is_staff=True).exists()
