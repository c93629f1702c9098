from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/student/", views.StudentDashboardView.as_view(), name="dashboard-student"),
    path("dashboard/instructor/", views.InstructorDashboardView.as_view(), name="dashboard-instructor"),
    path("dashboard/admin/", views.AdminDashboardView.as_view(), name="dashboard-admin"),
    path("admin/reports/<str:name>/", views.AdminReportView.as_view(), name="admin-report"),
    path("instructor/reports/<str:name>/", views.InstructorReportView.as_view(), name="instructor-report"),
]
