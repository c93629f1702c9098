"""Release rules (courses.release) through the API and the services: when a lesson, a quiz or an
assignment opens to a student (available_from, available_after_days from their enrollment or their
cohort's start, requires_passing), what a locked item shows and refuses (403 `not_yet_available` /
`prerequisite` with `available_at`), who the rules never lock (the course's staff, preview lessons),
relative due dates (due_after_days), the validation of the rules (400 naming the field, nothing
written), and the query counts of courses without rules.

The clock is stopped at T0 for every test (setup included); each boundary is one second before,
exactly at and one second after the moment, reached with time_machine.travel(..., tick=False)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from assignments import services as assignment_services
from assignments.models import Assignment, Submission
from conftest import client_for
from courses.models import Lesson, LessonCompletion
from courses.services import enrollment_create, lesson_create
from courses.tests.factories import EnrollmentFactory, LessonFactory, PublishedCourseFactory, SectionFactory
from quizzes import services as quiz_services
from quizzes.models import Attempt, Quiz
from quizzes.tests.factories import QuestionFactory, QuizFactory
from schedules.tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
ZERO = timedelta(0)
OPENS = T0 + 2 * DAY  # the available_from of the time-rule tests
CONTENT = "The full lesson text."
# One second before, exactly at and one second after a moment.
AROUND = pytest.mark.parametrize("offset", [-SECOND, ZERO, SECOND], ids=["second_before", "exactly_at", "second_after"])


@pytest.fixture(autouse=True)
def clock():
    """The clock stopped at T0: enrollments made by the fixtures are enrolled at T0."""
    with time_machine.travel(T0, tick=False):
        yield


def at(when: datetime):
    return time_machine.travel(when, tick=False)


# --- the API, as each user at a given moment ------------------------------------------------------
def send(user, method: str, url: str, data=None, *, when: datetime = T0):
    """`user`'s request at `when` (their access token is issued then: tokens expire)."""
    with at(when):
        client = client_for(user)
        if method == "get":
            return client.get(url)
        return getattr(client, method)(url, data if data is not None else {}, format="json")


def ok(response, status: int = 200) -> dict | list:
    assert response.status_code == status, response.content
    return response.json() if response.content else {}


