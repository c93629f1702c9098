from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("instructor/reviews", views.InstructorReviewViewSet, basename="instructor-review")

urlpatterns = [
    path("courses/<int:course_id>/reviews/", views.CourseReviewsView.as_view(), name="course-reviews"),
    *router.urls,
]
