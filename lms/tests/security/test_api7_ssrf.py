"""OWASP API7:2023 Server Side Request Forgery: no code path fetches a URL a user supplied.

Two proofs: the code holds no HTTP client outside the Stripe gateway (and the operator's `doctor`
command), checked over the source; and the fields that take URLs (avatar-like thumbnails, lesson
videos, instructor websites, anything rendered into a certificate PDF) are stored, never fetched:
a listening socket on loopback sees no connection, and requests to an unroutable address return
at once."""

from __future__ import annotations

import ast
import io
import socket
import time
from pathlib import Path

import pytest

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.tests.factories import LessonFactory, PublishedCourseFactory, SectionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
APPS = ["accounts", "courses", "quizzes", "forum", "payments", "certificates", "reviews", "notifications", "activity",
        "reports", "media", "assignments", "gradebook", "schedules", "privacy", "webhooks", "sso", "lms"]  # fmt: skip
NETWORK_MODULES = {"requests", "httpx", "urllib.request", "urllib3", "http.client", "aiohttp", "socket", "pycurl",
                   "ftplib", "telnetlib", "xmlrpc.client", "websocket", "websockets"}  # fmt: skip
# The only places allowed to talk to another server: Stripe, through its official client.
STRIPE_ALLOWED = {"payments", "reports/management/commands/doctor.py"}
# The operator's `doctor` fetches a presigned link to the configured bucket (never a user's URL), as
# a browser would, to prove links work from outside.
# Webhook deliveries go out through one module, which refuses private and metadata targets at
# connection time (webhooks/targets.py; README "Webhooks"); single sign-on talks only to the
# issuers the operator configured (sso/oidc.py).
HTTP_ALLOWED = {"reports/management/commands/doctor.py", "webhooks/targets.py", "sso/oidc.py"}
UNROUTABLE = "http://10.255.255.1:81/probe"  # a TEST-NET-like private address nobody answers


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/tests/" in rel or "/migrations/" in rel:
                continue
            yield rel, ast.parse(path.read_text(), filename=rel)


def _imported(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_http_client_outside_the_stripe_gateway():
    offenders = []
    for rel, tree in _sources():
        for name in _imported(tree):
            if rel not in HTTP_ALLOWED and any(name == m or name.startswith(m + ".") for m in NETWORK_MODULES):
                offenders.append(f"{rel}: imports {name}")
            if (name == "stripe" or name.startswith("stripe.")) and not any(
                rel == allowed or rel.startswith(allowed + "/") for allowed in STRIPE_ALLOWED
            ):
                offenders.append(f"{rel}: imports {name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"urlopen", "urlretrieve", "create_connection"}
                and rel not in HTTP_ALLOWED
            ):
                offenders.append(f"{rel}:{node.lineno}: {node.attr}")
    assert not offenders, "outbound HTTP outside the Stripe gateway:\n" + "\n".join(offenders)


def test_the_stripe_client_only_talks_to_the_configured_api_base():
    """The gateway's base address comes from settings, never from a request."""
    tree = ast.parse((ROOT / "payments" / "gateway.py").read_text())
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
    }
    assert "STRIPE_API_BASE" in names
    assert not names & {"request", "query_params", "data", "META", "headers"}


