"""Example bodies for the schema (quizzes, questions, attempts), copied from real responses."""

from courses.api.examples import OPEN
from lms.api.responses import body, ok

CHOICES = [
    {"id": 1, "text": "def", "is_correct": True},
    {"id": 2, "text": "function", "is_correct": False},
    {"id": 3, "text": "lambda", "is_correct": False},
]
QUESTION = {
    "id": 1,
    "quiz": 1,
    "type": "single_choice",
    "text": "Which keyword defines a function?",
    "points": 1,
    "order": 1,
    "explanation": "`def name(...):` starts a function definition.",
    "choices": CHOICES,
    "accepted_answers": [],
    "numeric_answer": None,
    "tolerance": "0.000000",
}
NUMERIC_QUESTION = {
    "id": 2,
    "quiz": 1,
    "type": "numeric",
    "text": "What is 7 / 2 in Python 3?",
    "points": 2,
    "order": 2,
    "explanation": "`/` is true division.",
    "choices": [],
    "accepted_answers": [],
    "numeric_answer": "3.500000",
    "tolerance": "0.000000",
}
QUESTION_INPUT = {
    "type": "single_choice",
    "text": "What does `len([1, 2, 3])` return?",
    "points": 1,
    "explanation": "len() counts the items of a list.",
    "order": 3,
    "choices": [
        {"text": "3", "is_correct": True},
        {"text": "2", "is_correct": False},
        {"text": "6", "is_correct": False},
    ],
}
NEW_QUESTION = {
    "id": 3,
    "quiz": 1,
    "type": "single_choice",
    "text": "What does `len([1, 2, 3])` return?",
    "points": 1,
    "order": 3,
    "explanation": "len() counts the items of a list.",
    "choices": [
        {"id": 4, "text": "3", "is_correct": True},
        {"id": 5, "text": "2", "is_correct": False},
        {"id": 6, "text": "6", "is_correct": False},
    ],
    "accepted_answers": [],
    "numeric_answer": None,
    "tolerance": "0.000000",
}
NUMERIC_QUESTION_INPUT = {
    "type": "numeric",
    "text": "What is 7 / 2 in Python 3?",
    "points": 2,
    "explanation": "`/` is true division.",
    "order": 2,
    "numeric_answer": "3.5",
    "tolerance": "0",
}

QUIZ = {
    "id": 1,
    "course": 1,
    "section": 1,
    "title": "Basics check",
    "description": "Variables and types.",
    "passing_score": 60,
    "time_limit_seconds": 900,
    "max_attempts": 3,
    "due_at": None,
    "shuffle_questions": False,
    "show_correct_answers": "after_last_attempt",
    "is_required": True,
    "scoring_policy": "best",
    "order": 1,
    "question_count": 2,
    "total_points": 3,
    "my_attempts": {"used": 1, "left": 2, "best_percent": "33.33", "passed": False},
    "created_at": "2026-10-29T08:30:00Z",
    "updated_at": "2026-10-29T08:45:12Z",
    "due_after_days": None,
    "locked": False,
    **OPEN,
}
# What a student sees: no questions (they come with an attempt). The owner sees them with answers.
QUIZ_DETAIL = {**QUIZ, "questions": None}
QUIZ_DETAIL_MANAGER = {**QUIZ, "my_attempts": None, "questions": [QUESTION, NUMERIC_QUESTION]}
QUIZ_INPUT = {
    "title": "Loops quiz",
    "description": "Five questions on for and while loops.",
    "passing_score": 70,
    "time_limit_seconds": 600,
    "max_attempts": 3,
    "due_at": "2026-12-18T17:00:00Z",
    "shuffle_questions": True,
    "show_correct_answers": "after_due_date",
    "is_required": True,
    "scoring_policy": "last",
    "order": 2,
}
NEW_QUIZ = {
    **QUIZ_INPUT,
    "id": 2,
    "course": 1,
    "section": None,
    "question_count": 0,
    "total_points": 0,
    "my_attempts": None,
    "created_at": "2026-11-30T10:20:41Z",
    "updated_at": "2026-11-30T10:20:41Z",
    "questions": [],
    "due_after_days": None,
    "locked": False,
    **OPEN,
}

