"""Schedules' part of privacy: the export of a person's cohort places, attendance, reminders,
notices and calendar feed (theirs only, no secret), and the erasure that gives up every place (the
seat offered to the next in line, through the courses service for an enrolled seat), deletes the
reminders, notices and feed and keeps the attendance register; idempotent, resumable, other
people's rows untouched."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from courses import services as courses
from courses.hooks import Waitlisted
from courses.models import Course, Enrollment, EnrollmentStatus
from courses.privacy import courses_erase
from courses.tests.factories import PublishedCourseFactory
from lms.counters import counters_drift
from privacy import registry
from schedules import services
from schedules.models import (
    Attendance,
    CalendarFeed,
    CohortMember,
    LiveSessionReminder,
    MemberStatus,
    NoticeKind,
    ScheduleNotice,
)
from schedules.privacy import schedules_erase, schedules_export

from .factories import CohortFactory, LiveSessionFactory

pytestmark = pytest.mark.django_db

MODELS = (CohortMember, Attendance, LiveSessionReminder, ScheduleNotice, CalendarFeed)


def status(cohort, user) -> str:
    return CohortMember.objects.filter(cohort=cohort, student=user).order_by("-id").first().status


def notice(user, object_id: int) -> ScheduleNotice:
    now = timezone.now()
    return ScheduleNotice.objects.create(
        kind=NoticeKind.QUIZ_DUE, object_id=object_id, student=user, at=now, batch="0" * 32, sent_at=now
    )


@pytest.fixture
def world(student, other_student, instructor):
    """`student` holds a place of each kind, `other_student` and others around them:
    c1: student enrolled (the only seat), other_student waitlisted;
    c2: third enrolled (the only seat), student waitlisted;
    c3: student's checkout holds the only seat, fourth waitlisted;
    c4: student offered the seat fifth left, sixth waitlisted behind them;
    a self-paced course with student and other_student enrolled and a live session in half an hour
    (both reminded, both marked present by the instructor); a schedule notice and a calendar feed
    each."""
    third, fourth, fifth, sixth = (StudentFactory() for _ in range(4))
    c1, c2, c3, c4 = (CohortFactory(capacity=1, course__instructor=instructor) for _ in range(4))
    courses.enrollment_create(student=student, course=c1.course, cohort=c1.pk)
    assert isinstance(
        courses.enrollment_create(student=other_student, course=c1.course, cohort=c1.pk, waitlist=True), Waitlisted
    )
    courses.enrollment_create(student=third, course=c2.course, cohort=c2.pk)
    courses.enrollment_create(student=student, course=c2.course, cohort=c2.pk, waitlist=True)
    assert services.cohort_seat_hold(student=student, course=c3.course, cohort_id=c3.pk) == c3.pk
    services.cohort_seat_hold(student=fourth, course=c3.course, cohort_id=c3.pk, waitlist=True)
    fifths = courses.enrollment_create(student=fifth, course=c4.course, cohort=c4.pk)
    courses.enrollment_create(student=student, course=c4.course, cohort=c4.pk, waitlist=True)
    courses.enrollment_create(student=sixth, course=c4.course, cohort=c4.pk, waitlist=True)
    courses.enrollment_revoke(actor=None, enrollment=fifths)
    assert status(c4, student) == MemberStatus.OFFERED

    self_paced = PublishedCourseFactory(instructor=instructor)
    courses.enrollment_create(student=student, course=self_paced)
    courses.enrollment_create(student=other_student, course=self_paced)
    session = LiveSessionFactory(course=self_paced, starts_at=timezone.now() + timedelta(minutes=30))
    assert services.live_session_reminders_send() == 2
    services.attendance_mark(actor=instructor, session=session, present=[student.pk, other_student.pk])
    notice(student, 1), notice(other_student, 2)
    services.calendar_feed_issue(user=student), services.calendar_feed_issue(user=other_student)
    return {
        "cohorts": (c1, c2, c3, c4),
        "others": {"third": third, "fourth": fourth, "fifth": fifth, "sixth": sixth},
        "session": session,
        "self_paced": self_paced,
    }


def rows_not_of(user) -> dict:
    """Every schedules row that is not the user's, as stored."""
    return {
        "members": list(CohortMember.objects.exclude(student=user).order_by("pk").values()),
        "attendance": list(Attendance.objects.exclude(student=user).order_by("pk").values()),
        "reminders": list(LiveSessionReminder.objects.exclude(student=user).order_by("pk").values()),
        "notices": list(ScheduleNotice.objects.exclude(student=user).order_by("pk").values()),
        "feeds": list(CalendarFeed.objects.exclude(user=user).order_by("pk").values()),
    }


