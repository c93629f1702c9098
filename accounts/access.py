"""Who may do what with a user account, in one place. `user_for` fetches the account by the id a
client sent and authorizes the caller in one call; the services re-check with the predicates below,
so a caller that forgets (an admin page, a script) is still refused.

Needs:
- "administer" (the only one): change another user's role, active state or e-mail, or lift their
  sign-in lock: admins only (403 `not_admin`). An unknown id is a 404.

Signing in to an app for one role (the instructor app) needs that role: `role_require`, 403
`wrong_role`.

A user's own profile, password and sessions are theirs (accounts.services: user_update_profile,
user_change_password, logout take the user themself); they are never looked up by id.
"""

from typing import Literal

from django.utils.translation import gettext_lazy as _

from lms.access import check_need, object_or_404
from lms.errors import Message, NotPermitted

from .models import User
from .roles import is_admin

Need = Literal["administer"]
NEEDS: tuple[Need, ...] = ("administer",)

ADMIN_ONLY = _("Only an administrator can do this.")


def can_administer_users(user) -> bool:
    return is_admin(user)


def can_edit_profile(user, account: User) -> bool:
    """The account's owner, and admins."""
    return bool(user and user.is_authenticated) and (user.pk == account.pk or is_admin(user))


def require_admin(actor, message: Message = ADMIN_ONLY) -> None:
    """For services: `actor` (a person; None is the platform, always allowed) must be an admin."""
    if actor is not None and not can_administer_users(actor):
        raise NotPermitted(message, code="not_admin")


def user_for(user, user_id, *, need: Need = "administer", queryset=None) -> User:
    """The account `user_id` for `user` to administer: 403 `not_admin` unless they are an admin,
    404 for an unknown id. `queryset` adds ordering or loading."""
    check_need(need, NEEDS)
    if not can_administer_users(user):
        raise NotPermitted(ADMIN_ONLY, code="not_admin")
    return object_or_404(User.objects.all() if queryset is None else queryset, user_id)


def role_require(user: User, *, role: str, message: Message) -> User:
    """`user` (just signed in) holds `role`, else NotPermitted `wrong_role` with `message`."""
    if getattr(user, "role", None) != role:
        raise NotPermitted(message, code="wrong_role")
    return user
