from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from payments import gateway
from payments.services import payments_reconcile


class Command(BaseCommand):
    help = "Ask Stripe about pending orders older than --older-than MINUTES and settle them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=settings.PAYMENTS_RECONCILE_AFTER_MINUTES, metavar="MINUTES"
        )
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, older_than, limit, **options):
        if older_than < 0:
            raise CommandError("--older-than cannot be negative.")
        if not gateway.configured():
            raise CommandError("Stripe is not configured (STRIPE_SECRET_KEY, ...).")
        counts = payments_reconcile(older_than_minutes=older_than, limit=limit)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing pending"
        self.stdout.write(f"Reconciled: {summary}.")
