"""Every write to quizzes, questions and attempts."""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activity.models import Verb
from activity.services import activity_record
from courses import release
from courses.models import Section
from courses.selectors import enrollment_get_active
from courses.services import course_lock, enrollment_evaluate_completion
from lms.errors import Conflict, NotPermitted
from lms.ordering import move, next_order, reorder
from lms.services import model_update

from .access import TAKE_DENIED, attempt_owner_require, quiz_manager_require
from .grading import (
    erase_typed_content,
    grade_question,
    has_typed_content,
    snapshot_question,
    validate_answers,
    validate_question_shape,
)
from .models import CHOICE_TYPES, Attempt, AttemptAnswer, Choice, Question, Quiz, ReviewPolicy, grace
from .selectors import attempt_list_past_closing

QUIZ_FIELDS = (
    "title",
    "description",
    "section",
    "passing_score",
    "time_limit_seconds",
    "max_attempts",
    "due_at",
    "due_after_days",
    *release.RULE_FIELDS,
    "shuffle_questions",
    "show_correct_answers",
    "is_required",
    "scoring_policy",
)
QUESTION_FIELDS = ("type", "text", "points", "explanation", "accepted_answers", "numeric_answer", "tolerance")


# --- quizzes -------------------------------------------------------------------------------------
def _check_section(course, section: Section | None) -> None:
    if section is not None and section.course_id != course.pk:
        raise ValidationError({"section": [_("This section belongs to another course.")]})


def _check_review_policy(quiz: Quiz, data: dict) -> None:
    """after_due_date reveals the answers once the quiz closes, so it needs a due date (400 naming
    the field the caller changed). Checks the quiz as `data` would leave it."""
    policy = data.get("show_correct_answers", quiz.show_correct_answers)
    due_at = data.get("due_at", quiz.due_at)
    if policy != ReviewPolicy.AFTER_DUE_DATE or due_at is not None:
        return
    if "due_at" in data and "show_correct_answers" not in data:
        message = _("This quiz shows the answers after its due date: keep a due date, or change show_correct_answers.")
        raise ValidationError({"due_at": [message]})
    message = _("after_due_date shows the answers once the quiz's due date has passed: set due_at too.")
    raise ValidationError({"show_correct_answers": [message]})


@transaction.atomic
def quiz_create(*, actor, course, **data) -> Quiz:
    """Adds a quiz at the end of the course. `actor` manages the course (403 otherwise), or is None
    for the platform (the demo seed). Fields left out take the model's defaults: for new quizzes
    the review waits for the last attempt (after_last_attempt), a student has 3 attempts and the
    gradebook counts the best one (scoring_policy best). No row lock: concurrent creates may share
    an order number (lists break ties by id) until the next move renumbers the quizzes under their
    row locks."""
    quiz_manager_require(actor, course)
    _check_section(course, data.get("section"))
    data = release.rules_prepare(course=course, kind="quiz", data=data)
    quiz = Quiz(course=course, **{k: v for k, v in data.items() if k in QUIZ_FIELDS})
    _check_review_policy(quiz, data)
    quiz.order = next_order(Quiz.objects.filter(course=course))
    quiz.save()
    return quiz


@transaction.atomic
def quiz_update(*, actor, quiz: Quiz, data: dict) -> Quiz:
    """Changes the fields in `data` (QUIZ_FIELDS, and `order`: moving it renumbers the course's
    quizzes under their row locks) on the quiz as stored, under its row lock, and returns it.
    `actor` manages the quiz's course (403 otherwise), or is None for the platform. Changing
    due_at applies at once to attempts still open (they close at the new due date); changing the
    review policy, max_attempts or due_at applies to past attempts' reviews too, and changing
    scoring_policy to the attempt the gradebook counts (it is read when the gradebook is). Changing
    `requires_passing` takes the course's row lock first (release.rules_prepare: no loops)."""
    quiz_manager_require(actor, quiz.course)
    if "requires_passing" in data:
        course_lock(course_id=quiz.course_id)
    quiz = Quiz.objects.select_for_update(of=("self",)).select_related("course").get(pk=quiz.pk)
    if "section" in data:
        _check_section(quiz.course, data["section"])
    data = release.rules_prepare(course=quiz.course, kind="quiz", data=data, item=quiz)
    _check_review_policy(quiz, data)
    model_update(instance=quiz, fields=QUIZ_FIELDS, data=data)
    if data.get("order") is not None:
        move(quiz, Quiz.objects.filter(course_id=quiz.course_id), data["order"])
        quiz.refresh_from_db(fields=["order"])
    return quiz


