"""Every write to orders, coupons and Stripe events. Stripe's signed webhook (or, when one never
arrives, reconciliation reading Stripe directly) is the only thing that marks an order paid."""

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Role, User
from accounts.roles import is_admin
from activity.models import Verb
from activity.services import activity_record
from certificates.selectors import certificate_exists
from certificates.services import certificates_revoke_for_refund
from courses.access import course_actor_require
from courses.hooks import Waitlisted
from courses.models import Course, CourseStatus, Enrollment, EnrollmentSource
from courses.selectors import enrollment_active_exists, enrollment_get_active
from courses.services import (
    enrollment_create,
    enrollment_prerequisites_require,
    enrollment_refuse_own_course,
    enrollment_revoke,
)
from lms.errors import Conflict, InvalidInput, Message, NotFound, NotPermitted
from lms.events import publish
from lms.services import model_update
from notifications.services import notify
from schedules.services import cohort_seat_hold, cohort_seat_release

from . import coupon_limits, gateway
from .access import COUPON_DENIED
from .models import TRANSITIONS, Coupon, Order, OrderStatus, StripeEvent

logger = logging.getLogger(__name__)

MIN_CHARGE = Decimal("0.50")  # Stripe's smallest charge in most currencies


# --- coupons -------------------------------------------------------------------------------------
COUPON_FIELDS = ("code", "percent_off", "amount_off", "max_redemptions", "expires_at", "active")
CODE_SHAPE = gettext_lazy("Use 3 to 40 letters, digits, - or _.")


def _check_coupon_shape(data: dict) -> None:
    if (data.get("percent_off") is None) == (data.get("amount_off") is None):
        raise ValidationError({"percent_off": [_("Give either percent_off or amount_off, not both or neither.")]})


def _check_code_free(course: Course, code: str, exclude_pk=None) -> None:
    taken = Coupon.objects.filter(course=course, code__iexact=code).exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"code": [_("This course already has a coupon with this code.")]})


def _coupon_actor_check(actor: User | None, course: Course) -> None:
    course_actor_require(actor, course, message=COUPON_DENIED)


@transaction.atomic
def coupon_create(*, actor: User | None, course: Course, **data) -> Coupon:
    """A coupon for the course. Who may: those who manage the course (its instructor while they
    hold the role, an admin), else NotPermitted; `actor=None` for the platform (seed data,
    commands). A second coupon with the same code (any letter case) on the course is a
    ValidationError on `code`; the database's unique index settles a race. No lock."""
    _coupon_actor_check(actor, course)
    _check_coupon_shape(data)
    _check_code_free(course, data["code"])
    return Coupon.objects.create(course=course, **{k: v for k, v in data.items() if k in COUPON_FIELDS})


@transaction.atomic
def coupon_update(*, actor: User | None, coupon: Coupon, data: dict) -> Coupon:
    """Changes the coupon's own fields (COUPON_FIELDS) present in `data`. Who may: those who
    manage the course, as coupon_create. Takes the coupon's row lock and works on the stored row
    (the instance given may already carry a form's unsaved changes); writes only the changed
    fields, never the use counters, which checkouts change with F() updates. Returns the stored
    coupon."""
    _coupon_actor_check(actor, coupon.course)
    coupon = Coupon.objects.select_for_update(of=("self",)).select_related("course").get(pk=coupon.pk)
    merged = {f: data.get(f, getattr(coupon, f)) for f in COUPON_FIELDS}
    _check_coupon_shape(merged)
    _check_code_free(coupon.course, merged["code"], exclude_pk=coupon.pk)
    coupon, _changed = model_update(instance=coupon, fields=COUPON_FIELDS, data=data)
    return coupon


@transaction.atomic
def coupon_delete(*, actor: User | None, coupon: Coupon) -> str:
    """Deletes an unused coupon; one that orders refer to is deactivated instead. Returns which.
    Who may: those who manage the course, as coupon_create. No lock: an order taking the coupon
    meanwhile protects it (its foreign key), so the delete fails rather than orphan the order."""
    _coupon_actor_check(actor, coupon.course)
    if coupon.orders.exists():
        model_update(instance=coupon, fields=["active"], data={"active": False})
        return "deactivated"
    coupon.delete()
    return "deleted"


UNKNOWN_COUPON = gettext_lazy("Unknown coupon code.")
USED_UP = gettext_lazy("This coupon has been used up.")
INACTIVE = gettext_lazy("This coupon is no longer active.")


