"""What accounts holds about a person, and how it is exported and erased (privacy.registry).

Covers the account itself, the instructor profile, sign-in lockouts, and two third-party models
with a user link: simplejwt's OutstandingToken (the sign-in sessions) and the admin's LogEntry.
The eraser runs last (order 1000): every other app's kept rows then point at the pseudonymised
account, which reads "Deleted user"."""

from collections.abc import Iterator

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from media.models import UploadStatus
from privacy.registry import Eraser, Exporter

from . import selectors, services
from .models import InstructorProfile, SignInLockout, User

ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _avatar_path(upload) -> str:
    return f"profile/avatar/{upload.filename}"


def _avatar_ready(upload) -> bool:
    return upload is not None and upload.status == UploadStatus.READY and bool(upload.key)


def export(user: User) -> dict:
    stored = selectors.user_with_avatar(user)
    avatar = stored.avatar if _avatar_ready(stored.avatar) else None
    profile = {
        "id": stored.pk,
        "email": stored.email,
        "first_name": stored.first_name,
        "last_name": stored.last_name,
        "role": stored.role,
        "language": stored.language,
        "is_active": stored.is_active,
        "date_joined": _iso(stored.date_joined),
        "last_login": _iso(stored.last_login),
        "avatar": _avatar_path(avatar) if avatar else None,
    }
    instructor = selectors.instructor_profile_for_user(stored)
    return {
        "profile": [profile],
        "instructor_profile": [
            {
                "headline": instructor.headline,
                "bio": instructor.bio,
                "expertise": instructor.expertise,
                "website": instructor.website,
                "created_at": _iso(instructor.created_at),
                "updated_at": _iso(instructor.updated_at),
            }
        ]
        if instructor is not None
        else [],
        "sign_in_lockouts": [
            {
                "id": lockout.pk,
                "locked_at": _iso(lockout.locked_at),
                "locked_until": _iso(lockout.locked_until),
                "notice": lockout.notice,
                "notified_at": _iso(lockout.notified_at),
            }
            for lockout in selectors.signin_lockout_list_for_user(stored)
        ],
        "sessions": [
            {
                "issued_at": _iso(token.created_at),
                "expires_at": _iso(token.expires_at),
                "signed_out_at": _iso(token.signed_out_at),
            }
            for token in selectors.token_list_for_user(stored)
        ],
        "admin_actions": [
            {
                "action_time": _iso(entry.action_time),
                "action": ACTIONS.get(entry.action_flag, str(entry.action_flag)),
                "object_type": f"{entry.content_type.app_label}.{entry.content_type.model}"
                if entry.content_type_id
                else None,
                "object_id": entry.object_id,
            }
            for entry in selectors.admin_log_list_by_user(stored)
        ],
    }


def files(user: User) -> Iterator[tuple[str, str]]:
    avatar = selectors.user_with_avatar(user).avatar
    if _avatar_ready(avatar):
        yield _avatar_path(avatar), avatar.key


def erase(user: User) -> None:
    services.user_erase_identity(user=user)


EXPORTER = Exporter(
    name="accounts",
    models=(User, InstructorProfile, SignInLockout, OutstandingToken, LogEntry),
    export=export,
    files=files,
    describe={
        "profile.id": "Your account's number on the platform.",
        "profile.email": "The e-mail address you sign in with.",
        "profile.first_name": "Your first name, as shown to others.",
        "profile.last_name": "Your last name, as shown to others.",
        "profile.role": "Your role: student, instructor or admin.",
        "profile.language": "The language the platform writes to you in (empty: your browser's).",
        "profile.is_active": "Whether the account may sign in.",
        "profile.date_joined": "When you signed up.",
        "profile.last_login": "When you last signed in.",
        "profile.avatar": "Your profile picture: the file at this path in this zip (empty: none).",
        "instructor_profile.headline": "The one-line headline of your instructor profile.",
        "instructor_profile.bio": "Your instructor biography.",
        "instructor_profile.expertise": "The subjects you teach, as you listed them.",
        "instructor_profile.website": "The website on your instructor profile.",
        "instructor_profile.created_at": "When your instructor profile was created.",
        "instructor_profile.updated_at": "When your instructor profile last changed.",
        "sign_in_lockouts.locked_at": "When your account was locked after too many failed sign-ins "
        "(the address the failures came from is left out: it may be someone else's).",
        "sign_in_lockouts.locked_until": "When that lock ended.",
        "sign_in_lockouts.notice": "Whether you were e-mailed about it: sent, pending or not sent.",
        "sign_in_lockouts.notified_at": "When that e-mail was sent.",
        "sessions.issued_at": "When a sign-in session (a refresh token) was issued; the token itself is "
        "a secret and is not included.",
        "sessions.expires_at": "When that session would expire.",
        "sessions.signed_out_at": "When it was ended: a sign-out, a renewal or a password change (empty: still open).",
        "admin_actions.action_time": "Staff only: when you added, changed or deleted something in the "
        "admin. Entries that staff made about you are not included: they are staff actions in the "
        "admin, not your data.",
        "admin_actions.action": "What you did: added, changed or deleted.",
        "admin_actions.object_type": "The kind of record (app.model); its name is left out, as it may "
        "name someone else.",
        "admin_actions.object_id": "The record's id.",
    },
)

ERASER = Eraser(
    name="accounts",
    models=(User, InstructorProfile, SignInLockout, OutstandingToken, LogEntry),
    erase=erase,
    order=1000,  # last: the other apps' kept rows then point at the pseudonym
    policy={
        "User.email": "deleted: replaced by a unique non-routable address (erased-<id>@erased.invalid), "
        "the pseudonym; the old address may sign up again, as a new person",
        "User.first_name": 'deleted (blanked): the account reads "Deleted user"',
        "User.last_name": "deleted (blanked)",
        "User.language": "deleted (blanked)",
        "User.avatar": "deleted, with its files",
        "User.password": "deleted: made unusable; the account is inactive and can never sign in again",
        "User.last_login": "deleted",
        "User.erased_at": "set: when the account was erased",
        "User.id": "kept, pseudonymised: what others need (forum posts, reviews, orders, courses) points "
        'at the account, which reads "Deleted user"',
        "User.role": "kept: the instructor of a kept course stays its instructor",
        "User.date_joined": "kept: sign-ups per period stay counted; says nothing about who it was",
        "InstructorProfile.headline": 'deleted (blanked): the instructor\'s courses stay readable under "Deleted user"',
        "InstructorProfile.bio": "deleted (blanked)",
        "InstructorProfile.expertise": "deleted (blanked)",
        "InstructorProfile.website": "deleted (blanked)",
        "SignInLockout": "deleted",
        "OutstandingToken": "deleted (every sign-in session blacklisted first)",
        "LogEntry.object_repr": "kept, pseudonymised: entries about the user name the pseudonym address, "
        "and the pseudonym replaces the e-mail wherever else it appears in the log",
        "LogEntry.change_message": "kept: which fields staff changed, the record of staff actions (the "
        "e-mail, if it appears, is replaced by the pseudonym)",
        "LogEntry.user": "kept, pseudonymised: entries by the user (staff) record what staff did, and "
        "point at the pseudonymised account",
    },
)
