"""A world for the privacy end-to-end tests (test_everything.py): a person with data in every app, a
bystander with the same kinds of data, an instructor whose courses they take, and the tools the tests
use to look at the whole database (a snapshot of every table, the rows that belong to a user, a scan of
every text column for a person's name, e-mail and address).

Everything is made through the apps' factories and services, the way the platform makes it, with the
jobs run (on-commit callbacks executed): the certificate is rendered, the avatar's derived files are
made, notifications and activity are recorded as the services record them."""

import io
import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts import services as accounts
from accounts.tests.factories import PASSWORD, AdminFactory, InstructorFactory, StudentFactory
from activity.models import Verb
from activity.services import activity_record
from assignments import services as assignments
from assignments.models import SubmissionType
from assignments.tests.factories import AssignmentFactory, submission_upload
from certificates import services as certificates
from courses import services as courses
from courses.models import Enrollment, EnrollmentSource
from courses.tests.factories import LessonFactory, PublishedCourseFactory, SectionFactory
from forum import services as forum
from media import services as media
from media import storage
from media.models import Upload, UploadPurpose
from notifications import services as notifications
from payments.models import OrderStatus, StripeEvent
from payments.tests.factories import OrderFactory
from privacy import services as privacy
from quizzes import services as quizzes
from quizzes.models import Choice
from quizzes.tests.factories import QuestionFactory, QuizFactory
from reviews import services as reviews
from schedules import reminders
from schedules import services as schedules
from schedules.tests.factories import CohortFactory, LiveSessionFactory
from sso import services as sso
from sso.models import LoginCode

PERSON = {
    "first_name": "Zebulonia",
    "last_name": "Quetzalcoatl-Smythe",
    "email": "zebulonia.q@example.org",
    "ip": "203.0.113.77",
    "color": (200, 40, 120),
}
BYSTANDER = {
    "first_name": "Bartholomew",
    "last_name": "Wigglesworth-Pennyfeather",
    "email": "bartholomew.w@example.net",
    "ip": "198.51.100.23",
    "color": (20, 160, 90),
}
INSTRUCTOR_PERSON = {
    "first_name": "Ottoline",
    "last_name": "Vandersloot-Pym",
    "email": "ottoline.vp@example.org",
    "ip": "192.0.2.151",
    "color": (90, 90, 220),
}


# --- files --------------------------------------------------------------------------------------
def png(color) -> bytes:
    """A real PNG of one colour (each person's differs, so their files can be told apart)."""
    out = io.BytesIO()
    Image.new("RGB", (96, 96), color).save(out, format="PNG")
    return out.getvalue()


def pdf(text: str) -> bytes:
    """A real PDF (WeasyPrint) holding `text`: each person's essay differs."""
    import weasyprint

    return weasyprint.HTML(string=f"<h1>Essay</h1><p>{text}</p>").write_pdf()


def stored_bytes(key: str) -> bytes:
    with storage.open_read(key) as f:
        return f.read()


# --- the people -----------------------------------------------------------------------------------
@dataclass
class Holdings:
    """A user and what the world gave them: the rows (`rows`: model label -> pks made for them, to
    find in their export), the texts only they wrote (`markers`), their files' bytes (`files`: what,
    bytes) and every storage key that is theirs (`keys`)."""

    user: object
    first_name: str
    last_name: str
    email: str
    ip: str
    rows: dict[str, list] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    objects: SimpleNamespace = field(default_factory=SimpleNamespace)

    @property
    def needles(self) -> dict[str, str]:
        """What must not be found anywhere once they are erased, lower-cased: what it is -> text."""
        return {
            "first name": self.first_name.lower(),
            "last name": self.last_name.lower(),
            "e-mail": self.email.lower(),
            "client address": self.ip,
        }

    def add(self, obj) -> None:
        self.rows.setdefault(obj._meta.label, []).append(obj.pk)

    def refresh(self):
        self.user = get_user_model().objects.get(pk=self.user.pk)
        return self.user


