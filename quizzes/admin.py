from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from .grading import validate_question_shape
from .models import CHOICE_TYPES, Attempt, AttemptAnswer, Choice, Question, Quiz


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("order", "type", "text", "points")
    readonly_fields = ("type", "text", "points")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # questions are added on their own page, where their answers are checked


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "passing_score", "max_attempts", "time_limit_seconds", "is_required", "order")
    list_filter = ("is_required", "show_correct_answers", "shuffle_questions")
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    raw_id_fields = ("course", "section")
    inlines = [QuestionInline]


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Checks the question's shape (exactly one correct choice, ...) with the same rules as the API."""

    def clean(self):
        super().clean()
        question = self.instance
        choices = [
            {"text": f.cleaned_data.get("text", ""), "is_correct": f.cleaned_data.get("is_correct", False)}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            validate_question_shape(
                type=question.type,
                choices=choices if question.type in CHOICE_TYPES else [],
                accepted_answers=question.accepted_answers or [],
                numeric_answer=question.numeric_answer,
            )
        except ValidationError as exc:
            raise forms.ValidationError(next(iter(exc.message_dict.values()))) from exc


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0
    fields = ("order", "text", "is_correct")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "quiz", "type", "points", "order")
    list_filter = ("type",)
    search_fields = ("text", "quiz__title")
    list_select_related = ("quiz",)
    raw_id_fields = ("quiz",)
    inlines = [ChoiceInline]


class AttemptAnswerInline(admin.TabularInline):
    model = AttemptAnswer
    extra = 0
    can_delete = False
    fields = ("position", "question_id", "response", "correct", "points_awarded", "max_points")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Read-only: grades are a record."""

    list_display = ("quiz", "student", "number", "started_at", "submitted_at", "percent", "passed", "auto_submitted")
    list_filter = ("passed", "auto_submitted", "submitted_at")
    search_fields = ("student__email", "quiz__title")
    list_select_related = ("quiz", "student")
    readonly_fields = [f.name for f in Attempt._meta.fields]
    inlines = [AttemptAnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
