"""Fixtures for the fault tests: services of their own (never the shared Redis or PostgreSQL), and
the Celery app and Django cache pointed at them for the length of one test."""

from types import SimpleNamespace

import pytest
from django.db import connection

from conftest import require_service

from .services import RedisServer, worker_environment


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, started; the test may kill and restart it."""
    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.destroy()


def _reset_producers(app) -> None:
    """Celery caches its broker connection pool: drop it so the next job uses the current URL."""
    pool = app._pool
    app._pool = None
    app.amqp._producer_pool = None
    # The remote-control mailbox (inspect, ping) caches the producer pool it first used, too.
    app.control.mailbox.__dict__.pop("producer_pool", None)
    if pool is not None:
        pool.force_close_all()
    # kombu keeps producer pools per connection in a global registry: forget the closed ones, or a
    # later job to the same URL (another test's worker) would get "Acquire on closed pool".
    from kombu import pools

    pools.reset()


@pytest.fixture
def jobs_to(settings):
    """Sends this test's jobs through a real broker at the given URL (instead of running them
    inline), as production does; restored afterwards."""
    from lms.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def point(url: str):
        settings.CELERY_BROKER_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        _reset_producers(app)
        return app

    try:
        yield point
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        _reset_producers(app)


@pytest.fixture
def cache_to(settings):
    """Points Django's default cache at the Redis at the given URL (with the production backend)."""

    def point(url: str):
        settings.CACHES = {"default": {"BACKEND": "lms.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "fault"}}

    return point


@pytest.fixture
def worker_setup(own_redis, jobs_to, settings, tmp_path):
    """What a test needs to run real `celery -A lms worker` processes: its jobs sent to its own
    Redis, a media root of its own (shared with the workers), and `env(**extra)`, the workers'
    environment (the test database, that Redis, that media root, plus `extra`)."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "worker processes need a real database")
    app = jobs_to(own_redis.url)
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)

    def env(**extra: str) -> dict[str, str]:
        return worker_environment(database=connection.settings_dict, redis_url=own_redis.url, media=media, **extra)

    return SimpleNamespace(app=app, media=media, env=env)
