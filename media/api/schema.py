"""The OpenAPI description of media/api/views.py (drf-spectacular)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers

from lms.api.responses import body, described, error_of, errors, ok

from .serializers import UploadCreatedSerializer, UploadInputSerializer, UploadSerializer

_ID = "3f2c1a9e-8d4b-4c55-9a51-0b7e6f1d2c3a"
_READY = {
    "id": _ID,
    "purpose": "course_cover",
    "status": "ready",
    "filename": "cover.jpg",
    "content_type": "image/jpeg",
    "size": 481203,
    "detected_type": "image/jpeg",
    "width": 1600,
    "height": 900,
    "duration_seconds": None,
    "codec": "",
    "rejected_reason": "",
    "attached": False,
    "url": f"https://lms.example.com/files/public/{_ID}/cover.jpg",
    "created_at": "2026-12-01T10:00:00Z",
    "expires_at": "2026-12-01T11:00:00Z",
    "completed_at": "2026-12-01T10:00:09Z",
}
_PENDING = {
    **_READY,
    "status": "pending",
    "size": 512000,
    "detected_type": "",
    "width": None,
    "height": None,
    "url": None,
    "completed_at": None,
    "upload": {
        "method": "PUT",
        "url": f"https://lms.example.com/api/v1/uploads/{_ID}/content/",
        "fields": {},
        "headers": {"Content-Type": "image/jpeg"},
    },
}


# The 409, 413 and 415 of an upload: the shared error, with the figures the client needs to explain it.
UploadRefusal = inline_serializer(
    "UploadRefusal",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(
            help_text="`storage_quota_exceeded`, `file_too_large`, `unsupported_type`, `upload_to_storage`, "
            "`upload_completed`, `upload_expired` or `upload_in_use`."
        ),
        "field": serializers.CharField(required=False),
        "max_bytes": serializers.IntegerField(required=False, help_text="With `file_too_large`: the purpose's limit."),
        "accepted": serializers.ListField(
            child=serializers.CharField(), required=False, help_text="With `unsupported_type`: the types it takes."
        ),
        "quota_bytes": serializers.IntegerField(required=False, help_text="With `storage_quota_exceeded`."),
        "used_bytes": serializers.IntegerField(required=False, help_text="With `storage_quota_exceeded`."),
    },
)


def _refusal(status: int, description: str, examples: dict) -> dict:
    return error_of(status, UploadRefusal, description, examples)


UPLOADS = described(
    "Files and media",
    create=extend_schema(
        summary="Ask to upload a file",
        description="Step 1 of 3. Checks the purpose's size and type limits and your storage quota, and answers "
        "how to send the bytes (`upload`): a presigned POST straight to the bucket (S3), or a PUT of the raw bytes "
        "to `/uploads/{id}/content/` (local storage). Course covers, lesson videos and attachments are uploaded "
        "by instructors and admins.",
        request=UploadInputSerializer,
        responses={
            201: UploadCreatedSerializer,
            **errors(400, 401, 403),
            **_refusal(
                409,
                "Over your storage quota (`storage_quota_exceeded`, with `quota_bytes` and `used_bytes`).",
                {
                    "Over quota": {
                        "detail": "This file would take your storage past its quota of 10240 MB (10239.5 MB used).",
                        "code": "storage_quota_exceeded",
                        "quota_bytes": 10737418240,
                        "used_bytes": 10736893952,
                    }
                },
            ),
            **_refusal(
                413,
                "Larger than the purpose allows (`file_too_large`, with `max_bytes`).",
                {
                    "Too large": {
                        "detail": "A course cover may be at most 5 MB.",
                        "code": "file_too_large",
                        "field": "size",
                        "max_bytes": 5242880,
                    }
                },
            ),
            **_refusal(
                415,
                "A type the purpose does not take (`unsupported_type`, with `accepted`).",
                {
                    "Wrong type": {
                        "detail": "A course cover cannot be application/pdf: use image/jpeg, image/png, image/webp.",
                        "code": "unsupported_type",
                        "field": "content_type",
                        "accepted": ["image/jpeg", "image/png", "image/webp"],
                    }
                },
            ),
        },
        examples=[
            body({"purpose": "course_cover", "filename": "cover.jpg", "content_type": "image/jpeg", "size": 512000}),
            ok(_PENDING, status=201),
        ],
    ),
    retrieve=extend_schema(
        summary="An upload",
        description="Its status and, once ready, what the checks found and its URL. Yours, or any for an admin.",
        responses={200: UploadSerializer, **errors(401, 404)},
        examples=[ok(_READY)],
    ),
    destroy=extend_schema(
        summary="Delete an upload",
        description="Deletes the upload and its files. One in use (attached to a course, lesson, submission or "
        "profile) answers 409 `upload_in_use`. Yours, or any for an admin.",
        responses={
            204: None,
            **errors(401, 404),
            **_refusal(
                409,
                "In use (`upload_in_use`).",
                {"In use": {"detail": "This file is in use.", "code": "upload_in_use"}},
            ),
        },
    ),
    content=extend_schema(
        summary="Send an upload's bytes (local storage)",
        description="Step 2 of 3 with local storage: PUT the raw bytes as the body (any content type). Streamed to "
        "disk; more bytes than declared answer 413. With S3 storage the bytes go to the bucket instead (409 "
        "`upload_to_storage`); a completed upload answers 409 `upload_completed`, an expired one 409 "
        "`upload_expired`. Only the uploader.",
        request={"application/octet-stream": OpenApiTypes.BINARY},
        examples=[
            OpenApiExample(
                "The file's bytes",
                value="(the raw bytes of cover.jpg)",
                request_only=True,
                media_type="application/octet-stream",
            ),
            ok({key: value for key, value in _PENDING.items() if key != "upload"}),
        ],
        responses={
            200: UploadSerializer,
            **errors(401, 404),
            **_refusal(
                409,
                "Not open for bytes: `upload_to_storage`, `upload_completed` or `upload_expired`.",
                {"Completed": {"detail": "This upload is already complete.", "code": "upload_completed"}},
            ),
            **_refusal(
                413,
                "More bytes than declared (`file_too_large`).",
                {
                    "Too large": {
                        "detail": "The body is larger than the 512000 bytes declared.",
                        "code": "file_too_large",
                    }
                },
            ),
        },
    ),
    complete=extend_schema(
        summary="Complete an upload",
        description="Step 3 of 3: the server checks the stored file (its size, its type sniffed from its bytes, an "
        "image's pixels, a video's stream) and answers the ready upload, or 400 `upload_rejected` with the reason "
        "(the file is deleted), or 400 `upload_missing` when the bytes have not arrived. Completing twice answers "
        "the same upload. 503 when videos cannot be checked right now (try again). Only the uploader.",
        request=None,
        responses={200: UploadSerializer, **errors(400, 401, 404, 503)},
        examples=[ok(_READY)],
    ),
)
