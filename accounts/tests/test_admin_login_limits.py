"""The admin site's login and "change my password" pages are under the API's sign-in limits
(accounts.admin_forms): the same counters per account and per address, a lock refuses even the right
password, and while locked no password is hashed at all (guessing is no way to burn the server's CPU)."""

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, AdminFactory, StudentFactory

LOGIN = "/api/v1/auth/login/"
ADMIN_LOGIN = "/admin/login/"
ADMIN_PASSWORD_CHANGE = "/admin/password_change/"
OFFICE = "203.0.113.50"
ELSEWHERE = "198.51.100.20"
NEW_PASSWORD = "Brand-New-Pass-77"

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


@pytest.fixture
def hashing(monkeypatch):
    """Counts the password hasher's work (verify, and encode: Django hashes once for an unknown
    e-mail too). A spy: the real hasher still runs."""
    hasher_class = type(get_hasher())
    calls = []
    for name in ("verify", "encode"):
        original = getattr(hasher_class, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(hasher_class, name, spy)
    return calls


def admin_login(email, password=PASSWORD, address=OFFICE, client=None):
    client = client or Client()
    response = client.post(
        ADMIN_LOGIN, {"username": email, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )
    response.client = client
    return response


def signed_in(response) -> bool:
    return response.status_code == 302 and response.client.get("/admin/").status_code == 200


def api_sign_in(email, password=PASSWORD, address=OFFICE):
    return APIClient().post(LOGIN, {"email": email, "password": password}, REMOTE_ADDR=address)


def form_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def assert_locked(response, words="for this account"):
    assert response.status_code == 429, response.status_code
    assert int(response["Retry-After"]) > 0
    [message] = form_errors(response)
    assert "Too many failed sign-in attempts" in message and words in message
    assert "_auth_user_id" not in response.client.session


def test_the_admin_account_is_locked_after_10_wrong_guesses(now):
    admin = AdminFactory()

    wrong = [admin_login(admin.email, f"guess-{n}") for n in range(10)]
    right = admin_login(admin.email)  # the right password, refused

    assert [r.status_code for r in wrong] == [200] * 10  # the form again, with its error
    assert all(form_errors(r) == [form_errors(wrong[0])[0]] for r in wrong)
    assert_locked(right)
    assert right["Retry-After"] == "900"
    assert "15 minutes" in form_errors(right)[0]
    assert not signed_in(right)
    # From anywhere, and through the API too: the counters are the API's.
    assert_locked(admin_login(admin.email, address=ELSEWHERE))
    assert api_sign_in(admin.email, address=ELSEWHERE).json()["code"] == "account_locked"
    # Once the lock ends, the right password signs in.
    now.shift(15 * 60)
    assert signed_in(admin_login(admin.email))


def test_api_failures_lock_the_admin_login(now):
    admin = AdminFactory()

    assert [api_sign_in(admin.email, f"guess-{n}").status_code for n in range(10)] == [401] * 10

    assert_locked(admin_login(admin.email, address=ELSEWHERE))


def test_a_right_admin_password_forgives_the_account_its_failures(now):
    admin = AdminFactory()
    for n in range(9):
        api_sign_in(admin.email, f"typo-{n}")

    assert signed_in(admin_login(admin.email))
    assert [api_sign_in(admin.email, f"again-{n}").status_code for n in range(9)] == [401] * 9


def test_a_students_right_password_at_the_admin_login_counts_as_a_failure(now):
    """Else the admin would be an oracle: the right password would reset the count."""
    student = StudentFactory()
    for n in range(9):
        api_sign_in(student.email, f"guess-{n}")

    refused = admin_login(student.email)

    assert refused.status_code == 200 and not signed_in(refused)
    assert api_sign_in(student.email).json()["code"] == "account_locked"


def test_a_password_spray_at_the_admin_login_is_stopped_after_100_failures(now):
    admin, colleague = AdminFactory(), AdminFactory()

    statuses = [admin_login(f"someone{n}@example.org", "Summer2024!").status_code for n in range(105)]

    assert statuses == [200] * 100 + [429] * 5
    assert_locked(admin_login(admin.email), words="from your network")
    assert api_sign_in(admin.email).json()["code"] == "too_many_failures"
    # Only that address: another one signs in, to another account or this one.
    assert signed_in(admin_login(colleague.email, address=ELSEWHERE))
    assert signed_in(admin_login(admin.email, address=ELSEWHERE))


def test_the_lock_reads_the_same_for_an_unknown_and_a_known_email(now):
    admin = AdminFactory()
    for email in (admin.email, "nobody-here@example.com"):
        for n in range(10):
            admin_login(email, f"guess-{n}", address=ELSEWHERE if email == admin.email else OFFICE)

    known, unknown = admin_login(admin.email, address=ELSEWHERE), admin_login("nobody-here@example.com")

    assert_locked(known)
    assert_locked(unknown)
    assert form_errors(known) == form_errors(unknown)
    assert known["Retry-After"] == unknown["Retry-After"]


def test_no_password_is_hashed_while_locked(now, hashing):
    admin = AdminFactory()
    for n in range(10):
        admin_login(admin.email, f"guess-{n}")
    assert hashing.count("verify") == 10  # the control: each guess was checked

    hashing.clear()
    for password in (PASSWORD, "another-guess"):
        assert_locked(admin_login(admin.email, password))
    assert hashing == []


def test_no_password_is_hashed_while_the_address_is_locked(now, hashing):
    for n in range(100):
        admin_login(f"someone{n}@example.org", "Summer2024!")
    assert len(hashing) == 100  # the control: unknown e-mails are hashed once each (no timing oracle)

    hashing.clear()
    assert_locked(admin_login("someone-else@example.org", "Summer2024!"), words="from your network")
    assert hashing == []


# --- the admin's "change my password" page --------------------------------------------------------------
def change_password(client, old, new=NEW_PASSWORD, address=OFFICE):
    body = {"old_password": old, "new_password1": new, "new_password2": new}
    response = client.post(ADMIN_PASSWORD_CHANGE, body, REMOTE_ADDR=address)
    response.client = client
    return response


def test_wrong_old_passwords_on_the_admin_password_page_lock_the_account(now, hashing):
    admin = AdminFactory()
    client = Client()
    client.force_login(admin)

    statuses = [change_password(client, f"guess-{n}").status_code for n in range(10)]
    hashing.clear()
    blocked = change_password(client, PASSWORD)

    assert statuses == [200] * 10
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert "Too many failed sign-in attempts" in str(blocked.context["form"].errors["old_password"])
    assert hashing == []
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)
    assert api_sign_in(admin.email, address=ELSEWHERE).json()["code"] == "account_locked"


def test_the_right_old_password_changes_it_and_clears_the_failures(now, django_capture_on_commit_callbacks):
    admin = AdminFactory()
    for n in range(9):
        api_sign_in(admin.email, f"typo-{n}")
    client = Client()
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = change_password(client, PASSWORD)

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password(NEW_PASSWORD)
    assert client.get("/admin/").status_code == 200  # still signed in here
    assert [api_sign_in(admin.email, f"again-{n}").status_code for n in range(9)] == [401] * 9
