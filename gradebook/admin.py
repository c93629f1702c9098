from django import forms
from django.contrib import admin

from lms.admin_actions import ServiceAdminMixin

from . import services
from .api.serializers import GradingInputSerializer
from .models import CourseGrading


class CourseGradingForm(forms.ModelForm):
    """The scheme checked by the API's own rules (weights adding up to 100, a letter scale with
    distinct letters and a 0)."""

    class Meta:
        model = CourseGrading
        fields = ("course", "quizzes_weight", "assignments_weight", "pass_percent", "letter_scale")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        serializer = GradingInputSerializer(
            data={
                "weights": {"quizzes": data.get("quizzes_weight"), "assignments": data.get("assignments_weight")},
                "pass_percent": data.get("pass_percent"),
                "letter_scale": data.get("letter_scale"),
            }
        )
        if not serializer.is_valid():
            for name, messages in serializer.errors.items():
                target = {"weights": "assignments_weight"}.get(name, name)
                self.add_error(target, [str(message) for message in _flat(messages)])
        else:
            self.service_data = serializer.validated_data
        return data


def _flat(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flat(value)
    elif isinstance(messages, list):
        for value in messages:
            yield from _flat(value)
    else:
        yield messages


@admin.register(CourseGrading)
class CourseGradingAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Courses whose grading differs from the defaults. Deleting one returns its course to them."""

    form = CourseGradingForm
    list_display = ("course", "quizzes_weight", "assignments_weight", "pass_percent", "updated_at", "updated_by")
    search_fields = ("course__title",)
    autocomplete_fields = ("course",)
    list_select_related = ("course", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def get_readonly_fields(self, request, obj=None):
        return ("course", *self.readonly_fields) if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = services.grading_update(actor=request.user, course=obj.course, **form.service_data)
        obj.updated_at, obj.updated_by, obj.letter_scale = saved.updated_at, saved.updated_by, saved.letter_scale
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.grading_reset(actor=request.user, course=obj.course)
