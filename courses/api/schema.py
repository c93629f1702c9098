"""The OpenAPI description of courses/api/views.py and admin_views.py, one `described` class
decorator per view class (the tag, then each action's `extend_schema`): summaries, request bodies,
responses per status code and examples (bodies in examples.py). Kept apart so that the views read as
what they do."""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from lms.api.responses import body, described, error_of, errors, ok

from . import examples as ex
from .serializers import (
    AdminCourseStatusInputSerializer,
    CategoryInputSerializer,
    CategorySerializer,
    CourseDetailSerializer,
    CourseInputSerializer,
    CourseSerializer,
    EnrollInputSerializer,
    EnrollmentConflictSerializer,
    EnrollmentSerializer,
    InstructorCourseSerializer,
    ItemLockedSerializer,
    LessonInputSerializer,
    LessonSerializer,
    ProgressSerializer,
    ReorderInputSerializer,
    SectionInputSerializer,
    SectionSerializer,
    WaitlistedSerializer,
)

READ_ERRORS = errors(404)
WRITE_ERRORS = errors(400, 401, 403, 404)
LESSON_WRITE_ERRORS = errors(400, 401, 403, 404, 413)  # a lesson's text may pass the size limit
DENIED_ERRORS = errors(401, 403, 404)
ITEM_LOCKED = error_of(
    403,
    ItemLockedSerializer,
    "Not enrolled (`not_enrolled`), or the item's release rules keep it closed to you: `not_yet_available` "
    "(it opens at `available_at`) or `prerequisite` (pass the quizzes or assignments it requires first).",
    {
        "Not yet available": {
            "detail": "This lesson is not open yet. It opens at 2027-03-08T09:00:00+00:00.",
            "code": "not_yet_available",
            "available_at": "2027-03-08T09:00:00Z",
        },
        "Prerequisite": {
            "detail": "This lesson is not open yet. Pass the items it requires first.",
            "code": "prerequisite",
            "available_at": None,
        },
    },
)


CATEGORY = described(
    "catalog",
    list=extend_schema(
        summary="Categories", responses={200: CategorySerializer(many=True), **READ_ERRORS}, examples=[ok(ex.CATEGORY)]
    ),
    retrieve=extend_schema(
        summary="A category", responses={200: CategorySerializer, **READ_ERRORS}, examples=[ok(ex.CATEGORY)]
    ),
    create=extend_schema(
        summary="Create a category (admin)",
        request=CategoryInputSerializer,
        responses={201: CategorySerializer, **WRITE_ERRORS},
        examples=[body(ex.CATEGORY_INPUT), ok(ex.NEW_CATEGORY, status=201)],
    ),
    partial_update=extend_schema(
        summary="Rename a category (admin)",
        request=CategoryInputSerializer,
        responses={200: CategorySerializer, **WRITE_ERRORS},
        examples=[body(ex.CATEGORY_RENAME), ok(ex.RENAMED_CATEGORY)],
    ),
    destroy=extend_schema(
        summary="Delete an empty category (admin)", responses={204: None, **errors(401, 403, 404, 409)}
    ),
)


ENROLLMENT_CONFLICT = error_of(
    409,
    EnrollmentConflictSerializer,
    "Already enrolled (`already_enrolled`), a prerequisite not completed yet (`prerequisites_not_met`, with "
    "the `missing` courses), or for a course taught in cohorts: the cohort's enrollment window is not open "
    "(`enrollment_closed`) or it has no seat left (`cohort_full`; send `waitlist: true` to wait for one).",
    {
        "Already enrolled": {"detail": "You are already enrolled in this course.", "code": "already_enrolled"},
        "Prerequisites not met": {
            "detail": "Complete Python basics first.",
            "code": "prerequisites_not_met",
            "missing": [{"id": 3, "title": "Python basics", "slug": "python-basics"}],
        },
        "Enrollment closed": {
            "detail": "Enrollment in Spring 2027 closed at 2027-03-08T09:00:00+00:00.",
            "code": "enrollment_closed",
            "cohort": 4,
        },
        "Cohort full": {
            "detail": "Spring 2027 is full. Join its waitlist to be offered the next free seat.",
            "code": "cohort_full",
            "cohort": 4,
        },
    },
)

