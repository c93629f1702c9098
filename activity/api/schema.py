"""The OpenAPI description of activity/api/views.py (drf-spectacular), one `described` class
decorator per view class, with examples from examples.py. Kept apart so the views read as behaviour."""

from drf_spectacular.utils import extend_schema

from lms.api.responses import described, errors, ok

from . import examples as ex
from .serializers import ActivityEventSerializer

ADMIN_ACTIVITY = described(
    "admin",
    list=extend_schema(
        examples=[ok(ex.ACTIVITY_EVENT)],
        summary="The activity log (admin), newest first",
        responses={200: ActivityEventSerializer(many=True), **errors(400, 401, 403, 404)},
    ),
)
