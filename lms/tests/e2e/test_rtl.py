"""The admin and the API docs in Arabic, a right-to-left language, in a real headless Chromium whose
language is Arabic (its Accept-Language header): the admin lays itself out right to left with its
RTL stylesheet and speaks Arabic, our own labels included; Swagger UI (whose own interface ships in
English only) calls the API, which answers in Arabic. The expected words come from the catalogs
(gettext under Arabic), and each must differ from the English: an untranslated page fails."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from .browser import SCHEMA_RENDER_TIMEOUT_MS, open_page
from .test_api_docs import scroll_to

pytestmark = pytest.mark.e2e


def arabic(message: str) -> str:
    with translation.override("ar"):
        translated = gettext(message)
    assert translated != message, f"no Arabic translation of {message!r}"
    return translated


@pytest.fixture
def arabic_page(browser, playwright_thread, site, journal):
    raw = playwright_thread.run(open_page, browser, journal, site.url, "ar")
    yield playwright_thread.wrap(raw)
    playwright_thread.run(raw.context.close)


def test_the_admin_signs_in_and_works_right_to_left_in_arabic(arabic_page, expect, site, journal):
    page = arabic_page
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("label[for=id_username]")).to_contain_text(arabic("e-mail address"))
    page.locator("#id_username").fill(site.admin.email)
    page.locator("#id_password").fill(site.admin.password)
    page.locator("#login-form input[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name=arabic("Staff dashboard"))).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text(arabic("Log out"))
    journal.assert_assets_loaded("/static/admin/css/base", "/static/admin/css/rtl")
    assert page.locator("body").evaluate("e => getComputedStyle(e).direction") == "rtl"
    # Right to left: the site's name sits on the right of the header, the user's tools on the left.
    header = page.locator("#header").bounding_box()
    branding, tools = page.locator("#branding").bounding_box(), page.locator("#user-tools").bounding_box()
    assert branding["x"] + branding["width"] > header["x"] + header["width"] / 2, (branding, header)
    assert tools["x"] < branding["x"], (tools, branding)

    page.goto("/admin/accounts/user/")
    expect(page.locator("#content h1")).to_contain_text(arabic("user"))
    expect(page.locator("#result_list thead")).to_contain_text(arabic("role"))
    journal.assert_clean()


PREFERENCES = "#operations-notifications-notifications_preferences_retrieve"  # GET /notifications/preferences/


def test_swagger_ui_calls_the_api_which_answers_in_arabic(arabic_page, expect, site, journal):
    page = arabic_page
    page.goto("/api/docs/")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible(timeout=SCHEMA_RENDER_TIMEOUT_MS)
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    dialog.get_by_label("Value").fill(site.seed.admin_token)
    dialog.get_by_role("button", name="Apply credentials").click()
    dialog.locator(".auth-btn-wrapper").get_by_role("button", name="Close").click()

    scroll_to(page, PREFERENCES)
    operation = page.locator(PREFERENCES)
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    live = operation.locator(".live-responses-table")
    expect(live.locator("tr.response .response-col_status")).to_have_text("200")
    answer = live.locator("tr.response .response-col_description")
    expect(answer).to_contain_text("content-language: ar")
    expect(answer).to_contain_text(arabic("A student enrolled in your course"))  # a notification type's label
    journal.assert_clean()