COURSE = described(
    "courses",
    list=extend_schema(
        summary="The published catalog",
        responses={200: CourseSerializer(many=True), **errors(400, 404)},
        examples=[ok(ex.COURSE)],
        tags=["catalog"],
    ),
    retrieve=extend_schema(
        summary="A course with its curriculum",
        responses={200: CourseDetailSerializer, **READ_ERRORS},
        examples=[ok(ex.COURSE_DETAIL)],
        tags=["catalog"],
    ),
    create=extend_schema(
        summary="Create a draft course (instructor)",
        request=CourseInputSerializer,
        responses={201: CourseDetailSerializer, **WRITE_ERRORS},
        examples=[body(ex.COURSE_INPUT), ok(ex.NEW_COURSE, status=201)],
    ),
    update=extend_schema(
        summary="Replace a course's details (owner, admin)",
        request=CourseInputSerializer,
        responses={200: CourseDetailSerializer, **WRITE_ERRORS},
        examples=[body(ex.COURSE_REPLACE), ok(ex.COURSE_DETAIL)],
    ),
    partial_update=extend_schema(
        summary="Update a course (owner, admin)",
        request=CourseInputSerializer,
        responses={200: CourseDetailSerializer, **WRITE_ERRORS},
        examples=[body(ex.COURSE_PATCH), ok(ex.COURSE_DETAIL)],
    ),
    destroy=extend_schema(
        summary="Delete a course; one with enrollments is archived instead (owner, admin)",
        responses={204: None, **DENIED_ERRORS},
    ),
    publish=extend_schema(
        summary="Publish (needs at least one lesson)",
        request=None,
        responses={200: CourseDetailSerializer, **WRITE_ERRORS},
        examples=[ok(ex.COURSE_DETAIL)],
    ),
    unpublish=extend_schema(
        summary="Unpublish (back to draft; enrolled students keep access)",
        request=None,
        responses={200: CourseDetailSerializer, **DENIED_ERRORS},
        examples=[ok(ex.UNPUBLISHED_COURSE)],
    ),
    enroll=extend_schema(
        summary="Enroll in a free course (student)",
        description="The course's `prerequisites` must be completed first (409 `prerequisites_not_met`). A "
        "self-paced course takes no body. A course taught in cohorts needs `cohort` (400 without it): its "
        "enrollment window must be open (409 `enrollment_closed`) and a seat free (409 `cohort_full`), or with "
        "`waitlist: true` the student joins the waitlist (202, nothing enrolled). A student offered a freed seat "
        "(`cohort_seat_offered`) claims it here before the offer expires, whatever the window.",
        request=EnrollInputSerializer,
        responses={
            201: EnrollmentSerializer,
            202: WaitlistedSerializer,
            **errors(400, 401, 402, 403, 404),
            **ENROLLMENT_CONFLICT,
        },
        examples=[
            body({"cohort": 4, "waitlist": True}),
            ok(ex.NEW_ENROLLMENT, status=201),
            ok(ex.WAITLISTED, "Waitlisted", status=202),
        ],
        tags=["enrollment"],
    ),
    progress=extend_schema(
        summary="My progress in this course (enrolled)",
        responses={200: ProgressSerializer, **DENIED_ERRORS},
        examples=[ok(ex.PROGRESS)],
        tags=["enrollment"],
    ),
    sections=[
        extend_schema(
            methods=["GET"],
            summary="The course's sections, in order, with their lessons",
            responses={200: SectionSerializer(many=True), **READ_ERRORS},
            examples=[ok(ex.SECTION)],
            tags=["curriculum"],
        ),
        extend_schema(
            methods=["POST"],
            summary="Add a section (owner, admin)",
            request=SectionInputSerializer,
            responses={201: SectionSerializer, **WRITE_ERRORS},
            examples=[body(ex.SECTION_INPUT), ok(ex.NEW_SECTION, status=201)],
            tags=["curriculum"],
        ),
    ],
    reorder_sections=extend_schema(
        summary="Reorder every section of the course (owner, admin)",
        request=ReorderInputSerializer,
        responses={200: SectionSerializer(many=True), **WRITE_ERRORS},
        examples=[body(ex.REORDER), ok(ex.REORDERED_SECTION)],
        tags=["curriculum"],
    ),
)


INSTRUCTOR_COURSE = described(
    "courses",
    list=extend_schema(
        summary="My courses, every status (instructor)",
        responses={200: InstructorCourseSerializer(many=True), **errors(401, 403, 404)},
        examples=[ok(ex.INSTRUCTOR_COURSE)],
    ),
)


