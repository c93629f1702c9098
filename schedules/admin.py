from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, adopt, apply_each, changed

from . import services
from .models import Attendance, Cohort, CohortMember, LiveSession, MemberStatus, ScheduleNotice
from .selectors import cohort_list_with_figures

FIELDS = ("name", "starts_at", "ends_at", "enrollment_opens_at", "enrollment_closes_at", "capacity")


class MemberInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Who holds or waits for a seat, in the order they came (remove them from the members page)."""

    model = CohortMember
    extra = 0
    fields = ("student", "status", "waitlisted_at", "offer_expires_at", "created_at")
    readonly_fields = fields
    show_change_link = True
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "cohort")


@admin.register(Cohort)
class CohortAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Cohorts with their seat use and waitlists; written through the same services as the API (a
    capacity below the seats taken, or deleting a cohort with members, is refused on the form)."""

    list_display = ("name", "course", "starts_at", "ends_at", "capacity", "seats_taken", "waitlist_count")
    list_filter = ("course",)
    search_fields = ("name", "course__title")
    list_select_related = ("course",)
    autocomplete_fields = ("course",)
    fields = ("course", *FIELDS)
    inlines = [MemberInline]

    def get_queryset(self, request):
        return cohort_list_with_figures()

    def get_readonly_fields(self, request, obj=None):
        return ("course",) if obj is not None else ()

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def seats_taken(self, cohort):
        return cohort.seats_taken

    @admin.display(description=_("waiting"), ordering="waitlist_count")
    def waitlist_count(self, cohort):
        return cohort.waitlist_count

    def save_model(self, request, obj, form, change):
        if change:
            services.cohort_update(actor=request.user, cohort=obj, data=changed(form, FIELDS))
        else:
            values = {f: form.cleaned_data.get(f) for f in FIELDS}
            adopt(obj, services.cohort_create(actor=request.user, course=obj.course, **values))

    def delete_model(self, request, obj):
        services.cohort_delete(actor=request.user, cohort=obj)


@admin.register(CohortMember)
class CohortMemberAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Seats and waitlist places are taken through enrollment and checkout; staff remove a student
    with the action (an enrolled student's enrollment is revoked and the seat offered on)."""

    list_display = ("student", "cohort", "status", "waitlisted_at", "offer_expires_at", "created_at")
    list_filter = ("status", "cohort__course")
    search_fields = ("student__email", "cohort__name", "cohort__course__title")
    list_select_related = ("student", "cohort__course")
    readonly_fields = [f.name for f in CohortMember._meta.fields]
    actions = ["remove"]

    @admin.action(description=_("Remove from the cohort (revokes an enrollment; the seat goes to the next in line)"))
    def remove(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.exclude(status=MemberStatus.LEFT),
            lambda m: services.cohort_member_remove(actor=request.user, member=m),
            ngettext_lazy(
                "{count} student removed from the cohort.", "{count} students removed from the cohort.", "count"
            ),
        )


SESSION_FIELDS = ("title", "starts_at", "duration_minutes", "join_url")


class AttendanceInline(admin.TabularInline):
    """Who was present: adding a row marks a student present, deleting it marks them absent, both
    through services.attendance_mark (LiveSessionAdmin.save_formset), which checks that each is a
    student of the session's audience."""

    model = Attendance
    fk_name = "session"
    extra = 0
    fields = ("student", "marked_by", "marked_at")
    readonly_fields = ("marked_by", "marked_at")
    raw_id_fields = ("student",)
    ordering = ("student__last_name", "student__first_name", "student_id")


@admin.register(LiveSession)
class LiveSessionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Live sessions with their attendance; written through the same services as the API (a bad
    duration, a non-https link, a cohort of another course or a student outside the audience is
    refused on the form)."""

    list_display = ("title", "course", "cohort", "starts_at", "duration_minutes")
    list_filter = ("course",)
    search_fields = ("title", "course__title")
    list_select_related = ("course", "cohort")
    autocomplete_fields = ("course", "cohort")
    fields = ("course", "cohort", *SESSION_FIELDS)
    inlines = [AttendanceInline]

    def get_readonly_fields(self, request, obj=None):
        return ("course",) if obj is not None else ()  # no service moves a session to another course

    def save_model(self, request, obj, form, change):
        if change:
            data = changed(form, (*SESSION_FIELDS, "cohort"))
            if "cohort" in data:
                data["cohort"] = data["cohort"].pk if data["cohort"] else None
            services.live_session_update(actor=request.user, session=obj, data=data)
        else:
            values = {f: form.cleaned_data.get(f) for f in SESSION_FIELDS}
            cohort = form.cleaned_data.get("cohort")
            adopt(
                obj,
                services.live_session_create(
                    actor=request.user, course=obj.course, cohort_id=cohort.pk if cohort else None, **values
                ),
            )

    def save_formset(self, request, form, formset, change):
        # The service writes the rows; the change message reads these (Django's save() sets them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        present, absent = [], []
        for row in formset.forms:
            was = row.instance.student_id if row.instance.pk else None
            if formset._should_delete_form(row):
                if was is not None:
                    absent.append(was)
                continue
            student = row.cleaned_data.get("student") if row.has_changed() else None
            if student is None or student.pk == was:
                continue
            if was is not None:
                absent.append(was)
            present.append(student.pk)
        if present or absent:
            services.attendance_mark(actor=request.user, session=form.instance, present=present, absent=absent)

    def delete_model(self, request, obj):
        services.live_session_delete(actor=request.user, session=obj)


@admin.register(ScheduleNotice)
class ScheduleNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A record of the schedule notifications sent (cohort starting, due soon, the daily digest of
    released content): one row per kind, item (or day) and student, which keeps them from being
    sent twice (schedules.reminders)."""

    list_display = ("kind", "object_id", "student", "at", "sent_at")
    list_filter = ("kind",)
    search_fields = ("student__email",)
    list_select_related = ("student",)
    date_hierarchy = "sent_at"
