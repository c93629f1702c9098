"""Example bodies for the schema (catalog, curriculum, enrollment), copied from real responses.
Other apps' examples reuse these (a course summary, an instructor) so the docs tell one story."""

INSTRUCTOR = {"id": 3, "first_name": "Alan", "last_name": "Turing", "full_name": "Alan Turing"}
STUDENT = {"id": 1, "first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}
CATEGORY = {"id": 1, "name": "Programming", "slug": "programming"}

FILES = "https://lms.example.com/files"
SIGNED = "eyJrIjoicHJpdmF0ZS8uLi4ifQ:1tGx2k:Qm9d7KxR2v8m"
COVER = {
    "url": f"{FILES}/public/6f1c2a9e-3b1d-4e0a-9c55-1d2e3f4a5b6c/python.jpg",
    "width": 1600,
    "height": 900,
    "variants": {
        "thumb": {
            "url": f"{FILES}/public/6f1c2a9e-3b1d-4e0a-9c55-1d2e3f4a5b6c/thumb.jpg",
            "webp_url": f"{FILES}/public/6f1c2a9e-3b1d-4e0a-9c55-1d2e3f4a5b6c/thumb.webp",
            "width": 320,
            "height": 180,
        },
        "card": {
            "url": f"{FILES}/public/6f1c2a9e-3b1d-4e0a-9c55-1d2e3f4a5b6c/card.jpg",
            "webp_url": f"{FILES}/public/6f1c2a9e-3b1d-4e0a-9c55-1d2e3f4a5b6c/card.webp",
            "width": 800,
            "height": 450,
        },
    },
}
VIDEO = {
    "url": f"{FILES}/signed/{SIGNED}/",
    "content_type": "video/mp4",
    "duration_seconds": 538,
    "poster_url": f"{FILES}/signed/{SIGNED}p/",
}
ATTACHMENT = {
    "id": "0b7e8c3a-52f4-4d7e-8a0e-6c2d9f1e4b3a",
    "filename": "variables-cheatsheet.pdf",
    "content_type": "application/pdf",
    "size": 184320,
    "url": f"{FILES}/signed/{SIGNED}a/",
}
# An item without release rules, as everyone sees it (courses.release).
OPEN = {
    "available_from": None,
    "available_after_days": None,
    "requires_passing": [],
    "available_at": None,
    "locked_reason": None,
}
LESSON = {
    "id": 2,
    "section": 1,
    "title": "Variables",
    "content": "A variable is a name for a value: `count = 3`.",
    "video_url": "https://videos.example.com/python/variables.mp4",
    "video": VIDEO,
    "attachments": [ATTACHMENT],
    "duration_seconds": 540,
    "is_preview": False,
    "order": 2,
    "locked": False,
    **OPEN,
}
FIRST_LESSON = {
    **LESSON,
    "id": 1,
    "title": "Installing Python",
    "content": "Download Python 3.12 from python.org and check it with `python --version`.",
    "video_url": "https://videos.example.com/python/install.mp4",
    "video": None,
    "attachments": [],
    "duration_seconds": 300,
    "is_preview": True,
    "order": 1,
}
SECTION = {"id": 1, "title": "Getting started", "order": 1, "lessons": [FIRST_LESSON, LESSON]}

COURSE = {
    "id": 1,
    "slug": "python-from-scratch",
    "title": "Python from scratch",
    "subtitle": "Your first programs, step by step",
    "description": "Variables, loops, functions and files, with exercises after every lesson.",
    "category": CATEGORY,
    "level": "beginner",
    "language": "en",
    "price": "0.00",
    "currency": "USD",
    "is_free": True,
    "status": "published",
    "instructor": INSTRUCTOR,
    "cover": COVER,
    "thumbnail_url": COVER["variants"]["card"]["url"],
    "lesson_count": 3,
    "average_rating": 4.0,
    "rating_count": 2,
    "rating_distribution": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1},
    "enrollment_count": 2,
    "published_at": "2026-11-02T09:00:00Z",
    "created_at": "2026-10-28T14:12:05Z",
    "updated_at": "2026-11-02T09:00:00Z",
}
COURSE_DETAIL = {**COURSE, "prerequisites": [3], "is_enrolled": True, "sections": [SECTION]}
NEW_COURSE = {
    **COURSE,
    "id": 7,
    "slug": "data-analysis-with-pandas",
    "title": "Data analysis with pandas",
    "subtitle": "From CSV files to clear charts",
    "description": "Load, clean, reshape and plot real data sets with pandas and matplotlib.",
    "level": "intermediate",
    "price": "39.00",
    "is_free": False,
    "status": "draft",
    "cover": None,
    "thumbnail_url": "https://cdn.example.com/courses/pandas.png",
    "lesson_count": 0,
    "average_rating": 0.0,
    "rating_count": 0,
    "rating_distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    "enrollment_count": 0,
    "published_at": None,
    "created_at": "2026-11-30T10:02:11Z",
    "updated_at": "2026-11-30T10:02:11Z",
    "prerequisites": [3],
    "is_enrolled": False,
    "sections": [],
}
COURSE_INPUT = {
    "title": "Data analysis with pandas",
    "subtitle": "From CSV files to clear charts",
    "description": "Load, clean, reshape and plot real data sets with pandas and matplotlib.",
    "level": "intermediate",
    "language": "en",
    "price": "39.00",
    "currency": "USD",
    "thumbnail_url": "https://cdn.example.com/courses/pandas.png",
    "prerequisites": [3],
}
COURSE_REPLACE = {
    "title": "Python from scratch",
    "subtitle": "Your first programs, step by step",
    "description": "Variables, loops, functions and files, with exercises after every lesson.",
    "level": "beginner",
    "language": "en",
    "price": "0.00",
    "currency": "USD",
    "cover": "6f1c2a9e-3b1d-4e0a-9c55-1d2e3f4a5b6c",
}

