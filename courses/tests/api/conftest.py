"""Fixtures of the course API tests: a category, a published and a draft course of `instructor`,
a catalog to filter and sort, a course with enrolled students."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import Course
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)


@pytest.fixture
def category():
    return CategoryFactory(name="Programming", slug="programming")


@pytest.fixture
def published(instructor):
    """A published course of `instructor` with two sections of two lessons."""
    course = PublishedCourseFactory(instructor=instructor, lessons=0)
    for s in (1, 2):
        section = SectionFactory(course=course, order=s, title=f"S{s}")
        for n in (1, 2):
            LessonFactory(section=section, order=n, title=f"S{s}L{n}")
    course.refresh_from_db()
    return course


@pytest.fixture
def draft(instructor):
    course = CourseFactory(instructor=instructor)
    LessonFactory(section=SectionFactory(course=course, order=1), order=1)
    course.refresh_from_db()
    return course


@pytest.fixture
def catalog(instructor, other_instructor):
    """Four published courses that differ in every filterable way, plus a draft that matches all."""
    web = CategoryFactory(name="Web", slug="web")
    data = CategoryFactory(name="Data", slug="data")
    courses = {
        "free_web": PublishedCourseFactory(
            instructor=instructor,
            category=web,
            price=Decimal("0.00"),
            level="beginner",
            title="Django for beginners",
            subtitle="Build websites",
            description="Views and templates.",
        ),
        "cheap_web": PublishedCourseFactory(
            instructor=instructor,
            category=web,
            price=Decimal("9.99"),
            level="intermediate",
            title="REST APIs",
            subtitle="With serializers",
            description="Pagination and throttling.",
        ),
        "pricey_data": PublishedCourseFactory(
            instructor=other_instructor,
            category=data,
            price=Decimal("49.99"),
            level="advanced",
            title="Statistics",
            subtitle="Bayesian inference",
            description="Priors and posteriors.",
        ),
        "mid_data": PublishedCourseFactory(
            instructor=other_instructor,
            category=data,
            price=Decimal("19.00"),
            level="all",
            title="Pandas",
            subtitle="Dataframes",
            description="Wrangling spreadsheets quickly.",
        ),
    }
    CourseFactory(
        instructor=instructor,
        category=web,
        price=Decimal("9.99"),
        level="intermediate",
        title="Django REST spreadsheets Bayesian draft",
    )
    return courses


@pytest.fixture
def ordered_courses():
    """Three courses whose every sort key differs, in a known order."""
    now = timezone.now()
    rows = [
        # (price, created days ago, rating, enrollments)
        (Decimal("20.00"), 1, Decimal("3.50"), 5),
        (Decimal("5.00"), 3, Decimal("4.90"), 1),
        (Decimal("10.00"), 2, Decimal("1.20"), 50),
    ]
    courses = []
    for price, days, rating, enrolled in rows:
        course = PublishedCourseFactory(price=price)
        Course.objects.filter(pk=course.pk).update(
            created_at=now - timedelta(days=days), average_rating=rating, enrollment_count=enrolled
        )
        courses.append(course.pk)
    return courses


@pytest.fixture
def course(instructor, student):
    """A published course of `instructor`, `student` enrolled, one preview and one locked lesson."""
    course = PublishedCourseFactory(instructor=instructor, lessons=0, price=Decimal("19.99"))
    section = SectionFactory(course=course, title="Start here", order=1)
    LessonFactory(
        section=section,
        title="Welcome",
        is_preview=True,
        order=1,
        content="Preview text",
        video_url="https://videos.example.com/preview.mp4",
    )
    LessonFactory(
        section=section,
        title="Deep dive",
        is_preview=False,
        order=2,
        content="Secret text",
        video_url="https://videos.example.com/secret.mp4",
    )
    EnrollmentFactory(student=student, course=course, source="paid")
    course.refresh_from_db()
    return course
