"""The OpenAPI description of schedules/api/views.py (drf-spectacular)."""

from drf_spectacular.utils import extend_schema

from lms.api.responses import ErrorSerializer, body, described, error_of, errors, ok

from . import examples as ex
from .serializers import CohortInputSerializer, CohortSerializer

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
