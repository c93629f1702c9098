"""Every write to accounts goes through here: the API, the admin, tasks and commands call these."""

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import update_last_login
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from activity.models import Verb
from activity.services import activity_record
from lms.errors import Conflict, InvalidInput

from .models import InstructorProfile, Role, User, normalize_email

PROFILE_FIELDS = ("headline", "bio", "expertise", "website")


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
) -> User:
    """Creates an active user with a validated password. A taken e-mail, in any letter case, is a
    ValidationError on `email`. Instructors get an (empty) instructor profile."""
    email = normalize_email(email)
    user = User(email=email, first_name=first_name, last_name=last_name, role=role)
    user.is_staff = user.is_superuser = role == Role.ADMIN
    _validate_password(password, user)
    user.set_password(password)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["A user with this e-mail address already exists."]})
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same e-mail won the race
        raise ValidationError({"email": ["A user with this e-mail address already exists."]}) from exc
    if role == Role.INSTRUCTOR:
        InstructorProfile.objects.create(user=user)
    activity_record(actor=user, verb=Verb.USER_SIGNED_UP, target=user, metadata={"role": role})
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
) -> User:
    user = user_create(email=email, password=password, first_name=first_name, last_name=last_name, role=Role.INSTRUCTOR)
    InstructorProfile.objects.filter(user=user).update(headline=headline, bio=bio, expertise=expertise, website=website)
    user.instructor_profile.refresh_from_db()
    return user


@transaction.atomic
def user_update_profile(*, user: User, data: dict) -> User:
    """Updates names and, for instructors, the instructor profile. Role, e-mail and flags are not
    changed here (see user_set_role / user_deactivate)."""
    changed = [f for f in ("first_name", "last_name") if f in data]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        user.save(update_fields=changed)
    profile_data = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
    if profile_data and user.role == Role.INSTRUCTOR:
        profile, _ = InstructorProfile.objects.get_or_create(user=user)
        for field, value in profile_data.items():
            setattr(profile, field, value)
        profile.save()
    return user


def _active_admins_other_than(user: User):
    return User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Promotes or demotes. Admins are staff and superusers, others neither. The last active
    admin cannot be demoted (409): somebody must be able to run the platform."""
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}.", code="invalid_role")
    # Lock the admins so two concurrent demotions cannot both pass the "another admin" check.
    list(User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).values_list("pk"))
    demoting_admin = user.role == Role.ADMIN and role != Role.ADMIN and user.is_active
    if demoting_admin and not _active_admins_other_than(user).exists():
        raise Conflict("The last active admin cannot be demoted.", code="last_admin")
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
def user_deactivate(*, user: User) -> User:
    """Deactivates without deleting anything the user made. Their access tokens stop working at
    once (authentication checks is_active) and their refresh tokens are blacklisted."""
    list(User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).values_list("pk"))
    if user.role == Role.ADMIN and user.is_active and not _active_admins_other_than(user).exists():
        raise Conflict("The last active admin cannot be deactivated.", code="last_admin")
    user.is_active = False
    user.save(update_fields=["is_active"])
    _blacklist_all_tokens(user)
    return user


@transaction.atomic
def user_reactivate(*, user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def user_record_login(*, user: User) -> None:
    update_last_login(None, user)
    activity_record(actor=user, verb=Verb.USER_LOGGED_IN, target=user)


@transaction.atomic
def user_admin_update(*, user: User, role: str | None = None, is_active: bool | None = None) -> User:
    """An admin's change of role and/or active state, all or nothing."""
    if role is not None and role != user.role:
        user_set_role(user=user, role=role)
    if is_active is False and user.is_active:
        user_deactivate(user=user)
    elif is_active is True and not user.is_active:
        user_reactivate(user=user)
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
        raise InvalidInput(f"Invalid refresh token: {exc}", code="token_not_valid") from exc
    if str(token.get("user_id")) != str(user.pk):
        raise InvalidInput("This refresh token belongs to another user.", code="token_not_valid")
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


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> dict[str, str]:
    """Changes the password and signs out every other session: tokens issued before carry the old
    password hash and are refused; outstanding refresh tokens are blacklisted. Returns fresh
    tokens for the caller."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["The current password is not correct."]})
    _validate_password(new_password, user, field="new_password")
    user_set_password(user=user, password=new_password)
    return tokens_for_user(user)


@transaction.atomic
def user_set_password(*, user: User, password: str) -> User:
    """Sets a (validated) password and signs the user out everywhere: outstanding refresh tokens
    are blacklisted and access tokens carrying the old password hash are refused."""
    user.set_password(password)
    user.save(update_fields=["password"])
    _blacklist_all_tokens(user)
    return user


def password_reset_request(*, email: str) -> None:
    """Queues a reset e-mail if an active account has this e-mail. Says nothing either way, so the
    endpoint cannot be used to find out who has an account."""
    from lms.jobs import enqueue_on_commit

    from .tasks import password_reset_email_send_task

    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is not None:
        # With the broker down the request still succeeds (the user can simply ask again).
        enqueue_on_commit(password_reset_email_send_task, user.pk)


def password_reset_email_send(*, user: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "reset_url": settings.PASSWORD_RESET_URL.format(uid=uid, token=token),
        "uid": uid,
        "token": token,
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    message = EmailMultiAlternatives(
        subject="Reset your password",
        body=render_to_string("accounts/password_reset_email.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("accounts/password_reset_email.html", context), "text/html")
    message.send()


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Sets a new password from an e-mailed token. The token is single-use: it is bound to the
    password hash, which this changes. Every session of the user is signed out."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uid))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise ValidationError({"token": ["This password reset link is invalid or has expired."]})
    _validate_password(new_password, user, field="new_password")
    return user_set_password(user=user, password=new_password)
