"""What the operators' management commands share: help laid out as written (examples in the
epilog keep their lines), the `--dry-run` and `--progress` options, count options (`--limit N`) and
their check, and one progress bar.

The bar goes to stderr, so stdout stays clean for reports and piped CSV. It is drawn when stderr is a
terminal (redrawn in place), or when `--progress` asks for it anywhere else (one line per step of
about a tenth, for logs)."""

import time
from argparse import RawDescriptionHelpFormatter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter, OutputWrapper


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's ordering of options, with the description and epilog printed as written."""


class OperatorCommand(BaseCommand):
    """A management command with an `epilog` (usage examples) shown at the end of --help."""

    epilog = ""

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("epilog", self.epilog.strip() or None)
        return super().create_parser(prog_name, subcommand, **kwargs)


def add_dry_run_argument(parser, what: str) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help=f"Show {what} and change nothing.",
    )


def add_progress_argument(parser) -> None:
    parser.add_argument(
        "--progress",
        action="store_true",
        help="Show a progress bar on stderr even when it is not a terminal (it is shown on a terminal anyway).",
    )


def add_count_argument(parser, option: str, *, default: int | None, help: str) -> None:
    """A whole-number option shown as N (`--limit`, `--batch-size`); check it with require_at_least_one."""
    parser.add_argument(option, type=int, default=default, metavar="N", help=help)


def require_at_least_one(**counts: int | None) -> None:
    """CommandError for the first count below 1, named as its option (`batch_size` is --batch-size);
    None means not given."""
    for name, value in counts.items():
        if value is not None and value < 1:
            raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")


class Progress:
    """`with Progress(stderr, total, label="Re-issuing") as bar: ... bar.advance()`.

    Does nothing unless enabled (see `progress_for`). A total of None (unknown) shows a count only."""

    WIDTH = 30
    REDRAW_SECONDS = 0.1

    def __init__(self, stream: OutputWrapper, total: int | None, *, label: str = "", enabled: bool = True):
        self.stream = stream
        self.total = total
        self.label = label
        self.enabled = enabled
        self.done = 0
        self.tty = enabled and stream.isatty()
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._last_step = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.tty:
            now = time.monotonic()
            if now - self._last_draw >= self.REDRAW_SECONDS or self.done == self.total:
                self._last_draw = now
                self._write("\r" + self.line(), ending="")
        else:
            # Logs: a line at every tenth (or every step of an unknown total), never a flood.
            step = self.done * 10 // self.total if self.total else self.done
            if step != self._last_step:
                self._last_step = step
                self._write(self.line())

    def close(self) -> None:
        if self.enabled and self.tty:
            self._write("\r" + self.line())
        elif self.enabled and self.done == 0:
            self._write(self.line())

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        prefix = f"{self.label} " if self.label else ""
        if not self.total:
            return f"{prefix}{self.done} done, {elapsed:.1f} s"
        filled = self.WIDTH * min(self.done, self.total) // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        percent = 100 * self.done // self.total
        return f"{prefix}[{bar}] {self.done}/{self.total} {percent}% {elapsed:.1f} s"

    def _write(self, text: str, ending: str | None = None) -> None:
        # Uncoloured: Django colours everything written to stderr as an error.
        self.stream.write(text, style_func=lambda s: s, ending=ending)
        self.stream.flush()


def progress_for(command: BaseCommand, total: int | None, *, label: str = "", force: bool = False) -> Progress:
    """The command's progress bar: on when its stderr is a terminal or `force` (its --progress)."""
    return Progress(command.stderr, total, label=label, enabled=force or command.stderr.isatty())


def add_output_argument(parser, what: str) -> None:
    parser.add_argument(
        "--output",
        "-o",
        default="-",
        metavar="FILE",
        help=f"Write {what} to FILE instead of stdout ('-', the default).",
    )


def write_output(command: BaseCommand, body: bytes, output: str, *, charset: str = "utf-8") -> None:
    """`body` to FILE (`output`), or to stdout for '-': as bytes on a real stdout, decoded on a text
    stream (call_command(stdout=StringIO())). CommandError when the file cannot be written."""
    if output == "-":
        buffer = getattr(command.stdout, "buffer", None)
        if buffer is not None:
            command.stdout.flush()
            buffer.write(body)
            buffer.flush()
        else:
            command.stdout.write(body.decode(charset), ending="")
        return
    try:
        Path(output).write_bytes(body)
    except OSError as exc:
        raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from exc


def write_prune_report(
    command: BaseCommand, doomed, *, noun: str, verb: str, days: int, cutoff, date_field: str, group_by: str
) -> None:
    """A prune command's --dry-run: how many `noun`s (`verb` before the cutoff) would be deleted, the
    oldest and newest, and how many per `group_by`. Deletes nothing."""
    from django.db.models import Count, Max, Min

    span = doomed.aggregate(n=Count("pk"), oldest=Min(date_field), newest=Max(date_field))
    command.stdout.write(
        f"Dry run: would delete {span['n']} {noun}(s) older than {days} day(s) "
        f"({verb} before {cutoff:%Y-%m-%d %H:%M:%S} UTC). Nothing was deleted."
    )
    if not span["n"]:
        return
    command.stdout.write(f"  oldest {span['oldest']:%Y-%m-%d %H:%M:%S}, newest {span['newest']:%Y-%m-%d %H:%M:%S}")
    for row in doomed.values(group_by).annotate(n=Count("pk")).order_by("-n", group_by):
        command.stdout.write(f"  {row['n']:>10}  {row[group_by]}")
