"""accounts' exporter and eraser (accounts/privacy.py): the account, the instructor profile, sign-in
lockouts, the sign-in sessions (simplejwt's tokens) and the admin's log."""

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import services
from accounts.models import InstructorProfile, SignInLockout, User, erased_email
from accounts.privacy import ERASER, EXPORTER
from accounts.signin_limits import SignInLocked
from accounts.tests.factories import PASSWORD, AdminFactory, InstructorFactory, StudentFactory
from lms.errors import Conflict
from media import storage
from media.models import Upload, UploadPurpose
from media.tests.factories import UploadFactory
from privacy import registry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _lockout(user, address="203.0.113.9"):
    now = timezone.now()
    return SignInLockout.objects.create(
        user=user, address=address, locked_at=now, locked_until=now + timedelta(minutes=15)
    )


def _log(user, obj, *, flag=CHANGE, message="", repr_=None):
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=repr_ if repr_ is not None else str(obj)[:200],
        action_flag=flag,
        change_message=message,
    )


def _avatar(user, tmp_path):
    upload = UploadFactory(owner=user, purpose=UploadPurpose.AVATAR, filename="me.png", content_type="image/png")
    upload.key = f"public/{upload.pk}/me.png"
    upload.save(update_fields=["key"])
    source = tmp_path / "me.png"
    source.write_bytes(b"png bytes")
    storage.put_file(upload.key, str(source))
    return services.user_avatar_set(actor=user, user=user, upload_id=upload.pk)


