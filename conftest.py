"""Shared fixtures: users and API clients signed in as each role, and the real services (Redis,
a Celery worker, an SMTP server) for the tests that need them.

A test that needs PostgreSQL, Redis or a worker skips on a machine without them, unless
LMS_REQUIRE_SERVICES=1 (set by .ci/run): then a missing service fails the run."""

import os
import socket
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts import auth_cache
from accounts.services import tokens_for_user
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")


def require_service(name: str, available: bool, why: str = "") -> None:
    if available:
        return
    message = f"{name} is not available{': ' + why if why else ''}"
    if os.environ.get("LMS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (LMS_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(autouse=True, scope="session")
def _celery_configured():
    """Celery reads its configuration from the settings once, at its first use, and keeps it. Read it
    now, from the test settings (jobs inline), so that a first use inside a test that overrides the
    settings (a broker, jobs not inline) cannot leave every later test in this process with them."""
    from lms.celery import app

    assert app.conf.task_always_eager == settings.CELERY_TASK_ALWAYS_EAGER


CELERY_SWITCHES = ("task_always_eager", "broker_url", "result_backend")


@pytest.fixture(autouse=True)
def _celery_restored(_celery_configured):
    """Fixtures that point Celery at a broker (celery_worker, jobs_to, broker) restore it; this makes
    sure nothing a test switched (jobs not inline, another broker) outlives it, whatever the order
    their fixtures were set up and torn down in. Celery's process-wide "inside a task" flag is
    cleared too: inline jobs queued from several threads at once (the concurrency tests) set and
    restore it without a lock and can leave it set, after which `.apply().get()` in a later test
    refuses to block."""
    from celery._state import _set_task_join_will_block

    from lms.celery import app

    _set_task_join_will_block(False)
    saved = {key: app.conf[key] for key in CELERY_SWITCHES}
    yield
    for key, value in saved.items():
        app.conf[key] = value
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language: a request answered in a user's language
    leaves it active in the thread (Django's LocaleMiddleware sets it per request, never resets it),
    and a later service call in the same test or the next one would write in it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Throttle counters and cached values never leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media_root(settings, tmp_path):
    """Files a test stores (uploads, derived images, certificates, zips) go to a media folder of its
    own, so what it finds there is what it made. Test modules that store files use it for every test
    (`pytest.mark.usefixtures("media_root")`)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def count_puts(monkeypatch) -> list[str]:
    """The names of the files written to storage while the test runs (media.storage.put_file)."""
    from media import storage

    written = []
    real = storage.put_file

    def put_file(name, path, **kwargs):
        written.append(name)
        return real(name, path, **kwargs)

    monkeypatch.setattr(storage, "put_file", put_file)
    return written


@pytest.fixture
def postgres(db):
    from django.db import connection

    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url():
    url = settings.REDIS_URL
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            require_service("Redis", False, str(exc))
    require_service("Redis", bool(url), "set REDIS_URL=redis://...")
    return url


def client_for(user) -> APIClient:
    """An API client signed in as `user` (None: anonymous), as a returning client: the user's row is
    already in the cache (accounts.auth_cache), so query counts are those of every later request."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user)['access']}")
        auth_cache.user(user.pk)
    client.user = user
    return client


@pytest.fixture
def student(db):
    return StudentFactory()


@pytest.fixture
def other_student(db):
    return StudentFactory()


@pytest.fixture
def instructor(db):
    return InstructorFactory()


@pytest.fixture
def other_instructor(db):
    return InstructorFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def anon_client():
    return client_for(None)


@pytest.fixture
def student_client(student):
    return client_for(student)


@pytest.fixture
def instructor_client(instructor):
    return client_for(instructor)


@pytest.fixture
def admin_client(admin_user):
    return client_for(admin_user)


@pytest.fixture
def staff(admin_user) -> Client:
    """A Django test client signed in to the admin site as an administrator."""
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def users_by_role(clients) -> dict:
    """The users of each role for the access tables (need x role): an AnonymousUser for
    "anonymous", the signed-in user of each other client, and "demoted", an instructor of their
    own for the test to demote once they own what it needs."""
    return {role: client.user or AnonymousUser() for role, client in clients.items()} | {"demoted": InstructorFactory()}


@pytest.fixture
def clients(db, student, other_student, instructor, other_instructor, admin_user):
    """One signed-in client per role, keyed as in ROLES."""
    users = {
        "anonymous": None,
        "student": student,
        "other_student": other_student,
        "instructor": instructor,
        "other_instructor": other_instructor,
        "admin": admin_user,
    }
    return {role: client_for(user) for role, user in users.items()}


def _route_jobs(app, default_queue: str, routes: dict, queues) -> None:
    """Points the Celery app's routing at other queues (Celery caches its router and queues)."""
    app.conf.task_default_queue = default_queue
    app.conf.task_routes = routes
    app.conf.task_queues = queues
    app.amqp.flush_routes()
    for cached in ("router", "queues", "default_queue"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def celery_worker(transactional_db, redis_url):
    """A real Celery worker consuming from Redis, in a thread of this process so it shares the test
    database. Jobs queued while it runs go through the broker, not inline."""
    from celery.contrib.testing.worker import start_worker
    from kombu import Queue

    from lms.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    # Queues of this test's own (the same routing, prefixed), so parallel test runs never take each
    # other's jobs.
    prefix = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}-"
    routes = {name: {"queue": prefix + route["queue"]} for name, route in settings.CELERY_TASK_ROUTES.items()}
    queues = [Queue(prefix + queue.name, routing_key=prefix + queue.name) for queue in settings.CELERY_TASK_QUEUES]
    _route_jobs(app, prefix + settings.CELERY_TASK_DEFAULT_QUEUE, routes, queues)
    try:
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            queues=[queue.name for queue in queues],
            loglevel="WARNING",
            shutdown_timeout=10,
        ):
            yield app
    finally:
        app.conf.task_always_eager = True
        _route_jobs(app, settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_TASK_ROUTES, settings.CELERY_TASK_QUEUES)


