"""OWASP API1:2023 Broken Object Level Authorization (and API5, function level): every route the
URL resolver serves, called by every role against real objects, answers exactly the status its row
in MATRIX says.

The objects (see world.py) belong to "student" (enrolled in "course", author of the post, comment,
review and attempt, owner of the order, certificate and notification) and "instructor" (owner of
the courses, quiz and coupon). "other_student" is signed in but not enrolled and owns nothing;
"other_instructor" owns other courses only.

A route without a row fails `test_every_served_route_has_a_row`; a row for a route that is gone
fails `test_every_row_is_a_served_route`. Every cell is its own test, id `METHOD route [role]`.
Each response is also scanned for secrets and for other users' e-mail addresses (API3)."""

from __future__ import annotations

import json
import re

import pytest

from .world import PASSWORD, ROLES, served_routes, world_in_transaction

NEW_PASSWORD = "An0ther-Strong-Passphrase"


def E(anonymous, student, other_student, instructor, other_instructor, admin):
    return dict(zip(ROLES, (anonymous, student, other_student, instructor, other_instructor, admin), strict=True))


ALL = lambda status: E(*(status,) * 6)  # noqa: E731
SIGNED_IN = lambda status: E(401, *(status,) * 5)  # noqa: E731
ADMIN_ONLY = lambda status: E(401, 403, 403, 403, 403, status)  # noqa: E731
INSTRUCTORS = lambda status: E(401, 403, 403, status, status, 403)  # noqa: E731
OWNER_OR_ADMIN = lambda status: E(401, 403, 403, status, 403, status)  # noqa: E731
READERS = lambda status: E(401, status, 403, status, 403, status)  # enrolled, owner, admin  # noqa: E731


def own_refresh(w, role):
    """The caller's own refresh token (the student's for anonymous callers)."""
    return {"refresh": w.refresh.get(role) or w.refresh["student"]}


def answers(w, role):
    return {"answers": [{"question": w.obj["question"].pk, "choice_ids": [w.obj["choice"].pk]}]}


def sso_code(w, role):
    """A fresh one-time code of a single sign-on by the student."""
    from sso.services import code_challenge_of, login_code_issue

    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    challenge = code_challenge_of(verifier)
    return {
        "code": login_code_issue(user=w.users["student"], provider="school", code_challenge=challenge),
        "code_verifier": verifier,
    }


COURSE_BODY = {"title": "Renamed course", "subtitle": "", "description": "", "level": "beginner", "language": "en"}
QUESTION_BODY = {
    "type": "true_false",
    "text": "Is this a question?",
    "choices": [{"text": "True", "is_correct": True}, {"text": "False"}],
}

