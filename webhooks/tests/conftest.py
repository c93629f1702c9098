"""The webhook tests' fixtures: a real receiver on loopback (private targets allowed for it), endpoints
made through the services, a DNS of the test's own, and jobs sent to a broker that is down."""

import socket

import pytest

from webhooks import services, subscriptions

from .receiver import Receiver


@pytest.fixture(autouse=True)
def _subscriptions_forgotten():
    """The subscriptions memo is per process: each test starts and ends knowing of no endpoint (its
    rows are rolled back with the test)."""
    subscriptions.reset()
    yield
    subscriptions.reset()


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1 (a loopback target: allowed for the test), with short timeouts."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_CONNECT_TIMEOUT = 2
    settings.WEBHOOKS_READ_TIMEOUT = 2
    with Receiver() as running:
        yield running


@pytest.fixture
def make_endpoint(admin_user):
    """Creates an endpoint through the service, as an admin, and makes it known to this process at
    once (as its commit would)."""

    def make(url: str, events=("enrollment.created",), **kwargs):
        endpoint = services.endpoint_create(actor=admin_user, url=url, events=list(events), **kwargs)
        subscriptions.share()
        return endpoint

    return make


class FakeDNS:
    """socket.getaddrinfo with some names answered by the test (others resolve as usual). `answers`
    maps a name to the addresses it resolves to now; `asked` lists each lookup of those names."""

    def __init__(self, real):
        self.real = real
        self.answers: dict[str, list[str]] = {}
        self.asked: list[str] = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        if isinstance(host, bytes):
            host = host.decode()
        if host in self.answers:
            self.asked.append(host)
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    socket.IPPROTO_TCP,
                    "",
                    (address, port or 0, 0, 0) if ":" in address else (address, port or 0),
                )
                for address in self.answers[host]
            ]
        return self.real(host, port, family, type, proto, flags)


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def jobs_to(settings):
    """Jobs sent through a real broker at the given URL instead of run inline (as in production),
    restored afterwards (the same as lms/tests/reliability/conftest.py's)."""
    from lms.celery import app
    from lms.tests.reliability.conftest import _reset_producers

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def point(url: str):
        settings.CELERY_BROKER_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        _reset_producers(app)
        return app

    def inline():
        settings.CELERY_TASK_ALWAYS_EAGER = True
        app.conf.task_always_eager = True

    point.inline = inline
    try:
        yield point
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        _reset_producers(app)
