from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.access import can_manage_course, can_read_content
from courses.api.permissions import IsCourseManager
from courses.api.serializers import ReorderInputSerializer
from courses.selectors import course_list_for_user
from lms.api.pagination import PageNumberPagination
from lms.api.responses import body, ok
from lms.api.responses import errors as shared_errors
from quizzes import selectors, services
from quizzes.models import Attempt, Question, Quiz

from . import examples as ex
from .serializers import (
    AnswerSerializer,
    AnswersInputSerializer,
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


WRITE_ERRORS = errors(400, 401, 403, 404)


def _require_reader(user, course) -> None:
    if not can_read_content(user, course):
        raise PermissionDenied("Enroll in this course to see its quizzes.")


def _require_manager(user, course) -> None:
    if not can_manage_course(user, course):
        raise PermissionDenied("Only the course's instructor or an admin can change its quizzes.")


def _attempt_data(user, attempts, *, many: bool = False):
    context = {"visibility": selectors.attempt_visibility(user, attempts)}
    return AttemptSerializer(attempts if many else attempts[0], many=many, context=context).data


def _attempt_response(user, attempt, http_status=status.HTTP_200_OK):
    return Response(_attempt_data(user, [attempt]), status=http_status)


class CourseQuizzesView(APIView):
    permission_classes = [IsAuthenticated]

    def _course(self, request, course_id):
        return get_object_or_404(course_list_for_user(request.user), pk=course_id)

    @extend_schema(
        responses={200: QuizSerializer(many=True), **errors(401, 403, 404)},
        examples=[ok(ex.QUIZ)],
        summary="The course's quizzes (enrolled students, owner, admin)",
        tags=["quizzes"],
    )
    def get(self, request, course_id):
        course = self._course(request, course_id)
        _require_reader(request.user, course)
        quizzes = list(selectors.quiz_list_for_course(course))
        summaries = selectors.attempt_summary_list_for_student(student=request.user, quiz_ids=[q.pk for q in quizzes])
        return Response(QuizSerializer(quizzes, many=True, context={"attempt_summaries": summaries}).data)

    @extend_schema(
        request=QuizInputSerializer,
        responses={201: QuizDetailSerializer, **WRITE_ERRORS},
        examples=[body(ex.QUIZ_INPUT), ok(ex.NEW_QUIZ, status=201)],
        summary="Add a quiz (owner, admin)",
        tags=["quizzes"],
    )
    def post(self, request, course_id):
        course = self._course(request, course_id)
        _require_manager(request.user, course)
        data = QuizInputSerializer.validated(request)
        order = data.pop("order", None)
        quiz = services.quiz_create(course=course, **data)
        if order is not None:
            quiz = services.quiz_update(quiz=quiz, data={"order": order})
        quiz = selectors.with_totals(Quiz.objects.filter(pk=quiz.pk)).select_related("course").get()
        return Response(QuizDetailSerializer(quiz, context={"is_manager": True}).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: QuizDetailSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.QUIZ_DETAIL, "A student's view"), ok(ex.QUIZ_DETAIL_MANAGER, "The owner's view")],
        summary="A quiz (questions with answers only for the owner and admins)",
        tags=["quizzes"],
    ),
    update=extend_schema(
        request=QuizInputSerializer,
        responses={200: QuizDetailSerializer, **WRITE_ERRORS},
        examples=[body({**ex.QUIZ_INPUT, "title": "Basics check", "order": 1}), ok(ex.QUIZ_DETAIL_MANAGER)],
        tags=["quizzes"],
    ),
    partial_update=extend_schema(
        request=QuizInputSerializer,
        responses={200: QuizDetailSerializer, **WRITE_ERRORS},
        examples=[body({"passing_score": 60}), ok(ex.QUIZ_DETAIL_MANAGER)],
        tags=["quizzes"],
    ),
    destroy=extend_schema(
        responses={204: None, **errors(401, 403, 404, 409)},
        summary="Delete a quiz nobody has attempted (owner, admin)",
        tags=["quizzes"],
    ),
)
class QuizViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    queryset = Quiz.objects.none()  # for the schema; requests use get_queryset
    serializer_class = QuizDetailSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.with_totals(selectors.quiz_list_for_user(self.request.user))

    def get_permissions(self):
        if self.action in ("update", "partial_update", "destroy", "results", "questions", "reorder_questions"):
            return [IsAuthenticated(), IsCourseManager()]
        return [IsAuthenticated()]

    def _render(self, quiz):
        user = self.request.user
        is_manager = can_manage_course(user, quiz.course)
        summaries = selectors.attempt_summary_list_for_student(student=user, quiz_ids=[quiz.pk])
        context = {"is_manager": is_manager, "attempt_summaries": summaries}
        return Response(QuizDetailSerializer(quiz, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        quiz = self.get_object()
        _require_reader(request.user, quiz.course)
        return self._render(quiz)

    def update(self, request, *args, **kwargs):
        quiz = self.get_object()
        data = QuizInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        services.quiz_update(quiz=quiz, data=data)
        return self._render(self.get_queryset().get(pk=quiz.pk))

    def destroy(self, request, *args, **kwargs):
        services.quiz_delete(quiz=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        responses={200: QuestionSerializer(many=True), **errors(401, 403, 404)},
        examples=[ok(ex.QUESTION)],
        summary="The quiz's questions with their answers (owner, admin)",
        tags=["quizzes"],
    )
    @extend_schema(
        methods=["POST"],
        request=QuestionInputSerializer,
        responses={201: QuestionSerializer, **WRITE_ERRORS},
        examples=[body(ex.QUESTION_INPUT), ok(ex.NEW_QUESTION, status=201)],
        summary="Add a question (owner, admin)",
        tags=["quizzes"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def questions(self, request, pk=None):
        quiz = self.get_object()
        if request.method == "GET":
            questions = quiz.questions.prefetch_related("choices").order_by("order", "id")
            return Response(QuestionSerializer(questions, many=True).data)
        question = services.question_create(quiz=quiz, **QuestionInputSerializer.validated(request))
        question = Question.objects.prefetch_related("choices").get(pk=question.pk)
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReorderInputSerializer,
        responses={200: QuestionSerializer(many=True), **WRITE_ERRORS},
        examples=[body({"order": [2, 1]}), ok({**ex.NUMERIC_QUESTION, "order": 1})],
        summary="Reorder every question of the quiz (owner, admin)",
        tags=["quizzes"],
    )
    @action(detail=True, methods=["post"], url_path="questions/reorder", pagination_class=None)
    def reorder_questions(self, request, pk=None):
        quiz = self.get_object()
        services.questions_reorder(quiz=quiz, ids=ReorderInputSerializer.validated(request)["order"])
        questions = quiz.questions.prefetch_related("choices").order_by("order", "id")
        return Response(QuestionSerializer(questions, many=True).data)

    @extend_schema(
        methods=["GET"],
        responses={200: AttemptSerializer(many=True), **errors(401, 403, 404)},
        examples=[ok(ex.GRADED_ATTEMPT), ok(ex.GRADED_ATTEMPT_NO_REVIEW, "Attempts left: no review yet")],
        summary="My attempts at this quiz, newest first (the best one counts)",
        tags=["attempts"],
    )
    @extend_schema(
        methods=["POST"],
        request=None,
        responses={
            201: AttemptSerializer,
            200: OpenApiResponse(AttemptSerializer, description="The attempt already open, returned again."),
            409: OpenApiResponse(description="The quiz has no questions yet."),
            **errors(401, 403, 404),
        },
        examples=[ok(ex.OPEN_ATTEMPT, status=201), ok(ex.SAVED_ATTEMPT, "Already open")],
        summary="Start an attempt (enrolled student)",
        tags=["attempts"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attempts(self, request, pk=None):
        quiz = self.get_object()
        if request.method == "GET":
            _require_reader(request.user, quiz.course)
            attempts = list(selectors.attempt_list_for_student(quiz=quiz, student=request.user))
            return Response(_attempt_data(request.user, attempts, many=True))
        attempt, created = services.attempt_start(student=request.user, quiz=quiz)
        return _attempt_response(request.user, attempt, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        responses={200: QuizResultsSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.RESULTS)],
        summary="Every student's attempts and per-question statistics (owner, admin)",
        tags=["attempts"],
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        quiz = self.get_object()
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.attempt_list_for_results(quiz), request, view=self)
        data = {
            **selectors.quiz_results_get(quiz),
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": page,
        }
        return Response(QuizResultsSerializer(data).data)


class AttemptViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One attempt: its owner reads, saves answers and submits; the course's instructor and admins
    read it (with answers)."""

    queryset = Attempt.objects.none()  # for the schema; requests use get_queryset
    serializer_class = AttemptSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        return selectors.attempt_list_for_user(self.request.user)

    def _own(self) -> Attempt:
        attempt = self.get_object()
        if attempt.student_id != self.request.user.pk:
            raise PermissionDenied("Only the student who started this attempt can answer it.")
        return attempt

    @extend_schema(
        responses={200: AttemptSerializer, **errors(401, 404)},
        examples=[
            ok(ex.GRADED_ATTEMPT, "Reviewed (the policy allows, or the owner's view)"),
            ok(ex.GRADED_ATTEMPT_NO_REVIEW, "Attempts left: no review yet"),
            ok(ex.GRADED_ATTEMPT_PASS_FAIL_ONLY, "Policy never: pass or fail only"),
        ],
        summary="An attempt",
        tags=["attempts"],
    )
    def retrieve(self, request, *args, **kwargs):
        return _attempt_response(request.user, self.get_object())

    @extend_schema(
        request=AnswersRequest,
        responses={
            200: AttemptSerializer,
            **WRITE_ERRORS,
            409: OpenApiResponse(description="Already submitted, or time is up (the attempt is then graded)."),
        },
        examples=[body({"answers": [{"question": 1, "choice_ids": [1]}]}), ok(ex.SAVED_ATTEMPT)],
        summary="Save answers while the attempt is open (merged over what was saved)",
        tags=["attempts"],
    )
    def partial_update(self, request, *args, **kwargs):
        answers = AnswersInputSerializer.validated(request)["answers"]
        attempt, saved = services.attempt_save_answers(attempt=self._own(), answers=answers)
        if not saved:
            body = {
                "detail": "Time is up: the attempt was graded with the answers saved before the deadline.",
                "code": "deadline_passed",
                "attempt": _attempt_data(request.user, [attempt]),
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        return _attempt_response(request.user, attempt)

    @extend_schema(
        request=AnswersRequest,
        responses={200: AttemptSerializer, **WRITE_ERRORS, 409: OpenApiResponse(description="Already submitted.")},
        examples=[
            body({"answers": ex.ANSWERS}),
            ok(ex.GRADED_ATTEMPT, "Reviewed (the policy allows)"),
            ok(ex.GRADED_ATTEMPT_NO_REVIEW, "Attempts left: no review yet"),
        ],
        summary="Submit: grade the saved answers plus these (once)",
        tags=["attempts"],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        answers = AnswersInputSerializer.validated(request)["answers"]
        attempt = services.attempt_submit(attempt=self._own(), answers=answers)
        return _attempt_response(request.user, attempt)


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: QuestionSerializer, **errors(401, 403, 404)},
        examples=[ok(ex.QUESTION)],
        summary="A question with its answers (owner, admin)",
        tags=["quizzes"],
    ),
    update=extend_schema(
        request=QuestionInputSerializer,
        responses={200: QuestionSerializer, **WRITE_ERRORS},
        examples=[body(ex.NUMERIC_QUESTION_INPUT), ok(ex.NUMERIC_QUESTION)],
        tags=["quizzes"],
    ),
    partial_update=extend_schema(
        request=QuestionInputSerializer,
        responses={200: QuestionSerializer, **WRITE_ERRORS},
        examples=[body({"points": 2}), ok({**ex.QUESTION, "points": 2})],
        summary="Edit a question (grades already given never change)",
        tags=["quizzes"],
    ),
    destroy=extend_schema(responses={204: None, **errors(401, 403, 404)}, tags=["quizzes"]),
)
class QuestionViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    queryset = Question.objects.none()  # for the schema; requests use get_queryset
    serializer_class = QuestionSerializer
    permission_classes = [IsAuthenticated, IsCourseManager]

    def get_queryset(self):
        return (
            Question.objects.filter(quiz__course__in=course_list_for_user(self.request.user))
            .select_related("quiz__course")
            .prefetch_related("choices")
        )

    def retrieve(self, request, *args, **kwargs):
        return Response(QuestionSerializer(self.get_object()).data)

    def update(self, request, *args, **kwargs):
        question = self.get_object()
        data = QuestionInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        services.question_update(question=question, data=data)
        return Response(QuestionSerializer(self.get_queryset().get(pk=question.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.question_delete(question=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
