"""Example bodies for the schema (threads, comments, votes, reports, moderation), copied from real
responses."""

from courses.api.examples import INSTRUCTOR, STUDENT

OTHER_STUDENT = {"id": 2, "first_name": "Grace", "last_name": "Hopper", "full_name": "Grace Hopper"}

POST = {
    "id": 1,
    "course": 1,
    "author": STUDENT,
    "title": "Stuck on exercise 2",
    "body": "My while loop never ends. What am I missing?",
    "is_pinned": False,
    "is_locked": False,
    "is_hidden": False,
    "is_removed": False,
    "comment_count": 2,
    "vote_count": 3,
    "has_voted": False,
    "created_at": "2026-11-20T16:04:51Z",
    "updated_at": "2026-11-20T16:04:51Z",
    "last_activity_at": "2026-11-20T17:12:09Z",
}
EDITED_POST = {**POST, "body": "My while loop never ends."}
NEW_POST = {
    **POST,
    "id": 3,
    "title": "How do I read a file line by line?",
    "body": "open() gives me the whole file at once.",
    "comment_count": 0,
    "vote_count": 0,
    "created_at": "2026-11-30T10:41:00Z",
    "updated_at": "2026-11-30T10:41:00Z",
    "last_activity_at": "2026-11-30T10:41:00Z",
}
REPLY = {
    "id": 2,
    "post": 1,
    "parent": 1,
    "author": STUDENT,
    "body": "Thanks, that was it!",
    "is_hidden": False,
    "is_removed": False,
    "created_at": "2026-11-20T17:12:09Z",
    "updated_at": "2026-11-20T17:12:09Z",
    "replies": [],
}
COMMENT = {
    "id": 1,
    "post": 1,
    "parent": None,
    "author": OTHER_STUDENT,
    "body": "Print the counter inside the loop: is it ever incremented?",
    "is_hidden": False,
    "is_removed": False,
    "created_at": "2026-11-20T16:30:44Z",
    "updated_at": "2026-11-20T16:30:44Z",
    "replies": [REPLY],
}
NEW_REPLY = {
    **REPLY,
    "id": 3,
    "author": OTHER_STUDENT,
    "body": "Did you increment the counter inside the loop?",
    "created_at": "2026-11-30T10:44:02Z",
    "updated_at": "2026-11-30T10:44:02Z",
}
EDITED_COMMENT = COMMENT | {
    "body": "Print the counter inside the loop.",
    "updated_at": "2026-11-30T10:45:10Z",
}
VOTE_RESULT = {"voted": True, "vote_count": 4}
REPORT = {
    "id": 1,
    "course": 1,
    "post": 2,
    "comment": None,
    "reporter": STUDENT,
    "reason": "Off topic: an advert for a paid course.",
    "excerpt": "Resources?",
    "status": "open",
    "resolution": "",
    "resolved_by": None,
    "resolved_at": None,
    "created_at": "2026-11-30T10:47:30Z",
}
COMMENT_REPORT = {**REPORT, "id": 2, "post": None, "comment": 1, "reason": "Spam link", "excerpt": COMMENT["body"]}
RESOLVED_REPORT = {
    **REPORT,
    "status": "resolved",
    "resolution": "hide",
    "resolved_by": INSTRUCTOR,
    "resolved_at": "2026-11-30T11:02:15Z",
}
MODERATION_LOG = {
    "id": 12,
    "course": 1,
    "actor": INSTRUCTOR,
    "action": "hide",
    "post": 2,
    "comment": None,
    "report": 1,
    "note": "",
    "created_at": "2026-11-30T11:02:15Z",
}

# Request bodies.
NEW_POST_BODY = {"title": NEW_POST["title"], "body": NEW_POST["body"]}
EDITED_POST_BODY = {"body": EDITED_POST["body"]}
NEW_REPLY_BODY = {"body": NEW_REPLY["body"], "parent": 1}
EDITED_COMMENT_BODY = {"body": EDITED_COMMENT["body"]}
REPORT_BODY = {"reason": REPORT["reason"]}
COMMENT_REPORT_BODY = {"reason": COMMENT_REPORT["reason"]}
RESOLVE_BODY = {"action": "hide"}
THREADS_NEXT = "https://api.example.com/api/v1/courses/1/forum/posts/?cursor=cD0yMDI2LTExLTIw"
