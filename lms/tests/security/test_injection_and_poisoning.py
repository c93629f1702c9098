"""Attacks an outside test tried that held, kept here so they keep holding: password-reset links
poisoned through the Host or X-Forwarded-Host header, and spreadsheet formulas injected into CSV
downloads. (PDF rendering that reads local files or calls servers: test_api7_ssrf.py.)"""

import csv
import io

import pytest
from django.core import mail

from accounts.tests.factories import StudentFactory
from conftest import client_for

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_FORWARDED_HOST": "evil.example"},
        {"HTTP_HOST": "localhost", "HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "https"},
        {"HTTP_HOST": "127.0.0.1", "HTTP_FORWARDED": "host=evil.example"},
    ],
)
def test_password_reset_links_ignore_the_request_host(settings, django_capture_on_commit_callbacks, headers):
    """The link in the e-mail comes from PASSWORD_RESET_URL alone, whatever host the request names."""
    settings.PASSWORD_RESET_URL = "https://app.school.example/reset?uid={uid}&token={token}"
    user = StudentFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(None).post(
            "/api/v1/auth/password/reset/", {"email": user.email}, format="json", **headers
        )
    assert response.status_code == 204
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    bodies = [message.body, *(content for content, _type in message.alternatives)]
    for body in bodies:
        assert "https://app.school.example/reset?uid=" in body
        assert "evil.example" not in body and "localhost" not in body and "127.0.0.1" not in body


@pytest.mark.parametrize(
    "query",
    [
        "interval==HYPERLINK(%22http://evil.example%22)",
        "from=%2BSUM(1,1)",
        "to=-2%2B3",
        "currency=@SUM(A1)",
        "interval=%09=1",
    ],
)
def test_csv_report_cells_never_start_a_formula(clients, query):
    """Report downloads open in spreadsheets: no cell, data or error message, may begin with a
    character that makes Excel or LibreOffice evaluate it."""
    reports = {"admin": "/api/v1/admin/reports/revenue/", "instructor": "/api/v1/instructor/reports/revenue/"}
    for role, url in reports.items():
        response = clients[role].get(f"{url}?format=csv&{query}")
        assert response.status_code == 400, response.content
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["field", "message"] and len(rows) > 1
        for row in rows:
            assert not any(cell.startswith(FORMULA_STARTS) for cell in row), row
