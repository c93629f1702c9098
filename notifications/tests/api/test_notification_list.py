"""GET /api/v1/notifications/: one's own inbox, newest first, filtered, cursor-paginated."""

import pytest

from notifications.tests.api.helpers import NOTIFICATIONS, SIGNED_IN, give, read_url, result_ids

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", SIGNED_IN)
def test_each_user_lists_only_their_own_notifications_newest_first(clients, role):
    users = {r: clients[r].user for r in SIGNED_IN}
    mine = {r: give(u, 2, prefix=r) for r, u in users.items()}

    response = clients[role].get(NOTIFICATIONS)

    assert response.status_code == 200
    assert set(response.data) == {"next", "previous", "results"}
    assert result_ids(response) == [n.pk for n in reversed(mine[role])]
    first = response.data["results"][0]
    assert set(first) >= {"id", "type", "title", "body", "payload", "read_at", "created_at"}
    assert first["type"] == "announcement"
    assert first["title"] == f"{role} 1"
    assert first["payload"] == {"n": 1}
    assert first["read_at"] is None


def test_unread_filter(clients, student):
    notes = give(student, 4)
    clients["student"].post(read_url(notes[1]))
    clients["student"].post(read_url(notes[3]))

    unread = clients["student"].get(NOTIFICATIONS, {"unread": "true"})
    read = clients["student"].get(NOTIFICATIONS, {"unread": "false"})
    everything = clients["student"].get(NOTIFICATIONS)

    assert unread.status_code == read.status_code == everything.status_code == 200
    assert result_ids(unread) == [notes[2].pk, notes[0].pk]
    assert result_ids(read) == [notes[3].pk, notes[1].pk]
    assert len(result_ids(everything)) == 4


def test_cursor_pagination_follows_next_without_duplicates(clients, student, other_student):
    notes = give(student, 25)
    give(other_student, 3)

    seen = []
    pages = 0
    url = f"{NOTIFICATIONS}?page_size=10"
    while url:
        response = clients["student"].get(url)
        assert response.status_code == 200
        seen += result_ids(response)
        url = response.data["next"]
        pages += 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
    assert seen == [n.pk for n in reversed(notes)]


def test_cursor_pagination_is_stable_when_new_notifications_arrive(clients, student):
    notes = give(student, 12)
    first = clients["student"].get(NOTIFICATIONS, {"page_size": 5})
    give(student, 3, prefix="Later")

    second = clients["student"].get(first.data["next"])

    assert result_ids(first) == [n.pk for n in reversed(notes)][:5]
    assert result_ids(second) == [n.pk for n in reversed(notes)][5:10]
