import textwrap
from collections import Counter as Tally

from django.core.management.base import CommandError

from lms.commands import (
    OperatorCommand,
    add_count_argument,
    add_dry_run_argument,
    add_progress_argument,
    progress_for,
    require_at_least_one,
)
from lms.counters import Drift, counters, counters_repair


def _names() -> list[str]:
    return [counter.name for counter in counters()]


class Command(OperatorCommand):
    help = (
        "Recount the stored counters (lesson and enrollment counts, rating figures, forum comment and vote\n"
        "counts, coupon uses) from the rows they count, and set the ones that drifted to their true value.\n"
        "Each drifted row is locked while it is recounted and written, so it is safe while the site runs.\n"
        "Exits with status 1 when --dry-run finds drift (so it can be scheduled as a check)."
    )

    @property
    def epilog(self) -> str:  # the counters are registered by the apps (lms/counters.py)
        definitions = "\n".join(
            f"  {counter.name}\n"
            + textwrap.fill(counter.definition, width=96, initial_indent=" " * 6, subsequent_indent=" " * 6)
            for counter in counters()
        )
        return f"""
counters (what each one's true value is):
{definitions}

examples:
  manage.py repair_counters --dry-run                    list every drifted value: model, id, field, stored -> true
  manage.py repair_counters
  manage.py repair_counters --counter courses.enrollment_count --counter reviews.course_rating
  manage.py repair_counters --batch-size 100 --progress
"""

    def add_arguments(self, parser):
        parser.add_argument(
            "--counter",
            action="append",
            choices=_names(),
            metavar="NAME",
            help=f"Only this counter (repeatable): {', '.join(_names())}.",
        )
        add_count_argument(
            parser,
            "--batch-size",
            default=500,
            help="Drifted rows locked and repaired per transaction (default: %(default)s).",
        )
        add_dry_run_argument(parser, "every drifted value (model, id, field, stored -> true)")
        add_progress_argument(parser)

    def handle(self, *args, counter, batch_size, dry_run, progress, **options):
        require_at_least_one(batch_size=batch_size)
        names = list(dict.fromkeys(counter)) if counter else _names()
        with progress_for(self, None, label="Repairing" if not dry_run else "Checking", force=progress) as bar:

            def report(drifts: list[Drift]) -> None:
                for drift in drifts:
                    self.stdout.write(f"  {drift}")
                bar.advance(len({drift.pk for drift in drifts}))

            drifts = counters_repair(names=names, dry_run=dry_run, batch_size=batch_size, on_batch=report)
        summary = self._summary(drifts)
        if dry_run:
            if drifts:
                self.stdout.write(f"Dry run: {summary} drifted. Nothing was changed.")
                raise CommandError(
                    f"{len(drifts)} stored value(s) drifted; run `manage.py repair_counters` to repair them.",
                    returncode=1,
                )
            self.stdout.write(f"Dry run: no drift in {', '.join(names)}. Nothing was changed.")
            return
        if drifts:
            self.stdout.write(f"Repaired {summary}.")
        else:
            self.stdout.write(f"No drift in {', '.join(names)}: nothing to repair.")

    @staticmethod
    def _summary(drifts: list[Drift]) -> str:
        rows = len({(drift.model, drift.pk) for drift in drifts})
        per_counter = Tally(drift.counter for drift in drifts)
        detail = ", ".join(f"{name} {n}" for name, n in sorted(per_counter.items()))
        return f"{len(drifts)} value(s) in {rows} row(s) ({detail})"
