"""Erasure (README "Privacy"): asked for with the password, signs out everywhere, runs after the grace
period unless canceled, admins erase at once (audited), the run resumes after a worker dies, and the
account can never sign in again while its e-mail can register anew."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from accounts.services import tokens_for_user
from accounts.tests.factories import PASSWORD, AdminFactory, StudentFactory
from conftest import client_for
from privacy import registry, services
from privacy.models import AuditEvent, ErasureRequest, ErasureStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

ERASURE = "/api/v1/me/erasure/"


def login(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/login/", {"email": email, "password": password}, format="json")


def test_a_wrong_password_is_refused(anon_client):
    student = StudentFactory()
    response = client_for(student).post(ERASURE, {"password": "not-it"}, format="json")
    assert response.status_code == 400
    assert ErasureRequest.objects.count() == 0


@pytest.mark.parametrize("body", [{}, {"password": ""}, {"password": 7}, {"password": "x" * 500}])
def test_bad_input_is_a_400(body):
    assert client_for(StudentFactory()).post(ERASURE, body, format="json").status_code == 400


def test_the_request_signs_out_everywhere_and_runs_after_the_grace_period(
    anon_client, django_capture_on_commit_callbacks
):
    student = StudentFactory(email="ada@example.com")
    tokens = tokens_for_user(student)
    client = client_for(student)

    response = client.post(ERASURE, {"password": PASSWORD}, format="json")

    assert response.status_code == 202, response.content
    erasure = ErasureRequest.objects.get(user=student)
    assert response.json() == {"scheduled_for": erasure.scheduled_for.isoformat().replace("+00:00", "Z")}
    assert abs(erasure.scheduled_for - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)
    # Every session is signed out: the old access and refresh tokens no longer work.
    assert client.get("/api/v1/auth/me/").status_code == 401
    refreshed = anon_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401
    # Signing in again during the grace period works; a second request is a 409.
    assert login(anon_client, "ada@example.com").status_code == 200
    again = client_for(User.objects.get(pk=student.pk)).post(ERASURE, {"password": PASSWORD}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "erasure_pending"

    with time_machine.travel(erasure.scheduled_for - timedelta(minutes=1)):
        assert services.erasures_due() == []
    with time_machine.travel(erasure.scheduled_for + timedelta(minutes=1)):
        assert services.erasures_due() == [erasure.pk]
        with django_capture_on_commit_callbacks(execute=True):
            services.erasure_run(erasure_id=erasure.pk)

    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE
    assert erasure.steps_done == [e.name for e in registry.erasers()]
    user = User.objects.get(pk=student.pk)
    assert user.erased_at is not None and not user.is_active
    assert user.email != "ada@example.com" and user.email.endswith(".invalid")
    assert login(anon_client, "ada@example.com").status_code == 401
    # The e-mail is free: a new person can register with it.
    signup = anon_client.post(
        "/api/v1/auth/register/",
        {"email": "ada@example.com", "password": PASSWORD, "first_name": "Ada", "last_name": "New"},
        format="json",
    )
    assert signup.status_code == 201, signup.content


def test_a_pending_erasure_can_be_canceled():
    student = StudentFactory()
    services.erasure_request(user=student, password=PASSWORD)
    client = client_for(User.objects.get(pk=student.pk))

    assert client.delete(ERASURE).status_code == 204
    assert ErasureRequest.objects.get().status == ErasureStatus.CANCELED
    assert client.delete(ERASURE).status_code == 409
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert services.erasures_due() == []
    # And asked for again.
    assert client.post(ERASURE, {"password": PASSWORD}, format="json").status_code == 202


def test_anonymous_is_refused(anon_client):
    assert anon_client.post(ERASURE, {"password": "x"}, format="json").status_code == 401
    assert anon_client.delete(ERASURE).status_code == 401


def test_a_run_cut_short_resumes_where_it_stopped(monkeypatch):
    """A worker dies half way (an eraser raises): the steps done are recorded; the rerun does the rest,
    each eraser once."""
    student = StudentFactory()
    erasure = ErasureRequest.objects.create(user=student, scheduled_for=timezone.now())
    erasers = registry.erasers()
    calls: list[str] = []
    crash = {"armed": True}
    victim = erasers[len(erasers) // 2].name

    def wrap(eraser):
        def erase(user):
            if eraser.name == victim and crash["armed"]:
                crash["armed"] = False
                raise RuntimeError("worker killed")
            calls.append(eraser.name)
            eraser.erase(user)

        return registry.Eraser(
            name=eraser.name, models=eraser.models, erase=erase, policy=eraser.policy, order=eraser.order
        )

    for eraser in erasers:
        monkeypatch.setitem(registry._erasers, eraser.name, wrap(eraser))

    with pytest.raises(RuntimeError):
        services.erasure_run(erasure_id=erasure.pk)
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.RUNNING
    assert erasure.steps_done == [e.name for e in erasers[: len(erasers) // 2]]

    services.erasure_run(erasure_id=erasure.pk)

    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE
    assert calls == [e.name for e in erasers]  # each once, in order
    assert services.erasure_run(erasure_id=erasure.pk) is None  # done: nothing more


def test_an_admin_erases_at_once_and_it_is_audited(django_capture_on_commit_callbacks):
    admin, student = AdminFactory(), StudentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(f"/api/v1/admin/users/{student.pk}/erase/")

    assert response.status_code == 202, response.content
    assert response.json()["status"] in ("pending", "running", "done")
    assert ErasureRequest.objects.get(user=student).status == ErasureStatus.DONE
    assert User.objects.get(pk=student.pk).erased_at is not None
    event = AuditEvent.objects.get(action="erase")
    assert (event.actor, event.subject_id) == (admin, student.pk)
    listed = client_for(admin).get("/api/v1/admin/erasures/").json()
    assert [row["user_id"] for row in listed["results"]] == [student.pk]


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_only_admins_erase_others(role):
    from accounts.tests.factories import InstructorFactory

    actor = StudentFactory() if role == "student" else InstructorFactory()
    target = StudentFactory()
    assert client_for(actor).post(f"/api/v1/admin/users/{target.pk}/erase/").status_code == 403
    assert client_for(actor).get("/api/v1/admin/erasures/").status_code == 403
    assert ErasureRequest.objects.count() == 0


def test_an_admin_cannot_erase_themself_nor_a_missing_user():
    admin = AdminFactory()
    assert client_for(admin).post(f"/api/v1/admin/users/{admin.pk}/erase/").status_code == 400
    assert client_for(admin).post("/api/v1/admin/users/999999/erase/").status_code == 404


def test_the_last_active_admin_is_refused_when_asking():
    admin = AdminFactory()
    response = client_for(admin).post(ERASURE, {"password": PASSWORD}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "last_admin"
    assert ErasureRequest.objects.count() == 0
    AdminFactory()  # another active admin: now the first may go
    assert (
        client_for(User.objects.get(pk=admin.pk)).post(ERASURE, {"password": PASSWORD}, format="json").status_code
        == 202
    )
