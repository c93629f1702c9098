"""A small platform with one object of every kind, owned by "student" and "instructor", built once
per test module and rolled back at its end; and the list of every route the URL resolver serves.

Each test still runs in its own transaction (pytest-django's `db`), nested inside the module's, so
whatever a test changes (a DELETE, a refund) is undone before the next one."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import tokens_for_user
from accounts.tests.factories import PASSWORD, AdminFactory, InstructorFactory, StudentFactory

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")
EXCLUDED_PREFIXES = ("admin/",)  # the Django admin site: tested on its own (test_api8_misconfiguration)


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User (None for anonymous)
    access: dict = field(default_factory=dict)  # role -> access token
    refresh: dict = field(default_factory=dict)  # role -> refresh token
    obj: dict = field(default_factory=dict)  # name -> model instance

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if self.access.get(role):
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.access[role]}")
        client.user = self.users.get(role)
        return client

    def ids(self) -> dict:
        """The values path templates are filled with: `{course}` is the course's pk, and so on."""
        values = {name: getattr(o, "pk", o) for name, o in self.obj.items()}
        values["code"] = self.obj["certificate"].verification_code
        return values

    def emails(self) -> dict:
        return {role: user.email for role, user in self.users.items() if user is not None}


def build_world() -> World:
    from certificates.tests.factories import CertificateFactory
    from courses.tests.factories import (
        CategoryFactory,
        EnrollmentFactory,
        LessonFactory,
        PublishedCourseFactory,
        SectionFactory,
    )
    from forum import services as forum_services
    from forum.models import Report
    from notifications.models import Notification
    from payments.tests.factories import CouponFactory, OrderFactory
    from quizzes import services as quiz_services
    from quizzes.tests.factories import QuestionFactory, QuizFactory
    from reviews.tests.factories import ReviewFactory

    w = World()
    w.users = {
        "anonymous": None,
        "student": StudentFactory(),
        "other_student": StudentFactory(),
        "instructor": InstructorFactory(),
        "other_instructor": InstructorFactory(),
        "admin": AdminFactory(),
    }
    for role, user in w.users.items():
        if user is not None:
            tokens = tokens_for_user(user)
            w.access[role], w.refresh[role] = tokens["access"], tokens["refresh"]
    student, instructor = w.users["student"], w.users["instructor"]

    o = w.obj
    o["category"] = CategoryFactory()
    o["empty_category"] = CategoryFactory()
    o["course"] = PublishedCourseFactory(instructor=instructor, category=o["category"], lessons=0)
    o["section"] = SectionFactory(course=o["course"], order=1)
    o["lesson"] = LessonFactory(section=o["section"], order=1)
    o["enrollment"] = EnrollmentFactory(student=student, course=o["course"], completed_at=timezone.now())
    o["quiz"] = QuizFactory(course=o["course"])
    o["question"] = QuestionFactory(quiz=o["quiz"])
    o["choice"] = o["question"].choices.order_by("order").first()
    o["attempt"], _ = quiz_services.attempt_start(student=student, quiz=o["quiz"])
    o["post"] = forum_services.post_create(course=o["course"], author=student, title="A thread", body="Hello")
    o["comment"] = forum_services.comment_create(post=o["post"], author=student, body="A comment")
    o["report"] = Report.objects.create(reporter=w.users["admin"], course=o["course"], post=o["post"], reason="spam")
    o["review"] = ReviewFactory(course=o["course"], student=student)
    o["certificate"] = CertificateFactory(enrollment=o["enrollment"])
    o["notification"] = Notification.objects.create(recipient=student, type="announcement", title="Hello")

    o["paid_course"] = PublishedCourseFactory(instructor=instructor, price=Decimal("49.99"))
    o["coupon"] = CouponFactory(course=o["paid_course"], code="WORLD20")
    o["order"] = OrderFactory(
        student=student, course=o["paid_course"], status="paid", paid_at=timezone.now(), payment_intent_id=None
    )
    EnrollmentFactory(student=student, course=o["paid_course"], source="purchase")
    o["student_user"] = student
    o["draft_course"] = PublishedCourseFactory(instructor=instructor, status="draft", published_at=None, lessons=1)
    _media(w)
    _assignments(w)
    _cohorts(w)
    _live_sessions(w)
    _webhooks(w)
    o["order"].refresh_from_db()
    assert o["order"].paid_at > timezone.now() - timedelta(minutes=5)
    return w


def _webhooks(w: World) -> None:
    """An endpoint (on a public address: the world never delivers) with one delivery in its log."""
    from webhooks import services as webhook_services
    from webhooks.models import Delivery, Event

    o = w.obj
    o["webhook"] = webhook_services.endpoint_create(
        actor=None, url="https://93.184.215.14/hooks", events=["user.created"]
    )
    event = Event.objects.create(
        public_id="evt_matrix", type="user.created", created_at=timezone.now(), data={"user_id": 0}
    )
    o["webhook_delivery"] = Delivery.objects.create(endpoint=o["webhook"], event=event, next_attempt_at=timezone.now())


