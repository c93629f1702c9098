"""PostgreSQL restarts under a running gunicorn.

A cluster of the test's own (initdb on a free port, the schema copied from the suite's migrated
test database) serves a real gunicorn. While PostgreSQL is down every request that needs it gets a
clean 503 JSON (no traceback, no driver message; catalog pages already cached are still served) and
/ready/ names the database; once it is back,
the very next requests succeed with the same gunicorn processes (CONN_HEALTH_CHECKS drops the dead
persistent connections)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection

from conftest import require_service

from .services import PostgresCluster, free_port, postgres_bindir, stop_process, wait_for

pytestmark = [pytest.mark.fault]


@pytest.fixture
def cluster(db):
    """A running PostgreSQL cluster of our own with a database `lms` holding the app's schema."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")
    bindir = postgres_bindir()
    require_service("PostgreSQL server binaries (initdb, pg_ctl)", bindir is not None)
    cluster = PostgresCluster(bindir)
    try:
        cluster.init()
        cluster.start()
        cluster.createdb("lms")
        # The suite's test database is migrated and holds no committed rows: copying it is much
        # faster than migrating from scratch.
        source = connection.settings_dict
        host, port = source["HOST"] or "127.0.0.1", str(source["PORT"] or 5432)
        dump = subprocess.run(
            [os.path.join(bindir, "pg_dump"), "-O", "-x", "-h", host, "-p", port, "-U", source["USER"], source["NAME"]],
            capture_output=True,
            check=True,
            env={**os.environ, "PGPASSWORD": source["PASSWORD"] or ""},
            timeout=60,
        ).stdout
        subprocess.run(
            [os.path.join(bindir, "psql"), "-q", "-v", "ON_ERROR_STOP=1", cluster.url("lms")],
            input=dump,
            capture_output=True,
            check=True,
            timeout=60,
        )
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def server(cluster, tmp_path):
    """gunicorn (the production config: gthread workers) against the cluster, with persistent
    database connections so that the restart leaves dead ones behind."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "DATABASE_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings",
        DATABASE_URL=cluster.url("lms"),
        CONN_MAX_AGE="60",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="2",
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_LEVEL="WARNING",
    )
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "lms.wsgi:application", "-c", "gunicorn.conf.py", "--no-control-socket"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/health/", timeout=2).status_code == 200
        except requests.RequestException:
            return proc.poll() is not None  # died: stop waiting

    try:
        assert wait_for(up, timeout=30) and proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
        proc.base = base
        yield proc
    finally:
        stop_process(proc, signal.SIGTERM, timeout=20)
        log.close()


def assert_clean_503(response):
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers.get("Retry-After")
    assert response.json()["code"] == "database_unavailable"
    for leak in ("Traceback", "psycopg", 'File "', "connection", "127.0.0.1"):
        assert leak not in response.text


def test_postgres_restart_under_gunicorn_503_then_recovers_without_restarting_the_app(cluster, server):
    base, http = server.base, requests.Session()
    signup = http.post(
        f"{base}/api/v1/auth/register/",
        json={"email": "ada@fault.test", "password": "a-long-pass-123", "first_name": "Ada", "last_name": "L"},
        timeout=10,
    )
    assert signup.status_code == 201, signup.text
    auth = {"Authorization": f"Bearer {signup.json()['access']}"}

    def signed_in():
        return http.get(f"{base}/api/v1/auth/me/", headers=auth, timeout=10)

    def catalog():
        return http.get(f"{base}/api/v1/courses/", timeout=10)

    def enrollments():  # a signed-in read that needs the database
        return http.get(f"{base}/api/v1/me/enrollments/", headers=auth, timeout=10)

    for _ in range(4):  # both threads hold a persistent connection now
        assert catalog().status_code == 200
        assert signed_in().status_code == 200
    assert http.get(f"{base}/ready/", timeout=10).status_code == 200

    cluster.stop("fast")

    for attempt in range(3):
        assert_clean_503(http.get(f"{base}/api/v1/courses/?search=attempt{attempt}", timeout=10))  # not cached
        assert_clean_503(enrollments())
        assert catalog().status_code == 200  # a catalog page already in the cache is still served
        assert signed_in().status_code == 200  # and so is the profile: the user's row is in the cache
    login = http.post(f"{base}/api/v1/auth/login/", json={"email": "ada@fault.test", "password": "x"}, timeout=10)
    assert_clean_503(login)
    ready = http.get(f"{base}/ready/", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("down: OperationalError")
    assert ready.json()["checks"]["database"].endswith("(postgresql)")
    assert http.get(f"{base}/health/", timeout=10).status_code == 200  # the process itself is fine

    cluster.start()

    # The very first requests succeed: no retry loop, no restart of gunicorn.
    for _ in range(4):
        assert catalog().status_code == 200
        assert signed_in().json()["email"] == "ada@fault.test"
        assert enrollments().status_code == 200
    assert http.get(f"{base}/ready/", timeout=10).status_code == 200
    assert server.poll() is None