def _coupon_refusal(coupon: Coupon | None) -> Message | None:
    if coupon is None:
        return UNKNOWN_COUPON
    if not coupon.active:
        return INACTIVE
    if coupon.expires_at is not None and coupon.expires_at <= timezone.now():
        return _("This coupon has expired.")
    if coupon.max_redemptions is not None and coupon.redemptions >= coupon.max_redemptions:
        return USED_UP
    return None


def coupon_for_checkout(*, course: Course, code: str, student: User) -> Coupon:
    """The course's coupon with this code, or a 400 on `coupon` naming the problem. Only this
    course's coupons are looked at: a code of another course gets exactly the answer of a code
    that does not exist, so codes cannot be probed across courses. Each refusal counts against the
    student's limit (payments.coupon_limits); once it is reached, this is a 429 (with
    `retry_after`) before any code is looked at."""
    coupon_limits.check(user_id=student.pk)
    coupon = Coupon.objects.filter(course=course, code__iexact=code.strip()).first()
    refusal = _coupon_refusal(coupon)
    if refusal is not None:
        coupon_limits.record_failure(user_id=student.pk)
        raise ValidationError({"coupon": [refusal]})
    return coupon


ALL_HELD = gettext_lazy("The last uses of this coupon are held by checkouts in progress; try again later.")


def _no_room_error(coupon: Coupon) -> ValidationError:
    coupon.refresh_from_db(fields=["redemptions", "reserved", "max_redemptions", "active"])
    if not coupon.active:
        return ValidationError({"coupon": [INACTIVE]})
    used_up = coupon.max_redemptions is not None and coupon.redemptions >= coupon.max_redemptions
    return ValidationError({"coupon": [USED_UP if used_up else ALL_HELD]})


def _coupon_has_room(coupon: Coupon) -> bool:
    """A plain read, for a fast 400 before anything is created; _coupon_hold decides."""
    return coupon.max_redemptions is None or coupon.redemptions + coupon.reserved < coupon.max_redemptions


def _coupon_hold(order: Order, coupon: Coupon) -> None:
    """Takes one use of the coupon for this unsettled order. One conditional UPDATE: PostgreSQL
    re-checks its WHERE against the committed row after any concurrent UPDATE of it, so of
    checkouts racing for the last use exactly one gets it; the others get a 400 on `coupon`."""
    room = Q(max_redemptions__isnull=True) | Q(max_redemptions__gt=F("redemptions") + F("reserved"))
    if not Coupon.objects.filter(room, pk=coupon.pk, active=True).update(reserved=F("reserved") + 1):
        raise _no_room_error(coupon)
    order.coupon_held = True


def _coupon_release(order: Order) -> None:
    """Gives the order's held use back (it will never be paid, or it now uses another coupon)."""
    if not order.coupon_held:
        return
    Coupon.objects.filter(pk=order.coupon_id).update(reserved=F("reserved") - 1)
    Order.objects.filter(pk=order.pk).update(coupon_held=False)
    order.coupon_held = False


def _seat_release(order: Order) -> None:
    """Gives the order's held cohort seat back (it will never be paid): the cohort's next waiting
    student is offered it (schedules.cohort_seat_release, under the cohort's row lock)."""
    if not order.seat_held:
        return
    if order.cohort_id is not None:
        cohort_seat_release(student_id=order.student_id, cohort_id=order.cohort_id)
    Order.objects.filter(pk=order.pk).update(seat_held=False)
    order.seat_held = False


def _holds_release(order: Order) -> None:
    """The order can never be paid: its coupon use and its cohort seat go back."""
    _coupon_release(order)
    _seat_release(order)


def _coupon_redeem(order: Order) -> None:
    """The order is paid: its held use becomes a redemption, in one UPDATE."""
    if order.coupon_held:
        Coupon.objects.filter(pk=order.coupon_id).update(reserved=F("reserved") - 1, redemptions=F("redemptions") + 1)
        Order.objects.filter(pk=order.pk).update(coupon_held=False)
        order.coupon_held = False
        return
    # Only an order that held no use (declined before reservations existed, then paid): the
    # customer paid the discounted price, so the payment is honoured and counted; say so if that
    # passes the limit.
    Coupon.objects.filter(pk=order.coupon_id).update(redemptions=F("redemptions") + 1)
    coupon = Coupon.objects.get(pk=order.coupon_id)
    if coupon.max_redemptions is not None and coupon.redemptions + coupon.reserved > coupon.max_redemptions:
        logger.error("Order %s was paid with coupon %s, which held no use for it: over its limit", order.pk, coupon.pk)