@transaction.atomic
def quiz_delete(*, actor, quiz: Quiz) -> None:
    """Deletes a quiz with its questions. `actor` manages the quiz's course (403 otherwise). A quiz
    that students have attempted keeps their grades: it cannot be deleted (409); make it optional
    instead. No lock: an attempt started meanwhile protects the quiz (its foreign key), so the
    delete fails rather than losing it."""
    quiz_manager_require(actor, quiz.course)
    if quiz.attempts.exists():
        raise Conflict(
            _("Students have attempted this quiz, so it cannot be deleted. Set is_required to false instead."),
            code="quiz_has_attempts",
        )
    quiz.delete()


# --- questions -----------------------------------------------------------------------------------
def _clean_choices(qtype: str, choices: list[dict] | None) -> list[dict]:
    return list(choices or []) if qtype in CHOICE_TYPES else []


@transaction.atomic
def question_create(
    *,
    actor,
    quiz: Quiz,
    type: str,
    text: str,
    points: int = 1,
    explanation: str = "",
    choices: list[dict] | None = None,
    accepted_answers: list[str] | None = None,
    numeric_answer: Decimal | None = None,
    tolerance: Decimal = Decimal(0),
    order: int | None = None,
) -> Question:
    """Adds a question (last, or at `order`: the quiz's questions are renumbered under their row
    locks); the shape is checked per type (400 naming the field). `actor` manages the quiz's
    course (403 otherwise), or is None for the platform (the demo seed, test data)."""
    quiz_manager_require(actor, quiz.course)
    choices = _clean_choices(type, choices)
    accepted_answers = list(accepted_answers or [])
    validate_question_shape(
        type=type, choices=choices, accepted_answers=accepted_answers, numeric_answer=numeric_answer
    )
    siblings = Question.objects.filter(quiz=quiz)
    question = Question.objects.create(
        quiz=quiz,
        type=type,
        text=text,
        points=points,
        explanation=explanation,
        accepted_answers=accepted_answers if type == "short_answer" else [],
        numeric_answer=numeric_answer if type == "numeric" else None,
        tolerance=tolerance if type == "numeric" else Decimal(0),
        order=next_order(siblings),
    )
    Choice.objects.bulk_create(
        [
            Choice(question=question, text=c["text"], is_correct=c.get("is_correct", False), order=i)
            for i, c in enumerate(choices, start=1)
        ]
    )
    if order is not None:
        move(question, siblings, order)
        question.refresh_from_db(fields=["order"])
    return question


@transaction.atomic
def question_update(*, actor, question: Question, data: dict) -> Question:
    """Edits a question. Grades already given never change: attempts grade from their snapshot.
    `choices`, when sent, replace the old ones. The merged result is validated per type. Works on
    the question as stored, under its row lock, and returns it. `actor` manages the quiz's course
    (403 otherwise)."""
    quiz_manager_require(actor, question.quiz.course)
    question = Question.objects.select_for_update(of=("self",)).select_related("quiz__course").get(pk=question.pk)
    merged = {f: data.get(f, getattr(question, f)) for f in QUESTION_FIELDS}
    if "choices" in data:
        choices = _clean_choices(merged["type"], data["choices"])
    else:
        choices = [{"text": c.text, "is_correct": c.is_correct} for c in question.choices.all()]
    validate_question_shape(
        type=merged["type"],
        choices=_clean_choices(merged["type"], choices),
        accepted_answers=merged["accepted_answers"] or [],
        numeric_answer=merged["numeric_answer"],
    )
    if merged["type"] != "short_answer":
        merged["accepted_answers"] = []
    if merged["type"] != "numeric":
        merged["numeric_answer"], merged["tolerance"] = None, Decimal(0)
    model_update(instance=question, fields=QUESTION_FIELDS, data=merged)
    if "choices" in data or merged["type"] not in CHOICE_TYPES:
        question.choices.all().delete()
        Choice.objects.bulk_create(
            [
                Choice(question=question, text=c["text"], is_correct=c.get("is_correct", False), order=i)
                for i, c in enumerate(_clean_choices(merged["type"], choices), start=1)
            ]
        )
    if data.get("order") is not None:
        move(question, Question.objects.filter(quiz_id=question.quiz_id), data["order"])
        question.refresh_from_db(fields=["order"])
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    """Past attempts keep their snapshot and graded answers. `actor` manages the quiz's course
    (403 otherwise). No lock: attempts keep their own snapshot of the question."""
    quiz_manager_require(actor, question.quiz.course)
    question.delete()


