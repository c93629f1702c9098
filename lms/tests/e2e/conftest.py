"""Fixtures for the browser tests: one headless Chromium per test process, a fresh context per
test, and the site under test (pytest-django's live_server, or the deployment at LMS_E2E_URL)."""

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
    return Site(
        url=live_server.url,
        admin=Account(email=user.email, pk=user.pk),
        seed=FactorySeeder(request),
        mode="live_server",
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
