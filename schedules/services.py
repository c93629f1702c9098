"""Every write to cohorts and their seats.

Seats are taken, given back and offered only under the cohort's row lock (`_cohorts_locked`), so
concurrent enrollments, checkouts, revokes and the expiry job never count seats from a stale read:
a cohort is never overbooked. Courses hear nothing of cohorts: `cohort_enrollment_gate` is
registered as courses.hooks' enrollment gate, and `cohort_seat_free_on_revoke` hears revoked
enrollments (courses.hooks.on_enrollment_status_changed); payments holds and releases seats with
`cohort_seat_hold` / `cohort_seat_release`.

Live sessions are written under their own row lock (`_session_locked`), which the reminder job
takes too, so a session moved while its reminders go out is reminded again for its new time."""

import logging
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from accounts.models import User
from courses.access import course_actor_require
from courses.hooks import Waitlisted
from courses.models import Course, EnrollmentSource
from courses.selectors import enrollment_active_exists, enrollment_get_active
from courses.services import course_lock
from lms.errors import Conflict, NotPermitted
from lms.services import model_update
from notifications.services import notify

from .access import MANAGE_DENIED, SESSION_MANAGE_DENIED
from .models import (
    ACTIVE_STATUSES,
    SEAT_STATUSES,
    Attendance,
    CalendarFeed,
    Cohort,
    CohortMember,
    LiveSession,
    LiveSessionReminder,
    MemberStatus,
    ScheduleNotice,
)
from .selectors import (
    attendance_student_ids,
    cohort_seats_taken,
    feed_token_hash,
    live_session_audience,
    live_session_list_starting,
    live_session_unreminded_ids,
    member_list_waiting,
    member_waitlist_position,
)
from .texts import datetime_text, time_text

logger = logging.getLogger(__name__)

COHORT_FIELDS = ("name", "starts_at", "ends_at", "enrollment_opens_at", "enrollment_closes_at", "capacity")
EXPIRE_BATCH = 200


# --- cohorts -------------------------------------------------------------------------------------
def _check_dates(values: dict) -> None:
    """400 naming the field when the dates are out of order (the check constraints' rules)."""
    errors = {}
    if values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = [_("A cohort must end after it starts.")]
    opens, closes = values.get("enrollment_opens_at"), values.get("enrollment_closes_at")
    if opens is not None and closes is not None and closes <= opens:
        errors["enrollment_closes_at"] = [_("Enrollment must close after it opens.")]
    if errors:
        raise ValidationError(errors)


