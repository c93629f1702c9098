"""/api/v1/admin/webhooks/: every operation for every role, what each answers to an admin, and bad
input (a 4xx with a clear message, never a 500)."""

import pytest

from accounts.tests.factories import StudentFactory
from lms.events import publish
from webhooks import services
from webhooks.models import Delivery, Endpoint

from .snippets.verify_signature import verify

pytestmark = pytest.mark.django_db

BASE = "/api/v1/admin/webhooks/"
GOOD = {"url": "https://93.184.215.14/hooks", "events": ["enrollment.created", "order.paid"]}


@pytest.fixture
def endpoint(make_endpoint):
    return make_endpoint("https://93.184.215.14/existing", events=["user.created"], description="CRM")


@pytest.fixture
def delivery(endpoint, student):
    publish("user.created", student)
    return Delivery.objects.get(endpoint=endpoint)


def operations(endpoint, delivery):
    e, d = endpoint.pk, delivery.pk
    return [
        ("get", BASE, None, 200),
        ("post", BASE, GOOD, 201),
        ("get", f"{BASE}{e}/", None, 200),
        ("put", f"{BASE}{e}/", {**GOOD, "description": "Put"}, 200),
        ("patch", f"{BASE}{e}/", {"description": "Patched"}, 200),
        ("post", f"{BASE}{e}/rotate-secret/", None, 200),
        ("get", f"{BASE}{e}/deliveries/", None, 200),
        ("post", f"{BASE}{e}/deliveries/{d}/redeliver/", None, 202),
        ("delete", f"{BASE}{e}/", None, 204),
    ]


@pytest.mark.parametrize("role", ["anonymous", "student", "other_student", "instructor", "other_instructor", "admin"])
def test_every_operation_is_for_admins_only(clients, role, endpoint, delivery, monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda *args: True)  # no delivery runs here
    expected_denial = 401 if role == "anonymous" else 403
    for method, url, body, admin_status in operations(endpoint, delivery):
        response = getattr(clients[role], method)(url, body, format="json")
        status = admin_status if role == "admin" else expected_denial
        assert response.status_code == status, (method, url, response.content)
        if role != "admin":
            assert "detail" in response.json()
    assert Endpoint.objects.filter(pk=endpoint.pk).exists() == (role != "admin")