def discount_for(price: Decimal, coupon: Coupon | None) -> Decimal:
    if coupon is None:
        return Decimal("0.00")
    if coupon.percent_off is not None:
        off = (price * coupon.percent_off / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    else:
        off = coupon.amount_off
    return min(off, price)


# --- checkout ------------------------------------------------------------------------------------
def _transition(order: Order, status: str) -> None:
    if status not in TRANSITIONS[order.status]:
        raise Conflict(
            _("An order cannot go from {old} to {new}.").format(
                old=OrderStatus(order.status).label, new=OrderStatus(status).label
            ),
            code="invalid_transition",
        )
    order.status = status


@transaction.atomic
def checkout_start(
    *, student: User, course: Course, coupon_code: str = "", cohort: int | None = None, waitlist: bool = False
) -> Order | Waitlisted:
    """Starts (or resumes) buying a paid course: a pending order and its Stripe PaymentIntent
    (amount in the currency's smallest unit, metadata order_id, an idempotency key). A second
    checkout reuses the pending order (or revives the student's declined one that still holds its
    coupon), updating its amount if the coupon changed. A coupon use is held for the order until
    it is paid, canceled or expires, so a limited coupon is never promised to more buyers than it
    has uses. Nothing is granted here: the webhook does that when Stripe says the payment
    succeeded. The course's prerequisites must be completed (409 `prerequisites_not_met`), as for a
    free enrollment. A refused coupon code counts against the student's coupon limit; while it is
    reached, a checkout with a coupon is a 429 (payments.coupon_limits).

    A course taught in cohorts needs `cohort`: the checkout holds a seat in it (under the cohort's
    row lock, schedules.cohort_seat_hold: 400, 409 `enrollment_closed` / `cohort_full`) until the
    order is paid (the seat becomes the student's) or can no longer be paid (the seat goes to the
    waitlist), like the coupon's use. A student offered a freed seat claims it here. A full cohort
    with `waitlist` returns a Waitlisted: no order is made.

    All or nothing: if Stripe cannot be reached (or refuses), this raises a 503 and the whole
    transaction rolls back, so no order, coupon hold or activity is left behind; an intent Stripe
    may have created meanwhile is never handed out, so it can never be paid."""
    if student.role != Role.STUDENT:
        raise NotPermitted(_("Only students can buy courses."))
    enrollment_refuse_own_course(student=student, course=course)
    if course.status != CourseStatus.PUBLISHED:
        raise NotFound(_("No published course with this id."))
    if course.is_free:
        raise InvalidInput(_("This course is free: enroll instead of checking out."), code="course_is_free")
    if enrollment_active_exists(student=student, course=course):
        raise Conflict(_("You are already enrolled in this course."), code="already_enrolled")
    enrollment_prerequisites_require(student=student, course=course)
    # Locks in one order everywhere (the order's row, then the course's, then the cohort's), as the
    # webhooks and the reconciliation take them: the order first, then the seat.
    order = _resumable_order(student=student, course=course)
    held = cohort_seat_hold(student=student, course=course, cohort_id=cohort, waitlist=waitlist)
    if isinstance(held, Waitlisted):
        return held
    coupon = coupon_for_checkout(course=course, code=coupon_code, student=student) if coupon_code else None
    discount = discount_for(course.price, coupon)
    amount = course.price - discount
    if 0 < amount < MIN_CHARGE:
        raise ValidationError(
            {"coupon": [_("This coupon leaves less than the minimum charge of {amount}.").format(amount=MIN_CHARGE)]}
        )
    client = gateway.client() if amount > 0 else None

    coupon_pk = coupon.pk if coupon else None
    needs_hold = coupon is not None and not (order and order.coupon_held and order.coupon_id == coupon_pk)
    if needs_hold and not _coupon_has_room(coupon):
        raise _no_room_error(coupon)
    if order is None:
        order = Order(student=student, course=course, currency=course.currency)
        order.list_price, order.discount, order.amount, order.coupon = course.price, discount, amount, coupon
        _save_pending(order)
        activity_record(
            actor=student,
            verb=Verb.ORDER_CREATED,
            target=order,
            course=course,
            metadata={"amount": str(amount), "currency": order.currency},
        )
    elif order.status == OrderStatus.FAILED:  # a declined card: the customer tries again
        _transition(order, OrderStatus.PENDING)
        order.failure_reason = ""
        _save_pending(order)
    changed = order.amount != amount or order.coupon_id != coupon_pk
    if order.coupon_id != coupon_pk:
        _coupon_release(order)
    if order.seat_held and order.cohort_id != held:  # the student picked another cohort
        _seat_release(order)
    order.cohort_id, order.seat_held = held, held is not None
    order.list_price, order.discount, order.amount, order.coupon = course.price, discount, amount, coupon

    if amount == 0:  # fully discounted: nothing to charge, so nothing for Stripe to confirm
        if needs_hold:
            _coupon_hold(order, coupon)
        order.save()
        _order_mark_paid(order, reason="fully discounted")
        return order

    params = {
        "amount": gateway.to_minor_units(amount, order.currency),
        "currency": order.currency.lower(),
        "metadata": {"order_id": str(order.pk), "course_id": str(course.pk), "student_id": str(student.pk)},
    }
    created_intent = None
    try:
        if not order.payment_intent_id:
            created_intent = client.v1.payment_intents.create(
                params={**params, "payment_method_types": ["card"]},
                options={"idempotency_key": f"order-{order.pk}-create"},
            )
            order.payment_intent_id, order.client_secret = created_intent.id, created_intent.client_secret
        elif changed:
            # The customer may hold this intent's client secret: take the new coupon's use first,
            # so Stripe never charges a discount the order could not get.
            if needs_hold:
                _coupon_hold(order, coupon)
            try:
                client.v1.payment_intents.update(order.payment_intent_id, params=params)
            except stripe.InvalidRequestError as exc:
                if exc.code != "resource_missing" and exc.http_status != 404:
                    raise
                # Stripe has no such intent (another account's keys, a wiped test mode): nothing
                # can ever pay it or send its events, so the order gets a new one instead of
                # answering 503 to this student forever.
                logger.warning(
                    "PaymentIntent %s of order %s is missing at Stripe; replacing it", order.payment_intent_id, order.pk
                )
                replacement = client.v1.payment_intents.create(
                    params={**params, "payment_method_types": ["card"]},
                    options={"idempotency_key": f"order-{order.pk}-replaces-{order.payment_intent_id}"},
                )
                order.payment_intent_id, order.client_secret = replacement.id, replacement.client_secret
    except stripe.StripeError as exc:
        raise gateway.provider_error(exc) from exc
    if needs_hold and not order.coupon_held:
        # A new intent: its client secret leaves only with this reply, so the coupon's row is
        # locked only now (not across the call to Stripe). Losing the race for the last use
        # cancels the intent nobody will ever see.
        try:
            _coupon_hold(order, coupon)
        except ValidationError:
            if created_intent is not None:
                _cancel_quietly(client, created_intent.id)
            raise
    order.save()
    return order


def _resumable_order(*, student: User, course: Course) -> Order | None:
    """The student's pending order for the course (locked), else their latest declined one that
    still holds its coupon's use (its intent is still payable)."""
    pending = Order.objects.select_for_update().filter(student=student, course=course, status=OrderStatus.PENDING)
    order = pending.first()
    if order is None:
        declined = Order.objects.select_for_update().filter(
            Q(coupon_held=True) | Q(seat_held=True), student=student, course=course, status=OrderStatus.FAILED
        )
        order = declined.order_by("-created_at").first()
    return order


def _save_pending(order: Order) -> None:
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as exc:  # a concurrent checkout made the pending order first
        raise Conflict(_("A checkout for this course is already in progress; retry."), code="checkout_busy") from exc


def _cancel_quietly(client, intent_id: str) -> None:
    try:
        client.v1.payment_intents.cancel(intent_id)
    except stripe.StripeError as exc:  # never handed out, so it cannot be paid anyway
        logger.warning("Could not cancel unused PaymentIntent %s: %s", intent_id, exc)


def _order_mark_paid(order: Order, *, reason: str = "") -> bool:
    """pending/failed -> paid: redeem the coupon, enroll the student (source paid), send the
    receipt. The caller holds the order's row lock. Returns False when already settled."""
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        return False
    _transition(order, OrderStatus.PAID)
    order.paid_at = timezone.now()
    order.failure_reason = ""
    order.save(update_fields=["status", "paid_at", "failure_reason", "updated_at"])
    if order.coupon_id:
        _coupon_redeem(order)
    try:
        with transaction.atomic():
            enrollment_create(
                student=order.student, course=order.course, source=EnrollmentSource.PAID, cohort=order.cohort_id
            )
    except Conflict:
        logger.warning("Order %s paid but the student was already enrolled", order.pk)
        _seat_release(order)  # enrolled otherwise (a staff grant): the seat it held goes to the next in line
    if order.seat_held:  # enrollment_create made the held seat the student's (or it was released above)
        Order.objects.filter(pk=order.pk).update(seat_held=False)
        order.seat_held = False
    notify(
        recipients=[order.student_id],
        type="payment_succeeded",
        title=format_lazy(gettext_lazy("Receipt: {course}"), course=order.course.title),
        body=format_lazy(
            gettext_lazy("We received your payment of {amount} {currency}. Order {order}."),
            amount=order.amount,
            currency=order.currency,
            order=order.pk,
        ),
        payload={"order_id": str(order.pk), "course_id": order.course_id},
    )
    activity_record(
        actor=order.student_id,
        verb=Verb.PAYMENT_SUCCEEDED,
        target=order,
        course=order.course_id,
        metadata={"amount": str(order.amount), "currency": order.currency, "reason": reason},
    )
    publish("order.paid", order)
    return True


def _order_mark_failed(order: Order, reason: str, *, final: bool = False) -> bool:
    """pending -> failed. `final`: the intent can never succeed (canceled), so the order's coupon
    use is given back too; after a declined card it is kept, as the customer may retry."""
    if final:
        _holds_release(order)
    if order.status != OrderStatus.PENDING:  # a late failure never downgrades a settled order
        return False
    _transition(order, OrderStatus.FAILED)
    order.failure_reason = reason[:500]
    order.save(update_fields=["status", "failure_reason", "updated_at"])
    return True


def _lock_enrollment(order: Order) -> Enrollment | None:
    """Locks the buyer's active enrollment in the course until commit (None if there is none): the
    lock certificate_issue (and course completion) take, so a refund and a certificate never
    interleave. Revoked enrollments need no lock: nothing is issued for them."""
    return enrollment_get_active(student=order.student_id, course=order.course_id, for_update=True)


def _order_mark_refunded(order: Order, *, refund_id: str = "") -> bool:
    """-> refunded: access ends (the enrollment is revoked; progress is kept) and so does the
    certificate of the course, if one was issued (revoked with the reason "refunded"), whichever
    path refunded it: the buyer, an admin, or Stripe's charge.refunded. The caller holds the
    order's row lock; the enrollment's is taken here (if the caller did not already)."""
    if order.status == OrderStatus.REFUNDED:
        return False
    was_paid = order.status == OrderStatus.PAID
    _transition(order, OrderStatus.REFUNDED)
    _holds_release(order)  # refunded before it was paid: it never will be
    order.refunded_at = timezone.now()
    order.refund_id = refund_id or order.refund_id
    order.save(update_fields=["status", "refunded_at", "refund_id", "updated_at"])
    revoked_certificates = []
    if was_paid:
        enrollment = _lock_enrollment(order)
        if enrollment is not None:
            # The platform's act: whoever asked (the buyer, an admin, Stripe) was authorized above.
            enrollment_revoke(actor=None, enrollment=enrollment)
        revoked_certificates = certificates_revoke_for_refund(student_id=order.student_id, course_id=order.course_id)
    if revoked_certificates:
        body = gettext_lazy(
            "We refunded {amount} {currency} for order {order}. Your access to the course has ended. "
            "Your certificate of the course has been revoked."
        )
    else:
        body = gettext_lazy("We refunded {amount} {currency} for order {order}. Your access to the course has ended.")
    notify(
        recipients=[order.student_id],
        type="payment_refunded",
        title=format_lazy(gettext_lazy("Refund: {course}"), course=order.course.title),
        body=format_lazy(body, amount=order.amount, currency=order.currency, order=order.pk),
        payload={"order_id": str(order.pk), "course_id": order.course_id},
    )
    activity_record(
        actor=order.student_id,
        verb=Verb.PAYMENT_REFUNDED,
        target=order,
        course=order.course_id,
        metadata={"amount": str(order.amount), "currency": order.currency},
    )
    publish("order.refunded", order)
    return True


def _locked_order(**lookup) -> Order | None:
    """The order, its row locked until commit. Only the order's row (`of`): locking the joined
    course and student rows too would make every transaction that inserts a row referring to them
    (a certificate, a notification: PostgreSQL checks those foreign keys at commit) wait for this
    one, through a refund's call to Stripe, and deadlock with the enrollment lock a refund waits for."""
    return Order.objects.select_for_update(of=("self",)).select_related("course", "student").filter(**lookup).first()


# --- webhook -------------------------------------------------------------------------------------
HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
}


