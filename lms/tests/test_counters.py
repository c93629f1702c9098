"""Stored counters (lms/counters.py): every counter-like field has a definition; the definitions
agree with what the services keep; each counter, corrupted, is found and repaired exactly; finding
drift costs one query per counter whatever the rows; repair never loses a concurrent change."""

import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import StudentFactory
from courses import services as courses
from courses.models import Course
from courses.tests.factories import PublishedCourseFactory
from forum import services as forum
from forum.models import Post
from lms.counters import NOT_COUNTERS, Counter, Drift, Figure, counters, counters_drift, counters_repair, register
from lms.testing import wait_for_a_lock_waiter
from reports.counters_check import check_counters
from reports.management.commands.doctor import FAIL, OK, Context
from reviews import services as reviews

from .counters_world import CORRUPTIONS, EXPECTED, build_world, stored

# A field with one of these names is a stored counter, unless NOT_COUNTERS says otherwise.
COUNTER_NAME = re.compile(r"(_count|_total|_sum)$|^(average|avg|num|total)_|_distribution$|^(redemptions|reserved)$")


def project_models():
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if root in path.parents and ".venv" not in path.parts:
            yield from config.get_models()


# --- the registry ---------------------------------------------------------------------------------
def test_every_counter_like_field_of_the_project_has_a_definition():
    covered = {f"{c.label}.{name}" for c in counters() for name in c.fields}
    counter_like = {
        f"{model._meta.label}.{field.name}"
        for model in project_models()
        for field in model._meta.concrete_fields
        if COUNTER_NAME.search(field.name)
    }
    assert counter_like - covered - set(NOT_COUNTERS) == set(), "register a Counter in <app>/counters.py"
    # The exemptions are real fields and not counted after all.
    assert set(NOT_COUNTERS) <= counter_like and not set(NOT_COUNTERS) & covered
    # The known ones, so a pattern that stopped matching would not pass silently.
    assert {"courses.Course.lesson_count", "forum.Post.vote_count", "payments.Coupon.reserved"} <= covered


def test_every_registered_figure_has_a_corruption_test():
    assert {(c.name, name) for c in counters() for name in c.fields} == {(n, f) for n, _m, _r, f, _v in CORRUPTIONS}


def test_a_second_definition_of_a_counted_field_is_refused():
    from django.db.models import Count

    with pytest.raises(ValueError, match=r"already counted by courses\.lesson_count"):
        register(Counter("courses.lessons_again", Course, {"lesson_count": Figure(Count("lessons"))}, "again"))
    with pytest.raises(ValueError, match="already registered"):
        register(Counter("forum.vote_count", Post, {"vote_count": Figure(Count("votes"))}, "again"))
    assert "courses.lessons_again" not in {c.name for c in counters()}


# --- the definitions agree with the services ------------------------------------------------------
@pytest.fixture
def world(db, stripe_emulator):
    return build_world()


def test_what_the_services_keep_is_exactly_the_true_value(world):
    assert list(counters_drift()) == []
    assert counters_repair() == []
    for name, figures in EXPECTED.items():
        assert stored(world)[name] == figures


def test_the_services_recounts_use_the_same_definitions(world):
    Course.objects.filter(pk=world.course.pk).update(lesson_count=0, average_rating=Decimal("0.00"))

    assert courses.course_recount_lessons(course=world.course) == 2
    reviews.course_rating_refresh(course_id=world.course.pk)

    assert stored(world)["course"] == EXPECTED["course"]
    assert list(counters_drift()) == []


def test_a_revoked_students_review_is_left_out_and_counts_again_when_restored(world):
    """The world's student c reviewed (1 star) and was then revoked: the services and the
    definition both leave the review out; enrolled again, both count it; revoked again, both drop it."""
    from courses.models import Enrollment
    from reviews.models import Review

    by_c = Review.objects.get(course=world.course, rating=1)
    assert stored(world)["course"]["rating_count"] == 3

    courses.enrollment_create(student=by_c.student, course=world.course)

    figures = stored(world)["course"]
    assert (figures["rating_count"], figures["average_rating"]) == (4, Decimal("3.50"))
    assert figures["rating_distribution"] == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}
    assert list(counters_drift()) == []

    courses.enrollment_revoke(actor=None, enrollment=Enrollment.objects.get(student=by_c.student, course=world.course))

    assert stored(world) == EXPECTED
    assert list(counters_drift()) == []


