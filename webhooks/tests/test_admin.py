"""Webhooks in the admin: endpoints written through the services (the secret shown once, in a
message), the delivery log with each attempt's request and response, and the redeliver action."""

import pytest
from django.contrib.messages import get_messages

from lms.events import publish
from lms.tests.admin_forms import form_errors, page_data
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def delivered(receiver, make_endpoint, student, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    receiver.answer(500, body=b'{"error": "database down"}')
    with django_capture_on_commit_callbacks(execute=True):  # the drain runs once the event commits
        publish("user.created", student)
    return Delivery.objects.get(endpoint=endpoint)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/webhooks/endpoint/",
        "/admin/webhooks/endpoint/?is_active__exact=0",
        "/admin/webhooks/endpoint/add/",
        "/admin/webhooks/endpoint/{endpoint}/change/",
        "/admin/webhooks/delivery/",
        "/admin/webhooks/delivery/?status__exact=pending",
        "/admin/webhooks/delivery/?q={event}",
        "/admin/webhooks/delivery/{delivery}/change/",
        "/admin/webhooks/event/",
        "/admin/webhooks/event/{event_pk}/change/",
    ],
)
def test_pages_load(staff, delivered, url):
    event = delivered.event
    url = url.format(endpoint=delivered.endpoint_id, delivery=delivered.pk, event=event.public_id, event_pk=event.pk)
    assert staff.get(url).status_code == 200


def test_the_delivery_page_shows_the_attempt_log(staff, delivered):
    page = staff.get(f"/admin/webhooks/delivery/{delivered.pk}/change/").content.decode()
    assert "LMS-Signature" in page and delivered.event.public_id in page
    assert "database down" in page and "HTTP 500" in page


def test_adding_an_endpoint_goes_through_the_service_and_shows_the_secret_once(staff, admin_user):
    form = staff.get("/admin/webhooks/endpoint/add/")
    data = page_data(form, url="https://93.184.215.14/hooks", description="CRM", events=["user.created", "order.paid"])
    data["is_active"] = "on"

    response = staff.post("/admin/webhooks/endpoint/add/", data, follow=True)

    endpoint = Endpoint.objects.get()
    assert endpoint.created_by == admin_user and endpoint.events == ["user.created", "order.paid"]
    assert any(endpoint.secret in message for message in shown(response))
    page = staff.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in page


def test_a_refused_url_is_shown_on_the_form(staff):
    form = staff.get("/admin/webhooks/endpoint/add/")
    data = page_data(form, url="https://169.254.169.254/latest/", events=["user.created"])

    errors = form_errors(staff.post("/admin/webhooks/endpoint/add/", data))

    assert errors == {"url": ["169.254.169.254 is a cloud metadata address: webhooks are not sent there."]}
    assert not Endpoint.objects.exists()


def test_changing_an_endpoint_goes_through_the_service(staff, make_endpoint):
    endpoint = make_endpoint("https://93.184.215.14/hooks", events=["user.created"])
    url = f"/admin/webhooks/endpoint/{endpoint.pk}/change/"
    data = page_data(staff.get(url), url="https://10.1.1.1/hooks")
    assert form_errors(staff.post(url, data)) == {
        "url": ["10.1.1.1 is a private address: webhooks are not sent there."]
    }

    data = page_data(staff.get(url), events=["order.paid"])
    assert staff.post(url, data).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["order.paid"] and endpoint.url == "https://93.184.215.14/hooks"


def test_the_rotate_action_shows_each_new_secret(staff, make_endpoint):
    endpoint = make_endpoint("https://93.184.215.14/hooks", events=["user.created"])
    old = endpoint.secret

    response = staff.post(
        "/admin/webhooks/endpoint/", {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True
    )

    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    messages = shown(response)
    assert any(endpoint.secret in m for m in messages)
    assert "1 secret rotated." in messages


def test_deleting_an_endpoint_goes_through_the_service(staff, delivered):
    response = staff.post(f"/admin/webhooks/endpoint/{delivered.endpoint_id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    assert Event.objects.exists()  # kept for the retention period


def test_the_redeliver_action_queues_the_delivery_again(staff, delivered, receiver, django_capture_on_commit_callbacks):
    Delivery.objects.filter(pk=delivered.pk).update(status="failed", next_attempt_at=None)
    receiver.answer(200)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/webhooks/delivery/", {"action": "redeliver", "_selected_action": [delivered.pk]}, follow=True
        )

    assert "1 delivery queued again." in shown(response)
    delivered.refresh_from_db()
    assert (delivered.status, delivered.attempts) == ("succeeded", 2)  # the drain ran after commit
    assert {r.header("LMS-Event-Id") for r in receiver.requests} == {delivered.event.public_id}


def test_records_are_read_only(staff, delivered):
    assert staff.get("/admin/webhooks/delivery/add/").status_code == 403
    assert staff.get("/admin/webhooks/event/add/").status_code == 403
    assert staff.post(f"/admin/webhooks/delivery/{delivered.pk}/delete/", {"post": "yes"}).status_code == 403
