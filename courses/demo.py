"""Demo catalog for `manage.py seed_demo`: categories, a few dozen courses (free and paid, mostly
published) with sections and lessons and a generated cover each, and enrollments with some progress.
Idempotent: a course is recognised by its title and instructor and left alone if it exists (a demo
course without a cover gets one)."""

import os
import tempfile
import zlib
from decimal import Decimal
from functools import partial

from django.db import transaction

from accounts.models import Role
from lms.errors import ApplicationError
from media import imaging, storage
from media.models import UploadPurpose
from media.services import upload_complete, upload_create

from . import services
from .models import Category, Course, CourseStatus, Lesson

CATEGORIES = [
    ("Programming", "programming"),
    ("Data Science", "data-science"),
    ("Design", "design"),
    ("Business", "business"),
    ("Languages", "languages"),
    ("Music", "music"),
    ("Photography", "photography"),
    ("Personal Development", "personal-development"),
]

TOPICS = {
    "programming": [
        "Python for Beginners",
        "Django REST APIs",
        "Modern JavaScript",
        "Rust Fundamentals",
        "Testing with pytest",
    ],
    "data-science": ["Statistics Essentials", "Pandas in Practice", "Machine Learning Basics", "SQL for Analysts"],
    "design": ["UI Design Principles", "Typography Basics", "Figma from Zero", "Colour Theory"],
    "business": ["Startup Finance", "Product Management 101", "Negotiation Skills", "Marketing Analytics"],
    "languages": ["Spanish A1", "French Conversation", "Japanese Kana in a Week"],
    "music": ["Guitar for Adults", "Music Theory Made Simple", "Home Recording"],
    "photography": ["Smartphone Photography", "Portrait Lighting", "Lightroom Workflow"],
    "personal-development": ["Time Management", "Public Speaking", "Learning How to Learn"],
}
LEVELS = ["beginner", "intermediate", "advanced", "all"]
PRICES = [Decimal("0.00"), Decimal("19.99"), Decimal("0.00"), Decimal("49.00"), Decimal("89.50")]


def seed(users: dict, stdout) -> None:
    categories = {}
    for name, slug in CATEGORIES:
        categories[slug] = Category.objects.filter(slug=slug).first() or services.category_create(
            actor=None, name=name, slug=slug
        )
    instructors = [u for u in users.values() if u.role == Role.INSTRUCTOR]
    students = [u for u in users.values() if u.role == Role.STUDENT]
    created = 0
    n = 0
    for slug, titles in TOPICS.items():
        for title in titles:
            instructor = instructors[n % len(instructors)]
            n += 1
            if Course.objects.filter(title=title, instructor=instructor).exists():
                continue
            course = services.course_create(
                instructor=instructor,
                title=title,
                subtitle=f"A practical introduction to {title.lower()}",
                description=f"{title}: short lessons, exercises and a final project. No prior experience needed.",
                category=categories[slug],
                level=LEVELS[n % len(LEVELS)],
                price=PRICES[n % len(PRICES)],
            )
            for s in range(1, 4):
                section = services.section_create(actor=None, course=course, title=f"Part {s}")
                for lesson_no in range(1, 4):
                    services.lesson_create(
                        actor=None,
                        section=section,
                        title=f"{title}: lesson {s}.{lesson_no}",
                        content=f"Everything about step {s}.{lesson_no} of {title}.",
                        video_url=f"https://videos.example.com/{course.slug}/{s}-{lesson_no}.mp4",
                        duration_seconds=300 + 60 * lesson_no,
                        is_preview=(s == 1 and lesson_no == 1),
                    )
            if n % 7 != 0:  # a few stay drafts
                services.course_publish(actor=None, course=course)
            created += 1
    free = Course.objects.filter(status=CourseStatus.PUBLISHED, price=0).order_by("id")
    for i, student in enumerate(students):
        for course in free[i : i + 3]:
            if not course.enrollments.filter(student=student).exists():
                services.enrollment_create(student=student, course=course)
                for lesson in Lesson.objects.filter(course=course).order_by("section__order", "order")[: 2 + i]:
                    services.lesson_complete(student=student, lesson=lesson)
    stdout.write(f"Demo catalog: {Course.objects.count()} courses ({created} new), {len(categories)} categories.")
    demo = [
        (title, instructors[i % len(instructors)].pk) for i, title in enumerate(t for ts in TOPICS.values() for t in ts)
    ]
    # Covers are files, and storage is not transactional: they are made once the catalog is committed,
    # so a dry run (rolled back) leaves no file behind.
    transaction.on_commit(partial(covers_add, demo, stdout))


def covers_add(demo: list[tuple[str, int]], stdout) -> int:
    """Gives each demo course (title, instructor id) without a cover one drawn by Pillow, through the
    upload services as an instructor's client would: ask, write the bytes, complete, attach. Returns
    how many were added."""
    added = 0
    courses = Course.objects.filter(cover=None, title__in=[t for t, _ in demo]).select_related("instructor")
    wanted = set(demo)
    with tempfile.TemporaryDirectory() as tmp:
        for course in courses:
            if (course.title, course.instructor_id) not in wanted:
                continue
            try:
                cover_add(course, tmp)
                added += 1
            except ApplicationError as exc:
                stdout.write(f"No cover for {course.title}: {exc.message}")
    if added:
        stdout.write(f"Demo covers: {added} added.")
    return added


def cover_add(course: Course, tmp: str) -> None:
    data = imaging.demo_cover(course.title, seed=zlib.crc32(course.title.encode()))
    path = os.path.join(tmp, f"{course.slug}.jpg")
    with open(path, "wb") as f:
        f.write(data)
    instructor = course.instructor
    upload = upload_create(
        actor=instructor,
        purpose=UploadPurpose.COURSE_COVER,
        filename=f"{course.slug}.jpg",
        content_type="image/jpeg",
        size=len(data),
    )
    storage.put_file(upload.incoming_key, path)
    upload_complete(actor=instructor, upload_id=upload.pk)
    services.course_update(actor=None, course=course, data={"cover": upload.pk})
