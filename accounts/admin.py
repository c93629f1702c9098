from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError

from lms.admin_actions import apply_each

from . import services
from .models import InstructorProfile, Role, User, normalize_email


class InstructorProfileInline(admin.StackedInline):
    model = InstructorProfile
    can_delete = False
    extra = 0
    readonly_fields = ("created_at", "updated_at")


class UserCreationForm(forms.ModelForm):
    """Creates users through the same service as the API: validated password, unique e-mail."""

    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "role")

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("A user with this e-mail address already exists.")
        return email

    def clean(self):
        data = super().clean()
        if data.get("password"):
            candidate = User(
                email=data.get("email", ""), first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
            )
            try:
                password_validation.validate_password(data["password"], candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data

    def _post_clean(self):  # the service validates; skip the model's own unique check here
        pass

    def save(self, commit=True):
        data = self.cleaned_data
        self.instance = services.user_create(
            email=data["email"],
            password=data["password"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            role=data["role"],
        )
        return self.instance

    def save_m2m(self):
        pass


class PasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" page: the new password signs the user out everywhere."""

    def save(self, commit=True):
        return services.user_set_password(user=self.user, password=self.cleaned_data["password1"])


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = PasswordChangeForm
    ordering = ("-date_joined",)
    list_display = ("email", "first_name", "last_name", "role", "is_active", "date_joined", "last_login")
    list_filter = ("role", "is_active", "date_joined")
    search_fields = ("email", "first_name", "last_name")
    # Role and active state change only through the actions (the services keep the rules).
    readonly_fields = ("role", "is_active", "is_staff", "is_superuser", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Role",
            {
                "fields": ("role", "is_active", "is_staff", "is_superuser"),
                "description": "Change roles and deactivate with the actions on the user list.",
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_form = UserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "role", "password")}),
    )
    inlines = [InstructorProfileInline]
    actions = ["promote_to_instructor", "promote_to_admin", "demote_to_student", "deactivate", "reactivate"]

    def get_inlines(self, request, obj):
        return [InstructorProfileInline] if obj and obj.role == Role.INSTRUCTOR else []

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.action(description="Promote to instructor")
    def promote_to_instructor(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda u: services.user_set_role(user=u, role=Role.INSTRUCTOR),
            "user(s) promoted to instructor",
        )

    @admin.action(description="Promote to admin")
    def promote_to_admin(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda u: services.user_set_role(user=u, role=Role.ADMIN),
            "user(s) promoted to admin",
        )

    @admin.action(description="Demote to student")
    def demote_to_student(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda u: services.user_set_role(user=u, role=Role.STUDENT),
            "user(s) demoted to student",
        )

    @admin.action(description="Deactivate (keeps their records; signs them out)")
    def deactivate(self, request, queryset):
        apply_each(self, request, queryset, lambda u: services.user_deactivate(user=u), "user(s) deactivated")

    @admin.action(description="Reactivate")
    def reactivate(self, request, queryset):
        apply_each(self, request, queryset, lambda u: services.user_reactivate(user=u), "user(s) reactivated")

    def has_delete_permission(self, request, obj=None):
        # Users are deactivated, never deleted: their orders, grades and certificates must stay.
        return False


@admin.register(InstructorProfile)
class InstructorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "headline", "expertise", "updated_at")
    search_fields = ("user__email", "user__first_name", "user__last_name", "headline", "expertise")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
