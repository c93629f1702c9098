from django.core.management.base import BaseCommand, CommandError

from activity.services import activity_prune


class Command(BaseCommand):
    help = "Delete activity events older than --older-than DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")

    def handle(self, *args, older_than, **options):
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 day.")
        deleted = activity_prune(older_than_days=older_than)
        self.stdout.write(f"Deleted {deleted} activity event(s) older than {older_than} day(s).")
