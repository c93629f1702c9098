"""A report's schema says what `Accept` and `?format=` give: JSON (TimeSeriesReport, errors as JSON
bodies) or CSV (text, errors as `field,message` rows), for every status the operation answers."""

import pytest

from lms.tests.openapi import openapi_schema, schema_errors

pytestmark = pytest.mark.django_db

PATHS = {"admin": "/api/v1/admin/reports/{name}/", "instructor": "/api/v1/instructor/reports/{name}/"}


@pytest.mark.parametrize("path", PATHS.values())
def test_every_status_of_a_report_is_documented_as_json_and_as_csv(path):
    responses = openapi_schema()["paths"][path]["get"]["responses"]
    assert set(responses) == {"200", "304", "400", "401", "403", "404", "429"}
    assert "content" not in responses.pop("304")  # a conditional GET's answer has no body
    for status, response in responses.items():
        assert set(response["content"]) == {"application/json", "text/csv"}, status
        assert response["content"]["text/csv"]["schema"] == {"type": "string"}, status
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TimeSeriesReport"
    }


@pytest.mark.parametrize(("role", "name"), [("admin", "signups"), ("instructor", "revenue")])
def test_the_json_report_matches_its_schema(clients, role, name):
    response = clients[role].get(PATHS[role].format(name=name), {"interval": "week"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["interval"]) == (name, "week")
    assert schema_errors(response.json(), "TimeSeriesReport") == []
    assert schema_errors({**response.json(), "interval": "year"}, "TimeSeriesReport")


@pytest.mark.parametrize("how", [{"HTTP_ACCEPT": "text/csv"}, {"data": {"format": "csv"}}])
def test_csv_is_what_accept_or_format_asks_for_errors_included(clients, how):
    url = PATHS["admin"].format(name="signups")
    report = clients["admin"].get(url, **how)
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    assert report.content.decode().splitlines()[0] == "period,value"
    refused = clients["student"].get(url, **how)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("text/csv")
    assert refused.content.decode().splitlines()[0] == "field,message"


@pytest.mark.parametrize("status", [400, 404])
def test_json_errors_match_their_documented_bodies(clients, status):
    query = {"from": "2024-03-06", "to": "2024-03-04"} if status == 400 else {}
    response = clients["admin"].get(PATHS["admin"].format(name="signups" if status == 400 else "nope"), query)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert schema_errors(response.json(), "ValidationError" if status == 400 else "Error") == []
