"""The OpenAPI description of activity/api/views.py (drf-spectacular), one `described` class
decorator per view class, with examples from examples.py. Kept apart so the views read as behaviour."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema

from activity.models import Verb
from lms.api.responses import described, errors, ok
from lms.api.serializers import narrowed

from . import examples as ex
from .serializers import ACTIVITY_METADATA, ActivityEventSerializer


def _event_of(verb: Verb) -> type[ActivityEventSerializer]:
    doc = f"An event with the verb `{verb.value}`: {verb.label.lower()}."
    return narrowed(
        ActivityEventSerializer,
        tag="verb",
        choice=verb,
        shape="metadata",
        shape_serializer=ACTIVITY_METADATA[verb],
        suffix="Event",
        doc=doc,
    )


# What ActivityEventSerializer renders: a oneOf by `verb`, so a client reads the metadata typed.
ActivityEvent = PolymorphicProxySerializer(
    component_name="ActivityEvent",
    serializers={verb.value: _event_of(verb) for verb in Verb},
    resource_type_field_name="verb",
    many=True,
)

ADMIN_ACTIVITY = described(
    "admin",
    list=extend_schema(
        examples=[ok(ex.ACTIVITY_EVENT)],
        summary="The activity log (admin), newest first",
        responses={200: ActivityEvent, **errors(400, 401, 403, 404)},
    ),
)
