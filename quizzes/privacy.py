"""What quizzes holds about a person, for privacy's export and erasure (privacy.registry): their
attempts, with the answers they gave and how they were graded.

The export shows what the student may see in the app, no more: the score and percent unless the
quiz's review policy is `never`, and per-question results only once the policy lets them see the
review (a quiz with attempts left would otherwise give its answers away). Their own answers are
always in it. Erasure blanks the text and numbers they typed and keeps the attempts, scored, for the
quiz's statistics and the gradebook (quizzes.services.attempts_erase_for_user)."""

from decimal import Decimal

from privacy.registry import Eraser, Exporter

from .grading import ERASED
from .models import Attempt, AttemptAnswer
from .selectors import attempt_list_for_export, attempt_visibility
from .services import attempts_erase_for_user


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _response(question: dict, answer) -> dict | None:
    """The student's answer as given: the choices picked (ids and texts), the text or the number."""
    if not answer:
        return None
    response = {k: v for k, v in answer.items() if k != ERASED}
    if "choice_ids" in response:
        texts = {c["id"]: c["text"] for c in question.get("choices", [])}
        response["choices"] = [texts.get(pk) for pk in response["choice_ids"]]
    return response


def _attempt(attempt: Attempt, review: bool, score: bool) -> dict:
    results = {row.question_id: row for row in attempt.graded_answers.all()}
    answers = []
    for position, question in enumerate(attempt.snapshot, start=1):
        row = results.get(question["id"])
        answers.append(
            {
                "position": position,
                "question_id": question["id"],
                "question": question["text"],
                "type": question["type"],
                "response": _response(question, attempt.answers.get(str(question["id"]))),
                "correct": row.correct if row is not None and review else None,
                "points_awarded": _str(row.points_awarded) if row is not None and review else None,
                "max_points": f"{Decimal(question['points']):.2f}",
            }
        )
    return {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "quiz_title": attempt.quiz.title,
        "course_id": attempt.quiz.course_id,
        "number": attempt.number,
        "started_at": _iso(attempt.started_at),
        "deadline": _iso(attempt.closes_at),
        "submitted_at": _iso(attempt.submitted_at),
        "auto_submitted": attempt.auto_submitted,
        "score": _str(attempt.score) if score else None,
        "max_score": _str(attempt.max_score) if score else None,
        "percent": _str(attempt.percent) if score else None,
        "passed": attempt.passed,
        "score_withheld": not score and attempt.submitted_at is not None,
        "review_withheld": not review and attempt.submitted_at is not None,
        "answers": answers,
    }


def quizzes_export(user) -> dict:
    """The person's quiz attempts as JSON-able rows, oldest first: a fixed number of queries (the
    attempts, their results) plus one per quiz whose review waits for a pass or the last attempt."""
    attempts = list(attempt_list_for_export(user))
    visibility = attempt_visibility(user, attempts)
    return {
        "attempts": [
            _attempt(attempt, review=visibility[attempt.pk].review, score=visibility[attempt.pk].score)
            for attempt in attempts
        ]
    }


def quizzes_erase(user) -> None:
    """Deletes the person's open attempts and blanks what they typed in the others
    (quizzes.services.attempts_erase_for_user). Idempotent and resumable: see the service."""
    attempts_erase_for_user(user=user)


EXPORTER = Exporter(
    name="quizzes",
    models=(Attempt, AttemptAnswer),
    export=quizzes_export,
    describe={
        "attempts": "Every attempt you made at a quiz, submitted or still open, oldest first.",
        "attempts.quiz_id": "The quiz attempted (quiz_title: its title; course_id: its course).",
        "attempts.number": "Which of your attempts at that quiz it was (1, 2, ...).",
        "attempts.started_at": "When you started the attempt.",
        "attempts.deadline": "When the attempt stopped taking answers: its time limit or the quiz's due date "
        "(null: neither).",
        "attempts.submitted_at": "When it was submitted and graded (null: still open).",
        "attempts.auto_submitted": "true when the deadline closed it, not you.",
        "attempts.score": "Points scored, out of max_score; percent is the same as a percentage. Null while open, "
        "and withheld when the quiz shows students only whether they passed.",
        "attempts.passed": "Whether the attempt reached the quiz's passing score (null while open).",
        "attempts.score_withheld": "true when the quiz's policy shows students only pass or fail, so the score "
        "is left out here too.",
        "attempts.review_withheld": "true when the quiz's policy does not yet show you which answers were right "
        "(for example until your last attempt), so per-question results are left out.",
        "attempts.answers": "Each question of the attempt, in the order you saw it, with your answer.",
        "attempts.answers.question": "The question's text as it was when you started the attempt.",
        "attempts.answers.type": "single_choice, multiple_choice, true_false, short_answer or numeric.",
        "attempts.answers.response": "Your answer: choice_ids and choices (their texts), text, or number; "
        "null when you left it blank.",
        "attempts.answers.correct": "Whether your answer was right (null while open or withheld).",
        "attempts.answers.points_awarded": "Points your answer earned, out of max_points (null while open or "
        "withheld).",
    },
)

ERASER = Eraser(
    name="quizzes",
    models=(Attempt, AttemptAnswer),
    erase=quizzes_erase,
    policy={
        "Attempt (submitted)": "kept, pseudonymised: the quiz's statistics, the gradebook and the reports count "
        'it; its student reads "Deleted user"',
        "Attempt (open)": "deleted: nothing graded to keep, and left open the deadline job would grade it later "
        "in the erased person's name",
        "Attempt.answers (text, number)": "deleted: the short-answer text and numeric answers typed are blanked",
        "Attempt.answers (choice_ids)": "kept: a pick among the instructor's choices, nothing typed",
        "Attempt.score, max_score, percent, passed, dates": "kept: statistics, gradebook and reports",
        "Attempt.snapshot": "kept: the instructor's questions as the attempt saw them (nothing personal)",
        "AttemptAnswer.response (text, number)": "deleted: blanked, as in the attempt's answers",
        "AttemptAnswer.correct, points_awarded, max_points": "kept: per-question statistics",
    },
)
