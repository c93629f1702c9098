"""Every write to accounts goes through here: the API, the admin, tasks and commands call these."""

import json
import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import update_last_login
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from activity.models import Verb
from activity.services import activity_record
from lms.emails import templated_email
from lms.errors import Conflict, InvalidInput, NotPermitted
from lms.events import publish
from lms.i18n import language_of
from lms.jobs import enqueue_on_commit
from lms.services import model_update
from media.models import Upload, UploadPurpose
from media.services import upload_attach, upload_release

from . import signin_limits
from .access import can_edit_profile, require_admin
from .models import (
    ERASED_EMAIL_DOMAIN,
    InstructorProfile,
    LockoutNotice,
    Role,
    SignInLockout,
    User,
    erased_email,
    normalize_email,
)
from .tasks import password_reset_email_send_task, signin_lockout_email_send_task

PROFILE_FIELDS = ("headline", "bio", "expertise", "website")
EMAIL_TAKEN = gettext_lazy("A user with this e-mail address already exists.")
NOT_OWN_PROFILE = gettext_lazy("You can only change your own profile.")
EMAIL_NOT_USABLE = gettext_lazy("This e-mail address cannot be used.")
USER_ERASED = gettext_lazy("This account was erased: it cannot be used again.")


def _check_usable_email(email: str) -> None:
    """Erased accounts' pseudonyms live in ERASED_EMAIL_DOMAIN: nobody else may take one."""
    if email.endswith("@" + ERASED_EMAIL_DOMAIN):
        raise ValidationError({"email": [EMAIL_NOT_USABLE]})


def _validate_password(password: str, user: User, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.STUDENT,
    language: str = "",
) -> User:
    """Creates an active user with a validated password. A taken e-mail, in any letter case, is a
    ValidationError on `email`. Instructors get an (empty) instructor profile. `language`: the
    profile's language ("" follows the browser; lms.i18n)."""
    email = normalize_email(email)
    _check_usable_email(email)
    user = User(email=email, first_name=first_name, last_name=last_name, role=role, language=language)
    user.is_staff = user.is_superuser = role == Role.ADMIN
    _validate_password(password, user)
    user.set_password(password)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [EMAIL_TAKEN]})
    with transaction.atomic(savepoint=False):  # the event commits with the account, or neither does
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:  # a concurrent sign-up with the same e-mail won the race
            raise ValidationError({"email": [EMAIL_TAKEN]}) from exc
        if role == Role.INSTRUCTOR:
            InstructorProfile.objects.create(user=user)
        activity_record(actor=user, verb=Verb.USER_SIGNED_UP, target=user, metadata={"role": role})
        publish("user.created", user)
    return user


@transaction.atomic
def instructor_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    headline: str = "",
    bio: str = "",
    expertise: str = "",
    website: str = "",
    language: str = "",
) -> User:
    user = user_create(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=Role.INSTRUCTOR,
        language=language,
    )
    InstructorProfile.objects.filter(user=user).update(headline=headline, bio=bio, expertise=expertise, website=website)
    user.instructor_profile.refresh_from_db()
    return user


@transaction.atomic
def user_update_profile(*, actor: User | None, user: User, data: dict) -> User:
    """Updates names, the language, the avatar (`avatar`: an upload id or None, as user_avatar_set) and, for
    instructors, the instructor profile (PROFILE_FIELDS); other keys of `data` are ignored: role,
    e-mail and flags change elsewhere (user_set_role, user_set_email, user_deactivate). Who may: the
    user themself or an admin (the admin's user page); `actor=None` for the platform. Works on the
    stored rows (`user` may carry a form's unsaved changes) and writes only the fields that changed;
    no lock (the last write of a field wins). Returns the stored user."""
    if actor is not None and not can_edit_profile(actor, user):
        raise NotPermitted(NOT_OWN_PROFILE, code="not_owner")
    stored = User.objects.get(pk=user.pk)
    model_update(instance=stored, fields=("first_name", "last_name", "language"), data=data)
    if stored.role == Role.INSTRUCTOR and any(f in data for f in PROFILE_FIELDS):
        profile, _created = InstructorProfile.objects.get_or_create(user=stored)
        model_update(instance=profile, fields=PROFILE_FIELDS, data=data)
    if "avatar" in data:
        stored = user_avatar_set(actor=actor, user=stored, upload_id=data["avatar"])
    return stored


