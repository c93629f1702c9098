from django.urls import path

from . import views

urlpatterns = [
    path("courses/<int:course_id>/grading/", views.CourseGradingView.as_view(), name="course-grading"),
    path("courses/<int:course_id>/gradebook/", views.GradebookView.as_view(), name="course-gradebook"),
    path("me/courses/<int:course_id>/grades/", views.MyGradesView.as_view(), name="my-course-grades"),
]
