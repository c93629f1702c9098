import django_filters

from courses.models import Course, Level
from courses.selectors import course_search
from lms.api.filters import BooleanFilter as StrictBooleanFilter
from lms.api.filters import StableOrderingFilter

ORDERING_FIELDS = ("price", "created_at", "published_at", "average_rating", "enrollment_count", "title")


class CourseFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug", help_text="Category slug.")
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    level = django_filters.ChoiceFilter(choices=Level.choices)
    is_free = StrictBooleanFilter(method="filter_is_free")
    instructor = django_filters.NumberFilter(
        field_name="instructor_id", min_value=1, max_value=2**63 - 1, help_text="Instructor user id."
    )
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, help_text="Title, subtitle, description."
    )
    ordering = StableOrderingFilter(fields=ORDERING_FIELDS)

    class Meta:
        model = Course
        fields = ["category", "min_price", "max_price", "level", "is_free", "instructor", "search"]

    def filter_is_free(self, queryset, name, value):
        return queryset.filter(price=0) if value else queryset.filter(price__gt=0)

    def filter_search(self, queryset, name, value):
        return course_search(queryset, value)

    @property
    def qs(self):
        queryset = super().qs
        if self.form.cleaned_data.get("ordering"):
            return queryset
        if self.form.cleaned_data.get("search") and "search_rank" in queryset.query.annotations:
            return queryset.order_by("-search_rank", "-published_at", "-id")
        return self.default_order(queryset)

    @staticmethod
    def default_order(queryset):
        """The catalog's order when the request names none: newest published first."""
        return queryset.order_by("-published_at", "-id")

    @classmethod
    def names_none_of(cls, query_params) -> bool:
        """True when the query string holds none of the filter's parameters (the catalog's front
        page): the FilterSet would only apply default_order."""
        return cls.base_filters.keys().isdisjoint(query_params)
