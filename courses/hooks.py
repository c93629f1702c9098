"""How the apps built on courses hear about an enrollment without courses importing them: each
registers a handler in its AppConfig.ready() (reviews recounts a course's rating when a reviewer's
enrollment is revoked or restored). Completion has its own registry in courses.progress."""

from collections.abc import Callable

# handler(*, course_id, student_id), called inside the transaction that changed the enrollment,
# which holds no lock the handler could not take itself.
EnrollmentHandler = Callable[..., None]

_enrollment_status_handlers: list[EnrollmentHandler] = []


def on_enrollment_status_changed(handler: EnrollmentHandler) -> EnrollmentHandler:
    """Registers `handler` for enrollments revoked or reactivated (idempotent)."""
    if handler not in _enrollment_status_handlers:
        _enrollment_status_handlers.append(handler)
    return handler


def enrollment_status_changed(*, course_id: int, student_id: int) -> None:
    for handler in list(_enrollment_status_handlers):
        handler(course_id=course_id, student_id=student_id)