def _cohorts_locked(ids) -> dict[int, Cohort]:
    """Locks the cohorts' rows for the caller's transaction and returns them read fresh: first their
    courses' rows, then the cohorts', each in id order. Every path takes them in that order (an
    enrollment or a revoke updates the course's row before it reaches a cohort; a checkout or a
    webhook locks its order before either), so no two transactions ever wait on each other in a
    circle: two cohort switches in opposite directions queue on the course."""
    ids = set(ids)
    for course_id in (
        Cohort.objects.filter(pk__in=ids).values_list("course_id", flat=True).distinct().order_by("course_id")
    ):
        course_lock(course_id=course_id)
    return {c.pk: c for c in Cohort.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


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
            message = ngettext(
                "{count} seat is taken: the capacity cannot be less.",
                "{count} seats are taken: the capacity cannot be less.",
                taken,
            ).format(count=taken)
            raise ValidationError({"capacity": [message]})
    locked, _changed = model_update(instance=locked, fields=COHORT_FIELDS, data=data)
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
        raise Conflict(
            _("Students hold or wait for seats in this cohort: remove them first."), code="cohort_has_members"
        )
    locked.delete()


# --- seats ---------------------------------------------------------------------------------------
def _window_refusal(cohort: Cohort, now: datetime) -> str | None:
    """Why enrollment is closed now, or None. Opens at `enrollment_opens_at` (inclusive) and closes
    at `enrollment_closes_at`, or when the cohort ends if no closing time is set (exclusive)."""
    if cohort.enrollment_opens_at is not None and now < cohort.enrollment_opens_at:
        return _("Enrollment in {cohort} opens at {time}.").format(
            cohort=cohort.name, time=cohort.enrollment_opens_at.isoformat()
        )
    closes = cohort.enrollment_closes_at or cohort.ends_at
    if now >= closes:
        return _("Enrollment in {cohort} closed at {time}.").format(cohort=cohort.name, time=closes.isoformat())
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
        _("{cohort} is full. Join its waitlist to be offered the next free seat.").format(cohort=cohort.name),
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
        raise ValidationError({"cohort": [_("This course has no cohort {id}.").format(id=cohort_id)]})
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
            raise ValidationError({"cohort": [_("Choose a cohort: this course is taught in cohorts.")]})
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
            raise ValidationError({"cohort": [_("Choose a cohort: this course is taught in cohorts.")]})
        return None
    cohort, _locked = _cohort_of_course(course, cohort_id)
    now = timezone.now()
    member = _lapsed_offer_passed_on(cohort, _active_member(cohort, student.pk), now)
    if member is not None and member.status == MemberStatus.ENROLLED:
        raise Conflict(_("You are already enrolled in this course."), code="already_enrolled")
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
    waitlist; the seat goes to the next in line. A seat a checkout holds is not removed (409
    `seat_held`: its order could still be paid). Who may: an admin, or the platform (actor None).
    Takes the cohort's row lock."""
    from courses.services import enrollment_revoke

    if actor is not None and not actor.is_admin:
        raise NotPermitted(_("Only an administrator can remove a student from a cohort."), code="not_admin")
    if member.status == MemberStatus.HELD:  # its order could still be paid, and would then overbook
        raise Conflict(
            _("A checkout holds this seat: it is released when its order is cancelled or expires."), code="seat_held"
        )
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
    if course.is_free:
        body = gettext_lazy(
            "A seat opened in {cohort} of {course}. Enroll by {time} UTC to take it; after that it goes to the next "
            "student waiting."
        )
    else:
        body = gettext_lazy(
            "A seat opened in {cohort} of {course}. Complete the checkout by {time} UTC to take it; after that it "
            "goes to the next student waiting."
        )
    notify(  # lazy texts: each recipient reads them in their language
        recipients=[m.student_id for m in members],
        type="cohort_seat_offered",
        title=format_lazy(gettext_lazy("A seat is yours in {cohort}"), cohort=cohort.name),
        body=format_lazy(body, cohort=cohort.name, course=course.title, time=datetime_text(expires)),
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


# --- live sessions -------------------------------------------------------------------------------
SESSION_FIELDS = ("title", "starts_at", "duration_minutes", "join_url", "cohort_id")
MAX_DURATION_MINUTES = 1440
REMIND_BEFORE = timedelta(minutes=60)
REMINDER_BATCH = 500
_https = URLValidator(schemes=["https"])


def _check_session(values: dict, course: Course) -> None:
    """400 naming each bad field: an empty title, a duration outside 1..1440 minutes, a join URL
    that is not https, a cohort of another course. Any start time is allowed (a past one too, to
    record a session held and its attendance)."""
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [_("A live session needs a title.")]
    duration = values.get("duration_minutes")
    if not isinstance(duration, int) or not 1 <= duration <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = [
            ngettext("From 1 to {max} minute.", "From 1 to {max} minutes.", MAX_DURATION_MINUTES).format(
                max=MAX_DURATION_MINUTES
            )
        ]
    try:
        _https(values.get("join_url") or "")
    except ValidationError:
        errors["join_url"] = [_("Enter an https link to the meeting.")]
    cohort_id = values.get("cohort_id")
    if cohort_id is not None and not Cohort.objects.filter(pk=cohort_id, course=course).exists():
        errors["cohort"] = [_("This course has no cohort {id}.").format(id=cohort_id)]
    if errors:
        raise ValidationError(errors)


def _session_locked(session_id: int) -> LiveSession | None:
    return LiveSession.objects.select_for_update().filter(pk=session_id).first()


@transaction.atomic
def live_session_create(
    *,
    actor: User | None,
    course: Course,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    join_url: str,
    cohort_id: int | None = None,
) -> LiveSession:
    """A live session of the course, for every enrolled student or (with `cohort_id`) the students
    seated in one of its cohorts. Who may: those who manage the course (its instructor while they
    hold the role, an admin); the platform (actor None). Bad fields: 400 naming them
    (_check_session). No lock: nothing refers to a session that does not exist yet. Its audience
    is reminded an hour before (live_session_reminders_send)."""
    course_actor_require(actor, course, message=SESSION_MANAGE_DENIED)
    values = {
        "title": title,
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "join_url": join_url,
        "cohort_id": cohort_id,
    }
    _check_session(values, course)
    return LiveSession.objects.create(course=course, **values)


@transaction.atomic
def live_session_update(*, actor: User | None, session: LiveSession, data: dict) -> LiveSession:
    """Changes the session's fields present in `data` (SESSION_FIELDS; `cohort` is taken for
    `cohort_id`). Who may: those who manage the course, as live_session_create. Takes the session's
    row lock (as the reminder job does). A session moved to another time is reminded again: the
    reminders already sent are forgotten."""
    course_actor_require(actor, session.course, message=SESSION_MANAGE_DENIED)
    data = dict(data)
    if "cohort" in data:
        data["cohort_id"] = data.pop("cohort")
    locked = _session_locked(session.pk)
    if locked is None:
        raise ValidationError(_("This live session was deleted."))
    merged = {f: data.get(f, getattr(locked, f)) for f in SESSION_FIELDS}
    _check_session(merged, session.course)
    moved = "starts_at" in data and data["starts_at"] != locked.starts_at
    locked, _changed = model_update(instance=locked, fields=SESSION_FIELDS, data=data)
    if moved:
        LiveSessionReminder.objects.filter(session=locked).delete()
    return locked


@transaction.atomic
def live_session_delete(*, actor: User | None, session: LiveSession) -> None:
    """Deletes the session with its attendance and reminders. Who may: those who manage the course,
    as live_session_create. Takes the session's row lock, so the reminder job is not half-way
    through it."""
    course_actor_require(actor, session.course, message=SESSION_MANAGE_DENIED)
    locked = _session_locked(session.pk)
    if locked is not None:
        locked.delete()


def _listed_ids(name: str, ids) -> list[int]:
    if not isinstance(ids, list | tuple | set) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationError({name: [_("A list of student ids.")]})
    return list(dict.fromkeys(ids))


@transaction.atomic
def attendance_mark(*, actor: User | None, session: LiveSession, present=(), absent=()) -> LiveSession:
    """Marks the students in `present` present at the session and those in `absent` absent (their
    mark removed); anyone not named keeps their mark. Each id must be a student of the session's
    audience, or one already marked present (who may have left since): otherwise a 400 naming the
    ids on `present` / `absent`; an id in both lists is a 400 too. Marking twice changes nothing.
    Who may: those who manage the course (its instructor, an admin); the platform (actor None).
    Takes the session's row lock, so two markings of the same session apply one after the other."""
    course_actor_require(actor, session.course, message=SESSION_MANAGE_DENIED)
    present, absent = _listed_ids("present", present), _listed_ids("absent", absent)
    if both := sorted(set(present) & set(absent)):
        message = _("Marked both present and absent: {ids}.").format(ids=", ".join(map(str, both)))
        raise ValidationError({"absent": [message]})
    locked = _session_locked(session.pk)
    if locked is None:
        raise ValidationError(_("This live session was deleted."))
    marked = attendance_student_ids(locked)
    named = set(present) | set(absent)
    expected = set(live_session_audience(locked).filter(pk__in=named).values_list("pk", flat=True)) | marked
    errors = {}
    for name, ids in (("present", present), ("absent", absent)):
        if bad := [i for i in ids if i not in expected]:
            errors[name] = [_("Not students of this session: {ids}.").format(ids=", ".join(map(str, bad)))]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    Attendance.objects.bulk_create(
        [
            Attendance(session=locked, student_id=pk, marked_by=actor, marked_at=now)
            for pk in present
            if pk not in marked
        ]
    )
    if absent:
        Attendance.objects.filter(session=locked, student_id__in=absent).delete()
    return locked


def _remind(session: LiveSession, student_ids: list[int]) -> None:
    course = session.course
    minutes = session.duration_minutes
    notify(  # lazy texts: each recipient reads them in their language
        recipients=student_ids,
        type="live_session_soon",
        title=format_lazy(
            gettext_lazy("{title} starts at {time} UTC"), title=session.title, time=time_text(session.starts_at)
        ),
        body=format_lazy(
            ngettext_lazy(
                "The live session {title} of {course} starts at {time} UTC and lasts {minutes} minute. Join at {url}",
                "The live session {title} of {course} starts at {time} UTC and lasts {minutes} minutes. Join at {url}",
                minutes,
            ),
            title=session.title,
            course=course.title,
            time=datetime_text(session.starts_at),
            minutes=minutes,
            url=session.join_url,
        ),
        payload={
            "course_id": course.pk,
            "live_session_id": session.pk,
            "cohort_id": session.cohort_id,
            "starts_at": session.starts_at.isoformat(),
        },
        link=session.join_url,
    )


def _reminders_insert(session: LiveSession, student_ids: list[int], now: datetime) -> list[int]:
    """Records the reminders (a conflicting row, another run's, is left alone) and returns the
    students whose rows this call inserted: those carrying its batch mark."""
    batch = uuid.uuid4()
    LiveSessionReminder.objects.bulk_create(
        [LiveSessionReminder(session=session, student_id=pk, batch=batch, sent_at=now) for pk in student_ids],
        ignore_conflicts=True,
    )
    return list(LiveSessionReminder.objects.filter(session=session, batch=batch).values_list("student_id", flat=True))


def live_session_reminders_send(*, batch_size: int = REMINDER_BATCH) -> int:
    """Reminds each student of the audience of every session starting within the next
    REMIND_BEFORE (60 minutes: after now, at or before now + 60 min) that they have not been
    reminded of (`live_session_soon`), exactly once. Per batch of `batch_size` students: one query
    finds them, one bulk insert of LiveSessionReminder rows (conflicts ignored) records them and
    one query reads back the rows this run inserted, and only those students are notified; each
    batch runs under the session's row lock, so overlapping runs (and an edit moving the session)
    take turns. Students who join the audience later are reminded by the next run. Called by the
    beat job for the platform. Returns the reminders sent."""
    now = timezone.now()
    until = now + REMIND_BEFORE
    sent = 0
    for session_id in list(live_session_list_starting(after=now, until=until).values_list("pk", flat=True)):
        while True:
            with transaction.atomic():
                session = _session_locked(session_id)
                if session is None or not (now < session.starts_at <= until):
                    break
                ids = live_session_unreminded_ids(session, limit=batch_size)
                inserted = _reminders_insert(session, ids, now)
                if inserted:
                    _remind(session, inserted)
                sent += len(inserted)
            if len(ids) < batch_size or not inserted:
                break
    return sent


# --- calendar feed -------------------------------------------------------------------------------
@transaction.atomic
def calendar_feed_issue(*, user: User) -> str:
    """Issues a new secret token for the user's calendar feed and returns it (only its hash is
    kept); the token before it stops working at once. Any signed-in user, for themselves. Locks
    their feed row (update_or_create), so two concurrent issues leave exactly one token working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": feed_token_hash(token), "created_at": timezone.now()}
    )
    return token


# --- erasure (privacy) ---------------------------------------------------------------------------
@transaction.atomic
def _place_give_up(member_id: int) -> bool:
    """Gives up one place (any status but `left`), as cohort_member_remove does and in its lock
    order: an `enrolled` seat whose enrollment is still active first revokes it through
    courses.services.enrollment_revoke (the enrollment's row, the course's, then through its hook
    the cohort's, which leaves the seat); then, under the cohort's row lock, the member re-read
    there is left if it is not yet, and the freed seat offered to the next in line. Returns whether
    there was a place to give up."""
    from courses.services import enrollment_revoke

    member = CohortMember.objects.select_related("cohort").filter(pk=member_id).first()
    if member is None or member.status == MemberStatus.LEFT:
        return False
    if member.status == MemberStatus.ENROLLED:
        enrollment = enrollment_get_active(student=member.student_id, course=member.cohort.course_id)
        if enrollment is not None:
            enrollment_revoke(actor=None, enrollment=enrollment)  # frees the seat (cohort_seat_free_on_revoke)
    cohort = _cohorts_locked([member.cohort_id]).get(member.cohort_id)
    if cohort is None:
        return False
    member.refresh_from_db()
    if member.status != MemberStatus.LEFT:
        _leave(member)
        _offer_free_seats(cohort)
    return True


def cohort_memberships_erase_for_user(*, user: User) -> int:
    """Erasure of a person (privacy's erasure job, the platform: there is no actor, and no other
    caller): the user gives up every place they hold or wait for in a cohort, so that no seat stays
    taken, and no waitlist spot waits, for someone who can never come. A waitlisted or offered place
    leaves the waitlist; a seat held by a checkout is released (if its order is paid after all, the
    paid enrollment takes a free seat or is honoured over capacity, as for any released seat); an
    enrolled seat whose enrollment is still active revokes it through the courses service (courses'
    own eraser normally did that first). Each freed seat is offered to the next in line, who is
    notified. The rows stay as history (`left`), pointing at the pseudonymised user.

    Each place is given up in its own transaction under its cohort's row lock (the course's row,
    then the cohort's, as on every seat path), never two cohorts' locks at once. A run that dies
    half way leaves each place given up or not, and a second run gives up the rest; with nothing
    left it does nothing. Returns the places this call gave up."""
    ids = list(
        CohortMember.objects.filter(student=user)
        .exclude(status=MemberStatus.LEFT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_place_give_up(member_id) for member_id in ids)


@transaction.atomic
def reminders_erase_for_user(*, user: User) -> int:
    """Erasure of a person (privacy's erasure job, the platform; no other caller): deletes the
    records of the live session reminders and schedule notices sent to the user. No lock: the
    reminder jobs only insert rows for students of an audience (an active enrollment of an active
    user), which an erased user no longer is once courses' eraser revoked their enrollments, and
    they insert with conflicts ignored. Idempotent (a second run finds nothing). Returns the rows
    deleted."""
    reminders, _by_model = LiveSessionReminder.objects.filter(student=user).delete()
    notices, _by_model = ScheduleNotice.objects.filter(student=user).delete()
    return reminders + notices


@transaction.atomic
def calendar_feed_erase_for_user(*, user: User) -> bool:
    """Erasure of a person (privacy's erasure job, the platform; no other caller): deletes the
    user's calendar feed, so its secret address stops working at once. Locks nothing beyond the
    row it deletes (calendar_feed_issue's update_or_create would make a new one: the erased user is
    signed out and cannot ask). Idempotent. Returns whether there was a feed."""
    deleted, _by_model = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)
