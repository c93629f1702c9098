from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The domain of erased accounts' e-mail addresses: `.invalid` is reserved (RFC 2606), so nothing is
# ever delivered there, and nobody may sign up with it (accounts.services refuses it).
ERASED_EMAIL_DOMAIN = "erased.invalid"


def erased_email(pk) -> str:
    """The unique, non-routable address an erased account gets in place of its e-mail: the pseudonym
    that rows kept after an erasure (and the admin's log) point at."""
    return f"erased-{pk}@{ERASED_EMAIL_DOMAIN}"


def normalize_email(email: str) -> str:
    """E-mails are unique case-insensitively, so they are stored folded to lower case."""
    return (email or "").strip().lower()


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    INSTRUCTOR = "instructor", _("Instructor")
    ADMIN = "admin", _("Admin")


class UserQuerySet(models.QuerySet):
    """Writes in bulk drop the users' cached rows (accounts.auth_cache), as save() does."""

    def update(self, **kwargs):
        from accounts import auth_cache

        ids = list(self.values_list("pk", flat=True)) if auth_cache.enabled() else []
        updated = super().update(**kwargs)
        auth_cache.changed(*ids)
        return updated

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        from accounts import auth_cache

        updated = super().bulk_update(objs, fields, batch_size=batch_size)
        auth_cache.changed(*(obj.pk for obj in objs))
        return updated

    bulk_update.alters_data = True


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("role", Role.STUDENT)
        extra["is_staff"] = extra["is_superuser"] = extra["role"] == Role.ADMIN
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        """`manage.py createsuperuser` makes an admin: the admin role, staff and superuser."""
        extra.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


def display_name(first_name: str, last_name: str, email: str, erased_at) -> str:
    """User.full_name from the row's values (for reads that build dicts from `.values()`)."""
    if erased_at is not None:
        return gettext("Deleted user")
    return f"{first_name} {last_name}".strip() or email


class User(AbstractUser):
    """A person on the platform. E-mail is the login; exactly one role; admins are staff."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.STUDENT, db_index=True, verbose_name=_("role")
    )
    avatar = models.ForeignKey(
        "media.Upload",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avatar"),
        help_text=_("The uploaded profile picture (purpose avatar); replaced through user_avatar_set."),
    )
    language = models.CharField(
        verbose_name=_("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language the platform writes to this user in (API messages, notifications, e-mails, "
            "certificates). Empty: the browser's language, else the platform's default."
        ),
    )
    erased_at = models.DateTimeField(null=True, blank=True, verbose_name=_("erased at"))

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN, is_staff=True) | (~Q(role=Role.ADMIN) & Q(is_staff=False)),
                name="accounts_user_admins_are_staff",
            ),
        ]
        indexes = [models.Index(fields=["date_joined"])]

    def __str__(self):
        return self.email

    @property
    def full_name(self) -> str:
        """The display name; "Deleted user" once the account was erased (its posts, reviews and
        courses stay, under that name)."""
        return display_name(self.first_name, self.last_name, self.email, self.erased_at)

    def get_full_name(self) -> str:
        return gettext("Deleted user") if self.erased_at is not None else super().get_full_name()

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class InstructorProfile(models.Model):
    """What students see about an instructor. Kept when the user stops being an instructor."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="instructor_profile", verbose_name=_("user")
    )
    headline = models.CharField(max_length=200, blank=True, verbose_name=_("headline"))
    bio = models.TextField(blank=True, max_length=5000, verbose_name=_("bio"))
    expertise = models.CharField(max_length=500, blank=True, verbose_name=_("expertise"))
    website = models.URLField(blank=True, verbose_name=_("website"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("instructor profile")
        verbose_name_plural = _("instructor profiles")

    def __str__(self):
        return _("Instructor profile of {user}").format(user=self.user)


class LockoutNotice(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # Not e-mailed: the owner was told of another lockout within SIGNIN_LOCKOUT_EMAIL_INTERVAL_HOURS,
    # or the account was deactivated before the e-mail went out.
    SKIPPED = "skipped", _("Not sent")


class SignInLockout(models.Model):
    """An account locked after too many failed sign-ins (accounts.signin_limits keeps the lock
    itself, in the cache): what staff see, and the owner's e-mail notice. Only accounts that exist
    and are active get a record; a locked e-mail with no account leaves no trace here."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signin_lockouts", verbose_name=_("user"))
    # The client address of the failure that locked the account, as the limits count it (an IPv6
    # address as its /64); blank when the check came from outside a request.
    address = models.CharField(max_length=64, blank=True, verbose_name=_("client address"))
    locked_at = models.DateTimeField(verbose_name=_("locked at"))
    locked_until = models.DateTimeField(verbose_name=_("locked until"))
    notice = models.CharField(
        max_length=16, choices=LockoutNotice.choices, default=LockoutNotice.PENDING, verbose_name=_("notice")
    )
    notified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("notified at"))

    class Meta:
        verbose_name = _("sign-in lockout")
        verbose_name_plural = _("sign-in lockouts")
        ordering = ["-locked_at", "-id"]
        indexes = [
            models.Index(fields=["user", "locked_at"]),
            # The sweep's query: pending notices, oldest first.
            models.Index(fields=["locked_at"], condition=Q(notice="pending"), name="accounts_lockout_pending_idx"),
        ]

    def __str__(self):
        return _("{user} locked at {time} UTC").format(user=self.user, time=f"{self.locked_at:%Y-%m-%d %H:%M}")
