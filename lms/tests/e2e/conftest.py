"""Fixtures for the browser tests: one headless Chromium per test process, a fresh context per
test, and the site under test.

    pytest -n 0 lms/tests/e2e                  against pytest-django's live_server (the test database)
    LMS_E2E_URL=http://127.0.0.1:8000 LMS_E2E_ADMIN_EMAIL=... LMS_E2E_ADMIN_PASSWORD=... \
        pytest -n 0 -m e2e lms/tests/e2e       against a running deployment, as that staff account

Against a deployment the refund scenario also needs the Stripe emulator the server talks to and its
webhook secret (LMS_E2E_STRIPE_API_BASE, LMS_E2E_STRIPE_WEBHOOK_SECRET; LMS_E2E_STRIPE_SECRET_KEY if
the emulator checks keys); without them it is skipped, saying so."""

import os
from pathlib import Path

import pytest

from conftest import require_service

from .browser import CHROMIUM, CHROMIUM_ARGS, Journal, PlaywrightThread, open_page
from .sites import PASSWORD, STACK_URL, Account, ApiSeeder, FactorySeeder, Site, unique


def pytest_collection_modifyitems(items):
    """Against live_server the tests need the test database, transactional so that the server's
    thread sees what the test writes. pytest-django creates the test databases only for tests that
    say so up front (a marker), not for a fixture requested on the way. Against LMS_E2E_URL no test
    database is made at all."""
    if STACK_URL:
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Replaces the root conftest's fixture of this name for the browser tests. Against live_server it
    does the same (the server thread shares this process's cache); against LMS_E2E_URL it leaves the
    cache alone: with the stack's REDIS_URL in the environment, cache.clear() would flush the running
    server's Redis database (its cache, and its Celery queue when that is the broker)."""
    if STACK_URL:
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def playwright_thread():
    thread = PlaywrightThread()
    yield thread
    thread.shutdown()


@pytest.fixture(scope="session")
def browser(playwright_thread):
    """Debian's Chromium, headless, started once per test process (each xdist worker has its own)."""
    if not Path(CHROMIUM).exists():
        require_service("Chromium", False, f"no {CHROMIUM} (apt-get install chromium)")

    def start():
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            return playwright, playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception:
            playwright.stop()
            raise

    try:
        playwright, chromium = playwright_thread.run(start)
    except Exception as exc:  # the driver or the browser would not start
        require_service("Chromium", False, f"it did not start: {exc}")
    yield chromium
    playwright_thread.run(chromium.close)
    playwright_thread.run(playwright.stop)


@pytest.fixture
def site(request) -> Site:
    """Where the browser goes, the staff account it signs in with and how the test makes its data."""
    if STACK_URL:
        email, password = os.environ.get("LMS_E2E_ADMIN_EMAIL"), os.environ.get("LMS_E2E_ADMIN_PASSWORD")
        if not (email and password):
            pytest.fail("LMS_E2E_URL needs LMS_E2E_ADMIN_EMAIL and LMS_E2E_ADMIN_PASSWORD (a staff account)")
        admin = Account(email=email, password=password)
        return Site(url=STACK_URL, admin=admin, seed=ApiSeeder(STACK_URL, admin), mode="stack")

    from accounts.tests.factories import AdminFactory

    request.getfixturevalue("transactional_db")  # as the marker above says: the server sees the test's data
    live_server = request.getfixturevalue("live_server")
    user = AdminFactory(email=f"{unique('e2e-staff')}@example.com", password=PASSWORD)
    admin = Account(email=user.email, pk=user.pk)
    return Site(
        url=live_server.url, admin=admin, seed=FactorySeeder(request, live_server.url, admin), mode="live_server"
    )


@pytest.fixture
def journal(site) -> Journal:
    return Journal(origin=site.url)


@pytest.fixture
def page(browser, playwright_thread, site, journal):
    """A page in a context of its own (no cookies, no storage from other tests)."""
    raw = playwright_thread.run(open_page, browser, journal, site.url)
    yield playwright_thread.wrap(raw)
    playwright_thread.run(raw.context.close)


@pytest.fixture
def expect(playwright_thread):
    """Playwright's `expect` for proxied pages and locators: expect(page.locator(...)).to_be_visible()."""
    return playwright_thread.expect