@dataclass
class World:
    admin: object
    instructor: object
    course: object  # free, self-paced: lessons, a quiz, an assignment, the forum, reviews, a live session
    paid_course: object  # bought (an order)
    cohort_course: object  # taught in a cohort, with a quiz due soon
    cohort: object
    quiz: object
    questions: SimpleNamespace
    assignment: object
    session: object
    person: Holdings
    bystander: Holdings
    archive: object = None


def _login(who: Holdings) -> None:
    """Signs in through the API, from the person's address and browser: the sign-in is recorded
    (activity, last login, a refresh token)."""
    response = APIClient().post(
        "/api/v1/auth/login/",
        {"email": who.email, "password": PASSWORD},
        format="json",
        REMOTE_ADDR=who.ip,
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    )
    assert response.status_code == 200, response.content


def _student(spec: dict) -> Holdings:
    user = StudentFactory(first_name=spec["first_name"], last_name=spec["last_name"], email=spec["email"])
    return Holdings(
        user=user, first_name=spec["first_name"], last_name=spec["last_name"], email=spec["email"], ip=spec["ip"]
    )


def _account(who: Holdings, spec: dict, capture, admin) -> None:
    """Profile things: an avatar (a real image, its derived files made), a sign-in from their address,
    tokens, a sign-in lockout, a storage quota set by an admin, the admin's log about them,
    notification preferences, a calendar feed."""
    user = who.user
    first = who.first_name.lower()
    with capture(execute=True):
        upload = submission_upload(
            user,
            data=png(spec["color"]),
            filename=f"{first}-portrait.png",
            content_type="image/png",
            purpose=UploadPurpose.AVATAR,
        )
        accounts.user_avatar_set(actor=user, user=user, upload_id=upload.pk)
    upload = Upload.objects.get(pk=upload.pk)
    who.objects.avatar = upload
    who.files["avatar"] = stored_bytes(upload.key)
    who.markers["avatar upload id"] = str(upload.pk)
    who.add(upload)
    with capture(execute=True):
        _login(who)
    who.objects.tokens = accounts.tokens_for_user(user)
    with capture(execute=True):
        lockout = accounts.signin_lockout_record(
            email=who.email, address=who.ip, locked_until=timezone.now() + timedelta(minutes=15)
        )
    who.add(lockout)
    media.storage_quota_set(actor=admin, user=user, quota_bytes=500 * 1024 * 1024)
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(type(user)),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["First name", "Last name"]}}]),
    )
    notifications.preferences_update(user=user, changes=[{"type": "forum_reply", "email": False}])
    schedules.calendar_feed_issue(user=user)
    privacy.audit_record(
        actor=admin, subject=user, action="view", target=f"accounts.user:{user.pk}", reason="Support ticket 4711"
    )
    # Single sign-on: an identity at the school's provider linked to the account, and a one-time code
    # issued at a sign-in with it.
    who.markers["sso subject"] = f"school-{first}-{user.pk}"
    who.add(sso.identity_link_create(user=user, provider="school", subject=who.markers["sso subject"], email=who.email))
    sso.login_code_issue(user=user, provider="school", code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    who.add(LoginCode.objects.filter(user=user).latest("pk"))


def _learning(who: Holdings, world: SimpleNamespace, capture) -> None:
    """Enrolled in the free course: both lessons done, the quiz passed with a typed answer and a
    number (the course completes, the certificate is rendered), work submitted (text, URL and a
    file) and graded."""
    user = who.user
    with capture(execute=True):
        enrollment = courses.enrollment_create(student=user, course=world.course)
    who.add(enrollment)
    with capture(execute=True):
        for lesson in world.course.lessons.order_by("order", "id"):
            courses.lesson_complete(student=user, lesson=lesson)
    for completion in enrollment.lesson_completions.all():
        who.add(completion)
    q = world.questions
    answer = f"{who.first_name} {who.last_name} thinks it is chlorophyll"
    who.markers["quiz answer"] = answer
    with capture(execute=True):
        attempt, _created = quizzes.attempt_start(student=user, quiz=world.quiz)
        attempt = quizzes.attempt_submit(
            actor=user,
            attempt=attempt,
            answers=[
                {"question": q.choice.pk, "choice_ids": [q.right.pk]},
                {"question": q.text.pk, "text": answer},
                {"question": q.number.pk, "number": "42"},
            ],
        )
    assert attempt.passed, "the quiz must be passed for the course to complete"
    who.objects.attempt = attempt
    who.add(attempt)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None, "the free course must be completed"
    with capture(execute=True):
        certificate = certificates.certificate_issue(enrollment_id=enrollment.pk)
    assert certificate is not None and certificate.pdf
    who.objects.certificate = certificate
    who.add(certificate)
    who.markers["certificate code"] = certificate.verification_code
    who.files["certificate"] = stored_bytes(certificate.pdf.name)

    text = f"My essay on photosynthesis, by {who.first_name} {who.last_name} ({who.email})."
    who.markers["submission text"] = text
    url = f"https://portfolio.example.com/{who.first_name.lower()}-{who.last_name.lower()}/essay"
    who.markers["submission url"] = url
    upload = submission_upload(user, data=pdf(text), filename=f"{who.first_name}-{who.last_name}-essay.pdf")
    who.markers["submission file upload id"] = str(upload.pk)
    with capture(execute=True):
        submission = assignments.submission_create(
            student=user, assignment=world.assignment, text=text, url=url, files=[upload.pk]
        )
    upload = Upload.objects.get(pk=upload.pk)
    who.objects.submission_upload = upload
    who.files["submission"] = stored_bytes(upload.key)
    who.objects.submission = submission
    who.add(submission)
    with capture(execute=True):
        grade = assignments.submission_grade(
            actor=world.instructor, submission=submission, score=88, feedback=f"Well argued, {who.first_name}."
        )
    who.add(grade)


def _buying(who: Holdings, world: SimpleNamespace, capture) -> None:
    """A paid order (made as the factory makes it: no Stripe), its webhook event, the paid enrollment,
    and a seat in the cohort course."""
    user = who.user
    now = timezone.now()
    order = OrderFactory(
        student=user,
        course=world.paid_course,
        status=OrderStatus.PAID,
        paid_at=now,
        client_secret="pi_secret_not_personal",
    )
    who.objects.order = order
    who.add(order)
    who.markers["order id"] = str(order.pk)
    StripeEvent.objects.create(
        id=f"evt_{order.payment_intent_id}", type="payment_intent.succeeded", order=order, outcome="paid"
    )
    with capture(execute=True):
        who.add(courses.enrollment_create(student=user, course=world.paid_course, source=EnrollmentSource.PAID))
        who.add(courses.enrollment_create(student=user, course=world.cohort_course, cohort=world.cohort.pk))
    member = world.cohort.members.get(student=user)
    who.add(member)


def _forum(who: Holdings, world: SimpleNamespace, capture) -> None:
    user = who.user
    body = f"Hello, I am {who.first_name} {who.last_name} ({who.email}): is lesson 2 about leaves?"
    who.markers["post body"] = body
    with capture(execute=True):
        post = forum.post_create(
            course=world.course, author=user, title=f"Question {who.first_name[:3]}-{user.pk}", body=body
        )
        review = reviews.review_create(
            course=world.course,
            student=user,
            rating=5 if who.first_name == PERSON["first_name"] else 3,
            comment=f"Loved it, {who.first_name} {who.last_name} recommends it.",
        )
    who.markers["review comment"] = review.comment
    who.objects.post, who.objects.review = post, review
    who.add(post)
    who.add(review)


def _talk(a: Holdings, b: Holdings, world: SimpleNamespace, capture) -> None:
    """`a` comments on `b`'s post, votes for it and reports it; `b`'s thread notifies `b`."""
    body = f"{a.first_name} here: I think so too."
    a.markers["comment body"] = body
    reason = f"{a.first_name} {a.last_name} finds this off-topic"
    a.markers["report reason"] = reason
    with capture(execute=True):
        comment = forum.comment_create(post=b.objects.post, author=a.user, body=body)
        forum.vote_toggle(post=b.objects.post, user=a.user)
        report = forum.report_create(reporter=a.user, reason=reason, post=b.objects.post)
    a.objects.comment, a.objects.report = comment, report
    a.add(comment)
    a.add(report)
    a.rows.setdefault("forum.Vote", []).extend(
        apps.get_model("forum", "Vote").objects.filter(user=a.user).values_list("pk", flat=True)
    )


def build_world(capture, *, instructor_spec: dict | None = None) -> World:
    """The whole world (see the module's docstring). `capture`: pytest-django's
    django_capture_on_commit_callbacks."""
    admin = AdminFactory(first_name="Ada", last_name="Admin", email="ada.admin@example.com")
    instructor = InstructorFactory(first_name="Ignatius", last_name="Teachwell", email="ignatius.t@example.com")
    course = PublishedCourseFactory(instructor=instructor, title="Plants and light", lessons=2, price=Decimal("0"))
    section = course.sections.first()
    quiz = QuizFactory(course=course, section=section, passing_score=50, is_required=True)
    choice = QuestionFactory(quiz=quiz, text="Which is green?")
    right = Choice.objects.get(question=choice, is_correct=True)
    text = QuestionFactory(quiz=quiz, type="short_answer", text="Name the pigment.", accepted_answers=["xanthophyll"])
    number = QuestionFactory(quiz=quiz, type="numeric", text="Six times seven?", numeric_answer=Decimal("42"))
    assignment = AssignmentFactory(
        section=section,
        course=course,
        title="Essay",
        submission_types=[SubmissionType.TEXT, SubmissionType.URL, SubmissionType.FILE],
        is_required=False,
    )
    paid_course = PublishedCourseFactory(instructor=instructor, title="Paid plants", price=Decimal("49.99"))
    cohort_course = PublishedCourseFactory(instructor=instructor, title="Plants together")
    cohort = CohortFactory(
        course=cohort_course,
        capacity=10,
        starts_at=timezone.now() + timedelta(hours=12),
        enrollment_closes_at=timezone.now() + timedelta(hours=11),
    )
    QuizFactory(course=cohort_course, title="Due soon", due_at=timezone.now() + timedelta(hours=10))
    session = LiveSessionFactory(course=course, starts_at=timezone.now() + timedelta(minutes=30))
    place = SimpleNamespace(
        course=course,
        quiz=quiz,
        questions=SimpleNamespace(choice=choice, right=right, text=text, number=number),
        assignment=assignment,
        paid_course=paid_course,
        cohort_course=cohort_course,
        cohort=cohort,
        instructor=instructor,
    )

    people = []
    for spec in (PERSON, BYSTANDER):
        who = _student(spec)
        _account(who, spec, capture, admin)
        _learning(who, place, capture)
        _buying(who, place, capture)
        _forum(who, place, capture)
        people.append(who)
    person, bystander = people
    _talk(person, bystander, place, capture)
    _talk(bystander, person, place, capture)

    with capture(execute=True):
        # The instructor's side: a reply to each review, a moderation decision on each report, an
        # announcement, the attendance of the live session, an archive of the essays.
        for who in people:
            reviews.reply_create(review=who.objects.review, author=instructor, body=f"Thank you, {who.first_name}!")
            forum.report_resolve(report=who.objects.report, actor=instructor, resolution="dismiss")
        notifications.announcement_create(
            course=course, author=instructor, title="Welcome", body="The live session is at noon."
        )
        schedules.attendance_mark(actor=instructor, session=session, present=[p.user.pk for p in people])
        schedules.live_session_reminders_send()
        reminders.cohort_starting_send()
        reminders.due_soon_send()
        archive = assignments.archive_request(actor=instructor, assignment=assignment)
    archive.refresh_from_db()
    assert archive.status == "ready", archive.error

    # Activity recorded for each (besides what the services recorded): a sign-up with its role.
    for who in people:
        activity_record(actor=who.user, verb=Verb.USER_SIGNED_UP, target=who.user, metadata={"role": "student"})

    for who in people:
        who.refresh()
        _collect(who)
    return World(
        admin=admin,
        instructor=instructor,
        course=course,
        paid_course=paid_course,
        cohort_course=cohort_course,
        cohort=cohort,
        quiz=quiz,
        questions=place.questions,
        assignment=assignment,
        session=session,
        person=person,
        bystander=bystander,
        archive=archive,
    )


def _collect(who: Holdings) -> None:
    """The rows the services made for them (notifications, activity, tokens, ...) and every storage
    key that is theirs."""
    user = who.user
    for label, lookup in (
        ("notifications.Notification", "recipient"),
        ("notifications.NotificationPreference", "user"),
        ("activity.ActivityEvent", "actor"),
        ("schedules.CalendarFeed", "user"),
        ("schedules.Attendance", "student"),
        ("schedules.LiveSessionReminder", "student"),
        ("schedules.ScheduleNotice", "student"),
        ("token_blacklist.OutstandingToken", "user"),
        ("media.StorageQuota", "user"),
    ):
        model = apps.get_model(label)
        who.rows[label] = list(model.objects.filter(**{lookup: user}).values_list("pk", flat=True))
        assert who.rows[label], f"the world made no {label} for {who.first_name}"
    keys = []
    for upload in Upload.objects.filter(owner=user):
        keys += upload.stored_keys()
    keys.append(who.objects.certificate.pdf.name)
    who.keys = [key for key in keys if storage.exists(key)]
    assert who.objects.avatar.key in who.keys and who.objects.submission_upload.key in who.keys


# --- an instructor to erase -------------------------------------------------------------------------
def build_instructor_world(capture) -> SimpleNamespace:
    """An instructor (Ottoline) with a profile, an avatar, a course with a student who completed it
    (a certificate printing the instructor's name), a forum thread the instructor answered, a review
    the instructor replied to, an announcement, graded work and a live session they marked."""
    spec = INSTRUCTOR_PERSON
    admin = AdminFactory(first_name="Ada", last_name="Admin", email="ada.admin@example.com")
    user = InstructorFactory(first_name=spec["first_name"], last_name=spec["last_name"], email=spec["email"])
    user.instructor_profile.bio = f"{spec['first_name']} {spec['last_name']} has bound books for thirty years."
    user.instructor_profile.website = "https://ottoline.example.org"
    user.instructor_profile.save()
    who = Holdings(
        user=user, first_name=spec["first_name"], last_name=spec["last_name"], email=spec["email"], ip=spec["ip"]
    )
    _account(who, spec, capture, admin)
    course = PublishedCourseFactory(instructor=user, title="Bookbinding", lessons=0)
    section = SectionFactory(course=course)
    LessonFactory(section=section, course=course, title="Folding")
    assignment = AssignmentFactory(section=section, course=course, title="A folded sheet", is_required=False)
    session = LiveSessionFactory(course=course, starts_at=timezone.now() + timedelta(days=2))
    student = StudentFactory(first_name="Sigrid", last_name="Learner", email="sigrid.l@example.com")
    with capture(execute=True):
        enrollment = courses.enrollment_create(student=student, course=course)
        for lesson in course.lessons.all():
            courses.lesson_complete(student=student, lesson=lesson)
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    with capture(execute=True):
        certificate = certificates.certificate_issue(enrollment_id=enrollment.pk)
        post = forum.post_create(course=course, author=student, title="Glue?", body="Which glue do you use?")
        forum.comment_create(post=post, author=user, body=f"Wheat paste. — {spec['first_name']}")
        own = forum.post_create(course=course, author=user, title="Welcome", body=f"I am {spec['first_name']}.")
        review = reviews.review_create(course=course, student=student, rating=4, comment="Lovely.")
        reviews.reply_create(review=review, author=user, body=f"Thanks! {spec['first_name']}")
        notifications.announcement_create(
            course=course, author=user, title="Materials", body=f"Bring paper. {spec['first_name']}"
        )
        submission = assignments.submission_create(student=student, assignment=assignment, text="My folded sheet.")
        assignments.submission_grade(actor=user, submission=submission, score=90, feedback="Crisp folds.")
        schedules.attendance_mark(actor=user, session=session, present=[student.pk])
    who.refresh()
    who.keys = [
        key for upload in Upload.objects.filter(owner=user) for key in upload.stored_keys() if storage.exists(key)
    ]
    assert who.objects.avatar.key in who.keys
    return SimpleNamespace(
        admin=admin,
        instructor=who,
        course=course,
        student=student,
        certificate=certificate,
        post=post,
        own_post=own,
        review=review,
    )


@pytest.fixture(name="world")
def world_fixture(db, media_root, django_capture_on_commit_callbacks) -> World:
    return build_world(django_capture_on_commit_callbacks)


@pytest.fixture(name="person")
def person_fixture(world) -> Holdings:
    """Zebulonia Quetzalcoatl-Smythe, a student with data in every app."""
    return world.person


@pytest.fixture(name="bystander")
def bystander_fixture(world) -> Holdings:
    """Bartholomew Wigglesworth-Pennyfeather, a student with the same kinds of data."""
    return world.bystander


@pytest.fixture(name="instructor_world")
def instructor_world_fixture(db, media_root, django_capture_on_commit_callbacks) -> SimpleNamespace:
    return build_instructor_world(django_capture_on_commit_callbacks)


# --- looking at the whole database ------------------------------------------------------------------
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField, models.GenericIPAddressField)


