from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from courses import access, selectors, services
from courses import cache as course_cache
from courses.models import Category, Course, Enrollment
from courses.progress import progress_for
from lms.api.permissions import IsAdmin, IsInstructor, IsStudent
from lms.api.responses import body, errors, ok

from . import examples as ex
from .filters import CourseFilter
from .permissions import IsCourseManager
from .serializers import (
    CategoryInputSerializer,
    CategorySerializer,
    CourseDetailSerializer,
    CourseInputSerializer,
    CourseSerializer,
    EnrollmentSerializer,
    InstructorCourseSerializer,
    LessonInputSerializer,
    LessonSerializer,
    ProgressSerializer,
    ReorderInputSerializer,
    SectionInputSerializer,
    SectionSerializer,
    progress_data,
)

WRITE_ERRORS = errors(400, 401, 403, 404)
# A lesson's text may be long enough to pass the request size limit.
LESSON_WRITE_ERRORS = errors(400, 401, 403, 404, 413)


@extend_schema_view(
    list=extend_schema(
        examples=[ok(ex.CATEGORY)],
        summary="Categories",
        responses={200: CategorySerializer(many=True), **errors(404)},
        tags=["catalog"],
    ),
    retrieve=extend_schema(
        summary="A category",
        responses={200: CategorySerializer, **errors(404)},
        examples=[ok(ex.CATEGORY)],
        tags=["catalog"],
    ),
    create=extend_schema(
        request=CategoryInputSerializer,
        responses={201: CategorySerializer, **WRITE_ERRORS},
        examples=[
            body({"name": "Data science", "slug": "data-science"}),
            ok({"id": 4, "name": "Data science", "slug": "data-science"}, status=201),
        ],
        summary="Create a category (admin)",
        tags=["catalog"],
    ),
    partial_update=extend_schema(
        request=CategoryInputSerializer,
        responses={200: CategorySerializer, **WRITE_ERRORS},
        examples=[body({"name": "Programming languages"}), ok({**ex.CATEGORY, "name": "Programming languages"})],
        summary="Rename a category (admin)",
        tags=["catalog"],
    ),
    destroy=extend_schema(
        responses={204: None, **errors(401, 403, 404, 409)},
        summary="Delete an empty category (admin)",
        tags=["catalog"],
    ),
)
class CategoryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Category.objects.order_by("name")
    serializer_class = CategorySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated(), IsAdmin()]

    def create(self, request, *args, **kwargs):
        category = services.category_create(**CategoryInputSerializer.validated(request))
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = CategoryInputSerializer.validated(request, partial=True)
        category = services.category_update(category=self.get_object(), data=data)
        return Response(CategorySerializer(category).data)

    def destroy(self, request, *args, **kwargs):
        services.category_delete(category=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        examples=[ok(ex.COURSE)],
        summary="The published catalog",
        responses={200: CourseSerializer(many=True), **errors(400, 404)},
        tags=["catalog"],
    ),
    retrieve=extend_schema(
        examples=[ok(ex.COURSE_DETAIL)],
        summary="A course with its curriculum",
        responses={200: CourseDetailSerializer, **errors(404)},
        tags=["catalog"],
    ),
    create=extend_schema(
        request=CourseInputSerializer,
        responses={201: CourseDetailSerializer, **WRITE_ERRORS},
        examples=[body(ex.COURSE_INPUT), ok(ex.NEW_COURSE, status=201)],
        summary="Create a draft course (instructor)",
        tags=["courses"],
    ),
    update=extend_schema(
        request=CourseInputSerializer,
        responses={200: CourseDetailSerializer, **WRITE_ERRORS},
        examples=[body(ex.COURSE_REPLACE), ok(ex.COURSE_DETAIL)],
        summary="Replace a course's details (owner, admin)",
        tags=["courses"],
    ),
    partial_update=extend_schema(
        request=CourseInputSerializer,
        responses={200: CourseDetailSerializer, **WRITE_ERRORS},
        examples=[body({"subtitle": "Your first programs, step by step"}), ok(ex.COURSE_DETAIL)],
        summary="Update a course (owner, admin)",
        tags=["courses"],
    ),
    destroy=extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete a course; one with enrollments is archived instead (owner, admin)",
        tags=["courses"],
    ),
)
class CourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    filter_backends = [DjangoFilterBackend]
    filterset_class = CourseFilter
    serializer_class = CourseSerializer
    lookup_value_regex = r"[0-9]+"
    manage_actions = ("update", "partial_update", "destroy", "publish", "unpublish", "sections", "reorder_sections")

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        if self.action == "create":
            return [IsAuthenticated(), IsInstructor()]
        if self.action == "enroll":
            return [IsAuthenticated(), IsStudent()]
        if self.action == "sections" and self.request.method == "GET":
            return [AllowAny()]
        if self.action in self.manage_actions:
            return [IsAuthenticated(), IsCourseManager()]
        return [IsAuthenticated()]

    def get_queryset(self):
        if self.action == "list":
            return selectors.course_list_public()
        return selectors.course_list_for_user(self.request.user).select_related("category", "instructor")

    def get_serializer_class(self):
        return CourseDetailSerializer if self.action == "retrieve" else CourseSerializer

    def filter_queryset(self, queryset):
        # The catalog's filters narrow the list only: a course's own URL (update, publish, its
        # sections...) names it whatever the query string says.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _detail(self, course_id, http_status=status.HTTP_200_OK):
        user = self.request.user
        try:
            course = selectors.course_get_for_user(user, course_id)
        except Course.DoesNotExist as exc:
            raise Http404 from exc
        is_manager = user.is_authenticated and access.can_manage_course(user, course)
        enrolled = user.is_authenticated and selectors.enrollment_get_active(student=user, course=course) is not None
        context = {"content_visible": is_manager or enrolled, "is_enrolled": enrolled}
        data = CourseDetailSerializer(course, context=context).data
        if course.is_published and not (is_manager or enrolled):  # what every outsider sees: cacheable
            course_cache.put(course_cache.course_key(course.pk), {"instructor": course.instructor_id, "data": data})
        return Response(data, status=http_status)

    def retrieve(self, request, *args, **kwargs):
        cached = course_cache.get(course_cache.course_key(kwargs["pk"])) if course_cache.enabled() else None
        if cached is not None and self._sees_public_view(request.user, kwargs["pk"], cached["instructor"]):
            return Response(cached["data"])
        return self._detail(kwargs["pk"])

    @staticmethod
    def _sees_public_view(user, course_id, instructor_id) -> bool:
        """Outsiders (not the owner, not an admin, not enrolled) all see the same page."""
        if not user.is_authenticated:
            return True
        if user.role == "admin" or user.pk == instructor_id:
            return False
        return not Enrollment.objects.filter(student=user, course_id=course_id, status="active").exists()

    def list(self, request, *args, **kwargs):
        if not course_cache.enabled():
            return super().list(request, *args, **kwargs)
        key = course_cache.catalog_key(request)
        data = course_cache.get(key)
        if data is None:
            response = super().list(request, *args, **kwargs)
            course_cache.put(key, dict(response.data))
            return response
        return Response(data)

    def create(self, request, *args, **kwargs):
        data = CourseInputSerializer.validated(request)
        course = services.course_create(instructor=request.user, **data)
        return self._detail(course.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        data = CourseInputSerializer.validated(request, partial=partial)
        course = services.course_update(course=self.get_object(), data=data)
        return self._detail(course.pk)

    def destroy(self, request, *args, **kwargs):
        services.course_delete(course=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: CourseDetailSerializer, **errors(400, 401, 403, 404)},
        examples=[ok(ex.COURSE_DETAIL)],
        summary="Publish (needs at least one lesson)",
        tags=["courses"],
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        services.course_publish(course=self.get_object())
        return self._detail(pk)

    @extend_schema(
        request=None,
        responses={200: CourseDetailSerializer, **errors(401, 403, 404)},
        examples=[ok({**ex.COURSE_DETAIL, "status": "draft", "is_enrolled": False})],
        summary="Unpublish (back to draft; enrolled students keep access)",
        tags=["courses"],
    )
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        services.course_unpublish(course=self.get_object())
        return self._detail(pk)

    @extend_schema(
        request=None,
        responses={201: EnrollmentSerializer, **errors(401, 402, 403, 404, 409)},
        examples=[ok({**ex.ENROLLMENT, "progress_percent": 0}, status=201)],
        summary="Enroll in a free course (student)",
        tags=["enrollment"],
    )
    @action(detail=True, methods=["post"])
    def enroll(self, request, pk=None):
        course = self._published_course(pk)
        enrollment = services.enrollment_create(student=request.user, course=course)
        return Response(
            EnrollmentSerializer(enrollment, context={"progress": progress_for([enrollment])}).data,
            status=status.HTTP_201_CREATED,
        )

    def _published_course(self, pk) -> Course:
        course = selectors.course_list_public().filter(pk=pk).first()
        if course is None:
            raise Http404
        return course

    @extend_schema(
        responses={200: ProgressSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.PROGRESS)],
        summary="My progress in this course (enrolled)",
        tags=["enrollment"],
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        course = self.get_object()
        enrollment = selectors.enrollment_get_active(student=request.user, course=course)
        if enrollment is None:
            return Response({"detail": "You are not enrolled in this course."}, status=status.HTTP_403_FORBIDDEN)
        enrollment.course = course
        return Response(ProgressSerializer(progress_data(enrollment, progress_for([enrollment])[enrollment.pk])).data)

    @extend_schema(
        methods=["GET"],
        responses={200: SectionSerializer(many=True), **errors(404)},
        examples=[ok(ex.SECTION)],
        summary="The course's sections, in order, with their lessons",
        tags=["curriculum"],
    )
    @extend_schema(
        methods=["POST"],
        request=SectionInputSerializer,
        responses={201: SectionSerializer, **WRITE_ERRORS},
        examples=[
            body({"title": "Functions", "order": 3}),
            ok({"id": 7, "title": "Functions", "order": 3, "lessons": []}, status=201),
        ],
        summary="Add a section (owner, admin)",
        tags=["curriculum"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def sections(self, request, pk=None):
        course = self.get_object()
        if request.method == "GET":
            return self._detail_sections(course)
        section = services.section_create(course=course, **SectionInputSerializer.validated(request))
        return Response(SectionSerializer(section, context={"content_visible": True}).data, status=201)

    def _detail_sections(self, course):
        response = self._detail(course.pk)
        return Response(response.data["sections"])

    @extend_schema(
        request=ReorderInputSerializer,
        responses={200: SectionSerializer(many=True), **WRITE_ERRORS},
        examples=[body({"order": [2, 1]}), ok({**ex.SECTION, "order": 2})],
        summary="Reorder every section of the course (owner, admin)",
        tags=["curriculum"],
    )
    @action(detail=True, methods=["post"], url_path="sections/reorder", pagination_class=None, filter_backends=[])
    def reorder_sections(self, request, pk=None):
        course = self.get_object()
        services.sections_reorder(course=course, ids=ReorderInputSerializer.validated(request)["order"])
        return self._detail_sections(course)


class InstructorCourseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Course.objects.none()  # for the schema; requests use get_queryset
    serializer_class = InstructorCourseSerializer
    permission_classes = [IsAuthenticated, IsInstructor]

    def get_queryset(self):
        return selectors.course_list_for_instructor(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        examples=[ok(ex.INSTRUCTOR_COURSE)],
        summary="My courses, every status (instructor)",
        responses={200: InstructorCourseSerializer(many=True), **errors(401, 403, 404)},
        tags=["courses"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: SectionSerializer, **errors(404)},
        examples=[ok(ex.SECTION)],
        summary="A section",
        tags=["curriculum"],
    ),
    update=extend_schema(
        request=SectionInputSerializer,
        responses={200: SectionSerializer, **WRITE_ERRORS},
        examples=[body({"title": "Getting started", "order": 1}), ok(ex.SECTION)],
        summary="Rename or move a section (owner, admin)",
        tags=["curriculum"],
    ),
    partial_update=extend_schema(
        request=SectionInputSerializer,
        responses={200: SectionSerializer, **WRITE_ERRORS},
        examples=[body({"title": "Setting up"}), ok({**ex.SECTION, "title": "Setting up"})],
        summary="Rename or move a section (owner, admin)",
        tags=["curriculum"],
    ),
    destroy=extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete a section and its lessons (owner, admin)",
        tags=["curriculum"],
    ),
)
class SectionViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = SectionSerializer

    def get_permissions(self):
        if self.action == "retrieve" or (self.action == "lessons" and self.request.method == "GET"):
            return [AllowAny()]
        return [IsAuthenticated(), IsCourseManager()]

    def get_queryset(self):
        return selectors.section_list_for_user(self.request.user).prefetch_related("lessons")

    def _render(self, section, http_status=status.HTTP_200_OK):
        visible = access.can_read_content(self.request.user, section.course)
        return Response(SectionSerializer(section, context={"content_visible": visible}).data, status=http_status)

    def retrieve(self, request, *args, **kwargs):
        return self._render(self.get_object())

    def update(self, request, *args, **kwargs):
        data = SectionInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        section = services.section_update(section=self.get_object(), data=data)
        return self._render(self.get_queryset().get(pk=section.pk))

    def destroy(self, request, *args, **kwargs):
        services.section_delete(section=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        responses={200: LessonSerializer(many=True), **errors(404)},
        examples=[ok(ex.LESSON)],
        summary="The section's lessons, in order",
        tags=["curriculum"],
    )
    @extend_schema(
        methods=["POST"],
        request=LessonInputSerializer,
        responses={201: LessonSerializer, **LESSON_WRITE_ERRORS},
        examples=[body(ex.LESSON_INPUT), ok(ex.NEW_LESSON, status=201)],
        summary="Add a lesson (owner, admin)",
        tags=["curriculum"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def lessons(self, request, pk=None):
        section = self.get_object()
        if request.method == "GET":
            visible = access.can_read_content(request.user, section.course)
            lessons = section.lessons.order_by("order", "id")
            return Response(LessonSerializer(lessons, many=True, context={"content_visible": visible}).data)
        lesson = services.lesson_create(section=section, **LessonInputSerializer.validated(request))
        return Response(LessonSerializer(lesson, context={"content_visible": True}).data, status=201)

    @extend_schema(
        request=ReorderInputSerializer,
        responses={200: LessonSerializer(many=True), **WRITE_ERRORS},
        examples=[body({"order": [2, 1]}), ok({**ex.LESSON, "order": 1})],
        summary="Reorder every lesson of the section (owner, admin)",
        tags=["curriculum"],
    )
    @action(detail=True, methods=["post"], url_path="lessons/reorder", pagination_class=None)
    def reorder_lessons(self, request, pk=None):
        section = self.get_object()
        lessons = services.lessons_reorder(section=section, ids=ReorderInputSerializer.validated(request)["order"])
        return Response(LessonSerializer(lessons, many=True, context={"content_visible": True}).data)


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: LessonSerializer, **errors(404)},
        examples=[ok(ex.LESSON)],
        summary="A lesson (content only for previews, enrolled students, the owner and admins)",
        tags=["curriculum"],
    ),
    update=extend_schema(
        request=LessonInputSerializer,
        responses={200: LessonSerializer, **LESSON_WRITE_ERRORS},
        examples=[body({k: v for k, v in ex.LESSON.items() if k not in ("id", "section", "locked")}), ok(ex.LESSON)],
        summary="Replace a lesson (owner, admin)",
        tags=["curriculum"],
    ),
    partial_update=extend_schema(
        request=LessonInputSerializer,
        responses={200: LessonSerializer, **LESSON_WRITE_ERRORS},
        examples=[body({"duration_seconds": 600}), ok({**ex.LESSON, "duration_seconds": 600})],
        summary="Update a lesson (owner, admin)",
        tags=["curriculum"],
    ),
    destroy=extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        summary="Delete a lesson (owner, admin)",
        tags=["curriculum"],
    ),
)
class LessonViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = LessonSerializer

    def get_permissions(self):
        if self.action == "retrieve":
            return [AllowAny()]
        if self.action == "complete":
            return [IsAuthenticated()]
        return [IsAuthenticated(), IsCourseManager()]

    def get_queryset(self):
        return selectors.lesson_list_for_user(self.request.user)

    def _render(self, lesson):
        visible = access.can_read_content(self.request.user, lesson.course)
        return Response(LessonSerializer(lesson, context={"content_visible": visible}).data)

    def retrieve(self, request, *args, **kwargs):
        return self._render(self.get_object())

    def update(self, request, *args, **kwargs):
        data = LessonInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        return self._render(services.lesson_update(lesson=self.get_object(), data=data))

    def destroy(self, request, *args, **kwargs):
        services.lesson_delete(lesson=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: ProgressSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.PROGRESS)],
        summary="Mark the lesson done (enrolled; idempotent); returns my progress",
        tags=["enrollment"],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        enrollment, progress = services.lesson_complete(student=request.user, lesson=self.get_object())
        return Response(ProgressSerializer(progress_data(enrollment, progress)).data)


class MyEnrollmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Enrollment.objects.none()  # for the schema; requests use get_queryset
    serializer_class = EnrollmentSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.enrollment_list_for_student(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "progress": getattr(self, "_progress", {})}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._progress = progress_for(page if page is not None else queryset)
        return page

    @extend_schema(
        examples=[ok(ex.ENROLLMENT)],
        summary="My enrollments with progress",
        responses={200: EnrollmentSerializer(many=True), **errors(400, 401, 404)},
        tags=["enrollment"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
