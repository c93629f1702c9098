from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("cohorts", views.CohortViewSet, basename="cohort")

urlpatterns = [
    path("courses/<int:course_id>/cohorts/", views.CourseCohortsView.as_view(), name="course-cohorts"),
    *router.urls,
]
