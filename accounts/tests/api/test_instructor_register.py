"""POST /api/v1/auth/instructors/register/: instructor sign-up with a profile."""

import pytest

from accounts.models import InstructorProfile, Role, User
from accounts.tests.api.helpers import INSTRUCTOR_LOGIN, INSTRUCTOR_REGISTER, login, register_body


@pytest.mark.django_db
def test_instructor_register_creates_instructor_with_profile(anon_client):
    body = register_body(
        headline="Data engineer", bio="Ten years of pipelines.", expertise="SQL", website="https://ada.example.com"
    )

    r = anon_client.post(INSTRUCTOR_REGISTER, body)

    assert r.status_code == 201, r.content
    user_data = r.json()["user"]
    assert user_data["role"] == "instructor"
    assert user_data["headline"] == "Data engineer"
    assert user_data["website"] == "https://ada.example.com"
    user = User.objects.get(email="ada@example.com")
    assert (user.role, user.is_staff) == (Role.INSTRUCTOR, False)
    profile = user.instructor_profile
    assert (profile.headline, profile.bio, profile.expertise) == ("Data engineer", "Ten years of pipelines.", "SQL")
    assert login("ada@example.com", "Sup3r-secret-pw", INSTRUCTOR_LOGIN).status_code == 200


@pytest.mark.django_db
def test_instructor_register_profile_fields_are_optional(anon_client):
    r = anon_client.post(INSTRUCTOR_REGISTER, register_body())

    assert r.status_code == 201, r.content
    assert InstructorProfile.objects.filter(user__email="ada@example.com", headline="").exists()


@pytest.mark.django_db
def test_instructor_register_invalid_website(anon_client):
    r = anon_client.post(INSTRUCTOR_REGISTER, register_body(website="not a url"))

    assert r.status_code == 400
    assert "website" in r.json()
    assert not User.objects.exists()
