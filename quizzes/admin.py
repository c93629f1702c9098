from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, adopt, changed

from . import services
from .grading import validate_question_shape
from .models import CHOICE_TYPES, Attempt, AttemptAnswer, Choice, Question, Quiz

QUESTION_ORDER_HELP = _("Position in the quiz (1 is first); leave empty to put it last.")


class QuestionOrderFormSet(BaseInlineFormSet):
    """Only the questions' order is edited on the quiz page, through question_update, as the
    signed-in admin (`actor`, set by QuizAdmin.save_formset)."""

    actor = None

    def save_existing(self, form, obj, commit=True):
        return services.question_update(actor=self.actor, question=obj, data=changed(form, ("order",)))


class QuestionInline(admin.TabularInline):
    model = Question
    formset = QuestionOrderFormSet
    extra = 0
    fields = ("order", "type", "text", "points")
    readonly_fields = ("type", "text", "points")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # questions are added on their own page, where their answers are checked


def _label(model, name: str):
    """The label a model form gives the field `name` (its verbose name), for a field declared anew."""
    return capfirst(model._meta.get_field(name).verbose_name)


class QuizForm(forms.ModelForm):
    """The quiz fields, checked as the API checks them."""

    time_limit_seconds = forms.IntegerField(
        label=_label(Quiz, "time_limit_seconds"), min_value=10, max_value=7 * 24 * 3600, required=False
    )
    max_attempts = forms.IntegerField(label=_label(Quiz, "max_attempts"), min_value=1, max_value=1000, required=False)
    order = forms.IntegerField(
        label=_label(Quiz, "order"),
        min_value=1,
        max_value=100_000,
        required=False,
        help_text=_("Position in the course (1 is first); leave empty to put it last."),
    )

    class Meta:
        model = Quiz
        fields = ("course", *services.QUIZ_FIELDS, "order")


@admin.register(Quiz)
class QuizAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Written by quiz_create / quiz_update, which refuse a section of another course."""

    form = QuizForm
    list_display = ("title", "course", "passing_score", "max_attempts", "time_limit_seconds", "is_required", "order")
    list_filter = ("is_required", "show_correct_answers", "scoring_policy", "shuffle_questions")
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    raw_id_fields = ("course", "section")
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        return ("course",) if obj else ()  # no service moves a quiz to another course

    def save_model(self, request, obj, form, change):
        actor = request.user
        if change:
            services.quiz_update(actor=actor, quiz=obj, data=changed(form, (*services.QUIZ_FIELDS, "order")))
            return
        data = form.cleaned_data
        fields = {f: data[f] for f in services.QUIZ_FIELDS if f in data}
        quiz = services.quiz_create(actor=actor, course=data["course"], **fields)
        if data.get("order") is not None:
            quiz = services.quiz_update(actor=actor, quiz=quiz, data={"order": data["order"]})
        adopt(obj, quiz)

    def save_formset(self, request, form, formset, change):
        formset.actor = request.user
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        services.quiz_delete(actor=request.user, quiz=obj)


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Checks the question's shape (exactly one correct choice, ...) with the same rules as the API,
    so the error shows next to the choices. The question admin saves them (save_formset)."""

    def kept_forms(self) -> list:
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        return sorted(kept, key=lambda f: (f.cleaned_data.get("order") or 0, self.forms.index(f)))

    def choices(self) -> list[dict]:
        return [
            {"text": f.cleaned_data.get("text", ""), "is_correct": f.cleaned_data.get("is_correct", False)}
            for f in self.kept_forms()
        ]

    def clean(self):
        super().clean()
        question = self.instance
        try:
            validate_question_shape(
                type=question.type,
                choices=self.choices() if question.type in CHOICE_TYPES else [],
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


class QuestionForm(forms.ModelForm):
    order = forms.IntegerField(
        label=_label(Question, "order"), min_value=1, max_value=100_000, required=False, help_text=QUESTION_ORDER_HELP
    )

    class Meta:
        model = Question
        fields = ("quiz", *services.QUESTION_FIELDS, "order")


@admin.register(Question)
class QuestionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """A question is valid only with its choices, so it is written in one service call
    (question_create / question_update) with the choices of the inline, in save_formset."""

    form = QuestionForm
    list_display = ("text", "quiz", "type", "points", "order")
    list_filter = ("type",)
    search_fields = ("text", "quiz__title")
    list_select_related = ("quiz",)
    raw_id_fields = ("quiz",)
    inlines = [ChoiceInline]

    def get_readonly_fields(self, request, obj=None):
        return ("quiz",) if obj else ()  # no service moves a question to another quiz

    def save_model(self, request, obj, form, change):
        """Nothing yet: save_formset writes the question together with its choices."""

    def save_formset(self, request, form, formset, change):
        question, data = form.instance, form.cleaned_data
        if change:
            payload = changed(form, (*services.QUESTION_FIELDS, "order"))
            if formset.has_changed():
                payload["choices"] = formset.choices()
            services.question_update(actor=request.user, question=question, data=payload)
        else:
            created = services.question_create(
                actor=request.user,
                quiz=data["quiz"],
                **{f: data[f] for f in services.QUESTION_FIELDS if f in data},
                choices=formset.choices(),
                order=data.get("order"),
            )
            adopt(question, created)
        # The choices were replaced as a whole; the change message names the question only.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        services.question_delete(actor=request.user, question=obj)


class AttemptAnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AttemptAnswer
    extra = 0
    can_delete = False
    fields = ("position", "question_id", "response", "correct", "points_awarded", "max_points")
    readonly_fields = fields


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: grades are a record."""

    list_display = ("quiz", "student", "number", "started_at", "submitted_at", "percent", "passed", "auto_submitted")
    list_filter = ("passed", "auto_submitted", "submitted_at")
    search_fields = ("student__email", "quiz__title")
    list_select_related = ("quiz", "student")
    readonly_fields = [f.name for f in Attempt._meta.fields]
    inlines = [AttemptAnswerInline]
