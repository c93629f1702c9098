"""The OpenAPI description of schedules/api/views.py (drf-spectacular)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from lms.api.responses import ErrorSerializer, body, described, error_of, errors, ok, page, paginated

from . import examples as ex
from .serializers import (
    AttendanceInputSerializer,
    AttendanceSerializer,
    CalendarEventSerializer,
    CalendarFeedSerializer,
    CalendarQuerySerializer,
    CohortInputSerializer,
    CohortSerializer,
    LiveSessionInputSerializer,
    LiveSessionSerializer,
)

WRITE = (
    "The course's instructor or an admin. `ends_at` after `starts_at`, `enrollment_closes_at` after "
    "`enrollment_opens_at` (400 on the field)."
)

COURSE_COHORTS = described(
    "cohorts",
    get=extend_schema(
        summary="A course's cohorts",
        description="Anyone who sees the course. Soonest first, with `seats_taken` and `waitlist_count`. A course "
        "with cohorts is enrolled in through one of them (`cohort` on enroll and checkout).",
        responses={200: CohortSerializer(many=True), **errors(401, 404)},
        examples=[ok(ex.COHORT)],
    ),
    post=extend_schema(
        summary="Add a cohort to a course",
        description=WRITE,
        request=CohortInputSerializer,
        responses={201: CohortSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.COHORT_INPUT), ok({**ex.COHORT, "seats_taken": 0}, status=201)],
    ),
)

COHORTS = described(
    "cohorts",
    retrieve=extend_schema(
        summary="A cohort",
        description="Anyone who sees its course.",
        responses={200: CohortSerializer, **errors(401, 404)},
        examples=[ok(ex.COHORT)],
    ),
    update=extend_schema(
        summary="Replace a cohort",
        description=f"{WRITE} A `capacity` below `seats_taken` is a 400; more seats go to the waitlist at once.",
        request=CohortInputSerializer,
        responses={200: CohortSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.COHORT_INPUT), ok(ex.COHORT)],
    ),
    partial_update=extend_schema(
        summary="Change a cohort",
        description=f"{WRITE} A `capacity` below `seats_taken` is a 400; more seats go to the waitlist at once.",
        request=CohortInputSerializer,
        responses={200: CohortSerializer, **errors(400, 401, 403, 404)},
        examples=[body({"capacity": 40}), ok({**ex.COHORT, "capacity": 40})],
    ),
    destroy=extend_schema(
        summary="Delete a cohort",
        description="The course's instructor or an admin; only while nobody holds or waits for a seat in it.",
        responses={
            204: None,
            **errors(401, 403, 404),
            **error_of(
                409,
                ErrorSerializer,
                "Students hold or wait for seats (`cohort_has_members`).",
                {"Has members": ex.HAS_MEMBERS},
            ),
        },
    ),
)


# --- live sessions -------------------------------------------------------------------------------
ATTENDANCE_PAGE = paginated(AttendanceSerializer)
PAGES = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]
SESSION_WRITE = (
    "The course's instructor or an admin. `duration_minutes` from 1 to 1440, an https `join_url`, a `cohort` of "
    "this course (400 naming the field); any `starts_at` (a past one records a session already held). Moving "
    "`starts_at` reminds the audience again for the new time."
)
SEEN_BY = (
    "The course's staff, and its audience: students enrolled in the course (seated in the session's cohort when "
    "it has one). Anyone else gets a 404, as for a session that does not exist."
)

COURSE_LIVE_SESSIONS = described(
    "live sessions",
    get=extend_schema(
        summary="A course's live sessions",
        description="Soonest first, with `join_url`. The course's staff see every session; an enrolled student sees "
        "those for the whole course and those of the cohort they are seated in. Students not enrolled (and other "
        "instructors) get 403 `not_enrolled`. Each student of a session's audience is reminded (`live_session_soon`) "
        "once, within the hour before it starts.",
        parameters=PAGES,
        responses={200: paginated(LiveSessionSerializer), **errors(400, 401, 403, 404)},
        examples=[ok(page(ex.LIVE_SESSION, count=1))],
    ),
    post=extend_schema(
        summary="Schedule a live session",
        description=SESSION_WRITE,
        request=LiveSessionInputSerializer,
        responses={201: LiveSessionSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.LIVE_SESSION_INPUT), ok(ex.LIVE_SESSION, status=201)],
    ),
)

LIVE_SESSIONS = described(
    "live sessions",
    retrieve=extend_schema(
        summary="A live session",
        description=SEEN_BY,
        responses={200: LiveSessionSerializer, **errors(401, 404)},
        examples=[ok(ex.LIVE_SESSION)],
    ),
    update=extend_schema(
        summary="Replace a live session",
        description=SESSION_WRITE,
        request=LiveSessionInputSerializer,
        responses={200: LiveSessionSerializer, **errors(400, 401, 403, 404)},
        examples=[body(ex.LIVE_SESSION_INPUT), ok(ex.LIVE_SESSION)],
    ),
    partial_update=extend_schema(
        summary="Change a live session",
        description=SESSION_WRITE,
        request=LiveSessionInputSerializer,
        responses={200: LiveSessionSerializer, **errors(400, 401, 403, 404)},
        examples=[body({"duration_minutes": 90}), ok(ex.LONGER_LIVE_SESSION)],
    ),
    destroy=extend_schema(
        summary="Delete a live session",
        description="The course's instructor or an admin; its attendance goes with it.",
        responses={204: None, **errors(401, 403, 404)},
    ),
    attendance=[
        extend_schema(
            methods=["GET"],
            summary="A live session's attendance",
            description="The course's instructor or an admin. Every student expected (the session's audience now) "
            "and anyone marked present (who may have left since), by name, each `present` or not.",
            parameters=PAGES,
            responses={200: ATTENDANCE_PAGE, **errors(400, 401, 403, 404)},
            examples=[ok(page(ex.ATTENDANCE, ex.ATTENDANCE_ABSENT, count=2))],
        ),
        extend_schema(
            methods=["POST"],
            summary="Mark attendance",
            description="The course's instructor or an admin. Students in `present` are marked present, those in "
            "`absent` absent; others keep their mark. Each id must be a student of the session's audience (or one "
            "already marked present): otherwise a 400 naming the ids; an id in both lists is a 400. Answers the "
            "first page of the attendance.",
            request=AttendanceInputSerializer,
            responses={200: ATTENDANCE_PAGE, **errors(400, 401, 403, 404)},
            examples=[body(ex.ATTENDANCE_INPUT), ok(page(ex.ATTENDANCE, ex.ATTENDANCE_ABSENT, count=2))],
        ),
    ],
)


# --- calendar ------------------------------------------------------------------------------------
CALENDAR_TYPES = (
    "`lesson_release` (a lesson with a time rule opens for you), `quiz_due` and `assignment_due` (your own due "
    "date), `live_session` (the sessions of your audience, `url` the join link), `cohort_start` (the cohort you "
    "hold a seat in); for an instructor, the same in the courses they teach where the date is the same for every "
    "student (dates relative to each student's enrollment are left out)."
)

MY_CALENDAR = described(
    "calendar",
    get=extend_schema(
        summary="My calendar",
        description=f"Any signed-in user. What happens in your courses from `from` to `to` (both included), soonest "
        f"first: {CALENDAR_TYPES} A range over 366 days, or `to` before `from`, is a 400.",
        parameters=[CalendarQuerySerializer],
        responses={200: CalendarEventSerializer(many=True), **errors(400, 401)},
        examples=[ok(ex.CALENDAR[0]), ok(ex.CALENDAR[1], name="A live session")],
    ),
)

MY_CALENDAR_TOKEN = described(
    "calendar",
    post=extend_schema(
        summary="Issue my calendar feed's address",
        description="Any signed-in user. A new secret token for `/me/calendar.ics` (a calendar app subscribes to "
        "`url`), shown only now; the token before it stops working at once. It reads your calendar and nothing "
        "else; it is not a sign-in token.",
        request=None,
        responses={201: CalendarFeedSerializer, **errors(401)},
        examples=[ok(ex.CALENDAR_FEED, status=201)],
    ),
)

MY_CALENDAR_FEED = described(
    "calendar",
    get=extend_schema(
        operation_id="me_calendar_feed",
        summary="My calendar as an iCalendar feed",
        description="Whoever holds the feed's token (no sign-in: calendar apps send none). The events of the last 30 "
        "days and the next year as RFC 5545 (`text/calendar`), with stable UIDs so moved items update in place; "
        "times in UTC. An unknown or voided token, or a deactivated account: 404.",
        auth=[],
        parameters=[OpenApiParameter("token", str, required=True, description="The feed's secret token.")],
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="The iCalendar feed."),
            **errors(404),
        },
    ),
)
