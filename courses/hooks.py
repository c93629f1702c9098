"""How the apps built on courses take part in enrollment without courses importing them: each
registers in its AppConfig.ready(). Completion has its own registry in courses.progress.

Status handlers (`on_enrollment_status_changed`): told after an enrollment was revoked or
reactivated (reviews recounts a course's rating; schedules gives a revoked student's cohort seat to
the next in line).

Enrollment gates (`register_enrollment_gate`): asked by enrollment_create whether (and how) a
student may enroll, after its own checks (role, status, price, already enrolled, prerequisites) and
before it creates or reactivates the enrollment, inside its transaction. A gate is called as
`gate(*, student, course, cohort_id, waitlist, source)`, where `cohort_id` and `waitlist` are what
the caller passed through (the enroll request's `cohort` and `waitlist`; None/False for callers
that name none) and `source` is the EnrollmentSource. A gate either
- returns None: enrolling may go on (the gate may have written its own rows, e.g. a seat taken
  under its row lock; they commit or roll back with the enrollment);
- raises an ApplicationError or a ValidationError (409 `cohort_full`, 400 on `cohort`, ...): the
  whole enrollment is refused and rolled back;
- or returns a `Waitlisted`: no enrollment is made, the transaction commits (so the gate's
  waitlist row stays) and enrollment_create returns the Waitlisted to its caller (the API answers
  202). Only a caller that passed `waitlist=True` gets one.
Gates run in the order registered; the first that returns a Waitlisted ends the round. A course no
gate cares about (a self-paced course) enrolls exactly as if no gate were registered."""

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Waitlisted:
    """A gate put the student on a waitlist instead of enrolling them: `position` from 1 in the
    waitlist of `cohort_id`."""

    cohort_id: int
    position: int


# gate(*, student, course, cohort_id, waitlist, source) -> Waitlisted | None (see the module docstring)
EnrollmentGate = Callable[..., Waitlisted | None]

_enrollment_gates: list[EnrollmentGate] = []


def register_enrollment_gate(gate: EnrollmentGate) -> EnrollmentGate:
    """Registers `gate` to be asked before each enrollment is made (idempotent)."""
    if gate not in _enrollment_gates:
        _enrollment_gates.append(gate)
    return gate


def enrollment_gates_run(*, student, course, cohort_id: int | None, waitlist: bool, source: str) -> Waitlisted | None:
    """Asks each gate in turn (enrollment_create calls this inside its transaction)."""
    for gate in list(_enrollment_gates):
        result = gate(student=student, course=course, cohort_id=cohort_id, waitlist=waitlist, source=source)
        if isinstance(result, Waitlisted):
            return result
    return None
