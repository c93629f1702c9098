from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from lms.api.serializers import InputSerializer, WholeInputSerializer
from reviews.models import InstructorReply, Review


class ReviewInputSerializer(InputSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class InstructorReplyInputSerializer(WholeInputSerializer):
    body = serializers.CharField(max_length=5000)


class InstructorReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = InstructorReply
        fields = ["body", "created_at", "updated_at"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    student = PublicUserSerializer()
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "course", "student", "rating", "comment", "reply", "created_at", "updated_at"]
        read_only_fields = fields

    def get_reply(self, review) -> InstructorReplySerializer(allow_null=True):  # type: ignore[valid-type]
        try:
            return InstructorReplySerializer(review.reply).data
        except InstructorReply.DoesNotExist:
            return None


class InstructorReviewSerializer(ReviewSerializer):
    course_title = serializers.CharField(source="course.title")

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "course_title"]
        read_only_fields = fields
