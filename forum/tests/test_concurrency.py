"""Concurrent writes on PostgreSQL: upvotes and comments keep their counters exact, and reports
that arrive together still hide an item at the threshold."""

import threading

import pytest
from django.db import connection, transaction

from accounts.tests.factories import InstructorFactory, StudentFactory
from courses.tests.factories import EnrollmentFactory, PublishedCourseFactory
from forum import services
from forum.models import Post, Vote
from lms.testing import held_open, run_together, wait_for_a_lock_waiter

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def run_all(fns) -> None:
    """run_together, failing on the first exception any call raised."""
    errors = [r for r in run_together(fns) if isinstance(r, BaseException)]
    assert not errors, errors


@pytest.fixture
def forum(postgres):
    course = PublishedCourseFactory(instructor=InstructorFactory())
    students = [StudentFactory() for _ in range(THREADS)]
    for student in students:
        EnrollmentFactory(student=student, course=course)
    post = services.post_create(course=course, author=students[0], title="t", body="b")
    return post, students


def test_concurrent_upvotes_keep_vote_count_exact(forum):
    post, students = forum
    toggles = [lambda s=s: services.vote_toggle(post=Post.objects.get(pk=post.pk), user=s) for s in students]
    run_all(toggles)
    post.refresh_from_db()
    assert post.vote_count == THREADS == Vote.objects.filter(post=post).count()
    run_all(toggles)  # every vote taken back at once
    post.refresh_from_db()
    assert post.vote_count == 0 == Vote.objects.filter(post=post).count()


def test_one_reader_toggling_concurrently_never_drifts(forum):
    post, students = forum
    reader = students[1]
    run_all([lambda: services.vote_toggle(post=Post.objects.get(pk=post.pk), user=reader)] * THREADS)
    post.refresh_from_db()
    assert post.vote_count == Vote.objects.filter(post=post).count() <= 1


def test_concurrent_comments_keep_comment_count_exact(forum):
    post, students = forum
    run_all(
        [lambda s=s: services.comment_create(post=Post.objects.get(pk=post.pk), author=s, body="hi") for s in students]
    )
    post.refresh_from_db()
    assert post.comment_count == THREADS == post.comments.count()


def test_reports_arriving_together_still_hide_at_the_threshold(forum, settings, any_reporter_counts):
    """Deterministic interleaving: A reports and holds its transaction open; B reports meanwhile;
    then A commits. Two distinct readers reported, so the post must end up hidden."""
    settings.FORUM_AUTO_HIDE_REPORTS = 2
    post, students = forum
    first, second = students[1], students[2]
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def report_and_hold():
        try:
            with transaction.atomic():
                services.report_create(reporter=first, post=Post.objects.get(pk=post.pk), reason="spam")
                inserted.set()
                release.wait(timeout=10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def report():
        try:
            services.report_create(reporter=second, post=Post.objects.get(pk=post.pk), reason="spam")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    a = threading.Thread(target=report_and_hold)
    a.start()
    assert inserted.wait(timeout=10)
    b = threading.Thread(target=report)
    b.start()
    b.join(timeout=1)  # with the item locked, B waits here for A
    release.set()
    a.join(timeout=30)
    b.join(timeout=30)
    assert not errors, errors
    post.refresh_from_db()
    assert post.reports.count() == 2
    assert post.is_hidden is True


def test_a_comment_racing_a_pin_keeps_the_post_pinned_first(forum):
    """Deterministic interleaving: a moderator pins and holds the transaction open; a comment on the
    thread, made from the same (now stale, unpinned) post object, arrives meanwhile. After both, the
    thread is pinned and its sort key is the pinned one, so it still lists above unpinned threads."""
    post, students = forum
    moderator = post.course.instructor
    stale = Post.objects.get(pk=post.pk)
    pinned, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def pin_and_hold():
        try:
            with transaction.atomic():
                services.post_set_flag(post=Post.objects.get(pk=post.pk), actor=moderator, flag="is_pinned", value=True)
                pinned.set()
                release.wait(timeout=10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def comment():
        try:
            services.comment_create(post=stale, author=students[1], body="first!")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    a = threading.Thread(target=pin_and_hold)
    a.start()
    assert pinned.wait(timeout=10)
    b = threading.Thread(target=comment)
    b.start()
    assert wait_for_a_lock_waiter(), "the comment should wait for the pin's lock on the thread"
    release.set()
    a.join(timeout=30)
    b.join(timeout=30)
    assert not errors, errors
    post.refresh_from_db()
    assert post.is_pinned is True
    assert post.comment_count == 1
    assert post.sort_key == post.last_activity_at + services.PIN_OFFSET


def test_pinning_a_post_does_not_hold_its_course(forum):
    """post_set_flag locks the post's row only: while a pin is in its transaction, students post
    in the same course (a new post's key lock on the course would wait on a course row lock)."""
    post, students = forum
    moderator = post.course.instructor
    with held_open(
        lambda: services.post_set_flag(post=Post.objects.get(pk=post.pk), actor=moderator, flag="is_pinned", value=True)
    ):
        services.post_create(course=post.course, author=students[1], title="while pinning", body="b")
    assert Post.objects.get(pk=post.pk).is_pinned
    assert Post.objects.filter(title="while pinning").exists()