# (method, route, url, body, expected status per role). `url` is filled from World.ids().
# fmt: off
MATRIX = [
    # --- accounts -------------------------------------------------------------------------------
    ("POST", "/api/v1/auth/register/", None,
     {"email": "newcomer@example.net", "password": NEW_PASSWORD, "first_name": "N", "last_name": "C"}, ALL(201)),
    ("POST", "/api/v1/auth/instructors/register/", None,
     {"email": "teacher@example.net", "password": NEW_PASSWORD, "first_name": "T", "last_name": "R"}, ALL(201)),
    ("POST", "/api/v1/auth/login/", None,
     lambda w, role: {"email": w.users["student"].email, "password": PASSWORD}, ALL(200)),
    ("POST", "/api/v1/auth/instructors/login/", None,
     lambda w, role: {"email": w.users["instructor"].email, "password": PASSWORD}, ALL(200)),
    ("POST", "/api/v1/auth/token/refresh/", None, own_refresh, ALL(200)),
    ("POST", "/api/v1/auth/logout/", None, own_refresh, SIGNED_IN(204)),
    ("GET", "/api/v1/auth/me/", None, None, SIGNED_IN(200)),
    ("PATCH", "/api/v1/auth/me/", None, {"first_name": "Renamed"}, SIGNED_IN(200)),
    ("POST", "/api/v1/auth/password/change/", None,
     {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, SIGNED_IN(200)),
    ("POST", "/api/v1/auth/password/reset/", None, lambda w, role: {"email": w.users["student"].email}, ALL(204)),
    ("POST", "/api/v1/auth/password/reset/confirm/", None,
     {"uid": "MQ", "token": "bad-token", "new_password": NEW_PASSWORD}, ALL(400)),
    ("GET", "/api/v1/admin/users/", None, None, ADMIN_ONLY(200)),
    ("GET", "/api/v1/admin/users/<pk>/", "/api/v1/admin/users/{student_user}/", None, ADMIN_ONLY(200)),
    ("PATCH", "/api/v1/admin/users/<pk>/", "/api/v1/admin/users/{student_user}/", {"role": "instructor"},
     ADMIN_ONLY(200)),
    ("DELETE", "/api/v1/admin/users/<pk>/", "/api/v1/admin/users/{student_user}/", None, ADMIN_ONLY(204)),
    # --- catalog and curriculum -----------------------------------------------------------------
    ("GET", "/api/v1/categories/", None, None, ALL(200)),
    ("POST", "/api/v1/categories/", None, {"name": "Security"}, ADMIN_ONLY(201)),
    ("GET", "/api/v1/categories/<pk>/", "/api/v1/categories/{category}/", None, ALL(200)),
    ("PATCH", "/api/v1/categories/<pk>/", "/api/v1/categories/{category}/", {"name": "Renamed"}, ADMIN_ONLY(200)),
    ("DELETE", "/api/v1/categories/<pk>/", "/api/v1/categories/{empty_category}/", None, ADMIN_ONLY(204)),
    ("GET", "/api/v1/courses/", None, None, ALL(200)),
    ("POST", "/api/v1/courses/", None, {"title": "A new course"}, INSTRUCTORS(201)),
    ("GET", "/api/v1/courses/<pk>/", "/api/v1/courses/{course}/", None, ALL(200)),
    ("PUT", "/api/v1/courses/<pk>/", "/api/v1/courses/{course}/", COURSE_BODY, OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/courses/<pk>/", "/api/v1/courses/{course}/", {"title": "Renamed"}, OWNER_OR_ADMIN(200)),
    ("DELETE", "/api/v1/courses/<pk>/", "/api/v1/courses/{course}/", None, OWNER_OR_ADMIN(204)),
    # the student is enrolled already (409); instructors and admins do not enroll
    ("POST", "/api/v1/courses/<pk>/enroll/", "/api/v1/courses/{course}/enroll/", None,
     E(401, 409, 201, 403, 403, 403)),
    ("GET", "/api/v1/courses/<pk>/progress/", "/api/v1/courses/{course}/progress/", None,
     E(401, 200, 403, 403, 403, 403)),
    # a draft: invisible (404) to all but its owner and admins
    ("POST", "/api/v1/courses/<pk>/publish/", "/api/v1/courses/{draft_course}/publish/", None,
     E(401, 404, 404, 200, 404, 200)),
    ("POST", "/api/v1/courses/<pk>/unpublish/", "/api/v1/courses/{course}/unpublish/", None, OWNER_OR_ADMIN(200)),
    ("GET", "/api/v1/courses/<pk>/sections/", "/api/v1/courses/{course}/sections/", None, ALL(200)),
    ("POST", "/api/v1/courses/<pk>/sections/", "/api/v1/courses/{course}/sections/", {"title": "More"},
     OWNER_OR_ADMIN(201)),
    ("POST", "/api/v1/courses/<pk>/sections/reorder/", "/api/v1/courses/{course}/sections/reorder/",
     lambda w, role: {"order": [w.obj["section"].pk]}, OWNER_OR_ADMIN(200)),
    ("GET", "/api/v1/instructor/courses/", None, None, INSTRUCTORS(200)),
    ("GET", "/api/v1/sections/<pk>/", "/api/v1/sections/{section}/", None, ALL(200)),
    ("PUT", "/api/v1/sections/<pk>/", "/api/v1/sections/{section}/", {"title": "Part one"}, OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/sections/<pk>/", "/api/v1/sections/{section}/", {"title": "Part one"}, OWNER_OR_ADMIN(200)),
    ("DELETE", "/api/v1/sections/<pk>/", "/api/v1/sections/{section}/", None, OWNER_OR_ADMIN(204)),
    ("GET", "/api/v1/sections/<pk>/lessons/", "/api/v1/sections/{section}/lessons/", None, ALL(200)),
    ("POST", "/api/v1/sections/<pk>/lessons/", "/api/v1/sections/{section}/lessons/", {"title": "Another"},
     OWNER_OR_ADMIN(201)),
    ("POST", "/api/v1/sections/<pk>/lessons/reorder/", "/api/v1/sections/{section}/lessons/reorder/",
     lambda w, role: {"order": [w.obj["lesson"].pk]}, OWNER_OR_ADMIN(200)),
    ("GET", "/api/v1/lessons/<pk>/", "/api/v1/lessons/{lesson}/", None, ALL(200)),
    ("PUT", "/api/v1/lessons/<pk>/", "/api/v1/lessons/{lesson}/", {"title": "Lesson one"}, OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/lessons/<pk>/", "/api/v1/lessons/{lesson}/", {"title": "Lesson one"}, OWNER_OR_ADMIN(200)),
    ("DELETE", "/api/v1/lessons/<pk>/", "/api/v1/lessons/{lesson}/", None, OWNER_OR_ADMIN(204)),
    ("POST", "/api/v1/lessons/<pk>/complete/", "/api/v1/lessons/{lesson}/complete/", None,
     E(401, 200, 403, 403, 403, 403)),
    ("GET", "/api/v1/me/enrollments/", None, None, SIGNED_IN(200)),
    ("GET", "/api/v1/admin/courses/", None, None, ADMIN_ONLY(200)),
    ("GET", "/api/v1/admin/courses/<pk>/", "/api/v1/admin/courses/{course}/", None, ADMIN_ONLY(200)),
    ("PATCH", "/api/v1/admin/courses/<pk>/", "/api/v1/admin/courses/{course}/", {"status": "archived"},
     ADMIN_ONLY(200)),
    ("DELETE", "/api/v1/admin/courses/<pk>/", "/api/v1/admin/courses/{course}/", None, ADMIN_ONLY(204)),
    # --- quizzes --------------------------------------------------------------------------------
    ("GET", "/api/v1/courses/<course_id>/quizzes/", "/api/v1/courses/{course}/quizzes/", None, READERS(200)),
    ("POST", "/api/v1/courses/<course_id>/quizzes/", "/api/v1/courses/{course}/quizzes/", {"title": "Quiz 2"},
     OWNER_OR_ADMIN(201)),
    ("GET", "/api/v1/quizzes/<pk>/", "/api/v1/quizzes/{quiz}/", None, READERS(200)),
    ("PUT", "/api/v1/quizzes/<pk>/", "/api/v1/quizzes/{quiz}/", {"title": "Renamed quiz"}, OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/quizzes/<pk>/", "/api/v1/quizzes/{quiz}/", {"title": "Renamed quiz"}, OWNER_OR_ADMIN(200)),
    # somebody has attempted it: kept (409) for whoever may manage it
    ("DELETE", "/api/v1/quizzes/<pk>/", "/api/v1/quizzes/{quiz}/", None, OWNER_OR_ADMIN(409)),
    ("GET", "/api/v1/quizzes/<pk>/attempts/", "/api/v1/quizzes/{quiz}/attempts/", None, READERS(200)),
    # the student's attempt is open: returned again (200); only enrolled students attempt
    ("POST", "/api/v1/quizzes/<pk>/attempts/", "/api/v1/quizzes/{quiz}/attempts/", None,
     E(401, 200, 403, 403, 403, 403)),
    ("GET", "/api/v1/quizzes/<pk>/questions/", "/api/v1/quizzes/{quiz}/questions/", None, OWNER_OR_ADMIN(200)),
    ("POST", "/api/v1/quizzes/<pk>/questions/", "/api/v1/quizzes/{quiz}/questions/", QUESTION_BODY,
     OWNER_OR_ADMIN(201)),
    ("POST", "/api/v1/quizzes/<pk>/questions/reorder/", "/api/v1/quizzes/{quiz}/questions/reorder/",
     lambda w, role: {"order": [w.obj["question"].pk]}, OWNER_OR_ADMIN(200)),
    ("GET", "/api/v1/quizzes/<pk>/results/", "/api/v1/quizzes/{quiz}/results/", None, OWNER_OR_ADMIN(200)),
    ("GET", "/api/v1/questions/<pk>/", "/api/v1/questions/{question}/", None, OWNER_OR_ADMIN(200)),
    ("PUT", "/api/v1/questions/<pk>/", "/api/v1/questions/{question}/", QUESTION_BODY, OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/questions/<pk>/", "/api/v1/questions/{question}/", {"text": "Reworded?"},
     OWNER_OR_ADMIN(200)),
    ("DELETE", "/api/v1/questions/<pk>/", "/api/v1/questions/{question}/", None, OWNER_OR_ADMIN(204)),
    # an attempt: its student answers; the course's instructor and admins read it; others never see it
    ("GET", "/api/v1/attempts/<pk>/", "/api/v1/attempts/{attempt}/", None, E(401, 200, 404, 200, 404, 200)),
    ("PATCH", "/api/v1/attempts/<pk>/", "/api/v1/attempts/{attempt}/", answers, E(401, 200, 404, 403, 404, 403)),
    ("POST", "/api/v1/attempts/<pk>/submit/", "/api/v1/attempts/{attempt}/submit/", answers,
     E(401, 200, 404, 403, 404, 403)),
    # --- forum ----------------------------------------------------------------------------------
    ("GET", "/api/v1/courses/<course_id>/forum/posts/", "/api/v1/courses/{course}/forum/posts/", None,
     READERS(200)),
    ("POST", "/api/v1/courses/<course_id>/forum/posts/", "/api/v1/courses/{course}/forum/posts/",
     {"title": "Question", "body": "How?"}, READERS(201)),
    ("GET", "/api/v1/forum/posts/<pk>/", "/api/v1/forum/posts/{post}/", None, READERS(200)),
    ("PATCH", "/api/v1/forum/posts/<pk>/", "/api/v1/forum/posts/{post}/", {"title": "Edited"},
     E(401, 200, 403, 403, 403, 403)),
    ("DELETE", "/api/v1/forum/posts/<pk>/", "/api/v1/forum/posts/{post}/", None, READERS(204)),
    ("GET", "/api/v1/forum/posts/<pk>/comments/", "/api/v1/forum/posts/{post}/comments/", None, READERS(200)),
    ("POST", "/api/v1/forum/posts/<pk>/comments/", "/api/v1/forum/posts/{post}/comments/", {"body": "Me too"},
     READERS(201)),
    ("POST", "/api/v1/forum/posts/<pk>/pin/", "/api/v1/forum/posts/{post}/pin/", None, OWNER_OR_ADMIN(200)),
    ("POST", "/api/v1/forum/posts/<pk>/unpin/", "/api/v1/forum/posts/{post}/unpin/", None, OWNER_OR_ADMIN(200)),
    ("POST", "/api/v1/forum/posts/<pk>/lock/", "/api/v1/forum/posts/{post}/lock/", None, OWNER_OR_ADMIN(200)),
    ("POST", "/api/v1/forum/posts/<pk>/unlock/", "/api/v1/forum/posts/{post}/unlock/", None, OWNER_OR_ADMIN(200)),
    ("POST", "/api/v1/forum/posts/<pk>/upvote/", "/api/v1/forum/posts/{post}/upvote/", None, READERS(200)),
    # the student wrote it (400: not one's own); the admin reported it already (409)
    ("POST", "/api/v1/forum/posts/<pk>/report/", "/api/v1/forum/posts/{post}/report/", {"reason": "spam"},
     E(401, 400, 403, 201, 403, 409)),
    ("PATCH", "/api/v1/forum/comments/<pk>/", "/api/v1/forum/comments/{comment}/", {"body": "Edited"},
     E(401, 200, 403, 403, 403, 403)),
    ("DELETE", "/api/v1/forum/comments/<pk>/", "/api/v1/forum/comments/{comment}/", None, READERS(204)),
    ("POST", "/api/v1/forum/comments/<pk>/report/", "/api/v1/forum/comments/{comment}/report/",
     {"reason": "spam"}, E(401, 400, 403, 201, 403, 201)),
    ("GET", "/api/v1/forum/reports/", None, None, E(401, 403, 403, 200, 200, 200)),
    ("POST", "/api/v1/forum/reports/<pk>/resolve/", "/api/v1/forum/reports/{report}/resolve/",
     {"action": "dismiss"}, E(401, 403, 403, 200, 404, 200)),
    ("GET", "/api/v1/forum/moderation-log/", None, None, E(401, 403, 403, 200, 200, 200)),
    # --- reviews --------------------------------------------------------------------------------
    ("GET", "/api/v1/courses/<course_id>/reviews/", "/api/v1/courses/{course}/reviews/", None, ALL(200)),
    # the student reviewed it already (409); only enrolled students review
    ("POST", "/api/v1/courses/<course_id>/reviews/", "/api/v1/courses/{course}/reviews/", {"rating": 5},
     E(401, 409, 403, 403, 403, 403)),
    ("PATCH", "/api/v1/reviews/<pk>/", "/api/v1/reviews/{review}/", {"rating": 3}, E(401, 200, 403, 403, 403, 403)),
    ("DELETE", "/api/v1/reviews/<pk>/", "/api/v1/reviews/{review}/", None, E(401, 204, 403, 403, 403, 204)),
    ("POST", "/api/v1/reviews/<pk>/reply/", "/api/v1/reviews/{review}/reply/", {"body": "Thanks"},
     E(401, 403, 403, 201, 403, 403)),
    # no reply yet: the course's instructor gets 404, nobody else gets that far
    ("PATCH", "/api/v1/reviews/<pk>/reply/", "/api/v1/reviews/{review}/reply/", {"body": "Thanks"},
     E(401, 403, 403, 404, 403, 403)),
    ("DELETE", "/api/v1/reviews/<pk>/reply/", "/api/v1/reviews/{review}/reply/", None,
     E(401, 403, 403, 404, 403, 403)),
    ("GET", "/api/v1/instructor/reviews/", None, None, INSTRUCTORS(200)),
    # --- payments -------------------------------------------------------------------------------
    # the student owns it already (409); Stripe is not configured in this module (503)
    ("POST", "/api/v1/courses/<course_id>/checkout/", "/api/v1/courses/{paid_course}/checkout/", {},
     E(401, 409, 503, 403, 403, 403)),
    ("GET", "/api/v1/courses/<course_id>/coupons/", "/api/v1/courses/{paid_course}/coupons/", None,
     OWNER_OR_ADMIN(200)),
    ("POST", "/api/v1/courses/<course_id>/coupons/", "/api/v1/courses/{paid_course}/coupons/",
     {"code": "NEWCODE", "percent_off": 10}, OWNER_OR_ADMIN(201)),
    ("GET", "/api/v1/coupons/<pk>/", "/api/v1/coupons/{coupon}/", None, OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/coupons/<pk>/", "/api/v1/coupons/{coupon}/", {"percent_off": 30}, OWNER_OR_ADMIN(200)),
    ("DELETE", "/api/v1/coupons/<pk>/", "/api/v1/coupons/{coupon}/", None, OWNER_OR_ADMIN(204)),
    # unsigned: 400 whoever sends it (the signature is the only credential)
    ("POST", "/api/v1/payments/stripe/webhook/", None, {"id": "evt_1", "type": "payment_intent.succeeded"},
     ALL(400)),
    ("GET", "/api/v1/me/orders/", None, None, SIGNED_IN(200)),
    ("GET", "/api/v1/orders/<pk>/", "/api/v1/orders/{order}/", None, E(401, 200, 404, 404, 404, 200)),
    ("POST", "/api/v1/orders/<pk>/refund/", "/api/v1/orders/{order}/refund/", None,
     E(401, 200, 404, 404, 404, 200)),
    # --- certificates ---------------------------------------------------------------------------
    ("GET", "/api/v1/me/certificates/", None, None, SIGNED_IN(200)),
    # the student has one already (200); nobody else is enrolled (404)
    ("POST", "/api/v1/me/certificates/", None, lambda w, role: {"course": w.obj["course"].pk},
     E(401, 200, 404, 404, 404, 404)),
    ("GET", "/api/v1/certificates/<pk>/download/", "/api/v1/certificates/{certificate}/download/", None,
     E(401, 200, 404, 404, 404, 200)),
    ("GET", "/api/v1/certificates/verify/<code>/", "/api/v1/certificates/verify/{code}/", None, ALL(200)),
    # --- notifications --------------------------------------------------------------------------
    ("GET", "/api/v1/courses/<course_id>/announcements/", "/api/v1/courses/{course}/announcements/", None,
     READERS(200)),
    ("POST", "/api/v1/courses/<course_id>/announcements/", "/api/v1/courses/{course}/announcements/",
     {"title": "News", "body": "A new lesson"}, E(401, 403, 403, 202, 403, 403)),
    ("GET", "/api/v1/notifications/", None, None, SIGNED_IN(200)),
    ("GET", "/api/v1/notifications/unread-count/", None, None, SIGNED_IN(200)),
    ("POST", "/api/v1/notifications/read-all/", None, None, SIGNED_IN(200)),
    ("GET", "/api/v1/notifications/preferences/", None, None, SIGNED_IN(200)),
    ("PATCH", "/api/v1/notifications/preferences/", None,
     {"preferences": [{"type": "announcement", "email": False}]}, SIGNED_IN(200)),
    ("POST", "/api/v1/notifications/<pk>/read/", "/api/v1/notifications/{notification}/read/", None,
     E(401, 200, 404, 404, 404, 404)),
    # --- dashboards, admin, reports -------------------------------------------------------------
    ("GET", "/api/v1/dashboard/student/", None, None, E(401, 200, 200, 403, 403, 403)),
    ("GET", "/api/v1/dashboard/instructor/", None, None, INSTRUCTORS(200)),
    ("GET", "/api/v1/dashboard/admin/", None, None, ADMIN_ONLY(200)),
    ("GET", "/api/v1/admin/activity/", None, None, ADMIN_ONLY(200)),
    ("GET", "/api/v1/admin/reports/<name>/", "/api/v1/admin/reports/enrollments/", None, ADMIN_ONLY(200)),
    ("GET", "/api/v1/instructor/reports/<name>/", "/api/v1/instructor/reports/enrollments/", None,
     INSTRUCTORS(200)),
    # --- files and media ------------------------------------------------------------------------
    ("POST", "/api/v1/uploads/", None,
     {"purpose": "avatar", "filename": "me.png", "content_type": "image/png", "size": 1000}, SIGNED_IN(201)),
    # the instructor's uploads: theirs to use; admins read and delete any; everyone else gets 404
    ("GET", "/api/v1/uploads/<pk>/", "/api/v1/uploads/{upload}/", None, E(401, 404, 404, 200, 404, 200)),
    ("DELETE", "/api/v1/uploads/<pk>/", "/api/v1/uploads/{upload}/", None, E(401, 404, 404, 204, 404, 204)),
    # the upload steps are the uploader's alone (the JSON body is the bytes here)
    ("PUT", "/api/v1/uploads/<pk>/content/", "/api/v1/uploads/{pending_upload}/content/", {"x": 1},
     E(401, 404, 404, 200, 404, 404)),
    # the bytes are not an image: refused (400), for the uploader only
    ("POST", "/api/v1/uploads/<pk>/complete/", "/api/v1/uploads/{pending_upload}/complete/", None,
     E(401, 404, 404, 400, 404, 404)),
    # --- assignments ------------------------------------------------------------------------------
    # readers: the enrolled student, the course's staff; writers: the course's staff
    ("GET", "/api/v1/sections/<section_id>/assignments/", "/api/v1/sections/{section}/assignments/", None,
     READERS(200)),
    ("POST", "/api/v1/sections/<section_id>/assignments/", "/api/v1/sections/{section}/assignments/",
     {"title": "Report", "points": 20}, OWNER_OR_ADMIN(201)),
    ("GET", "/api/v1/assignments/<pk>/", "/api/v1/assignments/{assignment}/", None, READERS(200)),
    ("PUT", "/api/v1/assignments/<pk>/", "/api/v1/assignments/{assignment}/", {"title": "Essay, v2", "points": 10},
     OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/assignments/<pk>/", "/api/v1/assignments/{assignment}/", {"points": 12}, OWNER_OR_ADMIN(200)),
    ("DELETE", "/api/v1/assignments/<pk>/", "/api/v1/assignments/{scrap_assignment}/", None, OWNER_OR_ADMIN(204)),
    # a student reads their own submissions; the staff every one
    ("GET", "/api/v1/assignments/<pk>/submissions/", "/api/v1/assignments/{assignment}/submissions/", None,
     READERS(200)),
    # only the enrolled student submits (staff are not enrolled: 403 not_enrolled)
    ("POST", "/api/v1/assignments/<pk>/submissions/", "/api/v1/assignments/{assignment}/submissions/",
     {"text": "Attempt two"}, E(401, 201, 403, 403, 403, 403)),
    ("GET", "/api/v1/assignments/<pk>/next-ungraded/", "/api/v1/assignments/{assignment}/next-ungraded/", None,
     OWNER_OR_ADMIN(200)),
    # the zip of every submission: the course's staff ask for it (202) and read it
    ("POST", "/api/v1/assignments/<pk>/archive/", "/api/v1/assignments/{assignment}/archive/", None,
     OWNER_OR_ADMIN(202)),
    ("GET", "/api/v1/assignments/<pk>/archive/", "/api/v1/assignments/{assignment}/archive/", None,
     OWNER_OR_ADMIN(200)),
    # a submission: its student and the course's staff read it; anyone else never sees it
    ("GET", "/api/v1/submissions/<pk>/", "/api/v1/submissions/{submission}/", None, E(401, 200, 404, 200, 404, 200)),
    ("POST", "/api/v1/submissions/<pk>/grade/", "/api/v1/submissions/{submission}/grade/",
     lambda w, role: {"rubric_scores": [{"criterion": w.obj["criterion"].pk, "points": 8}], "feedback": "Good"},
     E(401, 403, 404, 200, 404, 200)),
    # --- gradebook --------------------------------------------------------------------------------
    # the scheme and the whole gradebook: the course's staff; a student's own row: the enrolled student
    ("GET", "/api/v1/courses/<course_id>/grading/", "/api/v1/courses/{course}/grading/", None, OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/courses/<course_id>/grading/", "/api/v1/courses/{course}/grading/",
     {"weights": {"quizzes": 30, "assignments": 70}, "pass_percent": 55}, OWNER_OR_ADMIN(200)),
    ("GET", "/api/v1/courses/<course_id>/gradebook/", "/api/v1/courses/{course}/gradebook/", None,
     OWNER_OR_ADMIN(200)),
    ("GET", "/api/v1/me/courses/<course_id>/grades/", "/api/v1/me/courses/{course}/grades/", None,
     E(401, 200, 403, 403, 403, 403)),
    # --- schedules (cohorts) -----------------------------------------------------------------------
    # anyone who sees the course reads its cohorts; its staff write them
    ("GET", "/api/v1/courses/<course_id>/cohorts/", "/api/v1/courses/{cohort_course}/cohorts/", None, ALL(200)),
    ("POST", "/api/v1/courses/<course_id>/cohorts/", "/api/v1/courses/{cohort_course}/cohorts/",
     {"name": "Autumn", "starts_at": "2030-09-01T09:00:00Z", "ends_at": "2030-12-01T09:00:00Z", "capacity": 20},
     OWNER_OR_ADMIN(201)),
    ("GET", "/api/v1/cohorts/<pk>/", "/api/v1/cohorts/{cohort}/", None, ALL(200)),
    ("PUT", "/api/v1/cohorts/<pk>/", "/api/v1/cohorts/{cohort}/",
     {"name": "Autumn", "starts_at": "2030-09-01T09:00:00Z", "ends_at": "2030-12-01T09:00:00Z", "capacity": 20},
     OWNER_OR_ADMIN(200)),
    ("PATCH", "/api/v1/cohorts/<pk>/", "/api/v1/cohorts/{cohort}/", {"capacity": 25}, OWNER_OR_ADMIN(200)),
    ("DELETE", "/api/v1/cohorts/<pk>/", "/api/v1/cohorts/{scrap_cohort}/", None, OWNER_OR_ADMIN(204)),
    # --- schedules (live sessions) -----------------------------------------------------------------
    # the course's staff and the session's audience (enrolled, in its cohort if it has one) read;
    # anyone else never sees it (404); writes and attendance: the staff
    ("GET", "/api/v1/courses/<course_id>/live-sessions/", "/api/v1/courses/{course}/live-sessions/", None,
     READERS(200)),
    ("POST", "/api/v1/courses/<course_id>/live-sessions/", "/api/v1/courses/{course}/live-sessions/",
     {"title": "Office hours", "starts_at": "2030-01-01T10:00:00Z", "duration_minutes": 60,
      "join_url": "https://meet.example.com/x"}, OWNER_OR_ADMIN(201)),
    ("GET", "/api/v1/live-sessions/<pk>/", "/api/v1/live-sessions/{live_session}/", None,
     E(401, 200, 404, 200, 404, 200)),
    ("PUT", "/api/v1/live-sessions/<pk>/", "/api/v1/live-sessions/{live_session}/",
     {"title": "Moved", "starts_at": "2030-01-02T10:00:00Z", "duration_minutes": 90,
      "join_url": "https://meet.example.com/y"}, E(401, 403, 404, 200, 404, 200)),
    ("PATCH", "/api/v1/live-sessions/<pk>/", "/api/v1/live-sessions/{live_session}/", {"duration_minutes": 45},
     E(401, 403, 404, 200, 404, 200)),
    ("DELETE", "/api/v1/live-sessions/<pk>/", "/api/v1/live-sessions/{scrap_live_session}/", None,
     E(401, 403, 404, 204, 404, 204)),
    ("GET", "/api/v1/live-sessions/<pk>/attendance/", "/api/v1/live-sessions/{live_session}/attendance/", None,
     E(401, 403, 404, 200, 404, 200)),
    ("POST", "/api/v1/live-sessions/<pk>/attendance/", "/api/v1/live-sessions/{live_session}/attendance/",
     lambda w, role: {"present": [w.users["student"].pk]}, E(401, 403, 404, 200, 404, 200)),
    # --- schedules (calendar) ----------------------------------------------------------------------
    # anyone signed in reads and feeds their own calendar; the feed is read by whoever holds its token
    ("GET", "/api/v1/me/calendar/", None, None, SIGNED_IN(200)),
    ("POST", "/api/v1/me/calendar/token/", None, None, SIGNED_IN(201)),
    ("GET", "/api/v1/me/calendar.ics", "/api/v1/me/calendar.ics?token={calendar_token}", None, ALL(200)),
    # --- privacy ----------------------------------------------------------------------------------
    # anyone signed in exports and erases themself (with their own password); admins erase others
    ("GET", "/api/v1/me/data-exports/", None, None, SIGNED_IN(200)),
    ("POST", "/api/v1/me/data-exports/", None, None, SIGNED_IN(202)),
    # the world's admin is its only active admin: refused (409 last_admin)
    ("POST", "/api/v1/me/erasure/", None, {"password": PASSWORD}, E(401, 202, 202, 202, 202, 409)),
    ("DELETE", "/api/v1/me/erasure/", None, None, SIGNED_IN(409)),  # none pending
    ("GET", "/api/v1/admin/erasures/", None, None, ADMIN_ONLY(200)),
    ("POST", "/api/v1/admin/users/<user_id>/erase/", "/api/v1/admin/users/{student_user}/erase/", None,
     ADMIN_ONLY(202)),
    # --- webhooks (admins only) --------------------------------------------------------------------
    ("GET", "/api/v1/admin/webhooks/", None, None, ADMIN_ONLY(200)),
    ("POST", "/api/v1/admin/webhooks/", None, {"url": "https://93.184.215.14/hooks", "events": ["order.paid"]},
     ADMIN_ONLY(201)),
    ("GET", "/api/v1/admin/webhooks/<pk>/", "/api/v1/admin/webhooks/{webhook}/", None, ADMIN_ONLY(200)),
    ("PUT", "/api/v1/admin/webhooks/<pk>/", "/api/v1/admin/webhooks/{webhook}/",
     {"url": "https://93.184.215.14/hooks", "events": ["order.paid"]}, ADMIN_ONLY(200)),
    ("PATCH", "/api/v1/admin/webhooks/<pk>/", "/api/v1/admin/webhooks/{webhook}/", {"description": "Matrix"},
     ADMIN_ONLY(200)),
    ("DELETE", "/api/v1/admin/webhooks/<pk>/", "/api/v1/admin/webhooks/{webhook}/", None, ADMIN_ONLY(204)),
    ("POST", "/api/v1/admin/webhooks/<pk>/rotate-secret/", "/api/v1/admin/webhooks/{webhook}/rotate-secret/", None,
     ADMIN_ONLY(200)),
    ("GET", "/api/v1/admin/webhooks/<pk>/deliveries/", "/api/v1/admin/webhooks/{webhook}/deliveries/", None,
     ADMIN_ONLY(200)),
    ("POST", "/api/v1/admin/webhooks/<pk>/deliveries/<delivery_id>/redeliver/",
     "/api/v1/admin/webhooks/{webhook}/deliveries/{webhook_delivery}/redeliver/", None, ADMIN_ONLY(202)),
    # --- single sign-on: no provider is configured in this world, so any provider name is unknown
    ("GET", "/api/v1/auth/oidc/providers/", None, None, ALL(200)),
    ("GET", "/api/v1/auth/oidc/<provider>/start/", "/api/v1/auth/oidc/school/start/", None, ALL(404)),
    ("GET", "/api/v1/auth/oidc/<provider>/callback/", "/api/v1/auth/oidc/school/callback/", None, ALL(404)),
    # a one-time code is a credential: whoever holds it (whoever they are signed in as) gets the tokens
    # of the student it was issued for
    ("POST", "/api/v1/auth/oidc/exchange/", None, sso_code, ALL(200)),
    # --- outside /api/v1/ -----------------------------------------------------------------------
    # files: public ones for anyone; private ones for anyone holding a signed link (its credential)
    ("GET", "/files/<name>", "/files/{public_file}", None, ALL(200)),
    ("GET", "/files/signed/<token>/", "/files/signed/{signed_token}/", None, ALL(200)),
    ("GET", "/api/schema/", None, None, ALL(200)),
    ("GET", "/api/docs/", None, None, ALL(200)),
    ("GET", "/api/redoc/", None, None, ALL(200)),
    ("GET", "/api/redoc/redoc.standalone.js", None, None, ALL(200)),
    ("GET", "/health/", None, None, ALL(200)),
    ("GET", "/ready/", None, None, ALL(200)),
]
# fmt: on

ROWS = {(method, route): (url or route, body, expected) for method, route, url, body, expected in MATRIX}
CELLS = [(method, route, role) for method, route, *_ in MATRIX for role in ROLES]

# Auth endpoints hand out tokens by design; nothing else may.
TOKEN_ROUTES = {
    "/api/v1/auth/register/",
    "/api/v1/auth/instructors/register/",
    "/api/v1/auth/login/",
    "/api/v1/auth/instructors/login/",
    "/api/v1/auth/token/refresh/",
    "/api/v1/auth/password/change/",
    "/api/v1/auth/oidc/exchange/",
}
# A sign-in answers with the profile of the account whose credentials were sent.
SIGN_IN_ROUTES = {"/api/v1/auth/login/", "/api/v1/auth/instructors/login/", "/api/v1/auth/oidc/exchange/"}
JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")
SECRET_MARKERS = ("pbkdf2", "md5$", "argon2", "bcrypt$", '"password"', "sk_test_", "whsec_")
# A webhook endpoint's signing secret is shown to the admin once, when made and when rotated.
SECRET_SHOWN_ONCE = {("POST", "/api/v1/admin/webhooks/"), ("POST", "/api/v1/admin/webhooks/<pk>/rotate-secret/")}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with world_in_transaction(django_db_blocker) as w:
        yield w


@pytest.fixture
def stripe_webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_matrix"
    settings.STRIPE_SECRET_KEY = ""


def test_every_served_route_has_a_row():
    missing = sorted(set(served_routes()) - set(ROWS), key=lambda k: (k[1], k[0]))
    assert not missing, "routes without a row in MATRIX (add one per method):\n" + "\n".join(
        f"  {m} {r}" for m, r in missing
    )


def test_every_row_is_a_served_route():
    stale = sorted(set(ROWS) - set(served_routes()), key=lambda k: (k[1], k[0]))
    assert not stale, "rows in MATRIX for routes that are no longer served:\n" + "\n".join(
        f"  {m} {r}" for m, r in stale
    )


def test_rows_are_unique_and_complete():
    assert len(ROWS) == len(MATRIX), "a (method, route) appears twice in MATRIX"
    for key, (_, _, expected) in ROWS.items():
        assert set(expected) == set(ROLES), key


def _call(world, method: str, route: str, role: str):
    url, body, _ = ROWS[(method, route)]
    url = url.format(**world.ids())
    if callable(body):
        body = body(world, role)
    client = world.client(role)
    return getattr(client, method.lower())(url, data=body, format="json" if body is not None else None)


def _text(response) -> str:
    """What the scans read: the JSON and HTML we generate (not the PDF, nor ReDoc's vendored script,
    whose source naturally spells "password")."""
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False) or not content_type.startswith(("application/json", "text/html")):
        return ""
    return response.content.decode("utf-8", "replace")


@pytest.mark.django_db
@pytest.mark.usefixtures("stripe_webhook_secret")
@pytest.mark.parametrize(("method", "route", "role"), CELLS, ids=[f"{m} {r} [{role}]" for m, r, role in CELLS])
def test_matrix(world, method, route, role):
    response = _call(world, method, route, role)
    expected = ROWS[(method, route)][2][role]
    body = _text(response)
    assert response.status_code == expected, f"{method} {route} as {role}: {response.status_code} {body[:300]}"

    # Errors are JSON with a detail (never HTML, never a stack trace).
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), body[:200]
        assert "Traceback" not in body

    # API3: no password hashes or secrets anywhere; tokens only from the auth endpoints.
    lowered = body.lower()
    for marker in SECRET_MARKERS:
        if marker == "whsec_" and (method, route) in SECRET_SHOWN_ONCE and role == "admin":
            continue
        assert marker not in lowered, f"{marker!r} in {method} {route} as {role}"
    if route not in TOKEN_ROUTES:
        assert not JWT.search(body), f"a JWT in {method} {route} as {role}"

    # API3: nobody but an admin (who manages users) sees another user's e-mail address.
    if role == "admin" or route in SIGN_IN_ROUTES:
        return
    own_email = world.users[role].email if world.users[role] else None
    for other_role, email in world.emails().items():
        if email != own_email:
            assert email.lower() not in lowered, f"{other_role}'s e-mail in {method} {route} as {role}"


def test_responses_are_valid_json_for_every_json_route(world, db):
    """A smoke check of the scan itself: the student's profile carries their own e-mail only."""
    response = world.client("student").get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert json.loads(response.content)["email"] == world.users["student"].email