@transaction.atomic
def user_avatar_set(*, actor: User | None, user: User, upload_id) -> User:
    """Sets the user's avatar to a ready avatar upload (the actor's own, or anyone's for an admin;
    InvalidInput on `avatar` otherwise), or removes it with None. The avatar it replaces is deleted
    (its files after commit); the same id again changes nothing. Who may: the user themself or an
    admin; `actor=None` for the platform, which attaches the user's own uploads only. Takes the
    user's row lock and returns the stored user."""
    if actor is not None and not can_edit_profile(actor, user):
        raise NotPermitted(NOT_OWN_PROFILE, code="not_owner")
    stored = User.objects.select_for_update().get(pk=user.pk)
    current = stored.avatar_id
    if (current is None and upload_id is None) or (
        current is not None and upload_id is not None and str(current) == str(upload_id)
    ):
        return stored
    old = Upload.objects.filter(pk=current).first() if current else None
    new = None
    if upload_id is not None:
        new = upload_attach(actor=actor or stored, upload_id=upload_id, purposes=UploadPurpose.AVATAR, field="avatar")
    stored.avatar = new
    stored.save(update_fields=["avatar"])
    upload_release(upload=old)
    return stored


@transaction.atomic
def user_set_email(*, actor: User | None, user: User, email: str) -> User:
    """Changes the login e-mail (an admin's correction). Stored folded to lower case; one taken by
    another user, in any letter case, is a ValidationError on `email` (also under a concurrent
    change: the database's unique index decides, no lock needed). An erased account keeps its
    pseudonym (409 user_erased). Who may: admins; `actor=None` for the platform."""
    require_admin(actor)
    if user.erased_at is not None:
        raise Conflict(USER_ERASED, code="user_erased")
    email = normalize_email(email)
    _check_usable_email(email)
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": [EMAIL_TAKEN]})
    user.email = email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError as exc:
        raise ValidationError({"email": [EMAIL_TAKEN]}) from exc
    return user


def _active_admins_other_than(user: User):
    return User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)


@transaction.atomic
def user_set_role(*, actor: User | None, user: User, role: str) -> User:
    """Promotes or demotes. Admins are staff and superusers, others neither. The last active
    admin cannot be demoted (409): somebody must be able to run the platform. Who may: admins;
    `actor=None` for the platform (seed_demo). Locks the active admins' rows, so two concurrent
    demotions cannot both pass the "another admin" check."""
    require_admin(actor)
    if role not in Role.values:
        raise InvalidInput(_("Unknown role {role}.").format(role=repr(role)), code="invalid_role")
    # Lock the admins so two concurrent demotions cannot both pass the "another admin" check.
    list(User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).values_list("pk"))
    demoting_admin = user.role == Role.ADMIN and role != Role.ADMIN and user.is_active
    if demoting_admin and not _active_admins_other_than(user).exists():
        raise Conflict(_("The last active admin cannot be demoted."), code="last_admin")
    user.role = role
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    if role == Role.INSTRUCTOR:
        InstructorProfile.objects.get_or_create(user=user)
    return user


def _blacklist_all_tokens(user: User) -> None:
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in outstanding], ignore_conflicts=True)


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Deactivates without deleting anything the user made. Their access tokens stop working at
    once (authentication checks is_active) and their refresh tokens are blacklisted. The last
    active admin cannot be deactivated (409). Who may: admins; `actor=None` for the platform. Locks
    the active admins' rows (as user_set_role)."""
    require_admin(actor)
    list(User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).values_list("pk"))
    if user.role == Role.ADMIN and user.is_active and not _active_admins_other_than(user).exists():
        raise Conflict(_("The last active admin cannot be deactivated."), code="last_admin")
    user.is_active = False
    user.save(update_fields=["is_active"])
    _blacklist_all_tokens(user)
    return user


@transaction.atomic
def user_reactivate(*, actor: User | None, user: User) -> User:
    """Lets a deactivated user sign in again (their old tokens stay blacklisted); never an erased
    one (409 user_erased). Who may: admins; `actor=None` for the platform (seed_demo). No lock."""
    require_admin(actor)
    if user.erased_at is not None:
        raise Conflict(USER_ERASED, code="user_erased")
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


