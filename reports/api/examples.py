"""Example bodies for the schema (dashboards and reports), copied from real responses."""

from certificates.api.examples import CERTIFICATE
from courses.api.examples import COURSE, ENROLLMENT, INSTRUCTOR_COURSE
from reviews.api.examples import INSTRUCTOR_REVIEW

COURSE_REF = {"id": COURSE["id"], "slug": COURSE["slug"], "title": COURSE["title"]}

STUDENT_DASHBOARD = {
    "enrollments": [{**ENROLLMENT, "next_lesson": {"id": 3, "title": "If and else"}}],
    "active_count": 2,
    "completed_count": 1,
    "certificates": [CERTIFICATE],
    "recent_quiz_results": [
        {
            "attempt": 4,
            "quiz": 1,
            "quiz_title": "Basics check",
            "course": 1,
            "percent": "100.00",
            "passed": True,
            "submitted_at": "2026-11-30T10:36:20Z",
        }
    ],
    "assignments_due_soon": [
        {
            "id": 7,
            "title": "Write a typed client",
            "course": COURSE_REF,
            "due_at": "2026-12-15T17:00:00Z",
            "points": 100,
        }
    ],
    "recently_graded": [
        {
            "submission": 31,
            "attempt": 1,
            "assignment": {"id": 5, "title": "Loops in practice", "points": 50},
            "course": COURSE_REF,
            "points": "42.50",
            "percent": "85.00",
            "graded_at": "2026-11-30T16:05:00Z",
        }
    ],
    "unread_notifications": 2,
    "upcoming": [
        {"type": "cohort_start", "course": COURSE_REF, "id": 4, "title": "Winter 2026", "at": "2026-12-01T09:00:00Z"},
        {
            "type": "live_session",
            "course": COURSE_REF,
            "id": 7,
            "title": "Week 1: office hours",
            "at": "2026-12-02T17:00:00Z",
        },
        {"type": "quiz_due", "course": COURSE_REF, "id": 1, "title": "Basics check", "at": "2026-12-10T17:00:00Z"},
        {
            "type": "assignment_due",
            "course": COURSE_REF,
            "id": 7,
            "title": "Write a typed client",
            "at": "2026-12-15T17:00:00Z",
        },
    ],
}
INSTRUCTOR_DASHBOARD = {
    "courses": [
        {
            **INSTRUCTOR_COURSE,
            "active_students_30d": 2,
            "completions": 1,
            "completion_rate": 0.5,
            "revenue": "0.00",
            "unanswered_reviews": 1,
            "quiz_attempts": 3,
            "quiz_pass_rate": 0.67,
            "submissions_to_grade": 2,
            "oldest_waiting_at": "2026-11-29T08:40:00Z",
            "cohorts": [
                {
                    "id": 4,
                    "name": "Spring 2027",
                    "starts_at": "2027-03-01T09:00:00Z",
                    "ends_at": "2027-05-31T17:00:00Z",
                    "capacity": 30,
                    "seats_taken": 30,
                    "waitlist_count": 2,
                }
            ],
        }
    ],
    "totals": {
        "courses": 3,
        "enrollments": 2,
        "active_students_30d": 2,
        "completions": 1,
        "revenue": "399.90",
        "rating_count": 2,
        "average_rating": "4.00",
        "unanswered_reviews": 1,
        "submissions_to_grade": 2,
        "oldest_waiting_at": "2026-11-29T08:40:00Z",
    },
    "recent_reviews": [{k: v for k, v in INSTRUCTOR_REVIEW.items() if k != "course_title"}],
    "recent_enrollments": [
        {
            "id": 2,
            "student": {"id": 2, "first_name": "Grace", "last_name": "Hopper", "full_name": "Grace Hopper"},
            "course": COURSE["id"],
            "course_title": COURSE["title"],
            "enrolled_at": "2026-11-29T18:22:05Z",
        }
    ],
}
ADMIN_DASHBOARD = {
    "users": {
        "student": {"active": 1280, "inactive": 14},
        "instructor": {"active": 37, "inactive": 2},
        "admin": {"active": 3, "inactive": 0},
    },
    "courses": {"draft": 12, "published": 64, "archived": 5},
    "enrollments": {"total": 4210, "active": 3987, "revoked": 41, "completions": 1502},
    "revenue": [{"currency": "USD", "gross": "18450.00", "refunded": "349.93", "net": "18100.07"}],
    "signups_by_day": [{"period": "2026-11-29", "value": 18}, {"period": "2026-11-30", "value": 11}],
    "enrollments_by_day": [{"period": "2026-11-29", "value": 52}, {"period": "2026-11-30", "value": 37}],
    "open_forum_reports": 3,
}
REPORT = {
    "name": "enrollments",
    "interval": "day",
    "results": [
        {"period": "2026-11-28", "value": 4},
        {"period": "2026-11-29", "value": 7},
        {"period": "2026-11-30", "value": 2},
    ],
    "total": 13,
    "from": "2026-11-28",
    "to": "2026-11-30",
}
REPORT_CSV = "period,value\r\n2026-11-28,4\r\n2026-11-29,7\r\n2026-11-30,2\r\n"