def test_create_shows_the_secret_once(admin_client, admin_user, receiver, student):
    response = admin_client.post(BASE, {**GOOD, "url": receiver.url, "events": ["user.created"]}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["url"] == receiver.url and body["events"] == ["user.created"] and body["is_active"] is True
    assert body["created_by"] == admin_user.pk and body["disabled_reason"] is None
    assert body["previous_secret_expires_at"] is None
    for shown in (admin_client.get(f"{BASE}{body['id']}/").json(), admin_client.get(BASE).json()["results"][0]):
        assert "secret" not in shown and body["secret"] not in str(shown)

    # The secret the admin was shown is the one that signs.
    from webhooks import subscriptions

    subscriptions.share()
    publish("user.created", student)
    services.endpoint_drain(endpoint_id=body["id"])
    [request] = receiver.requests
    assert verify(request.body, request.header("LMS-Signature"), body["secret"])


def test_events_are_kept_in_the_documented_order_without_repeats(admin_client):
    body = {**GOOD, "events": ["order.paid", "user.created", "order.paid"]}
    response = admin_client.post(BASE, body, format="json")
    assert response.json()["events"] == ["user.created", "order.paid"]


def test_list_is_paginated_newest_first(admin_client, make_endpoint):
    older = make_endpoint("https://93.184.215.14/a", events=["user.created"])
    newer = make_endpoint("https://93.184.215.14/b", events=["user.created"])
    body = admin_client.get(BASE, {"page_size": 1}).json()
    assert body["count"] == 2 and body["next"] is not None
    assert [row["id"] for row in body["results"]] == [newer.pk]
    assert admin_client.get(BASE, {"page": 2, "page_size": 1}).json()["results"][0]["id"] == older.pk


def test_patch_changes_only_what_is_sent(admin_client, endpoint):
    response = admin_client.patch(f"{BASE}{endpoint.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["events"] == ["user.created"] and response.json()["description"] == "CRM"
    response = admin_client.patch(f"{BASE}{endpoint.pk}/", {"description": "Still off"}, format="json")
    assert response.json()["is_active"] is False  # not turned back on by a default


def test_turning_an_endpoint_back_on_clears_why_it_was_turned_off(admin_client, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False,
        disabled_reason="failing",
        failing_since="2026-12-01T00:00:00Z",
        disabled_at="2026-12-04T00:00:00Z",
    )
    off = admin_client.get(f"{BASE}{endpoint.pk}/").json()
    assert (off["is_active"], off["disabled_reason"]) == (False, "failing")

    on = admin_client.patch(f"{BASE}{endpoint.pk}/", {"is_active": True}, format="json").json()

    assert (on["is_active"], on["disabled_reason"], on["disabled_at"], on["failing_since"]) == (True, None, None, None)


def test_rotate_secret_returns_the_new_secret_and_the_overlap(admin_client, endpoint):
    old = endpoint.secret
    response = admin_client.post(f"{BASE}{endpoint.pk}/rotate-secret/")
    assert response.status_code == 200
    body = response.json()
    endpoint.refresh_from_db()
    assert body["secret"] == endpoint.secret != old and endpoint.previous_secret == old
    assert body["previous_secret_expires_at"] is not None
    detail = admin_client.get(f"{BASE}{endpoint.pk}/").json()
    assert detail["previous_secret_expires_at"] == body["previous_secret_expires_at"]


def test_deliveries_are_listed_newest_first_and_filtered_by_status(admin_client, endpoint, student):
    publish("user.created", student)
    publish("user.created", StudentFactory())
    newest = Delivery.objects.filter(endpoint=endpoint).order_by("-event_id").first()
    Delivery.objects.filter(pk=newest.pk).update(status="failed", attempts=3, response_status=500)

    body = admin_client.get(f"{BASE}{endpoint.pk}/deliveries/").json()
    assert body["count"] == 2
    row = body["results"][0]
    assert list(row) == [
        "id",
        "event",
        "type",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "last_attempt_at",
        "created_at",
    ]
    assert (row["id"], row["event"], row["type"]) == (newest.pk, newest.event.public_id, "user.created")
    assert (row["status"], row["attempts"], row["response_status"]) == ("failed", 3, 500)

    failed = admin_client.get(f"{BASE}{endpoint.pk}/deliveries/", {"status": "failed"}).json()
    assert [r["id"] for r in failed["results"]] == [newest.pk]
    pending = admin_client.get(f"{BASE}{endpoint.pk}/deliveries/", {"status": "pending"}).json()
    assert pending["count"] == 1 and pending["results"][0]["id"] != newest.pk


def test_redeliver_sends_the_same_event_now(admin_client, receiver, make_endpoint, student):
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    publish("user.created", student)
    services.endpoint_drain(endpoint_id=endpoint.pk)
    delivery = Delivery.objects.get(endpoint=endpoint)

    response = admin_client.post(f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")

    assert response.status_code == 202
    assert response.json()["event"] == delivery.event.public_id and response.json()["status"] == "pending"
    services.endpoint_drain(endpoint_id=endpoint.pk)  # the job queued after commit, run here
    assert [r.header("LMS-Event-Id") for r in receiver.requests] == [delivery.event.public_id] * 2


def test_redeliver_to_an_endpoint_turned_off_is_a_conflict(admin_client, admin_user, endpoint, delivery):
    services.endpoint_update(actor=admin_user, endpoint=endpoint, is_active=False)
    response = admin_client.post(f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 409
    assert response.json()["code"] == "endpoint_inactive"


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"events": ["user.created"]}, "url", None),
        ({"url": "https://93.184.215.14/x"}, "events", None),
        ({**GOOD, "events": []}, "events", None),
        ({**GOOD, "events": "user.created"}, "events", None),
        ({**GOOD, "events": ["user.deleted"]}, "events.0", None),
        ({**GOOD, "events": [{"type": "user.created"}]}, "events.0", None),
        ({**GOOD, "url": ""}, "url", None),
        ({**GOOD, "url": None}, "url", None),
        ({**GOOD, "url": "x" * 2001}, "url", None),
        ({**GOOD, "description": "d" * 301}, "description", None),
        ({**GOOD, "is_active": "maybe"}, "is_active", None),
        ({**GOOD, "url": "http://93.184.215.14/x"}, "url", "insecure_scheme"),
        ({**GOOD, "url": "ftp://93.184.215.14/x"}, "url", "scheme"),
        ({**GOOD, "url": "https://me:secret@93.184.215.14/x"}, "url", "credentials"),
        ({**GOOD, "url": "https://10.0.0.1/x"}, "url", "private"),
        ({**GOOD, "url": "https://192.168.0.10/x"}, "url", "private"),
        ({**GOOD, "url": "https://172.20.0.1/x"}, "url", "private"),
        ({**GOOD, "url": "https://127.0.0.1/x"}, "url", "loopback"),
        ({**GOOD, "url": "https://[::1]/x"}, "url", "loopback"),
        ({**GOOD, "url": "https://169.254.169.254/x"}, "url", "metadata"),
        ({**GOOD, "url": "https://metadata.google.internal/x"}, "url", "metadata"),
        ({**GOOD, "url": "https://localhost/x"}, "url", "loopback"),
        ({**GOOD, "url": "https://[::ffff:10.0.0.1]/x"}, "url", "private"),
        ({**GOOD, "url": "https://93.184.215.14:0x50/x"}, "url", "invalid_url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(admin_client, settings, body, field, code):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = admin_client.post(BASE, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    if code is None:
        assert errors[field] and all(isinstance(m, str) and m for m in errors[field])
    else:
        assert (errors["field"], errors["code"]) == (field, code)
        assert errors["detail"]
    assert not Endpoint.objects.exists()


def test_bad_input_on_update_changes_nothing(admin_client, endpoint):
    response = admin_client.patch(f"{BASE}{endpoint.pk}/", {"url": "https://10.0.0.1/x"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "private"
    response = admin_client.put(f"{BASE}{endpoint.pk}/", {"description": "no url"}, format="json")
    assert response.status_code == 400 and "url" in response.json()
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.215.14/existing"


def test_not_json_is_a_400(admin_client):
    response = admin_client.generic("POST", BASE, "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("query", [{"status": "lost"}, {"page": "0"}, {"page_size": "x"}])
def test_bad_delivery_filters_are_a_400(admin_client, endpoint, query):
    response = admin_client.get(f"{BASE}{endpoint.pk}/deliveries/", query)
    assert response.status_code == 400
    assert next(iter(query)) in response.json()


def test_unknown_ids_are_a_404(admin_client, make_endpoint, endpoint, delivery):
    other = make_endpoint("https://93.184.215.14/other", events=["user.created"])
    assert admin_client.get(f"{BASE}{endpoint.pk + 1000}/").status_code == 404
    assert admin_client.get(f"{BASE}99999999999999999999/").status_code == 404
    assert admin_client.get(f"{BASE}{endpoint.pk + 1000}/deliveries/").status_code == 404
    assert admin_client.post(f"{BASE}{endpoint.pk}/deliveries/{delivery.pk + 1000}/redeliver/").status_code == 404
    # a delivery of another endpoint is not found under this one
    assert admin_client.post(f"{BASE}{other.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 404
    assert admin_client.get(f"{BASE}abc/").status_code == 404
