"""The account services that act for a person check their `actor` themselves (defence in depth:
an admin page or a script that forgets is still refused). Called directly as the wrong user they
raise NotPermitted and change nothing; an admin and the platform (actor=None) succeed, and a user
may change their own profile."""

import pytest

from accounts import services
from accounts.models import Role, User
from accounts.tests.factories import InstructorFactory, StudentFactory
from lms.errors import NotPermitted

pytestmark = pytest.mark.django_db

NOT_ADMINS = ["student", "instructor"]


@pytest.fixture
def target():
    return StudentFactory(first_name="Ada")


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_user_set_role_refuses_non_admins(request, target, who):
    with pytest.raises(NotPermitted):
        services.user_set_role(actor=request.getfixturevalue(who), user=target, role=Role.ADMIN)
    assert User.objects.get(pk=target.pk).role == Role.STUDENT


def test_a_user_cannot_promote_themself(student):
    with pytest.raises(NotPermitted):
        services.user_set_role(actor=student, user=student, role=Role.ADMIN)
    assert User.objects.get(pk=student.pk).role == Role.STUDENT


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_user_deactivate_and_reactivate_refuse_non_admins(request, target, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotPermitted):
        services.user_deactivate(actor=actor, user=target)
    assert User.objects.get(pk=target.pk).is_active
    services.user_deactivate(actor=None, user=target)
    with pytest.raises(NotPermitted):
        services.user_reactivate(actor=actor, user=target)
    assert not User.objects.get(pk=target.pk).is_active


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_user_admin_update_user_set_email_and_signin_unlock_refuse_non_admins(request, target, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotPermitted):
        services.user_admin_update(actor=actor, user=target, role=Role.INSTRUCTOR)
    with pytest.raises(NotPermitted):
        services.user_set_email(actor=actor, user=target, email="taken-over@example.com")
    with pytest.raises(NotPermitted):
        services.signin_unlock(actor=actor, user=target)
    stored = User.objects.get(pk=target.pk)
    assert (stored.role, stored.email) == (Role.STUDENT, target.email)


@pytest.mark.parametrize("who", ["admin_user", None])
def test_admins_and_the_platform_administer_users(request, target, who):
    actor = request.getfixturevalue(who) if who else None
    services.user_set_role(actor=actor, user=target, role=Role.INSTRUCTOR)
    services.user_set_email(actor=actor, user=target, email="ada.new@example.com")
    services.user_deactivate(actor=actor, user=target)
    services.user_reactivate(actor=actor, user=target)
    services.user_admin_update(actor=actor, user=target, role=Role.STUDENT, is_active=False)
    services.signin_unlock(actor=actor, user=target)
    stored = User.objects.get(pk=target.pk)
    assert (stored.role, stored.email, stored.is_active) == (Role.STUDENT, "ada.new@example.com", False)


@pytest.mark.parametrize("who", ["other_student", "instructor"])
def test_user_update_profile_refuses_anyone_but_the_user_and_admins(request, target, who):
    with pytest.raises(NotPermitted):
        services.user_update_profile(actor=request.getfixturevalue(who), user=target, data={"first_name": "Eve"})
    assert User.objects.get(pk=target.pk).first_name == "Ada"


@pytest.mark.parametrize("who", ["self", "admin_user", None])
def test_the_user_an_admin_and_the_platform_update_a_profile(request, who):
    target = InstructorFactory(first_name="Ada")
    actor = {"self": target, None: None}.get(who) if who in ("self", None) else request.getfixturevalue(who)
    stored = services.user_update_profile(actor=actor, user=target, data={"first_name": "Grace", "headline": "New"})
    assert stored.first_name == "Grace"
    target.refresh_from_db()
    assert (target.first_name, target.instructor_profile.headline) == ("Grace", "New")


def test_user_update_profile_writes_what_changed_from_the_stored_row(student):
    """The instance may carry a form's unsaved change (the admin's user page): the data decides,
    and fields not in it are left as stored."""
    student.first_name = "Unsaved"
    student.last_name = "AlsoUnsaved"
    services.user_update_profile(actor=student, user=student, data={"first_name": "Saved"})
    stored = User.objects.get(pk=student.pk)
    assert stored.first_name == "Saved"
    assert stored.last_name != "AlsoUnsaved"
