"""Time buckets for reports: day, week (starting Monday) or month, with empty ones filled."""

import datetime

from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

INTERVALS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
MAX_BUCKETS = 400


def bucket_start(day: datetime.date, interval: str) -> datetime.date:
    if interval == "week":
        return day - datetime.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def buckets(start: datetime.date, end: datetime.date, interval: str) -> list[datetime.date]:
    """Every bucket from the one holding `start` to the one holding `end`."""
    current, last = bucket_start(start, interval), bucket_start(end, interval)
    out = []
    while current <= last:
        out.append(current)
        if interval == "day":
            current += datetime.timedelta(days=1)
        elif interval == "week":
            current += datetime.timedelta(days=7)
        else:
            current = (current.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return out


def as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
