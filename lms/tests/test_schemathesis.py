"""Schemathesis against the project's own OpenAPI schema, in-process (the Django WSGI app).

Every operation of the generated schema runs as each role (anonymous, student, instructor, admin)
against a small but realistic world: a published course with sections, lessons and a quiz, a paid
course, a draft, enrollments, an attempt, forum posts and comments, a review with a reply, orders,
coupons, a certificate, notifications. Generated integer path parameters are mostly pointed at those
real objects (see `_real_path_parameters`), so the runs reach the handlers, not just 404s.

The phases are explicit: the schema's own examples (every operation documents its request and success
bodies; the tests at the end check they exist and match the schema), then fuzzing
(positive and negative data). Hypothesis runs derandomized so CI is reproducible.

    # CI: a few examples per operation and role (about two minutes on two cores)
    .venv/bin/python -m pytest -n 0 lms/tests/test_schemathesis.py

    # Longer, deeper run: many more examples, plus the coverage phase (boundary values)
    scripts/schemathesis.sh                       # SCHEMATHESIS_MAX_EXAMPLES=100 by default
    SCHEMATHESIS_MAX_EXAMPLES=500 SCHEMATHESIS_SEED=7 scripts/schemathesis.sh -k "courses"

Every request asks for SCHEMATHESIS_LANGUAGE (Accept-Language; default `ar`, right to left, six
plural forms): every message then comes out of the Arabic catalog, so a translation that breaks a
message (a placeholder the code does not fill) fails here. CI's SQLite pass runs it in English.

Environment: SCHEMATHESIS_LANGUAGE (default ar), SCHEMATHESIS_MAX_EXAMPLES (fuzzing examples per
operation and role, default 3), SCHEMATHESIS_COVERAGE=1 (add the coverage phase), SCHEMATHESIS_SEED (default 12), and
SCHEMATHESIS_RANDOM=1 (a new random run instead of the derandomized one).
"""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.services import tokens_for_user
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from assignments import services as assignment_services
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from courses.models import Enrollment
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    PublishedCourseFactory,
    SectionFactory,
)
from forum import services as forum_services
from lms.tests.openapi import closed
from media.models import Upload
from notifications import services as notification_services
from notifications.services import notify
from payments.tests.factories import CouponFactory, OrderFactory
from quizzes import services as quiz_services
from quizzes.tests.factories import QuestionFactory, QuizFactory
from reviews.tests.factories import InstructorReplyFactory, ReviewFactory

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "3"))
COVERAGE = os.environ.get("SCHEMATHESIS_COVERAGE") == "1"
RANDOM = os.environ.get("SCHEMATHESIS_RANDOM") == "1"
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "12"))
ROLES = ("anonymous", "student", "instructor", "admin")

# Checks that do not apply to this in-process pytest run, and why:
# - use_after_free, ensure_resource_availability: need the stateful phase (a recorded chain of
#   create -> read -> delete calls); our state is built by the fixture, not discovered by links.
# - object_level_authorization: needs two authenticated identities per *run* over the same
#   resources, i.e. the CLI engine's stateful scenarios; we cover it by running every operation as
#   each role against the same objects (a student's attempt, order, certificate, notification...).
# Every other check, including ignored_auth, unsupported_method, allow_header_conformance and
# missing_required_header, is enabled.

