from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("admin/webhooks", views.WebhookEndpointViewSet, basename="admin-webhook")

urlpatterns = router.urls
