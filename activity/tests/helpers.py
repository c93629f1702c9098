"""Shared by the activity tests: the admin API's route and the events of one verb."""

from activity.models import ActivityEvent

ACTIVITY = "/api/v1/admin/activity/"


def events(verb: str):
    return ActivityEvent.objects.filter(verb=verb)