# Operations whose valid-looking requests may break a rule of the domain that a JSON schema cannot
# state: positive_data_acceptance also takes their 400 (whose body names the rule). Each says why.
RULES = (
    "release rules: a time or a number of days, not both (as for due dates); requirements naming quizzes or "
    "assignments of the course, without loops"
)
BUSINESS_RULE_400 = {
    ("POST", "/api/v1/auth/register/"): "password validators (too common, too similar); e-mail already taken",
    ("POST", "/api/v1/auth/instructors/register/"): "password validators; e-mail already taken",
    ("POST", "/api/v1/auth/logout/"): "the refresh token must be a real, unexpired token of the caller",
    ("POST", "/api/v1/auth/token/refresh/"): "the refresh token must be a real, unexpired token",
    ("POST", "/api/v1/auth/password/change/"): "the old password must be right; the new one pass the validators",
    ("POST", "/api/v1/auth/password/reset/confirm/"): "the uid and token must come from a real reset e-mail",
    ("POST", "/api/v1/courses/{course_id}/checkout/"): "free courses are enrolled, not bought; unknown coupons; "
    "a course taught in cohorts needs `cohort`, one of its own",
    ("POST", "/api/v1/courses/{course_id}/coupons/"): "exactly one of percent_off / amount_off; codes unique",
    ("PATCH", "/api/v1/coupons/{id}/"): "exactly one of percent_off / amount_off",
    ("POST", "/api/v1/courses/{id}/publish/"): "a course needs a lesson before it is published",
    ("POST", "/api/v1/courses/{id}/sections/reorder/"): "the order must list every section of the course once",
    ("POST", "/api/v1/sections/{id}/lessons/reorder/"): "the order must list every lesson of the section once",
    ("POST", "/api/v1/quizzes/{id}/questions/reorder/"): "the order must list every question of the quiz once",
    ("POST", "/api/v1/quizzes/{id}/questions/"): "choices, answers and tolerance must fit the question type",
    ("PUT", "/api/v1/questions/{id}/"): "choices, answers and tolerance must fit the question type",
    ("PATCH", "/api/v1/questions/{id}/"): "choices, answers and tolerance must fit the question type",
    ("PATCH", "/api/v1/attempts/{id}/"): "answers must name the attempt's own questions and choices",
    ("POST", "/api/v1/attempts/{id}/submit/"): "answers must name the attempt's own questions and choices",
    ("POST", "/api/v1/forum/posts/{id}/comments/"): "`parent` must be a comment of this post",
    ("POST", "/api/v1/forum/posts/{id}/report/"): "one's own post cannot be reported",
    ("POST", "/api/v1/forum/comments/{id}/report/"): "one's own comment cannot be reported",
    ("POST", "/api/v1/forum/reports/{id}/resolve/"): "only an open report can be resolved that way",
    ("POST", "/api/v1/me/certificates/"): "only a completed course has a certificate",
    ("PATCH", "/api/v1/notifications/preferences/"): "types and channels must be known ones",
    ("POST", "/api/v1/payments/stripe/webhook/"): "the Stripe-Signature header must sign the body",
    ("PATCH", "/api/v1/admin/courses/{id}/"): "a course without lessons cannot be published",
    ("GET", "/api/v1/admin/reports/{name}/"): "`from` must not be after `to`; at most 400 buckets",
    ("GET", "/api/v1/instructor/reports/{name}/"): "`from` must not be after `to`; at most 400 buckets",
    ("POST", "/api/v1/sections/{section_id}/assignments/"): f"the cutoff must not come before the due date; {RULES}",
    ("PUT", "/api/v1/assignments/{id}/"): f"the cutoff must not come before the due date; {RULES}",
    ("PATCH", "/api/v1/assignments/{id}/"): f"the cutoff must not come before the due date; {RULES}",
    ("POST", "/api/v1/sections/{id}/lessons/"): RULES,
    ("PUT", "/api/v1/lessons/{id}/"): RULES,
    ("PATCH", "/api/v1/lessons/{id}/"): RULES,
    ("POST", "/api/v1/courses/{course_id}/quizzes/"): RULES,
    ("PUT", "/api/v1/quizzes/{id}/"): RULES,
    ("PATCH", "/api/v1/quizzes/{id}/"): RULES,
    ("GET", "/api/v1/me/calendar/"): "`to` must not come before `from`; at most 366 days",
    ("POST", "/api/v1/assignments/{id}/submissions/"): "the work must use the assignment's submission types",
    ("POST", "/api/v1/submissions/{id}/grade/"): "a score within the points, or every rubric criterion within its own",
    ("POST", "/api/v1/courses/{course_id}/cohorts/"): "a cohort ends after it starts; enrollment closes after it "
    "opens",
    ("PUT", "/api/v1/cohorts/{id}/"): "dates in order; the capacity not below the seats taken",
    ("PATCH", "/api/v1/cohorts/{id}/"): "dates in order (with the stored ones); the capacity not below the seats taken",
    ("POST", "/api/v1/courses/{id}/enroll/"): "a course taught in cohorts needs `cohort`, one of its own; a "
    "self-paced course has none",
    ("POST", "/api/v1/courses/{course_id}/live-sessions/"): "`cohort` must be one of the course's own",
    ("PUT", "/api/v1/live-sessions/{id}/"): "`cohort` must be one of the course's own",
    ("PATCH", "/api/v1/live-sessions/{id}/"): "`cohort` must be one of the course's own",
    ("POST", "/api/v1/live-sessions/{id}/attendance/"): "ids must be students of the session's audience (or "
    "already marked present), none both present and absent",
    ("POST", "/api/v1/me/erasure/"): "the password must be the caller's own",
    ("POST", "/api/v1/admin/users/{user_id}/erase/"): "an administrator cannot erase themself",
    ("PATCH", "/api/v1/courses/{course_id}/grading/"): "weights adding up to 100; a letter scale of distinct letters "
    "and starting percents, one of them 0",
}
# 402: enrolling in a course that has a price (the world has paid courses) is answered with a price.
POSITIVE_STATUSES = ["2xx", "3xx", "401", "402", "403", "404", "409", "429"]
NEGATIVE_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
# The first entry that matches an operation applies (an entry matches on its method OR its path):
# the uploads' entries, by name, come first.
OPERATIONS = [
    # Uploads: a valid-looking ask may exceed its purpose's size (413) or name a type the purpose does
    # not take (415); bytes may exceed the declared size (413); completing checks the bytes (400).
    {
        "include-name": name,
        "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, *extra]}},
    }
    for name, extra in (
        ("POST /api/v1/uploads/", ["400", "413", "415"]),
        ("PUT /api/v1/uploads/{id}/content/", ["413"]),
        ("POST /api/v1/uploads/{id}/complete/", ["400"]),
    )
] + [
    {
        "include-method": method,
        "include-path": path,
        "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, "400"]}},
    }
    for method, path in BUSINESS_RULE_400
]

