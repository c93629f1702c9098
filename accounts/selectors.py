"""Reads of accounts, scoped to who is asking."""

from django.contrib.admin.models import LogEntry
from django.db.models import F, QuerySet
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from .models import InstructorProfile, Role, SignInLockout, User


def user_list_for_admin() -> QuerySet[User]:
    """Every account, newest first (the admin API's user list; admins only, by its permission)."""
    return User.objects.order_by("-date_joined", "-id")


# --- a person's own data, for their export (accounts/privacy.py) ------------------------------------


def user_with_avatar(user: User) -> User:
    """The stored account with its avatar upload loaded."""
    return User.objects.select_related("avatar").get(pk=user.pk)


def instructor_profile_for_user(user: User) -> InstructorProfile | None:
    return InstructorProfile.objects.filter(user=user).first()


def signin_lockout_list_for_user(user: User) -> QuerySet[SignInLockout]:
    """The account's lockouts, oldest first."""
    return SignInLockout.objects.filter(user=user).order_by("locked_at", "pk")


def token_list_for_user(user: User) -> QuerySet[OutstandingToken]:
    """The account's sign-in sessions (refresh tokens issued), oldest first, each with when it was
    signed out (`signed_out_at`: blacklisted, by a sign-out, a rotation or a password change)."""
    return (
        OutstandingToken.objects.filter(user=user)
        .annotate(signed_out_at=F("blacklistedtoken__blacklisted_at"))
        .order_by("created_at", "pk")
    )


def admin_log_list_by_user(user: User) -> QuerySet[LogEntry]:
    """What the user did in the admin (staff, or once staff), oldest first."""
    return LogEntry.objects.filter(user=user).select_related("content_type").order_by("action_time", "pk")


def user_is_last_active_admin(user: User) -> bool:
    """Whether `user` is the only active administrator (who then cannot be demoted, deactivated or erased)."""
    if user.role != Role.ADMIN or not user.is_active:
        return False
    return not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists()
