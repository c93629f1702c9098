"""Quizzes, questions and attempts. Every object is resolved through quizzes.access (quiz_for,
question_for, attempt_for) or courses.access.course_for, with the need each action names."""

from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import release
from courses.access import course_for
from courses.api.serializers import ReorderInputSerializer
from lms.api.access import AccessViewSetMixin
from lms.api.pagination import PageNumberPagination
from quizzes import selectors, services
from quizzes.access import (
    COURSE_MANAGE_DENIED,
    READ_DENIED,
    attempt_for,
    can_manage_quiz,
    question_for,
    quiz_for,
    quiz_with_totals_for,
)
from quizzes.models import Attempt, Question, Quiz

from . import schema
from .serializers import (
    AnswersInputSerializer,
    AttemptSerializer,
    QuestionInputSerializer,
    QuestionPatchInputSerializer,
    QuestionSerializer,
    QuizDetailSerializer,
    QuizInputSerializer,
    QuizResultsSerializer,
    QuizSerializer,
)


def _attempt_data(user, attempts, *, many: bool = False):
    context = {"visibility": selectors.attempt_visibility(user, attempts)}
    return AttemptSerializer(attempts if many else attempts[0], many=many, context=context).data


def _attempt_response(user, attempt, http_status=status.HTTP_200_OK):
    return Response(_attempt_data(user, [attempt]), status=http_status)


@schema.COURSE_QUIZZES
class CourseQuizzesView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, course_id):
        course = course_for(request.user, course_id, need="learn", message=READ_DENIED)
        quizzes = list(selectors.quiz_list_for_course(course))
        summaries = selectors.attempt_summary_list_for_student(student=request.user, quiz_ids=[q.pk for q in quizzes])
        context = {
            "schedule": release.schedule_for(user=request.user, course=course, items=quizzes),
            "attempt_summaries": summaries,
        }
        return Response(QuizSerializer(quizzes, many=True, context=context).data)

    def post(self, request, course_id):
        course = course_for(request.user, course_id, need="manage", message=COURSE_MANAGE_DENIED)
        data = QuizInputSerializer.validated(request)
        order = data.pop("order", None)
        quiz = services.quiz_create(actor=request.user, course=course, **data)
        if order is not None:
            quiz = services.quiz_update(actor=request.user, quiz=quiz, data={"order": order})
        quiz = selectors.quiz_get_with_totals(quiz.pk)
        return Response(QuizDetailSerializer(quiz, context={"is_manager": True}).data, status=status.HTTP_201_CREATED)


@schema.QUIZZES
class QuizViewSet(
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Quiz.objects.none()  # for the schema; requests resolve the quiz through quiz_for
    serializer_class = QuizDetailSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(quiz_with_totals_for)
    needs = {
        "update": "manage",
        "partial_update": "manage",
        "destroy": "manage",
        "questions": "manage",
        "reorder_questions": "manage",
        "results": "manage",
    }

    def _render(self, quiz, *, check_open: bool = False):
        user = self.request.user
        schedule = release.schedule_for(user=user, course=quiz.course, items=[quiz])
        if check_open:  # its questions are its content: a locked quiz is refused
            release.check_open(schedule.state(quiz), _("This quiz is not open yet."))
        summaries = selectors.attempt_summary_list_for_student(student=user, quiz_ids=[quiz.pk])
        context = {"schedule": schedule, "is_manager": can_manage_quiz(user, quiz), "attempt_summaries": summaries}
        return Response(QuizDetailSerializer(quiz, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        return self._render(self.get_object(), check_open=True)

    def update(self, request, *args, **kwargs):
        quiz = self.get_object()
        data = QuizInputSerializer.validated(request, partial=kwargs.pop("partial", False))
        services.quiz_update(actor=request.user, quiz=quiz, data=data)
        return self._render(self.get_object())

    def destroy(self, request, *args, **kwargs):
        services.quiz_delete(actor=request.user, quiz=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def questions(self, request, pk=None):
        quiz = self.get_object()
        if request.method == "GET":
            questions = selectors.question_list_for_quiz(quiz)
            return Response(QuestionSerializer(questions, many=True).data)
        question = services.question_create(actor=request.user, quiz=quiz, **QuestionInputSerializer.validated(request))
        question = selectors.question_get_with_choices(question.pk)
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="questions/reorder", pagination_class=None)
    def reorder_questions(self, request, pk=None):
        quiz = self.get_object()
        ids = ReorderInputSerializer.validated(request)["order"]
        services.questions_reorder(actor=request.user, quiz=quiz, ids=ids)
        questions = quiz.questions.prefetch_related("choices").order_by("order", "id")
        return Response(QuestionSerializer(questions, many=True).data)

    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attempts(self, request, pk=None):
        if request.method == "GET":
            quiz = quiz_for(request.user, pk, need="read")
            attempts = list(selectors.attempt_list_for_student(quiz=quiz, student=request.user))
            return Response(_attempt_data(request.user, attempts, many=True))
        quiz = quiz_for(request.user, pk, need="take")
        attempt, created = services.attempt_start(student=request.user, quiz=quiz)
        return _attempt_response(request.user, attempt, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

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


@schema.ATTEMPTS
class AttemptViewSet(AccessViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One attempt: its owner reads, saves answers and submits; the course's instructor and admins
    read it (with answers)."""

    queryset = Attempt.objects.none()  # for the schema; requests resolve the attempt through attempt_for
    serializer_class = AttemptSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "post", "head", "options"]
    access = staticmethod(attempt_for)
    needs = {"partial_update": "own", "submit": "own"}

    def retrieve(self, request, *args, **kwargs):
        return _attempt_response(request.user, self.get_object())

    def partial_update(self, request, *args, **kwargs):
        answers = AnswersInputSerializer.validated(request)["answers"]
        attempt, saved = services.attempt_save_answers(actor=request.user, attempt=self.get_object(), answers=answers)
        if not saved:
            body = {
                "detail": _("Time is up: the attempt was graded with the answers saved before the deadline."),
                "code": "deadline_passed",
                "attempt": _attempt_data(request.user, [attempt]),
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        return _attempt_response(request.user, attempt)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        answers = AnswersInputSerializer.validated(request)["answers"]
        attempt = services.attempt_submit(actor=request.user, attempt=self.get_object(), answers=answers)
        return _attempt_response(request.user, attempt)


@schema.QUESTIONS
class QuestionViewSet(
    AccessViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    # Questions carry their answers: every action needs "manage".
    queryset = Question.objects.none()  # for the schema; requests resolve the question through question_for
    serializer_class = QuestionSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(question_for)
    needs = {"retrieve": "manage", "update": "manage", "partial_update": "manage", "destroy": "manage"}

    def retrieve(self, request, *args, **kwargs):
        return Response(QuestionSerializer(self.get_object()).data)

    def update(self, request, *args, **kwargs):
        question = self.get_object()
        if kwargs.pop("partial", False):
            data = QuestionPatchInputSerializer.validated(request, partial=True)
        else:
            data = QuestionInputSerializer.validated(request)
        services.question_update(actor=request.user, question=question, data=data)
        return Response(QuestionSerializer(self.get_object()).data)

    def destroy(self, request, *args, **kwargs):
        services.question_delete(actor=request.user, question=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
