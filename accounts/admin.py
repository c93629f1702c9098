from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from rest_framework_simplejwt.token_blacklist import admin as token_admin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, adopt, apply_each, changed
from lms.audit import AuditedReadAdmin
from media import storage

from . import services
from .models import InstructorProfile, Role, SignInLockout, User, normalize_email


class InstructorProfileFormSet(BaseInlineFormSet):
    """The instructor profile on the user's page, written by user_update_profile as the signed-in
    admin (`request_user`, set by InstructorProfileInline.get_formset)."""

    request_user = None

    def save_new(self, form, commit=True):
        services.user_update_profile(
            actor=self.request_user, user=self.instance, data=changed(form, services.PROFILE_FIELDS)
        )
        return InstructorProfile.objects.get(user=self.instance)

    def save_existing(self, form, obj, commit=True):
        services.user_update_profile(
            actor=self.request_user, user=self.instance, data=changed(form, services.PROFILE_FIELDS)
        )
        obj.refresh_from_db()
        return obj


class InstructorProfileInline(admin.StackedInline):
    model = InstructorProfile
    formset = InstructorProfileFormSet
    can_delete = False
    extra = 0
    fields = (*services.PROFILE_FIELDS, "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # a new class on every call
        formset.request_user = request.user
        return formset


class UserCreationForm(forms.ModelForm):
    """Creates users through the same service as the API: validated password, unique e-mail."""

    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "role")

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(services.EMAIL_TAKEN)
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
        """Writes nothing: UserAdmin.save_model creates the user with user_create."""
        return self.instance

    def save_m2m(self):
        pass


class UserChangeForm(DjangoUserChangeForm):
    def clean_email(self):  # as user_set_email checks it, next to the field
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(services.EMAIL_TAKEN)
        return email


class PasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" page: the new password signs the user out everywhere."""

    def save(self, commit=True):
        return services.user_set_password(user=self.user, password=self.cleaned_data["password1"])


@admin.register(User)
class UserAdmin(AuditedReadAdmin, ServiceAdminMixin, DjangoUserAdmin):
    """Users are created by user_create, renamed by user_update_profile and re-addressed by
    user_set_email; roles and active state change only through the actions; nobody is deleted."""

    form = UserChangeForm
    change_password_form = PasswordChangeForm
    ordering = ("-date_joined",)
    list_display = ("email", "first_name", "last_name", "role", "is_active", "date_joined", "last_login")
    list_filter = ("role", "is_active", "language", "date_joined", "erased_at")
    search_fields = ("email", "first_name", "last_name")
    # Role and active state change only through the actions (the services keep the rules).
    readonly_fields = (
        "role",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
        "erased_at",
        "avatar_preview",
    )
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language", "avatar_preview")}),
        (
            _("Role"),
            {
                "fields": ("role", "is_active", "is_staff", "is_superuser"),
                "description": _("Change roles and deactivate with the actions on the user list."),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "erased_at")}),
    )
    add_form = UserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "role", "password")}),
    )
    inlines = [InstructorProfileInline]
    actions = [
        "promote_to_instructor",
        "promote_to_admin",
        "demote_to_student",
        "deactivate",
        "reactivate",
        "erase_now",
    ]

    def get_inlines(self, request, obj):
        return [InstructorProfileInline] if obj and obj.role == Role.INSTRUCTOR else []

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description=_("Avatar"))
    def avatar_preview(self, obj):
        """The avatar (its thumbnail once made); users set it through PATCH /api/v1/auth/me/."""
        avatar = obj.avatar if obj and obj.avatar_id else None
        if avatar is None:
            return "—"
        thumb = avatar.variants.get("thumb") if avatar.derived_at else None
        src = storage.public_url(thumb["jpeg"] if thumb else avatar.key)
        return format_html('<img src="{}" alt="" style="max-width:96px;max-height:96px">', src)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.user_create(
                email=data["email"],
                password=data["password"],
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                role=data["role"],
            )
            adopt(obj, created)
            return
        if "email" in form.changed_data:
            services.user_set_email(actor=request.user, user=obj, email=data["email"])
        names = changed(form, ("first_name", "last_name", "language"))
        if names:
            services.user_update_profile(actor=request.user, user=obj, data=names)

    @admin.action(description=_("Erase personal data at once (cannot be undone)"))
    def erase_now(self, request, queryset):
        """A confirmation page listing what erasure removes and keeps (privacy.admin), then (with
        `apply`) the erasure of each user through privacy.services.erasure_now (audited; a job runs it)."""
        from privacy.admin import erase_confirmation
        from privacy.services import erasure_now

        if "apply" not in request.POST:
            return erase_confirmation(self, request, queryset)
        apply_each(
            self,
            request,
            queryset,
            lambda user: erasure_now(actor=request.user, user=user),
            ngettext_lazy("{count} user is being erased.", "{count} users are being erased.", "count"),
        )
        return None

    @admin.action(description=_("Promote to instructor"))
    def promote_to_instructor(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda u: services.user_set_role(actor=request.user, user=u, role=Role.INSTRUCTOR),
            ngettext_lazy("{count} user promoted to instructor.", "{count} users promoted to instructor.", "count"),
        )

    @admin.action(description=_("Promote to admin"))
    def promote_to_admin(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda u: services.user_set_role(actor=request.user, user=u, role=Role.ADMIN),
            ngettext_lazy("{count} user promoted to admin.", "{count} users promoted to admin.", "count"),
        )

    @admin.action(description=_("Demote to student"))
    def demote_to_student(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda u: services.user_set_role(actor=request.user, user=u, role=Role.STUDENT),
            ngettext_lazy("{count} user demoted to student.", "{count} users demoted to student.", "count"),
        )

    @admin.action(description=_("Deactivate (keeps their records; signs them out)"))
    def deactivate(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda u: services.user_deactivate(actor=request.user, user=u),
            ngettext_lazy("{count} user deactivated.", "{count} users deactivated.", "count"),
        )

    @admin.action(description=_("Reactivate"))
    def reactivate(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda u: services.user_reactivate(actor=request.user, user=u),
            ngettext_lazy("{count} user reactivated.", "{count} users reactivated.", "count"),
        )

    def has_delete_permission(self, request, obj=None):
        # Users are deactivated, never deleted: their orders, grades and certificates must stay.
        return False


