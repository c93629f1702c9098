"""Rows behind every stored counter, made only through the services that keep the counters (so the
stored figures are what the application produced), with the figures those steps must leave.

Needs the Stripe emulator (checkouts create PaymentIntents); payments then settle through the
webhook service, as Stripe's events would."""

from dataclasses import dataclass
from decimal import Decimal

from accounts.tests.factories import InstructorFactory, StudentFactory
from courses import services as courses
from courses.models import Course
from courses.tests.factories import PublishedCourseFactory
from forum import services as forum
from forum.models import Post
from payments import services as payments
from payments.models import Coupon, Order
from payments.tests.helpers import charge_object, event, intent_object, pay
from reviews import services as reviews


@dataclass
class World:
    course: Course  # free: lessons, enrollments, reviews and a forum
    paid_course: Course
    post: Post  # comments, a reply, a deleted and a hidden comment, votes
    quiet_post: Post  # nothing on it: zeros must not look drifted
    coupon: Coupon  # two uses redeemed, two held, two given back
    unused_coupon: Coupon


def _deliver(order: Order, event_type: str, obj: dict) -> None:
    evt = event(event_type, obj)
    payments.webhook_event_process(event_id=evt["id"], event_type=evt["type"], obj=evt["data"]["object"])


def build_world() -> World:
    instructor = InstructorFactory()
    course = PublishedCourseFactory(instructor=instructor, lessons=0)

    # lesson_count: 3 created, 1 deleted, and a section of 2 deleted -> 2.
    basics = courses.section_create(actor=None, course=course, title="Basics")
    *_kept, third = (courses.lesson_create(actor=None, section=basics, title=f"Lesson {n}") for n in range(3))
    courses.lesson_delete(actor=None, lesson=third)
    extra = courses.section_create(actor=None, course=course, title="Extra")
    for n in range(2):
        courses.lesson_create(actor=None, section=extra, title=f"Extra {n}")
    courses.section_delete(actor=None, section=extra)

    a, b, c, d = StudentFactory.create_batch(4)
    enrollments = {s: courses.enrollment_create(student=s, course=course) for s in (a, b, c, d)}

    # ratings: 5, 4, 4 after an edit, a delete and a second review -> 3, 4.33, {4: 2, 5: 1}; c's
    # 1 star stops counting when c's enrollment is revoked below, d's leaves and comes back with d's.
    reviews.review_create(course=course, student=a, rating=5)
    by_b = reviews.review_create(course=course, student=b, rating=2)
    reviews.review_create(course=course, student=c, rating=1)
    by_d = reviews.review_create(course=course, student=d, rating=1)
    reviews.review_update(review=by_d, actor=d, data={"rating": 4})
    reviews.review_delete(review=by_b, actor=b)
    reviews.review_create(course=course, student=b, rating=4)

    # enrollment_count: 4 enrolled, d revoked and back, c revoked -> 3 active.
    courses.enrollment_revoke(actor=None, enrollment=enrollments[d])
    courses.enrollment_create(student=d, course=course)
    courses.enrollment_revoke(actor=None, enrollment=enrollments[c])

    # forum: comments c1 (hidden), reply r1, c3 (deleted) -> 2; votes a, b, d, b again -> 2.
    post = forum.post_create(course=course, author=a, title="Week 1", body="How do I start?")
    c1 = forum.comment_create(post=post, author=b, body="Read the intro.")
    forum.comment_create(post=post, author=a, body="Thanks!", parent=c1)
    c3 = forum.comment_create(post=post, author=d, body="Off topic")
    forum.comment_delete(comment=c3, actor=d)
    forum.item_set_hidden(item=c1, actor=instructor, hidden=True)
    for voter in (a, b, d, b):
        forum.vote_toggle(post=post, user=voter)
    quiet_post = forum.post_create(course=course, author=b, title="Week 2", body="Anyone?")
    forum.post_delete(post=quiet_post, actor=b)

    # coupon uses: e holds (pending), f paid, g paid then refunded (still a redemption), h refunded
    # before paying and j canceled (uses given back), i declined (still holds) -> 2 redeemed, 2 held.
    paid_course = PublishedCourseFactory(instructor=instructor, price=Decimal("49.99"))
    coupon = payments.coupon_create(actor=None, course=paid_course, code="SAVE", percent_off=20, max_redemptions=10)
    unused_coupon = payments.coupon_create(actor=None, course=paid_course, code="SPARE", percent_off=10)
    orders = {
        name: payments.checkout_start(student=StudentFactory(), course=paid_course, coupon_code="save")
        for name in "efghij"
    }
    pay(orders["f"])
    pay(orders["g"])
    # g's 1-star review of the paid course stops counting with g's refund (rating_count stays 0).
    reviews.review_create(course=paid_course, student=orders["g"].student, rating=1)
    _deliver(orders["g"], "charge.refunded", charge_object(orders["g"]))
    _deliver(orders["h"], "charge.refunded", charge_object(orders["h"]))
    declined = intent_object(orders["i"], status="requires_payment_method")
    declined["last_payment_error"] = {"message": "Your card was declined."}
    _deliver(orders["i"], "payment_intent.payment_failed", declined)
    _deliver(orders["j"], "payment_intent.canceled", intent_object(orders["j"], status="canceled"))

    world = World(course, paid_course, post, quiet_post, coupon, unused_coupon)
    for name, figures in EXPECTED.items():
        assert stored(world)[name] == figures, name  # what the services left, before any repair
    return world


def refresh(world: World) -> None:
    for row in (world.course, world.paid_course, world.post, world.quiet_post, world.coupon, world.unused_coupon):
        row.refresh_from_db()


# What the steps above leave, as the services keep it (checked against the stored rows first, so
# a test of repair starts from figures known to be right).
EXPECTED = {
    "course": {
        "lesson_count": 2,
        "enrollment_count": 3,
        "rating_count": 3,
        "average_rating": Decimal("4.33"),
        "rating_distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1},
    },
    "paid_course": {"enrollment_count": 1, "rating_count": 0, "average_rating": Decimal("0.00")},
    "post": {"comment_count": 2, "vote_count": 2},
    "quiet_post": {"comment_count": 0, "vote_count": 0},
    "coupon": {"redemptions": 2, "reserved": 2},
    "unused_coupon": {"redemptions": 0, "reserved": 0},
}


def stored(world: World) -> dict[str, dict]:
    refresh(world)
    return {name: {f: getattr(getattr(world, name), f) for f in figures} for name, figures in EXPECTED.items()}


# One corruption per stored figure: (counter, model, row of the World, field, a wrong value).
CORRUPTIONS = [
    ("courses.lesson_count", Course, "course", "lesson_count", 99),
    ("courses.enrollment_count", Course, "course", "enrollment_count", 0),
    ("reviews.course_rating", Course, "course", "rating_count", 7),
    ("reviews.course_rating", Course, "course", "average_rating", Decimal("1.25")),
    ("reviews.course_rating", Course, "course", "rating_distribution", {"1": 3, "2": 0, "3": 0, "4": 0, "5": 0}),
    ("forum.comment_count", Post, "post", "comment_count", 3),  # deleted comment counted
    ("forum.vote_count", Post, "quiet_post", "vote_count", 1),
    ("payments.coupon_uses", Coupon, "coupon", "redemptions", 1),
    ("payments.coupon_uses", Coupon, "coupon", "reserved", 4),  # holds never given back
]