def everything() -> dict:
    return {
        "schedules": {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS},
        "enrollments": list(Enrollment.objects.order_by("pk").values()),
        "courses": list(Course.objects.order_by("pk").values("pk", "enrollment_count")),
    }


# --- registration ---------------------------------------------------------------------------------
def test_schedules_registers_an_exporter_and_an_eraser_covering_its_user_links():
    labels = {f"schedules.{m.__name__}" for m in MODELS}
    exporter = next(e for e in registry.exporters() if e.name == "schedules")
    eraser = next(e for e in registry.erasers() if e.name == "schedules")
    assert {m._meta.label for m in exporter.models} == labels == {m._meta.label for m in eraser.models}
    courses_eraser = next(e for e in registry.erasers() if e.name == "courses")
    assert courses_eraser.order < eraser.order  # enrolled seats are freed by the revokes first
    uncovered = registry.uncovered()
    assert not [label for label in uncovered["export"] + uncovered["erase"] if label.startswith("schedules.")]


# --- export ---------------------------------------------------------------------------------------
def test_the_export_holds_the_students_places_attendance_reminders_notices_and_feed_only(world, student):
    data = json.loads(json.dumps(schedules_export(student)))  # JSON-able as it is
    c1, c2, c3, c4 = world["cohorts"]
    places = {row["cohort_id"]: row for row in data["cohort_memberships"]}
    assert sorted(places) == sorted(c.pk for c in (c1, c2, c3, c4))
    assert {pk: row["status"] for pk, row in places.items()} == {
        c1.pk: "enrolled",
        c2.pk: "waitlisted",
        c3.pk: "held",
        c4.pk: "offered",
    }
    assert places[c2.pk]["waitlisted_at"] is not None and places[c4.pk]["offer_expires_at"] is not None
    assert places[c1.pk]["course_title"] == c1.course.title and places[c1.pk]["cohort_name"] == c1.name
    mark = Attendance.objects.get(student=student)
    assert data["attendance"] == [
        {
            "id": mark.pk,
            "live_session_id": world["session"].pk,
            "live_session_title": world["session"].title,
            "course_id": world["self_paced"].pk,
            "starts_at": world["session"].starts_at.isoformat(),
            "marked_at": mark.marked_at.isoformat(),
        }
    ]
    assert data["attendance_marked"] == []
    assert [row["id"] for row in data["live_session_reminders"]] == [
        LiveSessionReminder.objects.get(student=student).pk
    ]
    assert [row["object_id"] for row in data["schedule_notices"]] == [1]
    feed = CalendarFeed.objects.get(user=student)
    assert data["calendar_feed"] == [{"id": feed.pk, "created_at": feed.created_at.isoformat()}]
    assert feed.token_hash not in json.dumps(data)  # a secret: never exported


def test_the_export_of_staff_lists_the_attendance_marks_they_made_without_who(world, instructor):
    data = schedules_export(instructor)
    assert sorted(row["id"] for row in data["attendance_marked"]) == sorted(
        Attendance.objects.values_list("pk", flat=True)
    )
    assert all("student" not in key for row in data["attendance_marked"] for key in row)
    assert data["cohort_memberships"] == data["attendance"] == data["calendar_feed"] == []


def test_the_export_of_someone_with_nothing_is_empty(db):
    assert all(rows == [] for rows in schedules_export(StudentFactory()).values())