@pytest.fixture
def listener():
    """A socket listening on loopback that records whether anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"

    def connections() -> int:
        count = 0
        while True:
            try:
                conn, _ = server.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    yield url, connections
    server.close()


def _fast(call):
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < 3, "the request waited on something: was a URL fetched?"
    return response


def test_url_fields_are_stored_never_fetched(listener, instructor, student):
    url, connections = listener
    instructor_client, student_client = client_for(instructor), client_for(student)
    for target in (f"{url}/avatar.png", UNROUTABLE):
        response = _fast(lambda t=target: instructor_client.patch("/api/v1/auth/me/", {"website": t}, format="json"))
        assert response.status_code == 200, response.content
        course = _fast(
            lambda t=target: instructor_client.post(
                "/api/v1/courses/", {"title": "Course", "thumbnail_url": t}, format="json"
            )
        )
        assert course.status_code == 201, course.content
        section = instructor_client.post(
            f"/api/v1/courses/{course.json()['id']}/sections/", {"title": "S"}, format="json"
        ).json()
        lesson = _fast(
            lambda t=target, s=section: instructor_client.post(
                f"/api/v1/sections/{s['id']}/lessons/", {"title": "L", "video_url": t}, format="json"
            )
        )
        assert lesson.status_code == 201, lesson.content
        assert lesson.json()["video_url"] == target
        # Reads of what was stored do not fetch it either.
        _fast(lambda c=course: instructor_client.get(f"/api/v1/courses/{c.json()['id']}/"))
        _fast(lambda: instructor_client.get("/api/v1/auth/me/"))
        _fast(lambda: student_client.get("/api/v1/courses/"))
    assert connections() == 0


def test_urls_in_text_fields_are_not_fetched(listener, student):
    url, connections = listener
    section = SectionFactory(course=PublishedCourseFactory(lessons=0))
    LessonFactory(section=section, content=f'<img src="{url}/x.png"> ![x]({url}/y.png)')
    from courses.tests.factories import EnrollmentFactory

    EnrollmentFactory(student=student, course=section.course)
    client = client_for(student)
    _fast(
        lambda: client.post(
            f"/api/v1/courses/{section.course.pk}/forum/posts/",
            {"title": f"see {url}/a", "body": f'<img src="{url}/b.png"> {url}/c'},
            format="json",
        )
    )
    _fast(lambda: client.post(f"/api/v1/courses/{section.course.pk}/reviews/", {"rating": 4, "comment": url}))
    _fast(lambda: client.get(f"/api/v1/sections/{section.pk}/lessons/"))
    assert connections() == 0


def test_certificate_pdfs_do_not_fetch_urls_from_names_or_titles(listener):
    """WeasyPrint would fetch any <img>/<link>/url() in the HTML it renders: names and titles are
    user input and must reach it escaped."""
    pytest.importorskip("weasyprint")
    from django.utils import timezone

    from certificates.rendering import render_pdf

    url, connections = listener
    payload = f'<img src="{url}/n.png"><link rel="stylesheet" href="{url}/s.css"><style>@import "{url}/i.css";</style>'
    pdf = render_pdf(
        code="SSRF-TEST",
        student_name=payload,
        course_title=f'<div style="background:url({url}/bg.png)">T</div>',
        instructor_name=payload,
        completed_at=timezone.now(),
    )
    assert pdf.startswith(b"%PDF")
    assert connections() == 0


def test_a_student_named_like_html_gets_a_certificate_without_fetching(listener):
    url, connections = listener
    student = StudentFactory(first_name=f'<img src="{url}/a.png">', last_name=f"<iframe src='{url}'>")
    response = client_for(student).patch("/api/v1/auth/me/", {"first_name": f'<img src="{url}/b.png">'}, format="json")
    assert response.status_code == 200
    assert connections() == 0


def test_the_certificate_renderer_loads_nothing_but_data_uris(listener, tmp_path):
    """Defence in depth behind the escaping: markup that reached WeasyPrint could still neither read
    a local file nor call a server. The control render (WeasyPrint's own fetcher) shows the local
    stylesheet would otherwise apply."""
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader
    from weasyprint import HTML

    from certificates.rendering import url_fetcher

    url, connections = listener
    css = tmp_path / "page.css"
    css.write_text("@page { size: 100mm 100mm }")
    html = f'<link rel="stylesheet" href="file://{css}"><link rel="stylesheet" href="{url}/s.css"><p>x</p>'

    def page_width_mm(pdf: bytes) -> int:
        return round(float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width) * 25.4 / 72)

    assert page_width_mm(HTML(string=html, url_fetcher=url_fetcher()).write_pdf()) == 210  # A4: file not read
    assert connections() == 0
    control = HTML(string=f'<link rel="stylesheet" href="file://{css}"><p>x</p>').write_pdf()
    assert page_width_mm(control) == 100
    with pytest.raises(ValueError, match="disallowed protocol"):
        url_fetcher().fetch("file:///etc/passwd")
