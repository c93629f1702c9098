"""Example bodies for the schema (certificates), copied from real responses."""

CERTIFICATE = {
    "id": 1,
    "course": {"id": 1, "slug": "python-from-scratch", "title": "Python from scratch"},
    "status": "issued",
    "issued_at": "2026-11-02T10:15:00Z",
    "completed_at": "2026-11-02T10:14:31Z",
    "verification_code": "K7QX2M9TB4HZ",
    "student_name": "Ada Lovelace",
    "course_title": "Python from scratch",
    "instructor_name": "Alan Turing",
    "version": 1,
    "pdf_sha256": "9f2c1e0b7a4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a43",
    "revoked_at": None,
    "revoked_reason": "",
    "download_url": "https://api.example.com/api/v1/certificates/1/download/",
    "verify_url": "https://lms.example.com/api/v1/certificates/verify/K7QX2M9TB4HZ/",
}
REQUEST = {"course": 1}
QUEUED = {"detail": "Your certificate is being issued.", "status": "queued"}
VERIFICATION = {
    "valid": True,
    "status": "issued",
    "verification_code": "K7QX2M9TB4HZ",
    "student_name": "Ada Lovelace",
    "name_withheld": False,
    "course_title": "Python from scratch",
    "instructor_name": "Alan Turing",
    "issued_at": "2026-11-02T10:15:00Z",
    "completed_at": "2026-11-02T10:14:31Z",
    "version": 1,
    "sha256": "9f2c1e0b7a4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a43",
    "revoked_at": None,
    "revoked_reason": "",
}
# The holder's account was erased: still genuine, the name withheld and the PDF (and its hash) gone.
VERIFICATION_NAME_WITHHELD = {
    **VERIFICATION,
    "verification_code": "R4W8PZQ2HN6TXC3DJ5KM",
    "student_name": "",
    "name_withheld": True,
    "sha256": "",
}
REQUEST_ERRORS = {
    "Not completed": {
        "detail": "The course is not completed yet. Still to do: 3 of 12 lessons. Still to do: 1 of 2 quizzes.",
        "code": "not_completed",
        "progress_percent": 71,
    },
    "Invalid field": {"course": ["A valid integer is required."]},
}
REVOKED_ERRORS = {
    "Revoked": {
        "detail": "This certificate was revoked (Exam taken by someone else); its PDF is no longer available.",
        "code": "certificate_revoked",
        "revoked_reason": "Exam taken by someone else",
    }
}
