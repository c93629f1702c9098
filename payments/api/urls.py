from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("me/orders", views.MyOrderViewSet, basename="my-order")
router.register("orders", views.OrderViewSet, basename="order")
router.register("coupons", views.CouponViewSet, basename="coupon")

urlpatterns = [
    path("courses/<int:course_id>/checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("courses/<int:course_id>/coupons/", views.CourseCouponsView.as_view(), name="course-coupons"),
    path("payments/stripe/webhook/", views.StripeWebhookView.as_view(), name="stripe-webhook"),
    *router.urls,
]
