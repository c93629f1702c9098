"""The API documentation in a real browser: Swagger UI lists the operations and, authorized with a
real JWT, calls a protected endpoint; ReDoc renders. Both from our static files, under our CSP."""

import re

import pytest

from .browser import SCHEMA_RENDER_TIMEOUT_MS

pytestmark = pytest.mark.e2e

ME = "#operations-auth-auth_me_retrieve"  # GET /api/v1/auth/me/


def scroll_to(page, selector: str) -> None:
    """Scrolls down until Swagger UI renders `selector` (it renders only what is near the screen)."""
    for _ in range(200):
        if page.locator(selector).count():
            page.locator(selector).scroll_into_view_if_needed()
            return
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)


def test_swagger_ui_authorizes_with_a_jwt_and_tries_a_protected_endpoint(page, expect, site, journal):
    token = site.seed.admin_token  # from POST /api/v1/auth/login/, as the README tells a developer

    page.goto("/api/docs/")
    operations = page.locator("#swagger-ui .opblock")
    expect(operations.first).to_be_visible(timeout=SCHEMA_RENDER_TIMEOUT_MS)
    # Swagger UI virtualizes long lists (it renders the operations on screen): count what it loaded,
    # and scroll down to GET /auth/me/ as a reader does.
    assert page.evaluate("() => ui.specSelectors.operations().size") > 50
    scroll_to(page, ME)
    expect(page.locator(ME)).to_be_visible()
    journal.assert_assets_loaded(
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.",  # .css (hashed in production)
    )

    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h4")).to_contain_text("jwtAuth")
    dialog.get_by_label("Value").fill(token)
    dialog.get_by_role("button", name="Apply credentials").click()  # the "Authorize" button
    expect(dialog.locator(".auth-container")).to_contain_text("Authorized")
    dialog.locator(".auth-btn-wrapper").get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    expect(page.locator(".auth-wrapper button.authorize")).to_have_class(re.compile(r"\blocked\b"))

    scroll_to(page, ME)
    operation = page.locator(ME)
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    live = operation.locator(".live-responses-table")
    expect(live.locator("tr.response .response-col_status")).to_have_text("200")
    expect(live.locator("tr.response .response-col_description")).to_contain_text(site.admin.email)
    expect(operation.locator(".curl-command")).to_contain_text(f"Authorization: Bearer {token}")
    journal.assert_clean()


def test_redoc_renders_the_schema(page, expect, site, journal):
    page.goto("/api/redoc/")

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^LMS API"), timeout=SCHEMA_RENDER_TIMEOUT_MS)
    menu = page.locator("[role=menuitem]")
    expect(menu.first).to_be_visible()
    assert menu.count() > 50, menu.count()
    expect(page.get_by_role("heading", name="My profile").first).to_be_attached()  # GET /api/v1/auth/me/
    # The sidecar bundle, served from our origin without its one third-party URL (lms/docs.py).
    journal.assert_assets_loaded("/api/redoc/redoc.standalone.js")
    journal.assert_clean()
