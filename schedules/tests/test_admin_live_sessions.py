"""The live-session admin writes through the services: sessions added and changed with the API's
rules, attendance marked and unmarked in the inline, refusals on the form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from courses import services as courses
from courses.tests.factories import PublishedCourseFactory
from schedules.models import Attendance, LiveSession

from .factories import LiveSessionFactory

pytestmark = pytest.mark.django_db
START = timezone.now() + timedelta(days=2)


def _form(session=None, course=None, rows=(), **values):
    data = {
        "course": (course or session.course).pk,
        "cohort": "",
        "title": session.title if session else "Admin session",
        "starts_at_0": START.strftime("%Y-%m-%d"),
        "starts_at_1": "09:00:00",
        "duration_minutes": "60",
        "join_url": "https://meet.example.com/admin",
        "attendance-TOTAL_FORMS": str(len(rows)),
        "attendance-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
    }
    for n, row in enumerate(rows):
        data |= {f"attendance-{n}-{k}": v for k, v in row.items()}
        if session:
            data[f"attendance-{n}-session"] = str(session.pk)
    return {**data, **values}


def test_staff_add_a_session_through_the_service(staff):
    course = PublishedCourseFactory()
    response = staff.post("/admin/schedules/livesession/add/", _form(course=course))
    assert response.status_code == 302, response.content[:2000]
    session = LiveSession.objects.get()
    assert (session.title, session.duration_minutes, session.cohort) == ("Admin session", 60, None)


@pytest.mark.parametrize(("field", "value"), [("duration_minutes", "1441"), ("join_url", "http://meet.example.com/x")])
def test_bad_values_are_refused_on_the_form(staff, field, value):
    course = PublishedCourseFactory()
    response = staff.post("/admin/schedules/livesession/add/", _form(course=course, **{field: value}))
    assert response.status_code == 200
    assert not LiveSession.objects.exists()


def test_attendance_is_marked_and_unmarked_in_the_inline(staff, admin_user):
    session = LiveSessionFactory()
    here, gone = StudentFactory.create_batch(2)
    for s in (here, gone):
        courses.enrollment_create(student=s, course=session.course)
    url = f"/admin/schedules/livesession/{session.pk}/change/"
    response = staff.post(url, _form(session, rows=[{"student": str(here.pk)}, {"student": str(gone.pk)}]))
    assert response.status_code == 302, response.content[:3000]
    assert set(Attendance.objects.values_list("student_id", "marked_by_id")) == {
        (here.pk, admin_user.pk), (gone.pk, admin_user.pk)}  # fmt: skip
    row = Attendance.objects.get(student=gone)
    response = staff.post(url, _form(session, rows=[{"id": str(row.pk), "student": str(gone.pk), "DELETE": "on"}]))
    assert response.status_code == 302
    assert list(Attendance.objects.values_list("student_id", flat=True)) == [here.pk]


def test_a_student_outside_the_audience_is_refused_on_the_form(staff):
    session = LiveSessionFactory()
    outsider = StudentFactory()
    url = f"/admin/schedules/livesession/{session.pk}/change/"
    response = staff.post(url, _form(session, rows=[{"student": str(outsider.pk)}]))
    assert response.status_code == 200
    assert f"Not students of this session: {outsider.pk}." in response.content.decode()
    assert not Attendance.objects.exists()


def test_deleting_a_session_goes_through_the_service(staff):
    session = LiveSessionFactory()
    response = staff.post(f"/admin/schedules/livesession/{session.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not LiveSession.objects.exists()
