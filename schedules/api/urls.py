from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("live-sessions", views.LiveSessionViewSet, basename="live-session")

urlpatterns = [
    path("courses/<int:course_id>/cohorts/", views.CourseCohortsView.as_view(), name="course-cohorts"),
    path("courses/<int:course_id>/live-sessions/", views.CourseLiveSessionsView.as_view(), name="course-live-sessions"),
    path("me/calendar/", views.MyCalendarView.as_view(), name="my-calendar"),
    path("me/calendar/token/", views.MyCalendarTokenView.as_view(), name="my-calendar-token"),
    path("me/calendar.ics", views.MyCalendarFeedView.as_view(), name="my-calendar-feed"),
    *router.urls,
]
