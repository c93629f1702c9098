"""The catalog, course management, curriculum and enrollment endpoints. Every object comes from an
access helper (courses.access): viewsets name the need of each action, and write services get the
caller as `actor` and check again."""

from functools import partial

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from courses import cache as course_cache
from courses import release, selectors, services
from courses.access import (
    CHANGE_DENIED,
    category_for,
    course_audience,
    course_for,
    enrollment_for,
    lesson_for,
    section_for,
    sees_public_course_page,
)
from courses.hooks import Waitlisted
from courses.models import Course, Enrollment, Lesson, Section
from courses.progress import progress_for
from lms import http_cache
from lms.api.access import AccessViewSetMixin
from lms.api.permissions import IsAdmin, IsInstructor, IsStudent
from lms.http_cache import PublicReadsMixin

from . import schema
from .cards import CATALOG, ENROLLED, ENROLLMENT_VALUES, enrollment_items, taught_cards
from .filters import CourseFilter
from .serializers import (
    CategoryInputSerializer,
    CategorySerializer,
    CourseDetailSerializer,
    CourseInputSerializer,
    CourseSerializer,
    EnrollInputSerializer,
    EnrollmentSerializer,
    InstructorCourseSerializer,
    LessonInputSerializer,
    LessonSerializer,
    ProgressSerializer,
    ReorderInputSerializer,
    SectionInputSerializer,
    SectionSerializer,
    WaitlistedSerializer,
    progress_data,
    waitlisted_data,
)

MANAGE = "manage"
# The catalog's query parameters that change which courses match (not the page, size or ordering).
COUNTED_FILTERS = frozenset(CourseFilter.base_filters) - {"ordering"}


def _has_signed_links(course_data: dict) -> bool:
    """Whether a rendered course page holds expiring links (a visible lesson's video or files)."""
    return any(
        lesson["video"] is not None or lesson["attachments"]
        for section in course_data["sections"]
        for lesson in section["lessons"]
    )


