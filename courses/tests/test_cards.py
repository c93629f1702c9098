"""Course cards and enrollment items built from `.values()` rows (courses/api/cards.py) are
CourseSerializer's and EnrollmentSerializer's output, field for field and in the same order, for
every kind of course a card can show."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from accounts.tests.factories import InstructorFactory, StudentFactory
from courses import selectors
from courses.api.cards import CATALOG, ENROLLED, ENROLLMENT_VALUES, CourseCards, enrollment_items, taught_cards
from courses.api.serializers import CourseSerializer, EnrollmentSerializer, InstructorCourseSerializer
from courses.models import Course, CourseStatus, Enrollment, EnrollmentStatus, LessonCompletion
from courses.progress import progress_for
from courses.tests.factories import CourseFactory, LessonFactory, SectionFactory
from media.models import Upload, UploadPurpose, UploadStatus
from payments.models import Order

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


@pytest.mark.parametrize("language, zone", [("en", "UTC"), ("fr", "Europe/Paris")])
def test_catalog_cards_are_the_serializers_output(courses, language, zone):
    request = RequestFactory().get("/api/v1/courses/", HTTP_HOST="testserver")
    with translation.override(language), timezone.override(zone):
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


def test_enrollment_items_are_the_serializers_output(courses, student):
    first = courses[0]
    section = SectionFactory(course=first)
    lessons = [LessonFactory(section=section) for _ in range(3)]
    first.refresh_from_db()
    enrollments = [Enrollment.objects.create(student=student, course=course) for course in courses]
    LessonCompletion.objects.create(enrollment=enrollments[0], lesson=lessons[0])
    Enrollment.objects.filter(pk=enrollments[1].pk).update(completed_at=timezone.now())
    Enrollment.objects.filter(pk=enrollments[2].pk).update(status=EnrollmentStatus.REVOKED, revoked_at=timezone.now())

    request = RequestFactory().get("/api/v1/me/enrollments/")
    queryset = Enrollment.objects.filter(student=student).order_by("id")
    instances = list(queryset.select_related("course__category", "course__instructor", "course__cover"))
    expected = EnrollmentSerializer(
        instances, many=True, context={"request": request, "progress": progress_for(instances)}
    ).data
    items = enrollment_items(queryset.values(*ENROLLMENT_VALUES, *ENROLLED.names), request)
    assert items == [dict(item) for item in expected]
    assert [list(item) for item in items] == [list(item) for item in expected]
    assert items[0]["progress_percent"] == 33


def test_taught_cards_are_the_serializers_output(courses):
    teacher = courses[0].instructor
    buyer = StudentFactory()
    for course, price, paid in ((courses[0], "49.90", "paid"), (courses[1], "10.00", "refunded")):
        price = Decimal(price)
        Order.objects.create(student=buyer, course=course, list_price=price, amount=price, currency="USD", status=paid)
    request = RequestFactory().get("/api/v1/instructor/courses/")
    queryset = selectors.course_list_for_instructor(teacher).order_by("id")
    expected = InstructorCourseSerializer(queryset, many=True, context={"request": request}).data
    items = taught_cards(queryset.values(*CATALOG.names, "revenue"), request)
    assert items == [dict(item) for item in expected]
    assert [list(item) for item in items] == [list(item) for item in expected]
    assert [item["revenue"] for item in items] == ["49.90", "0.00"]


def test_later_pages_and_searches_fetch_ids_first_and_keep_the_order(
    anon_client, instructor, settings, django_assert_num_queries
):
    """A later page or a search takes the page's ids, then their rows: the same courses in the same
    order as the single query of a first page (the catalog cache off: every request runs its COUNT)."""
    settings.CATALOG_CACHE_SECONDS = 0
    for n in range(7):
        CourseFactory(
            instructor=instructor,
            title=f"Python {n}" if n % 2 else f"Cooking {n}",
            status=CourseStatus.PUBLISHED,
            published_at=timezone.now() - timedelta(hours=n),
            price=Decimal(n),
        )
    whole = anon_client.get("/api/v1/courses/?page_size=100&ordering=-price").json()["results"]
    pages = []
    for number in (1, 2, 3):
        with django_assert_num_queries(2 if number == 1 else 3):  # COUNT, then rows (page 1) or ids and rows
            response = anon_client.get(f"/api/v1/courses/?page_size=3&ordering=-price&page={number}")
        pages += response.json()["results"]
    assert pages == whole
    found = anon_client.get("/api/v1/courses/?search=python&page_size=2").json()
    assert found["count"] == 3 and [c["title"] for c in found["results"]] == ["Python 1", "Python 3"]
    again = anon_client.get("/api/v1/courses/?search=python&page_size=2&page=2").json()
    assert [c["title"] for c in again["results"]] == ["Python 5"]