LANGUAGE = os.environ.get("SCHEMATHESIS_LANGUAGE", "ar")
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large", "large_base_example"],
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": not RANDOM,
            "allow-x00": True,
            "database": "none",
            # Unknown query parameters and headers are ignored by design (DRF), never rejected.
            "allow-extra-parameters": False,
            # Credentials come from the role under test (`world.headers`), not from generated headers.
            "with-security-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": COVERAGE},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "operations": OPERATIONS,
        "checks": {
            "enabled": True,
            # 5xx is never acceptable, for valid data or not (the defaults allow it here).
            "positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES},
            # Schemathesis' own list, plus 413: a body over the size limit (a lesson's long text,
            # escaped) is refused before it is parsed, which is a rejection too.
            "negative_data_rejection": {"expected-statuses": NEGATIVE_STATUSES},
            "use_after_free": {"enabled": False},
            "ensure_resource_availability": {"enabled": False},
            "object_level_authorization": {"enabled": False},
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)


class World:
    """The objects every generated request may touch, and a token per role."""

    def __init__(self):
        self.student = StudentFactory(first_name="Ada", last_name="Lovelace")
        self.other_student = StudentFactory(first_name="Grace", last_name="Hopper")
        self.instructor = InstructorFactory(first_name="Alan", last_name="Turing")
        self.other_instructor = InstructorFactory()
        self.admin = AdminFactory()
        self.users = {
            "anonymous": None,
            "student": self.student,
            "instructor": self.instructor,
            "admin": self.admin,
        }

        category = CategoryFactory(name="Programming", slug="programming")
        self.course = PublishedCourseFactory(
            instructor=self.instructor, category=category, title="Python from scratch", lessons=0
        )
        section = SectionFactory(course=self.course, title="Getting started", order=1)
        lessons = [
            LessonFactory(section=section, title="Installing Python", is_preview=True, order=1),
            LessonFactory(section=section, title="Variables", order=2),
        ]
        second_section = SectionFactory(course=self.course, title="Control flow", order=2)
        lessons.append(LessonFactory(section=second_section, title="If and else", order=1))
        self.paid_course = PublishedCourseFactory(
            instructor=self.instructor, category=category, title="Django in depth", price=Decimal("49.99")
        )
        self.draft = CourseFactory(instructor=self.instructor, category=category, title="Async Python (draft)")
        other_course = PublishedCourseFactory(instructor=self.other_instructor, category=category)

        quiz = QuizFactory(course=self.course, title="Basics check", passing_score=60)
        questions = [QuestionFactory(quiz=quiz, text="Which keyword defines a function?") for _ in range(2)]
        EnrollmentFactory(student=self.student, course=self.course)
        EnrollmentFactory(student=self.other_student, course=self.course)
        attempt, _ = quiz_services.attempt_start(student=self.student, quiz=quiz)
        submitted, _ = quiz_services.attempt_start(student=self.other_student, quiz=quiz)
        quiz_services.attempt_submit(actor=self.other_student, attempt=submitted, answers=[])

        post = forum_services.post_create(
            course=self.course, author=self.student, title="Stuck on exercise 2", body="My loop never ends."
        )
        other_post = forum_services.post_create(
            course=self.course, author=self.other_student, title="Resources?", body="Any good books?"
        )
        comment = forum_services.comment_create(post=post, author=self.other_student, body="Print the counter.")
        reply = forum_services.comment_create(post=post, author=self.student, body="Thanks!", parent=comment)
        report = forum_services.report_create(reporter=self.other_student, post=post, reason="Off topic")

        review = ReviewFactory(course=self.course, student=self.student, rating=5, comment="Clear and practical.")
        other_review = ReviewFactory(course=self.course, student=self.other_student, rating=3)
        InstructorReplyFactory(review=other_review, body="Thanks for the feedback!")

        coupon = CouponFactory(course=self.paid_course, code="LAUNCH20", percent_off=20)
        order = OrderFactory(student=self.student, course=self.paid_course)
        other_order = OrderFactory(student=self.other_student, course=self.paid_course)

        certificate = CertificateFactory(enrollment=CompletedEnrollmentFactory(student=self.student))
        other_certificate = CertificateFactory()
        # Notifications as the services send them (their payloads are typed per type).
        announcement = notification_services.announcement_create(
            course=self.course, author=self.instructor, title="Welcome", body="Lesson 3 is out."
        )
        notification_services.announcement_send(announcement_id=announcement.pk)
        enrollment = Enrollment.objects.get(student=self.student, course=self.course)
        notify(
            recipients=[self.instructor],
            type="new_enrollment",
            title="New student",
            body="Ada enrolled.",
            payload={"course_id": self.course.pk, "enrollment_id": enrollment.pk, "student_id": self.student.pk},
        )
        notifications = list(self.student.notifications.all()) + list(self.instructor.notifications.all())

        courses = [self.course.pk, self.paid_course.pk, self.draft.pk, other_course.pk]
        # Resource ids by the path prefix that names them.
        self.ids = {
            "courses": courses,
            "admin/courses": courses,
            "categories": [category.pk],
            "sections": [section.pk, second_section.pk],
            "lessons": [lesson.pk for lesson in lessons],
            "quizzes": [quiz.pk],
            "questions": [question.pk for question in questions],
            "attempts": [attempt.pk, submitted.pk],
            "forum/posts": [post.pk, other_post.pk],
            "forum/comments": [comment.pk, reply.pk],
            "forum/reports": [report.pk],
            "reviews": [review.pk, other_review.pk],
            "orders": [order.pk, other_order.pk],
            "coupons": [coupon.pk],
            "certificates": [certificate.pk, other_certificate.pk],
            "notifications": [n.pk for n in notifications],
            "admin/users": [self.student.pk, self.other_student.pk, self.instructor.pk, self.admin.pk],
        }
        self.codes = [certificate.verification_code]
        essay = assignment_services.assignment_create(
            actor=self.instructor, section=section, title="Essay", points=10, submission_types=["text", "url"],
            rubric=[{"title": "Argument", "points": 6}, {"title": "Style", "points": 4}],
        )  # fmt: skip
        submission = assignment_services.submission_create(student=self.student, assignment=essay, text="My essay")
        self.ids["assignments"] = [essay.pk]
        self.ids["submissions"] = [submission.pk]
        # A course taught in cohorts (the others stay self-paced): one cohort with room, one unlimited.
        from schedules.tests.factories import CohortFactory

        cohort_course = PublishedCourseFactory(instructor=self.instructor, category=category, title="Cohort course")
        self.ids["courses"].append(cohort_course.pk)
        self.ids["cohorts"] = [
            CohortFactory(course=cohort_course, name="Open").pk,
            CohortFactory(course=cohort_course, name="Unlimited", capacity=None).pk,
        ]
        from schedules.tests.factories import LiveSessionFactory

        self.ids["live-sessions"] = [
            LiveSessionFactory(course=self.course).pk,
            LiveSessionFactory(course=cohort_course, cohort_id=self.ids["cohorts"][0]).pk,
        ]
        # Uploads (uuid ids): the instructor's ready cover and pending video, the student's avatar.
        in_an_hour = timezone.now() + timedelta(hours=1)
        uploads = [
            Upload.objects.create(
                owner=owner,
                purpose=purpose,
                status=status,
                filename=name,
                content_type=content_type,
                size=1000,
                expires_at=in_an_hour,
                key=f"public/{name}" if status == "ready" else "",
            )
            for owner, purpose, status, name, content_type in (
                (self.instructor, "course_cover", "ready", "cover.png", "image/png"),
                (self.instructor, "lesson_video", "pending", "intro.mp4", "video/mp4"),
                (self.student, "avatar", "pending", "me.png", "image/png"),
            )
        ]
        self.uuids = {"uploads": [str(upload.pk) for upload in uploads]}
        self.tokens = {role: tokens_for_user(user)["access"] for role, user in self.users.items() if user}

    def headers(self, role: str) -> dict:
        token = self.tokens.get(role)
        return {"Accept-Language": LANGUAGE, **({"Authorization": f"Bearer {token}"} if token else {})}

    def real_path_parameters(self, path: str, parameters: dict) -> dict:
        """Generated integers point at real objects most of the time: `n % (k + 1)` picks one of the k
        ids of that resource, or keeps the generated value (almost always an unknown id: a 404)."""
        prefix = path.removeprefix("/api/v1/").split("/{", 1)[0]
        mapped = dict(parameters)
        for name, value in parameters.items():
            if name == "code" and isinstance(value, str):
                mapped[name] = self.codes[0] if len(value) % 2 == 0 else value
                continue
            if isinstance(value, str) and prefix in self.uuids:
                ids = self.uuids[prefix]
                index = sum(value.encode()) % (len(ids) + 1)
                mapped[name] = ids[index] if index < len(ids) else value
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                continue
            ids = self.ids.get(prefix)
            if name == "course_id":
                ids = self.ids["courses"]
            if ids:
                index = value % (len(ids) + 1)
                mapped[name] = ids[index] if index < len(ids) else value
        return mapped


