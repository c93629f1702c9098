"""What a staff member does in the Django admin, step by step, in the browser."""

import re

from .sites import Account


def log_in(page, expect, account: Account) -> None:
    """Through the login form, as a person would: /admin/ sends an anonymous visitor there."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("E-mail address").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#user-tools")).to_contain_text("Log out")
    expect(page.get_by_role("heading", name="Staff dashboard")).to_be_visible()


def search(page, expect, changelist: str, query: str):
    """Types the query into the changelist's search box and submits it; returns the result rows."""
    page.goto(changelist)
    page.locator("#searchbar").fill(query)
    page.locator("#changelist-search").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?q="))
    return page.locator("#result_list tbody tr")


def run_action(page, expect, row, action: str, done: str) -> None:
    """Ticks the row, picks the action by its label, presses Go and waits for the success message."""
    row.locator("input.action-select").check()
    expect(page.locator(".action-counter")).to_have_text(re.compile(r"^1 of \d+ selected$"))
    page.locator("select[name=action]").select_option(label=action)
    page.get_by_role("button", name="Go").click()
    expect(page.locator("ul.messagelist li.success")).to_have_text(done)
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)