def _assignments(w: World) -> None:
    """An assignment in the course's section (a rubric of one criterion), with the student's graded
    first attempt; a scrap assignment nobody submitted to (for DELETE); a zip of the submissions."""
    from assignments import services as assignment_services

    instructor, student = w.users["instructor"], w.users["student"]
    o = w.obj
    o["assignment"] = assignment_services.assignment_create(
        actor=instructor, section=o["section"], title="Essay", points=10, max_attempts=5,
        rubric=[{"title": "Argument", "points": 10}],
    )  # fmt: skip
    o["criterion"] = o["assignment"].criteria.get()
    o["submission"] = assignment_services.submission_create(student=student, assignment=o["assignment"], text="Mine")
    o["scrap_assignment"] = assignment_services.assignment_create(actor=instructor, section=o["section"], title="Scrap")
    o["archive"] = assignment_services.archive_request(actor=instructor, assignment=o["assignment"])


def _cohorts(w: World) -> None:
    """A course of the instructor's taught in cohorts (apart from `course`, which stays self-paced):
    a cohort, and a scrap one nobody joined (for DELETE)."""
    from courses.tests.factories import PublishedCourseFactory
    from schedules.tests.factories import CohortFactory

    o = w.obj
    o["cohort_course"] = PublishedCourseFactory(instructor=w.users["instructor"])
    o["cohort"] = CohortFactory(course=o["cohort_course"])
    o["scrap_cohort"] = CohortFactory(course=o["cohort_course"])


def _live_sessions(w: World) -> None:
    """Two live sessions of the whole course (its enrolled student is their audience); one to delete;
    the student's calendar feed token (its holder reads the feed, whoever they are)."""
    from schedules import services as schedule_services
    from schedules.tests.factories import LiveSessionFactory

    o = w.obj
    o["live_session"] = LiveSessionFactory(course=o["course"])
    o["scrap_live_session"] = LiveSessionFactory(course=o["course"])
    o["calendar_token"] = schedule_services.calendar_feed_issue(user=w.users["student"])


def _media(w: World) -> None:
    """The instructor's uploads: one ready (a stored public cover), one pending; a stored private file
    and a signed link to it."""
    import tempfile

    from media import storage
    from media.models import Upload

    instructor = w.users["instructor"]
    in_an_hour = timezone.now() + timedelta(hours=1)
    w.obj["upload"] = Upload.objects.create(
        owner=instructor,
        purpose="course_cover",
        status="ready",
        filename="cover.png",
        content_type="image/png",
        size=4,
        expires_at=in_an_hour,
        completed_at=timezone.now(),
    )
    w.obj["upload"].key = f"public/{w.obj['upload'].pk}/cover.png"
    w.obj["upload"].save(update_fields=["key"])
    w.obj["pending_upload"] = Upload.objects.create(
        owner=instructor, purpose="avatar", filename="me.png", content_type="image/png", size=100, expires_at=in_an_hour
    )
    private_key = f"private/{w.obj['pending_upload'].pk}/notes.txt"
    for key in (w.obj["upload"].key, private_key):
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"file")
            f.flush()
            storage.put_file(key, f.name)
    w.obj["public_file"] = w.obj["upload"].key
    w.obj["signed_token"] = storage.private_url(private_key, filename="notes.txt").rstrip("/").rsplit("/", 1)[1]


@contextlib.contextmanager
def world_in_transaction(django_db_blocker):
    """Builds the world inside a transaction that is rolled back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def paid_order(student, **extra):
    """A paid order of `student` for a new 30.00 course, with the enrollment the purchase gave;
    `extra` sets (or overrides, e.g. paid_at) the order's fields."""
    from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
    from payments.models import Order

    course = PublishedCourseFactory(price=Decimal("30.00"))
    EnrollmentFactory(student=student, course=course, source="purchase")
    return Order.objects.create(
        student=student,
        course=course,
        list_price=course.price,
        amount=course.price,
        currency="USD",
        status="paid",
        paid_at=extra.pop("paid_at", timezone.now()),
        **extra,
    )


# --- the URL resolver ------------------------------------------------------------------------------

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def normalize(pattern: str) -> str:
    """`^courses/(?P<pk>[0-9]+)/$` and `courses/<int:pk>/` both read `courses/<pk>/`."""
    pattern = pattern.replace("^", "").replace("$", "").replace("\\", "")
    pattern = _GROUP.sub(r"<\1>", pattern)
    return "/" + _CONVERTER.sub(r"<\1>", pattern)


def _methods(callback) -> list[str]:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    allowed = [m for m in getattr(cls, "http_method_names", []) if m not in ("head", "options", "trace")]
    actions = getattr(callback, "actions", None)
    if actions:  # a ViewSet route: the router's mapping, minus what the viewset refuses
        return sorted(m.upper() for m in actions if m in allowed)
    if cls is not None:
        return sorted(m.upper() for m in allowed if hasattr(cls, m))
    return ["GET"]  # a plain function view


def served_routes() -> dict[tuple[str, str], str]:
    """(METHOD, route) for every route of the resolver (the admin site excluded), with its view."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    routes = {}
    for raw, callback in walk(get_resolver().url_patterns):
        route = normalize(raw)
        if route.lstrip("/").startswith(EXCLUDED_PREFIXES):
            continue
        for method in _methods(callback):
            routes[(method, route)] = getattr(callback, "__name__", repr(callback))
    return routes


__all__ = ["PASSWORD", "ROLES", "World", "build_world", "served_routes", "world_in_transaction"]
