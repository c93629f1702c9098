"""The course's rating figures, which reviews.services.course_rating_refresh recomputes after every
review change, and after every revocation or restoration of a reviewer's enrollment (from this
definition). See lms/counters.py."""

from decimal import Decimal

from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import JSONObject, Round
from django.db.models.lookups import GreaterThan

from courses.counters import courses_changed
from courses.models import Course
from lms.counters import Counter, Figure, JSONCanonical, register

from .models import author_enrolled

STARS = range(1, 6)

# Only the reviews that count: their author's enrollment is active, or they counted when their author was
# erased (reviews.models.author_enrolled).
_counted = author_enrolled(student="reviews__student_id", course="pk", review="reviews__")
_count = Count("reviews", filter=_counted)
# The mean rounded half up to whole cents, in integers so both databases round alike:
# floor((200 * total + count) / (2 * count)) = floor(100 * total / count + 1/2).
_average_cents = Case(
    When(
        GreaterThan(_count, 0),
        then=ExpressionWrapper(
            (Value(200) * Sum("reviews__rating", filter=_counted) + _count) / (Value(2) * _count),
            output_field=IntegerField(),
        ),
    ),
    default=Value(0),
    output_field=IntegerField(),
)


def _cents_to_rating(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


COURSE_RATING = register(
    Counter(
        name="reviews.course_rating",
        model=Course,
        figures={
            "rating_count": Figure(_count),
            "average_rating": Figure(
                _average_cents, stored=Round(F("average_rating") * 100), to_stored=_cents_to_rating
            ),
            "rating_distribution": Figure(
                JSONObject(
                    **{str(stars): Count("reviews", filter=_counted & Q(reviews__rating=stars)) for stars in STARS}
                ),
                stored=JSONCanonical(F("rating_distribution")),
            ),
        },
        definition=(
            "Course.rating_count, average_rating and rating_distribution: the course's reviews whose author's "
            "enrollment in it is active (a refunded or revoked student's review stops counting; reviews are not "
            "otherwise moderated), the mean rating rounded half up to 2 places, and the count per star."
        ),
        repaired=courses_changed,
    )
)