@transaction.atomic
def webhook_event_process(*, event_id: str, event_type: str, obj: dict) -> str:
    """Handles one verified Stripe event exactly once, whatever the delivery order or count. The
    event row and the order's change commit together: if anything fails, both roll back and the
    caller answers 5xx so that Stripe retries. Returns what happened, for the log and the reply."""
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(id=event_id, type=event_type)
    except IntegrityError:
        return "duplicate"
    if event_type not in HANDLED:
        record.outcome = "ignored"
        record.save(update_fields=["outcome"])
        return "ignored"
    intent_id = obj.get("payment_intent") if event_type == "charge.refunded" else obj.get("id")
    order = _locked_order(payment_intent_id=intent_id) if intent_id else None
    if order is None:
        order_id = (obj.get("metadata") or {}).get("order_id")
        order = _locked_order(pk=order_id) if order_id and _is_uuid(order_id) else None
    if order is None:
        outcome = "unknown order"
    elif event_type == "payment_intent.succeeded":
        outcome = _settle_success(
            order, amount=obj.get("amount_received") or obj.get("amount"), currency=obj.get("currency")
        )
    elif event_type in ("payment_intent.payment_failed", "payment_intent.canceled"):
        error = obj.get("last_payment_error") or {}
        canceled = event_type.endswith("canceled")
        reason = error.get("message") or ("canceled" if canceled else "payment failed")
        outcome = "failed" if _order_mark_failed(order, reason, final=canceled) else f"kept {order.status}"
    else:
        fully = obj.get("refunded") or (obj.get("amount_refunded") or 0) >= (obj.get("amount") or 0)
        if fully:
            outcome = "refunded" if _order_mark_refunded(order) else "already refunded"
        else:
            outcome = "partial refund noted"
    record.order = order
    record.outcome = outcome
    record.save(update_fields=["order", "outcome"])
    return outcome


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _settle_success(order: Order, *, amount, currency) -> str:
    expected = gateway.to_minor_units(order.amount, order.currency)
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = None
    if amount != expected or (currency or "").upper() != order.currency:
        logger.error(
            "Order %s: Stripe reported %s %s, expected %s %s", order.pk, amount, currency, expected, order.currency
        )
        if order.status == OrderStatus.PENDING:
            order.failure_reason = f"amount mismatch: Stripe reported {amount} {currency}"
            order.save(update_fields=["failure_reason", "updated_at"])
        return "amount mismatch: refused"
    return "paid" if _order_mark_paid(order) else f"kept {order.status}"


