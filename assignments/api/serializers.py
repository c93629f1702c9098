from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from courses.api.serializers import (
    DUE_ITEM_STATE_FIELDS,
    DueInputSerializer,
    DueItemStateSerializer,
    LessonAttachmentSerializer,
    ReleaseRulesInputSerializer,
    attachment_data,
)
from lms.api.serializers import InputSerializer
from media import storage
from media.api.serializers import absolute

from ..models import ArchiveStatus, Assignment, SubmissionStatus, SubmissionType


class LatePolicySerializer(serializers.Serializer):
    accept_late = serializers.BooleanField(default=True, help_text="Accept work after `due_at`.")
    penalty_percent_per_day = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        default=0,
        help_text="Taken off the score for each day (or part of one) late.",
    )
    cutoff_at = serializers.DateTimeField(
        allow_null=True, default=None, help_text="Nothing is accepted after this (409 `cutoff_passed`)."
    )


class CriterionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    points = serializers.IntegerField(min_value=1, max_value=10000)


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    points = serializers.IntegerField()


class AssignmentInputSerializer(ReleaseRulesInputSerializer, DueInputSerializer, InputSerializer):
    title = serializers.CharField(max_length=200)
    instructions = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    points = serializers.IntegerField(min_value=1, max_value=10000, required=False)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    submission_types = serializers.ListField(
        child=serializers.ChoiceField(choices=SubmissionType.choices), min_length=1, max_length=3, required=False
    )
    allowed_file_types = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=30, required=False,
        help_text="MIME types a file may be; empty: any type submissions take.",
    )  # fmt: skip
    max_files = serializers.IntegerField(min_value=1, max_value=20, required=False)
    max_attempts = serializers.IntegerField(
        min_value=1, max_value=100, required=False, allow_null=True,
        help_text="Null: resubmit freely until one is graded.",
    )  # fmt: skip
    is_required = serializers.BooleanField(required=False)
    pass_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    late_policy = LatePolicySerializer(required=False)
    rubric = CriterionInputSerializer(many=True, required=False, max_length=50)
    order = serializers.IntegerField(min_value=0, max_value=100000, required=False)

    def to_service(self) -> dict:
        """The validated data as the services take it (the late policy's fields flattened)."""
        data = dict(self.validated_data)
        policy = data.pop("late_policy", None)
        if policy is not None:
            data.update(policy)
        if "rubric" in data:
            data["rubric"] = [dict(c) for c in data["rubric"]]
        return data


class AssignmentSerializer(DueItemStateSerializer, serializers.ModelSerializer):
    late_policy = serializers.SerializerMethodField()
    rubric = serializers.SerializerMethodField()
    submission_types = serializers.ListField(child=serializers.ChoiceField(choices=SubmissionType.choices))
    allowed_file_types = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Assignment
        fields = [
            "id",
            "course",
            "section",
            "title",
            "instructions",
            "points",
            "submission_types",
            "allowed_file_types",
            "max_files",
            "max_attempts",
            "is_required",
            "pass_percent",
            "late_policy",
            "rubric",
            "order",
            "created_at",
            "updated_at",
            *DUE_ITEM_STATE_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(LatePolicySerializer)
    def get_late_policy(self, assignment) -> dict:
        return LatePolicySerializer(assignment).data  # its fields are the assignment's own

    @extend_schema_field(CriterionSerializer(many=True))
    def get_rubric(self, assignment) -> list:
        return CriterionSerializer(assignment.criteria.all(), many=True).data


class SubmissionInputSerializer(InputSerializer):
    text = serializers.CharField(max_length=100000, required=False, allow_blank=True, default="")
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.UUIDField(), max_length=20, required=False, default=list,
        help_text="Ready `submission_file` uploads of yours.",
    )  # fmt: skip


class SubmissionQuerySerializer(InputSerializer):
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, required=False, allow_blank=True)


class RubricScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1)
    points = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)


class GradeInputSerializer(InputSerializer):
    score = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, help_text="Or `rubric_scores`."
    )
    rubric_scores = RubricScoreSerializer(many=True, required=False, max_length=50)
    feedback = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")

    def validate(self, data):
        if ("score" in data) == ("rubric_scores" in data):
            raise serializers.ValidationError({"score": [_("Give either a score or rubric scores.")]})
        return data


class GradedRubricScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    title = serializers.CharField()
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    max_points = serializers.IntegerField()


class GradeSerializer(serializers.Serializer):
    score = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="Given by the grader, before any penalty."
    )
    late_penalty = serializers.DecimalField(max_digits=8, decimal_places=2)
    points = serializers.DecimalField(max_digits=8, decimal_places=2, help_text="After the late penalty.")
    percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    rubric_scores = GradedRubricScoreSerializer(many=True)
    feedback = serializers.CharField()
    graded_by = PublicUserSerializer(allow_null=True)
    graded_at = serializers.DateTimeField()


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    student = PublicUserSerializer()
    attempt = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SubmissionStatus.choices)
    submitted_at = serializers.DateTimeField()
    is_late = serializers.BooleanField()
    days_late = serializers.IntegerField()
    text = serializers.CharField()
    url = serializers.CharField()
    files = serializers.SerializerMethodField(help_text="Signed, expiring links.")
    grade = GradeSerializer(allow_null=True, help_text="The current grade; null until graded.")

    @extend_schema_field(LessonAttachmentSerializer(many=True))
    def get_files(self, submission) -> list:
        request = self.context.get("request")
        return [attachment_data(f.upload, request) for f in submission.submission_files.all()]


class SubmissionArchiveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=ArchiveStatus.choices, help_text="`pending` while it is built; `ready` to download; `failed`."
    )
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True, help_text="When it became ready or failed.")
    submission_count = serializers.IntegerField(help_text="Attempts in the zip (every attempt of every student).")
    size = serializers.IntegerField(help_text="Bytes of the zip; 0 until ready.")
    url = serializers.SerializerMethodField(help_text="The zip, once ready: a signed link that expires; else null.")
    error = serializers.CharField(help_text="Why it failed; empty otherwise.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_url(self, archive) -> str | None:
        if archive.status != ArchiveStatus.READY or not archive.key:
            return None
        url = storage.private_url(archive.key, filename=archive.key.rsplit("/", 1)[-1])
        return absolute(self.context.get("request"), url)