# --- each counter corrupted, found, repaired ------------------------------------------------------
@pytest.mark.parametrize(("counter", "model", "row", "field", "wrong"), CORRUPTIONS, ids=lambda v: str(v))
def test_a_corrupted_counter_is_found_and_repaired(world, counter, model, row, field, wrong):
    pk = getattr(world, row).pk
    right = EXPECTED[row][field]
    model.objects.filter(pk=pk).update(**{field: wrong})
    before = stored(world)

    drift = Drift(counter, model._meta.label, pk, field, wrong, right)
    assert list(counters_drift()) == [drift]
    assert list(counters_drift(names=[counter])) == [drift]
    others = [c.name for c in counters() if c.name != counter]
    assert list(counters_drift(names=others)) == []

    results = check_counters(Context(timeout=5, production=False))
    assert [(r.check, r.status) for r in results] == [(f"counters.{counter}", FAIL)]
    assert "1 row(s)" in results[0].message and str(drift) in results[0].message
    assert f"repair_counters --counter {counter}" in results[0].fix

    assert counters_repair(dry_run=True) == [drift]
    assert stored(world) == before  # a dry run changes nothing

    assert counters_repair() == [drift]
    assert stored(world)[row][field] == right
    assert stored(world) == EXPECTED
    assert list(counters_drift()) == []
    assert counters_repair() == []
    assert [r.status for r in check_counters(Context(timeout=5, production=False))] == [OK]


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The queries run, without the savepoints of the test's own transaction."""
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_every_drifted_row_is_repaired_in_batches(db):
    posts = []
    for _ in range(5):
        course = PublishedCourseFactory()
        student = StudentFactory()
        courses.enrollment_create(student=student, course=course)
        post = forum.post_create(course=course, author=student, title="Hi", body="Hello")
        forum.vote_toggle(post=post, user=student)
        posts.append(post)
    Post.objects.update(vote_count=7)
    Course.objects.update(enrollment_count=0)

    batches = []
    with CaptureQueriesContext(connection) as queries:
        fixed = counters_repair(names=["forum.vote_count"], batch_size=2, on_batch=batches.append)

    # One query to find the drift, then per batch of 2 rows: lock, recount, write.
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert len(statements(queries)) == 1 + 3 * 3
    assert sum("FOR UPDATE" in sql for sql in statements(queries)) == (3 if connection.vendor == "postgresql" else 0)

    assert [(d.pk, d.stored, d.true) for d in fixed] == [(p.pk, 7, 1) for p in posts]
    assert set(Post.objects.values_list("vote_count", flat=True)) == {1}
    assert {d.field for d in counters_drift()} == {"enrollment_count"}  # not chosen: left alone
    assert len(counters_repair(batch_size=2)) == 5
    assert list(counters_drift()) == []


def test_a_row_put_right_before_its_lock_is_left_alone(db):
    first, second = PublishedCourseFactory(lessons=2), PublishedCourseFactory(lessons=1)
    Course.objects.update(lesson_count=5)

    def meanwhile(batch):  # after the first batch commits, before the second is locked
        if batch and batch[0].pk == first.pk:
            courses.course_recount_lessons(course=second)

    fixed = counters_repair(names=["courses.lesson_count"], batch_size=1, on_batch=meanwhile)

    assert [(d.pk, d.stored, d.true) for d in fixed] == [(first.pk, 5, 2)]
    assert list(counters_drift()) == []


# --- cost -----------------------------------------------------------------------------------------
def add_rows(n: int) -> None:
    """n more courses, each with a lesson, enrollments, reviews, a thread with comments and votes,
    and a coupon (made quickly, then their figures set right by a repair)."""
    from courses.tests.factories import EnrollmentFactory
    from forum.tests.factories import CommentFactory, PostFactory
    from payments.tests.factories import CouponFactory, OrderFactory
    from reviews.models import Review

    for _ in range(n):
        course = PublishedCourseFactory(lessons=1)
        enrollment = EnrollmentFactory(course=course)
        Review.objects.create(course=course, student=enrollment.student, rating=3)
        post = PostFactory(course=course)
        CommentFactory(post=post)
        coupon = CouponFactory(course=course)
        OrderFactory(course=course, coupon=coupon, coupon_held=True)
    counters_repair()