# --- refunds -------------------------------------------------------------------------------------
# Why an order that is not paid cannot be refunded: one sentence per status (each language words it
# its own way).
NOT_REFUNDABLE = {
    OrderStatus.PENDING: gettext_lazy("Only paid orders can be refunded; this one is pending."),
    OrderStatus.FAILED: gettext_lazy("Only paid orders can be refunded; this one is failed."),
    OrderStatus.REFUNDED: gettext_lazy("Only paid orders can be refunded; this one is refunded."),
}


def refund_blocker(*, order: Order, actor: User) -> Message | None:
    """Why this actor may not refund this order now, or None. Admins may always refund a paid
    order (a certificate of the course is then revoked, see _order_mark_refunded); the buyer
    within REFUND_WINDOW_DAYS of paying and before a valid certificate exists. For the answer to
    hold, the caller holds the order's and the enrollment's row locks (order_refund does)."""
    if order.status != OrderStatus.PAID:
        return NOT_REFUNDABLE.get(order.status) or _("Only paid orders can be refunded.")
    if is_admin(actor):
        return None
    if order.student_id != actor.pk:
        return _("You can only refund your own orders.")
    days = settings.REFUND_WINDOW_DAYS
    if order.paid_at and timezone.now() > order.paid_at + timedelta(days=days):
        return ngettext(
            "The refund window of {count} day has passed.", "The refund window of {count} days has passed.", days
        ).format(count=days)
    if _has_certificate(order):
        return _("A certificate has been issued for this course, so it can no longer be refunded.")
    return None