SECTION = described(
    "curriculum",
    retrieve=extend_schema(
        summary="A section", responses={200: SectionSerializer, **READ_ERRORS}, examples=[ok(ex.SECTION)]
    ),
    update=extend_schema(
        summary="Rename or move a section (owner, admin)",
        request=SectionInputSerializer,
        responses={200: SectionSerializer, **WRITE_ERRORS},
        examples=[body(ex.SECTION_REPLACE), ok(ex.SECTION)],
    ),
    partial_update=extend_schema(
        summary="Rename or move a section (owner, admin)",
        request=SectionInputSerializer,
        responses={200: SectionSerializer, **WRITE_ERRORS},
        examples=[body(ex.SECTION_RENAME), ok(ex.RENAMED_SECTION)],
    ),
    destroy=extend_schema(
        summary="Delete a section and its lessons (owner, admin)", responses={204: None, **DENIED_ERRORS}
    ),
    lessons=[
        extend_schema(
            methods=["GET"],
            summary="The section's lessons, in order",
            responses={200: LessonSerializer(many=True), **READ_ERRORS},
            examples=[ok(ex.LESSON)],
        ),
        extend_schema(
            methods=["POST"],
            summary="Add a lesson (owner, admin)",
            request=LessonInputSerializer,
            responses={201: LessonSerializer, **LESSON_WRITE_ERRORS},
            examples=[body(ex.LESSON_INPUT), ok(ex.NEW_LESSON, status=201)],
        ),
    ],
    reorder_lessons=extend_schema(
        summary="Reorder every lesson of the section (owner, admin)",
        request=ReorderInputSerializer,
        responses={200: LessonSerializer(many=True), **WRITE_ERRORS},
        examples=[body(ex.REORDER), ok(ex.REORDERED_LESSON)],
    ),
)


LESSON = described(
    "curriculum",
    retrieve=extend_schema(
        summary="A lesson (content only for previews, enrolled students, the owner and admins)",
        responses={200: LessonSerializer, **READ_ERRORS},
        examples=[ok(ex.LESSON)],
    ),
    update=extend_schema(
        summary="Replace a lesson (owner, admin)",
        request=LessonInputSerializer,
        responses={200: LessonSerializer, **LESSON_WRITE_ERRORS},
        examples=[body(ex.LESSON_REPLACE), ok(ex.LESSON)],
    ),
    partial_update=extend_schema(
        summary="Update a lesson (owner, admin)",
        request=LessonInputSerializer,
        responses={200: LessonSerializer, **LESSON_WRITE_ERRORS},
        examples=[body(ex.LESSON_PATCH), ok(ex.PATCHED_LESSON)],
    ),
    destroy=extend_schema(summary="Delete a lesson (owner, admin)", responses={204: None, **DENIED_ERRORS}),
    complete=extend_schema(
        summary="Mark the lesson done (enrolled; idempotent); returns my progress",
        request=None,
        responses={200: ProgressSerializer, **DENIED_ERRORS, **ITEM_LOCKED},
        examples=[ok(ex.PROGRESS)],
        tags=["enrollment"],
    ),
)


MY_ENROLLMENT = described(
    "enrollment",
    list=extend_schema(
        summary="My enrollments with progress",
        responses={200: EnrollmentSerializer(many=True), **errors(400, 401, 404)},
        examples=[ok(ex.ENROLLMENT)],
    ),
)


ADMIN_WRITE_ERRORS = errors(400, 401, 403, 404)


ADMIN_COURSES = described(
    "admin",
    list=extend_schema(
        summary="Every course, any status (?status=, ?instructor=, ?search=)",
        responses={200: CourseSerializer(many=True), **ADMIN_WRITE_ERRORS},
        examples=[ok(ex.COURSE)],
    ),
    retrieve=extend_schema(responses={200: CourseSerializer, **errors(401, 403, 404)}, examples=[ok(ex.COURSE)]),
    partial_update=extend_schema(
        summary="Change a course's status",
        request=AdminCourseStatusInputSerializer,
        responses={200: CourseSerializer, **ADMIN_WRITE_ERRORS},
        examples=[body(ex.STATUS_INPUT), ok(ex.ARCHIVED_COURSE)],
    ),
    destroy=extend_schema(
        summary="Remove an inappropriate course: archived, enrollments kept, instructor notified",
        parameters=[OpenApiParameter("reason", str, description="Told to the instructor.")],
        responses={204: None, **ADMIN_WRITE_ERRORS},
    ),
)
