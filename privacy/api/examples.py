EXPORT_PENDING = {
    "id": 7,
    "status": "pending",
    "created_at": "2026-12-03T10:00:00Z",
    "ready_at": None,
    "download_url": None,
    "expires_at": None,
}
EXPORT_READY = {
    **EXPORT_PENDING,
    "status": "ready",
    "ready_at": "2026-12-03T10:00:12Z",
    "download_url": "https://lms.example.com/files/private/eyJrIjoicHJpdmF0ZS9leHBvcnRzLzcvbG1zLWRhdGEuemlwIn0/",
    "expires_at": "2026-12-10T10:00:12Z",
}
ERASURE_INPUT = {"password": "Correct-Horse-42"}
ERASURE_SCHEDULED = {"scheduled_for": "2026-12-17T10:00:00Z"}
ADMIN_ERASURE = {
    "id": 3,
    "user_id": 12,
    "requested_by_id": None,
    "status": "pending",
    "requested_at": "2026-12-03T10:00:00Z",
    "scheduled_for": "2026-12-17T10:00:00Z",
    "started_at": None,
    "done_at": None,
    "canceled_at": None,
}
ADMIN_ERASURE_NOW = {
    **ADMIN_ERASURE,
    "requested_by_id": 1,
    "status": "done",
    "scheduled_for": "2026-12-03T10:00:00Z",
    "started_at": "2026-12-03T10:00:01Z",
    "done_at": "2026-12-03T10:00:03Z",
}
