"""The operators' commands as a set: help text on everything, examples kept as written, and the one
progress bar they share (lms/commands.py)."""

import io

import pytest
from django.core.management import get_commands, load_command_class

from lms.commands import Progress

OPERATOR_COMMANDS = [
    "seed_demo",
    "reconcile_payments",
    "reissue_certificates",
    "prune_activity",
    "close_expired_attempts",
    "export_report",
    "doctor",
    "repair_counters",
]
CHANGES_DATA = {
    "seed_demo",
    "reconcile_payments",
    "reissue_certificates",
    "prune_activity",
    "close_expired_attempts",
    "repair_counters",
}
LONG_WORK = CHANGES_DATA - {"seed_demo"}
DJANGO_OPTIONS = {"help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color"}


def parser_of(name: str):
    command = load_command_class(get_commands()[name], name)
    return command.create_parser("manage.py", name)


@pytest.mark.parametrize("name", OPERATOR_COMMANDS)
def test_help_describes_the_command_every_argument_and_gives_examples(name):
    parser = parser_of(name)
    text = parser.format_help()
    assert parser.description and len(parser.description) > 40
    for action in parser._actions:
        if action.dest not in DJANGO_OPTIONS and action.dest != "skip_checks":
            assert action.help and len(action.help) > 10, f"{name}: {action.dest} has no help"
    # The epilog keeps its lines (not re-wrapped into one paragraph).
    assert "\nexamples:\n  manage.py " + name in text
    options = {option for action in parser._actions for option in action.option_strings}
    if name in CHANGES_DATA:
        assert "--dry-run" in options
    if name in LONG_WORK:
        assert "--progress" in options


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def wrapped(stream):
    from django.core.management.base import OutputWrapper

    return OutputWrapper(stream)


def test_progress_on_a_terminal_redraws_one_line():
    out = FakeTerminal()
    with Progress(wrapped(out), 3, label="Work") as bar:
        for _ in range(3):
            bar.advance()
    text = out.getvalue()
    assert text.startswith("\rWork [")
    assert "3/3 100%" in text
    assert text.endswith("\n") and text.count("\n") == 1


def test_progress_for_logs_writes_a_line_per_tenth_at_most():
    out = io.StringIO()
    with Progress(wrapped(out), 1000, label="Work") as bar:
        for _ in range(1000):
            bar.advance()
    lines = out.getvalue().splitlines()
    assert 10 <= len(lines) <= 11
    assert lines[-1].startswith("Work [" + "#" * 30 + "] 1000/1000 100%")
    assert "\r" not in out.getvalue()


def test_disabled_progress_writes_nothing_but_counts():
    out = io.StringIO()
    with Progress(wrapped(out), 5, enabled=False) as bar:
        bar.advance(5)
    assert out.getvalue() == ""
    assert bar.done == 5


def test_nothing_to_do_still_says_so_when_asked():
    out = io.StringIO()
    with Progress(wrapped(out), 0, label="Work"):
        pass
    assert out.getvalue().startswith("Work 0 done")


def test_unknown_total_counts():
    out = FakeTerminal()
    with Progress(wrapped(out), None, label="Work") as bar:
        bar.advance(7)
    assert "Work 7 done" in out.getvalue()
