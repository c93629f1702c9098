"""The three roles as predicates, safe for anonymous users. Every access rule is built on these."""

from .models import Role


def _role(user) -> str | None:
    return getattr(user, "role", None) if user is not None and user.is_authenticated else None


def is_admin(user) -> bool:
    return _role(user) == Role.ADMIN


def is_instructor(user) -> bool:
    """Holds the instructor role now. A demoted instructor keeps the `instructor` foreign key of
    their courses, but not the power that came with it (courses.access.can_manage_course)."""
    return _role(user) == Role.INSTRUCTOR


def is_student(user) -> bool:
    return _role(user) == Role.STUDENT
