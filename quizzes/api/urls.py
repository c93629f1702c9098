from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("quizzes", views.QuizViewSet, basename="quiz")
router.register("questions", views.QuestionViewSet, basename="question")
router.register("attempts", views.AttemptViewSet, basename="attempt")

urlpatterns = [
    path("courses/<int:course_id>/quizzes/", views.CourseQuizzesView.as_view(), name="course-quizzes"),
    *router.urls,
]
