"""The catalog's course card (CourseSerializer's representation) built from `.values()` rows.

The catalog, an instructor's courses and a student's enrollments list up to 100 cards a page.
Building them through model instances (a Course, its category, instructor and cover per row) and
DRF's field machinery cost most of an uncached page (bench/README.md, "Round two"); a row of plain
values turned into a dict by one function costs a fraction. CourseSerializer stays the contract:
the schema is generated from it and `courses/tests/test_cards.py` holds the two to the same output
for every kind of course (cover or not, variants made or not, no category, erased instructor, ...).
"""

from functools import cache

from django.conf import settings
from django.utils import timezone
from rest_framework.settings import api_settings

from accounts.models import display_name
from courses.progress import EnrollmentRef, progress_for

from .serializers import CourseSerializer, InstructorCourseSerializer, cover_fields

# The columns a card reads, in the order card() unpacks them.
CARD_VALUES = (
    "id",
    "slug",
    "title",
    "subtitle",
    "description",
    "category_id",
    "category__name",
    "category__slug",
    "level",
    "language",
    "price",
    "currency",
    "status",
    "instructor_id",
    "instructor__first_name",
    "instructor__last_name",
    "instructor__email",
    "instructor__erased_at",
    "cover_id",
    "cover__key",
    "cover__width",
    "cover__height",
    "cover__variants",
    "cover__derived_at",
    "thumbnail_url",
    "lesson_count",
    "average_rating",
    "rating_count",
    "rating_distribution",
    "enrollment_count",
    "published_at",
    "created_at",
    "updated_at",
)


@cache
def _fields():
    """CourseSerializer's own fields for the values whose formatting is DRF's (decimals, dates), so
    a card formats them exactly as the serializer does (COERCE_DECIMAL_TO_STRING, DATETIME_FORMAT,
    the current time zone)."""
    return CourseSerializer().fields


def datetime_formatter():
    """A function that writes a datetime as DRF's DateTimeField does (ISO 8601 in the current time
    zone, "Z" for UTC), with the zone looked up once for a page rather than once per value (the
    lookup was a fifth of building a catalog page's cards)."""
    field = _fields()["created_at"]
    if api_settings.DATETIME_FORMAT.lower() != "iso-8601" or not settings.USE_TZ:
        return field.to_representation
    zone = timezone.get_current_timezone()

    def when(value):
        if not value:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return when


class CourseCards:
    """Cards from rows of a queryset's `.values(*cards.names)`; `prefix` is the path from the
    queried model to the course ("course__" for enrollments)."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.names = tuple(prefix + name for name in CARD_VALUES)

    def card(self, row: dict, request, when=None) -> dict:
        """One card; `when` is a datetime_formatter() shared by the page's cards."""
        (
            pk,
            slug,
            title,
            subtitle,
            description,
            category_id,
            category_name,
            category_slug,
            level,
            language,
            price,
            currency,
            status,
            instructor_id,
            first_name,
            last_name,
            email,
            erased_at,
            cover_id,
            cover_key,
            cover_width,
            cover_height,
            cover_variants,
            cover_derived_at,
            thumbnail_url,
            lesson_count,
            average_rating,
            rating_count,
            rating_distribution,
            enrollment_count,
            published_at,
            created_at,
            updated_at,
        ) = map(row.__getitem__, self.names)
        fields = _fields()
        when = when or datetime_formatter()
        cover = None
        if cover_id is not None:
            cover = cover_fields(request, cover_key, cover_width, cover_height, cover_variants, cover_derived_at)
            card = cover["variants"]["card"]
            thumbnail_url = card["url"] if card else cover["url"]
        return {
            "id": pk,
            "slug": slug,
            "title": title,
            "subtitle": subtitle,
            "description": description,
            "category": (
                None if category_id is None else {"id": category_id, "name": category_name, "slug": category_slug}
            ),
            "level": level,
            "language": language,
            "price": fields["price"].to_representation(price),
            "currency": currency,
            "is_free": price == 0,
            "status": status,
            "instructor": {
                "id": instructor_id,
                "first_name": first_name,
                "last_name": last_name,
                "full_name": display_name(first_name, last_name, email, erased_at),
            },
            "cover": cover,
            "thumbnail_url": thumbnail_url,
            "lesson_count": lesson_count,
            "average_rating": float(average_rating),
            "rating_count": rating_count,
            "rating_distribution": {str(stars): int(n) for stars, n in rating_distribution.items()},
            "enrollment_count": enrollment_count,
            "published_at": when(published_at),
            "created_at": when(created_at),
            "updated_at": when(updated_at),
        }

    def cards(self, rows, request) -> list[dict]:
        when = datetime_formatter()
        return [self.card(row, request, when) for row in rows]


CATALOG = CourseCards()


def taught_cards(rows, request) -> list[dict]:
    """InstructorCourseSerializer's representation of rows of `.values(*CATALOG.names, "revenue")`."""
    money, when = _revenue_field().to_representation, datetime_formatter()
    return [{**CATALOG.card(row, request, when), "revenue": money(row["revenue"])} for row in rows]


@cache
def _revenue_field():
    return InstructorCourseSerializer().fields["revenue"]

ENROLLED = CourseCards("course__")

# An enrollment's own columns for enrollment_items(), then ENROLLED's.
ENROLLMENT_VALUES = ("id", "student_id", "course_id", "status", "source", "enrolled_at", "completed_at")


def enrollment_item(row: dict, progress: dict, request, when) -> dict:
    """EnrollmentSerializer's representation of one row of `.values(*ENROLLMENT_VALUES,
    *ENROLLED.names)`; `progress` is progress_for's answer for the page, `when` a datetime_formatter()."""
    done = progress.get(row["id"])
    return {
        "id": row["id"],
        "course": ENROLLED.card(row, request, when),
        "status": row["status"],
        "source": row["source"],
        "progress_percent": done.percent if done else 0,
        "enrolled_at": when(row["enrolled_at"]),
        "completed_at": when(row["completed_at"]),
    }


def enrollment_items(rows, request) -> list[dict]:
    """enrollment_item() of each row, with each enrollment's progress (progress_for, its usual queries)."""
    rows = list(rows)
    progress = progress_for([EnrollmentRef.from_row(row) for row in rows])
    when = datetime_formatter()
    return [enrollment_item(row, progress, request, when) for row in rows]
