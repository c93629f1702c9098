"""Every write to cohorts and their seats.

Seats are taken, given back and offered only under the cohort's row lock (`_cohorts_locked`), so
concurrent enrollments, checkouts, revokes and the expiry job never count seats from a stale read:
a cohort is never overbooked. Courses hear nothing of cohorts: `cohort_enrollment_gate` is
registered as courses.hooks' enrollment gate, and `cohort_seat_free_on_revoke` hears revoked
enrollments (courses.hooks.on_enrollment_status_changed); payments holds and releases seats with
`cohort_seat_hold` / `cohort_seat_release`."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from courses.access import course_actor_require
from courses.hooks import Waitlisted
from courses.models import Course, EnrollmentSource
from courses.selectors import enrollment_active_exists, enrollment_get_active
from lms.errors import Conflict, NotPermitted
from lms.services import model_update
from notifications.services import notify

from .access import MANAGE_DENIED
from .models import ACTIVE_STATUSES, SEAT_STATUSES, Cohort, CohortMember, MemberStatus
from .selectors import cohort_seats_taken, member_list_waiting, member_waitlist_position

logger = logging.getLogger(__name__)

COHORT_FIELDS = ("name", "starts_at", "ends_at", "enrollment_opens_at", "enrollment_closes_at", "capacity")
EXPIRE_BATCH = 200


# --- cohorts -------------------------------------------------------------------------------------
def _check_dates(values: dict) -> None:
    """400 naming the field when the dates are out of order (the check constraints' rules)."""
    errors = {}
    if values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = ["A cohort must end after it starts."]
    opens, closes = values.get("enrollment_opens_at"), values.get("enrollment_closes_at")
    if opens is not None and closes is not None and closes <= opens:
        errors["enrollment_closes_at"] = ["Enrollment must close after it opens."]
    if errors:
        raise ValidationError(errors)


def _cohorts_locked(ids) -> dict[int, Cohort]:
    """Locks the cohorts' rows for the caller's transaction, in id order (so two transactions
    locking the same cohorts never deadlock), and returns them read fresh."""
    return {c.pk: c for c in Cohort.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")}


@transaction.atomic
def cohort_create(
    *,
    actor: User | None,
    course: Course,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    enrollment_opens_at: datetime | None = None,
    enrollment_closes_at: datetime | None = None,
    capacity: int | None = None,
) -> Cohort:
    """A cohort of the course. Who may: those who manage the course (its instructor while they hold
    the role, an admin); the platform (actor None). Dates out of order: 400 on the field. Once a
    course has a cohort, enrolling in it needs one (courses.hooks' gate). No lock: nobody holds a
    seat in a cohort that does not exist yet."""
    course_actor_require(actor, course, message=MANAGE_DENIED)
    values = {
        "name": name,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "enrollment_opens_at": enrollment_opens_at,
        "enrollment_closes_at": enrollment_closes_at,
        "capacity": capacity,
    }
    _check_dates(values)
    return Cohort.objects.create(course=course, **values)


@transaction.atomic
def cohort_update(*, actor: User | None, cohort: Cohort, data: dict) -> Cohort:
    """Changes the cohort's own fields (COHORT_FIELDS) present in `data`. Who may: those who manage
    the course, as cohort_create. Takes the cohort's row lock, so the seats counted are the seats
    taken: a capacity below them is a 400 on `capacity`. More seats (or none: unlimited) are offered
    to the waitlist at once, in order."""
    course_actor_require(actor, cohort.course, message=MANAGE_DENIED)
    locked = _cohorts_locked([cohort.pk])[cohort.pk]
    merged = {f: data.get(f, getattr(locked, f)) for f in COHORT_FIELDS}
    _check_dates(merged)
    if "capacity" in data and data["capacity"] is not None:
        taken = cohort_seats_taken(locked.pk)
        if data["capacity"] < taken:
            raise ValidationError({"capacity": [f"{taken} seats are taken: the capacity cannot be less."]})
    locked, _ = model_update(instance=locked, fields=COHORT_FIELDS, data=data)
    _offer_free_seats(locked)
    return locked


@transaction.atomic
def cohort_delete(*, actor: User | None, cohort: Cohort) -> None:
    """Deletes a cohort nobody holds or waits for a seat in (409 `cohort_has_members` otherwise:
    revoke or remove them first); the history of those who left goes with it. Who may: those who
    manage the course, as cohort_create. Takes the cohort's row lock, so no seat is taken while it
    goes."""
    course_actor_require(actor, cohort.course, message=MANAGE_DENIED)
    locked = _cohorts_locked([cohort.pk]).get(cohort.pk)
    if locked is None:
        return
    if CohortMember.objects.filter(cohort=locked, status__in=ACTIVE_STATUSES).exists():
        raise Conflict("Students hold or wait for seats in this cohort: remove them first.", code="cohort_has_members")
    locked.delete()


# --- seats ---------------------------------------------------------------------------------------
def _window_refusal(cohort: Cohort, now: datetime) -> str | None:
    """Why enrollment is closed now, or None. Opens at `enrollment_opens_at` (inclusive) and closes
    at `enrollment_closes_at`, or when the cohort ends if no closing time is set (exclusive)."""
    if cohort.enrollment_opens_at is not None and now < cohort.enrollment_opens_at:
        return f"Enrollment in {cohort.name} opens at {cohort.enrollment_opens_at.isoformat()}."
    closes = cohort.enrollment_closes_at or cohort.ends_at
    if now >= closes:
        return f"Enrollment in {cohort.name} closed at {closes.isoformat()}."
    return None


def _active_member(cohort: Cohort, student_id: int) -> CohortMember | None:
    return CohortMember.objects.filter(cohort=cohort, student_id=student_id, status__in=ACTIVE_STATUSES).first()


def _has_free_seat(cohort: Cohort) -> bool:
    return cohort.capacity is None or cohort_seats_taken(cohort.pk) < cohort.capacity


def _valid_offer(member: CohortMember | None, now: datetime) -> bool:
    return bool(member and member.status == MemberStatus.OFFERED and member.offer_expires_at > now)


def _lapsed_offer_passed_on(cohort: Cohort, member: CohortMember | None, now: datetime) -> CohortMember | None:
    """An offer that lapsed before the expiry job saw it is passed on now (its holder then asks as
    anyone else would); other memberships are returned as they are."""
    if member is None or member.status != MemberStatus.OFFERED or _valid_offer(member, now):
        return member
    _leave(member)
    _offer_free_seats(cohort)
    return None


def _set_status(member: CohortMember, status: str, **fields) -> None:
    for name, value in {"status": status, **fields}.items():
        setattr(member, name, value)
    member.save(update_fields=["status", *fields, "updated_at"])


def _leave(member: CohortMember) -> None:
    _set_status(member, MemberStatus.LEFT, offer_expires_at=None)


def _waitlist(cohort: Cohort, student: User, member: CohortMember | None, now: datetime) -> Waitlisted:
    if member is None:
        member = CohortMember.objects.create(
            cohort=cohort, student=student, status=MemberStatus.WAITLISTED, waitlisted_at=now
        )
    return Waitlisted(cohort_id=cohort.pk, position=member_waitlist_position(member))


def _full(cohort: Cohort) -> Conflict:
    return Conflict(
        f"{cohort.name} is full. Join its waitlist to be offered the next free seat.",
        code="cohort_full",
        extra={"cohort": cohort.pk},
    )


def _closed(message: str, cohort: Cohort) -> Conflict:
    return Conflict(message, code="enrollment_closed", extra={"cohort": cohort.pk})


def _cohort_of_course(course: Course, cohort_id, others_of: int | None = None) -> tuple[Cohort, dict[int, Cohort]]:
    """Locks the cohort `cohort_id` of the course (400 on `cohort` when the course has no such
    cohort) together with the cohorts of the course where student `others_of` waits or holds a
    seat (their places are given up once they enroll). Returns the cohort and all locked."""
    ids = [cohort_id]
    if others_of is not None:
        ids += CohortMember.objects.filter(
            cohort__course=course, student_id=others_of, status__in=ACTIVE_STATUSES
        ).values_list("cohort_id", flat=True)
    locked = _cohorts_locked(ids)
    cohort = locked.get(cohort_id)
    if cohort is None or cohort.course_id != course.pk:
        raise ValidationError({"cohort": [f"This course has no cohort {cohort_id}."]})
    return cohort, locked


def _give_up_other_places(student_id: int, cohort: Cohort, locked: dict[int, Cohort]) -> None:
    """The student now holds a seat in `cohort`: their places in the course's other cohorts go to
    the next in line."""
    for other in CohortMember.objects.filter(
        cohort_id__in=[pk for pk in locked if pk != cohort.pk], student_id=student_id, status__in=ACTIVE_STATUSES
    ):
        _leave(other)
        _offer_free_seats(locked[other.cohort_id])


def cohort_enrollment_gate(*, student: User, course: Course, cohort_id: int | None, waitlist: bool, source: str):
    """courses.hooks' enrollment gate: called by enrollment_create inside its transaction, before the
    enrollment is made. Courses without cohorts are self-paced: nothing happens (a `cohort` named
    for one is a 400). Otherwise, under the cohort's row lock:

    - `free` (the student's own request): `cohort` is required (400 naming it). A valid offer of a
      freed seat (or a seat held by their checkout) is claimed whatever the window. Otherwise the
      window must be open (409 `enrollment_closed`) and a seat free (409 `cohort_full`); with
      `waitlist`, a full cohort puts them on its waitlist instead and returns Waitlisted (nothing
      is enrolled).
    - `paid` (payments, once the order is paid): the seat the checkout held becomes theirs; if it
      was released meanwhile, a free seat is taken, and failing that the payment is honoured and
      the overbooking logged.
    - `admin` (a staff grant): `cohort` is optional; the window does not apply, the capacity does.

    A student enrolled in one cohort gives up their places in the course's other cohorts."""
    if cohort_id is None:
        has_cohorts = Cohort.objects.filter(course=course).exists()
        if not has_cohorts or source == EnrollmentSource.ADMIN:
            return None
        if source == EnrollmentSource.PAID:  # an order started without a cohort: a seat it holds
            held = CohortMember.objects.filter(
                cohort__course=course, student=student, status__in=(MemberStatus.HELD, MemberStatus.OFFERED)
            ).first()
            if held is None:
                logger.warning("Paid enrollment of %s in %s holds no cohort seat", student.pk, course.pk)
                return None
            cohort_id = held.cohort_id
        else:
            raise ValidationError({"cohort": ["Choose a cohort: this course is taught in cohorts."]})
    cohort, locked = _cohort_of_course(course, cohort_id, others_of=student.pk)
    now = timezone.now()
    member = _lapsed_offer_passed_on(cohort, _active_member(cohort, student.pk), now)
    claims = member is not None and (member.status == MemberStatus.HELD or _valid_offer(member, now))
    if not claims:
        if source == EnrollmentSource.FREE and (refusal := _window_refusal(cohort, now)):
            raise _closed(refusal, cohort)
        if not _has_free_seat(cohort):
            if source == EnrollmentSource.PAID:
                logger.error("Order paid for %s in full cohort %s: seat granted over capacity", student.pk, cohort.pk)
            elif waitlist and source == EnrollmentSource.FREE:
                return _waitlist(cohort, student, member, now)
            else:
                raise _full(cohort)
    if member is None:
        CohortMember.objects.create(cohort=cohort, student=student, status=MemberStatus.ENROLLED)
    else:
        _set_status(member, MemberStatus.ENROLLED, offer_expires_at=None)
    _give_up_other_places(student.pk, cohort, locked)
    return None


def cohort_seat_hold(*, student: User, course: Course, cohort_id: int | None, waitlist: bool = False):
    """A checkout (payments.checkout_start) holds a seat for its order until the order is paid
    (the gate then makes it the student's) or can no longer be paid (cohort_seat_release). The rules
    of a free enrollment apply (400 without `cohort` where the course has cohorts, 409
    `enrollment_closed` / `cohort_full`, or Waitlisted with `waitlist`); a valid offer or a seat
    already held is claimed. Returns the cohort id held (None for a self-paced course) or
    Waitlisted. Called by payments for the student (the buyer); takes the cohort's row lock."""
    if cohort_id is None:
        if Cohort.objects.filter(course=course).exists():
            raise ValidationError({"cohort": ["Choose a cohort: this course is taught in cohorts."]})
        return None
    cohort, _ = _cohort_of_course(course, cohort_id)
    now = timezone.now()
    member = _lapsed_offer_passed_on(cohort, _active_member(cohort, student.pk), now)
    if member is not None and member.status == MemberStatus.ENROLLED:
        raise Conflict("You are already enrolled in this course.", code="already_enrolled")
    if member is not None and (member.status == MemberStatus.HELD or _valid_offer(member, now)):
        _set_status(member, MemberStatus.HELD, offer_expires_at=None)
        return cohort.pk
    if refusal := _window_refusal(cohort, now):
        raise _closed(refusal, cohort)
    if not _has_free_seat(cohort):
        if waitlist:
            return _waitlist(cohort, student, member, now)
        raise _full(cohort)
    if member is None:
        CohortMember.objects.create(cohort=cohort, student=student, status=MemberStatus.HELD)
    else:
        _set_status(member, MemberStatus.HELD, offer_expires_at=None)
    return cohort.pk


@transaction.atomic
def cohort_seat_release(*, student_id: int, cohort_id: int) -> bool:
    """The checkout's order can no longer be paid (canceled, expired, refunded before payment): the
    seat it held goes to the next in line. A seat already made the student's (enrolled) is kept.
    Called by payments for the platform; takes the cohort's row lock. Returns whether a seat was
    given back."""
    cohort = _cohorts_locked([cohort_id]).get(cohort_id)
    if cohort is None:
        return False
    member = CohortMember.objects.filter(cohort=cohort, student_id=student_id, status=MemberStatus.HELD).first()
    if member is None:
        return False
    _leave(member)
    _offer_free_seats(cohort)
    return True


def cohort_seat_free_on_revoke(*, course_id: int, student_id: int) -> None:
    """courses.hooks' enrollment handler: a revoked enrollment (an admin's decision, a refund) gives
    its cohort seat to the first waiting student. Runs in the revoking transaction (platform);
    takes the cohort's row lock. A reactivated enrollment is the gate's business: nothing here."""
    if enrollment_active_exists(student=student_id, course=course_id):
        return
    seats = CohortMember.objects.filter(cohort__course_id=course_id, student_id=student_id, status__in=SEAT_STATUSES)
    cohort_ids = list(seats.values_list("cohort_id", flat=True))
    if not cohort_ids:
        return
    locked = _cohorts_locked(cohort_ids)
    for member in seats.filter(cohort_id__in=list(locked)):
        _leave(member)
        _offer_free_seats(locked[member.cohort_id])


@transaction.atomic
def cohort_member_remove(*, actor: User | None, member: CohortMember) -> CohortMember:
    """Removes a student from a cohort (the admin's removal): an enrolled student's enrollment is
    revoked (courses.services.enrollment_revoke, admins only), a waiting or offered one leaves the
    waitlist; the seat goes to the next in line. Who may: an admin, or the platform (actor None).
    Takes the cohort's row lock."""
    from courses.services import enrollment_revoke

    if actor is not None and not actor.is_admin:
        raise NotPermitted("Only an administrator can remove a student from a cohort.", code="not_admin")
    if member.status == MemberStatus.ENROLLED:
        enrollment = enrollment_get_active(student=member.student_id, course=member.cohort.course_id)
        if enrollment is not None:
            enrollment_revoke(actor=actor, enrollment=enrollment)  # frees the seat (the handler above)
    cohort = _cohorts_locked([member.cohort_id])[member.cohort_id]
    member.refresh_from_db()
    if member.status != MemberStatus.LEFT:
        _leave(member)
        _offer_free_seats(cohort)
    return member


def _claim_hours() -> timedelta:
    return timedelta(hours=settings.COHORT_CLAIM_HOURS)


def _offer_free_seats(cohort: Cohort) -> list[int]:
    """Offers each free seat of the cohort (the caller holds its row lock) to the next waiting
    students, in order, until `now + COHORT_CLAIM_HOURS`, and notifies them (`cohort_seat_offered`).
    No offers once the cohort has ended. Returns the students offered a seat."""
    now = timezone.now()
    if cohort.ends_at <= now:
        return []
    waiting = member_list_waiting(cohort.pk)
    if cohort.capacity is not None:
        free = cohort.capacity - cohort_seats_taken(cohort.pk)
        if free <= 0:
            return []
        waiting = waiting[:free]
    members = list(waiting)
    if not members:
        return []
    expires = now + _claim_hours()
    CohortMember.objects.filter(pk__in=[m.pk for m in members]).update(
        status=MemberStatus.OFFERED, offer_expires_at=expires, updated_at=now
    )
    course = cohort.course
    paid = not course.is_free
    how = "complete the checkout" if paid else "enroll"
    notify(
        recipients=[m.student_id for m in members],
        type="cohort_seat_offered",
        title=f"A seat is yours in {cohort.name}",
        body=f"A seat opened in {cohort.name} of {course.title}. {how.capitalize()} by {expires:%Y-%m-%d %H:%M} UTC "
        "to take it; after that it goes to the next student waiting.",
        payload={"course_id": course.pk, "cohort_id": cohort.pk, "offer_expires_at": expires.isoformat()},
    )
    return [m.student_id for m in members]


def cohort_offers_expire(*, limit: int = EXPIRE_BATCH) -> int:
    """Passes offers not claimed in time to the next in line: for each cohort with expired offers
    (one query finds up to `limit` of them), under its row lock, the expired offers are left and the
    freed seats offered on. Idempotent: an offer claimed or passed on meanwhile is skipped. Called
    by the beat job for the platform. Returns the offers passed on."""
    now = timezone.now()
    cohort_ids = list(
        CohortMember.objects.filter(status=MemberStatus.OFFERED, offer_expires_at__lte=now)
        .order_by("cohort_id")
        .values_list("cohort_id", flat=True)
        .distinct()[:limit]
    )
    passed = 0
    for cohort_id in cohort_ids:
        with transaction.atomic():
            cohort = _cohorts_locked([cohort_id]).get(cohort_id)
            if cohort is None:
                continue
            passed += CohortMember.objects.filter(
                cohort=cohort, status=MemberStatus.OFFERED, offer_expires_at__lte=now
            ).update(status=MemberStatus.LEFT, offer_expires_at=None, updated_at=now)
            _offer_free_seats(cohort)
    return passed
