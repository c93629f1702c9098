"""Example bodies for the schema (the activity log), copied from real responses."""

ACTIVITY_EVENT = {
    "id": 9,
    "actor": {"id": 12, "email": "grace@example.com", "full_name": "Grace Hopper"},
    "verb": "review_created",
    "target": {"type": "review", "id": "2"},
    "course": 1,
    "metadata": {"rating": 4},
    "ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    "created_at": "2026-11-30T11:20:00Z",
}
