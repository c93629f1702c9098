from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, ngettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, adopt, apply_each, changed
from lms.audit import AuditedReadAdmin
from lms.errors import InvalidInput
from media import storage

from . import services
from .languages import language_normalise, validate_language
from .models import CURRENCIES, Category, Course, Enrollment, Lesson, LessonCompletion, Section

ORDER_HELP = _("Position among its siblings (1 is first); leave empty to put it last.")

# What the actions report (lms.admin_actions.apply_each): one plural sentence each, by the count.
PUBLISHED = ngettext_lazy("{count} course published.", "{count} courses published.", "count")
UNPUBLISHED = ngettext_lazy("{count} course unpublished.", "{count} courses unpublished.", "count")
ARCHIVED = ngettext_lazy("{count} course archived.", "{count} courses archived.", "count")
REVOKED = ngettext_lazy("{count} enrollment revoked.", "{count} enrollments revoked.", "count")
REASSIGNED = ngettext_lazy(
    "{count} course reassigned to {instructor}.", "{count} courses reassigned to {instructor}.", "count"
)


class Reassigned:
    """The reassign action's report: REASSIGNED naming the new instructor, formatted with the count
    by apply_each (lms.admin_actions.done_message, which formats a `done` whose text is empty)."""

    def __init__(self, instructor):
        self.instructor = str(instructor)

    def __str__(self) -> str:
        return str(REASSIGNED)

    def format(self, *, count: int) -> str:
        return REASSIGNED.format(count=count, instructor=self.instructor)


def size_text(size: int) -> str:
    return ngettext("{count} byte", "{count} bytes", size).format(count=size)


def cover_src(course: Course, variant: str) -> str | None:
    """The image to preview: the uploaded cover's `variant` once made, else the cover itself, else
    the course's external thumbnail_url."""
    cover = course.cover if course.cover_id else None
    if cover is None:
        return course.thumbnail_url or None
    files = cover.variants.get(variant) if cover.derived_at else None
    return storage.public_url(files["jpeg"] if files else cover.key)


def order_field() -> forms.IntegerField:
    """`order` as the API takes it: optional, 1..100000; the services renumber the siblings."""
    return forms.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        label=capfirst(pgettext_lazy("position in a list", "order")),
        help_text=ORDER_HELP,
    )


@admin.register(Category)
class CategoryAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        if change:
            services.category_update(actor=request.user, category=obj, data=changed(form, ("name", "slug")))
        else:
            adopt(obj, services.category_create(actor=request.user, name=obj.name, slug=obj.slug))

    def delete_model(self, request, obj):
        services.category_delete(actor=request.user, category=obj)


