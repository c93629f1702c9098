"""Delivering to a real receiver on loopback: the signature (checked with the README's own snippets,
in Python and in Node), retries with backoff on a 500 and on a timeout, giving up after
WEBHOOKS_RETRY_HOURS, the same event id on every retry and redelivery, no redirect followed, 410 and
three days of failure turning the endpoint off (its owner e-mailed in their language), order per
endpoint, the lease, and the secret's rotation."""

import shutil
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import translation

from accounts.tests.factories import StudentFactory
from lms.events import publish
from webhooks import services, tasks
from webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint, Event

from .receiver import Answer
from .snippets.verify_signature import verify

pytestmark = pytest.mark.django_db

SNIPPETS = Path(__file__).parent / "snippets"
START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def drain(endpoint) -> services.DrainResult:
    return services.endpoint_drain(endpoint_id=endpoint.pk)


def delivery_of(endpoint) -> Delivery:
    return Delivery.objects.select_related("event").get(endpoint=endpoint)


def node_verify(body: bytes, header: str, secret: str, tmp_path) -> bool:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    payload = tmp_path / "body.json"
    payload.write_bytes(body)
    script = (
        "const { verify } = require(process.argv[1]);"
        "const body = require('fs').readFileSync(process.argv[2]);"
        "process.exit(verify(body, process.argv[3], process.argv[4]) ? 0 : 1);"
    )
    args = [node, "-e", script, str(SNIPPETS / "verify_signature.js"), str(payload), header, secret]
    return subprocess.run(args, capture_output=True, timeout=30, check=False).returncode == 0


