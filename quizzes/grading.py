"""Pure functions: question snapshots, answer validation and grading. No database access, so every
rule here is unit-testable and grading a 50-question attempt costs no queries."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import CHOICE_TYPES, QuestionType

MAX_TEXT_ANSWER = 1000


def normalize_text(text: str) -> str:
    """Short answers match trimmed, case-insensitively and with runs of white space folded."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def snapshot_question(question) -> dict:
    """What grading needs, frozen at the moment an attempt starts (choices must be prefetched)."""
    return {
        "id": question.pk,
        "type": question.type,
        "text": question.text,
        "points": question.points,
        "explanation": question.explanation,
        "choices": [{"id": c.pk, "text": c.text, "is_correct": c.is_correct} for c in question.choices.all()],
        "accepted_answers": list(question.accepted_answers or []),
        "numeric_answer": None if question.numeric_answer is None else str(question.numeric_answer),
        "tolerance": str(question.tolerance or 0),
    }


def _to_decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    # Finite and within what an answer can sensibly be (grading stays exact, storage stays small).
    return number if number.is_finite() and -20 <= number.adjusted() <= 14 else None


def validate_answers(snapshot: list[dict], answers) -> dict[str, dict]:
    """Checks answers against the attempt's questions and returns them normalised, keyed by
    question id (as a string, as stored in JSON). Raises ValidationError on `answers` naming the
    position and question of every problem: an unknown question, a question answered twice, a
    choice of another question, a value of the wrong type."""
    if not isinstance(answers, list):
        raise ValidationError({"answers": [_("Send a list of {question, choice_ids | text | number}.")]})
    questions = {q["id"]: q for q in snapshot}
    errors: list[str] = []
    clean: dict[str, dict] = {}
    for position, answer in enumerate(answers):
        where = f"answers[{position}]"
        if not isinstance(answer, dict):
            errors.append(_("{where}: must be an object.").format(where=where))
            continue
        qid = answer.get("question")
        if isinstance(qid, bool) or not isinstance(qid, int) or qid not in questions:
            errors.append(
                _("{where}.question: {question} is not a question of this attempt.").format(
                    where=where, question=repr(qid)
                )
            )
            continue
        if str(qid) in clean:
            errors.append(
                _("{where}.question: question {question} is answered more than once.").format(where=where, question=qid)
            )
            continue
        question = questions[qid]
        try:
            clean[str(qid)] = _validate_one(question, answer)
        except InvalidAnswer as exc:
            errors.append(exc.message.format(where=where, question=qid, **exc.params))
    if errors:
        raise ValidationError({"answers": errors})
    return clean


