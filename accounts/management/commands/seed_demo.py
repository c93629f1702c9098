"""Loads demo data: an admin, instructors and students with known passwords. Safe to run again:
existing demo users are kept (their passwords reset to the demo ones). Other apps add their demo
data through `DEMO_SEEDERS` below, each an idempotent function taking the demo users."""

from io import StringIO

from django.apps import apps
from django.core.management.base import OutputWrapper
from django.db import transaction
from django.test.utils import override_settings

from accounts import services
from accounts.models import Role, User
from lms.commands import OperatorCommand, add_dry_run_argument

DEMO_PASSWORD = "demo-pass-123"

DEMO_USERS = [
    ("admin@demo.lms", "Ada", "Admin", Role.ADMIN),
    ("instructor@demo.lms", "Ivan", "Instructor", Role.INSTRUCTOR),
    ("instructor2@demo.lms", "Irene", "Teacher", Role.INSTRUCTOR),
    ("student@demo.lms", "Sam", "Student", Role.STUDENT),
    ("student2@demo.lms", "Sara", "Learner", Role.STUDENT),
]

# Dotted paths of functions `seed(users: dict[str, User], stdout) -> None`, run in order.
DEMO_SEEDERS: list[str] = ["courses.demo.seed", "quizzes.demo.seed"]


def demo_user(email: str, first_name: str, last_name: str, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        if role == Role.INSTRUCTOR:
            return services.instructor_register(
                email=email,
                password=DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
                headline="Demo instructor",
                bio="Teaches the demo courses.",
                expertise="Demonstrations",
            )
        return services.user_create(
            email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name, role=role
        )
    if user.role != role:
        services.user_set_role(actor=None, user=user, role=role)
    if not user.is_active:
        services.user_reactivate(actor=None, user=user)
    if not user.check_password(DEMO_PASSWORD):
        # Through the service: whoever signed in with the other password is signed out everywhere.
        services.user_set_password(user=user, password=DEMO_PASSWORD)
    return user


def demo_user_changes(email: str, role: str) -> list[str]:
    """What `demo_user` would do to this demo user (read only)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        return ["create"]
    changes = []
    if user.role != role:
        changes.append(f"set role {user.role} -> {role}")
    if not user.is_active:
        changes.append("reactivate")
    if not user.check_password(DEMO_PASSWORD):
        changes.append("reset password")
    return changes


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


class Command(OperatorCommand):
    help = (
        "Create (or refresh) the demo users and demo content, with known passwords. Idempotent: what\n"
        "exists is kept (demo users get their demo role and password back); only what is missing is added."
    )
    epilog = f"""
examples:
  manage.py seed_demo --dry-run    show what would be created or changed
  manage.py seed_demo

Demo logins: {", ".join(email for email, *_ in DEMO_USERS)} (password {DEMO_PASSWORD}).
"""

    def add_arguments(self, parser):
        add_dry_run_argument(
            parser,
            "which demo users would be created or changed and how many rows of each kind would be added "
            "(the seeding runs in a transaction that is rolled back)",
        )

    def handle(self, *args, dry_run, **options):
        # Demo users are not real people: the notifications of seeding are stored, never e-mailed.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            if dry_run:
                self._dry_run()
                return
            self._seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {role:<10} {email:<24} password: {DEMO_PASSWORD}")

    @transaction.atomic
    def _seed(self, stdout):
        from django.utils.module_loading import import_string

        users = {email: demo_user(email, first, last, role) for email, first, last, role in DEMO_USERS}
        for path in DEMO_SEEDERS:
            import_string(path)(users, stdout)

    def _dry_run(self):
        # The seeders are the only exact account of what they would add: run them, count, roll back.
        # Work queued for after the commit (e-mails, PDFs, cache bumps) is dropped with the rollback,
        # and so is a password hash upgrade that checking a demo password may save.
        with transaction.atomic():
            for email, _first, _last, role in DEMO_USERS:
                self.stdout.write(f"  user {email:<24} {', '.join(demo_user_changes(email, role)) or 'unchanged'}")
            before = row_counts()
            self._seed(OutputWrapper(StringIO()))
            after = row_counts()
            transaction.set_rollback(True)
        added = {label: after[label] - n for label, n in before.items() if after[label] != n}
        for label, n in sorted(added.items()):
            self.stdout.write(f"  {label:<40} {n:+d} row(s)")
        total = sum(added.values())
        self.stdout.write(
            f"Dry run: {total} row(s) would be added in {len(added)} table(s). Nothing was changed."
            if added
            else "Dry run: no rows would be added. Nothing was changed."
        )