def _has_certificate(order: Order) -> bool:
    return certificate_exists(student_id=order.student_id, course_id=order.course_id)


@transaction.atomic
def order_refund(*, order: Order, actor: User) -> Order:
    """Refunds through Stripe (idempotently), then marks the order refunded, ends access and
    revokes the course's certificate if one exists (admins only: the buyer cannot refund then).

    Who may (refund_blocker, checked under the locks): an admin, whenever the order is paid; the
    buyer, within REFUND_WINDOW_DAYS and before a certificate; anyone else is refused (403), and an
    order that is not paid is a 409. Always a person: Stripe's own refunds arrive as
    charge.refunded (webhook_event_process), not through here. Takes the order's row lock.

    The enrollment's row is locked before the certificate check and until commit (through the call
    to Stripe): certificate_issue takes the same lock, so either the certificate came first (the
    buyer is refused; an admin's refund revokes it) or the refund did (the enrollment is revoked
    and no certificate is issued for it)."""
    order = _locked_order(pk=order.pk)
    _lock_enrollment(order)
    blocker = refund_blocker(order=order, actor=actor)
    if blocker:
        status_conflict = order.status != OrderStatus.PAID
        raise (Conflict(blocker, code="not_refundable") if status_conflict else NotPermitted(blocker))
    refund_id = ""
    if order.payment_intent_id:
        try:
            refund = gateway.client().v1.refunds.create(
                params={"payment_intent": order.payment_intent_id, "metadata": {"order_id": str(order.pk)}},
                options={"idempotency_key": f"order-{order.pk}-refund"},
            )
        except stripe.StripeError as exc:
            raise gateway.provider_error(exc) from exc
        refund_id = refund.id
    _order_mark_refunded(order, refund_id=refund_id)
    return order