@transaction.atomic
def questions_reorder(*, actor, quiz: Quiz, ids: Sequence[int]) -> None:
    """Renumbers the quiz's questions in the order of `ids` (every one of them, once: 400
    otherwise), under their row locks. `actor` manages the quiz's course (403 otherwise)."""
    quiz_manager_require(actor, quiz.course)
    reorder(Question.objects.filter(quiz=quiz), ids, "question")


# --- attempts ------------------------------------------------------------------------------------
def _deadline_passed(attempt: Attempt, now: datetime) -> bool:
    """Past its closing time (time limit or the quiz's due date) plus the grace. Reads attempt.quiz."""
    closes_at = attempt.closes_at
    return closes_at is not None and now - grace() > closes_at


def attempt_start(*, student, quiz: Quiz) -> tuple[Attempt, bool]:
    """Starts an attempt, or returns the student's open one (created = False). Needs an active
    enrollment (403), a quiz not past its due date (403 quiz_closed) and an attempt left (403).
    The questions, in this attempt's own order, are snapshotted now. An open attempt past its
    deadline is first graded, in its own transaction (under that attempt's row lock), so that
    grade stands even if no new attempt may start. `student` is the actor: attempts are only ever
    started by the student who takes them; the start itself runs under their enrollment's row
    lock (_attempt_start)."""
    _close_expired_open_attempt(student=student, quiz=quiz)
    return _attempt_start(student=student, quiz=quiz)


@transaction.atomic
def _close_expired_open_attempt(*, student, quiz: Quiz) -> None:
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .filter(quiz=quiz, student=student, submitted_at__isnull=True)
        .first()
    )
    if attempt is not None and _deadline_passed(attempt, timezone.now()):
        _grade(attempt, answers=attempt.answers, submitted_at=attempt.closes_at, auto=True)


def _attempt_deadline(quiz: Quiz, now: datetime, due_at: datetime | None) -> datetime | None:
    """When a new attempt must be in: its time limit, or, for a quiz due relative to each student
    (due_after_days), that student's due date if it comes first. An absolute due_at is applied by
    Attempt.closes_at, so a moved due date reaches attempts already open."""
    ends = [now + timedelta(seconds=quiz.time_limit_seconds)] if quiz.time_limit_seconds else []
    if quiz.due_at is None and due_at is not None:
        ends.append(due_at)
    return min(ends) if ends else None


