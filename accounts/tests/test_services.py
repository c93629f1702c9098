"""accounts.services called directly, as the admin, tasks and commands call them."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.models import InstructorProfile, Role, User
from accounts.tests.factories import PASSWORD, AdminFactory, InstructorFactory
from lms.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db

STRONG = "Sup3r-secret-pw"


def refresh_is_blacklisted(refresh: str) -> bool:
    try:
        RefreshToken(refresh)
    except TokenError:
        return True
    return False


# --- user_create ---------------------------------------------------------------------------------
def test_user_create_student():
    user = services.user_create(email="  Ada@Example.COM ", password=STRONG, first_name="Ada", last_name="L")

    user.refresh_from_db()
    assert user.email == "ada@example.com"
    assert (user.role, user.is_staff, user.is_superuser, user.is_active) == (Role.STUDENT, False, False, True)
    assert user.check_password(STRONG)
    assert user.password != STRONG
    assert not InstructorProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@example.com", "Ada@EXAMPLE.com"])
def test_user_create_duplicate_email_any_case(email):
    services.user_create(email="ada@example.com", password=STRONG)

    with pytest.raises(ValidationError) as exc:
        services.user_create(email=email, password=STRONG)

    assert "email" in exc.value.message_dict
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "ada@example.com"])
def test_user_create_weak_password(password):
    with pytest.raises(ValidationError) as exc:
        services.user_create(email="ada@example.com", password=password)

    assert "password" in exc.value.message_dict
    assert not User.objects.exists()


def test_user_create_admin_is_staff_and_superuser():
    user = services.user_create(email="boss@example.com", password=STRONG, role=Role.ADMIN)

    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser) == (Role.ADMIN, True, True)


def test_user_create_instructor_gets_a_profile():
    user = services.user_create(email="teach@example.com", password=STRONG, role=Role.INSTRUCTOR)

    assert InstructorProfile.objects.filter(user=user).exists()
    assert not User.objects.get(pk=user.pk).is_staff


def test_database_enforces_admins_are_staff():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="x@example.com", role=Role.ADMIN, is_staff=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="y@example.com", role=Role.STUDENT, is_staff=True)


def test_database_enforces_case_insensitive_unique_email():
    User.objects.create(email="ada@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ADA@example.com")


# --- instructor_register -------------------------------------------------------------------------
def test_instructor_register():
    user = services.instructor_register(
        email="Teach@Example.com",
        password=STRONG,
        first_name="T",
        last_name="Eacher",
        headline="Chef",
        bio="Cooks.",
        expertise="Knives",
        website="https://chef.example.com",
    )

    assert user.role == Role.INSTRUCTOR
    assert user.email == "teach@example.com"
    profile = InstructorProfile.objects.get(user=user)
    assert (profile.headline, profile.bio, profile.expertise, profile.website) == (
        "Chef",
        "Cooks.",
        "Knives",
        "https://chef.example.com",
    )
    assert user.instructor_profile.headline == "Chef"


def test_instructor_register_weak_password_creates_nothing():
    with pytest.raises(ValidationError):
        services.instructor_register(email="teach@example.com", password="123", headline="Chef")

    assert not User.objects.exists()
    assert not InstructorProfile.objects.exists()


def test_instructor_register_duplicate_email(student):
    with pytest.raises(ValidationError) as exc:
        services.instructor_register(email=student.email.upper(), password=STRONG)

    assert "email" in exc.value.message_dict
    assert User.objects.get(pk=student.pk).role == Role.STUDENT


# --- user_update_profile -------------------------------------------------------------------------
def test_user_update_profile_instructor(instructor):
    services.user_update_profile(
        actor=None, user=instructor, data={"first_name": "New", "headline": "H", "website": ""}
    )

    instructor.refresh_from_db()
    assert instructor.first_name == "New"
    assert InstructorProfile.objects.get(user=instructor).headline == "H"


def test_user_update_profile_ignores_role_email_and_flags(student):
    before = (student.email, student.role, student.is_staff, student.is_active)

    services.user_update_profile(
        actor=None,
        user=student,
        data={"role": Role.ADMIN, "email": "x@example.com", "is_staff": True, "is_active": False, "headline": "H"},
    )

    student.refresh_from_db()
    assert (student.email, student.role, student.is_staff, student.is_active) == before
    assert not InstructorProfile.objects.filter(user=student).exists()


# --- user_set_role -------------------------------------------------------------------------------
def test_promote_student_to_instructor(student):
    services.user_set_role(actor=None, user=student, role=Role.INSTRUCTOR)

    student.refresh_from_db()
    assert (student.role, student.is_staff, student.is_superuser) == (Role.INSTRUCTOR, False, False)
    assert InstructorProfile.objects.filter(user=student).exists()


def test_promote_to_admin_makes_staff_and_superuser(instructor):
    services.user_set_role(actor=None, user=instructor, role=Role.ADMIN)

    instructor.refresh_from_db()
    assert (instructor.role, instructor.is_staff, instructor.is_superuser) == (Role.ADMIN, True, True)


def test_demote_instructor_keeps_the_profile(instructor):
    headline = instructor.instructor_profile.headline

    services.user_set_role(actor=None, user=instructor, role=Role.STUDENT)

    instructor.refresh_from_db()
    assert instructor.role == Role.STUDENT
    assert InstructorProfile.objects.get(user=instructor).headline == headline


def test_demote_admin_when_another_active_admin_exists(admin_user):
    AdminFactory()

    services.user_set_role(actor=None, user=admin_user, role=Role.STUDENT)

    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_staff, admin_user.is_superuser) == (Role.STUDENT, False, False)


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR])
def test_last_active_admin_cannot_be_demoted(admin_user, role):
    AdminFactory(is_active=False)  # an inactive admin cannot run the platform

    with pytest.raises(Conflict) as exc:
        services.user_set_role(actor=None, user=admin_user, role=role)

    assert exc.value.code == "last_admin"
    assert exc.value.status_code == 409
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_staff) == (Role.ADMIN, True)


def test_last_admin_can_keep_the_admin_role(admin_user):
    services.user_set_role(actor=None, user=admin_user, role=Role.ADMIN)

    assert User.objects.get(pk=admin_user.pk).role == Role.ADMIN


def test_inactive_admin_can_be_demoted(admin_user):
    inactive = AdminFactory(is_active=False)

    services.user_set_role(actor=None, user=inactive, role=Role.STUDENT)

    assert User.objects.get(pk=inactive.pk).role == Role.STUDENT


def test_set_unknown_role(student):
    with pytest.raises(InvalidInput):
        services.user_set_role(actor=None, user=student, role="superhero")

    assert User.objects.get(pk=student.pk).role == Role.STUDENT


# --- user_deactivate / user_reactivate -----------------------------------------------------------
def test_user_deactivate_blacklists_outstanding_tokens(student, other_student):
    mine = [services.tokens_for_user(student)["refresh"] for _ in range(3)]
    theirs = services.tokens_for_user(other_student)["refresh"]

    services.user_deactivate(actor=None, user=student)

    student.refresh_from_db()
    assert not student.is_active
    assert all(refresh_is_blacklisted(t) for t in mine)
    assert not refresh_is_blacklisted(theirs)
    assert not OutstandingToken.objects.filter(user=student, blacklistedtoken__isnull=True).exists()


def test_user_deactivate_twice_is_harmless(student):
    services.tokens_for_user(student)
    services.user_deactivate(actor=None, user=student)

    services.user_deactivate(actor=None, user=student)

    assert BlacklistedToken.objects.filter(token__user=student).count() == 1


def test_last_active_admin_cannot_be_deactivated(admin_user):
    with pytest.raises(Conflict):
        services.user_deactivate(actor=None, user=admin_user)

    assert User.objects.get(pk=admin_user.pk).is_active


def test_admin_can_be_deactivated_when_another_is_active(admin_user):
    AdminFactory()

    services.user_deactivate(actor=None, user=admin_user)

    assert not User.objects.get(pk=admin_user.pk).is_active
    # Now the remaining admin is the last one.
    with pytest.raises(Conflict):
        services.user_deactivate(actor=None, user=User.objects.get(role=Role.ADMIN, is_active=True))


def test_user_reactivate(student):
    services.user_deactivate(actor=None, user=student)

    services.user_reactivate(actor=None, user=student)

    assert User.objects.get(pk=student.pk).is_active


# --- logout and password change ------------------------------------------------------------------
def test_logout_blacklists_own_token(student):
    refresh = services.tokens_for_user(student)["refresh"]

    services.logout(user=student, refresh=refresh)

    assert refresh_is_blacklisted(refresh)
    with pytest.raises(InvalidInput):
        services.logout(user=student, refresh=refresh)


def test_logout_refuses_another_users_token(student, other_student):
    refresh = services.tokens_for_user(other_student)["refresh"]

    with pytest.raises(InvalidInput):
        services.logout(user=student, refresh=refresh)

    assert not refresh_is_blacklisted(refresh)


def test_user_change_password(student):
    old = services.tokens_for_user(student)["refresh"]

    new = services.user_change_password(user=student, old_password=PASSWORD, new_password="Brand-New-Pass-77")

    student.refresh_from_db()
    assert student.check_password("Brand-New-Pass-77")
    assert refresh_is_blacklisted(old)
    assert not refresh_is_blacklisted(new["refresh"])


def test_user_change_password_wrong_old(student):
    with pytest.raises(ValidationError) as exc:
        services.user_change_password(user=student, old_password="nope", new_password="Brand-New-Pass-77")

    assert "old_password" in exc.value.message_dict
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_user_change_password_weak_new(student):
    with pytest.raises(ValidationError) as exc:
        services.user_change_password(user=student, old_password=PASSWORD, new_password="password")

    assert "new_password" in exc.value.message_dict
    assert User.objects.get(pk=student.pk).check_password(PASSWORD)


# --- password reset ------------------------------------------------------------------------------
def test_password_reset_request_unknown_email_reveals_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.password_reset_request(email="nobody@example.com")

    assert result is None
    assert len(callbacks) == 1  # the same job as for an account (see test_password_reset_same_work.py)
    assert mail.outbox == []


def test_password_reset_request_inactive_user_sends_nothing(student, django_capture_on_commit_callbacks):
    User.objects.filter(pk=student.pk).update(is_active=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.password_reset_request(email=student.email)

    assert result is None
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_password_reset_request_known_email_sends_after_commit(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.password_reset_request(email=student.email.upper())

    assert result is None
    assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [student.email]
    assert mail.outbox[0].subject == "Reset your password"


def test_password_reset_task_skips_user_deactivated_meanwhile(student):
    from accounts.tasks import password_reset_email_send_task

    User.objects.filter(pk=student.pk).update(is_active=False)

    password_reset_email_send_task.delay(student.pk)

    assert mail.outbox == []


def test_password_reset_confirm_is_single_use(student):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(student.pk))
    token = default_token_generator.make_token(student)
    refresh = services.tokens_for_user(student)["refresh"]

    services.password_reset_confirm(uid=uid, token=token, new_password="Brand-New-Pass-77")

    assert User.objects.get(pk=student.pk).check_password("Brand-New-Pass-77")
    assert refresh_is_blacklisted(refresh)
    with pytest.raises(ValidationError) as exc:
        services.password_reset_confirm(uid=uid, token=token, new_password="Third-Str0ng-Pass")
    assert "token" in exc.value.message_dict


@pytest.mark.parametrize("uid", ["", "!!!", "MTIzNDU2Nzg5MA", "YWJj"])
def test_password_reset_confirm_bad_uid(student, uid):
    with pytest.raises(ValidationError) as exc:
        services.password_reset_confirm(uid=uid, token="abc-123", new_password="Brand-New-Pass-77")

    assert "token" in exc.value.message_dict


def test_tokens_for_instructor(db):
    user = InstructorFactory()

    tokens = services.tokens_for_user(user)

    assert RefreshToken(tokens["refresh"])["user_id"] == str(user.pk)
    assert OutstandingToken.objects.filter(user=user).count() == 1
