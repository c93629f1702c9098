"""The OpenAPI description of privacy/api/views.py (drf-spectacular)."""

from drf_spectacular.utils import extend_schema

from lms.api.responses import body, described, errors, ok, page, paginated

from . import examples as ex
from .serializers import (
    AdminErasureSerializer,
    DataExportSerializer,
    ErasureInputSerializer,
    ErasureScheduledSerializer,
)

MY_EXPORTS = described(
    "privacy",
    get=extend_schema(
        summary="My data exports",
        description="The signed-in user's exports, newest first. A ready export has a signed `download_url` "
        "that expires with it (`expires_at`, PRIVACY_EXPORT_DAYS after it was made).",
        responses={200: DataExportSerializer(many=True), **errors(401)},
        examples=[ok(ex.EXPORT_READY)],
    ),
    post=extend_schema(
        summary="Export everything about me",
        description="Queues a zip of everything the platform holds about the signed-in user: one JSON file per "
        "part of the platform (profile, enrollments and progress, quiz attempts with answers, submissions, forum "
        "posts and votes, reviews, orders without card data, certificates, notifications, preferences, "
        "activity), their files (uploads, submitted files, certificate PDFs) and a README.txt explaining every "
        "field. 202 with the export; the user is notified (`data_export_ready`) when it is ready. One a day "
        "(429 with Retry-After).",
        request=None,
        responses={202: DataExportSerializer, **errors(401)},
        examples=[ok(ex.EXPORT_PENDING, status=202)],
    ),
)

MY_ERASURE = described(
    "privacy",
    post=extend_schema(
        summary="Erase my account",
        description="With the password. The erasure runs after ERASURE_GRACE_DAYS (default 14) and can be "
        "canceled until then (DELETE). Every session is signed out at once (every token revoked); signing in "
        "again during the grace period works. 409 `erasure_pending` when one is already scheduled. See README "
        "'Privacy' for what erasure removes and what it keeps, pseudonymised.",
        request=ErasureInputSerializer,
        responses={202: ErasureScheduledSerializer, **errors(400, 401, 409)},
        examples=[body(ex.ERASURE_INPUT), ok(ex.ERASURE_SCHEDULED, status=202)],
    ),
    delete=extend_schema(
        summary="Cancel my pending erasure",
        description="204; 409 `no_pending_erasure` when none is pending.",
        responses={204: None, **errors(401, 409)},
    ),
)

ADMIN_ERASURES = described(
    "privacy",
    get=extend_schema(
        summary="Erasures (admin)",
        description="Pending, running, done and canceled erasure requests, newest first.",
        responses={200: paginated(AdminErasureSerializer), **errors(401, 403)},
        examples=[ok(page(ex.ADMIN_ERASURE, count=1))],
    ),
)

ADMIN_USER_ERASE = described(
    "privacy",
    post=extend_schema(
        summary="Erase a user at once (admin)",
        description="Runs the erasure now, in the background (202 with the request; it reads `done` when "
        "finished). Written to the audit log. An administrator cannot erase themselves here.",
        request=None,
        responses={202: AdminErasureSerializer, **errors(400, 401, 403, 404)},
        examples=[ok(ex.ADMIN_ERASURE_NOW, status=202)],
    ),
)
