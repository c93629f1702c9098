from rest_framework import serializers

from lms.api.serializers import InputSerializer

from ..models import Cohort


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