@admin.register(InstructorProfile)
class InstructorProfileAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Profiles come with the instructor role (user_create, user_set_role) and stay when it goes;
    an instructor's profile is edited through user_update_profile, a former instructor's is kept
    as it was."""

    list_display = ("user", "headline", "expertise", "updated_at")
    search_fields = ("user__email", "user__first_name", "user__last_name", "headline", "expertise")
    list_select_related = ("user",)
    fields = ("user", *services.PROFILE_FIELDS, "created_at", "updated_at")
    readonly_fields = ("user", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.user.role == Role.INSTRUCTOR)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.user_update_profile(actor=request.user, user=obj.user, data=changed(form, services.PROFILE_FIELDS))


# Not the platform's domain data, but still not edited by hand here:
# - Groups: permissions come from the role (accounts.Role), never from groups, so the page is gone.
# - Refresh tokens: a blacklist entry is a signed-out session; deleting one would let a revoked
#   token work again. Sessions end through the services (logout, user_deactivate,
#   user_set_password). Both token pages are records.
admin.site.unregister(Group)
admin.site.unregister(BlacklistedToken)
admin.site.unregister(OutstandingToken)


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(ReadOnlyAdminMixin, token_admin.OutstandingTokenAdmin):
    pass


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(ReadOnlyAdminMixin, token_admin.BlacklistedTokenAdmin):
    pass


@admin.register(SignInLockout)
class SignInLockoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Accounts locked after too many failed sign-ins, and whether the owner was e-mailed. The lock
    itself lives in the cache and ends by itself (SIGNIN_ACCOUNT_WINDOW_MINUTES); a password reset
    or a password set by staff also lifts it, and so does the action here."""

    list_display = ("user", "locked_at", "locked_until", "address", "notice", "notified_at")
    list_filter = ("notice", "locked_at")
    search_fields = ("user__email", "address")
    date_hierarchy = "locked_at"
    list_select_related = ("user",)
    actions = ["unlock"]

    @admin.action(description=_("Unlock now (forget the account's failed sign-ins)"))
    def unlock(self, request, queryset):
        users = {lockout.user_id: lockout.user for lockout in queryset.select_related("user")}
        apply_each(
            self,
            request,
            users.values(),
            lambda user: services.signin_unlock(actor=request.user, user=user),
            ngettext_lazy("{count} account unlocked.", "{count} accounts unlocked.", "count"),
        )
