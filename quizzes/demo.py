"""Demo quizzes for `manage.py seed_demo`: one quiz of every question type in each published demo
course. Idempotent: a course that already has a quiz is left alone."""

from courses.models import Course, CourseStatus

from . import services
from .models import Quiz


def seed(users: dict, stdout) -> None:
    created = 0
    for course in Course.objects.filter(status=CourseStatus.PUBLISHED).order_by("id"):
        if Quiz.objects.filter(course=course).exists():
            continue
        quiz = services.quiz_create(
            actor=None,  # the platform seeds the demo
            course=course,
            title=f"{course.title}: check your understanding",
            description="Five quick questions. You need 60% to pass.",
            passing_score=60,
            time_limit_seconds=600,
            max_attempts=3,
            shuffle_questions=True,
            show_correct_answers="after_submit",
            is_required=False,
        )
        services.question_create(
            actor=None,
            quiz=quiz,
            type="single_choice",
            text=f"What is {course.title} mainly about?",
            choices=[
                {"text": course.subtitle or course.title, "is_correct": True},
                {"text": "Cooking pasta", "is_correct": False},
                {"text": "Knitting", "is_correct": False},
            ],
            explanation="It says so in the course description.",
        )
        services.question_create(
            actor=None,
            quiz=quiz,
            type="multiple_choice",
            text="Which of these help you learn? (choose all that apply)",
            choices=[
                {"text": "Practice", "is_correct": True},
                {"text": "Spaced repetition", "is_correct": True},
                {"text": "Skipping every exercise", "is_correct": False},
            ],
        )
        services.question_create(
            actor=None,
            quiz=quiz,
            type="true_false",
            text="Each lesson ends with an exercise.",
            choices=[{"text": "True", "is_correct": True}, {"text": "False", "is_correct": False}],
        )
        services.question_create(
            actor=None,
            quiz=quiz,
            type="short_answer",
            text="Name the first part of this course.",
            accepted_answers=["Part 1"],
        )
        services.question_create(
            actor=None,
            quiz=quiz,
            type="numeric",
            text="How many parts does the course have?",
            numeric_answer=3,
            tolerance=0,
        )
        created += 1
    stdout.write(f"Demo quizzes: {created} new.")
