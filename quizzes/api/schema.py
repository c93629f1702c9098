"""The OpenAPI description of quizzes/api/views.py (drf-spectacular), one `described` class
decorator per view class: request and response bodies, every status code each operation answers, and
examples (examples.py). Kept apart from the views so these read as behaviour."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from courses.api.schema import ITEM_LOCKED
from courses.api.serializers import ReorderInputSerializer
from lms.api.responses import body, described, ok
from lms.api.responses import errors as shared_errors

from . import examples as ex
from .serializers import (
    QUESTION_INPUTS,
    AnswerSerializer,
    AttemptSerializer,
    QuestionPatchInputSerializer,
    QuestionSerializer,
    QuizDetailSerializer,
    QuizInputSerializer,
    QuizResultsSerializer,
    QuizSerializer,
)

AnswersInput = inline_serializer("AnswersInput", {"answers": AnswerSerializer(many=True)})

# A new or replaced question: a oneOf by `type` (what QuestionInputSerializer validates). A PATCH
# stays one partial object (QuestionPatchInputSerializer): it may leave `type` out, and the merged
# question is what is checked.
QuestionInput = PolymorphicProxySerializer(
    component_name="QuestionInput",
    serializers={question_type.value: serializer for question_type, serializer in QUESTION_INPUTS.items()},
    resource_type_field_name="type",
)

# The 409 of saving answers: already submitted (an Error), or time is up and the attempt was graded
# with what was saved in time (the Error plus that attempt).
AttemptConflict = inline_serializer(
    "AttemptConflict",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(required=False, help_text="`already_submitted` or `deadline_passed`."),
        "attempt": AttemptSerializer(required=False, help_text="With `deadline_passed`: the attempt as graded."),
    },
)


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
    **READ_ERRORS,
    **ITEM_LOCKED,
    **shared_errors(409, r409="The quiz has no questions yet (`quiz_empty`)."),
}
SAVE_RESPONSES = {
    200: AttemptSerializer,
    **WRITE_ERRORS,
    409: OpenApiResponse(
        AttemptConflict,
        description="Already submitted, or time is up: the attempt was then graded (`deadline_passed`).",
        examples=[
            OpenApiExample(name, value=value, response_only=True, status_codes=["409"])
            for name, value in ex.SAVE_CONFLICTS.items()
        ],
    ),
}
SUBMIT_RESPONSES = {
    200: AttemptSerializer,
    **WRITE_ERRORS,
    **shared_errors(409, r409="Already submitted (`already_submitted`)."),
}


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
        responses={200: QuizDetailSerializer, **READ_ERRORS, **ITEM_LOCKED},
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
            request=QuestionInput,
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
            summary="My attempts at this quiz, newest first (the best one counts toward passing)",
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
        request=AnswersInput,
        responses=SAVE_RESPONSES,
        examples=[body(ex.SAVE_ANSWERS), ok(ex.SAVED_ATTEMPT)],
        summary="Save answers while the attempt is open (merged over what was saved)",
    ),
    submit=extend_schema(
        request=AnswersInput,
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
        QuestionInput,
        QuestionSerializer,
        [body(ex.NUMERIC_QUESTION_INPUT), ok(ex.NUMERIC_QUESTION)],
        "Replace a question: every field of its type (grades already given never change)",
    ),
    partial_update=edit_schema(
        QuestionPatchInputSerializer,
        QuestionSerializer,
        [body(ex.QUESTION_PATCH), ok(ex.QUESTION_PATCHED)],
        "Edit a question (grades already given never change)",
    ),
    destroy=extend_schema(responses={204: None, **READ_ERRORS}),
)
