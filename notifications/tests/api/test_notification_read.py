"""Unread count, marking one read (the recipient only: others get 404) and marking all read."""

import pytest

from notifications.models import Notification
from notifications.tests.api.helpers import NOTIFICATIONS, READ_ALL, SIGNED_IN, UNREAD_COUNT, give, read_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", SIGNED_IN)
def test_unread_count_counts_only_own_unread(clients, role):
    given = {r: give(clients[r].user, n) for n, r in enumerate(SIGNED_IN, start=2)}
    clients[role].post(read_url(given[role][0]))

    response = clients[role].get(UNREAD_COUNT)

    assert response.status_code == 200
    assert response.data == {"count": len(given[role]) - 1}


def test_mark_one_read(clients, student):
    first, second = give(student, 2)

    response = clients["student"].post(read_url(first))

    assert response.status_code == 200
    assert response.data["id"] == first.pk
    assert response.data["read_at"] is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert clients["student"].get(UNREAD_COUNT).data == {"count": 1}


def test_marking_read_twice_keeps_the_first_time(clients, student):
    (note,) = give(student)
    clients["student"].post(read_url(note))
    note.refresh_from_db()
    first_read_at = note.read_at

    response = clients["student"].post(read_url(note))

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.read_at == first_read_at


@pytest.mark.parametrize("role", ["other_student", "instructor", "other_instructor", "admin"])
def test_marking_someone_elses_notification_read_is_404(clients, student, role):
    (note,) = give(student)

    response = clients[role].post(read_url(note))

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_an_unknown_notification_read_is_404(clients):
    assert clients["student"].post(f"{NOTIFICATIONS}999999/read/").status_code == 404


@pytest.mark.parametrize("role", SIGNED_IN)
def test_read_all_marks_only_own(clients, student, other_student, role):
    theirs = {r: give(clients[r].user, 3) for r in SIGNED_IN}

    response = clients[role].post(READ_ALL)

    assert response.status_code == 200
    assert response.data == {"updated": 3}
    for r, notes in theirs.items():
        unread = Notification.objects.filter(pk__in=[n.pk for n in notes], read_at__isnull=True).count()
        assert unread == (0 if r == role else 3)
    assert clients[role].get(UNREAD_COUNT).data == {"count": 0}
    assert clients[role].post(READ_ALL).data == {"updated": 0}


def test_notification_detail_and_write_routes_do_not_exist(clients, student):
    (note,) = give(student)

    assert clients["student"].get(f"{NOTIFICATIONS}{note.pk}/").status_code in (404, 405)
    assert clients["student"].delete(f"{NOTIFICATIONS}{note.pk}/").status_code in (404, 405)
    assert clients["student"].post(NOTIFICATIONS, {"title": "x"}, format="json").status_code == 405
    assert Notification.objects.count() == 1