def moment(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def curriculum_lesson(user, lesson: Lesson, *, when: datetime = T0) -> dict:
    """The lesson as the course's detail page shows it to `user`."""
    body = ok(send(user, "get", f"/api/v1/courses/{lesson.course_id}/", when=when))
    return next(item for section in body["sections"] for item in section["lessons"] if item["id"] == lesson.pk)


def section_lesson(user, lesson: Lesson, *, when: datetime = T0) -> dict:
    body = ok(send(user, "get", f"/api/v1/sections/{lesson.section_id}/lessons/", when=when))
    return next(item for item in body if item["id"] == lesson.pk)


def listed_quiz(user, quiz: Quiz, *, when: datetime = T0) -> dict:
    body = ok(send(user, "get", f"/api/v1/courses/{quiz.course_id}/quizzes/", when=when))
    return next(item for item in body if item["id"] == quiz.pk)


def listed_assignment(user, assignment: Assignment, *, when: datetime = T0) -> dict:
    body = ok(send(user, "get", f"/api/v1/sections/{assignment.section_id}/assignments/", when=when))
    return next(item for item in body if item["id"] == assignment.pk)


def complete(user, lesson: Lesson, *, when: datetime = T0):
    return send(user, "post", f"/api/v1/lessons/{lesson.pk}/complete/", when=when)


def start(user, quiz: Quiz, *, when: datetime = T0):
    return send(user, "post", f"/api/v1/quizzes/{quiz.pk}/attempts/", when=when)


def take(user, quiz: Quiz, *, right: bool, when: datetime = T0) -> dict:
    """An attempt at `quiz` submitted with every answer right (or every one wrong)."""
    attempt = ok(start(user, quiz, when=when), 201)
    answers = [
        {"question": q.pk, "choice_ids": [c.pk for c in q.choices.all() if c.is_correct == right][:1]}
        for q in quiz.questions.all()
    ]
    return ok(send(user, "post", f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, when=when))


def submit_work(user, assignment: Assignment, *, when: datetime = T0):
    return send(user, "post", f"/api/v1/assignments/{assignment.pk}/submissions/", {"text": "My work"}, when=when)


def graded(student, assignment: Assignment, score, *, when: datetime = T0) -> None:
    """`student`'s work on `assignment` submitted and graded `score` (of 100) by the course's instructor."""
    submission = Submission.objects.get(pk=ok(submit_work(student, assignment, when=when), 201)["id"])
    with at(when):
        assignment_services.submission_grade(
            actor=assignment.course.instructor, submission=submission, score=score, feedback=""
        )


# --- what a student is shown and refused ----------------------------------------------------------
def assert_locked(item: dict, reason: str, available_at: datetime | None) -> None:
    assert (item["locked"], item["locked_reason"], moment(item["available_at"])) == (True, reason, available_at)
    if "content" in item:  # a lesson: its content withheld
        assert (item["content"], item["video_url"], item["attachments"]) == (None, None, [])


def assert_open(item: dict) -> None:
    assert (item["locked"], item["locked_reason"]) == (False, None), item
    if "content" in item:
        assert item["content"] == CONTENT


def assert_timed(item: dict, *, is_open: bool, opens: datetime) -> None:
    """An item with a time rule opening at `opens`: open, or locked until then."""
    assert moment(item["available_at"]) == opens
    if is_open:
        assert_open(item)
    else:
        assert_locked(item, "not_yet_available", opens)


def assert_refused(response, reason: str, available_at: datetime | None) -> None:
    assert response.status_code == 403, response.content
    body = response.json()
    assert (body["code"], moment(body["available_at"])) == (reason, available_at), body


# --- items, written by the course's instructor through the API ------------------------------------
def create_lesson(section, **fields) -> Lesson:
    data = {"title": "A lesson", "content": CONTENT, **fields}
    body = ok(send(section.course.instructor, "post", f"/api/v1/sections/{section.pk}/lessons/", data), 201)
    return Lesson.objects.get(pk=body["id"])


def create_quiz(course, **fields) -> Quiz:
    """A quiz of one single-choice question, passed with it right (50%)."""
    data = {"title": "A quiz", "passing_score": 50, **fields}
    body = ok(send(course.instructor, "post", f"/api/v1/courses/{course.pk}/quizzes/", data), 201)
    quiz = Quiz.objects.get(pk=body["id"])
    QuestionFactory(quiz=quiz)
    return quiz


def create_assignment(section, **fields) -> Assignment:
    data = {"title": "An assignment", "instructions": "Write.", **fields}
    body = ok(send(section.course.instructor, "post", f"/api/v1/sections/{section.pk}/assignments/", data), 201)
    return Assignment.objects.get(pk=body["id"])


def patch(user, item, data, *, when: datetime = T0):
    return send(user, "patch", item_url(item), data, when=when)


def item_url(item) -> str:
    kind = {Lesson: "lessons", Quiz: "quizzes", Assignment: "assignments"}[type(item)]
    return f"/api/v1/{kind}/{item.pk}/"


def requirement(item) -> dict:
    return {"kind": {Quiz: "quiz", Assignment: "assignment"}[type(item)], "id": item.pk}


@pytest.fixture
def course(instructor):
    return PublishedCourseFactory(instructor=instructor, lessons=0)


@pytest.fixture
def section(course):
    return SectionFactory(course=course)


@pytest.fixture
def enrollment(student, course):
    """`student` enrolled at T0, self-paced."""
    return EnrollmentFactory(student=student, course=course)


def seat(student, cohort, *, when: datetime = T0):
    """`student` enrolled in the cohort's course through the cohort (a seat `enrolled`), at `when`."""
    with at(when):
        return enrollment_create(student=student, course=cohort.course, cohort=cohort.pk)


def cohort_of(course, starts_at: datetime, days: int = 30):
    return CohortFactory(
        course=course,
        starts_at=starts_at,
        ends_at=starts_at + days * DAY,
        enrollment_closes_at=starts_at,
        capacity=None,
    )


# === 1. available_from ===========================================================================
@AROUND
def test_lesson_opens_at_available_from(student, section, enrollment, offset):
    lesson = create_lesson(section, available_from=OPENS)
    when, is_open = OPENS + offset, offset >= ZERO

    shown = [curriculum_lesson(student, lesson, when=when), section_lesson(student, lesson, when=when)]
    shown.append(ok(send(student, "get", f"/api/v1/lessons/{lesson.pk}/", when=when)))
    response = complete(student, lesson, when=when)

    for item in shown:
        assert_timed(item, is_open=is_open, opens=OPENS)
    if is_open:
        assert ok(response)["completed_lessons"] == [lesson.pk]
    else:
        assert_refused(response, "not_yet_available", OPENS)
        assert not LessonCompletion.objects.filter(enrollment=enrollment).exists()


@AROUND
def test_quiz_opens_at_available_from(student, course, enrollment, offset):
    quiz = create_quiz(course, available_from=OPENS)
    when, is_open = OPENS + offset, offset >= ZERO

    listed = listed_quiz(student, quiz, when=when)
    detail = send(student, "get", f"/api/v1/quizzes/{quiz.pk}/", when=when)
    started = start(student, quiz, when=when)

    if is_open:
        assert_open(listed)
        assert moment(ok(detail)["available_at"]) == OPENS
        assert ok(started, 201)["status"] == "open"
    else:
        assert_locked(listed, "not_yet_available", OPENS)
        assert_refused(detail, "not_yet_available", OPENS)
        assert_refused(started, "not_yet_available", OPENS)
        assert not Attempt.objects.exists()


@AROUND
def test_assignment_opens_at_available_from(student, section, enrollment, offset):
    assignment = create_assignment(section, available_from=OPENS)
    when, is_open = OPENS + offset, offset >= ZERO

    listed = listed_assignment(student, assignment, when=when)
    detail = send(student, "get", f"/api/v1/assignments/{assignment.pk}/", when=when)
    submitted = submit_work(student, assignment, when=when)

    if is_open:
        assert_open(listed)
        assert ok(detail)["instructions"] == "Write."
        assert ok(submitted, 201)["attempt"] == 1
    else:
        assert_locked(listed, "not_yet_available", OPENS)
        assert_refused(detail, "not_yet_available", OPENS)
        assert_refused(submitted, "not_yet_available", OPENS)
        assert not Submission.objects.exists()


# === 2. available_after_days: from the enrollment, or from the cohort's start =====================
@AROUND
def test_after_days_count_from_each_students_enrollment(student, other_student, course, section, offset):
    early = EnrollmentFactory(student=student, course=course)  # at T0
    with at(T0 + 3 * DAY):
        late = EnrollmentFactory(student=other_student, course=course)
    lesson = create_lesson(section, available_after_days=5)
    quiz = create_quiz(course, available_after_days=5)

    for enrollment in (early, late):
        opens, is_open = enrollment.enrolled_at + 5 * DAY, offset >= ZERO
        item = curriculum_lesson(enrollment.student, lesson, when=opens + offset)
        listed = listed_quiz(enrollment.student, quiz, when=opens + offset)
        for state in (item, listed):
            assert_timed(state, is_open=is_open, opens=opens)
    # The later student's lesson is still closed when the first one's opens.
    assert_locked(curriculum_lesson(other_student, lesson, when=T0 + 5 * DAY), "not_yet_available", T0 + 8 * DAY)


@AROUND
def test_after_days_count_from_the_cohort_start_for_a_seated_student(student, other_student, course, section, offset):
    cohort = cohort_of(course, starts_at=T0 + 10 * DAY)
    seat(student, cohort, when=T0 + DAY)  # enrolled a day later than the self-paced student, yet opens later
    with at(T0):
        enrollment_create(student=other_student, course=course, source="admin")  # no seat: self-paced
    lesson = create_lesson(section, available_after_days=5)
    assignment = create_assignment(section, available_after_days=5)
    opens, is_open = cohort.starts_at + 5 * DAY, offset >= ZERO

    for state in (
        curriculum_lesson(student, lesson, when=opens + offset),
        listed_assignment(student, assignment, when=opens + offset),
    ):
        assert_timed(state, is_open=is_open, opens=opens)
    assert submit_work(student, assignment, when=opens + offset).status_code == (201 if is_open else 403)
    # The student without a seat counts from their enrollment (T0).
    assert moment(curriculum_lesson(other_student, lesson)["available_at"]) == T0 + 5 * DAY


def test_a_seat_in_another_courses_cohort_is_not_an_anchor(student, course, section, enrollment):
    elsewhere = cohort_of(PublishedCourseFactory(lessons=0), starts_at=T0 + 20 * DAY)
    seat(student, elsewhere)
    lesson = create_lesson(section, available_after_days=1)

    assert moment(curriculum_lesson(student, lesson)["available_at"]) == T0 + DAY


# === 3. requires_passing ==========================================================================
def test_a_quiz_requirement_opens_once_an_attempt_passes(student, course, section, enrollment):
    quiz = create_quiz(course)
    lesson = create_lesson(section, requires_passing=[requirement(quiz)])

    assert_locked(curriculum_lesson(student, lesson), "prerequisite", None)
    assert_refused(complete(student, lesson), "prerequisite", None)

    assert take(student, quiz, right=False)["passed"] is False
    assert_locked(curriculum_lesson(student, lesson), "prerequisite", None)

    assert take(student, quiz, right=True)["passed"] is True
    assert_open(curriculum_lesson(student, lesson))
    assert ok(complete(student, lesson))["completed_lessons"] == [lesson.pk]


@pytest.mark.parametrize(("score", "is_open"), [(59, False), ("59.99", False), (60, True), (100, True)])
def test_an_assignment_requirement_opens_when_graded_at_its_pass_percent(
    student, course, section, enrollment, score, is_open
):
    assignment = create_assignment(section, pass_percent=60)
    quiz = create_quiz(course, requires_passing=[requirement(assignment)])
    assert_locked(listed_quiz(student, quiz), "prerequisite", None)

    graded(student, assignment, score)

    if is_open:
        assert_open(listed_quiz(student, quiz))
        assert ok(start(student, quiz), 201)["status"] == "open"
    else:
        assert_locked(listed_quiz(student, quiz), "prerequisite", None)
        assert_refused(send(student, "get", f"/api/v1/quizzes/{quiz.pk}/"), "prerequisite", None)
        assert_refused(start(student, quiz), "prerequisite", None)


def test_a_requirement_of_another_student_does_not_count(student, other_student, course, section, enrollment):
    EnrollmentFactory(student=other_student, course=course)
    quiz = create_quiz(course)
    assignment = create_assignment(section, requires_passing=[requirement(quiz)])
    take(other_student, quiz, right=True)

    assert_open(listed_assignment(other_student, assignment))
    assert_locked(listed_assignment(student, assignment), "prerequisite", None)
    assert_refused(submit_work(student, assignment), "prerequisite", None)


def test_a_deleted_requirement_no_longer_holds_anything_back(student, instructor, course, section, enrollment):
    quiz = create_quiz(course)
    assignment = create_assignment(section)
    lesson = create_lesson(section, requires_passing=[requirement(quiz), requirement(assignment)])

    ok(send(instructor, "delete", f"/api/v1/quizzes/{quiz.pk}/"), 204)
    assert_locked(curriculum_lesson(student, lesson), "prerequisite", None)  # the assignment still holds it

    ok(send(instructor, "delete", f"/api/v1/assignments/{assignment.pk}/"), 204)
    assert_open(curriculum_lesson(student, lesson))
    assert ok(complete(student, lesson))["completed_lessons"] == [lesson.pk]


def test_a_time_rule_is_the_reason_until_it_passes_then_the_requirement(student, course, section, enrollment):
    quiz = create_quiz(course)
    lesson = create_lesson(section, available_from=OPENS, requires_passing=[requirement(quiz)])

    assert_locked(curriculum_lesson(student, lesson, when=OPENS - SECOND), "not_yet_available", OPENS)
    assert_locked(curriculum_lesson(student, lesson, when=OPENS), "prerequisite", OPENS)
    assert_refused(complete(student, lesson, when=OPENS), "prerequisite", OPENS)
    take(student, quiz, right=True, when=OPENS)
    assert_open(curriculum_lesson(student, lesson, when=OPENS))


# === 4. who the rules never lock ==================================================================
@pytest.fixture
def locked_items(course, section, enrollment):
    """A lesson, a quiz and an assignment of `course`, each locked for its enrolled student by a time
    rule and a requirement."""
    gate = create_quiz(course)
    rules = {"available_from": OPENS, "requires_passing": [requirement(gate)]}
    return create_lesson(section, **rules), create_quiz(course, **rules), create_assignment(section, **rules)


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_the_course_staff_see_and_edit_everything(users_by_role, locked_items, role):
    user = users_by_role[role]
    lesson, quiz, assignment = locked_items

    assert_open(curriculum_lesson(user, lesson))
    assert_open(ok(send(user, "get", f"/api/v1/lessons/{lesson.pk}/")))
    assert_open(listed_quiz(user, quiz))
    assert_open(ok(send(user, "get", f"/api/v1/quizzes/{quiz.pk}/")))
    assert_open(listed_assignment(user, assignment))
    assert_open(ok(send(user, "get", f"/api/v1/assignments/{assignment.pk}/")))
    for item in locked_items:
        assert ok(patch(user, item, {"title": "Renamed"}))["title"] == "Renamed"


@pytest.mark.parametrize("who", ["anonymous", "enrolled_elsewhere"])
def test_outsiders_see_every_lesson_locked_without_a_reason(other_student, section, locked_items, who):
    """As before release rules: an outsider sees no content and no reason, whatever the rules; a student
    of another course keeps their own course's lessons open."""
    ruled, plain = locked_items[0], create_lesson(section)
    user = other_student if who == "enrolled_elsewhere" else None
    if user is not None:
        elsewhere = SectionFactory(course=PublishedCourseFactory(lessons=0))
        EnrollmentFactory(student=user, course=elsewhere.course)
        assert_open(curriculum_lesson(user, create_lesson(elsewhere)))

    for item in (curriculum_lesson(user, ruled), curriculum_lesson(user, plain)):
        assert (item["locked"], item["locked_reason"], item["available_at"]) == (True, None, None)
        assert item["content"] is None
    lesson = ok(send(user, "get", f"/api/v1/lessons/{ruled.pk}/"))
    assert (lesson["locked"], lesson["locked_reason"], lesson["content"]) == (True, None, None)


def test_a_preview_lesson_is_never_locked(student, course, section, enrollment):
    gate = create_quiz(course)
    preview = create_lesson(section, is_preview=True, available_from=OPENS, requires_passing=[requirement(gate)])

    item = curriculum_lesson(student, preview)
    assert_open(item)
    assert moment(item["available_at"]) == OPENS
    assert_open(ok(send(student, "get", f"/api/v1/lessons/{preview.pk}/")))
    assert ok(complete(student, preview))["completed_lessons"] == [preview.pk]
    assert curriculum_lesson(None, preview)["content"] == CONTENT


# === 5. relative due dates ========================================================================
DUE = T0 + 7 * DAY  # due_after_days=7 for a student enrolled at T0


@pytest.mark.parametrize(
    ("offset", "is_late", "days_late"),
    [(-SECOND, False, 0), (ZERO, False, 0), (SECOND, True, 1), (DAY, True, 1), (DAY + SECOND, True, 2)],
    ids=["second_before", "exactly_at", "second_after", "a_day_after", "a_day_and_a_second_after"],
)
def test_lateness_counts_from_the_students_own_due_date(
    student, other_student, course, section, enrollment, offset, is_late, days_late
):
    with at(T0 + 2 * DAY):
        EnrollmentFactory(student=other_student, course=course)  # due two days later
    assignment = create_assignment(section, due_after_days=7)

    mine = ok(submit_work(student, assignment, when=DUE + offset), 201)
    theirs = ok(submit_work(other_student, assignment, when=DUE + offset), 201)

    assert (mine["is_late"], mine["days_late"]) == (is_late, days_late)
    assert (theirs["is_late"], theirs["days_late"]) == (False, 0)


@AROUND
def test_late_work_refused_after_the_students_own_due_date(student, section, enrollment, offset):
    assignment = create_assignment(section, due_after_days=7, late_policy={"accept_late": False})

    response = submit_work(student, assignment, when=DUE + offset)

    if offset <= ZERO:  # on time up to the due date itself
        assert ok(response, 201)["is_late"] is False
    else:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "past_due"
        assert not Submission.objects.exists()


@AROUND
def test_a_quiz_closes_at_the_students_own_due_date(student, course, enrollment, offset):
    quiz = create_quiz(course, due_after_days=7)

    response = start(student, quiz, when=DUE + offset)

    if offset < ZERO:  # no attempt starts at the due date itself
        assert moment(ok(response, 201)["deadline"]) == DUE  # ends at their due date
        assert Attempt.objects.get().deadline == DUE
    else:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "quiz_closed"
        assert not Attempt.objects.exists()


def test_an_attempt_started_before_the_due_date_ends_there(student, course, enrollment):
    quiz = create_quiz(course, due_after_days=7, time_limit_seconds=2 * 3600)
    short = create_quiz(course, due_after_days=7, time_limit_seconds=600)
    started = DUE - timedelta(hours=1)

    assert moment(ok(start(student, quiz, when=started), 201)["deadline"]) == DUE  # before the time limit
    assert moment(ok(start(student, short, when=started), 201)["deadline"]) == started + timedelta(seconds=600)

    attempt = Attempt.objects.get(quiz=quiz)
    with at(DUE + timedelta(minutes=5)):
        quiz_services.attempts_close_expired()
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.auto_submitted) == (DUE, True)