def all_models() -> list[type[models.Model]]:
    """Every concrete model, auto-created many-to-many tables included."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]


def text_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def snapshot() -> dict[str, dict]:
    """Every row of every table: {model label: {pk: {field attname: value}}}."""
    taken = {}
    for model in all_models():
        names = [f.attname for f in model._meta.concrete_fields]
        pk = model._meta.pk.attname
        taken[model._meta.label] = {row[pk]: row for row in model._base_manager.values(*names).iterator()}
    return taken


def owned_rows(user_pk) -> dict[str, set]:
    """The rows that belong to a user: their user row, every row with a foreign key to it, and every
    row with a foreign key to such a row, and so on (their enrollments' completions and certificate,
    their posts' comments and votes, their attempts' answers, their submissions' grades)."""
    user_model = get_user_model()
    owned: dict[str, set] = {user_model._meta.label: {user_pk}}
    relations = {
        m: [
            f
            for f in m._meta.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one) and f.target_field.primary_key
        ]
        for m in all_models()
    }
    changed = True
    while changed:
        changed = False
        for model, fks in relations.items():
            query = Q()
            for fk in fks:
                pks = owned.get(fk.related_model._meta.concrete_model._meta.label)
                if pks:
                    query |= Q(**{f"{fk.attname}__in": list(pks)})
            if not query:
                continue
            found = set(model._base_manager.filter(query).values_list("pk", flat=True))
            mine = owned.setdefault(model._meta.label, set())
            if not found <= mine:
                mine |= found
                changed = True
    return owned


