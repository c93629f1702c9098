"""Races on PostgreSQL: threads released together by a barrier, each with its own database connection,
so the database (not Python) decides. A one-time code and a pending sign-in are each used once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from lms.testing import run_together
from sso import services
from sso.models import PendingLogin
from sso.providers import Provider
from sso.refusals import SignInRefused

from .conftest import CHALLENGE, VERIFIER

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_code_exchanged_eight_times_at_once_signs_in_once(postgres):
    user = StudentFactory()
    code = services.login_code_issue(user=user, provider="school", code_challenge=CHALLENGE)

    statuses = [
        r.status_code
        for r in run_together(
            [
                lambda: APIClient().post(
                    "/api/v1/auth/oidc/exchange/", {"code": code, "code_verifier": VERIFIER}, format="json"
                )
            ]
            * 8
        )
    ]

    assert sorted(statuses) == [200] + [400] * 7, statuses


def test_a_pending_sign_in_is_consumed_once(postgres):
    provider = Provider(name="school", issuer="https://id.example.com", client_id="c")
    PendingLogin.objects.create(
        state_hash=services._hash("the-state"),
        browser_hash=services._hash("the-cookie"),
        provider="school",
        nonce="n",
        code_verifier="v",
        redirect_uri="http://testserver/cb/",
        expires_at=timezone.now() + timedelta(minutes=5),
    )

    def consume():
        try:
            services._pending_login_consume(provider=provider, state="the-state", browser_key="the-cookie")
        except SignInRefused as exc:
            return exc.code
        return "consumed"

    assert sorted(run_together([consume] * 8)) == ["consumed"] + ["state_used"] * 7