# --- erasure (the privacy app's last step: accounts/privacy.py) ----------------------------------


@transaction.atomic
def user_erase_identity(*, user: User) -> User:
    """Pseudonymises the account itself, the last step of an erasure (the other apps' erasers ran
    before): the e-mail becomes the unique non-routable erased_email(pk) (so the address may sign up
    anew, as a new person), first and last name and language are blanked, last_login forgotten, the
    password made unusable, the account inactive, `erased_at` set (full_name then reads "Deleted
    user"); the avatar is deleted (user_avatar_set, its files after commit), the instructor profile's
    text blanked, sign-in lockouts deleted, every token blacklisted then deleted, and the admin's log
    pseudonymised (admin_log_erase_for_user). What is kept: the row and its id (the user's kept posts,
    reviews, orders, courses point at it), role and date_joined (statistics).

    Who may call: the platform only (the privacy app's erasure job, after its own checks; there is no
    actor). Refuses the last active admin (409 last_admin): somebody must run the platform. Locks the
    active admins' rows (as user_deactivate) and the user's. Idempotent: a second run, or a run after a
    crash (everything here is one transaction), changes nothing and keeps the first `erased_at`."""
    list(User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).values_list("pk"))
    stored = User.objects.select_for_update().get(pk=user.pk)
    if stored.role == Role.ADMIN and stored.is_active and not _active_admins_other_than(stored).exists():
        raise Conflict(_("The last active admin cannot be erased."), code="last_admin")
    old_email, pseudonym = stored.email, erased_email(stored.pk)
    admin_log_erase_for_user(user=stored, email=old_email)
    if stored.avatar_id is not None:
        stored = user_avatar_set(actor=None, user=stored, upload_id=None)
    InstructorProfile.objects.filter(user=stored).filter(
        ~Q(headline="") | ~Q(bio="") | ~Q(expertise="") | ~Q(website="")
    ).update(headline="", bio="", expertise="", website="", updated_at=timezone.now())
    SignInLockout.objects.filter(user=stored).delete()
    _blacklist_all_tokens(stored)
    OutstandingToken.objects.filter(user=stored).delete()  # their blacklist rows go with them
    wanted = {
        "email": pseudonym,
        "first_name": "",
        "last_name": "",
        "language": "",
        "last_login": None,
        "is_active": False,
    }
    changed = [name for name, value in wanted.items() if getattr(stored, name) != value]
    for name in changed:
        setattr(stored, name, wanted[name])
    if stored.has_usable_password():
        stored.set_unusable_password()
        changed.append("password")
    if stored.erased_at is None:
        stored.erased_at = timezone.now()
        changed.append("erased_at")
    if changed:
        stored.save(update_fields=changed)
    if old_email != pseudonym:
        # The lock and failures counted against the old address must not greet its next owner.
        transaction.on_commit(lambda: signin_limits.clear(email=old_email))
    return stored


def _email_pattern(email: str) -> re.Pattern:
    """The address as a whole word: "alice@example.com" but not inside "malice@example.com" or
    "alice@example.com.au"; in plain text or JSON-escaped (the log's change messages are JSON)."""
    forms = {re.escape(email), re.escape(json.dumps(email)[1:-1])}
    return re.compile(rf"(?<![\w.+-])(?:{'|'.join(sorted(forms))})(?![\w-]|\.\w)", re.IGNORECASE)


