from django.core.management.base import CommandError

from activity.models import ActivityEvent
from activity.services import activity_prune, activity_prune_cutoff
from lms.commands import (
    OperatorCommand,
    add_count_argument,
    add_dry_run_argument,
    add_progress_argument,
    progress_for,
    require_at_least_one,
    write_prune_report,
)


class Command(OperatorCommand):
    help = (
        "Delete activity events older than --older-than DAYS, in batches (no long table lock).\n"
        "Beat runs the same pruning daily with ACTIVITY_RETENTION_DAYS."
    )
    epilog = """
examples:
  manage.py prune_activity --older-than 365 --dry-run   count what would go, per verb
  manage.py prune_activity --older-than 365             delete it
  manage.py prune_activity --older-than 90 --batch-size 1000 --progress
"""

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            required=True,
            metavar="DAYS",
            help="Delete events created more than DAYS days ago (at least 1).",
        )
        add_count_argument(parser, "--batch-size", default=5000, help="Rows deleted per statement (default: 5000).")
        add_dry_run_argument(parser, "how many events would be deleted, per verb,")
        add_progress_argument(parser)

    def handle(self, *args, older_than, batch_size, dry_run, progress, **options):
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 day.")
        require_at_least_one(batch_size=batch_size)
        cutoff = activity_prune_cutoff(older_than_days=older_than)
        doomed = ActivityEvent.objects.filter(created_at__lt=cutoff)
        if dry_run:
            write_prune_report(
                self, doomed, noun="activity event", verb="created", days=older_than, cutoff=cutoff,
                date_field="created_at", group_by="verb",
            )  # fmt: skip
            return
        total = doomed.count()
        with progress_for(self, total, label="Pruning", force=progress) as bar:
            deleted = activity_prune(older_than_days=older_than, batch_size=batch_size, on_batch=bar.advance)
        self.stdout.write(f"Deleted {deleted} activity event(s) older than {older_than} day(s).")