class InvalidAnswer(Exception):
    """An answer of the wrong shape: `message`, one translated sentence whose fields {where} (the
    answer's position) and {question} (its id) validate_answers fills, with `params` for the others."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


def _validate_one(question: dict, answer: dict) -> dict:
    qtype = question["type"]
    if qtype in CHOICE_TYPES:
        ids = answer.get("choice_ids", [])
        if ids is None:
            ids = []
        if not isinstance(ids, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
            raise InvalidAnswer(_("{where} (question {question}): choice_ids must be a list of choice ids."))
        if len(ids) != len(set(ids)):
            raise InvalidAnswer(_("{where} (question {question}): choice_ids lists a choice more than once."))
        valid = {c["id"] for c in question["choices"]}
        foreign = [i for i in ids if i not in valid]
        if foreign:
            message = _("{where} (question {question}): choice {choice} is not a choice of this question.")
            raise InvalidAnswer(message, choice=foreign[0])
        if qtype != QuestionType.MULTIPLE_CHOICE and len(ids) > 1:
            raise InvalidAnswer(_("{where} (question {question}): choose one answer."))
        return {"choice_ids": sorted(ids)}
    if qtype == QuestionType.SHORT_ANSWER:
        text = answer.get("text", "")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise InvalidAnswer(_("{where} (question {question}): text must be a string."))
        if "\x00" in text:
            raise InvalidAnswer(_("{where} (question {question}): text must not contain NUL characters."))
        if len(text) > MAX_TEXT_ANSWER:
            message = ngettext(
                "{where} (question {question}): text is longer than {count} character.",
                "{where} (question {question}): text is longer than {count} characters.",
                MAX_TEXT_ANSWER,
            )
            raise InvalidAnswer(message, count=MAX_TEXT_ANSWER)
        return {"text": text}
    number = answer.get("number")
    if number is None or number == "":
        return {"number": None}
    parsed = _to_decimal(number)
    if parsed is None:
        raise InvalidAnswer(_("{where} (question {question}): number must be a number."))
    return {"number": str(parsed)}


def grade_question(question: dict, answer: dict | None) -> tuple[bool, Decimal]:
    """(correct, points awarded). A blank answer is wrong; multiple choice scores only the exact
    set of correct choices."""
    points = Decimal(question["points"])
    if not answer:
        return False, Decimal(0)
    qtype = question["type"]
    if qtype in CHOICE_TYPES:
        chosen = set(answer.get("choice_ids") or [])
        correct = {c["id"] for c in question["choices"] if c["is_correct"]}
        ok = bool(chosen) and chosen == correct
    elif qtype == QuestionType.SHORT_ANSWER:
        given = normalize_text(answer.get("text") or "")
        ok = bool(given) and given in {normalize_text(a) for a in question["accepted_answers"]}
    else:
        given = answer.get("number")
        target = question["numeric_answer"]
        ok = (
            given is not None
            and target is not None
            and abs(Decimal(given) - Decimal(target)) <= Decimal(question["tolerance"])
        )
    return ok, (points if ok else Decimal(0))


# Marks an answer whose typed text or number was erased (privacy): the attempt's grade stands as
# given, so its review reads the stored results (AttemptAnswer) rather than grading the blank again.
ERASED = "erased"


def has_typed_content(answer) -> bool:
    """Whether a stored answer holds something the student typed: a short answer's text or a
    numeric answer (a pick among the choices is not typed)."""
    if not isinstance(answer, dict):
        return False
    return answer.get("text") not in (None, "") or answer.get("number") is not None


def erase_typed_content(answer):
    """The answer with its typed text blanked ("") and its number cleared (None), marked ERASED;
    choices picked, and answers with nothing typed, come back as they were."""
    if not has_typed_content(answer):
        return answer
    blanked = {**answer, ERASED: True}
    if "text" in blanked:
        blanked["text"] = ""
    if "number" in blanked:
        blanked["number"] = None
    return blanked


def correct_answer(question: dict) -> dict:
    """What the review shows as the right answer."""
    return {
        "correct_choice_ids": [c["id"] for c in question["choices"] if c["is_correct"]],
        "accepted_answers": question["accepted_answers"],
        "numeric_answer": question["numeric_answer"],
        "tolerance": question["tolerance"] if question["type"] == QuestionType.NUMERIC else None,
        "explanation": question["explanation"],
    }


def validate_question_shape(*, type: str, choices: list[dict], accepted_answers: list, numeric_answer) -> None:
    """The rules per type; ValidationError names the field at fault."""
    if type in CHOICE_TYPES:
        correct = sum(1 for c in choices if c.get("is_correct"))
        if len(choices) < 2:
            raise ValidationError({"choices": [_("Give at least two choices.")]})
        if type == QuestionType.TRUE_FALSE and len(choices) != 2:
            raise ValidationError({"choices": [_("A true/false question has exactly two choices.")]})
        if type in (QuestionType.SINGLE_CHOICE, QuestionType.TRUE_FALSE) and correct != 1:
            raise ValidationError({"choices": [_("Mark exactly one choice as correct.")]})
        if type == QuestionType.MULTIPLE_CHOICE and correct < 1:
            raise ValidationError({"choices": [_("Mark at least one choice as correct.")]})
    elif type == QuestionType.SHORT_ANSWER:
        if not [a for a in accepted_answers if normalize_text(a)]:
            raise ValidationError({"accepted_answers": [_("Give at least one accepted answer.")]})
    elif type == QuestionType.NUMERIC and numeric_answer is None:
        raise ValidationError({"numeric_answer": [_("A numeric question needs an answer.")]})