def test_a_cohort_students_due_date_counts_from_the_cohort_start(student, course, section):
    cohort = cohort_of(course, starts_at=T0 + 10 * DAY)
    seat(student, cohort)
    quiz = create_quiz(course, due_after_days=3)
    assignment = create_assignment(section, due_after_days=3)
    due = cohort.starts_at + 3 * DAY

    assert moment(listed_quiz(student, quiz)["due_at"]) == due
    assert moment(listed_assignment(student, assignment)["due_at"]) == due
    assert ok(start(student, quiz, when=due), 403)["code"] == "quiz_closed"


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_due_at_is_the_students_own_date_and_as_set_for_the_staff(
    users_by_role, student, other_student, course, section, enrollment, role
):
    with at(T0 + 2 * DAY):
        EnrollmentFactory(student=other_student, course=course)
    quiz = create_quiz(course, due_after_days=7)
    assignment = create_assignment(section, due_after_days=7)
    fixed = create_assignment(section, due_at=T0 + 30 * DAY)
    staff = users_by_role[role]

    for user, due in ((student, DUE), (other_student, DUE + 2 * DAY)):
        assert moment(listed_quiz(user, quiz)["due_at"]) == due
        assert moment(ok(send(user, "get", f"/api/v1/quizzes/{quiz.pk}/"))["due_at"]) == due
        assert moment(listed_assignment(user, assignment)["due_at"]) == due
        assert moment(ok(send(user, "get", f"/api/v1/assignments/{assignment.pk}/"))["due_at"]) == due
        assert moment(listed_assignment(user, fixed)["due_at"]) == T0 + 30 * DAY
    for shown in (
        listed_quiz(staff, quiz),
        ok(send(staff, "get", f"/api/v1/quizzes/{quiz.pk}/")),
        listed_assignment(staff, assignment),
        ok(send(staff, "get", f"/api/v1/assignments/{assignment.pk}/")),
    ):
        assert (shown["due_at"], shown["due_after_days"]) == (None, 7)
    assert moment(listed_assignment(staff, fixed)["due_at"]) == T0 + 30 * DAY


