from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("courses/<int:course_id>/announcements/", views.CourseAnnouncementsView.as_view(), name="announcements"),
    *router.urls,
]
