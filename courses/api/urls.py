from rest_framework.routers import SimpleRouter

from . import admin_views, views

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("courses", views.CourseViewSet, basename="course")
router.register("instructor/courses", views.InstructorCourseViewSet, basename="instructor-course")
router.register("sections", views.SectionViewSet, basename="section")
router.register("lessons", views.LessonViewSet, basename="lesson")
router.register("me/enrollments", views.MyEnrollmentViewSet, basename="my-enrollment")
router.register("admin/courses", admin_views.AdminCourseViewSet, basename="admin-course")

urlpatterns = router.urls