# === 6. validation: 400 naming the field, nothing written ==========================================
def assert_invalid(response, field: str) -> None:
    assert response.status_code == 400, response.content
    keys = response.json().keys()
    assert any(key == field or key.startswith(f"{field}.") for key in keys), response.json()


CREATE_URL = {
    "lesson": lambda section: f"/api/v1/sections/{section.pk}/lessons/",
    "quiz": lambda section: f"/api/v1/courses/{section.course_id}/quizzes/",
    "assignment": lambda section: f"/api/v1/sections/{section.pk}/assignments/",
}
MODEL = {"lesson": Lesson, "quiz": Quiz, "assignment": Assignment}
BUILD = {
    "lesson": create_lesson,
    "quiz": lambda section, **fields: create_quiz(section.course, **fields),
    "assignment": create_assignment,
}
STORED = ("title", "available_from", "available_after_days", "requires_passing")


def create_refused(section, kind: str, field: str, **fields) -> None:
    """Creating an item of `kind` with `fields` is a 400 naming `field`, and nothing is written."""
    before = MODEL[kind].objects.count()
    response = send(section.course.instructor, "post", CREATE_URL[kind](section), {"title": "Refused", **fields})
    assert_invalid(response, field)
    assert MODEL[kind].objects.count() == before


def patch_refused(item, field: str, data: dict) -> None:
    """PATCHing `item` with `data` is a 400 naming `field`, and the item is unchanged."""
    stored = {name: getattr(item, name) for name in STORED}
    assert_invalid(patch(item.course.instructor, item, data), field)
    item.refresh_from_db()
    assert {name: getattr(item, name) for name in STORED} == stored


