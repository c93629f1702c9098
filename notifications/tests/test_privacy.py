"""Notifications' part of privacy: the export of a person's inbox, channel choices and announcements
(theirs only), and the erasure that deletes the inbox and the choices, takes their name out of other
people's notifications that name them, and keeps their announcements; idempotent, other people's
rows untouched."""

import json

import pytest

from accounts.tests.factories import InstructorFactory, StudentFactory
from courses.services import enrollment_create
from courses.tests.factories import PublishedCourseFactory
from lms.i18n import render_in
from notifications import services
from notifications.models import Announcement, Notification, NotificationPreference
from notifications.privacy import notifications_erase, notifications_export
from privacy import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return StudentFactory(first_name="Ada", last_name="Lovelace", email="ada.lovelace@example.com")


@pytest.fixture
def teacher():
    return InstructorFactory(first_name="Alan", last_name="Turing")


@pytest.fixture
def world(person, other_student, teacher):
    """`person` and `other_student` enrolled in the teacher's course (each enrollment notifies both
    the student and the teacher, the teacher's naming the student); both have channel choices; the
    teacher wrote an announcement."""
    course = PublishedCourseFactory(instructor=teacher, title="Analytical Engines")
    enrollment_create(student=person, course=course)
    enrollment_create(student=other_student, course=course)
    services.notify(recipients=[person, other_student], type="announcement", title="Welcome", body="Hello both")
    services.preferences_update(user=person, changes=[{"type": "forum_reply", "email": False}])
    services.preferences_update(user=other_student, changes=[{"type": "forum_reply", "email": False}])
    announcement = services.announcement_create(course=course, author=teacher, title="Week 1", body="Read ch. 1")
    return {"course": course, "announcement": announcement}


def rows(queryset) -> list[dict]:
    return list(queryset.order_by("pk").values())


# --- registration ---------------------------------------------------------------------------------
def test_notifications_registers_an_exporter_and_an_eraser_covering_its_user_links():
    exporter = next(e for e in registry.exporters() if e.name == "notifications")
    eraser = next(e for e in registry.erasers() if e.name == "notifications")
    labels = {"notifications.Notification", "notifications.NotificationPreference", "notifications.Announcement"}
    assert {m._meta.label for m in exporter.models} == labels
    assert {m._meta.label for m in eraser.models} == labels
    assert exporter.describe and eraser.policy
    assert not [label for label in registry.uncovered()["erase"] if label.startswith("notifications.")]
    assert not [label for label in registry.uncovered()["export"] if label.startswith("notifications.")]
    # after the apps whose erasure may still notify the person, before accounts renames them
    later = [e.order for e in registry.erasers() if e.name in ("courses", "payments", "certificates")]
    assert max(later) < eraser.order < next(e for e in registry.erasers() if e.name == "accounts").order


# --- export ---------------------------------------------------------------------------------------
def test_the_export_lists_the_persons_inbox_choices_and_announcements_only(world, person, teacher):
    data = notifications_export(person)

    json.dumps(data)  # JSON-able as it is
    assert [row["type"] for row in data["notifications"]] == ["enrollment_confirmed", "announcement"]
    assert {row["id"] for row in data["notifications"]} == set(
        Notification.objects.filter(recipient=person).values_list("pk", flat=True)
    )
    welcome = data["notifications"][1]
    assert (welcome["title"], welcome["body"], welcome["read_at"]) == ("Welcome", "Hello both", None)
    assert data["notifications"][0]["payload"]["course_id"] == world["course"].pk
    assert [(p["type"], p["in_app"], p["email"]) for p in data["preferences"]] == [("forum_reply", True, False)]
    assert data["announcements"] == []

    taught = notifications_export(teacher)
    assert [row["type"] for row in taught["notifications"]] == ["new_enrollment", "new_enrollment"]
    [announcement] = taught["announcements"]
    assert (announcement["id"], announcement["title"], announcement["body"]) == (
        world["announcement"].pk,
        "Week 1",
        "Read ch. 1",
    )
    assert announcement["course_id"] == world["course"].pk


def test_someone_without_notifications_exports_empty_lists():
    assert notifications_export(StudentFactory()) == {"notifications": [], "preferences": [], "announcements": []}


