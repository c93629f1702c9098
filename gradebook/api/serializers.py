from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.api.serializers import PublicUserSerializer
from lms.api.serializers import InputSerializer

from ..selectors import CATEGORIES
from ..services import LETTER_MAX_LENGTH, letter_scale_problem


def _number(**kwargs):
    """A score or percent (computed to two decimals) as a JSON number, as the contract has it."""
    return serializers.FloatField(**kwargs)


class WeightsSerializer(serializers.Serializer):
    quizzes = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent of the grade.")
    assignments = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent of the grade.")

    def validate(self, attrs):
        if attrs["quizzes"] + attrs["assignments"] != 100:
            raise serializers.ValidationError(_("The weights must add up to 100."), code="weights_sum")
        return attrs


class LetterStepSerializer(serializers.Serializer):
    letter = serializers.CharField(max_length=LETTER_MAX_LENGTH, help_text="e.g. `A`, `B+`, `Distinction`.")
    min_percent = serializers.IntegerField(min_value=0, max_value=100, help_text="The lowest percent earning it.")


class GradingSerializer(serializers.Serializer):
    """A course's grading scheme (the defaults until someone changes it)."""

    weights = WeightsSerializer()
    pass_percent = serializers.IntegerField()
    letter_scale = LetterStepSerializer(many=True, help_text="Highest first; the last starts at 0.")


class GradingInputSerializer(InputSerializer):
    weights = WeightsSerializer(required=False)
    pass_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    letter_scale = LetterStepSerializer(many=True, required=False, min_length=1, max_length=20)

    def validate_letter_scale(self, steps):
        problem = letter_scale_problem(steps)
        if problem:
            raise serializers.ValidationError(problem[0], code=problem[1])
        return [{"letter": step["letter"].strip(), "min_percent": step["min_percent"]} for step in steps]


class ItemSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="`quiz-<id>` or `assignment-<id>`: the key of `scores`.")
    kind = serializers.ChoiceField(choices=["quiz", "assignment"])
    object_id = serializers.IntegerField(help_text="The quiz's or the assignment's id.")
    title = serializers.CharField()
    points = _number()


class CategoriesSerializer(serializers.Serializer):
    quizzes = _number(allow_null=True)
    assignments = _number(allow_null=True)


class RowSerializer(serializers.Serializer):
    student = PublicUserSerializer()
    scores = serializers.DictField(
        child=_number(allow_null=True), help_text="Points per item id; null: not attempted or not graded yet."
    )
    categories = CategoriesSerializer(help_text="Percent per category over its scored items; null: none scored.")
    percent = _number(allow_null=True, help_text="The weighted total over the scored categories.")
    letter = serializers.CharField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True, help_text="`percent` reaches the course's `pass_percent`.")


class GradebookSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Students (active enrollments).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    items = ItemSerializer(many=True)
    rows = RowSerializer(many=True)


class MyItemSerializer(ItemSerializer):
    score = _number(allow_null=True, help_text="Your points; null: not attempted, not graded, or withheld.")
    score_hidden = serializers.BooleanField(
        help_text="The quiz shows students pass or fail only: its score, and the totals, are withheld."
    )


class MyGradesSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    items = MyItemSerializer(many=True)
    categories = CategoriesSerializer()
    percent = _number(allow_null=True)
    letter = serializers.CharField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    pass_percent = serializers.IntegerField()


def item_data(item) -> dict:
    return {"id": item.id, "kind": item.kind, "object_id": item.object_id, "title": item.title, "points": item.points}


def row_data(row) -> dict:
    return {
        "student": row.student,
        "scores": row.scores,
        "categories": {category: row.categories.get(category) for category in CATEGORIES.values()},
        "percent": row.percent,
        "letter": row.letter,
        "passed": row.passed,
    }
