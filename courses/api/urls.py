from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("courses", views.CourseViewSet, basename="course")
router.register("instructor/courses", views.InstructorCourseViewSet, basename="instructor-course")
router.register("sections", views.SectionViewSet, basename="section")
router.register("lessons", views.LessonViewSet, basename="lesson")
router.register("me/enrollments", views.MyEnrollmentViewSet, basename="my-enrollment")

urlpatterns = router.urls