@transaction.atomic
def admin_log_erase_for_user(*, user: User, email: str | None = None) -> int:
    """Pseudonymises the admin's log (django.contrib.admin's LogEntry) for an erased user: entries
    ABOUT the user (their account's page) get the pseudonym erased_email(pk) as their `object_repr`;
    any other entry whose `object_repr` or `change_message` holds the user's e-mail (`email`, by
    default the current one; other objects' names show their user's e-mail, e.g. "Instructor
    profile of ...") gets the pseudonym in its place. Change messages (which fields changed) are
    kept, and so are entries BY the user, who was staff: they now point at the pseudonymised account.

    Who may call: the platform only (user_erase_identity calls it with the address it replaces).
    Takes no lock: log entries are only ever added. Idempotent. Returns how many entries changed."""
    email = normalize_email(email or user.email)
    pseudonym = erased_email(user.pk)
    changed = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
        .exclude(object_repr=pseudonym)
        .update(object_repr=pseudonym)
    )
    if not email or email == pseudonym:
        return changed
    pattern = _email_pattern(email)
    escaped = json.dumps(email)[1:-1]
    candidates = LogEntry.objects.filter(
        Q(object_repr__icontains=email) | Q(change_message__icontains=email) | Q(change_message__icontains=escaped)
    ).only("pk", "object_repr", "change_message")
    for entry in candidates.iterator():
        object_repr = pattern.sub(pseudonym, entry.object_repr)[:200]
        message = pattern.sub(pseudonym, entry.change_message)
        if (object_repr, message) != (entry.object_repr, entry.change_message):
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=object_repr, change_message=message)
            changed += 1
    return changed


# --- sign-in limits -------------------------------------------------------------------------------
# Any form that checks a password goes through user_authenticate, or calls these three around its
# own check: signin_check first, then signin_failure_record or signin_success_record.


def signin_check(*, email: str, address: str | None) -> None:
    """Raises SignInLocked (429, with the seconds to wait) while the account or the address is
    locked after too many failed password checks (accounts.signin_limits)."""
    signin_limits.check(email=email, address=address)


def signin_failure_record(*, email: str, address: str | None) -> SignInLockout | None:
    """Counts a failed password check against the account and the address. If it locks the account,
    records the lockout and queues the owner's e-mail (see signin_lockout_record)."""
    locked_until = signin_limits.record_failure(email=email, address=address)
    if locked_until is None:
        return None
    return signin_lockout_record(
        email=email, address=address or "", locked_until=datetime.fromtimestamp(locked_until, tz=UTC)
    )


def signin_success_record(*, email: str) -> None:
    """A right password: that account's failures are forgiven (never the address's)."""
    signin_limits.record_success(email=email)


def signin_unlock(*, actor: User | None, user: User) -> None:
    """Lifts the account's sign-in lock and forgets its failed attempts (staff, after checking with
    the owner). The failures counted against addresses stay: they are not the account's. Who may:
    admins; `actor=None` for the platform. The lock lives in the cache: no row lock."""
    require_admin(actor)
    signin_limits.clear(email=user.email)


def user_authenticate(*, email: str, password: str, address: str | None, request=None) -> User | None:
    """Checks an e-mail and password under the sign-in limits. Returns the active user they belong
    to, or None for a wrong password, an unknown e-mail or an inactive account alike (all counted
    as failures). Raises SignInLocked while the account or the address is locked, even for the
    right password. `address` is the client's (lms.api.throttling.client_address)."""
    signin_check(email=email, address=address)
    user = authenticate(request, email=email, password=password)
    if user is None:
        signin_failure_record(email=email, address=address)
        return None
    signin_success_record(email=email)
    return user


