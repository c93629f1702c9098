"""The outbox: an event is recorded in the transaction of its change (or not at all), costs no query
when no endpoint wants it, queues one drain per endpoint per transaction, and survives the broker
being down (the change commits, the event is recorded, the sweep delivers it later)."""

import logging

import pytest
from django.core.cache import cache
from django.db import transaction

from accounts.tests.factories import StudentFactory
from courses import services as courses
from courses.tests.factories import PublishedCourseFactory
from lms.events import publish
from webhooks import services, subscriptions, tasks
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


def drains(callbacks) -> list[int]:
    return [f.webhooks_endpoint_id for f in callbacks if hasattr(f, "webhooks_endpoint_id")]


def test_with_no_endpoint_publishing_costs_no_query(student, django_assert_num_queries):
    with django_assert_num_queries(0):
        publish("user.created", student)
    assert not Event.objects.exists()


def test_with_endpoints_for_other_types_publishing_costs_no_query(make_endpoint, student, django_assert_num_queries):
    make_endpoint("https://93.184.215.14/x", events=["order.paid"])
    with django_assert_num_queries(0):
        publish("user.created", student)
    assert not Event.objects.exists()


def test_with_the_shared_cache_emptied_the_memo_is_trusted(make_endpoint, student, django_assert_num_queries):
    make_endpoint("https://93.184.215.14/x", events=["order.paid"])
    cache.clear()  # a Redis restart, or a test's isolation
    with django_assert_num_queries(0):
        publish("user.created", student)


def test_a_process_that_never_looked_reads_the_endpoints_once(student, django_assert_num_queries):
    subscriptions._memo = (None, None)
    with django_assert_num_queries(1):
        publish("user.created", student)
    with django_assert_num_queries(0):
        publish("user.created", student)


