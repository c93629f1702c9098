from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("forum/posts", views.PostViewSet, basename="forum-post")
router.register("forum/comments", views.CommentViewSet, basename="forum-comment")
router.register("forum/reports", views.ReportViewSet, basename="forum-report")
router.register("forum/moderation-log", views.ModerationLogViewSet, basename="forum-moderation-log")

urlpatterns = [
    path("courses/<int:course_id>/forum/posts/", views.CourseForumPostsView.as_view(), name="course-forum-posts"),
    *router.urls,
]