KINDS = pytest.mark.parametrize("kind", ["lesson", "quiz", "assignment"])
DUE_KINDS = pytest.mark.parametrize("kind", ["quiz", "assignment"])


@KINDS
def test_a_time_and_a_number_of_days_are_refused_together(section, kind):
    create_refused(section, kind, "available_after_days", available_from=OPENS, available_after_days=3)

    timed = BUILD[kind](section, available_from=OPENS)
    patch_refused(timed, "available_after_days", {"available_after_days": 3, "title": "Changed"})
    counted = BUILD[kind](section, available_after_days=3)
    patch_refused(counted, "available_from", {"available_from": OPENS, "title": "Changed"})

    # Replacing one with the other in one request is fine.
    body = ok(patch(section.course.instructor, timed, {"available_from": None, "available_after_days": 3}))
    assert (body["available_from"], body["available_after_days"]) == (None, 3)


@DUE_KINDS
def test_a_due_date_and_a_number_of_days_are_refused_together(section, kind):
    create_refused(section, kind, "due_after_days", due_at=T0 + 9 * DAY, due_after_days=3)

    dated = BUILD[kind](section, due_at=T0 + 9 * DAY)
    assert_invalid(patch(section.course.instructor, dated, {"due_after_days": 3}), "due_after_days")
    counted = BUILD[kind](section, due_after_days=3)
    assert_invalid(patch(section.course.instructor, counted, {"due_at": T0 + 9 * DAY}), "due_at")
    dated.refresh_from_db()
    counted.refresh_from_db()
    assert (dated.due_at, dated.due_after_days, counted.due_at, counted.due_after_days) == (T0 + 9 * DAY, None, None, 3)


