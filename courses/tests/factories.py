from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import InstructorFactory, StudentFactory
from courses.models import Category, Course, CourseStatus, Enrollment, Lesson, Section


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class CourseFactory(factory.django.DjangoModelFactory):
    """A draft course; use PublishedCourseFactory for one in the catalog (it gets a lesson)."""

    class Meta:
        model = Course

    instructor = factory.SubFactory(InstructorFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    subtitle = "Learn something useful"
    description = "A thorough course."
    level = "beginner"
    price = Decimal("0.00")
    currency = "USD"
    status = CourseStatus.DRAFT


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(lambda n: n + 1)


class LessonFactory(factory.django.DjangoModelFactory):
    """Creates the lesson and keeps the course's stored lesson_count right (as the service does)."""

    class Meta:
        model = Lesson

    section = factory.SubFactory(SectionFactory)
    course = factory.LazyAttribute(lambda o: o.section.course)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    content = "The full lesson text."
    video_url = "https://videos.example.com/lesson.mp4"
    duration_seconds = 300
    is_preview = False
    order = factory.Sequence(lambda n: n + 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        lesson = super()._create(model_class, *args, **kwargs)
        Course.objects.filter(pk=lesson.course_id).update(lesson_count=lesson.course.lessons.count())
        lesson.course.refresh_from_db(fields=["lesson_count"])
        return lesson


class PublishedCourseFactory(CourseFactory):
    class Meta:
        skip_postgeneration_save = True

    status = CourseStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def lessons(self, create, extracted, **kwargs):
        if not create:
            return
        for _ in range(extracted if extracted is not None else 1):
            LessonFactory(section=SectionFactory(course=self))


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    student = factory.SubFactory(StudentFactory)
    course = factory.SubFactory(PublishedCourseFactory)
    source = "free"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        enrollment = super()._create(model_class, *args, **kwargs)
        Course.objects.filter(pk=enrollment.course_id).update(
            enrollment_count=enrollment.course.enrollments.filter(status="active").count()
        )
        return enrollment
