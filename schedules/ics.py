"""The calendar as an RFC 5545 feed (the `icalendar` library), for Google Calendar, Outlook and
Apple Calendar subscriptions. Each event's UID is its type and id at the site's host, so it stays
the same when the item moves and calendar apps update it in place (a subscription re-reads the
whole feed). Times are UTC (`Z`), which every calendar app shows in its user's time zone. Live
sessions span their duration; the other events are points in time (DTSTART only, RFC 5545
3.6.1)."""

import datetime
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar
from icalendar import Event as VEvent

from .calendar import ASSIGNMENT_DUE, COHORT_START, LESSON_RELEASE, LIVE_SESSION, QUIZ_DUE, Event

SUMMARIES = {  # rendered in the active language: the feed's owner's (api.views.MyCalendarFeedView)
    LESSON_RELEASE: _("Opens: {title}"),
    QUIZ_DUE: _("Quiz due: {title}"),
    ASSIGNMENT_DUE: _("Assignment due: {title}"),
    LIVE_SESSION: _("Live: {title}"),
    COHORT_START: _("{title} starts"),
}
REFRESH = datetime.timedelta(hours=1)


def uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "lms.invalid"


def feed(events: Iterable[Event], *, name: str, url_for: Callable[[Event], str]) -> bytes:
    """The events as an iCalendar document named `name`; `url_for(event)` is each event's link. Its
    texts are in the active language: the caller activates the reader's."""
    calendar = Calendar()
    calendar.add("prodid", "-//LMS//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    domain, stamp = uid_domain(), timezone.now().replace(microsecond=0)
    for event in events:
        entry = VEvent()
        entry.add("uid", f"{event.type}-{event.id}@{domain}")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.at.astimezone(datetime.UTC))
        if event.ends_at is not None:
            entry.add("dtend", event.ends_at.astimezone(datetime.UTC))
        entry.add("summary", SUMMARIES[event.type].format(title=event.title))
        entry.add("description", f"{event.course.title}\n{url_for(event)}")
        entry.add("url", url_for(event))
        entry.add("categories", [event.type])
        if event.join_url:
            entry.add("location", event.join_url)
        if event.updated_at is not None:
            entry.add("last-modified", event.updated_at.astimezone(datetime.UTC).replace(microsecond=0))
        entry.add("transp", "OPAQUE" if event.type == LIVE_SESSION else "TRANSPARENT")
        calendar.add_component(entry)
    return calendar.to_ical()
