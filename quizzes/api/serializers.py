from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.api.serializers import (
    DUE_ITEM_STATE_FIELDS,
    DueInputSerializer,
    DueItemStateSerializer,
    ReleaseRulesInputSerializer,
)
from courses.models import Section
from lms.api.serializers import InputSerializer
from quizzes.grading import ERASED, correct_answer, grade_question
from quizzes.models import (
    DUE_AT_HELP,
    MAX_ATTEMPTS_HELP,
    REVIEW_POLICY_HELP,
    SCORING_POLICY_HELP,
    Attempt,
    Question,
    QuestionType,
    Quiz,
    ReviewPolicy,
    ScoringPolicy,
)
from quizzes.selectors import AttemptVisibility, student_sees_score


# --- input ---------------------------------------------------------------------------------------
class QuizInputSerializer(ReleaseRulesInputSerializer, DueInputSerializer, InputSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    section = serializers.PrimaryKeyRelatedField(queryset=Section.objects.all(), required=False, allow_null=True)
    passing_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    time_limit_seconds = serializers.IntegerField(
        min_value=10, max_value=7 * 24 * 3600, required=False, allow_null=True
    )
    max_attempts = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, allow_null=True, help_text=MAX_ATTEMPTS_HELP
    )
    due_at = serializers.DateTimeField(required=False, allow_null=True, help_text=DUE_AT_HELP)
    shuffle_questions = serializers.BooleanField(required=False)
    show_correct_answers = serializers.ChoiceField(
        choices=ReviewPolicy.choices,
        required=False,
        help_text=format_lazy(_("Default: after_last_attempt. {policy_help}"), policy_help=REVIEW_POLICY_HELP),
    )
    is_required = serializers.BooleanField(required=False)
    scoring_policy = serializers.ChoiceField(
        choices=ScoringPolicy.choices,
        required=False,
        help_text=format_lazy(
            _("{policy_help} best (the default): the highest percent; last: the most recently submitted."),
            policy_help=SCORING_POLICY_HELP,
        ),
        error_messages={"invalid_choice": _('"{input}" is not a scoring policy: use best or last.')},
    )
    order = serializers.IntegerField(min_value=1, max_value=100000, required=False)


class ChoiceInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000)
    is_correct = serializers.BooleanField(default=False)


class QuestionPatchInputSerializer(InputSerializer):
    """A PATCH of a question: any of its fields. The question as merged (its type may change with
    it) is checked per type by the service, with a 400 naming the field at fault."""

    type = serializers.ChoiceField(choices=QuestionType.choices)
    text = serializers.CharField(max_length=10000)
    points = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    explanation = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    order = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    choices = ChoiceInputSerializer(many=True, required=False, max_length=20)
    accepted_answers = serializers.ListField(
        child=serializers.CharField(max_length=1000), required=False, max_length=50
    )
    numeric_answer = serializers.DecimalField(max_digits=20, decimal_places=6, required=False, allow_null=True)
    tolerance = serializers.DecimalField(max_digits=20, decimal_places=6, min_value=Decimal(0), required=False)

    class Meta:
        ref_name = "QuestionInput"  # documented as PatchedQuestionInput (a PATCH body)


class _QuestionBaseInputSerializer(InputSerializer):
    """What every question has. A subclass per type adds its `type` and its answer fields."""

    text = serializers.CharField(max_length=10000)
    points = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    explanation = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    order = serializers.IntegerField(min_value=1, max_value=100000, required=False)


def _type_field(question_type: QuestionType) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[(question_type.value, question_type.label)])


def _choices_field(*, min_length: int, max_length: int, help_text: str) -> serializers.ListField:
    # A ListField (not many=True) so that the schema carries minItems and maxItems.
    return serializers.ListField(
        child=ChoiceInputSerializer(), min_length=min_length, max_length=max_length, help_text=help_text
    )