# --- the signature -------------------------------------------------------------------------------
def test_a_delivery_is_signed_and_the_readme_snippets_verify_it(receiver, make_endpoint, student, tmp_path):
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    publish("user.created", student)

    result = drain(endpoint)

    assert (result.sent, result.succeeded) == (1, 1)
    [request] = receiver.requests
    body = request.json()
    event = Event.objects.get()
    assert list(body) == ["id", "type", "created_at", "data"]
    assert body["id"] == event.public_id == request.header("LMS-Event-Id")
    assert body["id"].startswith("evt_")
    assert body["type"] == "user.created" == request.header("LMS-Event-Type")
    assert body["data"]["user_id"] == student.pk and body["data"]["email"] == student.email
    assert request.header("Content-Type") == "application/json"
    assert request.header("User-Agent").startswith("LMS-Webhooks/1.0")
    assert request.header("Host") == f"127.0.0.1:{receiver.port}"

    header = request.header("LMS-Signature")
    assert header.startswith("t=") and header.count("v1=") == 1
    assert verify(request.body, header, endpoint.secret)
    assert not verify(request.body + b" ", header, endpoint.secret)  # a changed body
    assert not verify(request.body, header, "whsec_not-the-secret")
    stale = header.replace(header.split(",")[0], f"t={int(header.split(',')[0][2:]) - 301}")
    assert not verify(request.body, stale, endpoint.secret)  # too old: a replay

    assert node_verify(request.body, header, endpoint.secret, tmp_path)
    assert not node_verify(request.body + b" ", header, endpoint.secret, tmp_path)
    assert not node_verify(request.body, header, "whsec_not-the-secret", tmp_path)

    delivery = delivery_of(endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.request_headers["LMS-Signature"] == header
    assert attempt.request_body == request.body.decode()
    assert attempt.response_status == 200 and attempt.response_body == '{"ok": true}'
    assert attempt.error == ""


def test_a_rotated_secret_signs_alongside_the_new_one_until_the_overlap_ends(
    receiver, make_endpoint, student, admin_user, time_machine, settings
):
    time_machine.move_to(START, tick=False)
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    old = endpoint.secret
    new = services.endpoint_rotate_secret(actor=admin_user, endpoint=endpoint).secret
    assert new != old and new.startswith("whsec_")

    publish("user.created", student)
    drain(endpoint)
    header = receiver.requests[-1].header("LMS-Signature")
    assert header.count("v1=") == 2
    assert verify(receiver.requests[-1].body, header, new)
    assert verify(receiver.requests[-1].body, header, old)

    time_machine.move_to(START + timedelta(hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS, seconds=1), tick=False)
    publish("user.created", StudentFactory())
    drain(endpoint)
    header = receiver.requests[-1].header("LMS-Signature")
    assert header.count("v1=") == 1
    assert verify(receiver.requests[-1].body, header, new)
    assert not verify(receiver.requests[-1].body, header, old)


# --- retries -------------------------------------------------------------------------------------
def test_a_500_is_retried_with_backoff_and_the_same_event_until_it_succeeds(
    receiver, make_endpoint, student, time_machine
):
    time_machine.move_to(START, tick=False)
    receiver.script(Answer(500, body=b"boom"), Answer(503))
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    publish("user.created", student)

    assert drain(endpoint).failed == 1
    delivery = delivery_of(endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert START + timedelta(seconds=45) <= delivery.next_attempt_at <= START + timedelta(seconds=75)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == START and endpoint.is_active
    assert Attempt.objects.get(delivery=delivery).response_body == "boom"

    assert drain(endpoint).sent == 0  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    time_machine.move_to(delivery.next_attempt_at, tick=False)
    assert tasks.webhooks_sweep_task()["drains_queued"] == 1  # jobs run inline here: the drain ran
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 2, 503)
    waited = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=90) <= waited <= timedelta(seconds=150)  # 2 minutes, +-25 %

    time_machine.move_to(delivery.next_attempt_at, tick=False)
    tasks.webhooks_sweep_task()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 3, 200)
    assert delivery.next_attempt_at is None
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # a success ends the failure streak

    bodies = {r.body for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(bodies) == 1  # the same bytes every time
    assert {r.header("LMS-Event-Id") for r in receiver.requests} == {delivery.event.public_id}
    assert [r.header("LMS-Delivery-Attempt") for r in receiver.requests] == ["1", "2", "3"]
    stamps = [r.header("LMS-Signature").split(",")[0] for r in receiver.requests]
    assert len(set(stamps)) == 3  # signed anew at each attempt, with the time of sending


def test_a_timeout_is_a_failure_retried_later(receiver, make_endpoint, student, settings, time_machine):
    time_machine.move_to(START, tick=False)
    settings.WEBHOOKS_READ_TIMEOUT = 0.3
    receiver.answer(200, delay=1.5)  # answers, but too late
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    publish("user.created", student)

    result = drain(endpoint)

    assert result.failed == 1
    delivery = delivery_of(endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, None)
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.error.startswith("timeout") and attempt.response_status is None
    assert attempt.duration_ms < 1400  # gave up at the read timeout, not when the receiver answered

    receiver.answer(200)
    time_machine.move_to(delivery.next_attempt_at, tick=False)
    tasks.webhooks_sweep_task()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert len({r.header("LMS-Event-Id") for r in receiver.requests}) == 1


def test_a_connection_refused_is_a_failure(make_endpoint, student, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = make_endpoint(f"http://127.0.0.1:{port}/hooks", events=["user.created"])
    publish("user.created", student)

    assert drain(endpoint).failed == 1
    attempt = Attempt.objects.get()
    assert attempt.error.startswith("connection failed") and attempt.response_status is None


def test_retries_back_off_exponentially_then_give_up_after_the_retry_hours(
    receiver, make_endpoint, student, time_machine, settings
):
    time_machine.move_to(START, tick=False)
    receiver.answer(500)
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    publish("user.created", student)
    deadline = START + timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)

    drain(endpoint)
    delivery = delivery_of(endpoint)
    waits = []
    while delivery.status == DeliveryStatus.PENDING:
        assert delivery.next_attempt_at <= deadline
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        time_machine.move_to(delivery.next_attempt_at, tick=False)
        assert drain(endpoint).sent == 1
        delivery.refresh_from_db()

    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert delivery.last_attempt_at == deadline  # a last attempt exactly at the deadline
    assert delivery.attempts == len(waits) + 1 == len(receiver.requests)
    # 1 min, 2, 4, ... doubling up to 6 h, each +-25 %; the last wait is cut short by the deadline.
    for n, waited in enumerate(waits[:-1]):
        base = min(timedelta(minutes=2**n), timedelta(hours=6))
        assert base * 0.75 <= waited <= base * 1.25, (n, waited)
    assert 11 <= delivery.attempts <= 15
    endpoint.refresh_from_db()
    assert endpoint.is_active  # a day of failure does not turn it off


def test_a_refused_target_is_a_failure_retried_like_the_others(make_endpoint, student, settings, dns):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    dns.answers["hooks.example.com"] = ["93.184.215.14"]
    endpoint = make_endpoint("https://hooks.example.com/lms", events=["user.created"])
    dns.answers["hooks.example.com"] = ["10.0.0.7"]  # DNS changed after the check
    publish("user.created", student)

    assert drain(endpoint).failed == 1
    delivery = delivery_of(endpoint)
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    assert Attempt.objects.get().error == (
        "refused: hooks.example.com resolves to 10.0.0.7, a private address: webhooks are not sent there."
    )


# --- redelivery, redirects, 410 ------------------------------------------------------------------
def test_a_redelivery_sends_exactly_the_same_event(receiver, make_endpoint, student, admin_user):
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    publish("user.created", student)
    drain(endpoint)
    delivery = delivery_of(endpoint)
    assert delivery.status == "succeeded"

    again = services.delivery_redeliver(actor=admin_user, delivery=delivery)
    assert again.status == "pending"
    drain(endpoint)

    first, second = receiver.requests
    assert first.body == second.body
    assert first.header("LMS-Event-Id") == second.header("LMS-Event-Id") == delivery.event.public_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_no_redirect_is_followed(receiver, make_endpoint, student):
    receiver.answer(302, headers={"Location": receiver.url_for("127.0.0.1", "/elsewhere")})
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    publish("user.created", student)

    assert drain(endpoint).failed == 1

    assert [(r.method, r.path) for r in receiver.wait_for(2, timeout=0.3)] == [("POST", "/hooks")]
    delivery = delivery_of(endpoint)
    assert (delivery.status, delivery.response_status) == ("pending", 302)
    assert Attempt.objects.get().error == "HTTP 302 (redirects are not followed)"


def test_410_turns_the_endpoint_off_and_tells_its_owner(
    receiver, make_endpoint, student, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    receiver.answer(410)
    endpoint = make_endpoint(receiver.url, events=["user.created"], description="Old CRM")
    publish("user.created", student)
    publish("user.created", StudentFactory())

    with django_capture_on_commit_callbacks(execute=True):
        result = drain(endpoint)

    assert (result.sent, result.failed) == (1, 1)  # the second event is not sent to a receiver that is gone
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == "gone" and endpoint.disabled_at is not None
    statuses = list(Delivery.objects.filter(endpoint=endpoint).order_by("event_id").values_list("status", flat=True))
    assert statuses == ["failed", "pending"]
    [mail] = mailoutbox
    assert mail.to == [admin_user.email]
    assert mail.subject == "A webhook endpoint was turned off"
    assert endpoint.url in mail.body and "410 Gone" in mail.body and "Old CRM" in mail.body
    endpoint.refresh_from_db()
    assert endpoint.disabled_notified_at is not None

    assert services.endpoint_disabled_email_send(endpoint_id=endpoint.pk) is False  # told once
    assert drain(endpoint).sent == 0  # off: nothing more is sent
    assert len(receiver.requests) == 1


def test_three_days_of_failure_turn_the_endpoint_off_and_email_the_owner_in_their_language(
    receiver, make_endpoint, admin_user, time_machine, settings, mailoutbox, django_capture_on_commit_callbacks,
    monkeypatch,
):  # fmt: skip
    admin_user.language = "fr"
    admin_user.save(update_fields=["language"])
    languages = []
    real = services.templated_email

    def templated_email(**kwargs):
        languages.append(translation.get_language())
        return real(**kwargs)

    monkeypatch.setattr(services, "templated_email", templated_email)
    receiver.answer(500)
    endpoint = make_endpoint(receiver.url, events=["user.created"])

    for days, minutes in ((0, 0), (1, 0), (2, 0), (3, -1)):
        time_machine.move_to(START + timedelta(days=days, minutes=minutes), tick=False)
        publish("user.created", StudentFactory())
        with django_capture_on_commit_callbacks(execute=True):
            drain(endpoint)
        endpoint.refresh_from_db()
        assert endpoint.is_active and endpoint.failing_since == START
    assert mailoutbox == []

    time_machine.move_to(START + timedelta(days=settings.WEBHOOKS_DISABLE_AFTER_DAYS), tick=False)
    publish("user.created", StudentFactory())
    with django_capture_on_commit_callbacks(execute=True):
        drain(endpoint)

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == "failing"
    [mail] = mailoutbox
    # In the owner's language (French), with the real plural.
    assert mail.to == [admin_user.email] and "ont échoué pendant 3 jours" in mail.body
    assert languages == ["fr"]


def test_the_sweep_sends_an_owner_email_whose_job_was_lost(admin_user, mailoutbox, time_machine):
    time_machine.move_to(START, tick=False)
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.com/x",
        events=["user.created"],
        secret="whsec_x",
        created_by=admin_user,
        is_active=False,
        disabled_at=START,
        disabled_reason="gone",
    )
    assert tasks.webhooks_sweep_task()["emails_queued"] == 0  # its own job may still come
    time_machine.move_to(START + timedelta(minutes=11), tick=False)
    assert tasks.webhooks_sweep_task()["emails_queued"] == 1  # inline: sent
    assert len(mailoutbox) == 1
    assert tasks.webhooks_sweep_task()["emails_queued"] == 0
    endpoint.refresh_from_db()
    assert endpoint.disabled_notified_at is not None


# --- order, batches, the lease -------------------------------------------------------------------
def test_events_reach_each_endpoint_in_the_order_they_happened(receiver, make_endpoint):
    first = make_endpoint(receiver.url_for("127.0.0.1", "/a"), events=["user.created"])
    second = make_endpoint(receiver.url_for("127.0.0.1", "/b"), events=["user.created"])
    users = StudentFactory.create_batch(6)
    for user in users:
        publish("user.created", user)

    drain(second)
    drain(first)

    for path in ("/a", "/b"):
        got = [r.json()["data"]["user_id"] for r in receiver.requests if r.path == path]
        assert got == [u.pk for u in users]


def test_a_failure_ends_the_batch_and_later_events_wait_for_the_next_run(receiver, make_endpoint, time_machine):
    time_machine.move_to(START, tick=False)
    receiver.script(Answer(200), Answer(500))
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    for user in StudentFactory.create_batch(4):
        publish("user.created", user)

    result = drain(endpoint)

    assert (result.sent, result.succeeded, result.failed, result.more) == (2, 1, 1, False)
    statuses = list(Delivery.objects.filter(endpoint=endpoint).order_by("event_id").values_list("status", "attempts"))
    assert statuses == [("succeeded", 1), ("pending", 1), ("pending", 0), ("pending", 0)]

    result = drain(endpoint)  # the next run (the sweep's, a minute later): the others go, in order
    assert (result.sent, result.succeeded) == (2, 2)
    ids = [r.json()["data"]["user_id"] for r in receiver.requests]
    assert ids[2:] == sorted(ids[2:])


def test_a_drain_sends_a_bounded_batch_and_its_job_goes_on_until_none_is_due(
    receiver, make_endpoint, monkeypatch, django_assert_max_num_queries
):
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    for user in StudentFactory.create_batch(5):
        publish("user.created", user)

    result = services.endpoint_drain(endpoint_id=endpoint.pk, batch=2)
    assert (result.sent, result.more) == (2, True)

    monkeypatch.setattr(services, "BATCH", 2)
    assert tasks.endpoint_drain_task(endpoint.pk) == {"busy": False, "sent": 3, "succeeded": 3, "failed": 0}
    assert len(receiver.requests) == 5
    assert not Delivery.objects.filter(status="pending").exists()
    assert drain(endpoint).sent == 0  # idempotent: nothing left


def test_a_drain_while_another_holds_the_lease_sends_nothing_until_the_lease_runs_out(
    receiver, make_endpoint, student, time_machine
):
    time_machine.move_to(START, tick=False)
    endpoint = make_endpoint(receiver.url, events=["user.created"])
    Endpoint.objects.filter(pk=endpoint.pk).update(lease_until=START + timedelta(minutes=1), lease_token="other")
    publish("user.created", student)

    assert drain(endpoint).busy
    assert receiver.requests == []
    assert tasks.webhooks_sweep_task()["drains_queued"] == 0  # the holder sends it

    time_machine.move_to(START + timedelta(minutes=1, seconds=1), tick=False)  # the holder died
    assert drain(endpoint).succeeded == 1
    endpoint.refresh_from_db()
    assert endpoint.lease_until is None and endpoint.lease_token == ""


@pytest.mark.django_db(transaction=True)
def test_two_drains_of_one_endpoint_never_run_at_once(receiver, admin_user, monkeypatch):
    endpoint = services.endpoint_create(actor=admin_user, url=receiver.url, events=["user.created"])
    monkeypatch.setattr(services, "enqueue", lambda *args: True)  # no drain job: this test runs them
    receiver.answer(200, delay=0.5)
    publish("user.created", StudentFactory())
    publish("user.created", StudentFactory())
    results = []
    first = threading.Thread(target=lambda: results.append(drain(endpoint)))

    first.start()
    receiver.wait_for(1)
    second = drain(endpoint)  # while the first waits for the receiver
    first.join(10)

    assert second.busy and second.sent == 0
    assert results[0].sent == 2
    assert len(receiver.requests) == 2