def signin_lockout_record(*, email: str, address: str, locked_until: datetime) -> SignInLockout | None:
    """Records that the active account with this e-mail was locked, and queues its owner's e-mail
    after commit, unless the owner was e-mailed about another lockout within
    SIGNIN_LOCKOUT_EMAIL_INTERVAL_HOURS (a persistent attacker would otherwise mail-bomb them).
    Nothing for an e-mail with no active account: the API's answers are the same either way."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        # Serialises concurrent lockouts of one account, so only one of them is e-mailed.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        interval = timedelta(hours=settings.SIGNIN_LOCKOUT_EMAIL_INTERVAL_HOURS)
        told = SignInLockout.objects.filter(
            user=user, notice__in=[LockoutNotice.PENDING, LockoutNotice.SENT], locked_at__gt=now - interval
        ).exists()
        lockout = SignInLockout.objects.create(
            user=user,
            address=address[:64],
            locked_at=now,
            locked_until=locked_until,
            notice=LockoutNotice.SKIPPED if told else LockoutNotice.PENDING,
        )
        if lockout.notice == LockoutNotice.PENDING:
            # With the broker down the lockout still holds; the sweep sends the e-mail later.
            enqueue_on_commit(signin_lockout_email_send_task, lockout.pk)
    return lockout


def signin_lockout_email_send(*, lockout_id: int) -> bool:
    """Sends the owner's e-mail about a lockout, once: the lockout row is locked and marked sent in
    the same transaction, so a retried or duplicated job sends nothing twice. Nothing for a lockout
    already handled, or whose account was deactivated meanwhile. An SMTP error propagates (the task
    retries) and leaves the notice pending. Returns whether an e-mail was sent."""
    with transaction.atomic():
        lockout = SignInLockout.objects.select_for_update().filter(pk=lockout_id).first()
        if lockout is None or lockout.notice != LockoutNotice.PENDING:
            return False
        user = lockout.user
        if not user.is_active:
            lockout.notice = LockoutNotice.SKIPPED
            lockout.save(update_fields=["notice"])
            return False
        context = {
            "user": user,
            "lockout": lockout,
            "max_failures": settings.SIGNIN_ACCOUNT_MAX_FAILURES,
            "window_minutes": settings.SIGNIN_ACCOUNT_WINDOW_MINUTES,
            "interval_hours": settings.SIGNIN_LOCKOUT_EMAIL_INTERVAL_HOURS,
            "platform_name": settings.PLATFORM_NAME,
        }
        with translation.override(language_of(user)):  # the owner's language, not the attacker's
            message = templated_email(
                subject=_("Too many failed sign-ins to your account"),
                template="accounts/signin_lockout_email",
                context=context,
                to=user.email,
            )
        message.send()
        lockout.notice = LockoutNotice.SENT
        lockout.notified_at = timezone.now()
        lockout.save(update_fields=["notice", "notified_at"])
    return True


def signin_lockout_emails_send_pending(*, created_before: datetime, limit: int = 100) -> int:
    """The safety net behind the e-mail job: sends every lockout e-mail still pending from before
    `created_before` (its job was lost, e.g. the broker was down). Returns how many were sent."""
    pending = list(
        SignInLockout.objects.filter(notice=LockoutNotice.PENDING, locked_at__lt=created_before)
        .order_by("locked_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(signin_lockout_email_send(lockout_id=lockout_id) for lockout_id in pending)


def signin_lockouts_prune(*, older_than: datetime) -> int:
    """Deletes lockout records from before `older_than`. Returns how many."""
    deleted, _by_model = SignInLockout.objects.filter(locked_at__lt=older_than).delete()
    return deleted


def user_record_login(*, user: User) -> None:
    update_last_login(None, user)
    activity_record(actor=user, verb=Verb.USER_LOGGED_IN, target=user)


@transaction.atomic
def user_admin_update(
    *, actor: User | None, user: User, role: str | None = None, is_active: bool | None = None
) -> User:
    """An admin's change of role and/or active state, all or nothing (user_set_role,
    user_deactivate, user_reactivate, with their locks). Who may: admins; `actor=None` for the
    platform."""
    require_admin(actor)
    if role is not None and role != user.role:
        user_set_role(actor=actor, user=user, role=role)
    if is_active is False and user.is_active:
        user_deactivate(actor=actor, user=user)
    elif is_active is True and not user.is_active:
        user_reactivate(actor=actor, user=user)
    return user


def tokens_for_user(user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def logout(*, user: User, refresh: str) -> None:
    """Blacklists the caller's refresh token. A token that is invalid, expired, already
    blacklisted or someone else's is a 400."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise InvalidInput(_("Invalid refresh token: {error}").format(error=exc), code="token_not_valid") from exc
    if str(token.get("user_id")) != str(user.pk):
        raise InvalidInput(_("This refresh token belongs to another user."), code="token_not_valid")
    token.blacklist()


def refresh_token_claim(*, refresh: str) -> None:
    """Call inside the transaction that exchanges a refresh token: locks the token's row, so a
    concurrent exchange of the same token waits for this one to commit and then finds it
    blacklisted (simplejwt alone checks the blacklist, then blacklists: both would pass). Raises
    TokenError for an invalid, expired or blacklisted token."""
    jti = RefreshToken(refresh)[jwt_settings.JTI_CLAIM]  # signature, expiry and blacklist checked
    list(OutstandingToken.objects.select_for_update().filter(jti=jti).order_by().values_list("pk", flat=True))
    if BlacklistedToken.objects.filter(token__jti=jti).exists():
        raise TokenError("Token is blacklisted")


