"""Filters shared by several apps."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BaseCSVWidget


class DateOrDateTimeField(forms.Field):
    """Accepts `2026-11-30` or a full ISO 8601 date-time; a date is kept as a date so that an
    end-of-range filter can include the whole day."""

    default_error_messages = {"invalid": _("Enter a date (YYYY-MM-DD) or an ISO 8601 date-time.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.UTC)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


class FromFilter(django_filters.Filter):
    """`field >= value`; a date means the start of that day (UTC)."""

    field_class = DateOrDateTimeField

    def filter(self, qs, value):
        if value is None:
            return qs
        if not isinstance(value, datetime.datetime):
            value = _start_of(value)
        return qs.filter(**{f"{self.field_name}__gte": value})


class ToFilter(django_filters.Filter):
    """`field <= value`; a date includes the whole of that day (UTC)."""

    field_class = DateOrDateTimeField

    def filter(self, qs, value):
        if value is None:
            return qs
        if isinstance(value, datetime.datetime):
            return qs.filter(**{f"{self.field_name}__lte": value})
        if value >= datetime.date.max:  # the end of time: no upper bound
            return qs
        return qs.filter(**{f"{self.field_name}__lt": _start_of(value + datetime.timedelta(days=1))})


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`, any letter case); absent or empty means "not filtered". Anything
    else is a 400, where django-filter's own boolean quietly ignores it (`?is_free=null` listed
    everything)."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Enter true or false.")}
    _VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self._VALUES[str(value).strip().lower()]
        except KeyError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class CSVOrRepeatedSelect(BaseCSVWidget, forms.Select):
    """A list parameter given either way: `?ordering=price,-title` (the schema's `explode: false`)
    or `?ordering=price&ordering=-title`, which openapi-fetch and orval send by default. Django's
    QueryDict.get() would keep only the last of the repeated ones, silently."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else []
        if len(values) > 1:
            return [part for value in values for part in value.split(",")]
        return super().value_from_datadict(data, files, name)


class StableOrderingFilter(django_filters.OrderingFilter):
    """`?ordering=` by the chosen fields (comma-separated or repeated), then by id, so pages never
    repeat or skip a row."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CSVOrRepeatedSelect)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, "-id")