ATTEMPT_QUESTIONS = [
    {
        "id": 1,
        "type": "single_choice",
        "text": "Which keyword defines a function?",
        "points": 1,
        "choices": [{"id": 1, "text": "def"}, {"id": 2, "text": "function"}, {"id": 3, "text": "lambda"}],
    },
    {"id": 2, "type": "numeric", "text": "What is 7 / 2 in Python 3?", "points": 2, "choices": []},
]
OPEN_ATTEMPT = {
    "id": 4,
    "quiz": 1,
    "student": 1,
    "number": 2,
    "status": "open",
    "started_at": "2026-11-30T10:30:00Z",
    "deadline": "2026-11-30T10:45:00Z",
    "time_remaining_seconds": 840,
    "submitted_at": None,
    "auto_submitted": False,
    "questions": ATTEMPT_QUESTIONS,
    "answers": [],
    "score": None,
    "max_score": None,
    "percent": None,
    "passed": None,
    "feedback": [],
}
ANSWERS = [{"question": 1, "choice_ids": [1]}, {"question": 2, "number": "3.5"}]
SAVED_ATTEMPT = {**OPEN_ATTEMPT, "time_remaining_seconds": 610, "answers": [{"question": 1, "choice_ids": [1]}]}
GRADED_ATTEMPT = {
    **OPEN_ATTEMPT,
    "status": "graded",
    "time_remaining_seconds": None,
    "submitted_at": "2026-11-30T10:36:20Z",
    "answers": ANSWERS,
    "score": "3.00",
    "max_score": "3.00",
    "percent": "100.00",
    "passed": True,
    "feedback": [
        {
            "question": 1,
            "correct": True,
            "points_awarded": "1.00",
            "max_points": "1.00",
            "correct_choice_ids": [1],
            "accepted_answers": [],
            "numeric_answer": None,
            "tolerance": None,
            "explanation": "`def name(...):` starts a function definition.",
        },
        {
            "question": 2,
            "correct": True,
            "points_awarded": "2.00",
            "max_points": "2.00",
            "correct_choice_ids": [],
            "accepted_answers": [],
            "numeric_answer": "3.500000",
            "tolerance": "0.000000",
            "explanation": "`/` is true division.",
        },
    ],
}
RESULTS = {
    "attempt_count": 3,
    "student_count": 2,
    "pass_rate": 0.5,
    "average_percent": "66.67",
    "questions": [
        {
            "question": 1,
            "text": "Which keyword defines a function?",
            "answers": 3,
            "share_correct": 1.0,
            "average_points": "1.00",
            "max_points": "1.00",
        },
        {
            "question": 2,
            "text": "What is 7 / 2 in Python 3?",
            "answers": 3,
            "share_correct": 0.33,
            "average_points": "0.67",
            "max_points": "2.00",
        },
    ],
    "count": 3,
    "next": None,
    "previous": None,
    "results": [
        {
            "id": 4,
            "student": 1,
            "student_name": "Ada Lovelace",
            "number": 2,
            "started_at": "2026-11-30T10:30:00Z",
            "submitted_at": "2026-11-30T10:36:20Z",
            "auto_submitted": False,
            "score": "3.00",
            "max_score": "3.00",
            "percent": "100.00",
            "passed": True,
        }
    ],
}
# Graded, with attempts left under after_last_attempt: the score, but no review yet.
GRADED_ATTEMPT_NO_REVIEW = {
    **GRADED_ATTEMPT,
    "answers": [{"question": 1, "choice_ids": [1]}],
    "score": "1.00",
    "percent": "33.33",
    "passed": False,
    "feedback": [],
}
# Graded under the policy never: pass or fail only.
GRADED_ATTEMPT_PASS_FAIL_ONLY = {**GRADED_ATTEMPT, "score": None, "max_score": None, "percent": None, "feedback": []}

# Request and response bodies of the edit operations.
QUIZ_REPLACE = {**QUIZ_INPUT, "title": "Basics check", "order": 1}
QUIZ_PATCH = {"passing_score": 60, "scoring_policy": "best"}
QUESTIONS_REORDER = {"order": [2, 1]}
QUESTIONS_REORDERED = {**NUMERIC_QUESTION, "order": 1}
QUESTION_PATCH = {"points": 2}
QUESTION_PATCHED = {**QUESTION, "points": 2}
SAVE_ANSWERS = {"answers": [{"question": 1, "choice_ids": [1]}]}
SUBMIT_ANSWERS = {"answers": ANSWERS}

# The two 409s of saving answers.
SAVE_CONFLICTS = {
    "Already submitted": {"detail": "This attempt has already been submitted.", "code": "already_submitted"},
    "Time is up": {
        "detail": "Time is up: the attempt was graded with the answers saved before the deadline.",
        "code": "deadline_passed",
        "attempt": {**GRADED_ATTEMPT_NO_REVIEW, "auto_submitted": True},
    },
}

# Example lists of the operations that document more than one case.
ATTEMPT_READ_EXAMPLES = [
    ok(GRADED_ATTEMPT, "Reviewed (the policy allows, or the owner's view)"),
    ok(GRADED_ATTEMPT_NO_REVIEW, "Attempts left: no review yet"),
    ok(GRADED_ATTEMPT_PASS_FAIL_ONLY, "Policy never: pass or fail only"),
]
SUBMIT_EXAMPLES = [
    body(SUBMIT_ANSWERS),
    ok(GRADED_ATTEMPT, "Reviewed (the policy allows)"),
    ok(GRADED_ATTEMPT_NO_REVIEW, "Attempts left: no review yet"),
]
MY_ATTEMPTS_EXAMPLES = [ok(GRADED_ATTEMPT), ok(GRADED_ATTEMPT_NO_REVIEW, "Attempts left: no review yet")]
START_EXAMPLES = [ok(OPEN_ATTEMPT, status=201), ok(SAVED_ATTEMPT, "Already open")]
QUIZ_DETAIL_EXAMPLES = [ok(QUIZ_DETAIL, "A student's view"), ok(QUIZ_DETAIL_MANAGER, "The owner's view")]
