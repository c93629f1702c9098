"""The signed-in user's row comes from the cache (accounts.auth_cache), and revocation stays exact:
every write to a user (their own, an admin's, a bulk update, a delete) is seen by the very next
request. With Redis, an API request makes one round trip to it (lms.api.roundtrip)."""

import pytest
import redis
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import auth_cache, services
from accounts.models import Role, User
from conftest import client_for
from courses.tests.factories import PublishedCourseFactory
from lms.cache import RedisCache

pytestmark = pytest.mark.django_db
ME = "/api/v1/auth/me/"


def _user_queries(client, url=ME):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries if '"accounts_user"' in q["sql"]]


def test_the_second_request_reads_no_user_row(student):
    api = client_for(student)
    cache.clear()  # client_for warmed the cache: start cold
    for expected in (1, 0, 0):  # reads and stores the row, then takes it from the cache
        response, queries = _user_queries(api, "/api/v1/notifications/unread-count/")
        assert response.status_code == 200 and len(queries) == expected


def test_the_cache_can_be_switched_off(settings, student):
    settings.AUTH_USER_CACHE_SECONDS = 0
    api = client_for(student)
    for _ in range(2):
        response, queries = _user_queries(api)
        assert response.status_code == 200 and len(queries) == 1


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda u, admin: services.user_deactivate(actor=admin, user=u), id="deactivated by an admin"),
        pytest.param(lambda u, admin: User.objects.filter(pk=u.pk).update(is_active=False), id="bulk update"),
        pytest.param(lambda u, admin: u.delete(), id="deleted"),
        pytest.param(lambda u, admin: User.objects.filter(pk=u.pk).delete(), id="bulk delete"),
    ],
)
def test_a_revoked_user_is_refused_at_the_next_request(student, admin_user, write, django_capture_on_commit_callbacks):
    api = client_for(student)
    assert api.get(ME).status_code == 200
    assert api.get(ME).status_code == 200  # now from the cache
    with django_capture_on_commit_callbacks(execute=True):
        write(student, admin_user)
    response = api.get(ME)
    assert response.status_code == 401, response.content


def test_a_password_change_revokes_earlier_tokens_at_once(student):
    api = client_for(student)
    assert api.get(ME).status_code == 200
    student.set_password("A-brand-new-passphrase-9")
    student.save()
    response = api.get(ME)
    assert response.status_code == 401 and response.json()["code"] == "password_changed"
    assert client_for(student).get(ME).status_code == 200  # a new token works


def test_a_role_change_is_seen_at_the_next_request(student, admin_user):
    api = client_for(student)
    assert api.get(ME).json()["role"] == Role.STUDENT
    assert api.post("/api/v1/courses/", {"title": "Mine"}, format="json").status_code == 403
    services.user_set_role(actor=admin_user, user=student, role=Role.INSTRUCTOR)
    assert api.get(ME).json()["role"] == Role.INSTRUCTOR


def test_a_row_read_before_a_write_committed_is_never_served_after_it(student):
    """A request that read the row just before a write committed stores it under the version of
    that moment; the write's new version makes it unreachable."""
    version_key, entry_key = auth_cache.keys(student.pk)
    auth_cache.user(student.pk)  # starts the version
    stale = auth_cache.user(student.pk)  # the row as the slow request read it
    old_version = cache.get(version_key)
    User.objects.filter(pk=student.pk).update(is_active=False)  # the write (its new version)
    cache.set(entry_key, (old_version, stale))  # the slow request stores what it read, late
    assert auth_cache.user(student.pk).is_active is False
    assert client_for(student).get(ME).status_code == 401


@pytest.fixture
def redis_cache(redis_url, settings):
    """The production cache backend on the test Redis (a database of this test worker's)."""
    if not isinstance(caches["default"], RedisCache):
        location = settings.CACHES["default"].get("LOCATION") or redis_url
        settings.CACHES = {"default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": location, "KEY_PREFIX": "rt"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def round_trips(monkeypatch):
    """Counts the round trips to Redis: commands sent alone, and pipelines."""
    trips = []
    command, execute = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counted_command(self, *args, **kwargs):
        trips.append(args[0])
        return command(self, *args, **kwargs)

    def counted_pipeline(self, *args, **kwargs):
        trips.append(f"pipeline of {len(self.command_stack)}")
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    return trips


def test_an_api_request_makes_one_round_trip_to_redis(redis_cache, round_trips, settings, student, instructor):
    settings.CATALOG_CACHE_SECONDS = 300
    course = PublishedCourseFactory(instructor=instructor)
    anonymous, api = client_for(None), client_for(student)
    # The anonymous rate limit (3 commands), the version and the page (2), and the catalog's count: one pipeline.
    for url, commands in (("/api/v1/courses/", 6), (f"/api/v1/courses/{course.pk}/", 5)):
        anonymous.get(url)  # fills the cache
        round_trips.clear()
        response = anonymous.get(url)
        assert response.status_code == 200 and round_trips == [f"pipeline of {commands}"], (url, round_trips)
    api.get("/api/v1/notifications/unread-count/")  # the user's row is cached
    round_trips.clear()
    assert api.get("/api/v1/notifications/unread-count/").status_code == 200
    # The user's version and row, the user's rate limit (create, count, the previous window).
    assert round_trips == ["pipeline of 5"], round_trips
    round_trips.clear()
    assert api.get("/api/v1/courses/").status_code == 200
    assert round_trips == ["pipeline of 8"], round_trips  # the user, the rate limit, the catalog page and count
