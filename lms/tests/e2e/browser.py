"""Playwright in a thread of its own, and what a page did wrong (console errors, CSP violations,
failed requests).

Playwright's sync API marks an asyncio loop as running in the thread that uses it, for as long as
the browser lives; Django then refuses every ORM call in that thread (SynchronousOnlyOperation),
including pytest-django's own database teardown and the tests that run after ours in the same
worker. So one thread owns Playwright, and tests hold `Remote` proxies: each attribute read and
method call runs in that thread and the answer comes back, Playwright objects again as proxies.
Test code reads like plain Playwright sync code; the test's thread stays free for the ORM."""

from __future__ import annotations

import concurrent.futures
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import expect as _expect

CHROMIUM = "/usr/bin/chromium"
# Generous: the schema behind Swagger UI and ReDoc takes seconds to generate on two busy cores.
TIMEOUT_MS = 15_000
# Swagger UI and ReDoc parse and lay out the whole schema (over 1 MB of JSON with its examples) in
# the page before they show anything. Alone that takes ReDoc about 6 s here; on a fresh 2-core
# machine running the rest of the suite beside it (and Chromium building its font cache on its first
# start), it once took longer than 15 s. Their first render gets this long: a page that never renders
# still fails, one that is slow on a busy machine does not.
SCHEMA_RENDER_TIMEOUT_MS = 90_000
_expect.set_options(timeout=TIMEOUT_MS)
# Without the background-networking flags, Chromium's own connections to Google are refused by a
# closed network and it logs errors; the sandbox needs privileges a CI container does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class PlaywrightThread:
    """One thread that makes every Playwright call."""

    def __init__(self) -> None:
        # max_workers=1: the executor creates one thread and reuses it for every call.
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")

    def run(self, fn, *args, **kwargs):
        return self._pool.submit(fn, *args, **kwargs).result()

    def wrap(self, value):
        if isinstance(value, list | tuple):
            return type(value)(self.wrap(v) for v in value)
        if type(value).__module__.startswith("playwright."):
            return Remote(self, value)
        return value

    def expect(self, target: Remote, message: str | None = None) -> Remote:
        """Playwright's `expect`, for a proxied page or locator."""
        return self.wrap(self.run(_expect, target._obj, message))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


def _unwrap(value):
    return value._obj if isinstance(value, Remote) else value


class Remote:
    """A Playwright object that lives in the Playwright thread."""

    __slots__ = ("_obj", "_thread")

    def __init__(self, thread: PlaywrightThread, obj) -> None:
        self._thread = thread
        self._obj = obj

    def __getattr__(self, name: str):
        thread = self._thread
        value = thread.run(getattr, self._obj, name)
        if not callable(value):
            return thread.wrap(value)

        def call(*args, **kwargs):
            args = [_unwrap(a) for a in args]
            kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
            return thread.wrap(thread.run(value, *args, **kwargs))

        return call

    def __enter__(self):
        return self._thread.wrap(self._thread.run(self._obj.__enter__))

    def __exit__(self, *exc_info):
        return self._thread.run(self._obj.__exit__, *exc_info)

    def __repr__(self) -> str:
        return f"<Remote {self._obj!r}>"


# Runs in every document before its own scripts (through the DevTools protocol, so the page's CSP
# does not apply to it) and reports each violation to Python with the details the console omits.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__lmsCspViolation({
    page: document.location.href, directive: e.effectiveDirective || e.violatedDirective,
    blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample,
  });
});
"""


@dataclass
class Journal:
    """Everything a test's pages did wrong, collected in the Playwright thread.

    `assert_clean()` fails on: a console error, an uncaught exception, a CSP violation, a request to
    the site that failed or answered >= 400, and an HTML page of the site sent without a
    Content-Security-Policy (without one, "no violations" would prove nothing)."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    documents: dict[str, str | None] = field(default_factory=dict)  # url -> its CSP header
    assets: dict[str, int] = field(default_factory=dict)  # path of each script/stylesheet/image -> status
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _ours(self, url: str) -> bool:
        return url.startswith(self.origin + "/") or url == self.origin

    # --- Playwright event handlers (called in the Playwright thread) ---------------------------
    def on_console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location.get("url", "") if message.location else ""
        with self._lock:
            self.console_errors.append(f"{message.text} (at {location or 'unknown'})")

    def on_page_error(self, error) -> None:
        with self._lock:
            self.page_errors.append(str(error))

    def on_csp_violation(self, source, violation: dict) -> None:
        with self._lock:
            self.csp_violations.append(violation)

    def on_response(self, response) -> None:
        url = response.url
        if not self._ours(url):
            return
        request = response.request
        with self._lock:
            if response.status >= 400:
                self.bad_responses.append(f"{response.status} {request.method} {url}")
            if request.resource_type == "document":
                self.documents[url] = response.headers.get("content-security-policy")
            elif request.resource_type in ("script", "stylesheet", "image", "font"):
                self.assets[urlsplit(url).path] = response.status

    def on_request_failed(self, request) -> None:
        if self._ours(request.url):
            with self._lock:
                self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    # --- checks (called from the test) ---------------------------------------------------------
    def problems(self) -> list[str]:
        with self._lock:
            found = [f"console error: {m}" for m in self.console_errors]
            found += [f"uncaught exception: {m}" for m in self.page_errors]
            found += [
                "CSP violation on {page}: '{directive}' blocked {blocked} (source {source}:{line}) {sample}".format(**v)
                for v in self.csp_violations
            ]
            found += [f"response: {m}" for m in self.bad_responses]
            found += [f"request failed: {m}" for m in self.failed_requests]
            found += [f"no Content-Security-Policy header on {url}" for url, csp in self.documents.items() if not csp]
        return found

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the pages were not clean:\n  " + "\n  ".join(problems)

    def assert_assets_loaded(self, *prefixes: str) -> None:
        """Each prefix (e.g. /static/admin/css/base) matched a script/stylesheet/image answered 200;
        a prefix, because production serves hashed names (base.8a1b2c.css)."""
        with self._lock:
            assets = dict(self.assets)
        for prefix in prefixes:
            matches = {path: status for path, status in assets.items() if path.startswith(prefix)}
            assert matches, f"nothing under {prefix} was loaded; loaded: {sorted(assets)}"
            assert all(status == 200 for status in matches.values()), matches


def open_page(browser, journal: Journal, base_url: str, locale: str = "en-US"):
    """A fresh context (cookies, storage) and page, wired to the journal. Runs in the Playwright thread.
    `locale`: the browser's language (its Accept-Language header and navigator.language)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    context.expose_binding("__lmsCspViolation", journal.on_csp_violation)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", journal.on_console)
    page.on("pageerror", journal.on_page_error)
    page.on("response", journal.on_response)
    page.on("requestfailed", journal.on_request_failed)
    return page