def test_a_change_made_by_another_process_is_seen_at_the_next_event(
    admin_user, student, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(0):
        publish("user.created", student)
    # Another process adds an endpoint: it writes the new version to the shared cache after commit.
    with django_capture_on_commit_callbacks(execute=True):
        endpoint = services.endpoint_create(actor=admin_user, url="https://93.184.215.14/x", events=["user.created"])
    version = cache.get(subscriptions.KEY)
    subscriptions.reset()  # this process still remembers none
    cache.set(subscriptions.KEY, version)

    publish("user.created", student)

    assert Delivery.objects.get().endpoint == endpoint


def test_an_endpoint_turned_off_or_deleted_is_forgotten_after_commit(
    make_endpoint, admin_user, student, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint("https://93.184.215.14/x", events=["user.created"])
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_update(actor=admin_user, endpoint=endpoint, is_active=False)
    assert subscriptions.types() == frozenset()
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_update(actor=admin_user, endpoint=endpoint, is_active=True, events=["order.paid"])
    assert subscriptions.types() == {"order.paid"}
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_delete(actor=admin_user, endpoint=endpoint)
    assert subscriptions.types() == frozenset()


def test_an_event_goes_to_every_active_endpoint_that_wants_it_and_no_other(make_endpoint, admin_user, student):
    wants = make_endpoint("https://93.184.215.14/a", events=["user.created", "order.paid"])
    also = make_endpoint("https://93.184.215.14/b", events=["user.created"])
    make_endpoint("https://93.184.215.14/c", events=["order.paid"])
    off = make_endpoint("https://93.184.215.14/d", events=["user.created"])
    services.endpoint_update(actor=admin_user, endpoint=off, is_active=False)

    publish("user.created", student)

    event = Event.objects.get()
    assert event.type == "user.created" and event.public_id.startswith("evt_")
    assert event.data["user_id"] == student.pk
    deliveries = Delivery.objects.filter(event=event).order_by("endpoint_id")
    assert [d.endpoint_id for d in deliveries] == [wants.pk, also.pk]
    assert {d.status for d in deliveries} == {"pending"} and all(d.next_attempt_at for d in deliveries)


def test_an_event_is_recorded_in_the_transaction_of_its_change(make_endpoint, student):
    make_endpoint("https://93.184.215.14/a", events=["user.created"])
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("user.created", student)
        assert Event.objects.count() == 1
        raise RuntimeError("the change failed")
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_a_drain_is_queued_once_per_endpoint_per_transaction(
    make_endpoint, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    first = make_endpoint("https://93.184.215.14/a", events=["user.created"])
    second = make_endpoint("https://93.184.215.14/b", events=["user.created"])
    users = StudentFactory.create_batch(3)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for user in users:
            with django_assert_max_num_queries(3):  # the endpoints, the event, its deliveries
                publish("user.created", user)
    assert sorted(drains(callbacks)) == [first.pk, second.pk]
    assert Event.objects.count() == 3 and Delivery.objects.count() == 6


def test_a_drain_lost_with_a_rolled_back_savepoint_is_queued_again(make_endpoint, django_capture_on_commit_callbacks):
    endpoint = make_endpoint("https://93.184.215.14/a", events=["user.created"])
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                publish("user.created", StudentFactory())
                raise RuntimeError
        except RuntimeError:
            pass
        publish("user.created", StudentFactory())
    assert drains(callbacks) == [endpoint.pk]
    assert Event.objects.count() == 1


def test_the_drain_runs_once_the_change_commits(receiver, make_endpoint, django_capture_on_commit_callbacks):
    make_endpoint(receiver.url, events=["enrollment.created"])
    course = PublishedCourseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = courses.enrollment_create(student=StudentFactory(), course=course)
    [request] = receiver.requests
    assert request.json()["data"]["enrollment_id"] == enrollment.pk
    assert Delivery.objects.get().status == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_change_commits_the_event_is_kept_and_the_sweep_delivers_it(
    receiver, admin_user, jobs_to, caplog
):
    services.endpoint_create(actor=admin_user, url=receiver.url, events=["enrollment.created"])  # commits
    course, student = PublishedCourseFactory(), StudentFactory()
    jobs_to("redis://127.0.0.1:1/0")  # nothing listens there
    caplog.set_level(logging.ERROR, logger="lms.jobs")

    enrollment = courses.enrollment_create(student=student, course=course)

    assert enrollment.pk is not None and enrollment.status == "active"  # the change committed
    event = Event.objects.get(type="enrollment.created")
    assert event.data["enrollment_id"] == enrollment.pk
    assert Delivery.objects.get(event=event).status == "pending"
    assert receiver.requests == []
    assert f"Could not queue {tasks.endpoint_drain_task.name}" in caplog.text

    jobs_to.inline()  # the broker is back: beat runs the sweep (its jobs inline here)
    assert tasks.webhooks_sweep_task()["drains_queued"] == 1

    [request] = receiver.requests
    assert request.header("LMS-Event-Id") == event.public_id
    assert Delivery.objects.get(event=event).status == "succeeded"
    assert tasks.webhooks_sweep_task()["drains_queued"] == 0


def test_the_shared_version_is_read_at_most_once_a_second(
    make_endpoint, student, monkeypatch, django_assert_num_queries
):
    make_endpoint("https://93.184.215.14/x", events=["order.paid"])  # just read: fresh
    cache.set(subscriptions.KEY, "changed-elsewhere")
    with django_assert_num_queries(0):
        publish("user.created", student)  # within the second: the memo is trusted
    monkeypatch.setattr(subscriptions, "CHECK_EVERY_SECONDS", 0)
    with django_assert_num_queries(1):
        publish("user.created", student)  # checked: another process changed the endpoints


def test_with_the_cache_down_publishing_still_costs_no_query(
    make_endpoint, student, monkeypatch, caplog, django_assert_num_queries
):
    import redis

    from lms import cache as lms_cache

    make_endpoint("https://93.184.215.14/x", events=["order.paid"])
    monkeypatch.setattr(subscriptions, "CHECK_EVERY_SECONDS", 0)
    monkeypatch.setattr(lms_cache, "_last_logged", {})

    def down(*args, **kwargs):
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(cache, "get", down)
    with django_assert_num_queries(0):
        publish("user.created", student)  # neither an error nor a query
    assert not Event.objects.exists()
    assert "Cache unavailable, webhook subscriptions goes on without it" in caplog.text
