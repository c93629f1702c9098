COHORT = {
    "id": 4,
    "course": 3,
    "name": "Spring 2027",
    "starts_at": "2027-03-01T09:00:00Z",
    "ends_at": "2027-05-31T17:00:00Z",
    "enrollment_opens_at": "2027-01-15T09:00:00Z",
    "enrollment_closes_at": "2027-03-08T09:00:00Z",
    "capacity": 30,
    "seats_taken": 28,
    "waitlist_count": 0,
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z",
}
COHORT_INPUT = {
    "name": "Spring 2027",
    "starts_at": "2027-03-01T09:00:00Z",
    "ends_at": "2027-05-31T17:00:00Z",
    "enrollment_opens_at": "2027-01-15T09:00:00Z",
    "enrollment_closes_at": "2027-03-08T09:00:00Z",
    "capacity": 30,
}
HAS_MEMBERS = {
    "detail": "Students hold or wait for seats in this cohort: remove them first.",
    "code": "cohort_has_members",
}
LIVE_SESSION = {
    "id": 7,
    "course": 3,
    "cohort": 4,
    "title": "Week 1: office hours",
    "starts_at": "2027-03-02T17:00:00Z",
    "duration_minutes": 60,
    "ends_at": "2027-03-02T18:00:00Z",
    "join_url": "https://meet.example.com/abc-defg-hij",
    "created_at": "2027-02-20T09:00:00Z",
    "updated_at": "2027-02-20T09:00:00Z",
}
LONGER_LIVE_SESSION = {**LIVE_SESSION, "duration_minutes": 90, "ends_at": "2027-03-02T18:30:00Z"}
LIVE_SESSION_INPUT = {
    "title": "Week 1: office hours",
    "starts_at": "2027-03-02T17:00:00Z",
    "duration_minutes": 60,
    "join_url": "https://meet.example.com/abc-defg-hij",
    "cohort": 4,
}
ATTENDANCE_INPUT = {"present": [12, 15], "absent": [19]}
ATTENDANCE = {
    "student": {"id": 12, "first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"},
    "present": True,
    "marked_at": "2027-03-02T18:05:00Z",
}
ATTENDANCE_ABSENT = {
    "student": {"id": 19, "first_name": "Alan", "last_name": "Turing", "full_name": "Alan Turing"},
    "present": False,
    "marked_at": None,
}
CALENDAR = [
    {
        "type": "lesson_release",
        "id": 31,
        "course": {"id": 3, "slug": "django-for-teams", "title": "Django for teams"},
        "title": "Week 2: models",
        "at": "2027-03-08T09:00:00Z",
        "ends_at": None,
        "url": "https://lms.example.com/api/v1/lessons/31/",
    },
    {
        "type": "live_session",
        "id": 7,
        "course": {"id": 3, "slug": "django-for-teams", "title": "Django for teams"},
        "title": "Office hours",
        "at": "2027-03-09T17:00:00Z",
        "ends_at": "2027-03-09T18:00:00Z",
        "url": "https://meet.example.com/abc-defg-hij",
    },
]
CALENDAR_FEED = {
    "token": "k3v0gV9bq8m6Vt2cJc0xY1n4R7wPz5aLhQe8sDf2uMo",
    "url": "https://lms.example.com/api/v1/me/calendar.ics?token=k3v0gV9bq8m6Vt2cJc0xY1n4R7wPz5aLhQe8sDf2uMo",
}