# --- a course's curriculum, on its page ---------------------------------------------------------
class ActorInlineMixin:
    """Gives the inline's formset the signed-in user, whom the services it calls take as `actor`.
    get_formset builds a new formset class per request, so the attribute never leaks."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user
        return formset


class SectionForm(forms.ModelForm):
    order = order_field()

    class Meta:
        model = Section
        fields = ("course", "title", "order")


class SectionFormSet(BaseInlineFormSet):
    """The course page's sections, written by the same services as the API: a new section goes
    where its order says (last if none), a deleted one takes its lessons off the course's
    lesson_count, and the catalog cache forgets the course."""

    def save_new(self, form, commit=True):
        data = form.cleaned_data
        return services.section_create(
            actor=self.actor, course=self.instance, title=data["title"], order=data.get("order")
        )

    def save_existing(self, form, obj, commit=True):
        return services.section_update(actor=self.actor, section=obj, data=changed(form, ("title", "order")))

    def delete_existing(self, obj, commit=True):
        services.section_delete(actor=self.actor, section=obj)


class SectionInline(ActorInlineMixin, admin.TabularInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet
    extra = 0
    fields = ("title", "order")
    show_change_link = True


LESSON_ROW_FIELDS = ("title", "order", "is_preview", "duration_seconds", "video_url")


class LessonForm(forms.ModelForm):
    order = order_field()

    class Meta:
        model = Lesson
        fields = (
            "section",
            "title",
            "content",
            "video_url",
            "duration_seconds",
            "is_preview",
            "order",
            "available_from",
            "available_after_days",
            "requires_passing",
        )


class LessonFormSet(BaseInlineFormSet):
    """The course page's lessons, written by the lesson services (lesson_count, order, cache).
    A lesson stays in its section (no service moves one); the sections are saved first, so a row
    whose section was deleted in the same save is already gone."""

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if "section" in form.changed_data and not self._should_delete_form(form):
                form.add_error(
                    "section",
                    _("A lesson stays in its section: add a new lesson to the other section and delete this one."),
                )

    def save_new(self, form, commit=True):
        data = form.cleaned_data
        section = Section.objects.filter(pk=data["section"].pk, course=self.instance).first()
        if section is None:
            raise InvalidInput(
                gettext("The section of the new lesson “{title}” is not in this course any more.").format(
                    title=data["title"]
                ),
                extra={"field": "section"},
            )
        return services.lesson_create(
            actor=self.actor,
            section=section,
            title=data["title"],
            video_url=data.get("video_url", ""),
            duration_seconds=data.get("duration_seconds") or 0,
            is_preview=data.get("is_preview", False),
            order=data.get("order"),
        )

    def save_existing(self, form, obj, commit=True):
        if not Lesson.objects.filter(pk=obj.pk).exists():  # deleted with its section just now
            return obj
        return services.lesson_update(actor=self.actor, lesson=obj, data=changed(form, LESSON_ROW_FIELDS))

    def delete_existing(self, obj, commit=True):
        services.lesson_delete(actor=self.actor, lesson=obj)


class LessonInline(ActorInlineMixin, admin.TabularInline):
    model = Lesson
    form = LessonForm
    formset = LessonFormSet
    fk_name = "course"
    extra = 0
    fields = ("section", *LESSON_ROW_FIELDS)
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            course_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(course_id=course_id) if course_id else Section.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LanguageField(forms.CharField):
    """The course language as the API takes it: an ISO 639-1 code, any case in, lower case out."""

    def to_python(self, value):
        return language_normalise(super().to_python(value))


class CourseForm(forms.ModelForm):
    """The course fields, checked as the API checks them."""

    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], initial="USD", label=capfirst(_("currency")))
    language = LanguageField(
        max_length=16,
        initial="en",
        validators=[validate_language],
        label=capfirst(_("language")),
        help_text=Course._meta.get_field("language").help_text,
    )
    price = forms.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.00"),
        max_value=Decimal("99999.99"),
        initial=Decimal("0.00"),
        label=capfirst(_("price")),
    )

    class Meta:
        model = Course
        fields = ("instructor", *services.COURSE_FIELDS, "prerequisites")


class ReassignForm(forms.Form):
    """The intermediate page of the "Reassign" action: the new instructor (active instructors
    only; course_reassign checks again)."""

    instructor = forms.ModelChoiceField(
        queryset=User.objects.filter(role=Role.INSTRUCTOR, is_active=True).order_by("email"),
        label=capfirst(_("instructor")),
        help_text=_("The courses' new owner. Their previous instructor loses nothing else."),
    )


@admin.register(Course)
class CourseAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = CourseForm
    list_display = (
        "cover_thumb",
        "title",
        "instructor",
        "category",
        "status",
        "price",
        "currency",
        "enrollment_count",
        "average_rating",
        "published_at",
    )
    list_filter = ("status", "level", "category", "currency", "language")
    search_fields = ("title", "subtitle", "slug", "instructor__email", "instructor__last_name")
    list_display_links = ("title",)
    list_select_related = ("instructor", "category", "cover")
    raw_id_fields = ("instructor",)
    autocomplete_fields = ("prerequisites",)
    readonly_fields = (
        "cover_preview",
        "slug",
        "status",
        "published_at",
        "created_at",
        "updated_at",
        "lesson_count",
        "enrollment_count",
        "average_rating",
        "rating_count",
        "rating_distribution",
    )
    date_hierarchy = "created_at"
    inlines = [SectionInline, LessonInline]
    actions = ["publish", "unpublish", "archive", "reassign"]

    def get_inlines(self, request, obj):
        return [SectionInline, LessonInline] if obj else []

    @admin.display(description=_("Cover"))
    def cover_thumb(self, obj):
        src = cover_src(obj, "thumb")
        return format_html('<img src="{}" alt="" style="width:64px;height:36px;object-fit:cover">', src) if src else ""

    @admin.display(description=_("Cover"))
    def cover_preview(self, obj):
        """Instructors upload covers through the API (PATCH the course's `cover`)."""
        src = cover_src(obj, "card") if obj and obj.pk else None
        if not src:
            return "—"
        return format_html('<img src="{}" alt="" style="max-width:400px;height:auto">', src)

    def get_readonly_fields(self, request, obj=None):
        # Ownership changes only through the "Reassign" action (course_reassign).
        return ("instructor", *self.readonly_fields) if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        prerequisites = [course.pk for course in form.cleaned_data.get("prerequisites", ())]
        if change:
            data = changed(form, services.COURSE_FIELDS)
            if "prerequisites" in form.changed_data:
                data["prerequisites"] = prerequisites
            services.course_update(actor=request.user, course=obj, data=data)
        else:
            adopt(
                obj,
                services.course_create(
                    instructor=obj.instructor,
                    prerequisites=prerequisites,
                    **{f: getattr(obj, f) for f in services.COURSE_FIELDS},
                ),
            )

    def save_related(self, request, form, formsets, change):
        """The prerequisites were set by the service (save_model: it refuses loops); the inlines
        save through their own formsets, which call the services."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Publish (needs at least one lesson)"))
    def publish(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda c: services.course_publish(actor=request.user, course=c),
            PUBLISHED,
        )

    @admin.action(description=_("Unpublish (back to draft)"))
    def unpublish(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda c: services.course_unpublish(actor=request.user, course=c),
            UNPUBLISHED,
        )

    @admin.action(description=_("Archive (hide; enrolled students keep access)"))
    def archive(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda c: services.course_archive(actor=request.user, course=c),
            ARCHIVED,
        )

    @admin.action(description=_("Reassign to another instructor…"))
    def reassign(self, request, queryset):
        """Django's action-with-an-intermediate-page: the first POST shows the form, the second
        (with `apply`) reassigns each course through course_reassign. This is how the courses of
        a demoted instructor, frozen until then, get an owner again."""
        form = ReassignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            instructor = form.cleaned_data["instructor"]
            apply_each(
                self,
                request,
                queryset,
                lambda c: services.course_reassign(course=c, instructor=instructor, actor=request.user),
                Reassigned(instructor),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reassign to another instructor"),
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "reassign",
        }
        return TemplateResponse(request, "admin/courses/course/reassign.html", context)

    def delete_model(self, request, obj):
        outcome = services.course_delete(actor=request.user, course=obj)
        if outcome == "archived":
            self.message_user(
                request,
                gettext("{course} has enrollments, so it was archived instead.").format(course=obj),
                messages.WARNING,
            )


@admin.register(Section)
class SectionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = SectionForm
    list_display = ("title", "course", "order")
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    raw_id_fields = ("course",)

    def get_readonly_fields(self, request, obj=None):
        return ("course",) if obj else ()  # no service moves a section to another course

    def save_model(self, request, obj, form, change):
        if change:
            services.section_update(actor=request.user, section=obj, data=changed(form, ("title", "order")))
        else:
            data = form.cleaned_data
            section = services.section_create(
                actor=request.user, course=data["course"], title=data["title"], order=data.get("order")
            )
            adopt(obj, section)

    def delete_model(self, request, obj):
        services.section_delete(actor=request.user, section=obj)


@admin.register(Lesson)
class LessonAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = LessonForm
    list_display = ("title", "course", "section", "order", "is_preview", "duration_seconds")
    list_filter = ("is_preview",)
    search_fields = ("title", "course__title", "section__title")
    list_select_related = ("course", "section")
    raw_id_fields = ("section",)

    def get_readonly_fields(self, request, obj=None):
        # Videos and attachments are uploaded and attached through the API.
        return ("section", "course", "video_file", "attachment_files") if obj else ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("video")

    @admin.display(description=_("Video"))
    def video_file(self, obj):
        video = obj.video if obj.video_id else None
        if video is None:
            return "—"
        url = storage.private_url(video.key, filename=video.filename)
        return format_html('<a href="{}">{}</a> ({})', url, video.filename, size_text(video.size))

    @admin.display(description=_("Attachments"))
    def attachment_files(self, obj):
        rows = [
            (
                storage.private_url(a.upload.key, filename=a.upload.filename),
                a.upload.filename,
                size_text(a.upload.size),
            )
            for a in obj.attachments.select_related("upload").order_by("order", "id")
        ]
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a> ({})', rows)

    def save_model(self, request, obj, form, change):
        if change:
            data = changed(form, (*services.LESSON_FIELDS, "order"))
            services.lesson_update(actor=request.user, lesson=obj, data=data)
        else:
            data = form.cleaned_data
            adopt(
                obj,
                services.lesson_create(
                    actor=request.user,
                    section=data["section"],
                    **{f: data[f] for f in services.LESSON_FIELDS if f in data},
                    order=data.get("order"),
                ),
            )

    def delete_model(self, request, obj):
        services.lesson_delete(actor=request.user, lesson=obj)


@admin.register(Enrollment)
class EnrollmentAdmin(AuditedReadAdmin, ServiceAdminMixin, admin.ModelAdmin):
    """Staff grant access here (enrollment_create, source "admin") and revoke it with the action;
    an enrollment is never edited or deleted by hand: the student's history stays."""

    audit_subject_field = "student"

    list_display = ("student", "course", "status", "source", "enrolled_at", "completed_at")
    list_filter = ("status", "source", "enrolled_at", "completed_at")
    search_fields = ("student__email", "student__last_name", "course__title")
    list_select_related = ("student", "course")
    raw_id_fields = ("student", "course")
    date_hierarchy = "enrolled_at"
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("student", "course")
        return super().get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the student's history stays

    def save_model(self, request, obj, form, change):
        adopt(obj, services.enrollment_create(student=obj.student, course=obj.course, source="admin"))

    @admin.action(description=_("Revoke access"))
    def revoke(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda e: services.enrollment_revoke(actor=request.user, enrollment=e),
            REVOKED,
        )


@admin.register(LessonCompletion)
class LessonCompletionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: students complete lessons through lesson_complete, which also completes the
    course and issues the certificate."""

    list_display = ("enrollment", "lesson", "completed_at")
    list_select_related = ("enrollment__student", "enrollment__course", "lesson")
    raw_id_fields = ("enrollment", "lesson")
    search_fields = ("enrollment__student__email", "lesson__title")
