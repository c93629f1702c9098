"""Whose reports hide a post: throwaway accounts cannot (a report counts towards auto-hide only from
an account FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS old, enrolled FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS
before, or from the course's moderators); the moderators' own writing is never hidden
automatically; and the course's instructor hears of every report at once (`forum_report`)."""

import pytest
from django.core import mail

from accounts.tests.factories import StudentFactory
from conftest import client_for
from courses.tests.factories import EnrollmentFactory
from forum import services
from forum.models import ModerationLog, Report
from forum.tests.factories import comment_url, post_url, season
from notifications import services as notification_services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def enrolled(course, n):
    users = [StudentFactory() for _ in range(n)]
    for user in users:
        EnrollmentFactory(student=user, course=course)
    return users


@pytest.fixture
def spam(course, other_student):
    return services.post_create(course=course, author=other_student, title="Offer", body="Buy cheap watches")


def report_all(users, item):
    url = post_url(item, "report") if hasattr(item, "title") else comment_url(item, "report")
    for user in users:
        r = client_for(user).post(url, {"reason": "spam"}, format="json")
        assert r.status_code == 201, r.content


def test_the_defaults(settings):
    assert settings.FORUM_AUTO_HIDE_REPORTS == 3
    assert settings.FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS == 7
    assert settings.FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS == 3


def test_three_throwaway_accounts_cannot_hide_a_post(course, spam):
    report_all(enrolled(course, 3), spam)  # made and enrolled in a free course a moment ago
    spam.refresh_from_db()
    assert spam.is_hidden is False
    assert Report.objects.filter(post=spam, status="open").count() == 3  # the moderators still see them
    assert not ModerationLog.objects.exists()


def test_old_accounts_enrolled_just_now_cannot_hide_a_post(course, spam):
    readers = [StudentFactory() for _ in range(3)]
    season(*readers, days=365)
    for reader in readers:
        EnrollmentFactory(student=reader, course=course)  # today
    report_all(readers, spam)
    spam.refresh_from_db()
    assert spam.is_hidden is False


@pytest.mark.parametrize(("days", "hidden"), [(6, False), (7, True)])
def test_accounts_old_enough_hide_a_post_at_the_threshold(course, spam, days, hidden):
    readers = enrolled(course, 3)
    season(*readers, days=days)
    report_all(readers[:2], spam)
    spam.refresh_from_db()
    assert spam.is_hidden is False
    report_all(readers[2:], spam)
    spam.refresh_from_db()
    assert spam.is_hidden is hidden
    assert ModerationLog.objects.filter(action="auto_hide", post=spam).exists() is hidden


def test_only_reports_that_count_make_up_the_threshold(course, spam):
    seasoned, fresh = enrolled(course, 2), enrolled(course, 5)
    season(*seasoned)
    report_all(fresh + seasoned, spam)
    spam.refresh_from_db()
    assert spam.is_hidden is False  # seven reports, two of them count
    assert list(Report.objects.filter(post=spam).values_list("counts_toward_hide", flat=True)).count(True) == 2


def test_reports_by_the_courses_moderators_always_count(course, spam, instructor, admin_user):
    fresh = enrolled(course, 1)
    report_all([instructor, admin_user], spam)
    spam.refresh_from_db()
    assert spam.is_hidden is False
    season(*fresh)
    report_all(fresh, spam)
    spam.refresh_from_db()
    assert spam.is_hidden is True


def test_the_ages_are_settings(settings, course, spam):
    settings.FORUM_REPORT_MIN_ACCOUNT_AGE_DAYS = 0
    settings.FORUM_REPORT_MIN_ENROLLMENT_AGE_DAYS = 0
    report_all(enrolled(course, 3), spam)
    spam.refresh_from_db()
    assert spam.is_hidden is True


@pytest.mark.parametrize("author_role", ["instructor", "admin"])
@pytest.mark.parametrize("target", ["post", "comment"])
def test_writing_by_the_moderators_is_never_hidden_automatically(
    clients, course, post, instructor, admin_user, author_role, target
):
    author = instructor if author_role == "instructor" else admin_user
    if target == "post":
        item = services.post_create(course=course, author=author, title="Rules", body="Be kind.")
    else:
        item = services.comment_create(post=post, author=author, body="Be kind.")
    readers = enrolled(course, 4)
    season(*readers)
    report_all(readers, item)
    item.refresh_from_db()
    assert item.is_hidden is False
    assert Report.objects.filter(**{target: item}, status="open").count() == 4
    assert not ModerationLog.objects.filter(action="auto_hide").exists()
    assert Notification.objects.filter(recipient=instructor, type="forum_report").count() == 4


# --- telling the moderators ------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["post", "comment"])
def test_the_instructor_is_told_at_the_first_report(
    clients,
    course,
    spam,
    student,
    other_student,
    instructor,
    other_instructor,
    admin_user,
    target,
    django_capture_on_commit_callbacks,
):
    item = spam if target == "post" else services.comment_create(post=spam, author=other_student, body="More")
    mail.outbox.clear()
    url = post_url(item, "report") if target == "post" else comment_url(item, "report")
    with django_capture_on_commit_callbacks(execute=True):
        r = clients["student"].post(url, {"reason": "It is an advert"}, format="json")
    assert r.status_code == 201, r.content

    told = Notification.objects.filter(type="forum_report")
    assert list(told.values_list("recipient", flat=True)) == [instructor.pk]  # not the reporter, nobody else
    notification = told.get()
    assert notification.payload == {
        "course_id": course.pk,
        "report_id": r.json()["id"],
        "post_id": spam.pk,
        **({"comment_id": item.pk} if target == "comment" else {}),
    }
    assert "It is an advert" in notification.body
    assert course.title in notification.title
    assert [m.to for m in mail.outbox] == [[instructor.email]]  # e-mail is on by default


@pytest.mark.parametrize(
    ("role", "told"),
    [("student", True), ("instructor", False), ("admin", True)],
)
def test_the_instructor_is_told_of_every_report_but_their_own(clients, spam, instructor, role, told):
    assert clients[role].post(post_url(spam, "report"), {"reason": "spam"}, format="json").status_code == 201
    recipients = list(Notification.objects.filter(type="forum_report").values_list("recipient", flat=True))
    assert recipients == ([instructor.pk] if told else [])


def test_the_instructor_hears_of_the_automatic_hiding(settings, course, spam, instructor):
    settings.FORUM_AUTO_HIDE_REPORTS = 1
    reader = enrolled(course, 1)
    season(*reader)
    report_all(reader, spam)
    notification = Notification.objects.get(type="forum_report")
    assert "hidden automatically" in notification.body


def test_the_instructor_may_switch_report_emails_off(course, spam, instructor, django_capture_on_commit_callbacks):
    notification_services.preferences_update(user=instructor, changes=[{"type": "forum_report", "email": False}])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_all(enrolled(course, 1), spam)
    assert Notification.objects.filter(recipient=instructor, type="forum_report").count() == 1
    assert mail.outbox == []
