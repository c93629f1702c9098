"""lms.db.postgresql: a persistent connection is health-checked (a SELECT 1) before a request only
when it sat idle longer than DB_HEALTH_CHECK_IDLE_SECONDS or the last request left errors on it."""

import pytest
from django.db import connection, connections

from conftest import require_service


@pytest.fixture
def checks(transactional_db, monkeypatch):
    """The health checks made on the test connection (is_usable calls), outside a transaction (as
    between two requests)."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    connection.ensure_connection()
    monkeypatch.setattr(connection, "health_check_enabled", True)
    monkeypatch.setattr(connection, "close_at", None)  # a persistent connection (CONN_MAX_AGE=None)
    made = []
    real = connection.is_usable

    def is_usable():
        made.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", is_usable)
    return made


def _next_request():
    """What Django does between two requests, then at the first query of the next."""
    connection.close_if_unusable_or_obsolete()
    connection.close_if_health_check_failed()


def test_a_connection_used_just_now_is_not_checked(checks, settings):
    settings.DB_HEALTH_CHECK_IDLE_SECONDS = 60
    _next_request()
    assert checks == []
    assert connection.connection is not None and connection.health_check_done


def test_an_idle_connection_is_checked(checks, settings):
    settings.DB_HEALTH_CHECK_IDLE_SECONDS = 0
    _next_request()
    assert checks == [1]
    assert connection.connection is not None  # it passed


def test_a_connection_with_errors_is_checked(checks, settings, monkeypatch):
    settings.DB_HEALTH_CHECK_IDLE_SECONDS = 60
    monkeypatch.setattr(connection, "errors_occurred", True)
    connection.close_if_unusable_or_obsolete()  # Django checks it here (and clears the errors)
    assert checks == [1]


def test_postgresql_connections_use_the_backend():
    wrapper = connections["default"]
    assert type(wrapper).__module__ == "lms.db.postgresql.base" or wrapper.vendor != "postgresql"


def test_the_app_connections_do_not_jit(db):
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