# --- reconciliation ------------------------------------------------------------------------------
DEFAULT_EXPIRE_MINUTES = 60
CANCELABLE = {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}


def _expire_after() -> timedelta:
    """How long an unsettled order may sit untouched (settings.PAYMENTS_ORDER_EXPIRE_MINUTES)
    before reconciliation cancels its intent and gives its coupon use back."""
    return timedelta(minutes=getattr(settings, "PAYMENTS_ORDER_EXPIRE_MINUTES", DEFAULT_EXPIRE_MINUTES))


def payments_reconcile_due(*, older_than_minutes: int | None = None, limit: int = 200) -> list[int]:
    """The orders reconciliation looks at, oldest first: pending with an intent and older than the
    cutoff (PAYMENTS_RECONCILE_AFTER_MINUTES by default), and orders left unpaid for
    PAYMENTS_ORDER_EXPIRE_MINUTES (pending, or declined but still holding a coupon use)."""
    minutes = settings.PAYMENTS_RECONCILE_AFTER_MINUTES if older_than_minutes is None else older_than_minutes
    now = timezone.now()
    stale = now - _expire_after()
    due = (
        Q(status=OrderStatus.PENDING, payment_intent_id__isnull=False, created_at__lte=now - timedelta(minutes=minutes))
        | Q(status=OrderStatus.PENDING, updated_at__lte=stale)
        | Q(status=OrderStatus.FAILED, coupon_held=True, updated_at__lte=stale)
        | Q(status=OrderStatus.FAILED, seat_held=True, updated_at__lte=stale)
    )
    return list(Order.objects.filter(due).order_by("created_at").values_list("pk", flat=True)[:limit])


def payments_reconcile(
    *, older_than_minutes: int | None = None, limit: int = 200, on_order: Callable[[int, str], None] | None = None
) -> dict[str, int]:
    """Settles the due orders (payments_reconcile_due) whose webhook never arrived by asking Stripe
    for their intent, each in its own transaction, and expires the stale ones: their intent is
    canceled at Stripe and the order marked failed, so nothing stays pending forever. Calls
    on_order(order id, outcome) after each. Returns counts per outcome."""
    ids = payments_reconcile_due(older_than_minutes=older_than_minutes, limit=limit)
    counts: dict[str, int] = {}
    if not ids:
        return counts
    client = gateway.client()
    for pk in ids:
        try:
            outcome = order_reconcile(client=client, order_pk=pk)
        except stripe.StripeError as exc:
            logger.warning("Reconciling order %s failed: %s", pk, exc)
            outcome = "stripe error"
        counts[outcome] = counts.get(outcome, 0) + 1
        if on_order is not None:
            on_order(pk, outcome)
    return counts


@transaction.atomic
def order_reconcile(*, client, order_pk) -> str:
    """Settles or expires one order from what Stripe says about its intent; returns the outcome."""
    order = _locked_order(pk=order_pk, status__in=[OrderStatus.PENDING, OrderStatus.FAILED])
    if order is None or (order.status == OrderStatus.FAILED and not (order.coupon_held or order.seat_held)):
        return "already settled"
    expired = order.updated_at <= timezone.now() - _expire_after()
    if not order.payment_intent_id:  # nothing at Stripe can pay it
        if not expired:
            return "still pending"
        _order_mark_failed(order, "expired", final=True)
        return "expired"
    intent = client.v1.payment_intents.retrieve(order.payment_intent_id)
    if expired and intent.status in CANCELABLE:
        try:
            intent = client.v1.payment_intents.cancel(order.payment_intent_id)
        except stripe.InvalidRequestError:  # it moved on meanwhile (e.g. the customer just paid)
            intent = client.v1.payment_intents.retrieve(order.payment_intent_id)
        if intent.status == "canceled":
            _order_mark_failed(order, "expired: not paid in time", final=True)
            return "expired"
    if intent.status == "succeeded":
        amount = getattr(intent, "amount_received", None) or intent.amount
        return _settle_success(order, amount=int(amount), currency=intent.currency)
    if intent.status == "canceled":
        _order_mark_failed(order, "canceled", final=True)
        return "failed"
    return "still pending"