@pytest.mark.parametrize("days", [-1, 3651])
@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, "available_after_days") for kind in ("lesson", "quiz", "assignment")]
    + [(kind, "due_after_days") for kind in ("quiz", "assignment")],
)
def test_days_out_of_range_are_refused(section, kind, field, days):
    create_refused(section, kind, field, **{field: days})
    item = BUILD[kind](section)
    assert_invalid(patch(section.course.instructor, item, {field: days}), field)
    item.refresh_from_db()
    assert getattr(item, field) is None
    assert getattr(BUILD[kind](section, **{field: 3650}), field) == 3650  # the largest taken


def quizzes_of(course, count: int) -> list[dict]:
    return [requirement(QuizFactory(course=course)) for _ in range(count)]


BAD_REQUIREMENTS = {  # name: the requirements of an item of `course`
    "other_course": lambda course: quizzes_of(PublishedCourseFactory(lessons=0), 1),
    "missing_id": lambda course: [{"kind": "quiz", "id": 2**40}],
    "no_id": lambda course: [{"kind": "quiz"}],
    "no_kind": lambda course: [{"id": QuizFactory(course=course).pk}],
    "duplicate": lambda course: quizzes_of(course, 1) * 2,
    "kind_lesson": lambda course: [{"kind": "lesson", "id": LessonFactory(section__course=course).pk}],
    "too_many": lambda course: quizzes_of(course, 21),
}