@pytest.fixture
def world(db, settings, request):
    # Generated runs send hundreds of requests per minute: raise the rates (the throttles still run).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min", "auth": "100000/min"},
    }
    # Signed webhooks (a bad signature is a 400, not "not configured", a 503). Checkout and refunds
    # talk to Stripe: those operations get the local Stripe emulator.
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_local"
    if any(word in request.node.name for word in ("checkout", "refund")):
        request.getfixturevalue("stripe_emulator")
    # Requests go through Django's real WSGI handler, which closes the database connection after
    # each one (CONN_MAX_AGE); inside the test's transaction that would end it. Django's own test
    # client detaches the same two receivers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield World()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.schemathesis
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], print_blob=True)
def test_api(case, role, world):
    case.path_parameters = world.real_path_parameters(case.path, case.path_parameters or {})
    response = case.call_and_validate(headers=world.headers(role))
    assert response.headers.get("content-language") == [LANGUAGE], response.headers


METHODS = ("get", "post", "put", "patch", "delete")


def _operations():
    for path, operations in schema.raw_schema["paths"].items():
        for method, operation in operations.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _examples(media: dict) -> list:
    examples = [example["value"] for example in (media.get("examples") or {}).values() if "value" in example]
    return [*examples, media["example"]] if "example" in media else examples


