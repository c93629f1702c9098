from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from lms.api.serializers import InputSerializer

from ..calendar import MAX_RANGE_DAYS, TYPES
from ..models import Cohort, LiveSession


class CohortInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After `starts_at`.")
    enrollment_opens_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Null: open now (until it closes)."
    )
    enrollment_closes_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Null: open until the cohort ends. After `enrollment_opens_at`."
    )
    capacity = serializers.IntegerField(
        min_value=1, max_value=100000, required=False, allow_null=True, help_text="Seats; null: unlimited."
    )


class CohortSerializer(serializers.ModelSerializer):
    seats_taken = serializers.IntegerField(
        help_text="Enrolled students, seats offered to the waitlist and seats held by checkouts in progress."
    )
    waitlist_count = serializers.IntegerField(help_text="Students waiting for a seat.")

    class Meta:
        model = Cohort
        fields = [
            "id",
            "course",
            "name",
            "starts_at",
            "ends_at",
            "enrollment_opens_at",
            "enrollment_closes_at",
            "capacity",
            "seats_taken",
            "waitlist_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "string", "format": "uri", "pattern": "^https://", "maxLength": 500})
class HttpsURLField(serializers.URLField):
    """A link that must be https (the schema says so, for generated clients and tests)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value.lower().startswith("https://"):
            raise serializers.ValidationError(_("Enter an https link to the meeting."))
        return value


class LiveSessionInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField(help_text="Any time: a past one records a session already held.")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=1440)
    join_url = HttpsURLField(max_length=500, help_text="An https link to the meeting (any provider).")
    cohort = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="One of the course's cohorts: only its seated students see the session. Null: every enrolled "
        "student.",
    )


class LiveSessionSerializer(serializers.ModelSerializer):
    ends_at = serializers.SerializerMethodField(help_text="`starts_at` plus `duration_minutes`.")

    class Meta:
        model = LiveSession
        fields = [
            "id",
            "course",
            "cohort",
            "title",
            "starts_at",
            "duration_minutes",
            "ends_at",
            "join_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_ends_at(self, session: LiveSession) -> datetime:
        return session.starts_at + timedelta(minutes=session.duration_minutes)


class AttendanceInputSerializer(InputSerializer):
    present = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000,
        help_text="Student ids to mark present.",
    )  # fmt: skip
    absent = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000,
        help_text="Student ids to mark absent (their mark is removed).",
    )  # fmt: skip


class AttendanceSerializer(serializers.Serializer):
    student = PublicUserSerializer(source="*")
    present = serializers.BooleanField()
    marked_at = serializers.DateTimeField(allow_null=True, help_text="When they were marked present; null if absent.")


# --- calendar ------------------------------------------------------------------------------------
class CalendarQuerySerializer(InputSerializer):
    """`/me/calendar/`'s range: `from` and `to` (ISO 8601 times or dates; a date is its midnight
    UTC). Defaults: from the start of today (UTC), to 31 days later; at most 366 days."""

    def validate(self, attrs):
        for name in ("from", "to"):
            if attrs.get(name) and attrs[name].year > LAST_YEAR:
                message = _("Use a time before the year {year}.").format(year=LAST_YEAR + 1)
                raise serializers.ValidationError({name: [message]})
        start = attrs.get("from") or timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        end = attrs.get("to") or start + timedelta(days=31)
        if end < start:
            raise serializers.ValidationError({"to": [_("`to` comes before `from`.")]})
        if end - start > timedelta(days=MAX_RANGE_DAYS):
            message = ngettext(
                "The range is at most {days} day.", "The range is at most {days} days.", MAX_RANGE_DAYS
            ).format(days=MAX_RANGE_DAYS)
            raise serializers.ValidationError({"to": [message]})
        return {"from": start, "to": end}


CalendarQuerySerializer._declared_fields["from"] = serializers.DateTimeField(
    required=False, help_text="Default: the start of today (UTC)."
)
CalendarQuerySerializer._declared_fields["to"] = serializers.DateTimeField(
    required=False, help_text="Default: 31 days after `from`."
)
LAST_YEAR = 9997  # a range ends at most 366 days later, within what datetimes hold


class CalendarCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


class CalendarEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TYPES)
    id = serializers.IntegerField(help_text="The lesson's, quiz's, assignment's, live session's or cohort's id.")
    course = CalendarCourseSerializer()
    title = serializers.CharField()
    at = serializers.DateTimeField(help_text="When it opens, is due, starts.")
    ends_at = serializers.DateTimeField(allow_null=True, help_text="A live session's end; null for the others.")
    url = serializers.URLField(help_text="A live session's join link; the API address of the others.")


class CalendarFeedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: only its hash is kept. Issuing a new one voids it.")
    url = serializers.URLField(help_text="The feed's address, to subscribe to from a calendar app.")
