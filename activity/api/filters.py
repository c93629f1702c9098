import django_filters

from activity.models import ActivityEvent, Verb
from lms.api.filters import FromFilter, ToFilter

# `from` is a Python keyword, so the filter set is built from a dict.
ActivityFilter = type(
    "ActivityFilter",
    (django_filters.FilterSet,),
    {
        "actor": django_filters.NumberFilter(field_name="actor_id", help_text="User id of the actor."),
        "verb": django_filters.ChoiceFilter(choices=Verb.choices),
        "course": django_filters.NumberFilter(field_name="course_id", help_text="Course id."),
        "from": FromFilter(field_name="created_at", help_text="From this date or date-time (inclusive)."),
        "to": ToFilter(field_name="created_at", help_text="Up to this date (the whole day) or date-time."),
        "Meta": type("Meta", (), {"model": ActivityEvent, "fields": []}),
    },
)