def _success_bodies(operation: dict) -> dict:
    """{status: {media type: media object}} of the operation's documented 2xx bodies."""
    return {
        status: response["content"]
        for status, response in operation.get("responses", {}).items()
        if status.startswith("2") and response.get("content")
    }


def _missing_examples(label: str, operation: dict) -> list[str]:
    """What the operation's docs lack: an example of each request body, and of each success (2xx)
    JSON body. Shared error examples do not count, except for an operation with no body either way
    (a DELETE answering 204), whose error responses are all there is to show."""
    missing = [
        f"{label}: request body ({media_type})"
        for media_type, media in (operation.get("requestBody", {}).get("content") or {}).items()
        if not _examples(media)
    ]
    missing += [
        f"{label}: {status} response"
        for status, content in _success_bodies(operation).items()
        for media_type, media in content.items()
        if media_type == "application/json" and not _examples(media)
    ]
    if not operation.get("requestBody") and not _success_bodies(operation):
        bodies = [
            media for response in operation["responses"].values() for media in (response.get("content") or {}).values()
        ]
        if not any(_examples(media) for media in bodies):
            missing.append(f"{label}: any example")
    return missing


@pytest.mark.schemathesis
def test_every_operation_has_an_example():
    """The API docs show, for every operation, an example of its request body (if it takes one) and
    of each success body it answers with. A new endpoint without them fails here."""
    missing = [gap for label, operation in _operations() for gap in _missing_examples(label, operation)]
    assert not missing, "operations without examples:\n" + "\n".join(missing)


