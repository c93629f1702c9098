import stripe
from django.conf import settings
from django.core.management.base import CommandError

from lms.commands import (
    OperatorCommand,
    add_count_argument,
    add_dry_run_argument,
    add_progress_argument,
    progress_for,
    require_at_least_one,
)
from payments import gateway
from payments.models import Order
from payments.services import payments_reconcile, payments_reconcile_due

# What settling would do for each status Stripe reports (the dry run only reads the intent).
WOULD = {"succeeded": "would be marked paid (if the amount matches)", "canceled": "would be marked failed"}


class Command(OperatorCommand):
    help = (
        "Settle pending orders whose Stripe webhook never came: ask Stripe for each order's\n"
        "PaymentIntent and mark the order paid (and enroll) or failed. Beat runs this every 10 minutes."
    )
    epilog = """
examples:
  manage.py reconcile_payments --dry-run            list the orders and what Stripe says about each
  manage.py reconcile_payments --older-than 60
  manage.py reconcile_payments --older-than 0 --limit 5000 --progress
"""

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.PAYMENTS_RECONCILE_AFTER_MINUTES,
            metavar="MINUTES",
            help="Only orders created at least MINUTES ago, leaving newer ones to their webhook "
            "(default: PAYMENTS_RECONCILE_AFTER_MINUTES, %(default)s).",
        )
        add_count_argument(
            parser, "--limit", default=1000, help="At most N orders, oldest first (default: %(default)s)."
        )
        add_dry_run_argument(parser, "the pending orders and what Stripe reports for each (read only)")
        add_progress_argument(parser)

    def handle(self, *args, older_than, limit, dry_run, progress, **options):
        if older_than < 0:
            raise CommandError("--older-than cannot be negative.")
        require_at_least_one(limit=limit)
        if not gateway.configured():
            raise CommandError(
                "Stripe is not configured: set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET."
            )
        due = payments_reconcile_due(older_than_minutes=older_than, limit=limit)
        if dry_run:
            orders = Order.objects.filter(pk__in=due).select_related("student", "course").order_by("created_at")
            self._report(list(orders))
            return
        counts: dict[str, int] = {}
        if due:
            with progress_for(self, len(due), label="Reconciling", force=progress) as bar:

                def after_each(order_pk: int, outcome: str) -> None:
                    if outcome == "stripe error":
                        self.stderr.write(f"Order {order_pk}: Stripe error (see the log).")
                    bar.advance()

                counts = payments_reconcile(older_than_minutes=older_than, limit=limit, on_order=after_each)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing pending"
        self.stdout.write(f"Reconciled: {summary}.")

    def _report(self, orders: list[Order]) -> None:
        client = gateway.client()
        for order in orders:
            try:
                status = client.v1.payment_intents.retrieve(order.payment_intent_id).status
                outcome = WOULD.get(status, "would stay pending")
            except stripe.StripeError as exc:
                status, outcome = "?", f"Stripe error: {exc.user_message or exc}"
            self.stdout.write(
                f"  order {order.pk}  {order.student.email}  course {order.course_id}  "
                f"{order.amount} {order.currency}  created {order.created_at:%Y-%m-%d %H:%M}  "
                f"{order.payment_intent_id}: {status}, {outcome}"
            )
        self.stdout.write(f"Dry run: {len(orders)} order(s) to reconcile. Nothing was changed.")
