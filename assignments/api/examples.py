from courses.api.examples import OPEN

ASSIGNMENT = {
    "id": 7,
    "course": 3,
    "section": 12,
    "title": "Write a typed client",
    "instructions": "Generate a client from the schema and call three endpoints.",
    "points": 100,
    "due_at": "2026-12-15T17:00:00Z",
    "submission_types": ["text", "file"],
    "allowed_file_types": ["application/pdf"],
    "max_files": 3,
    "max_attempts": 2,
    "is_required": True,
    "pass_percent": 60,
    "late_policy": {"accept_late": True, "penalty_percent_per_day": "10.00", "cutoff_at": "2026-12-18T17:00:00Z"},
    "rubric": [
        {"id": 21, "title": "Correctness", "description": "It works.", "points": 60},
        {"id": 22, "title": "Clarity", "description": "It reads well.", "points": 40},
    ],
    "order": 1,
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z",
    "due_after_days": None,
    "locked": False,
    **OPEN,
}
ASSIGNMENT_INPUT = {
    "title": "Write a typed client",
    "instructions": "Generate a client from the schema and call three endpoints.",
    "points": 100,
    "due_at": "2026-12-15T17:00:00Z",
    "submission_types": ["text", "file"],
    "allowed_file_types": ["application/pdf"],
    "max_files": 3,
    "max_attempts": 2,
    "is_required": True,
    "pass_percent": 60,
    "late_policy": {"accept_late": True, "penalty_percent_per_day": "10.00", "cutoff_at": "2026-12-18T17:00:00Z"},
    "rubric": [
        {"title": "Correctness", "description": "It works.", "points": 60},
        {"title": "Clarity", "description": "It reads well.", "points": 40},
    ],
}
USER = {"id": 5, "first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}
TEACHER = {"id": 2, "first_name": "Alan", "last_name": "Turing", "full_name": "Alan Turing"}
GRADE = {
    "score": "85.00",
    "late_penalty": "8.50",
    "points": "76.50",
    "percent": "76.50",
    "rubric_scores": [
        {"criterion": 21, "title": "Correctness", "points": "50.00", "max_points": 60},
        {"criterion": 22, "title": "Clarity", "points": "35.00", "max_points": 40},
    ],
    "feedback": "Solid; handle 401 refreshes.",
    "graded_by": TEACHER,
    "graded_at": "2026-12-17T10:00:00Z",
}
SUBMISSION = {
    "id": 31,
    "assignment": 7,
    "student": USER,
    "attempt": 1,
    "status": "submitted",
    "submitted_at": "2026-12-16T08:00:00Z",
    "is_late": True,
    "days_late": 1,
    "text": "My client is attached.",
    "url": "",
    "files": [
        {
            "id": "3f2c1a9e-8d4b-4c55-9a51-0b7e6f1d2c3a",
            "filename": "client.pdf",
            "content_type": "application/pdf",
            "size": 48213,
            "url": "https://lms.example.com/files/signed/eyJrIjoi.../",
        }
    ],
    "grade": None,
}
GRADED = {**SUBMISSION, "status": "graded", "grade": GRADE}
ARCHIVE_PENDING = {
    "id": 4,
    "status": "pending",
    "requested_at": "2026-12-19T09:00:00Z",
    "finished_at": None,
    "submission_count": 0,
    "size": 0,
    "url": None,
    "error": "",
}
ARCHIVE_READY = {
    **ARCHIVE_PENDING,
    "status": "ready",
    "finished_at": "2026-12-19T09:00:12Z",
    "submission_count": 42,
    "size": 18734221,
    "url": "https://lms.example.com/files/signed/eyJrIjoi.../",
}
ARCHIVE_FAILED = {
    **ARCHIVE_PENDING,
    "status": "failed",
    "finished_at": "2026-12-19T11:00:00Z",
    "error": "The archive was not built within 2 hours. Request it again.",
}
NO_ARCHIVE = {"detail": "No archive has been requested for this assignment.", "code": "no_archive"}