def user_change_password(
    *, user: User, old_password: str, new_password: str, address: str | None = None
) -> dict[str, str]:
    """Changes the password and signs out every other session: tokens issued before carry the old
    password hash and are refused; outstanding refresh tokens are blacklisted. Returns fresh
    tokens for the caller.

    The old password is checked under the sign-in limits, like a sign-in from `address`: SignInLocked
    (429) while the account or the address is locked, and a wrong one counts as a failure (recorded
    outside any transaction of this function, so the refusal does not roll the lockout back)."""
    signin_check(email=user.email, address=address)
    if not user.check_password(old_password):
        signin_failure_record(email=user.email, address=address)
        raise ValidationError({"old_password": [_("The current password is not correct.")]})
    signin_success_record(email=user.email)
    _validate_password(new_password, user, field="new_password")
    with transaction.atomic():
        user_set_password(user=user, password=new_password)
        return tokens_for_user(user)


@transaction.atomic
def user_set_password(*, user: User, password: str) -> User:
    """Sets a (validated) password and signs the user out everywhere: outstanding refresh tokens
    are blacklisted and access tokens carrying the old password hash are refused. After commit,
    the account's sign-in lock and failures are cleared (guesses at the old password no longer
    matter, and a reset is the owner's way out of a lockout)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    _blacklist_all_tokens(user)
    email = user.email
    transaction.on_commit(lambda: signin_limits.clear(email=email))
    return user


@transaction.atomic
def user_sign_out_everywhere(*, user: User, password: str) -> User:
    """Signs the user out of every session without changing their password: `password` (checked by
    the caller) is stored again under a new salt, so every access token carrying the old hash is
    refused, and outstanding refresh tokens are blacklisted. Signing in again works. Who: the
    platform, for the user themself (privacy's erasure request). Writes the user's row (no lock:
    the last write wins, and it writes the same password)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    _blacklist_all_tokens(user)
    return user


def password_reset_request(*, email: str) -> None:
    """Queues the reset e-mail job for this address, whether or not an active account has it: the
    job does the same work either way (looks the account up, makes a token, renders the e-mail) and
    only sends it to a real account. So the request does the same work for every address, even with
    jobs inline (CELERY_TASK_ALWAYS_EAGER), and neither its answer nor its timing tells who has an
    account. At most PASSWORD_RESET_EMAILS_PER_HOUR jobs per address, counted whether or not an
    account has it; beyond that, nothing is queued (silently: the owner already has working links)."""
    if signin_limits.reset_email_allowed(email=email):
        # With the broker down the request still succeeds (the user can simply ask again).
        enqueue_on_commit(password_reset_email_send_task, normalize_email(email))


def password_reset_email_send_to(*, email: str) -> bool:
    """Sends a reset e-mail if an active account has this e-mail. For an address with no account,
    builds the same e-mail for a stand-in user and sends nothing, so both cost the same but the
    sending. Returns whether an e-mail was sent."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    message = _password_reset_message(user or User(email=normalize_email(email)))
    if user is None:
        message.message().as_bytes()  # what every e-mail backend does first: the MIME encoding
        return False
    message.send()
    return True


def _password_reset_message(user: User) -> EmailMultiAlternatives:
    """The reset e-mail, in the account owner's language (the default one for a stand-in user)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "reset_url": settings.PASSWORD_RESET_URL.format(uid=uid, token=token),
        "uid": uid,
        "token": token,
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    with translation.override(language_of(user)):
        return templated_email(
            subject=_("Reset your password"), template="accounts/password_reset_email", context=context, to=user.email
        )


def password_reset_email_send(*, user: User) -> None:
    _password_reset_message(user).send()


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Sets a new password from an e-mailed token. The token is single-use: it is bound to the
    password hash, which this changes. Every session of the user is signed out."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uid))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise ValidationError({"token": [_("This password reset link is invalid or has expired.")]})
    _validate_password(new_password, user, field="new_password")
    return user_set_password(user=user, password=new_password)