@schema.CATEGORY
class CategoryViewSet(
    PublicReadsMixin,
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    access = staticmethod(category_for)
    needs = {"partial_update": MANAGE, "destroy": MANAGE}
    queryset = selectors.category_list()
    serializer_class = CategorySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated(), IsAdmin()]

    def create(self, request, *args, **kwargs):
        category = services.category_create(actor=request.user, **CategoryInputSerializer.validated(request))
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = CategoryInputSerializer.validated(request, partial=True)
        category = services.category_update(actor=request.user, category=self.get_object(), data=data)
        return Response(CategorySerializer(category).data)

    def destroy(self, request, *args, **kwargs):
        services.category_delete(actor=request.user, category=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def content_context(request, course, items, *, audience=None) -> dict:
    """The serializer context of a course's items for the caller: whether they may see content
    (`content_visible`), and for an enrolled student their release `schedule` over `items` (which
    their rules may lock); the course's staff and outsiders get none."""
    audience = audience or course_audience(request.user, course)
    schedule = None
    if audience.enrolled and not audience.manages:
        schedule = release.schedule_for(user=request.user, course=course, items=items, manages=False)
    return {"content_visible": audience.content_visible, "schedule": schedule, "request": request}


@schema.COURSE
class CourseViewSet(
    PublicReadsMixin,
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    public_actions = frozenset({"sections", "retrieve", "list"})
    access = staticmethod(partial(course_for, message=CHANGE_DENIED))
    needs = dict.fromkeys(("update", "partial_update", "destroy", "publish", "unpublish", "reorder_sections"), MANAGE)
    filter_backends = [DjangoFilterBackend]
    filterset_class = CourseFilter
    serializer_class = CourseSerializer
    lookup_value_regex = r"[0-9]+"

    def get_permissions(self):
        if self.action in ("list", "retrieve") or (self.action == "sections" and self.request.method == "GET"):
            return [AllowAny()]
        if self.action == "create":
            return [IsAuthenticated(), IsInstructor()]
        if self.action == "enroll":
            return [IsAuthenticated(), IsStudent()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.course_list_public()  # the catalog; a course's own URL goes through course_for

    def get_serializer_class(self):
        return CourseDetailSerializer if self.action == "retrieve" else CourseSerializer

    def filter_queryset(self, queryset):
        # The unfiltered catalog (its front page, the most requested uncached read) skips building
        # the FilterSet and its form: a fifth of the page's time for no filter (bench/README.md).
        if self.action == "list" and CourseFilter.names_none_of(self.request.query_params):
            return CourseFilter.default_order(queryset)
        return super().filter_queryset(queryset)

    def _origin(self) -> str:
        """The page's file URLs are absolute, built from the request: a cached page is served only
        under the origin it was made for."""
        return f"{self.request.scheme}://{self.request.get_host()}"

    def prefetch_cache_keys(self, request) -> list[str]:
        """The cache entries list and retrieve read, for the request's one round trip."""
        if not course_cache.enabled() or self.action not in ("list", "retrieve"):
            return []
        if self.action == "list":
            versions, page = course_cache.catalog_keys(request)
            return [*versions, page, course_cache.catalog_count_key(request, COUNTED_FILTERS)]
        versions, page = course_cache.course_keys(self.kwargs.get("pk"))
        return [*versions, page]

    def _rendered(self, data) -> bytes | None:
        """The JSON body DRF would send for `data`, or None when the caller asked for another format."""
        renderer = self.request.accepted_renderer
        if renderer.format != "json":
            return None
        return renderer.render(data, self.request.accepted_media_type, self.get_renderer_context())

    def _detail_data(self, course_id):
        """The course, the caller's audience and the course page's data for the caller."""
        user = self.request.user
        course = course_for(user, course_id, queryset=selectors.course_list_with_curriculum())
        audience = course_audience(user, course)
        lessons = [lesson for section in course.sections.all() for lesson in section.lessons.all()]
        context = {
            **content_context(self.request, course, lessons, audience=audience),
            "is_enrolled": audience.enrolled,
        }
        return course, audience, CourseDetailSerializer(course, context=context).data

    def _detail(self, course_id, http_status=status.HTTP_200_OK, cache_versions=None):
        course, audience, data = self._detail_data(course_id)
        # What every outsider sees is cacheable, unless a preview lesson carries signed links (they expire).
        if course.is_published and not audience.content_visible and not _has_signed_links(data):
            body = self._rendered(data)
            if body is not None:
                page = course_cache.store(
                    course_cache.course_keys(course.pk),
                    cache_versions,
                    body,
                    instructor=course.instructor_id,
                    origin=self._origin(),
                )
                return self._page_response(page, http_status)
        return Response(data, status=http_status)

    @staticmethod
    def _page_response(page, http_status=status.HTTP_200_OK):
        response = http_cache.RenderedResponse(page.body, status=http_status)
        response["ETag"] = page.etag
        return http_cache.public(http_cache.last_modified(response, page.modified))

    def retrieve(self, request, *args, **kwargs):
        pk = kwargs["pk"]
        found = course_cache.lookup(request, course_cache.course_keys(pk))
        page = found.page
        if (
            page is not None
            and page.extra.get("origin") == self._origin()
            and sees_public_course_page(request.user, course_id=pk, instructor_id=page.extra["instructor"])
        ):
            return self._page_response(page)
        return self._detail(pk, cache_versions=found.versions)

    def list(self, request, *args, **kwargs):
        keys = course_cache.catalog_keys(request) if course_cache.enabled() else None
        found = course_cache.lookup(request, keys) if keys else course_cache.Lookup(None, None)
        if found.page is not None:
            return self._page_response(found.page)
        # Another page of the same filters may have counted the matches already (a COUNT over the
        # whole catalog is most of an uncached page's time in the database).
        count_key = course_cache.catalog_count_key(request, COUNTED_FILTERS) if keys else None
        self.paginator.count_hint = course_cache.cached_count(request, count_key, found.versions) if keys else None
        # Cards from plain rows (cards.py), not model instances through CourseSerializer: same output.
        response = self.get_paginated_response(CATALOG.cards(self._page_rows(request), request))
        if keys and self.paginator.count_hint is None and response.data.get("count") is not None:
            course_cache.store_count(count_key, found.versions, response.data["count"])
        body = self._rendered(response.data)
        if body is None:
            return http_cache.public(response)
        return self._page_response(course_cache.store(keys, found.versions, body))

    def _page_rows(self, request):
        """The page's catalog rows. The first page of a listing in one query; a later page or a
        search takes the page's ids first, then their rows: an OFFSET otherwise joins and reads
        every wide row it skips, and a search joins and sorts every match before keeping 20
        (bench/plans/change-late-page-deferred-join.txt, change-search-window-count.txt)."""
        queryset = self.filter_queryset(self.get_queryset())
        if request.query_params.get("page", "1") in ("", "1") and not request.query_params.get("search"):
            return self.paginate_queryset(queryset.values(*CATALOG.names))
        ids = list(self.paginate_queryset(queryset.values_list("pk", flat=True)))
        rows = {row["id"]: row for row in self.get_queryset().filter(pk__in=ids).values(*CATALOG.names)}
        return [rows[pk] for pk in ids if pk in rows]  # a course unpublished in between is left out

    def create(self, request, *args, **kwargs):
        course = services.course_create(instructor=request.user, **CourseInputSerializer.validated(request))
        return self._detail(course.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        data = CourseInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        course = services.course_update(actor=request.user, course=self.get_object(), data=data)
        return self._detail(course.pk)

    def destroy(self, request, *args, **kwargs):
        services.course_delete(actor=request.user, course=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        services.course_publish(actor=request.user, course=self.get_object())
        return self._detail(pk)

    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        services.course_unpublish(actor=request.user, course=self.get_object())
        return self._detail(pk)

    @action(detail=True, methods=["post"])
    def enroll(self, request, pk=None):
        # Visible is enough here: enrollment_create refuses what is not published and free.
        data = EnrollInputSerializer.validated(request)
        enrollment = services.enrollment_create(
            student=request.user, course=self.get_object(), cohort=data.get("cohort"), waitlist=data["waitlist"]
        )
        if isinstance(enrollment, Waitlisted):  # a full cohort's waitlist: nothing enrolled yet
            return Response(WaitlistedSerializer(waitlisted_data(enrollment)).data, status=status.HTTP_202_ACCEPTED)
        context = {"progress": progress_for([enrollment])}
        return Response(EnrollmentSerializer(enrollment, context=context).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        enrollment = enrollment_for(request.user, pk)
        return Response(ProgressSerializer(progress_data(enrollment, progress_for([enrollment])[enrollment.pk])).data)

    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def sections(self, request, pk=None):
        if request.method == "GET":
            return Response(self._detail_data(pk)[2]["sections"])
        course = course_for(request.user, pk, need=MANAGE, message=CHANGE_DENIED)
        section = services.section_create(
            actor=request.user, course=course, **SectionInputSerializer.validated(request)
        )
        context = {"content_visible": True, "request": request}
        return Response(SectionSerializer(section, context=context).data, status=201)

    @action(detail=True, methods=["post"], url_path="sections/reorder", pagination_class=None, filter_backends=[])
    def reorder_sections(self, request, pk=None):
        ids = ReorderInputSerializer.validated(request)["order"]
        services.sections_reorder(actor=request.user, course=self.get_object(), ids=ids)
        return Response(self._detail_data(pk)[2]["sections"])


@schema.INSTRUCTOR_COURSE
class InstructorCourseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Course.objects.none()  # for the schema; requests use get_queryset
    serializer_class = InstructorCourseSerializer
    permission_classes = [IsAuthenticated, IsInstructor]

    def get_queryset(self):
        return selectors.course_list_for_instructor(self.request.user).order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        # Cards from plain rows (cards.py), not instances through InstructorCourseSerializer: same output.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values(*CATALOG.names, "revenue"))
        return self.get_paginated_response(taught_cards(page, request))


@schema.SECTION
class SectionViewSet(
    PublicReadsMixin,
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    public_actions = frozenset({"lessons", "retrieve"})
    access = staticmethod(section_for)
    needs = dict.fromkeys(("update", "partial_update", "destroy", "reorder_lessons"), MANAGE)
    queryset = Section.objects.none()  # for the schema; objects come from section_for
    serializer_class = SectionSerializer

    def get_permissions(self):
        if self.action == "retrieve" or (self.action == "lessons" and self.request.method == "GET"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def _render(self, section, http_status=status.HTTP_200_OK):
        context = content_context(self.request, section.course, section.lessons.all())
        return Response(SectionSerializer(section, context=context).data, status=http_status)

    def retrieve(self, request, *args, **kwargs):
        return self._render(section_for(request.user, kwargs["pk"], queryset=selectors.section_list_with_lessons()))

    def update(self, request, *args, **kwargs):
        data = SectionInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        return self._render(services.section_update(actor=request.user, section=self.get_object(), data=data))

    def destroy(self, request, *args, **kwargs):
        services.section_delete(actor=request.user, section=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def lessons(self, request, pk=None):
        if request.method == "GET":
            section = self.get_object()
            lessons = list(selectors.lesson_list_with_media().filter(section=section))
            context = content_context(request, section.course, lessons)
            return Response(LessonSerializer(lessons, many=True, context=context).data)
        section = section_for(request.user, pk, need=MANAGE)
        lesson = services.lesson_create(actor=request.user, section=section, **LessonInputSerializer.validated(request))
        context = {"content_visible": True, "request": request}
        return Response(LessonSerializer(lesson, context=context).data, status=201)

    @action(detail=True, methods=["post"], url_path="lessons/reorder", pagination_class=None)
    def reorder_lessons(self, request, pk=None):
        ids = ReorderInputSerializer.validated(request)["order"]
        section = self.get_object()
        services.lessons_reorder(actor=request.user, section=section, ids=ids)
        lessons = selectors.lesson_list_with_media().filter(section=section)
        return Response(
            LessonSerializer(lessons, many=True, context={"content_visible": True, "request": request}).data
        )


@schema.LESSON
class LessonViewSet(
    PublicReadsMixin,
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    public_actions = frozenset({"retrieve"})
    access = staticmethod(lesson_for)
    # `complete` needs "read": lesson_complete answers those not enrolled (403 `not_enrolled`).
    needs = dict.fromkeys(("update", "partial_update", "destroy"), MANAGE)
    queryset = Lesson.objects.none()  # for the schema; objects come from lesson_for
    serializer_class = LessonSerializer

    def get_permissions(self):
        return [AllowAny()] if self.action == "retrieve" else [IsAuthenticated()]

    def _render(self, lesson):
        return Response(LessonSerializer(lesson, context=content_context(self.request, lesson.course, [lesson])).data)

    def retrieve(self, request, *args, **kwargs):
        return self._render(self.get_object())

    def update(self, request, *args, **kwargs):
        data = LessonInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        return self._render(services.lesson_update(actor=request.user, lesson=self.get_object(), data=data))

    def destroy(self, request, *args, **kwargs):
        services.lesson_delete(actor=request.user, lesson=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        enrollment, progress = services.lesson_complete(student=request.user, lesson=self.get_object())
        return Response(ProgressSerializer(progress_data(enrollment, progress)).data)


@schema.MY_ENROLLMENT
class MyEnrollmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Enrollment.objects.none()  # for the schema; requests use get_queryset
    serializer_class = EnrollmentSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.enrollment_list_for_student(self.request.user)

    def list(self, request, *args, **kwargs):
        # Items from plain rows (cards.py), not instances through EnrollmentSerializer: same output.
        queryset = self.filter_queryset(self.get_queryset()).values(*ENROLLMENT_VALUES, *ENROLLED.names)
        return self.get_paginated_response(enrollment_items(self.paginate_queryset(queryset), request))
