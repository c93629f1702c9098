import factory

from courses.tests.factories import PublishedCourseFactory
from quizzes.models import Choice, Question, Quiz


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    course = factory.SubFactory(PublishedCourseFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    passing_score = 50
    # Explicit, not the model's defaults for new quizzes (3 attempts, after_last_attempt): tests
    # across the tree rely on these; the defaults are tested in test_review_policies.py.
    max_attempts = None
    show_correct_answers = "after_submit"
    is_required = True
    order = factory.Sequence(lambda n: n + 1)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A single-choice question with one right (first) and one wrong choice."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    quiz = factory.SubFactory(QuizFactory)
    type = "single_choice"
    text = factory.Sequence(lambda n: f"Question {n}?")
    points = 1
    order = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        if not create or self.type not in ("single_choice", "multiple_choice", "true_false"):
            return
        for i, (text, correct) in enumerate(extracted or [("Right", True), ("Wrong", False)], start=1):
            Choice.objects.create(question=self, text=text, is_correct=correct, order=i)
