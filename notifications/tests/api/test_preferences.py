"""GET and PATCH /api/v1/notifications/preferences/: channels per type, all or nothing."""

import pytest

from notifications import services
from notifications.models import DEFAULT_CHANNELS, Notification, NotificationPreference, NotificationType
from notifications.tests.api.helpers import PREFERENCES, SIGNED_IN

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", SIGNED_IN)
def test_preferences_list_every_type_with_defaults(clients, role):
    response = clients[role].get(PREFERENCES)

    assert response.status_code == 200
    prefs = response.data["preferences"]
    assert [p["type"] for p in prefs] == list(NotificationType.values)
    for pref in prefs:
        assert isinstance(pref["in_app"], bool)
        assert isinstance(pref["email"], bool)
        assert {"in_app": pref["in_app"], "email": pref["email"]} == DEFAULT_CHANNELS[pref["type"]]
    by_type = {p["type"]: p for p in prefs}
    assert by_type["new_enrollment"]["email"] is False
    assert by_type["course_updated"]["email"] is False
    assert by_type["enrollment_confirmed"]["email"] is True


def test_patch_switches_one_channel_off_and_keeps_the_rest(clients, student, other_student):
    body = {"preferences": [{"type": "announcement", "email": False}]}

    response = clients["student"].patch(PREFERENCES, body, format="json")

    assert response.status_code == 200
    by_type = {p["type"]: p for p in response.data["preferences"]}
    assert by_type["announcement"]["email"] is False
    assert by_type["announcement"]["in_app"] is True
    for type, channels in DEFAULT_CHANNELS.items():
        if type != "announcement":
            assert {"in_app": by_type[type]["in_app"], "email": by_type[type]["email"]} == channels
    again = {p["type"]: p for p in clients["student"].get(PREFERENCES).data["preferences"]}
    assert again["announcement"]["email"] is False
    # Another user is unaffected.
    theirs = {p["type"]: p for p in clients["other_student"].get(PREFERENCES).data["preferences"]}
    assert theirs["announcement"]["email"] is True
    # And it takes effect.
    services.notify(recipients=[student, other_student], type="announcement", title="Hi")
    assert Notification.objects.filter(type="announcement").count() == 2


def test_patch_several_types_and_switch_back_on(clients, student):
    body = {
        "preferences": [
            {"type": "forum_reply", "in_app": False, "email": False},
            {"type": "course_updated", "email": True},
        ]
    }
    response = clients["student"].patch(PREFERENCES, body, format="json")
    assert response.status_code == 200
    by_type = {p["type"]: p for p in response.data["preferences"]}
    assert (by_type["forum_reply"]["in_app"], by_type["forum_reply"]["email"]) == (False, False)
    assert (by_type["course_updated"]["in_app"], by_type["course_updated"]["email"]) == (True, True)

    back = {"preferences": [{"type": "forum_reply", "in_app": True}]}
    response = clients["student"].patch(PREFERENCES, back, format="json")

    by_type = {p["type"]: p for p in response.data["preferences"]}
    assert (by_type["forum_reply"]["in_app"], by_type["forum_reply"]["email"]) == (True, False)
    assert NotificationPreference.objects.filter(user=student).count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"preferences": [{"type": "no_such_type", "email": False}]},
        {"preferences": [{"type": "announcement", "email": "maybe"}]},
        {"preferences": [{"type": "announcement", "in_app": None}]},
        {"preferences": [{"email": False}]},
        {"preferences": []},
        {"preferences": "announcement"},
        {"preferences": [["announcement", False]]},
        {},
    ],
    ids=["unknown-type", "bad-boolean", "null-boolean", "no-type", "empty-list", "not-a-list", "not-objects", "empty"],
)
def test_patch_bad_input_is_400_and_changes_nothing(clients, student, body):
    response = clients["student"].patch(PREFERENCES, body, format="json")

    assert response.status_code == 400
    assert [key for key in response.data if key.split(".")[0] == "preferences"], response.data
    assert not NotificationPreference.objects.exists()


def test_patch_malformed_json_is_400(clients):
    response = clients["student"].patch(PREFERENCES, '{"preferences": [', content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.data
    assert not NotificationPreference.objects.exists()


def test_patch_partly_bad_input_changes_nothing(clients, student):
    body = {"preferences": [{"type": "announcement", "email": False}, {"type": "nope", "email": False}]}

    response = clients["student"].patch(PREFERENCES, body, format="json")

    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()
