from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("admin/activity", views.AdminActivityViewSet, basename="admin-activity")
urlpatterns = router.urls
