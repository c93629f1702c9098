"""Refresh tokens under concurrency (PostgreSQL, real threads): one refresh token presented by
several requests at once is exchanged exactly once."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.services import tokens_for_user
from lms.testing import run_together

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def test_concurrent_refreshes_of_one_token_succeed_once(postgres, student):
    refresh = tokens_for_user(student)["refresh"]
    jti = RefreshToken(refresh)["jti"]
    outstanding_before = OutstandingToken.objects.filter(user=student).count()

    def exchange():
        return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")

    responses = run_together([exchange] * THREADS)

    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200] + [401] * (THREADS - 1), statuses
    winner = next(r for r in responses if r.status_code == 200).json()
    assert BlacklistedToken.objects.filter(token__jti=jti).count() == 1
    # Exactly one new refresh token was issued, and it works.
    assert OutstandingToken.objects.filter(user=student).count() == outstanding_before + 1
    again = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": winner["refresh"]}, format="json")
    assert again.status_code == 200
    for loser in (r for r in responses if r.status_code == 401):
        assert loser.json()["code"] == "token_not_valid"
