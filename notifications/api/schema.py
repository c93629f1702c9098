"""The OpenAPI description of notifications/api/views.py (drf-spectacular), one `described` class
decorator per view class: request and response bodies, every status code each operation answers, and
examples (examples.py). Kept apart from the views so these read as behaviour."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema

from lms.api.responses import body, described, ok, page, paginated
from lms.api.responses import errors as shared_errors
from lms.api.serializers import narrowed
from notifications.models import NotificationType

from . import examples as ex
from .serializers import (
    NOTIFICATION_PAYLOADS,
    AnnouncementInputSerializer,
    AnnouncementSerializer,
    MarkedReadSerializer,
    NotificationSerializer,
    PreferencesInputSerializer,
    PreferencesSerializer,
    UnreadCountSerializer,
)


def _notification_of(notification_type: NotificationType) -> type[NotificationSerializer]:
    doc = f"A notification of type `{notification_type.value}`: {notification_type.label.lower()}."
    return narrowed(
        NotificationSerializer,
        tag="type",
        choice=notification_type,
        shape="payload",
        shape_serializer=NOTIFICATION_PAYLOADS[notification_type],
        suffix="Notification",
        doc=doc,
    )


NOTIFICATION_TYPES = {t.value: _notification_of(t) for t in NotificationType}


def notification(many: bool = False) -> PolymorphicProxySerializer:
    """What NotificationSerializer renders: a oneOf by `type`, so a client reads the payload typed."""
    return PolymorphicProxySerializer(
        component_name="Notification", serializers=NOTIFICATION_TYPES, resource_type_field_name="type", many=many
    )


def errors(*statuses: int):
    return shared_errors(*statuses, r404="Unknown, or not yours.")


NOTIFICATIONS = described(
    "notifications",
    list=extend_schema(
        examples=[ok(ex.NOTIFICATION)],
        summary="My notifications, newest first",
        responses={200: notification(many=True), **errors(400, 401, 404)},
    ),
    unread_count=extend_schema(
        responses={200: UnreadCountSerializer, **errors(401)},
        examples=[ok(ex.UNREAD_COUNT)],
        summary="How many are unread",
    ),
    read=extend_schema(
        request=None,
        responses={200: notification(), **errors(401, 404)},
        examples=[ok(ex.READ_NOTIFICATION)],
        summary="Mark one read",
    ),
    read_all=extend_schema(
        request=None,
        responses={200: MarkedReadSerializer, **errors(401)},
        examples=[ok(ex.MARKED_READ)],
        summary="Mark all read",
    ),
    preferences=[
        extend_schema(
            methods=["GET"],
            responses={200: PreferencesSerializer, **errors(401)},
            examples=[ok(ex.PREFERENCES)],
            summary="My channels (in-app, e-mail) per notification type",
        ),
        extend_schema(
            methods=["PATCH"],
            request=PreferencesInputSerializer,
            responses={200: PreferencesSerializer, **errors(400, 401)},
            examples=[body(ex.PREFERENCES_PATCH), ok(ex.PREFERENCES)],
            summary="Switch channels per type; types left out keep their setting",
        ),
    ],
)

COURSE_ANNOUNCEMENTS = described(
    "notifications",
    get=extend_schema(
        responses={200: paginated(AnnouncementSerializer), **errors(401, 403, 404)},
        examples=[ok(page(ex.ANNOUNCEMENT, count=1))],
        summary="The course's announcements (enrolled students, owner, admin)",
    ),
    post=extend_schema(
        request=AnnouncementInputSerializer,
        responses={202: AnnouncementSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.ANNOUNCEMENT_INPUT), ok(ex.QUEUED_ANNOUNCEMENT, status=202)],
        summary="Announce to every enrolled student (owner; delivered in the background)",
    ),
)
