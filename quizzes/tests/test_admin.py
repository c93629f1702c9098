"""The staff pages for quizzes, questions and attempts."""

import pytest
from django.test import Client

from quizzes.models import Choice, Question
from quizzes.tests.helpers import all_right, start, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


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
