"""Reading the configuration: providers, the role mapping (never admin), and the system checks that
refuse a configuration that cannot work."""

import pytest

from accounts.models import Role
from sso.checks import check_providers
from sso.providers import Provider, claim_values, provider_get, providers, role_for_claims


def mapped(**overrides) -> Provider:
    config = {
        "name": "p",
        "issuer": "https://id.example.com",
        "client_id": "c",
        "role_claim": "groups",
        "role_map": {"teachers": "instructor", "pupils": "student", "root": "admin"},
    }
    return Provider(**{**config, **overrides})


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({"groups": ["teachers"]}, Role.INSTRUCTOR),
        ({"groups": "teachers"}, Role.INSTRUCTOR),
        ({"groups": ["pupils", "teachers"]}, Role.INSTRUCTOR),  # the role with more rights
        ({"groups": ["pupils"]}, Role.STUDENT),
        ({"groups": ["root"]}, Role.STUDENT),  # never admin
        ({"groups": ["root", "teachers"]}, Role.INSTRUCTOR),
        ({"groups": ["unknown"]}, Role.STUDENT),
        ({"groups": [1, None, {"x": 1}]}, Role.STUDENT),
        ({"groups": 42}, Role.STUDENT),
        ({}, Role.STUDENT),
    ],
)
def test_the_role_claim_maps_to_student_or_instructor(claims, role):
    assert role_for_claims(mapped(), claims) == role


def test_the_default_role_applies_without_a_mapped_value_and_is_never_admin():
    assert role_for_claims(mapped(default_role="instructor"), {"groups": ["unknown"]}) == Role.INSTRUCTOR
    assert role_for_claims(mapped(default_role="admin"), {}) == Role.STUDENT
    assert role_for_claims(mapped(role_claim=""), {"groups": ["teachers"]}) == Role.STUDENT


def test_claims_are_read_by_name_then_by_dotted_path():
    claims = {
        "realm_access": {"roles": ["teachers", "offline_access"]},
        "https://example.com/roles": ["teachers"],
        "plain": "x",
    }
    assert claim_values(claims, "realm_access.roles") == ["teachers", "offline_access"]
    assert claim_values(claims, "https://example.com/roles") == ["teachers"]
    assert claim_values(claims, "plain") == ["x"]
    assert claim_values(claims, "plain.deeper") == []
    assert claim_values(claims, "missing.path") == []


def test_providers_come_from_settings(settings):
    settings.OIDC_PROVIDERS = {
        "google": {
            "issuer": "https://accounts.google.com",
            "client_id": "id",
            "client_secret": "secret",
            "label": "Google",
            "allowed_domains": ["School.EDU ", "@staff.school.edu"],
            "default_role": "student",
            "role_claim": "",
            "role_map": {},
            "scopes": ["email", "profile"],
        }
    }

    google = provider_get("google")

    assert list(providers()) == ["google"] and provider_get("nope") is None
    assert google.allowed_domains == ("school.edu", "staff.school.edu")
    assert google.scopes == ("openid", "email", "profile")  # openid is always asked for
    assert google.display_label == "Google"


def config(**overrides) -> dict:
    return {
        "issuer": "https://id.example.com/realms/school",
        "client_id": "lms",
        "client_secret": "s",
        "label": "School",
        "allowed_domains": [],
        "default_role": "student",
        "role_claim": "",
        "role_map": {},
        "scopes": ["openid", "email"],
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "ids"),
    [
        ({}, []),
        ({"issuer": "http://localhost:8080/realms/school"}, []),
        ({"issuer": "http://id.example.com"}, ["sso.E001"]),
        ({"issuer": "id.example.com"}, ["sso.E001"]),
        ({"client_id": ""}, ["sso.E002"]),
        ({"default_role": "admin"}, ["sso.E003"]),
        ({"role_claim": "groups", "role_map": {"root": "admin", "t": "instructor"}}, ["sso.E004"]),
        ({"role_map": {"t": "instructor"}}, ["sso.W001"]),
        ({"role_claim": "groups"}, ["sso.W001"]),
    ],
)
def test_the_system_check_refuses_what_cannot_work(settings, overrides, ids):
    settings.OIDC_PROVIDERS = {"school": config(**overrides)}
    settings.OIDC_RETURN_URL = "https://app.example.com/sso/callback"

    assert [problem.id for problem in check_providers()] == ids


def test_the_return_url_must_be_absolute(settings):
    settings.OIDC_PROVIDERS = {"school": config()}
    settings.OIDC_RETURN_URL = "/sso/callback"

    assert [problem.id for problem in check_providers()] == ["sso.E005"]
    settings.OIDC_PROVIDERS = {}
    assert check_providers() == []
