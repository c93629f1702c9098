"""The Django admin as staff use it, in a real headless Chromium: sign in through the form, read the
dashboard, search, and run the actions that change roles, courses and orders. Every page must
load its static files and stay free of console errors and Content-Security-Policy violations."""

import datetime
import re

import pytest

from .admin_ui import log_in, run_action, search

pytestmark = pytest.mark.e2e

FIGURE = re.compile(r"^\d+(\.\d+)?$")


def test_staff_sign_in_and_find_themselves_through_the_search(page, expect, site, journal):
    log_in(page, expect, site.admin)
    # The admin's own stylesheet and scripts came from the static files and were applied.
    journal.assert_assets_loaded("/static/admin/css/base", "/static/admin/js/theme")
    header = page.locator("#header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header not in ("rgba(0, 0, 0, 0)", "transparent"), "the admin CSS was not applied"

    rows = search(page, expect, "/admin/accounts/user/", site.admin.email)

    expect(rows).to_have_count(1)
    expect(rows.first.locator("th.field-email")).to_have_text(site.admin.email)
    expect(rows.first.locator("td.field-role")).to_have_text("Admin")
    expect(page.locator("#changelist .paginator")).to_contain_text("1 user")
    journal.assert_assets_loaded("/static/admin/js/actions", "/static/admin/css/changelists")
    journal.assert_clean()


def test_the_dashboard_shows_headline_figures_and_three_charts(page, expect, site, journal):
    site.seed.student()  # someone signed up today: the signups chart has a bar on its last day
    log_in(page, expect, site.admin)

    dashboard = page.locator("#lms-dashboard")
    for card in ("Students", "Instructors", "Courses", "Enrollments", "Revenue", "Open forum reports"):
        figure = dashboard.locator(".lms-card", has=page.get_by_role("heading", name=card)).first.locator(".big")
        expect(figure).to_be_visible()
        expect(figure).to_have_text(FIGURE)
    if site.mode == "live_server":  # the database is the test's own: the figures are exact
        expect(dashboard.locator(".lms-card", has_text="Students").locator(".big")).to_have_text("1")
        expect(dashboard.locator(".lms-card", has_text="Instructors").locator("small")).to_have_text("1 admin")

    charts = page.locator("svg.lms-chart-svg")
    expect(charts).to_have_count(3)
    assert [charts.nth(i).get_attribute("aria-label") for i in range(3)] == [
        "Signups",
        "Enrollments",
        "Revenue (USD)",
    ]
    for i in range(3):
        chart = charts.nth(i)
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
        expect(chart.locator("rect")).to_have_count(90)
    signups = charts.nth(0).locator("rect").last
    assert signups.bounding_box()["height"] > 0, "today's signup bar is empty"
    today = datetime.datetime.now(datetime.UTC).date().isoformat()  # the dashboard's days are UTC days
    expect(signups.locator("title")).to_have_text(re.compile(rf"^{today}: [1-9]\d*$"))
    journal.assert_clean()


def test_promote_a_student_to_instructor(page, expect, site, journal):
    student = site.seed.student()
    log_in(page, expect, site.admin)

    rows = search(page, expect, "/admin/accounts/user/", student.email)
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.field-role")).to_have_text("Student")
    run_action(page, expect, rows.first, "Promote to instructor", "1 user promoted to instructor.")

    expect(rows).to_have_count(1)  # back on the same search
    expect(rows.first.locator("td.field-role")).to_have_text("Instructor")
    assert site.seed.role_of(student) == "instructor"
    # The change form now offers the instructor profile the new role comes with.
    rows.first.locator("th.field-email a").click()
    expect(page.locator(".field-role .readonly")).to_have_text("Instructor")
    expect(page.locator("#instructor_profile-group")).to_be_visible()
    journal.assert_clean()


def test_unpublish_a_course(page, expect, site, journal):
    course = site.seed.published_course()
    log_in(page, expect, site.admin)

    rows = search(page, expect, "/admin/courses/course/", course.title)
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.field-status")).to_have_text("Published")
    run_action(page, expect, rows.first, "Unpublish (back to draft)", "1 course unpublished.")

    expect(rows.first.locator("td.field-status")).to_have_text("Draft")
    assert site.seed.course_status(course) == "draft"
    journal.assert_clean()


def test_refund_an_order_through_stripe(page, expect, site, journal):
    order = site.seed.paid_order()
    log_in(page, expect, site.admin)

    rows = search(page, expect, "/admin/payments/order/", order.student.email)
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.field-status")).to_have_text("Paid")
    run_action(page, expect, rows.first, "Refund through Stripe (ends the student's access)", "1 order refunded.")

    expect(rows.first.locator("td.field-status")).to_have_text("Refunded")
    state = site.seed.order_state(order)
    assert state["status"] == "refunded" and state["enrollment"] == "revoked", state
    if state["refund_id"] is not None:  # the database shows it; the API does not
        assert state["refund_id"].startswith("re_"), state
    journal.assert_clean()


def test_curriculum_edits_on_the_course_page_keep_the_course_completable(page, expect, site, journal):
    """The reported bug: a section deleted in the admin left its lessons in Course.lesson_count, so
    no student could reach 100%. Here staff delete the course's only section (with its lesson) and
    add another one on the course page, as a person would; the course's figures follow."""
    course = site.seed.published_course()  # one section holding one lesson
    log_in(page, expect, site.admin)

    page.goto(f"/admin/courses/course/{course.pk}/change/")
    sections = page.locator("#sections-group")
    sections.get_by_role("button", name="Add another Section").click()
    sections.locator("input[name='sections-1-title']").fill("Added in the browser")
    sections.locator("input[name='sections-0-DELETE']").check()
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator("ul.messagelist li.success")).to_contain_text("was changed successfully")
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)
    expect(page.locator(".field-lesson_count .readonly")).to_have_text("0")
    detail = site.seed.api.call("GET", f"/api/v1/courses/{course.pk}/", token=site.seed.admin_token)
    assert [(s["title"], s["order"]) for s in detail["sections"]] == [("Added in the browser", 1)]
    assert detail["lesson_count"] == 0
    journal.assert_clean()
