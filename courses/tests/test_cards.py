"""Course cards built from `.values()` rows (courses/api/cards.py) are CourseSerializer's output,
field for field, for every kind of course a card can show."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from accounts.tests.factories import InstructorFactory
from courses.api.cards import CATALOG, CourseCards
from courses.api.serializers import CourseSerializer
from courses.models import Course, CourseStatus, Enrollment
from courses.tests.factories import CourseFactory
from media.models import Upload, UploadPurpose, UploadStatus

pytestmark = pytest.mark.django_db


def _cover(owner, *, derived: bool, variants: dict | None = None) -> Upload:
    return Upload.objects.create(
        owner=owner,
        purpose=UploadPurpose.COURSE_COVER,
        status=UploadStatus.READY,
        filename="cover.jpg",
        content_type="image/jpeg",
        size=1000,
        key=f"public/covers/{owner.pk}-{derived}.jpg",
        width=1280,
        height=720,
        variants=variants or {},
        derived_at=timezone.now() if derived else None,
        expires_at=timezone.now() + timedelta(days=1),
    )


@pytest.fixture
def courses():
    teacher = InstructorFactory(first_name="Ada", last_name="Lovelace")
    nameless = InstructorFactory(first_name="", last_name="")
    erased = InstructorFactory(first_name="Gone", last_name="Person")
    made = {
        "card": {"jpeg": "public/covers/c.jpg", "webp": "public/covers/c.webp", "width": 640, "height": 360},
        "thumb": {"jpeg": "public/covers/t.jpg", "webp": "public/covers/t.webp", "width": 160, "height": 90},
    }
    CourseFactory(
        instructor=teacher,
        status=CourseStatus.PUBLISHED,
        published_at=timezone.now(),
        price=Decimal("49.90"),
        average_rating=Decimal("4.25"),
        rating_count=4,
        rating_distribution={"1": 0, "2": 0, "3": 1, "4": 1, "5": 2},
        cover=_cover(teacher, derived=True, variants=made),
        thumbnail_url="https://img.example.com/ignored.png",
    )
    CourseFactory(instructor=teacher, category=None, cover=_cover(teacher, derived=False), published_at=None)
    CourseFactory(instructor=nameless, thumbnail_url="https://img.example.com/own.png", description="")
    CourseFactory(instructor=erased, price=Decimal("0"), currency="EUR", level="advanced", language="fr")
    erased.erased_at = timezone.now()
    erased.save()
    return Course.objects.select_related("category", "instructor", "cover").order_by("id")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_catalog_cards_are_the_serializers_output(courses, language):
    request = RequestFactory().get("/api/v1/courses/", HTTP_HOST="testserver")
    with translation.override(language):
        expected = CourseSerializer(courses, many=True, context={"request": request}).data
        rows = courses.values(*CATALOG.names)
        assert CATALOG.cards(rows, request) == [dict(card) for card in expected]
        # Key order too: the JSON body (and so its ETag) is byte for byte what the serializer's was.
        assert [list(card) for card in CATALOG.cards(rows, request)] == [list(card) for card in expected]


def test_cards_through_a_relation(courses, student):
    for course in courses:
        Enrollment.objects.create(student=student, course=course)
    request = RequestFactory().get("/api/v1/me/enrollments/")
    cards = CourseCards("course__")
    rows = Enrollment.objects.filter(student=student).order_by("course_id").values(*cards.names)
    expected = CourseSerializer(courses, many=True, context={"request": request}).data
    assert cards.cards(rows, request) == [dict(card) for card in expected]


def test_catalog_endpoint_serves_the_cards(courses, anon_client):
    Course.objects.update(status=CourseStatus.PUBLISHED, published_at=timezone.now())
    response = anon_client.get("/api/v1/courses/?ordering=title")
    assert response.status_code == 200
    request = RequestFactory().get("/api/v1/courses/", HTTP_HOST="testserver")
    expected = CourseSerializer(courses.order_by("title"), many=True, context={"request": request}).data
    assert response.json()["results"] == [dict(card) for card in expected]
