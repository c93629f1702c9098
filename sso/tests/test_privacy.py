"""Single sign-on's part of a person's export and erasure (sso/privacy.py): their identity links and
one-time codes only; erasure deletes both and is idempotent."""

import json

import pytest

from privacy.registry import erasers, exporters
from sso import privacy, services
from sso.models import IdentityLink, LoginCode

from .conftest import CHALLENGE, VERIFIER

pytestmark = pytest.mark.django_db


@pytest.fixture
def holdings(student, other_student):
    services.identity_link_create(user=student, provider="school", subject="sub-of-student", email=student.email)
    services.identity_link_create(user=other_student, provider="school", subject="sub-of-other", email="o@x.test")
    code = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)
    services.login_code_redeem(code=code, code_verifier=VERIFIER)
    services.login_code_issue(user=other_student, provider="school", code_challenge=CHALLENGE)


def test_the_export_holds_the_person_s_links_and_codes_only(holdings, student):
    data = privacy.export(student)

    assert [link["subject"] for link in data["identity_links"]] == ["sub-of-student"]
    assert data["identity_links"][0]["email"] == student.email
    assert len(data["sign_in_codes"]) == 1 and data["sign_in_codes"][0]["used_at"] is not None
    text = json.dumps(data)
    assert "sub-of-other" not in text and "code_hash" not in text
    assert set(privacy.DESCRIBE) == {f"{part}.{name}" for part, rows in data.items() for name in rows[0]}, (
        "every exported field is described"
    )


def test_the_erasure_deletes_them_and_is_idempotent(holdings, student, other_student):
    privacy.ERASER.erase(student)
    privacy.ERASER.erase(student)

    assert not IdentityLink.objects.filter(user=student).exists()
    assert not LoginCode.objects.filter(user=student).exists()
    assert IdentityLink.objects.filter(user=other_student).count() == 1
    assert LoginCode.objects.filter(user=other_student).count() == 1


def test_sso_is_registered():
    assert "sso" in {e.name for e in exporters()} and "sso" in {e.name for e in erasers()}