@pytest.fixture
def person(tmp_path):
    """An instructor with a bit of everything accounts holds: a profile, an avatar, a lockout, two
    sign-in sessions (one signed out)."""
    user = InstructorFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace", language="fr")
    InstructorProfile.objects.filter(user=user).update(website="https://ada.example.com")
    user = _avatar(user, tmp_path)
    services.tokens_for_user(user)
    services.logout(user=user, refresh=services.tokens_for_user(user)["refresh"])
    _lockout(user)
    services.user_record_login(user=user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def bystander():
    """Someone else, with the same kinds of rows, who must come out untouched."""
    user = InstructorFactory(email="malice@example.com", first_name="Mal", last_name="Ice")
    services.tokens_for_user(user)
    _lockout(user)
    return user


def test_registered_with_its_models():
    assert registry.exporters() and EXPORTER in registry.exporters()
    assert ERASER in registry.erasers() and registry.erasers()[-1] is ERASER
    assert ERASER.order == 1000
    labels = {m._meta.label for m in ERASER.models}
    assert {"accounts.InstructorProfile", "accounts.SignInLockout", "token_blacklist.OutstandingToken"} <= labels
    assert "admin.LogEntry" in labels and "admin.LogEntry" in {m._meta.label for m in EXPORTER.models}
    uncovered = registry.uncovered()
    mine = {
        "accounts.InstructorProfile",
        "accounts.SignInLockout",
        "token_blacklist.OutstandingToken",
        "admin.LogEntry",
    }
    assert not mine & set(uncovered["export"]) and not mine & set(uncovered["erase"])


# --- export ---------------------------------------------------------------------------------------------
def test_export_holds_the_person_and_nobody_else(person, bystander):
    data = EXPORTER.export(person)
    json.dumps(data)  # JSON-able as it is

    (profile,) = data["profile"]
    assert profile["email"] == "ada@example.com"
    assert (profile["first_name"], profile["last_name"], profile["role"], profile["language"]) == (
        "Ada",
        "Lovelace",
        "instructor",
        "fr",
    )
    assert profile["date_joined"] == person.date_joined.isoformat()
    assert profile["last_login"] == person.last_login.isoformat()
    assert profile["avatar"] == "profile/avatar/me.png"
    (instructor,) = data["instructor_profile"]
    assert instructor["website"] == "https://ada.example.com" and instructor["headline"] == "Teaches things"
    (lockout,) = data["sign_in_lockouts"]
    assert "address" not in lockout  # may be an attacker's address, not the person's data
    assert len(data["sessions"]) == 2
    assert sorted(bool(s["signed_out_at"]) for s in data["sessions"]) == [False, True]
    text = json.dumps(data)
    assert "malice" not in text and "Mal" not in text
    for secret in OutstandingToken.objects.filter(user=person).values_list("token", "jti"):
        assert secret[0] not in text and secret[1] not in text
    assert person.password not in text
    assert data["admin_actions"] == []


def test_export_files_is_the_avatar(person, bystander):
    avatar = Upload.objects.get(owner=person)
    assert list(EXPORTER.files(person)) == [("profile/avatar/me.png", avatar.key)]
    assert list(EXPORTER.files(bystander)) == []
    with storage.open_read(avatar.key) as f:
        assert f.read() == b"png bytes"


def test_export_of_staff_lists_their_admin_actions_without_others_names(person):
    admin = AdminFactory()
    _log(admin, person, message='[{"changed": {"fields": ["First name"]}}]')
    _log(person, person, message="[]")  # an entry about the person, by the person: counted once, as theirs

    mine = EXPORTER.export(admin)["admin_actions"]
    assert mine == [
        {
            "action_time": LogEntry.objects.filter(user=admin).get().action_time.isoformat(),
            "action": "changed",
            "object_type": "accounts.user",
            "object_id": str(person.pk),
        }
    ]
    assert "ada@example.com" not in json.dumps(EXPORTER.export(admin))
    assert len(EXPORTER.export(person)["admin_actions"]) == 1  # entries staff made about them are left out


def test_export_of_a_bare_student():
    student = StudentFactory()
    data = EXPORTER.export(student)
    assert data["instructor_profile"] == data["sign_in_lockouts"] == data["sessions"] == data["admin_actions"] == []
    assert data["profile"][0]["avatar"] is None
    assert list(EXPORTER.files(student)) == []


# --- erase ----------------------------------------------------------------------------------------------
def test_erase_pseudonymises_the_account(person, bystander, django_capture_on_commit_callbacks):
    avatar = Upload.objects.get(owner=person)
    avatar_key = avatar.key
    with django_capture_on_commit_callbacks(execute=True):
        ERASER.erase(person)

    user = User.objects.get(pk=person.pk)
    assert user.email == erased_email(person.pk) == f"erased-{person.pk}@erased.invalid"
    assert (user.first_name, user.last_name, user.language, user.last_login) == ("", "", "", None)
    assert not user.has_usable_password() and not user.is_active
    assert user.erased_at is not None and user.is_erased
    assert user.full_name == "Deleted user" and str(user) == user.email
    assert user.role == "instructor" and user.date_joined == person.date_joined
    # the avatar and its file are gone
    assert user.avatar_id is None and not Upload.objects.filter(pk=avatar.pk).exists()
    assert not storage.exists(avatar_key)
    # the instructor profile's text is blanked; the row stays
    profile = InstructorProfile.objects.get(user=user)
    assert (profile.headline, profile.bio, profile.expertise, profile.website) == ("", "", "", "")
    # lockouts and tokens deleted
    assert not SignInLockout.objects.filter(user=user).exists()
    assert not OutstandingToken.objects.filter(user=user).exists()
    assert not BlacklistedToken.objects.filter(token__user=user).exists()
    # the bystander is untouched, exactly
    other = User.objects.get(pk=bystander.pk)
    assert (other.email, other.first_name, other.is_active, other.erased_at) == (
        "malice@example.com",
        "Mal",
        True,
        None,
    )
    assert other.full_name == "Mal Ice"
    assert InstructorProfile.objects.get(user=other).headline == "Teaches things"
    assert SignInLockout.objects.filter(user=other).count() == 1
    assert OutstandingToken.objects.filter(user=other).count() == 1
    assert OutstandingToken.objects.count() == 1 and SignInLockout.objects.count() == 1


def test_erased_account_never_signs_in_and_its_address_signs_up_anew(person):
    ERASER.erase(person)

    assert services.user_authenticate(email="ada@example.com", password=PASSWORD, address=None) is None
    erased = User.objects.get(pk=person.pk)
    assert services.user_authenticate(email=erased.email, password=PASSWORD, address=None) is None
    with pytest.raises(Conflict):
        services.user_reactivate(actor=None, user=erased)
    with pytest.raises(Conflict):
        services.user_set_email(actor=None, user=erased, email="ada2@example.com")

    newcomer = services.user_create(email="Ada@Example.com", password="An0ther-long-pw", first_name="Ada")
    assert newcomer.pk != person.pk and newcomer.full_name == "Ada"


def test_nobody_signs_up_with_an_erased_address(person):
    with pytest.raises(ValidationError) as exc:
        services.user_create(email=erased_email(person.pk + 1), password="An0ther-long-pw")
    assert "email" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.user_set_email(actor=None, user=person, email="erased-99@ERASED.invalid")


def test_erase_twice_changes_nothing(person, bystander):
    ERASER.erase(person)
    first = User.objects.get(pk=person.pk)
    entries = list(LogEntry.objects.values_list("pk", "object_repr", "change_message"))
    sessions = OutstandingToken.objects.count()

    ERASER.erase(person)

    again = User.objects.get(pk=person.pk)
    for field in ("email", "password", "erased_at", "first_name", "is_active", "last_login"):
        assert getattr(again, field) == getattr(first, field)
    assert list(LogEntry.objects.values_list("pk", "object_repr", "change_message")) == entries
    assert OutstandingToken.objects.count() == sessions == 1


def test_erase_without_anything_to_erase():
    student = StudentFactory()
    ERASER.erase(student)
    assert User.objects.get(pk=student.pk).is_erased


def test_the_last_active_admin_is_not_erased():
    admin = AdminFactory()
    with pytest.raises(Conflict):
        ERASER.erase(admin)
    assert not User.objects.get(pk=admin.pk).is_erased
    AdminFactory()
    ERASER.erase(admin)
    assert User.objects.get(pk=admin.pk).is_erased


def test_admin_log_about_the_person_names_the_pseudonym(person, bystander):
    admin = AdminFactory()
    about = _log(admin, person, message='[{"changed": {"fields": ["First name"]}}]')
    profile = InstructorProfile.objects.get(user=person)
    added = _log(
        admin,
        person,
        flag=CHANGE,
        message=json.dumps([{"added": {"name": "instructor profile", "object": str(profile)}}]),
    )
    on_profile = _log(admin, profile)  # "Instructor profile of ada@example.com"
    on_bystander = _log(admin, bystander)  # malice@example.com: holds "alice@...", not the person's address
    by_them = _log(person, bystander, flag=ADDITION, message="[]")

    ERASER.erase(person)

    pseudonym = erased_email(person.pk)
    about.refresh_from_db()
    assert about.object_repr == pseudonym
    assert about.change_message == '[{"changed": {"fields": ["First name"]}}]'  # kept
    added.refresh_from_db()
    assert "ada@example.com" not in added.change_message and pseudonym in added.change_message
    on_profile.refresh_from_db()
    assert on_profile.object_repr == f"Instructor profile of {pseudonym}"
    on_bystander.refresh_from_db()
    assert on_bystander.object_repr == "malice@example.com"
    by_them.refresh_from_db()
    assert by_them.user_id == person.pk and by_them.object_repr == "malice@example.com"
    assert LogEntry.objects.count() == 5
    assert not LogEntry.objects.filter(object_repr__icontains="ada@example.com").exists()
    assert not LogEntry.objects.filter(change_message__icontains="ada@example.com").exists()


def test_a_crash_rolls_the_whole_step_back(person, monkeypatch):
    """Everything user_erase_identity does is one transaction: a worker dying half way leaves the
    account as it was, and the rerun does it all."""

    def boom(**kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(services, "admin_log_erase_for_user", boom)
    with pytest.raises(RuntimeError):
        ERASER.erase(person)
    monkeypatch.undo()
    stored = User.objects.get(pk=person.pk)
    assert stored.email == "ada@example.com" and stored.erased_at is None

    ERASER.erase(person)
    assert User.objects.get(pk=person.pk).is_erased


def test_sign_in_limits_of_the_old_address_are_cleared(person, settings, django_capture_on_commit_callbacks):
    settings.SIGNIN_ACCOUNT_MAX_FAILURES = 2
    for _ in range(2):
        services.signin_failure_record(email="ada@example.com", address=None)
    with pytest.raises(SignInLocked):
        services.signin_check(email="ada@example.com", address=None)
    with django_capture_on_commit_callbacks(execute=True):
        ERASER.erase(person)
    services.signin_check(email="ada@example.com", address=None)  # not locked for the address's next owner


def test_policy_and_describe_cover_the_fields():
    assert all(isinstance(v, str) and v for v in ERASER.policy.values())
    assert {"User.email", "User.first_name", "User.avatar", "OutstandingToken", "LogEntry.object_repr"} <= set(
        ERASER.policy
    )
    assert {"profile.email", "sessions.issued_at", "admin_actions.action"} <= set(EXPORTER.describe)
