from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("submissions", views.SubmissionViewSet, basename="submission")

urlpatterns = [
    path("sections/<int:section_id>/assignments/", views.SectionAssignmentsView.as_view(), name="section-assignments"),
    *router.urls,
]
