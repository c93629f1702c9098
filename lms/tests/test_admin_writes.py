"""The admin is a client like the API (STYLE.md, habit 13): every page of admin.site that lets a
superuser write does it through a service, or does not let them write at all.

Django's defaults write around the services: ModelAdmin.save_model calls obj.save(), delete_model
and delete_queryset (the bulk "Delete selected" action) delete rows directly, and an inline's
formset saves and deletes its rows itself. Each of them once corrupted data here (a section deleted
in the admin left Course.lesson_count too high, so nobody could complete the course). This test
walks every registered ModelAdmin and each of its inlines and, for every write path the superuser
may use, fails if the code behind it is Django's (or another library's) default rather than the
project's own. Whether that code then calls the right service is for each app's admin tests."""

import inspect
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from courses.models import Category, Course, Section
from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, apply_each

pytestmark = pytest.mark.django_db

# The project's own code: the apps under the repository (not a library installed in .venv).
PROJECT_PACKAGES = {
    config.name.split(".")[0]
    for config in apps.get_app_configs()
    if Path(config.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in config.path
} | {"lms"}

# Admins registered by Django or libraries for data that is not the platform's: none is left
# writable. auth.Group is unregistered (permissions come from the role) and the simplejwt token
# pages are re-registered read-only in accounts/admin.py, so this allow-list is empty on purpose;
# an entry here must say why the model may be written around the services.
NOT_DOMAIN_DATA: dict[str, str] = {}


def _owner(cls, name: str):
    """The class of cls's MRO that defines `name`."""
    return next((klass for klass in cls.__mro__ if name in vars(klass)), None)


def is_project_code(cls, name: str) -> bool:
    owner = _owner(cls, name)
    return owner is not None and owner.__module__.split(".")[0] in PROJECT_PACKAGES


def _source(func) -> str:
    try:
        return inspect.getsource(func)
    except (OSError, TypeError):
        return ""


def goes_through_apply_each(admin_class, func, seen=()) -> bool:
    """An action writes through lms.admin_actions.apply_each (a service per object), itself or in
    a helper method of its admin (self._flag(...) -> apply_each)."""
    source = _source(func)
    if "apply_each(" in source:
        return True
    for name in re.findall(r"self\.(\w+)\(", source):
        helper = getattr(admin_class, name, None)
        if (
            name not in seen
            and callable(helper)
            and is_project_code(admin_class, name)
            and goes_through_apply_each(admin_class, helper, (*seen, name))
        ):
            return True
    return False


def superuser_post(user):
    """A POST by a superuser, as every write in the admin is (some permission checks look at the
    method), on an admin URL (inlines look at the resolved URL's object id)."""
    request = RequestFactory().post("/admin/")
    request.user = user
    request.resolver_match = resolve("/admin/")
    return request


def write_problems(model_admin, request) -> list[str]:
    """Each write path of this admin that a superuser can use and that would not go through a
    service, as a sentence naming the admin, the path and the fix."""
    cls = type(model_admin)
    label = f"{model_admin.model._meta.label} ({cls.__module__}.{cls.__qualname__})"
    problems = []

    def need(path: str, method: str, how: str) -> None:
        if not is_project_code(cls, method):
            problems.append(
                f"{label}: {path} is allowed but {method} is Django's default, which writes without a "
                f"service. Override {method} to call the app's service, or {how}."
            )

    can_add = model_admin.has_add_permission(request)
    can_change = model_admin.has_change_permission(request)
    can_delete = model_admin.has_delete_permission(request)
    if can_add:
        need("adding", "save_model", "return False from has_add_permission")
    if can_change:
        need("changing", "save_model", "return False from has_change_permission (a read-only page)")
    if can_delete:
        how = "return False from has_delete_permission"
        need("deleting", "delete_model", how)
        need("the bulk 'Delete selected' action", "delete_queryset", how)
        need("the bulk 'Delete selected' action", "delete_model", how)

    if can_add or can_change:
        # save_related's default saves many-to-many fields with form.save_m2m(), around the services.
        shown = set(flatten_fieldsets(model_admin.get_fieldsets(request, None)))
        shown |= set(flatten_fieldsets(model_admin.fieldsets or ()))
        m2m = sorted(shown & {f.name for f in model_admin.model._meta.many_to_many if f.editable})
        m2m = [name for name in m2m if name not in model_admin.get_readonly_fields(request, None)]
        if m2m:
            need(f"editing the many-to-many field(s) {m2m}", "save_related", "make them read-only")

        for inline_class in model_admin.inlines:
            inline = inline_class(model_admin.model, model_admin.admin_site)
            where = f"{label}, inline {inline_class.__qualname__}"
            formset = inline.get_formset(request, None)
            fk = getattr(formset, "fk", None)
            editable = set(formset.form.base_fields) - {"id", "DELETE", fk.name if fk else None}
            paths = {
                "adding rows": ("save_new", inline.has_add_permission(request, None)),
                "changing rows": ("save_existing", bool(editable) and inline.has_change_permission(request, None)),
                "deleting rows": ("delete_existing", inline.can_delete and inline.has_delete_permission(request, None)),
            }
            for path, (hook, allowed) in paths.items():
                if allowed and not (is_project_code(cls, "save_formset") or is_project_code(formset, hook)):
                    problems.append(
                        f"{where}: {path} is allowed but the formset's {hook} is Django's default, which "
                        f"writes without a service. Override the admin's save_formset or the formset's {hook} "
                        f"to call the app's service, or make the inline read-only (ReadOnlyAdminMixin)."
                    )

    for name, (func, _, _) in model_admin.get_actions(request).items():
        if name == "delete_selected":
            continue  # Django's, gated by has_delete_permission and delete_queryset: checked above
        if not goes_through_apply_each(cls, func):
            problems.append(
                f"{label}: the action {name!r} does not go through lms.admin_actions.apply_each (a service "
                f"per selected object)."
            )

    password_form = getattr(model_admin, "change_password_form", None)
    if isinstance(model_admin, DjangoUserAdmin) and can_change and not is_project_code(password_form, "save"):
        problems.append(f"{label}: the password page saves with Django's form, not a service.")
    return problems


def test_every_admin_writes_through_services_or_not_at_all(admin_user):
    request = superuser_post(admin_user)
    registry = admin.site._registry
    problems, writable = [], []
    for model, model_admin in registry.items():
        if model._meta.label in NOT_DOMAIN_DATA:
            continue
        problems += write_problems(model_admin, request)
        if any(
            (
                model_admin.has_add_permission(request),
                model_admin.has_change_permission(request),
                model_admin.has_delete_permission(request),
            )
        ):
            writable.append(model._meta.label)

    assert not problems, "\n".join(problems)
    # The walk saw the whole admin: every app's pages, the ones that write among them.
    labels = {model._meta.label for model in registry}
    assert len(labels) >= 25, sorted(labels)
    assert {"courses.Section", "courses.Lesson", "courses.Course", "quizzes.Quiz", "quizzes.Question"} <= labels
    assert {"courses.Section", "courses.Course", "quizzes.Quiz", "payments.Coupon", "reviews.Review"} <= set(writable)
    assert len(writable) >= 12, writable


def test_every_admin_is_either_service_backed_or_read_only(admin_user):
    """The two kinds the project has: a page that writes uses ServiceAdminMixin (a service's
    refusal becomes a form error, not a 500); every other one is ReadOnlyAdminMixin."""
    request = superuser_post(admin_user)
    unsorted = []
    for model, model_admin in admin.site._registry.items():
        writes = any(
            (
                model_admin.has_add_permission(request),
                model_admin.has_change_permission(request),
                model_admin.has_delete_permission(request),
            )
        )
        expected = ServiceAdminMixin if writes else (ServiceAdminMixin, ReadOnlyAdminMixin)
        if not isinstance(model_admin, expected):
            unsorted.append(f"{model._meta.label} ({type(model_admin).__qualname__})")
    assert not unsorted, f"writable admins without ServiceAdminMixin: {unsorted}"


def test_groups_are_not_in_the_admin():
    assert Group not in admin.site._registry


# --- the check itself catches what it is for ---------------------------------------------------
def test_a_model_admin_with_django_defaults_is_reported(admin_user):
    class CategoryAdminWithDefaults(admin.ModelAdmin):
        pass

    problems = write_problems(CategoryAdminWithDefaults(Category, AdminSite()), superuser_post(admin_user))

    text = "\n".join(problems)
    assert "courses.Category" in text and "CategoryAdminWithDefaults" in text
    assert "adding is allowed but save_model is Django's default" in text
    assert "changing is allowed but save_model" in text
    assert "deleting is allowed but delete_model" in text
    assert "'Delete selected' action is allowed but delete_queryset" in text


def test_an_editable_inline_with_the_default_formset_is_reported(admin_user):
    class SectionRows(admin.TabularInline):
        model = Section
        fields = ("title", "order")

    class CourseAdminWithRows(ServiceAdminMixin, admin.ModelAdmin):
        fields = ("title",)  # the course's own fields are not what this test is about
        inlines = [SectionRows]

        def save_model(self, request, obj, form, change):
            pass

        def delete_model(self, request, obj):
            pass

    problems = write_problems(CourseAdminWithRows(Course, AdminSite()), superuser_post(admin_user))

    assert len(problems) == 3, problems
    assert all(p.startswith("courses.Course (") and f"inline {SectionRows.__qualname__}:" in p for p in problems)
    assert any("adding rows" in p and "save_new" in p for p in problems)
    assert any("changing rows" in p and "save_existing" in p for p in problems)
    assert any("deleting rows" in p and "delete_existing" in p for p in problems)


def test_an_action_that_saves_directly_is_reported_and_one_through_apply_each_is_not(admin_user):
    class CategoryAdminWithActions(ReadOnlyAdminMixin, admin.ModelAdmin):
        actions = ["rename", "touch"]

        @admin.action(description="Rename")
        def rename(self, request, queryset):
            for category in queryset:
                category.name += "!"
                category.save()

        @admin.action(description="Touch")
        def touch(self, request, queryset):
            apply_each(self, request, queryset, lambda c: None, "touched")

    problems = write_problems(CategoryAdminWithActions(Category, AdminSite()), superuser_post(admin_user))

    assert len(problems) == 1, problems
    assert "the action 'rename' does not go through lms.admin_actions.apply_each" in problems[0]


def test_a_read_only_admin_is_not_reported(admin_user):
    class CategoryRecords(ReadOnlyAdminMixin, admin.ModelAdmin):
        pass

    assert write_problems(CategoryRecords(Category, AdminSite()), superuser_post(admin_user)) == []


# --- and over HTTP: what an admin may not do is refused ------------------------------------------
def test_every_admin_page_loads_and_refuses_what_it_does_not_allow(admin_user):
    """Each changelist loads for a superuser; where adding or deleting is not allowed, the add page
    and the delete page answer 403 (checked before looking the object up)."""
    client = Client()
    client.force_login(admin_user)
    request = superuser_post(admin_user)
    refused = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        if not model_admin.has_add_permission(request):
            assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
            refused += 1
        if not model_admin.has_delete_permission(request):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=["0"])
            assert client.post(url, {"post": "yes"}).status_code == 403, url
            refused += 1
    assert refused >= 20
