"""The staff pages for quizzes, questions and attempts."""

import pytest
from django.test import Client

from courses.tests.factories import SectionFactory
from lms.tests.admin_forms import add_row, form_errors, inline_row, page_data
from quizzes.models import Choice, Question, Quiz
from quizzes.tests.helpers import all_right, start, submit

pytestmark = pytest.mark.django_db


def test_quiz_pages(staff, quiz, questions):
    assert staff.get("/admin/quizzes/quiz/").status_code == 200
    assert quiz.title in staff.get("/admin/quizzes/quiz/?q=" + quiz.title).content.decode()
    page = staff.get(f"/admin/quizzes/quiz/{quiz.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for question in questions.values():
        assert question.text.replace("'", "&#x27;") in html
    assert staff.get("/admin/quizzes/quiz/add/").status_code == 200


def test_question_pages(staff, quiz, questions):
    assert staff.get("/admin/quizzes/question/").status_code == 200
    page = staff.get(f"/admin/quizzes/question/{questions['single'].pk}/change/")
    assert page.status_code == 200
    assert "Paris" in page.content.decode()


def _question_form(question, choices):
    data = {
        "quiz": question.quiz_id,
        "type": question.type,
        "text": question.text,
        "points": question.points,
        "order": question.order,
        "explanation": question.explanation,
        "accepted_answers": "[]",
        "numeric_answer": "",
        "tolerance": "0",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, (choice, is_correct) in enumerate(choices):
        data.update(
            {
                f"choices-{i}-id": choice.pk,
                f"choices-{i}-question": question.pk,
                f"choices-{i}-order": choice.order,
                f"choices-{i}-text": choice.text,
            }
        )
        if is_correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


def test_a_single_choice_question_with_two_correct_choices_is_rejected(staff, quiz, questions):
    question = questions["single"]
    choices = list(question.choices.all())
    data = _question_form(question, [(choices[0], True), (choices[1], True), (choices[2], False)])
    response = staff.post(f"/admin/quizzes/question/{question.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "Mark exactly one choice as correct." in response.content.decode()
    assert list(Choice.objects.filter(question=question).values_list("is_correct", flat=True)) == [True, False, False]


def test_a_valid_question_edit_is_saved(staff, quiz, questions):
    question = questions["single"]
    choices = list(question.choices.all())
    data = _question_form(question, [(choices[0], False), (choices[1], True), (choices[2], False)])
    response = staff.post(f"/admin/quizzes/question/{question.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Choice.objects.filter(question=question).values_list("is_correct", flat=True)) == [False, True, False]


def test_attempts_are_read_only(staff, clients, enrollment, quiz, questions):
    attempt = start(clients["student"], quiz)
    submit(clients["student"], attempt["id"], all_right(questions))
    assert staff.get("/admin/quizzes/attempt/").status_code == 200
    page = staff.get(f"/admin/quizzes/attempt/{attempt['id']}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert "100.00" in html
    assert staff.get("/admin/quizzes/attempt/add/").status_code == 403
    assert staff.post(f"/admin/quizzes/attempt/{attempt['id']}/change/", {"percent": "0"}).status_code == 403
    assert staff.get(f"/admin/quizzes/attempt/{attempt['id']}/delete/").status_code == 403


def test_students_and_instructors_cannot_open_the_admin(student, instructor, quiz):
    for user in (student, instructor):
        client = Client()
        client.force_login(user)
        assert client.get("/admin/quizzes/quiz/").status_code == 302
    assert Question.objects.count() == 0


# --- quizzes and questions are written by their services -----------------------------------------
ADD_QUIZ = "/admin/quizzes/quiz/add/"
ANOTHER_COURSE = {"section": ["This section belongs to another course."]}


def test_the_quiz_admin_refuses_a_section_of_another_course(staff, course):
    elsewhere = SectionFactory()  # in a course of its own

    response = staff.post(ADD_QUIZ, page_data(staff.get(ADD_QUIZ), course=course.pk, section=elsewhere.pk, title="Q"))

    assert form_errors(response) == ANOTHER_COURSE
    assert not Quiz.objects.exists()


def test_the_quiz_admin_refuses_to_move_a_quiz_to_a_section_of_another_course(staff, quiz):
    own, elsewhere = quiz.course.sections.get(), SectionFactory()
    url = f"/admin/quizzes/quiz/{quiz.pk}/change/"

    response = staff.post(url, page_data(staff.get(url), section=elsewhere.pk, title="Renamed"))

    assert form_errors(response) == ANOTHER_COURSE
    quiz.refresh_from_db()
    assert quiz.section_id is None and quiz.title != "Renamed"

    assert staff.post(url, page_data(staff.get(url), section=own.pk)).status_code == 302
    quiz.refresh_from_db()
    assert quiz.section_id == own.pk


def test_a_quiz_added_in_the_admin_goes_last_or_where_its_order_says(staff, quiz):
    section = quiz.course.sections.get()
    for title, order in (("Last", ""), ("First", "1")):
        data = page_data(staff.get(ADD_QUIZ), course=quiz.course_id, section=section.pk, title=title, order=order)
        response = staff.post(ADD_QUIZ, data)
        assert response.status_code == 302, form_errors(response)

    placed = Quiz.objects.filter(course=quiz.course).order_by("order").values_list("title", "order", "section")
    assert list(placed) == [("First", 1, section.pk), (quiz.title, 2, None), ("Last", 3, section.pk)]


def test_a_question_added_in_the_admin_is_created_with_its_choices(staff, quiz, questions):
    url = "/admin/quizzes/question/add/"
    data = page_data(staff.get(url), quiz=quiz.pk, type="single_choice", text="2 + 2?", points="2", order="1")
    add_row(data, "choices", text="5", order="2")
    add_row(data, "choices", text="4", is_correct="on", order="1")

    response = staff.post(url, data)

    assert response.status_code == 302, form_errors(response)
    question = Question.objects.get(text="2 + 2?")
    assert (question.order, question.points) == (1, 2)
    assert list(question.choices.values_list("text", "is_correct", "order")) == [("4", True, 1), ("5", False, 2)]
    assert list(quiz.questions.values_list("order", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_a_question_without_a_correct_choice_is_not_created(staff, quiz):
    url = "/admin/quizzes/question/add/"
    data = page_data(staff.get(url), quiz=quiz.pk, type="single_choice", text="Nothing right?", points="1")
    add_row(data, "choices", text="A", order="1")
    add_row(data, "choices", text="B", order="2")

    response = staff.post(url, data)

    assert response.status_code == 200
    assert "Mark exactly one choice as correct." in response.content.decode()
    assert not Question.objects.filter(text="Nothing right?").exists()


def test_questions_are_reordered_on_the_quiz_page(staff, quiz, questions):
    url = f"/admin/quizzes/quiz/{quiz.pk}/change/"
    page = staff.get(url)
    numeric = questions["numeric"]

    response = staff.post(url, page_data(page, **{inline_row(page, "questions", numeric) + "order": "1"}))

    assert response.status_code == 302, form_errors(response)
    assert list(quiz.questions.order_by("order").values_list("pk", flat=True))[:2] == [
        numeric.pk,
        questions["single"].pk,
    ]
    assert list(quiz.questions.values_list("order", flat=True)) == [1, 2, 3, 4, 5]
