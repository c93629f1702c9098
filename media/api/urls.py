from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(use_regex_path=False)
router.register("uploads", views.UploadViewSet, basename="upload")

urlpatterns = router.urls
