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