PROGRESS = {
    "progress_percent": 33,
    "completed_lessons": [1],
    "passed_quizzes": [],
    "lessons_total": 3,
    "quizzes_total": 1,
    "completed_at": None,
}
ENROLLMENT = {
    "id": 5,
    "course": COURSE,
    "status": "active",
    "source": "free",
    "progress_percent": 33,
    "enrolled_at": "2026-11-03T18:40:12Z",
    "completed_at": None,
}
INSTRUCTOR_COURSE = {**COURSE, "revenue": "0.00"}

LESSON_INPUT = {
    "title": "Your first script",
    "content": "Create `hello.py` and run it with `python hello.py`.",
    "video_url": "https://videos.example.com/python/first-script.mp4",
    "duration_seconds": 420,
    "is_preview": False,
    "order": 3,
}
NEW_LESSON = {**LESSON_INPUT, "id": 8, "section": 1, "video": None, "attachments": [], "locked": False, **OPEN}

# Request and response bodies of single operations (courses/api/views.py, admin_views.py).
CATEGORY_INPUT = {"name": "Data science", "slug": "data-science"}
NEW_CATEGORY = {"id": 4, **CATEGORY_INPUT}
CATEGORY_RENAME = {"name": "Programming languages"}
RENAMED_CATEGORY = {**CATEGORY, **CATEGORY_RENAME}
COURSE_PATCH = {"subtitle": "Your first programs, step by step", "cover": "6f1c2a9e-3b1d-4e0a-9c55-1d2e3f4a5b6c"}
UNPUBLISHED_COURSE = {**COURSE_DETAIL, "status": "draft", "is_enrolled": False}
NEW_ENROLLMENT = {**ENROLLMENT, "progress_percent": 0}
WAITLISTED = {"waitlisted": True, "cohort": 4, "position": 3}
SECTION_INPUT = {"title": "Functions", "order": 3}
NEW_SECTION = {"id": 7, **SECTION_INPUT, "lessons": []}
SECTION_REPLACE = {"title": "Getting started", "order": 1}
SECTION_RENAME = {"title": "Setting up"}
RENAMED_SECTION = {**SECTION, **SECTION_RENAME}
REORDER = {"order": [2, 1]}
REORDERED_SECTION = {**SECTION, "order": 2}
REORDERED_LESSON = {**LESSON, "order": 1}
LESSON_REPLACE = {
    **{
        k: v
        for k, v in LESSON.items()
        if k not in ("id", "section", "locked", "video", "attachments", "available_at", "locked_reason")
    },
    "video": "5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
    "attachments": [ATTACHMENT["id"]],
}
LESSON_PATCH = {"duration_seconds": 600, "attachments": [ATTACHMENT["id"]]}
PATCHED_LESSON = {**LESSON, "duration_seconds": 600}
STATUS_INPUT = {"status": "archived"}
ARCHIVED_COURSE = {**COURSE, **STATUS_INPUT}