class SingleChoiceQuestionInputSerializer(_QuestionBaseInputSerializer):
    """A single-choice question: two choices or more, exactly one of them correct."""

    type = _type_field(QuestionType.SINGLE_CHOICE)
    choices = _choices_field(min_length=2, max_length=20, help_text="Exactly one is correct.")


class MultipleChoiceQuestionInputSerializer(_QuestionBaseInputSerializer):
    """A multiple-choice question: two choices or more, at least one of them correct (graded all or nothing)."""

    type = _type_field(QuestionType.MULTIPLE_CHOICE)
    choices = _choices_field(min_length=2, max_length=20, help_text="At least one is correct.")


class TrueFalseQuestionInputSerializer(_QuestionBaseInputSerializer):
    """A true-or-false question: exactly two choices, exactly one of them correct."""

    type = _type_field(QuestionType.TRUE_FALSE)
    choices = _choices_field(min_length=2, max_length=2, help_text="Exactly one is correct.")


class ShortAnswerQuestionInputSerializer(_QuestionBaseInputSerializer):
    """A short-answer question: the student types text, matched against the accepted answers."""

    type = _type_field(QuestionType.SHORT_ANSWER)
    accepted_answers = serializers.ListField(
        child=serializers.CharField(max_length=1000),
        min_length=1,
        max_length=50,
        help_text="Compared without case, accents or extra spaces; at least one not blank.",
    )


class NumericQuestionInputSerializer(_QuestionBaseInputSerializer):
    """A numeric question: right when within `tolerance` of `numeric_answer`."""

    type = _type_field(QuestionType.NUMERIC)
    numeric_answer = serializers.DecimalField(max_digits=20, decimal_places=6)
    tolerance = serializers.DecimalField(
        max_digits=20, decimal_places=6, min_value=Decimal(0), required=False, help_text="Default: 0 (exact)."
    )


# The body of a new or replaced (PUT) question, by its `type`. The schema is a oneOf of these with a
# discriminator on `type` (quizzes/api/schema.py), and QuestionInputSerializer validates exactly that.
QUESTION_INPUTS: dict[str, type[InputSerializer]] = {
    QuestionType.SINGLE_CHOICE: SingleChoiceQuestionInputSerializer,
    QuestionType.MULTIPLE_CHOICE: MultipleChoiceQuestionInputSerializer,
    QuestionType.TRUE_FALSE: TrueFalseQuestionInputSerializer,
    QuestionType.SHORT_ANSWER: ShortAnswerQuestionInputSerializer,
    QuestionType.NUMERIC: NumericQuestionInputSerializer,
}


class QuestionInputSerializer(InputSerializer):
    """A new or replaced question: `type` picks the serializer of QUESTION_INPUTS that validates the
    body (a 400 names `type` when it is missing or unknown)."""

    type = serializers.ChoiceField(choices=QuestionType.choices)

    @classmethod
    def validated(cls, request, **context) -> dict:
        question_type = super().validated(request, **context)["type"]
        return QUESTION_INPUTS[question_type].validated(request, **context)


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    choice_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    text = serializers.CharField(required=False, allow_blank=True)
    number = serializers.DecimalField(max_digits=30, decimal_places=10, required=False, allow_null=True)


class AnswersInputSerializer(InputSerializer):
    """Shape only; each answer is checked against the attempt's own questions by the service."""

    answers = serializers.ListField(child=serializers.JSONField(), max_length=500, required=False, default=list)

    class Meta:
        ref_name = "AnswersInput"


# --- output --------------------------------------------------------------------------------------
class MyAttemptsSummarySerializer(serializers.Serializer):
    used = serializers.IntegerField()
    left = serializers.IntegerField(allow_null=True, help_text="null: unlimited.")
    best_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="null: no graded attempt, or the policy is never."
    )
    passed = serializers.BooleanField()


