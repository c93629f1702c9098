"""Redis dies under the sign-in limits (their counters and locks live in the cache).

They fail open, as the throttles do: with Redis down, a locked account can sign in again and wrong
passwords are plain 401s (never a 429 or a 500), logged once a minute. When Redis comes back (empty:
whatever it held is lost), counting starts again without restarting anything."""

import logging

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

LOGIN = "/api/v1/auth/login/"


def sign_in(email, password=PASSWORD):
    return APIClient().post(LOGIN, {"email": email, "password": password})


def test_sign_in_limits_fail_open_while_redis_is_down(own_redis, cache_to, caplog, monkeypatch, student):
    monkeypatch.setattr("lms.cache._last_logged", {})  # logged once a minute: maybe by an earlier test
    cache_to(own_redis.url)
    assert [sign_in(student.email, f"guess-{n}").status_code for n in range(10)] == [401] * 10
    assert sign_in(student.email).status_code == 429  # locked, in Redis

    own_redis.kill()
    caplog.set_level(logging.WARNING)

    assert sign_in(student.email).status_code == 200
    assert [sign_in(student.email, f"more-{n}").status_code for n in range(12)] == [401] * 12
    assert sign_in(student.email).status_code == 200
    assert "Cache unavailable, sign-in limits goes on without it" in caplog.text

    own_redis.start()

    assert [sign_in(student.email, f"again-{n}").status_code for n in range(10)] == [401] * 10
    assert sign_in(student.email).status_code == 429