@pytest.mark.parametrize("bad", sorted(BAD_REQUIREMENTS))
@KINDS
def test_bad_requirements_are_refused_on_create(section, kind, bad):
    create_refused(section, kind, "requires_passing", requires_passing=BAD_REQUIREMENTS[bad](section.course))


@pytest.mark.parametrize("bad", sorted(BAD_REQUIREMENTS))
@KINDS
def test_bad_requirements_are_refused_on_update(section, kind, bad):
    item = BUILD[kind](section)
    requirements = BAD_REQUIREMENTS[bad](section.course)
    # The test client re-raises what a view let through (a 500 in production).
    patch_refused(item, "requires_passing", {"requires_passing": requirements, "title": "Changed"})


@KINDS
def test_twenty_requirements_are_taken(section, kind):
    requirements = quizzes_of(section.course, 20)
    assert BUILD[kind](section, requires_passing=requirements).requires_passing == requirements


@DUE_KINDS
def test_an_item_cannot_require_itself(section, kind):
    item = BUILD[kind](section)
    patch_refused(item, "requires_passing", {"requires_passing": [requirement(item)]})


def test_a_loop_of_requirements_is_refused(instructor, course, section):
    first, second, third = create_quiz(course), create_quiz(course), create_quiz(course)
    work = create_assignment(section)
    ok(patch(instructor, first, {"requires_passing": [requirement(second)]}))

    patch_refused(second, "requires_passing", {"requires_passing": [requirement(first)]})

    # A longer loop, through an assignment: first -> work -> third -> first.
    ok(patch(instructor, first, {"requires_passing": [requirement(second), requirement(work)]}))
    ok(patch(instructor, work, {"requires_passing": [requirement(third)]}))
    patch_refused(third, "requires_passing", {"requires_passing": [requirement(first)]})

    # Requiring what the others require, without a loop, is fine.
    ok(patch(instructor, third, {"requires_passing": [requirement(second)]}))
    ok(patch(instructor, second, {"requires_passing": []}))
    assert Quiz.objects.get(pk=third.pk).requires_passing == [requirement(second)]


