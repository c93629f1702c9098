"""Dates written into text for someone else (notifications): lazy, so they are formatted in the
language active when the text is rendered, the recipient's (notifications.services renders each
recipient's copy under their language), with that language's month names and order. Times are
the stored UTC ones; the sentences around them say "UTC"."""

import datetime

from django.utils.formats import date_format
from django.utils.functional import lazy


def _formatted(value: datetime.date, format_name: str) -> str:
    if isinstance(value, datetime.datetime):
        value = value.astimezone(datetime.UTC)
    return date_format(value, format_name)


_lazy_formatted = lazy(_formatted, str)


def date_text(value: datetime.date):
    """The day of `value` ("May 5, 2031" in English), formatted when rendered."""
    return _lazy_formatted(value, "DATE_FORMAT")


def datetime_text(value: datetime.datetime):
    """The day and time of `value` in UTC ("May 6, 2031, 5 p.m." in English), formatted when rendered."""
    return _lazy_formatted(value, "DATETIME_FORMAT")


def time_text(value: datetime.datetime):
    """The time of day of `value` in UTC ("5:01 p.m." in English), formatted when rendered."""
    return _lazy_formatted(value, "TIME_FORMAT")
