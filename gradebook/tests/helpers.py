"""Builders for the gradebook's tests: courses, quizzes and assignments made through the real
services, and students' attempts and grades through the same services a student's and an
instructor's requests use (quizzes.services.attempt_start / attempt_submit,
assignments.services.submission_create / submission_grade)."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.tests.factories import StudentFactory
from assignments import services as assignment_services
from assignments.models import Assignment
from courses import services as course_services
from courses.models import Course, Section
from courses.tests.factories import PublishedCourseFactory, SectionFactory
from gradebook import services as gradebook_services
from quizzes import services as quiz_services
from quizzes.models import Question, Quiz

ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")


def expect(**codes) -> list[tuple[str, int]]:
    return [(role, codes[role]) for role in ROLES]


# The scheme and the whole gradebook: the course's staff. `student` is enrolled, `other_student` not.
STAFF_ONLY = expect(anonymous=401, student=403, other_student=403, instructor=200, other_instructor=403, admin=200)
# A student's own grades: the enrolled student only (the course's staff are not enrolled in it).
ENROLLED_ONLY = expect(anonymous=401, student=200, other_student=403, instructor=403, other_instructor=403, admin=403)


def D(value) -> Decimal:
    return Decimal(str(value))


def course_for_grading(instructor, **fields) -> Course:
    """A published, free course of `instructor` with no lessons (its items are added by the test)."""
    return PublishedCourseFactory(instructor=instructor, lessons=0, **fields)


def section(course: Course, order: int) -> Section:
    return SectionFactory(course=course, order=order)


def student(first_name: str, last_name: str, course: Course | None = None):
    """A student with this name, enrolled in `course` through the enrollment service."""
    user = StudentFactory(first_name=first_name, last_name=last_name)
    if course is not None:
        course_services.enrollment_create(student=user, course=course)
    return user


def quiz(course: Course, *, points: list[int], section: Section | None = None, **fields) -> Quiz:
    """A quiz with one single-choice question per entry of `points` (worth that many points), made
    as the platform; unlimited attempts, reviews after each attempt unless told otherwise."""
    fields.setdefault("max_attempts", None)
    fields.setdefault("show_correct_answers", "after_submit")
    made = quiz_services.quiz_create(
        actor=None, course=course, title=fields.pop("title", "Quiz"), section=section, **fields
    )
    for n, value in enumerate(points, start=1):
        quiz_services.question_create(
            actor=None,
            quiz=made,
            type="single_choice",
            text=f"Question {n} ({value} points)?",
            points=value,
            choices=[{"text": "Right", "is_correct": True}, {"text": "Wrong"}],
        )
    return made


def take(student, quiz: Quiz, *, right: list[int]):
    """`student` starts an attempt and submits it, answering right exactly the questions whose
    points are in `right` (each question of the quiz is worth a distinct number of points here),
    wrong the others. Returns the graded attempt."""
    attempt, _ = quiz_services.attempt_start(student=student, quiz=quiz)
    answers = []
    for question in Question.objects.filter(quiz=quiz).prefetch_related("choices"):
        wanted = question.points in right
        choice = next(c for c in question.choices.all() if c.is_correct == wanted)
        answers.append({"question": question.pk, "choice_ids": [choice.pk]})
    return quiz_services.attempt_submit(actor=student, attempt=attempt, answers=answers)


def assignment(section: Section, *, points: int, **fields) -> Assignment:
    return assignment_services.assignment_create(
        actor=None, section=section, title=fields.pop("title", "Assignment"), points=points, **fields
    )


def submit(student, assignment: Assignment, text: str = "My work"):
    return assignment_services.submission_create(student=student, assignment=assignment, text=text)


def grade(grader, submission, score) -> None:
    assignment_services.submission_grade(actor=grader, submission=submission, score=score)


CUSTOM_SCALE = [  # sent out of order on purpose: the service stores it highest first
    {"letter": "C", "min_percent": 50},
    {"letter": "A+", "min_percent": 95},
    {"letter": "F", "min_percent": 0},
    {"letter": "B", "min_percent": 65},
    {"letter": "A", "min_percent": 85},
]
CUSTOM_SCALE_SORTED = [
    {"letter": "A+", "min_percent": 95},
    {"letter": "A", "min_percent": 85},
    {"letter": "B", "min_percent": 65},
    {"letter": "C", "min_percent": 50},
    {"letter": "F", "min_percent": 0},
]


@dataclass
class FixtureCourse:
    course: Course
    quizzes: dict[str, Quiz]
    assignments: dict[str, Assignment]
    students: dict[str, object]
    submissions: dict[str, object] = field(default_factory=dict)

    def item_ids(self) -> list[str]:
        return [
            f"quiz-{self.quizzes['q1'].pk}",
            f"assignment-{self.assignments['a1'].pk}",
            f"quiz-{self.quizzes['q2'].pk}",
            f"assignment-{self.assignments['a2'].pk}",
        ]


def fixture_course(instructor, *, weights=(40, 60), pass_percent=65, scale=CUSTOM_SCALE) -> FixtureCourse:
    """The hand-computed course of test_figures.py (every figure there is worked out from this).

    Section 1: q1 "Basics" (policy best; questions of 2, 3 and 5 points = 10 points),
               a1 "Essay" (50 points, due an hour ago, late work taken at 10% a day).
    Section 2: q2 "Review" (policy last; questions of 1 and 3 points = 4 points),
               a2 "Project" (20 points, no due date, two attempts allowed).

    Ada Lovelace:  q1 attempt 1 right on 5+3 = 8/10 (80%), attempt 2 right on 2 = 2/10 (20%): best 80%.
                   q2 attempt 1 right on 1+3 = 4/4 (100%), attempt 2 right on 1 = 1/4 (25%): last 25%.
                   a1 submitted late (1 day), graded 40 -> penalty 10% = 4 -> 36 points.
                   a2 graded 10, then re-graded 15 -> 15 points.
    Grace Hopper:  q1 right on 5 = 5/10 (50%); no q2 attempt.
                   a1 submitted, never graded (no score).
                   a2 attempt 1 graded 12; attempt 2 submitted, not graded yet: attempt 1's 12 counts.
    Charles Babbage: enrolled, nothing submitted (an attempt at q1 started, still open: not counted).
    The scheme: weights quizzes 40 / assignments 60, pass at 65, the letter scale CUSTOM_SCALE."""
    course = course_for_grading(instructor, title="Grading 101", slug="grading-101")
    first, second = section(course, 1), section(course, 2)
    q1 = quiz(course, title="Basics", points=[2, 3, 5], section=first, scoring_policy="best")
    a1 = assignment(
        first,
        title="Essay",
        points=50,
        due_at=timezone.now() - timedelta(hours=1),
        accept_late=True,
        penalty_percent_per_day=Decimal("10"),
        order=q1.order + 1,
    )
    q2 = quiz(course, title="Review", points=[1, 3], section=second, scoring_policy="last")
    a2 = assignment(second, title="Project", points=20, max_attempts=2, order=q2.order + 1)
    ada = student("Ada", "Lovelace", course)
    grace = student("Grace", "Hopper", course)
    charles = student("Charles", "Babbage", course)

    take(ada, q1, right=[5, 3])
    take(ada, q1, right=[2])
    take(ada, q2, right=[1, 3])
    take(ada, q2, right=[1])
    ada_essay = submit(ada, a1)
    grade(instructor, ada_essay, 40)
    ada_project = submit(ada, a2)
    grade(instructor, ada_project, 10)
    grade(instructor, ada_project, 15)

    take(grace, q1, right=[5])
    grace_essay = submit(grace, a1)
    grace_project = submit(grace, a2)
    grade(instructor, grace_project, 12)
    grace_second = submit(grace, a2, text="Second try")

    quiz_services.attempt_start(student=charles, quiz=q1)

    gradebook_services.grading_update(
        actor=instructor,
        course=course,
        weights={"quizzes": weights[0], "assignments": weights[1]},
        pass_percent=pass_percent,
        letter_scale=scale,
    )
    return FixtureCourse(
        course=course,
        quizzes={"q1": q1, "q2": q2},
        assignments={"a1": a1, "a2": a2},
        students={"ada": ada, "grace": grace, "charles": charles},
        submissions={
            "ada_essay": ada_essay,
            "ada_project": ada_project,
            "grace_essay": grace_essay,
            "grace_project": grace_project,
            "grace_second": grace_second,
        },
    )