# --- erasure --------------------------------------------------------------------------------------
def test_erasure_gives_up_every_place_deletes_reminders_and_keeps_attendance(world, student, other_student):
    c1, c2, c3, c4 = world["cohorts"]
    others = world["others"]
    courses_erase(student)  # as the erasure job runs them: courses first (order 20), then schedules
    assert status(c1, student) == MemberStatus.LEFT  # the revoke's hook left the seat...
    assert status(c1, other_student) == MemberStatus.OFFERED  # ...and offered it on

    schedules_erase(student)

    assert set(CohortMember.objects.filter(student=student).values_list("status", flat=True)) == {"left"}
    assert CohortMember.objects.filter(student=student).count() == 4  # kept as history
    assert status(c2, others["third"]) == MemberStatus.ENROLLED
    assert status(c3, others["fourth"]) == MemberStatus.OFFERED  # the held seat went to the next in line
    assert status(c4, others["sixth"]) == MemberStatus.OFFERED  # so did the offered one
    assert not LiveSessionReminder.objects.filter(student=student).exists()
    assert not ScheduleNotice.objects.filter(student=student).exists()
    assert not CalendarFeed.objects.filter(user=student).exists()
    assert Attendance.objects.filter(student=student).count() == 1  # the register stays whole
    assert Attendance.objects.count() == 2
    assert LiveSessionReminder.objects.count() == ScheduleNotice.objects.count() == CalendarFeed.objects.count() == 1
    assert list(counters_drift()) == []


def test_other_peoples_rows_are_untouched_but_for_the_seats_offered_on(world, student, other_student):
    c1, _c2, c3, c4 = world["cohorts"]
    before = rows_not_of(student)
    courses_erase(student)
    schedules_erase(student)
    after = rows_not_of(student)
    assert {k: v for k, v in after.items() if k != "members"} == {k: v for k, v in before.items() if k != "members"}
    changed = {
        row["id"] for row in after["members"] if row != next(old for old in before["members"] if old["id"] == row["id"])
    }
    offered = {(c1, other_student), (c3, world["others"]["fourth"]), (c4, world["others"]["sixth"])}
    assert changed == {CohortMember.objects.get(cohort=c, student=u).pk for c, u in offered}
    assert len(after["members"]) == len(before["members"])


def test_schedules_alone_revokes_an_enrolled_seat_through_the_courses_service(world, student, other_student):
    c1 = world["cohorts"][0]
    assert services.cohort_memberships_erase_for_user(user=student) == 4
    enrollment = Enrollment.objects.get(student=student, course=c1.course)
    assert enrollment.status == EnrollmentStatus.REVOKED and enrollment.revoked_at is not None
    assert Course.objects.get(pk=c1.course_id).enrollment_count == 0
    assert status(c1, other_student) == MemberStatus.OFFERED
    # The self-paced enrollment is courses' eraser's business, not schedules'.
    assert Enrollment.objects.get(student=student, course=world["self_paced"]).status == EnrollmentStatus.ACTIVE
    assert list(counters_drift()) == []


def test_a_second_erasure_changes_nothing(world, student):
    courses_erase(student)
    schedules_erase(student)
    before = everything()
    assert services.cohort_memberships_erase_for_user(user=student) == 0
    assert services.reminders_erase_for_user(user=student) == 0
    assert services.calendar_feed_erase_for_user(user=student) is False
    schedules_erase(student)
    assert everything() == before


def test_erasure_resumes_after_dying_half_way(world, student, monkeypatch):
    real = services._place_give_up
    calls = []

    def dies_on_the_third(member_id):
        calls.append(member_id)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real(member_id)

    monkeypatch.setattr(services, "_place_give_up", dies_on_the_third)
    with pytest.raises(RuntimeError):
        schedules_erase(student)
    statuses = sorted(CohortMember.objects.filter(student=student).values_list("status", flat=True))
    assert statuses.count("left") == 2 and len(statuses) == 4
    assert CalendarFeed.objects.filter(user=student).exists()  # not reached yet
    assert list(counters_drift()) == []

    monkeypatch.setattr(services, "_place_give_up", real)
    schedules_erase(student)
    assert set(CohortMember.objects.filter(student=student).values_list("status", flat=True)) == {"left"}
    assert not CalendarFeed.objects.filter(user=student).exists()
    assert status(world["cohorts"][2], world["others"]["fourth"]) == MemberStatus.OFFERED
    assert list(counters_drift()) == []


def test_erasing_the_staff_who_marked_attendance_keeps_their_marks(world, instructor):
    before = everything()
    schedules_erase(instructor)
    assert everything() == before
    assert set(Attendance.objects.values_list("marked_by", flat=True)) == {instructor.pk}
