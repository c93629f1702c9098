"""What payments holds about a person, for privacy's export and erasure (privacy.registry): their
orders (what they bought, for how much, and what became of each payment).

No card data is ever stored here (Stripe's form takes the card), so none is exported; nor is the
intent's client secret. Erasure keeps the orders for accounting without personal data
(payments.services.orders_erase_for_user): the platform stores no name, e-mail, address or Stripe
customer on them, so what goes is what could still say something about the person: the client
secret, the card issuer's decline messages, and any order left open (canceled at Stripe)."""

from privacy.registry import Eraser, Exporter

from .models import Order
from .selectors import order_list_for_student
from .services import orders_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value) -> str | None:
    return None if value is None else str(value)


def payments_export(user) -> dict:
    """The person's orders, newest first, as JSON-able rows (amounts as strings). One query."""
    return {
        "orders": [
            {
                "id": str(order.pk),
                "course_id": order.course_id,
                "course_title": order.course.title,
                "cohort_id": order.cohort_id,
                "coupon_code": order.coupon.code if order.coupon_id else None,
                "status": order.status,
                "list_price": _str(order.list_price),
                "discount": _str(order.discount),
                "amount": _str(order.amount),
                "currency": order.currency,
                "payment_intent_id": order.payment_intent_id,
                "refund_id": order.refund_id,
                "failure_reason": order.failure_reason,
                "created_at": _iso(order.created_at),
                "updated_at": _iso(order.updated_at),
                "paid_at": _iso(order.paid_at),
                "refunded_at": _iso(order.refunded_at),
            }
            for order in order_list_for_student(user)
        ],
    }


def payments_erase(user) -> None:
    """payments.services.orders_erase_for_user: idempotent and resumable (see the service)."""
    orders_erase_for_user(user=user)


EXPORTER = Exporter(
    name="payments",
    models=(Order,),
    export=payments_export,
    describe={
        "orders": "Every order you placed to buy a course, paid or not. No card data: the card was entered in "
        "Stripe's form and never reached the platform.",
        "orders.id": "The order's number, as on your receipt.",
        "orders.cohort_id": "The cohort (a dated run of the course) the order was for, if any.",
        "orders.coupon_code": "The coupon code you used, if any.",
        "orders.status": "pending (not paid yet), paid, failed (declined or canceled) or refunded.",
        "orders.list_price": "The course's price when you ordered it.",
        "orders.discount": "What the coupon took off the price.",
        "orders.amount": "What you were charged (list price minus discount), in `currency`.",
        "orders.currency": "The three-letter currency code of the amounts.",
        "orders.payment_intent_id": "Stripe's reference of the payment.",
        "orders.refund_id": "Stripe's reference of the refund, if the order was refunded.",
        "orders.failure_reason": "Why the payment failed, as the card issuer or Stripe said it (empty: it did not).",
        "orders.created_at": "When you started the checkout.",
        "orders.paid_at": "When the payment succeeded (null: it did not).",
        "orders.refunded_at": "When the order was refunded (null: it was not).",
    },
)

ERASER = Eraser(
    name="payments",
    models=(Order,),
    erase=payments_erase,
    # First: an open order whose intent turns out paid at Stripe is settled, which enrolls the
    # student; the courses eraser (order 20) then revokes that enrollment with the others.
    order=10,
    policy={
        "Order.student": "kept, pseudonymised: orders are kept for accounting (amounts, currency, status, "
        'course, coupon, dates); the buyer reads "Deleted user"',
        "Order (personal data)": "none stored: the platform keeps no name, e-mail, address, card data or Stripe "
        "customer on an order; Stripe receives only the order, course and user ids (the user id then names the "
        "pseudonym), so there is no Stripe customer to delete",
        "Order.status": "orders still open (pending, or declined but holding a coupon use or a cohort seat) are "
        "closed: the payment intent is canceled at Stripe, the order marked failed and its coupon use and "
        "cohort seat given back; one Stripe says was paid meanwhile is settled as paid",
        "Order.client_secret": "deleted (blanked): it let its holder read the payment, card details included, "
        "at Stripe",
        "Order.failure_reason": "deleted (blanked): a card issuer's decline message (e.g. insufficient funds) is "
        'about the person; an order closed by the erasure reads "canceled: account erased"',
    },
)
