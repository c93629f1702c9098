"""activity's exporter and eraser (activity/privacy.py): the events a person did."""

import json

import pytest

from accounts import services as accounts
from accounts.tests.factories import StudentFactory
from activity import services
from activity.models import ActivityEvent, Verb
from activity.privacy import ERASER, EXPORTER
from privacy import registry

pytestmark = pytest.mark.django_db

# What each verb records today (the services that call activity_record), and what erasure keeps of it.
RECORDED = {
    Verb.USER_SIGNED_UP: ({"role": "student"}, {"role": "student"}),
    Verb.USER_LOGGED_IN: ({}, {}),
    Verb.ENROLLMENT_CREATED: ({"source": "paid"}, {"source": "paid"}),
    Verb.QUIZ_ATTEMPT_STARTED: ({"quiz_id": 4, "number": 2}, {"quiz_id": 4, "number": 2}),
    Verb.QUIZ_ATTEMPT_SUBMITTED: (
        {"quiz_id": 4, "percent": "80.00", "passed": True, "auto": False},
        {"quiz_id": 4, "percent": "80.00", "passed": True, "auto": False},
    ),
    Verb.ORDER_CREATED: ({"amount": "19.99", "currency": "USD"}, {"amount": "19.99", "currency": "USD"}),
    Verb.PAYMENT_SUCCEEDED: (
        {"amount": "19.99", "currency": "USD", "reason": "webhook"},
        {"amount": "19.99", "currency": "USD", "reason": "webhook"},
    ),
    Verb.CERTIFICATE_ISSUED: ({"verification_code": "ABCD-1234"}, {}),
    Verb.REVIEW_CREATED: ({"rating": 4, "comment": "Ada says hi"}, {"rating": 4}),
    Verb.FORUM_POST_CREATED: ({"title": "Ada's question"}, {}),
}


def _event(actor, verb, metadata, *, ip="198.51.100.7", user_agent="Firefox/128 (Ada's laptop)"):
    return ActivityEvent.objects.create(
        actor=actor, verb=verb, target_type="thing", target_id="1", metadata=metadata, ip=ip, user_agent=user_agent
    )


@pytest.fixture
def person():
    user = StudentFactory()
    for verb, (metadata, _kept) in RECORDED.items():
        _event(user, verb, metadata)
    return user


@pytest.fixture
def other():
    user = StudentFactory()
    for verb, (metadata, _kept) in RECORDED.items():
        _event(user, verb, metadata)
    return user


def _snapshot(user):
    return list(
        ActivityEvent.objects.filter(actor=user)
        .order_by("pk")
        .values_list("pk", "actor_id", "verb", "metadata", "ip", "user_agent", "created_at")
    )


def test_registered_with_its_model():
    assert EXPORTER in registry.exporters() and ERASER in registry.erasers()
    assert (
        [m._meta.label for m in EXPORTER.models] == [m._meta.label for m in ERASER.models] == ["activity.ActivityEvent"]
    )
    # after the apps whose erasure records events, before accounts
    assert ERASER.order == 950 and all(e.order < ERASER.order for e in registry.erasers() if e.name == "courses")


def test_export_is_the_person_s_events_only(person, other):
    data = EXPORTER.export(person)
    json.dumps(data)

    events = data["events"]
    assert len(events) == len(RECORDED)
    assert {e["id"] for e in events} == set(ActivityEvent.objects.filter(actor=person).values_list("pk", flat=True))
    review = next(e for e in events if e["verb"] == Verb.REVIEW_CREATED)
    assert review["metadata"] == {"rating": 4, "comment": "Ada says hi"}
    assert (review["ip"], review["user_agent"]) == ("198.51.100.7", "Firefox/128 (Ada's laptop)")
    assert review["created_at"] == ActivityEvent.objects.get(pk=review["id"]).created_at.isoformat()
    assert set(EXPORTER.describe) >= {f"events.{key}" for key in review}


def test_export_of_someone_who_did_nothing():
    assert EXPORTER.export(StudentFactory()) == {"events": []}


def test_erase_pseudonymises_the_person_s_events(person, other):
    others = _snapshot(other)
    total = ActivityEvent.objects.count()

    ERASER.erase(person)

    assert ActivityEvent.objects.count() == total  # nothing deleted: reports keep their counts
    for event in ActivityEvent.objects.filter(actor=person):
        assert event.actor_id == person.pk  # the pseudonymised account, once accounts' eraser ran
        assert (event.ip, event.user_agent) == (None, "")
        assert event.metadata == RECORDED[event.verb][1], event.verb
    assert _snapshot(other) == others


def test_an_unknown_verb_keeps_no_metadata(person):
    event = _event(person, "something_new", {"note": "Ada's secret", "count": 3})
    ERASER.erase(person)
    event.refresh_from_db()
    assert (event.metadata, event.ip, event.user_agent) == ({}, None, "")


def test_erase_twice_changes_nothing(person, other):
    assert services.activity_erase_for_user(user=person) == len(RECORDED)
    done = _snapshot(person)

    assert services.activity_erase_for_user(user=person) == 0
    assert _snapshot(person) == done


def test_a_rerun_after_a_crash_finishes_the_rest(person, monkeypatch):
    """Batches commit one by one: a worker dying after the first leaves it done, and the rerun does
    the remainder (and nothing twice)."""
    real = ActivityEvent.objects.bulk_update
    calls = []

    def die_on_the_second_batch(objs, fields, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return real(objs, fields, **kwargs)

    monkeypatch.setattr(ActivityEvent.objects, "bulk_update", die_on_the_second_batch)
    with pytest.raises(RuntimeError):
        services.activity_erase_for_user(user=person, batch_size=4)
    monkeypatch.undo()
    assert ActivityEvent.objects.filter(actor=person, ip=None).count() == 4

    assert services.activity_erase_for_user(user=person, batch_size=4) == len(RECORDED) - 4
    for event in ActivityEvent.objects.filter(actor=person):
        assert (event.ip, event.user_agent, event.metadata) == (None, "", RECORDED[event.verb][1])


def test_events_recorded_by_an_erasure_are_swept_by_a_later_run(person):
    """Another app's eraser may record an event for the person (an enrollment revoked) after this
    eraser ran; the rerun, or this eraser running after it (order 950), clears it."""
    ERASER.erase(person)
    late = _event(person, Verb.ENROLLMENT_REVOKED, {"why": "erasure"})
    assert services.activity_erase_for_user(user=person) == 1
    late.refresh_from_db()
    assert (late.metadata, late.ip) == ({}, None)


def test_metadata_kept_is_a_pure_function():
    assert services.activity_metadata_kept(verb=Verb.REVIEW_CREATED, metadata={"rating": 5, "x": 1}) == {"rating": 5}
    assert services.activity_metadata_kept(verb=Verb.REVIEW_CREATED, metadata=None) == {}
    assert services.activity_metadata_kept(verb=Verb.REVIEW_CREATED, metadata=["odd"]) == {}


def test_the_account_s_erasure_then_shows_a_deleted_user(person):
    ERASER.erase(person)
    accounts.user_erase_identity(user=person)
    event = ActivityEvent.objects.filter(actor=person).select_related("actor").first()
    assert event.actor.full_name == "Deleted user"


def test_policy_names_the_kept_metadata():
    assert "rating" in ERASER.policy["ActivityEvent.metadata"]
    assert ERASER.policy["ActivityEvent.ip"] == "deleted"