class QuizSerializer(DueItemStateSerializer, serializers.ModelSerializer):
    question_count = serializers.IntegerField()
    total_points = serializers.IntegerField()
    my_attempts = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = [
            "id",
            "course",
            "section",
            "title",
            "description",
            "passing_score",
            "time_limit_seconds",
            "max_attempts",
            "shuffle_questions",
            "show_correct_answers",
            "is_required",
            "scoring_policy",
            "order",
            "question_count",
            "total_points",
            "my_attempts",
            "created_at",
            "updated_at",
            *DUE_ITEM_STATE_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(MyAttemptsSummarySerializer(allow_null=True))
    def get_my_attempts(self, quiz):
        summaries = self.context.get("attempt_summaries")
        if summaries is None:
            return None
        mine = summaries.get(quiz.pk, {"used": 0, "best_percent": None, "passed": False})
        left = None if quiz.max_attempts is None else max(quiz.max_attempts - mine["used"], 0)
        if not student_sees_score(quiz):
            mine = {**mine, "best_percent": None}
        return MyAttemptsSummarySerializer({**mine, "left": left}).data


class ChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    is_correct = serializers.BooleanField()


class QuestionSerializer(serializers.ModelSerializer):
    """The full question, with its answers: for the course's instructor and admins only."""

    choices = ChoiceSerializer(many=True)
    numeric_answer = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, coerce_to_string=True)
    tolerance = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=True)
    accepted_answers = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Question
        fields = [
            "id",
            "quiz",
            "type",
            "text",
            "points",
            "order",
            "explanation",
            "choices",
            "accepted_answers",
            "numeric_answer",
            "tolerance",
        ]
        read_only_fields = fields


class QuizDetailSerializer(QuizSerializer):
    questions = serializers.SerializerMethodField()

    class Meta(QuizSerializer.Meta):
        fields = [*QuizSerializer.Meta.fields, "questions"]
        read_only_fields = fields

    @extend_schema_field(QuestionSerializer(many=True, allow_null=True))
    def get_questions(self, quiz):
        """Only for the course's instructor and admins; students meet questions in attempts."""
        if not self.context.get("is_manager"):
            return None
        return QuestionSerializer(quiz.questions.prefetch_related("choices").order_by("order", "id"), many=True).data


class AttemptChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class AttemptQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=QuestionType.choices)
    text = serializers.CharField()
    points = serializers.IntegerField()
    choices = AttemptChoiceSerializer(many=True)


class FeedbackSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    correct = serializers.BooleanField()
    points_awarded = serializers.DecimalField(max_digits=8, decimal_places=2)
    max_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    correct_choice_ids = serializers.ListField(child=serializers.IntegerField())
    accepted_answers = serializers.ListField(child=serializers.CharField())
    numeric_answer = serializers.CharField(allow_null=True)
    tolerance = serializers.CharField(allow_null=True)
    explanation = serializers.CharField()


class AttemptStatus(models.TextChoices):
    """An attempt as the API shows it (the model stores `submitted_at`; the schema's AttemptStatusEnum)."""

    OPEN = "open", "Open: taking answers"
    GRADED = "graded", "Submitted and graded"


SCORE_FIELDS = ("score", "max_score", "percent")
HIDDEN = AttemptVisibility(review=False, score=False)


