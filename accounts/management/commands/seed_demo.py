"""Loads demo data: an admin, instructors and students with known passwords. Safe to run again:
existing demo users are kept (their passwords reset to the demo ones). Other apps add their demo
data through `DEMO_SEEDERS` below, each an idempotent function taking the demo users."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts import services
from accounts.models import Role, User

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
        services.user_set_role(user=user, role=role)
    if not user.is_active:
        services.user_reactivate(user=user)
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Create (or refresh) demo users and demo content with known passwords."

    def handle(self, *args, **options):
        # Demo users are not real people: the notifications of seeding are stored, never e-mailed.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed()

    @transaction.atomic
    def _seed(self):
        from django.utils.module_loading import import_string

        users = {email: demo_user(email, first, last, role) for email, first, last, role in DEMO_USERS}
        for path in DEMO_SEEDERS:
            import_string(path)(users, self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {role:<10} {email:<24} password: {DEMO_PASSWORD}")
