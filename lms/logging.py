"""Logging: every record carries the request id, secrets are masked, and production writes one JSON
object per line.

The request id comes from the caller's X-Request-ID header when it is a sane token (so a load
balancer's or a front end's id follows the request through our logs), or is made up; it is echoed in
the response's X-Request-ID header, so a user's bug report can be matched to the server's lines."""

import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from itertools import islice

import orjson

from lms import request_context

# Values that must never reach a log: bearer tokens and JWTs, Stripe keys and webhook secrets, and
# password/token/secret fields in anything that looks like a form or JSON dump.
_SECRET_PATTERNS = [
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    (re.compile(r"\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]+"), r"\1_\2_[redacted]"),
    (re.compile(r"\bwhsec_[A-Za-z0-9]+"), "whsec_[redacted]"),
    (
        re.compile(
            r"""(?i)(["']?\b(?:password|new_password|old_password|current_password|token|refresh|access|"""
            r"""secret|api_key|authorization)\b["']?\s*[:=]\s*)(["'])(.*?)\2"""
        ),
        r"\1\2[redacted]\2",
    ),
]


# Every pattern above needs one of these (lowercased) in the text: most lines (a request's method, path
# and status) have none, and skip the five regular expressions.
_MARKERS = (
    "bearer",
    "eyj",
    "_live_",
    "_test_",
    "whsec_",
    "password",
    "token",
    "refresh",
    "access",
    "secret",
    "api_key",
    "authorization",
)


_ANY_MARKER = re.compile("|".join(re.escape(marker) for marker in _MARKERS))


def redact(text: str) -> str:
    if not _ANY_MARKER.search(text.lower()):  # one scan, not one per marker: this runs for every line
        return text
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Masks secrets in the formatted message (and in its arguments) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class RequestContextFilter(logging.Filter):
    """Adds request_id (or "-" outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs 4xx/5xx responses (django.request) after the middleware has finished,
            # with the request attached to the record.
            attached = getattr(getattr(record, "request", None), "request_id", None)
            record.request_id = request_context.current().request_id or attached or "-"
        return True


# Attributes every LogRecord has; anything else was passed with extra= and goes into the JSON.
# "request" (Django attaches the HttpRequest) would print the full URL, query string and all.
_RECORD_ATTRIBUTES = list(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
_STANDARD = set(_RECORD_ATTRIBUTES) | {"message", "asctime", "request_id", "request"}


class JSONFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, milliseconds), level, logger, message, request id, then
    the extra= values in the order given. It runs for every request's line, so it does less than
    the plain format (bench/README.md, "Third pass"): the date and time are converted
    once a second, and only the attributes after a LogRecord's own are looked at (Logger.makeRecord
    appends the extras, and refuses any that would replace one of its own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._second = (None, "")  # (whole second, its text), swapped as one (threaded workers)

    def _time(self, created: float) -> str:
        whole = int(created)
        second, text = self._second
        if second != whole:
            text = datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = (whole, text)
        return f"{text}.{int((created - whole) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        fields = vars(record)
        entry = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": fields.get("request_id", "-"),
        }
        for key in islice(fields, len(_RECORD_ATTRIBUTES), None):
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = fields[key]
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return _dumps(entry)


def _dumps(entry: dict) -> str:
    # orjson writes the request's log line in a third of the standard library's time (production's
    # one per-request cost that development's plain lines do not have: bench/README.md).
    try:
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson refuses (an integer over 64 bits, ...), the standard library writes
        return json.dumps(entry, default=str)


def configure_lean(config: dict) -> None:
    """Production's LOGGING_CONFIG: Django's dictConfig, then no thread or process names on records.
    No line of ours prints them (JSON or plain), and production logs a line per request; these are
    the logging module's own switches for it (Python's logging HOWTO, "Optimization"). Development
    keeps them, for a format that names them. The caller's file and line are kept: errors need them."""
    logging.config.dictConfig(config)
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
