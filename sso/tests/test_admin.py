"""Identity links in the admin: listed read-only; staff remove links through the service."""

import pytest
from django.test import Client

from sso.models import IdentityLink
from sso.services import identity_link_create

pytestmark = pytest.mark.django_db
BASE = "/admin/sso/identitylink/"


@pytest.fixture
def links(student, other_student):
    return [
        identity_link_create(user=student, provider="school", subject="s-1", email=student.email),
        identity_link_create(user=other_student, provider="google", subject="g-1", email=other_student.email),
    ]


def test_the_list_loads_with_filters_and_search(staff, links, student):
    assert staff.get(BASE).context["cl"].result_count == 2
    assert staff.get(BASE + "?provider=school").context["cl"].result_count == 1
    assert staff.get(BASE + f"?q={student.email}").context["cl"].result_count == 1
    assert staff.get(BASE + "?q=g-1").context["cl"].result_count == 1


def test_links_are_read_only(staff, links):
    assert staff.get(BASE + "add/").status_code == 403
    assert staff.post(f"{BASE}{links[0].pk}/delete/", {"post": "yes"}).status_code == 403
    page = staff.post(f"{BASE}{links[0].pk}/change/", {"subject": "changed"})
    assert page.status_code == 403
    assert IdentityLink.objects.get(pk=links[0].pk).subject == "s-1"


def test_staff_remove_links_with_the_action(staff, links):
    response = staff.post(BASE, {"action": "unlink", "_selected_action": [links[0].pk]}, follow=True)

    assert response.status_code == 200
    assert "1 identity link removed." in response.content.decode()
    assert list(IdentityLink.objects.values_list("subject", flat=True)) == ["g-1"]


def test_students_and_instructors_cannot_open_the_page(student, instructor, links):
    for user in (student, instructor):
        client = Client()
        client.force_login(user)
        assert client.get(BASE).status_code == 302
