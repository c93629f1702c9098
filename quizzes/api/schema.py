"""The OpenAPI description of quizzes/api/views.py (drf-spectacular), one `described` class
decorator per view class: request and response bodies, every status code each operation answers, and
examples (examples.py). Kept apart from the views so these read as behaviour."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer

from courses.api.serializers import ReorderInputSerializer
from lms.api.responses import body, described, ok
from lms.api.responses import errors as shared_errors

from . import examples as ex
from .serializers import (
    AnswerSerializer,
    AttemptSerializer,
    QuestionInputSerializer,
    QuestionSerializer,
    QuizDetailSerializer,
    QuizInputSerializer,
    QuizResultsSerializer,
    QuizSerializer,
)

AnswersRequest = inline_serializer("AnswersRequest", {"answers": AnswerSerializer(many=True)})


def errors(*statuses: int):
    return shared_errors(
        *statuses,
        r403="Signed in but not allowed (not enrolled, not the owner, no attempts left, the quiz's due date passed).",
    )


READ_ERRORS = errors(401, 403, 404)
WRITE_ERRORS = errors(400, 401, 403, 404)


START_RESPONSES = {
    201: AttemptSerializer,
    200: OpenApiResponse(AttemptSerializer, description="The attempt already open, returned again."),
    409: OpenApiResponse(description="The quiz has no questions yet."),
    **READ_ERRORS,
}
SAVE_RESPONSES = {
    200: AttemptSerializer,
    **WRITE_ERRORS,
    409: OpenApiResponse(description="Already submitted, or time is up (the attempt is then graded)."),
}
SUBMIT_RESPONSES = {200: AttemptSerializer, **WRITE_ERRORS, 409: OpenApiResponse(description="Already submitted.")}


def edit_schema(request, response, examples, summary=None):
    """An edit (PUT, PATCH, POST of a body): the input, the object rendered after it, and 400-404."""
    return extend_schema(request=request, responses={200: response, **WRITE_ERRORS}, examples=examples, summary=summary)


COURSE_QUIZZES = described(
    "quizzes",
    get=extend_schema(
        responses={200: QuizSerializer(many=True), **READ_ERRORS},
        examples=[ok(ex.QUIZ)],
        summary="The course's quizzes (enrolled students, owner, admin)",
    ),
    post=extend_schema(
        request=QuizInputSerializer,
        responses={201: QuizDetailSerializer, **WRITE_ERRORS},
        examples=[body(ex.QUIZ_INPUT), ok(ex.NEW_QUIZ, status=201)],
        summary="Add a quiz (owner, admin)",
    ),
)

QUIZZES = described(
    "quizzes",
    retrieve=extend_schema(
        responses={200: QuizDetailSerializer, **READ_ERRORS},
        examples=ex.QUIZ_DETAIL_EXAMPLES,
        summary="A quiz (questions with answers only for the owner and admins)",
    ),
    update=edit_schema(QuizInputSerializer, QuizDetailSerializer, [body(ex.QUIZ_REPLACE), ok(ex.QUIZ_DETAIL_MANAGER)]),
    partial_update=edit_schema(
        QuizInputSerializer, QuizDetailSerializer, [body(ex.QUIZ_PATCH), ok(ex.QUIZ_DETAIL_MANAGER)]
    ),
    destroy=extend_schema(
        responses={204: None, **errors(401, 403, 404, 409)}, summary="Delete a quiz nobody has attempted (owner, admin)"
    ),
    questions=[
        extend_schema(
            methods=["GET"],
            responses={200: QuestionSerializer(many=True), **READ_ERRORS},
            examples=[ok(ex.QUESTION)],
            summary="The quiz's questions with their answers (owner, admin)",
        ),
        extend_schema(
            methods=["POST"],
            request=QuestionInputSerializer,
            responses={201: QuestionSerializer, **WRITE_ERRORS},
            examples=[body(ex.QUESTION_INPUT), ok(ex.NEW_QUESTION, status=201)],
            summary="Add a question (owner, admin)",
        ),
    ],
    reorder_questions=edit_schema(
        ReorderInputSerializer,
        QuestionSerializer(many=True),
        [body(ex.QUESTIONS_REORDER), ok(ex.QUESTIONS_REORDERED)],
        "Reorder every question of the quiz (owner, admin)",
    ),
    attempts=[
        extend_schema(
            methods=["GET"],
            responses={200: AttemptSerializer(many=True), **READ_ERRORS},
            examples=ex.MY_ATTEMPTS_EXAMPLES,
            summary="My attempts at this quiz, newest first (the best one counts)",
            tags=["attempts"],
        ),
        extend_schema(
            methods=["POST"],
            request=None,
            responses=START_RESPONSES,
            examples=ex.START_EXAMPLES,
            summary="Start an attempt (enrolled student)",
            tags=["attempts"],
        ),
    ],
    results=extend_schema(
        responses={200: QuizResultsSerializer, **READ_ERRORS},
        examples=[ok(ex.RESULTS)],
        summary="Every student's attempts and per-question statistics (owner, admin)",
        tags=["attempts"],
    ),
)

ATTEMPTS = described(
    "attempts",
    retrieve=extend_schema(
        responses={200: AttemptSerializer, **errors(401, 404)}, examples=ex.ATTEMPT_READ_EXAMPLES, summary="An attempt"
    ),
    partial_update=extend_schema(
        request=AnswersRequest,
        responses=SAVE_RESPONSES,
        examples=[body(ex.SAVE_ANSWERS), ok(ex.SAVED_ATTEMPT)],
        summary="Save answers while the attempt is open (merged over what was saved)",
    ),
    submit=extend_schema(
        request=AnswersRequest,
        responses=SUBMIT_RESPONSES,
        examples=ex.SUBMIT_EXAMPLES,
        summary="Submit: grade the saved answers plus these (once)",
    ),
)

QUESTIONS = described(
    "quizzes",
    retrieve=extend_schema(
        responses={200: QuestionSerializer, **READ_ERRORS},
        examples=[ok(ex.QUESTION)],
        summary="A question with its answers (owner, admin)",
    ),
    update=edit_schema(
        QuestionInputSerializer, QuestionSerializer, [body(ex.NUMERIC_QUESTION_INPUT), ok(ex.NUMERIC_QUESTION)]
    ),
    partial_update=edit_schema(
        QuestionInputSerializer,
        QuestionSerializer,
        [body(ex.QUESTION_PATCH), ok(ex.QUESTION_PATCHED)],
        "Edit a question (grades already given never change)",
    ),
    destroy=extend_schema(responses={204: None, **READ_ERRORS}),
)