def test_an_operation_with_only_error_examples_is_reported():
    error = {"content": {"application/json": {"examples": {"NotFound": {"value": {"detail": "Not found."}}}}}}
    created = {"content": {"application/json": {"schema": {"type": "object"}}}}
    operation = {
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"201": created, "404": error},
    }
    assert _missing_examples("POST /new/", operation) == [
        "POST /new/: request body (application/json)",
        "POST /new/: 201 response",
    ]
    assert _missing_examples("DELETE /new/{id}/", {"responses": {"204": {}, "404": error}}) == []


def _validator(media_schema: dict, *, request: bool):
    """A validator of one body schema, in the whole schema's context (its `$ref`s resolve).
    Request bodies may not carry read-only fields; responses may not carry write-only ones."""
    from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker

    components = closed({"components": schema.raw_schema["components"]})
    validator_class = OAS30WriteValidator if request else OAS30ReadValidator
    return validator_class({**closed(media_schema), **components}, format_checker=oas30_format_checker)


def _errors(validator, value) -> list[str]:
    return [
        f"at /{'/'.join(str(part) for part in error.absolute_path)}: {error.message[:200]}"
        for error in validator.iter_errors(value)
    ]


@pytest.mark.schemathesis
def test_every_example_matches_its_schema():
    """Each example (request and response, success and error) validates against the schema it
    illustrates: types, formats, patterns, enums, nullability, required fields, read-only fields
    kept out of requests, and no field the serializer lacks. So examples cannot drift from the
    serializers: rename or add a field and this fails until the example follows.

    Why a test of its own: schemathesis' examples phase (test_api) *sends* the request examples to
    the live app and checks the real responses against the schema (response_schema_conformance),
    but it never compares the documented response examples with anything. This test does, statically."""
    failures = []
    checked = 0
    for label, operation in _operations():
        documents = [("request", operation.get("requestBody", {}).get("content") or {})]
        documents += [(status, response.get("content") or {}) for status, response in operation["responses"].items()]
        for where, content in documents:
            for media_type, media in content.items():
                if "schema" not in media:
                    continue
                validator = _validator(media["schema"], request=where == "request")
                for value in _examples(media):
                    checked += 1
                    failures += [f"{label} {where} {media_type} {error}" for error in _errors(validator, value)]
    assert checked > 250
    assert not failures, "examples that do not match their schema:\n" + "\n".join(failures)


@pytest.mark.schemathesis
def test_the_example_check_catches_drift():
    """The check above is not vacuous: an invented field, a wrong enum, a missing field, a wrong
    type and a read-only field in a request all fail."""
    coupon = {"$ref": "#/components/schemas/Coupon"}
    valid = schema.raw_schema["paths"]["/api/v1/coupons/{id}/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]
    value = next(example["value"] for example in valid.values())
    assert _errors(_validator(coupon, request=False), value) == []
    assert _errors(_validator(coupon, request=False), {**value, "uses": 3})
    assert _errors(_validator(coupon, request=False), {**value, "percent_off": "20"})
    assert _errors(_validator(coupon, request=False), {k: v for k, v in value.items() if k != "reserved"})
    course_input = {"$ref": "#/components/schemas/CourseInput"}
    assert _errors(_validator(course_input, request=True), {"title": "Python", "level": "expert"})
    course_schema = {"$ref": "#/components/schemas/Course"}
    course = schema.raw_schema["paths"]["/api/v1/admin/courses/{id}/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]
    assert _errors(_validator(course_schema, request=True), next(example["value"] for example in course.values()))