def test_finding_drift_costs_one_query_per_counter_whatever_the_rows(db):
    add_rows(2)
    Course.objects.update(lesson_count=9)

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            found = list(counters_drift())
        return len(queries.captured_queries), len(found)

    small = cost()
    add_rows(6)
    Course.objects.update(lesson_count=9)
    large = cost()
    assert small == (len(counters()), 2)
    assert large == (len(counters()), 8)


def test_the_doctor_check_costs_one_query_per_counter_and_a_limited_one_per_drifted_counter(db):
    add_rows(3)
    with CaptureQueriesContext(connection) as queries:
        assert [r.status for r in check_counters(Context(timeout=5, production=False))] == [OK]
    assert len(queries.captured_queries) == len(counters())

    Post.objects.update(vote_count=4)
    with CaptureQueriesContext(connection) as queries:
        results = check_counters(Context(timeout=5, production=False))
    assert [(r.check, r.status) for r in results] == [("counters.forum.vote_count", FAIL)]
    assert results[0].message.startswith("3 row(s) of forum.Post")
    assert results[0].message.count("vote_count: 4 -> 0") == 3
    assert len(queries.captured_queries) == len(counters()) + 1
    assert sum("LIMIT 3" in q["sql"] for q in queries.captured_queries) == 1  # the examples


# --- caches ---------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_repairing_a_course_figure_refreshes_its_cached_pages(settings, anon_client):
    settings.CATALOG_CACHE_SECONDS = 300
    course = PublishedCourseFactory(lessons=2)
    Course.objects.filter(pk=course.pk).update(lesson_count=9)
    url = f"/api/v1/courses/{course.pk}/"
    assert anon_client.get(url).json()["lesson_count"] == 9  # cached as stored

    counters_repair()

    assert anon_client.get(url).json()["lesson_count"] == 2
    listed = anon_client.get("/api/v1/courses/?page_size=100").json()["results"]
    assert [c["lesson_count"] for c in listed if c["id"] == course.pk] == [2]


# --- repair while the services run (PostgreSQL: row locks) ----------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_repair_waits_for_a_service_holding_the_row_and_counts_its_change(postgres):
    """Deterministic: a lesson is created in a transaction held open (the course row locked by its
    +1). Repair, started meanwhile, waits for the lock and then counts the new lesson too. Repair
    recounting in the UPDATE that waits would have counted without it and lost the +1."""
    course = PublishedCourseFactory(lessons=1)
    section = course.sections.get()
    Course.objects.filter(pk=course.pk).update(lesson_count=7)  # drifted before it all starts
    created, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    repaired: list[Drift] = []

    def create_and_hold():
        try:
            with transaction.atomic():
                courses.lesson_create(actor=None, section=section, title="Written meanwhile")
                created.set()
                release.wait(timeout=10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def repair():
        try:
            repaired.extend(counters_repair(names=["courses.lesson_count"]))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    service = threading.Thread(target=create_and_hold)
    service.start()
    assert created.wait(timeout=10)
    repairer = threading.Thread(target=repair)
    repairer.start()
    assert wait_for_a_lock_waiter(), "repair should wait for the service's lock on the course"
    release.set()
    service.join(timeout=30)
    repairer.join(timeout=30)

    assert not errors, errors
    assert [(d.stored, d.true) for d in repaired] == [(8, 2)]  # seen after the service committed
    course.refresh_from_db()
    assert course.lesson_count == 2
    assert list(counters_drift()) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_services_racing_a_repair_lose_no_change(postgres):
    course = PublishedCourseFactory(lessons=0)
    students = StudentFactory.create_batch(6)
    Course.objects.filter(pk=course.pk).update(enrollment_count=40)

    from lms.testing import run_together

    calls = [lambda s=s: courses.enrollment_create(student=s, course=course) for s in students]
    calls += [lambda: counters_repair(names=["courses.enrollment_count"], batch_size=1)] * 3
    results = run_together(calls)

    assert not [r for r in results if isinstance(r, BaseException)], results
    course.refresh_from_db()
    assert course.enrollment_count == 6
    assert list(counters_drift()) == []