@transaction.atomic
def _attempt_start(*, student, quiz: Quiz) -> tuple[Attempt, bool]:
    """Takes the student's enrollment row lock, which serialises concurrent starts by the same
    student (and the completion and refund that take it too)."""
    enrollment = enrollment_get_active(student=student, course=quiz.course_id, for_update=True)
    if enrollment is None:
        raise NotPermitted(TAKE_DENIED, code="not_enrolled")
    due_at = release.require_open(
        user=student, item=quiz, course=quiz.course, enrollment=enrollment, message=_("This quiz is not open yet.")
    ).due_at
    now = timezone.now()
    open_attempt = Attempt.objects.filter(quiz=quiz, student=student, submitted_at__isnull=True).first()
    if open_attempt is not None:
        open_attempt.quiz = quiz
        if not _deadline_passed(open_attempt, now):
            return open_attempt, False
        _grade(open_attempt, answers=open_attempt.answers, submitted_at=open_attempt.closes_at, auto=True)
    if due_at is not None and now >= due_at:
        # Under after_due_date the answers are out from now on (plus the grace): nothing new starts.
        raise NotPermitted(
            _("This quiz closed at {closed_at}.").format(closed_at=due_at.isoformat()), code="quiz_closed"
        )
    used = Attempt.objects.filter(quiz=quiz, student=student).count()
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        message = ngettext(
            "You have used your {count} attempt at this quiz.",
            "You have used all {count} attempts at this quiz.",
            quiz.max_attempts,
        )
        raise NotPermitted(message.format(count=quiz.max_attempts), code="no_attempts_left")
    questions = list(quiz.questions.prefetch_related("choices").order_by("order", "id"))
    if not questions:
        raise Conflict(_("This quiz has no questions yet."), code="quiz_empty")
    if quiz.shuffle_questions:
        random.SystemRandom().shuffle(questions)
    attempt = Attempt(
        quiz=quiz,
        student=student,
        number=used + 1,
        started_at=now,
        deadline=_attempt_deadline(quiz, now, due_at),
        snapshot=[snapshot_question(q) for q in questions],
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError as exc:  # only without row locks (SQLite): another start won
        raise Conflict(_("An attempt was started at the same moment; reload it."), code="attempt_conflict") from exc
    activity_record(
        actor=student,
        verb=Verb.QUIZ_ATTEMPT_STARTED,
        target=attempt,
        course=quiz.course_id,
        metadata={"quiz_id": quiz.pk, "number": attempt.number},
    )
    return attempt, True


def _locked_open(attempt: Attempt) -> Attempt:
    """The attempt again, its row locked until commit (so one save or submit at a time), or 409
    when it was submitted meanwhile. Only the attempt's row: a lock on the quiz's (FOR UPDATE of a
    join locks every table in it) would make every student's save and start wait on the others'."""
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("quiz__course").get(pk=attempt.pk)
    if not attempt.is_open:
        raise Conflict(_("This attempt has already been submitted."), code="already_submitted")
    return attempt


@transaction.atomic
def attempt_save_answers(*, actor, attempt: Attempt, answers: list) -> tuple[Attempt, bool]:
    """Saves answers of an open attempt (merged over what was saved) so nothing is lost if the
    browser dies. Returns (attempt, saved). After the deadline and its grace nothing is saved:
    the attempt is closed and graded with what was saved in time (saved = False). `actor` is the
    attempt's student (403 `not_attempt_owner` otherwise). Takes the attempt's row lock."""
    attempt_owner_require(actor, attempt)
    attempt = _locked_open(attempt)
    if _deadline_passed(attempt, timezone.now()):
        return _grade(attempt, answers=attempt.answers, submitted_at=attempt.closes_at, auto=True), False
    attempt.answers = {**attempt.answers, **validate_answers(attempt.snapshot, answers)}
    attempt.save(update_fields=["answers"])
    return attempt, True


@transaction.atomic
def attempt_submit(*, actor, attempt: Attempt, answers: list) -> Attempt:
    """Grades the attempt once (a second submit, even a concurrent one, is a 409: it takes the
    attempt's row lock): the saved answers plus the ones sent. Past the deadline (plus grace), the
    answers sent now are ignored and the attempt counts as submitted at the deadline. `actor` is
    the attempt's student (403 `not_attempt_owner` otherwise); the platform closes expired attempts
    through attempts_close_expired."""
    attempt_owner_require(actor, attempt)
    attempt = _locked_open(attempt)
    now = timezone.now()
    if _deadline_passed(attempt, now):
        return _grade(attempt, answers=attempt.answers, submitted_at=attempt.closes_at, auto=True)
    merged = {**attempt.answers, **validate_answers(attempt.snapshot, answers)}
    return _grade(attempt, answers=merged, submitted_at=now, auto=False)


def _grade(attempt: Attempt, *, answers: dict, submitted_at: datetime, auto: bool) -> Attempt:
    """Grades from the snapshot, stores per-question results, records activity and, on a pass,
    lets the course completion service look again. The caller holds the row lock."""
    quiz = attempt.quiz
    rows, score, max_score = [], Decimal(0), Decimal(0)
    for position, question in enumerate(attempt.snapshot, start=1):
        answer = answers.get(str(question["id"]))
        correct, points = grade_question(question, answer)
        score += points
        max_score += Decimal(question["points"])
        rows.append(
            AttemptAnswer(
                attempt=attempt,
                question_id=question["id"],
                position=position,
                response=answer or {},
                correct=correct,
                points_awarded=points,
                max_points=Decimal(question["points"]),
            )
        )
    percent = (score * 100 / max_score).quantize(Decimal("0.01"), ROUND_HALF_UP) if max_score else Decimal(0)
    attempt.answers = answers
    attempt.submitted_at = submitted_at
    attempt.auto_submitted = auto
    attempt.score, attempt.max_score, attempt.percent = score, max_score, percent
    attempt.passed = percent >= quiz.passing_score
    attempt.save(update_fields=["answers", "submitted_at", "auto_submitted", "score", "max_score", "percent", "passed"])
    AttemptAnswer.objects.bulk_create(rows)
    meta = {"quiz_id": quiz.pk, "percent": str(percent), "passed": attempt.passed, "auto": auto}
    activity_record(
        actor=attempt.student_id, verb=Verb.QUIZ_ATTEMPT_SUBMITTED, target=attempt, course=quiz.course_id, metadata=meta
    )
    if attempt.passed:
        activity_record(
            actor=attempt.student_id, verb=Verb.QUIZ_PASSED, target=attempt, course=quiz.course_id, metadata=meta
        )
        enrollment = enrollment_get_active(student=attempt.student_id, course=quiz.course_id)
        if enrollment is not None:
            enrollment_evaluate_completion(enrollment=enrollment)
    return attempt


def attempts_close_expired(*, limit: int = 500) -> int:
    """Grades open attempts whose closing time (time limit or the quiz's due date, plus grace)
    has passed, as of that time, with the answers saved in time. Run periodically. Each attempt in
    its own transaction under the attempt's row lock, so one failure does not hold back the rest.
    The platform acts here (beat, the close_expired_attempts command): there is no actor. Returns
    how many were closed."""
    ids = list(attempt_list_past_closing(timezone.now() - grace()).values_list("pk", flat=True)[:limit])
    closed = 0
    for pk in ids:
        with transaction.atomic():
            attempt = Attempt.objects.select_for_update(of=("self",)).select_related("quiz").filter(pk=pk).first()
            if attempt is not None and attempt.is_open and _deadline_passed(attempt, timezone.now()):
                _grade(attempt, answers=attempt.answers, submitted_at=attempt.closes_at, auto=True)
                closed += 1
    return closed


# --- privacy -------------------------------------------------------------------------------------
def attempts_erase_for_user(*, user) -> dict[str, int]:
    """Erases what a person typed into quizzes (privacy; README "Privacy"). Their open attempts are
    deleted: nothing was graded to keep, and left open the deadline job would grade them later, with
    the answers blanked, in the erased person's name. In their submitted attempts the short-answer
    text and numeric answers they typed are blanked (grading.erase_typed_content), in the saved
    answers and in the graded results alike; the attempts themselves, their scores, the choices
    picked and each question's result stay, for the quiz's statistics, the gradebook and the reports.

    The platform calls it (the erasure job; there is no actor). Each attempt is changed in its own
    transaction under its row lock (the one submit, save and the deadline job take), so an attempt
    being graded is waited for and then blanked, and a run cut short leaves every attempt either
    done or untouched: the next run finishes the rest, and a run with nothing left writes nothing.
    Returns how many attempts were deleted and blanked."""
    typed = {
        attempt_id
        for attempt_id, response in AttemptAnswer.objects.filter(attempt__student=user)
        .values_list("attempt_id", "response")
        .iterator()
        if has_typed_content(response)
    }
    pending = [
        pk
        for pk, submitted_at, answers in Attempt.objects.filter(student=user)
        .order_by("pk")
        .values_list("pk", "submitted_at", "answers")
        .iterator()
        if submitted_at is None or pk in typed or any(has_typed_content(a) for a in (answers or {}).values())
    ]
    done = {"deleted": 0, "blanked": 0}
    for pk in pending:
        with transaction.atomic():
            attempt = Attempt.objects.select_for_update().filter(pk=pk, student=user).first()
            if attempt is None:
                continue
            if attempt.is_open:
                attempt.delete()
                done["deleted"] += 1
                continue
            answers = {qid: erase_typed_content(answer) for qid, answer in attempt.answers.items()}
            changed = answers != attempt.answers
            if changed:
                attempt.answers = answers
                attempt.save(update_fields=["answers"])
            rows = [row for row in attempt.graded_answers.all() if has_typed_content(row.response)]
            for row in rows:
                row.response = erase_typed_content(row.response)
            AttemptAnswer.objects.bulk_update(rows, ["response"])
            done["blanked"] += bool(changed or rows)
    return done
