from django.contrib import admin

from lms.admin_actions import apply_each

from . import services
from .models import Coupon, Order, StripeEvent


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders change only through Stripe's events and the refund action."""

    list_display = ("id", "student", "course", "amount", "currency", "status", "coupon", "created_at", "paid_at")
    list_filter = ("status", "currency", "created_at", "course")
    search_fields = ("id", "student__email", "course__title", "payment_intent_id")
    list_select_related = ("student", "course", "coupon")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Order._meta.fields if f.name != "client_secret"]
    exclude = ("client_secret",)
    actions = ["refund"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Refund through Stripe (ends the student's access)")
    def refund(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda order: services.order_refund(order=order, actor=request.user),
            "order(s) refunded",
        )


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
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


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "order", "outcome", "received_at")
    list_filter = ("type", "outcome", "received_at")
    search_fields = ("id", "order__id")
    readonly_fields = [f.name for f in StripeEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