# --- the services check what the API's input serializers check (the admin and the shell call them) ----
MALFORMED = {  # name: requires_passing as an admin's JSON field or a shell may give it
    "too_many": lambda course: quizzes_of(course, 21),
    "no_id": lambda course: [{"kind": "quiz"}],
    "no_kind": lambda course: [{"id": QuizFactory(course=course).pk}],
    "id_not_a_number": lambda course: [{"kind": "quiz", "id": "first"}],
    "not_a_list": lambda course: {"kind": "quiz", "id": 1},
}


@pytest.mark.parametrize("bad", sorted(MALFORMED))
def test_the_services_refuse_malformed_requirements(instructor, course, section, bad):
    quiz = QuizFactory(course=course)
    requirements = MALFORMED[bad](course)

    with pytest.raises(ValidationError) as refused:
        quiz_services.quiz_update(actor=instructor, quiz=quiz, data={"requires_passing": requirements})
    assert "requires_passing" in refused.value.message_dict
    with pytest.raises(ValidationError):
        lesson_create(actor=instructor, section=section, title="Refused", requires_passing=requirements)
    quiz.refresh_from_db()
    assert (quiz.requires_passing, Lesson.objects.count()) == ([], 0)


# === 7. courses without rules cost no more queries ================================================
def twin_courses(instructor, student):
    """Two courses of the same shape (two sections of two lessons, two quizzes, an assignment) with
    `student` enrolled in both; in the second, one lesson, one quiz and the assignment have a time rule."""
    courses = []
    for ruled in (False, True):
        course = PublishedCourseFactory(instructor=instructor, lessons=0)
        rule = {"available_from": OPENS} if ruled else {}
        for n in range(2):
            section = SectionFactory(course=course)
            create_lesson(section, **(rule if n else {}))
            create_lesson(section)
            create_quiz(course, **(rule if n else {}))
        create_assignment(section, **rule)
        EnrollmentFactory(student=student, course=course)
        courses.append(course)
    return courses


def anchor_queries(queries) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if "schedules_cohortmember" in query["sql"]]


# page: (its URL, its queries for an enrolled student of a course without rules, as before release rules)
PAGES = {
    # (the user's row comes from the cache) course (cover joined), sections, lessons (video joined),
    # attachments, prerequisites, enrollment
    "course": ("/api/v1/courses/{course}/", 6),
    # course, enrollment, quizzes (with their totals), the student's attempts
    "quizzes": ("/api/v1/courses/{course}/quizzes/", 4),
    # section (course joined), enrollment, assignments, their rubrics
    "assignments": ("/api/v1/sections/{section}/assignments/", 4),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_course_without_rules_costs_what_it_did(django_assert_max_num_queries, instructor, student, page):
    plain, ruled = twin_courses(instructor, student)
    url, before = PAGES[page]
    urls = [url.format(course=course.pk, section=course.sections.last().pk) for course in (plain, ruled)]

    with at(T0):
        client = client_for(student)
        with django_assert_max_num_queries(before) as without_rules:
            ok(client.get(urls[0]))
        with CaptureQueriesContext(connection) as with_rules:
            ok(client.get(urls[1]))

    assert anchor_queries(without_rules) == []
    # The rules cost the enrollment read again, and its anchor.
    assert (len(with_rules), len(anchor_queries(with_rules))) == (before + 2, 1)


def test_starting_an_attempt_without_rules_queries_no_anchor(instructor, student):
    plain, ruled = twin_courses(instructor, student)

    started = {}
    for course, status in ((plain, 201), (ruled, 403)):
        quiz = course.quizzes.order_by("pk").last()  # the ruled course's has the time rule
        with at(T0):
            client = client_for(student)
            with CaptureQueriesContext(connection) as started[course]:
                ok(client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/"), status)

    assert anchor_queries(started[plain]) == []
    assert len(anchor_queries(started[ruled])) == 1
