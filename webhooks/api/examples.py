ENDPOINT_INPUT = {
    "url": "https://crm.example.com/lms/webhooks",
    "events": ["enrollment.created", "enrollment.completed", "order.paid"],
    "description": "The school's CRM",
    "is_active": True,
}
ENDPOINT = {
    "id": 4,
    "url": "https://crm.example.com/lms/webhooks",
    "description": "The school's CRM",
    "events": ["enrollment.created", "enrollment.completed", "order.paid"],
    "is_active": True,
    "created_by": 1,
    "failing_since": None,
    "disabled_at": None,
    "disabled_reason": None,
    "previous_secret_expires_at": None,
    "created_at": "2026-12-03T10:00:00Z",
    "updated_at": "2026-12-03T10:00:00Z",
}
ENDPOINT_CREATED = {**ENDPOINT, "secret": "whsec_Zk3q9yH2m0c1XoVt7sLr4pQe8wNbA6uJ5dGf2hKiYxE"}
ENDPOINT_PATCH = {"is_active": True, "events": ["enrollment.created", "order.paid", "order.refunded"]}
ENDPOINT_DISABLED = {
    **ENDPOINT,
    "is_active": False,
    "failing_since": "2026-12-01T08:12:40Z",
    "disabled_at": "2026-12-04T08:13:02Z",
    "disabled_reason": "failing",
    "updated_at": "2026-12-04T08:13:02Z",
}
SECRET = {
    "secret": "whsec_pL8vQ2rT6yU1iO9aS4dF7gH3jK5lZ0xC2vB8nM1qW6e",
    "previous_secret_expires_at": "2026-12-06T10:00:00Z",
}
DELIVERY = {
    "id": 981,
    "event": "evt_5f0c2a9d1e7b43c8a6d2f4e1",
    "type": "enrollment.created",
    "status": "failed",
    "attempts": 12,
    "response_status": 503,
    "next_attempt_at": None,
    "last_attempt_at": "2026-12-04T10:00:02Z",
    "created_at": "2026-12-03T10:00:00Z",
}
DELIVERY_PENDING = {**DELIVERY, "status": "pending", "next_attempt_at": "2026-12-05T09:30:00Z"}
