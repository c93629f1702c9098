from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm

from lms.admin_actions import ReadOnlyAdminMixin, apply_each

from . import services
from .models import Assignment, Grade, RubricCriterion, Submission, SubmissionFile


class CriterionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RubricCriterion
    extra = 0
    fields = ("order", "title", "points", "description")
    readonly_fields = fields


class SubmissionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Submission
    extra = 0
    fields = ("student", "attempt", "status", "submitted_at", "is_late", "grade")
    readonly_fields = fields
    show_change_link = True


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A record: instructors write assignments through the API (its services check the rules)."""

    list_display = ("title", "course", "section", "points", "due_at", "is_required")
    list_filter = ("is_required", "course")
    search_fields = ("title", "course__title")
    list_select_related = ("course", "section")
    readonly_fields = [f.name for f in Assignment._meta.fields]
    inlines = [CriterionInline, SubmissionInline]


class GradeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Grade
    extra = 0
    fields = ("graded_at", "graded_by", "score", "late_penalty", "points", "percent", "rubric_scores", "feedback")
    readonly_fields = fields


class FileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubmissionFile
    extra = 0
    fields = ("order", "upload")
    readonly_fields = fields


class GradeActionForm(ActionForm):
    score = forms.DecimalField(required=False, min_value=0, help_text="The score to give (before any late penalty).")
    feedback = forms.CharField(required=False, max_length=2000)


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Submissions and their grading history are records; grading goes through the same service as
    the API (the action: type the score next to it)."""

    list_display = ("assignment", "student", "attempt", "status", "submitted_at", "is_late", "grade")
    list_filter = ("status", "is_late", "assignment__course")
    search_fields = ("student__email", "assignment__title")
    list_select_related = ("assignment", "student", "grade")
    readonly_fields = [f.name for f in Submission._meta.fields]
    inlines = [FileInline, GradeInline]
    action_form = GradeActionForm
    actions = ["grade"]

    @admin.action(description="Grade (type the score next to the action)")
    def grade(self, request, queryset):
        score = request.POST.get("score") or None
        feedback = request.POST.get("feedback", "")
        apply_each(
            self,
            request,
            queryset,
            lambda s: services.submission_grade(actor=request.user, submission=s, score=score, feedback=feedback),
            "submission(s) graded",
        )
