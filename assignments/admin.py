from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from lms.admin_actions import ReadOnlyAdminMixin, apply_each
from lms.audit import AuditedReadAdmin
from media import storage

from . import services
from .models import ArchiveStatus, Assignment, Grade, RubricCriterion, Submission, SubmissionArchive, SubmissionFile


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


def archive_download(archive: SubmissionArchive) -> str:
    """A signed link to a ready zip (it expires, as the API's do)."""
    if archive.status != ArchiveStatus.READY or not archive.key:
        return "-"
    url = storage.private_url(archive.key, filename=archive.key.rsplit("/", 1)[-1])
    label = ngettext("Download ({count} byte)", "Download ({count} bytes)", archive.size).format(count=archive.size)
    return format_html('<a href="{}">{}</a>', url, label)


class ArchiveInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubmissionArchive
    extra = 0
    fields = ("requested_at", "requested_by", "status", "submission_count", "finished_at", "error", "download")
    readonly_fields = fields
    show_change_link = True

    @admin.display(description=_("zip"))
    def download(self, archive):
        return archive_download(archive)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A record: instructors write assignments through the API (its services check the rules). The
    action builds a download of all submissions, as the API's POST does."""

    list_display = ("title", "course", "section", "points", "due_at", "is_required")
    list_filter = ("is_required", "course")
    search_fields = ("title", "course__title")
    list_select_related = ("course", "section")
    readonly_fields = [f.name for f in Assignment._meta.fields]
    inlines = [CriterionInline, SubmissionInline, ArchiveInline]
    actions = ["archive"]

    @admin.action(description=_("Download all submissions (builds a zip in the background)"))
    def archive(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda a: services.archive_request(actor=request.user, assignment=a),
            ngettext_lazy(
                "{count} archive requested; the zip appears under its assignment when built.",
                "{count} archives requested; the zips appear under each assignment when built.",
                "count",
            ),
        )


@admin.register(SubmissionArchive)
class SubmissionArchiveAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Zips of all submissions, built in the background and swept after a week (a record)."""

    list_display = ("assignment", "status", "requested_at", "requested_by", "submission_count", "size", "download")
    list_filter = ("status",)
    search_fields = ("assignment__title", "assignment__course__title")
    list_select_related = ("assignment", "requested_by")
    readonly_fields = [*(f.name for f in SubmissionArchive._meta.fields), "download"]
    date_hierarchy = "requested_at"

    @admin.display(description=_("zip"))
    def download(self, archive):
        return archive_download(archive)


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
    score = forms.DecimalField(
        label=_("Score"), required=False, min_value=0, help_text=_("The score to give (before any late penalty).")
    )
    feedback = forms.CharField(label=_("Feedback"), required=False, max_length=2000)


@admin.register(Submission)
class SubmissionAdmin(AuditedReadAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Submissions and their grading history are records; grading goes through the same service as
    the API (the action: type the score next to it)."""

    audit_subject_field = "student"

    list_display = ("assignment", "student", "attempt", "status", "submitted_at", "is_late", "grade")
    list_filter = ("status", "is_late", "assignment__course")
    search_fields = ("student__email", "assignment__title")
    list_select_related = ("assignment", "student", "grade")
    readonly_fields = [f.name for f in Submission._meta.fields]
    inlines = [FileInline, GradeInline]
    action_form = GradeActionForm
    actions = ["grade"]

    @admin.action(description=_("Grade (type the score next to the action)"))
    def grade(self, request, queryset):
        score = request.POST.get("score") or None
        feedback = request.POST.get("feedback", "")
        apply_each(
            self,
            request,
            queryset,
            lambda s: services.submission_grade(actor=request.user, submission=s, score=score, feedback=feedback),
            ngettext_lazy("{count} submission graded.", "{count} submissions graded.", "count"),
        )