@dataclass(frozen=True)
class Leak:
    model: str
    table: str
    column: str
    pk: object
    what: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column} ({self.model}) row {self.pk}: {self.what} in {self.excerpt!r}"


def _excerpt(text: str, needle: str) -> str:
    at = text.lower().find(needle)
    return text[max(0, at - 40) : at + len(needle) + 40]


def scan(needles: dict[str, str], *, allowed: dict[tuple[str, str], str] | None = None) -> list[Leak]:
    """Every text column of every table (char, text, JSON as text, file names, addresses), every
    row: each place one of `needles` (what -> lower-case text) is found, case-insensitively, except
    the (model label, field name) pairs `allowed` lists."""
    allowed = allowed or {}
    leaks = []
    for model in all_models():
        fields = [f for f in text_fields(model) if (model._meta.label, f.name) not in allowed]
        if not fields:
            continue
        pk = model._meta.pk.attname
        for row in model._base_manager.values(pk, *(f.attname for f in fields)).iterator():
            for f in fields:
                text = as_text(row[f.attname])
                lowered = text.lower()
                for what, needle in needles.items():
                    if needle in lowered:
                        leaks.append(
                            Leak(
                                model._meta.label, model._meta.db_table, f.column, row[pk], what, _excerpt(text, needle)
                            )
                        )
    return leaks


def mentions(needles: dict[str, str]) -> dict[str, set]:
    """{model label: pks} of the rows whose text holds one of `needles`."""
    found: dict[str, set] = {}
    for leak in scan(needles):
        found.setdefault(leak.model, set()).add(leak.pk)
    return found


def media_files() -> dict[str, bytes]:
    """Every file under MEDIA_ROOT: {relative path: bytes}."""
    from django.conf import settings

    root = settings.MEDIA_ROOT
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = f.read()
    return found
