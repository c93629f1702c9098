"""Example bodies for the schema (reviews and instructor replies), copied from real responses."""

from courses.api.examples import STUDENT

REPLY = {
    "body": "Thank you! More exercises are coming in May.",
    "created_at": "2026-11-22T09:15:00Z",
    "updated_at": "2026-11-22T09:15:00Z",
}
REVIEW = {
    "id": 1,
    "course": 1,
    "student": STUDENT,
    "rating": 5,
    "comment": "Clear and practical; the exercises after each lesson really help.",
    "reply": REPLY,
    "created_at": "2026-11-21T19:02:44Z",
    "updated_at": "2026-11-21T19:02:44Z",
}
NEW_REVIEW = {
    **REVIEW,
    "id": 3,
    "course": 2,
    "rating": 4,
    "comment": "Deep and well paced; the ORM chapter is excellent.",
    "reply": None,
    "created_at": "2026-11-30T11:20:00Z",
    "updated_at": "2026-11-30T11:20:00Z",
}
INSTRUCTOR_REVIEW = {**REVIEW, "reply": None, "course_title": "Python from scratch"}
EDITED_REVIEW = {**REVIEW, "rating": 4, "comment": "Clear and practical; more exercises please."}
EDITED_REPLY = {
    **REPLY,
    "body": "Thank you! The new exercises are in section 2.",
    "updated_at": "2026-11-25T08:00:00Z",
}

# Request bodies.
NEW_REVIEW_BODY = {"rating": 4, "comment": NEW_REVIEW["comment"]}
EDITED_REVIEW_BODY = {"rating": 4, "comment": EDITED_REVIEW["comment"]}
REPLY_BODY = {"body": REPLY["body"]}
EDITED_REPLY_BODY = {"body": EDITED_REPLY["body"]}
