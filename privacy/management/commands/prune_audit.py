from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from lms.commands import (
    OperatorCommand,
    add_count_argument,
    add_dry_run_argument,
    add_progress_argument,
    progress_for,
    require_at_least_one,
    write_prune_report,
)
from privacy.models import AuditEvent
from privacy.services import audit_prune


class Command(OperatorCommand):
    help = (
        "Delete audit events (staff reads of personal data) older than AUDIT_RETENTION_DAYS, or than\n"
        "--older-than DAYS when that is longer: the log is kept at least as long as the setting says.\n"
        "The privacy sweep on beat runs the same pruning every 10 minutes."
    )
    epilog = """
examples:
  manage.py prune_audit --dry-run              count what would go, per action
  manage.py prune_audit                        delete what is older than AUDIT_RETENTION_DAYS
  manage.py prune_audit --older-than 1095      keep three years instead
"""

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            help="Delete events recorded more than DAYS days ago (default and minimum: AUDIT_RETENTION_DAYS).",
        )
        add_count_argument(parser, "--batch-size", default=5000, help="Rows deleted per statement (default: 5000).")
        add_dry_run_argument(parser, "how many events would be deleted, per action,")
        add_progress_argument(parser)

    def handle(self, *args, older_than, batch_size, dry_run, progress, **options):
        retention = settings.AUDIT_RETENTION_DAYS
        days = retention if older_than is None else older_than
        if days < retention:
            raise CommandError(
                f"--older-than {days} is shorter than the audit log's retention (AUDIT_RETENTION_DAYS={retention}): "
                "events that young must be kept."
            )
        require_at_least_one(batch_size=batch_size)
        cutoff = timezone.now() - timedelta(days=days)
        doomed = AuditEvent.objects.filter(at__lt=cutoff)
        if dry_run:
            write_prune_report(
                self, doomed, noun="audit event", verb="recorded", days=days, cutoff=cutoff,
                date_field="at", group_by="action",
            )  # fmt: skip
            return
        with progress_for(self, doomed.count(), label="Pruning", force=progress) as bar:
            deleted = audit_prune(older_than=cutoff, batch_size=batch_size, on_batch=bar.advance)
        self.stdout.write(f"Deleted {deleted} audit event(s) older than {days} day(s).")