@pytest.fixture
def smtp_server(settings):
    """An SMTP server on loopback (aiosmtpd); Django sends real SMTP to it. Yields the list of
    received messages (email.message.Message)."""
    import email
    import socket

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    """localstripe, the Stripe emulator, on a free loopback port for the whole session."""
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    port = _free_port()
    script = Path(__file__).parent / "scripts" / "localstripe_server.py"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                require_service("localstripe", False, "the emulator did not start")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


STRIPE_TEST_KEYS = {
    "STRIPE_SECRET_KEY": "sk_test_local",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_local",
    "STRIPE_WEBHOOK_SECRET": "whsec_test_local",
}


@pytest.fixture
def stripe_emulator(localstripe_url, settings):
    """Settings pointing the real `stripe` library at a freshly emptied localstripe."""
    import urllib.request

    request = urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE")
    urllib.request.urlopen(request, timeout=5).close()
    for key, value in STRIPE_TEST_KEYS.items():
        setattr(settings, key, value)
    settings.STRIPE_API_BASE = localstripe_url
    return localstripe_url


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header exactly as Stripe makes it: t=<unix time>,v1=<HMAC-SHA256>."""
    import hashlib
    import hmac
    import time

    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


# --- S3: moto's server on loopback -------------------------------------------------------------
S3_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's S3 server on a free loopback port, for the whole session: each test gets a bucket of
    its own (moto keeps its state for the life of the server)."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_storage(settings, moto_endpoint):
    """STORAGES' default on a fresh, empty bucket of moto's S3 server (as MEDIA_STORAGE=s3 configures
    it). Yields a boto3 client, with `.bucket` set to the bucket's name."""
    import boto3

    bucket = f"lms-media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, **S3_CREDENTIALS)
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "location": "media",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    client.bucket = bucket
    return client