# --- erasure -------------------------------------------------------------------------------------
# The failure_reason of an order closed because its buyer's account was erased: why it failed, not
# anything about the person, so erasure keeps it (every other reason on their orders is blanked).
ERASED_REASON = "canceled: account erased"
UNSETTLED = Q(status=OrderStatus.PENDING) | Q(status=OrderStatus.FAILED, coupon_held=True)
UNSETTLED |= Q(status=OrderStatus.FAILED, seat_held=True)


def _unsettled(order: Order) -> bool:
    """UNSETTLED, for a row in hand."""
    held = order.coupon_held or order.seat_held
    return order.status == OrderStatus.PENDING or (order.status == OrderStatus.FAILED and held)


class PaymentProcessing(Conflict):
    """An order's payment is being processed at Stripe: erasure waits for its outcome (the job
    fails and runs again later), rather than close an order that may yet be paid."""


def orders_erase_for_user(*, user: User) -> int:
    """Erasure of a person (privacy's erasure job: the platform acts, there is no actor and no other
    caller). Orders stay, for accounting, with their amounts, currency, status, course, coupon and
    dates, pointing at the pseudonymised user. The platform stores no name, e-mail, address or
    Stripe customer on an order, and sends Stripe only the order's, course's and user's ids as
    metadata, so nothing at Stripe needs anonymising. What goes:

    - every order still unsettled (pending, or declined but holding a coupon use or a cohort seat)
      is closed: its intent canceled at Stripe, then the order failed (ERASED_REASON) with its holds
      given back (the coupon's `reserved`, the cohort seat to the next in line), as reconciliation
      expires orders. An intent Stripe says succeeded meanwhile is settled as paid instead (what its
      webhook would do; the courses eraser, which runs after, revokes the enrollment it made). One
      still processing raises PaymentProcessing: the erasure job runs again later;
    - the client secret of every order (it reads the intent, and its card's details, at Stripe);
    - the failure reasons (a card issuer's decline message says something about the person).

    Each unsettled order under its own row lock (_locked_order), one at a time. Idempotent and
    resumable: a run that dies half way leaves each order closed or not, an intent canceled at
    Stripe is found canceled by the next run, and with nothing left it changes nothing. Stripe
    unreachable: raises (503) and the job retries. Without Stripe configured, unsettled orders are
    closed without a call (nothing can be paid through us then). Returns how many orders it closed."""
    unsettled = Order.objects.filter(UNSETTLED, student=user).order_by("created_at")
    ids = list(unsettled.values_list("pk", flat=True))
    client = None
    if gateway.configured() and unsettled.filter(payment_intent_id__isnull=False).exists():
        client = gateway.client()
    closed = sum(_order_close_for_erasure(order_pk=pk, client=client) for pk in ids)
    mine = Order.objects.filter(student=user)
    mine.exclude(client_secret="").update(client_secret="")
    mine.exclude(failure_reason="").exclude(failure_reason=ERASED_REASON).update(failure_reason="")
    return closed


@transaction.atomic
def _order_close_for_erasure(*, order_pk, client) -> bool:
    """Closes one unsettled order of a person being erased (see orders_erase_for_user), under its
    row lock. Returns whether it closed it (False: settled meanwhile, or paid at Stripe)."""
    order = _locked_order(pk=order_pk)
    if order is None or not _unsettled(order):
        return False
    if order.payment_intent_id and client is not None:
        try:
            intent = client.v1.payment_intents.retrieve(order.payment_intent_id)
            if intent.status in CANCELABLE:
                try:
                    intent = client.v1.payment_intents.cancel(order.payment_intent_id)
                except stripe.InvalidRequestError:  # it moved on meanwhile (e.g. it was just paid)
                    intent = client.v1.payment_intents.retrieve(order.payment_intent_id)
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing" and exc.http_status != 404:
                raise gateway.provider_error(exc) from exc
            intent = None  # Stripe has no such intent (another account's keys): nothing can pay it
        except stripe.StripeError as exc:
            raise gateway.provider_error(exc) from exc
        if intent is not None and intent.status == "succeeded":
            amount = getattr(intent, "amount_received", None) or intent.amount
            _settle_success(order, amount=int(amount), currency=intent.currency)
            return False
        if intent is not None and intent.status == "processing":
            raise PaymentProcessing(
                _("This user has a payment being processed; the erasure waits for its outcome."),
                code="payment_processing",
            )
    _order_mark_failed(order, ERASED_REASON, final=True)
    return True
