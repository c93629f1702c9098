from django.conf import settings
from django.utils import timezone

from lms.commands import (
    OperatorCommand,
    add_count_argument,
    add_dry_run_argument,
    add_progress_argument,
    progress_for,
    require_at_least_one,
)
from quizzes.selectors import attempt_list_past_closing
from quizzes.services import attempts_close_expired, grace


def expired_open_attempts():
    """Open attempts past their deadline (time limit or the quiz's due date) plus the grace:
    exactly what attempts_close_expired grades."""
    return attempt_list_past_closing(timezone.now() - grace())


class Command(OperatorCommand):
    help = (
        "Grade quiz attempts left open past their deadline (time limit or the quiz's due date) plus the\n"
        "grace (QUIZ_DEADLINE_GRACE_SECONDS), as of their deadline, with the answers saved in time. Beat\n"
        "does this every minute; run it by hand after beat was down."
    )
    epilog = """
examples:
  manage.py close_expired_attempts --dry-run     list the attempts that would be graded
  manage.py close_expired_attempts
  manage.py close_expired_attempts --limit 10000 --batch-size 200 --progress
"""

    def add_arguments(self, parser):
        add_count_argument(
            parser,
            "--limit",
            default=None,
            help="Grade at most N attempts, oldest deadline first (default: all of them).",
        )
        add_count_argument(
            parser,
            "--batch-size",
            default=500,
            help="Attempts graded per round, each in its own transaction (default: 500).",
        )
        add_dry_run_argument(parser, "the attempts that would be graded")
        add_progress_argument(parser)

    def handle(self, *args, limit, batch_size, dry_run, progress, **options):
        require_at_least_one(limit=limit, batch_size=batch_size)
        expired = expired_open_attempts()
        if dry_run:
            self._report(expired[:limit] if limit else expired)
            return
        total = expired.count()
        if limit is not None:
            total = min(total, limit)
        closed = 0
        with progress_for(self, total, label="Grading", force=progress) as bar:
            # Bounded by the count taken first: attempts expiring meanwhile wait for the next run.
            while closed < total:
                n = attempts_close_expired(limit=min(batch_size, total - closed))
                if not n:
                    break
                closed += n
                bar.advance(n)
        self.stdout.write(f"Closed {closed} expired attempt(s).")

    def _report(self, attempts) -> None:
        count = 0
        for attempt in attempts.select_related("quiz", "student").iterator(chunk_size=500):
            count += 1
            self.stdout.write(
                f"  attempt {attempt.pk}  quiz {attempt.quiz_id} {attempt.quiz.title!r}  {attempt.student.email}  "
                f"#{attempt.number}  deadline {attempt.closes_at:%Y-%m-%d %H:%M:%S}  "
                f"{len(attempt.answers or {})} saved answer(s)"
            )
        self.stdout.write(
            f"Dry run: would grade {count} expired attempt(s) "
            f"(grace {settings.QUIZ_DEADLINE_GRACE_SECONDS} s). Nothing was changed."
        )