class AttemptSerializer(serializers.ModelSerializer):
    """An attempt. Questions never carry their answers; `feedback` lists per-question results and
    correct answers only when the quiz's review policy allows, else it is []; under the policy
    `never` a student sees `passed` but not `score`, `max_score` or `percent` (null). Context
    `visibility`: selectors.attempt_visibility for these attempts; an attempt missing from it
    shows neither."""

    status = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField()
    time_remaining_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "quiz",
            "student",
            "number",
            "status",
            "started_at",
            "deadline",
            "time_remaining_seconds",
            "submitted_at",
            "auto_submitted",
            "questions",
            "answers",
            "score",
            "max_score",
            "percent",
            "passed",
            "feedback",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "deadline": {
                "help_text": "When the attempt stops taking answers: its time limit or the quiz's due_at, whichever "
                "is first (null: neither). Answers sent a short grace later still count."
            },
            "score": {"help_text": "null while open, and for the student when the quiz's policy is never."},
            "max_score": {"help_text": "null while open, and for the student when the quiz's policy is never."},
            "percent": {"help_text": "null while open, and for the student when the quiz's policy is never."},
        }

    def _visibility(self, attempt) -> AttemptVisibility:
        return self.context.get("visibility", {}).get(attempt.pk, HIDDEN)

    def to_representation(self, attempt):
        data = super().to_representation(attempt)
        data["deadline"] = self.fields["deadline"].to_representation(attempt.closes_at) if attempt.closes_at else None
        if not self._visibility(attempt).score:
            data.update(dict.fromkeys(SCORE_FIELDS))
        return data

    @extend_schema_field(serializers.ChoiceField(choices=AttemptStatus.choices))
    def get_status(self, attempt):
        return AttemptStatus.OPEN if attempt.is_open else AttemptStatus.GRADED

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_time_remaining_seconds(self, attempt):
        closes_at = attempt.closes_at
        if not attempt.is_open or closes_at is None:
            return None
        return max(0, int((closes_at - timezone.now()).total_seconds()))

    @extend_schema_field(AttemptQuestionSerializer(many=True))
    def get_questions(self, attempt):
        return [
            {
                "id": q["id"],
                "type": q["type"],
                "text": q["text"],
                "points": q["points"],
                "choices": [{"id": c["id"], "text": c["text"]} for c in q["choices"]],
            }
            for q in attempt.snapshot
        ]

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, attempt):
        return [
            {"question": int(qid), **{k: v for k, v in answer.items() if k != ERASED}}
            for qid, answer in attempt.answers.items()
        ]

    @extend_schema_field(FeedbackSerializer(many=True))
    def get_feedback(self, attempt):
        if attempt.is_open or not self._visibility(attempt).review:
            return []
        # An answer whose typed text was erased (privacy) keeps the result it was graded with: read
        # from the stored results (one query, only for such an attempt), not graded again blank.
        stored = {}
        if any(answer.get(ERASED) for answer in attempt.answers.values()):
            stored = {row.question_id: row for row in attempt.graded_answers.all()}
        feedback = []
        for question in attempt.snapshot:
            answer = attempt.answers.get(str(question["id"]))
            row = stored.get(question["id"]) if answer and answer.get(ERASED) else None
            if row is not None:
                correct, points = row.correct, row.points_awarded
            else:
                correct, points = grade_question(question, answer)
            feedback.append(
                {
                    "question": question["id"],
                    "correct": correct,
                    "points_awarded": f"{points:.2f}",
                    "max_points": f"{Decimal(question['points']):.2f}",
                    **correct_answer(question),
                }
            )
        return feedback


class QuestionStatisticsSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    text = serializers.CharField(allow_null=True, help_text="null when the question was deleted since.")
    answers = serializers.IntegerField()
    share_correct = serializers.FloatField()
    average_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    max_points = serializers.DecimalField(max_digits=8, decimal_places=2)


class ResultAttemptSerializer(serializers.ModelSerializer):
    # Students are named, never addressed: the instructor gets no e-mail addresses (privacy).
    student_name = serializers.CharField(source="student.full_name")

    class Meta:
        model = Attempt
        fields = [
            "id",
            "student",
            "student_name",
            "number",
            "started_at",
            "submitted_at",
            "auto_submitted",
            "score",
            "max_score",
            "percent",
            "passed",
        ]
        read_only_fields = fields


class QuizResultsSerializer(serializers.Serializer):
    attempt_count = serializers.IntegerField()
    student_count = serializers.IntegerField()
    pass_rate = serializers.FloatField(allow_null=True)
    average_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    questions = QuestionStatisticsSerializer(many=True)
    count = serializers.IntegerField(help_text="Attempts, paginated below.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ResultAttemptSerializer(many=True)
