from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from lms.admin_actions import ReadOnlyAdminMixin, ServiceAdminMixin, adopt, apply_each, changed
from lms.audit import AuditedReadAdmin

from . import services
from .models import Coupon, Order, StripeEvent


@admin.register(Order)
class OrderAdmin(AuditedReadAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders change only through Stripe's events and the refund action. Viewing one is a read of the
    student's personal data (the audit log)."""

    audit_subject_field = "student"

    list_display = ("id", "student", "course", "amount", "currency", "status", "coupon", "created_at", "paid_at")
    list_filter = ("status", "currency", "created_at", "course")
    search_fields = ("id", "student__email", "course__title", "payment_intent_id")
    list_select_related = ("student", "course", "coupon")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Order._meta.fields if f.name != "client_secret"]
    exclude = ("client_secret",)
    actions = ["refund"]

    @admin.action(description=gettext_lazy("Refund through Stripe (ends the student's access)"))
    def refund(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda order: services.order_refund(order=order, actor=request.user),
            ngettext_lazy("{count} order refunded.", "{count} orders refunded.", "count"),
        )


class CouponForm(forms.ModelForm):
    """The coupon fields, checked as the API checks them."""

    code = forms.RegexField(
        r"^[A-Za-z0-9_-]{3,40}$",
        max_length=40,
        label=capfirst(Coupon._meta.get_field("code").verbose_name),
        error_messages={"invalid": services.CODE_SHAPE},
    )

    class Meta:
        model = Coupon
        fields = ("course", *services.COUPON_FIELDS)

    def clean(self):
        """The services' own rules, next to the fields they name (coupon_create and coupon_update
        check them again when saving)."""
        data = super().clean()
        course = data.get("course") if "course" in self.fields else self.instance.course
        merged = {f: data.get(f, getattr(self.instance, f)) for f in services.COUPON_FIELDS}
        try:
            services._check_coupon_shape(merged)
            if course is not None and merged["code"]:
                services._check_code_free(course, merged["code"], exclude_pk=self.instance.pk)
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


@admin.register(Coupon)
class CouponAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Written by coupon_create / coupon_update / coupon_delete (one discount kind, a code unique
    per course); the use counters change only with orders."""

    form = CouponForm
    list_display = (
        "code",
        "course",
        "percent_off",
        "amount_off",
        "redemptions",
        "reserved",
        "max_redemptions",
        "expires_at",
        "active",
    )
    list_filter = ("active", "expires_at")
    search_fields = ("code", "course__title")
    list_select_related = ("course",)
    raw_id_fields = ("course",)
    readonly_fields = ("redemptions", "reserved", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return ("course", *self.readonly_fields) if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            services.coupon_update(actor=request.user, coupon=obj, data=changed(form, services.COUPON_FIELDS))
        else:
            data = form.cleaned_data
            fields = {f: data[f] for f in services.COUPON_FIELDS if f in data}
            adopt(obj, services.coupon_create(actor=request.user, course=data["course"], **fields))

    def delete_model(self, request, obj):
        if services.coupon_delete(actor=request.user, coupon=obj) == "deactivated":
            self.message_user(
                request, _("{coupon} is on orders, so it was deactivated instead.").format(coupon=obj), messages.WARNING
            )


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: each row is how a webhook event was handled, and what makes it handled once."""

    list_display = ("id", "type", "order", "outcome", "received_at")
    list_filter = ("type", "outcome", "received_at")
    search_fields = ("id", "order__id")
    readonly_fields = [f.name for f in StripeEvent._meta.fields]