# --- erasure --------------------------------------------------------------------------------------
def test_erasure_deletes_the_inbox_and_choices_and_unnames_the_person_elsewhere(world, person, other_student, teacher):
    others_notifications = rows(Notification.objects.filter(recipient=other_student))
    others_preferences = rows(NotificationPreference.objects.filter(user=other_student))
    about_other = Notification.objects.get(recipient=teacher, payload__student_id=other_student.pk)
    announcements = rows(Announcement.objects.all())
    assert Notification.objects.get(recipient=teacher, payload__student_id=person.pk).title == (
        "Ada Lovelace enrolled in Analytical Engines"
    )

    notifications_erase(person)

    assert not Notification.objects.filter(recipient=person).exists()
    assert not NotificationPreference.objects.filter(user=person).exists()
    assert rows(Notification.objects.filter(recipient=other_student)) == others_notifications
    assert rows(NotificationPreference.objects.filter(user=other_student)) == others_preferences
    about_person = Notification.objects.get(recipient=teacher, payload__student_id=person.pk)
    assert about_person.title == "Deleted user enrolled in Analytical Engines"
    assert about_person.payload["course_id"] == world["course"].pk
    about_other.refresh_from_db()
    assert about_other.title == f"{other_student.full_name} enrolled in Analytical Engines"
    assert rows(Announcement.objects.all()) == announcements
    assert Notification.objects.count() == 2 + 2  # the other student's two, the teacher's two
    scan = json.dumps(list(Notification.objects.values("title", "body", "payload")))
    assert "Lovelace" not in scan and "ada.lovelace@" not in scan


def test_a_second_erasure_changes_nothing(world, person):
    notifications_erase(person)
    first = rows(Notification.objects.all()), rows(NotificationPreference.objects.all())

    again = services.notifications_erase_for_user(user=person)
    assert again == {"notifications": 0, "preferences": 0, "announcements": 0, "renamed": 0}

    assert (rows(Notification.objects.all()), rows(NotificationPreference.objects.all())) == first


def test_an_erased_teacher_keeps_their_announcements_without_their_name(
    world, person, other_student, teacher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # delivered to both students
        signed = services.announcement_create(
            course=world["course"], author=teacher, title="Week 2", body="Read ch. 2. Alan (alan@x.org: Turing)"
        )
    Notification.objects.filter(payload__announcement_id=signed.pk, recipient=other_student).update(
        body="Read ch. 2. Alan (Alan Turing)"  # as the text stood when it was delivered
    )
    before = {"students": Notification.objects.filter(recipient__in=[person, other_student]).count()}
    teacher.email = "alan@x.org"
    teacher.save(update_fields=["email"])

    result = services.notifications_erase_for_user(user=teacher)

    assert result["announcements"] == 1 and result["renamed"] == 2
    first, second = Announcement.objects.order_by("pk")
    assert (first.author_id, first.title, first.body) == (teacher.pk, "Week 1", "Read ch. 1")
    assert (second.author_id, second.title) == (teacher.pk, "Week 2")
    assert second.body == "Read ch. 2. Deleted user (Deleted user: Deleted user)"
    copies = Notification.objects.filter(payload__announcement_id=signed.pk).order_by("recipient_id")
    assert {n.body for n in copies} == {
        "Read ch. 2. Deleted user (Deleted user: Deleted user)",
        "Read ch. 2. Deleted user (Deleted user)",
    }
    assert not Notification.objects.filter(recipient=teacher).exists()
    assert Notification.objects.filter(recipient__in=[person, other_student]).count() == before["students"]


# --- unnaming -------------------------------------------------------------------------------------
def test_unnaming_replaces_whole_words_only_in_the_readers_language(teacher):
    al = StudentFactory(first_name="Al", last_name="", email="al@example.com")
    french = InstructorFactory(language="fr")
    for reader in (teacher, french):
        services.notify(
            recipients=[reader],
            type="submission_received",
            title="New submission: Algebra for Al",
            body="Al submitted attempt 2 (al@example.com, AL).",
            payload={"student_id": al.pk},
        )
    unrelated = services.notify(recipients=[teacher], type="announcement", title="Al said hi", payload={})
    assert unrelated == 1

    assert services.notifications_unname(names=["Al", al.email], key="student_id", values=[al.pk]) == 2

    english = Notification.objects.get(recipient=teacher, type="submission_received")
    assert english.title == "New submission: Algebra for Deleted user"
    assert english.body == "Deleted user submitted attempt 2 (Deleted user, Deleted user)."
    label = render_in("fr", services.DELETED_USER)
    assert Notification.objects.get(recipient=french).title == f"New submission: Algebra for {label}"
    assert Notification.objects.get(type="announcement").title == "Al said hi"  # names another thing


def test_unnaming_by_another_key_is_what_the_forum_eraser_uses(teacher):
    services.notify(
        recipients=[teacher],
        type="forum_reply",
        title="Ada Lovelace replied in “Week 1”",
        body="See the notes",
        payload={"course_id": 1, "post_id": 2, "comment_id": 17},
    )
    services.notify(
        recipients=[teacher],
        type="forum_reply",
        title="Ada Lovelace replied in “Week 2”",
        body="Another Ada Lovelace",
        payload={"course_id": 1, "post_id": 3, "comment_id": 18},
    )

    changed = services.notifications_unname(
        names=["Ada Lovelace"], key="comment_id", values=[17], types=["forum_reply"]
    )

    assert changed == 1
    titles = dict(Notification.objects.values_list("payload__comment_id", "title"))
    assert titles == {17: "Deleted user replied in “Week 1”", 18: "Ada Lovelace replied in “Week 2”"}
    assert services.notifications_unname(names=[""], key="comment_id", values=[17]) == 0
