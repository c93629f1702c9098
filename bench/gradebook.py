"""The gradebook of a large course (issue 22): 2,000 students and 30 items (15 quizzes, 15
assignments), as a JSON page, the last JSON page, every JSON page, the CSV download and the
`export_gradebook` command, with the time, the SQL time and the number of queries of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench .venv/bin/python bench/gradebook.py [--runs N]
    .venv/bin/python bench/gradebook.py --tiny          # 50 students, 6 items, 1 run: a smoke test
    .venv/bin/python bench/gradebook.py --profile       # also cProfile one CSV download and one page
    .venv/bin/python bench/gradebook.py --explain       # also EXPLAIN ANALYZE the CSV's slowest queries

It builds the course with bulk_create in a throwaway test database (SQLite unless DATABASE_URL says
otherwise; `test_<name>`, dropped at the end): each student has 1-3 submitted attempts at most
quizzes (half scored by the best attempt, half by the last; a few attempts still open) and a graded
submission for most assignments (some resubmitted, late, or re-graded; some not graded yet); the
rest are blanks. Requests go through django.test.Client as the course's instructor with a JWT, so
authentication, the access check, pagination and rendering are all counted; there is no HTTP
server. It prints the median of each measure, and checks the figures agree (rows, CSV = command
file), exiting 1 if not."""

import argparse
import cProfile
import io
import logging
import math
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import OuterRef, Subquery  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.tests.factories import InstructorFactory  # noqa: E402
from assignments.models import Assignment, Grade, Submission, SubmissionStatus  # noqa: E402
from courses.models import Course, Enrollment, EnrollmentSource  # noqa: E402
from courses.tests.factories import CourseFactory, SectionFactory  # noqa: E402
from gradebook.api.renderers import GradebookCSVRenderer  # noqa: E402
from gradebook.export import gradebook_table  # noqa: E402
from gradebook.models import CourseGrading  # noqa: E402
from gradebook.selectors import item_list_for_course, row_iter, scheme_get  # noqa: E402
from quizzes.models import Attempt, Choice, Question, Quiz  # noqa: E402

PAGE_SIZE = 100
QUESTIONS = 10  # one point each
FIRST_NAMES = [
    "Ada", "Alan", "Barbara", "Claude", "Dennis", "Edsger", "Frances", "Grace", "Guido", "Hedy", "Ivan", "John",
    "Ken", "Linus", "Margaret",
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Baker", "Carter", "Dalton", "Ellis", "Foster", "Garcia", "Hughes", "Ibarra", "Jensen", "Kim", "Lopez",
    "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Walsh", "Xu",
    "Yilmaz", "Zhang",
]  # fmt: skip
BATCH = 2000


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- data ----------------------------------------------------------------------------------------
def build(students: int, items: int, seed: int = 22) -> dict:
    """The course, its items, its students and their work, with bulk_create. Returns ids and counts."""
    rng = random.Random(seed)
    now = timezone.now()
    start = now - timedelta(days=60)
    instructor = InstructorFactory(email="instructor@bench.lms")
    course = CourseFactory(instructor=instructor, title="Gradebook bench", slug="gradebook-bench", status="published")
    section = SectionFactory(course=course, title="Everything", order=1)
    CourseGrading.objects.create(course=course, quizzes_weight=40, assignments_weight=60, pass_percent=60)

    n_quizzes = items // 2
    n_assignments = items - n_quizzes
    quizzes = Quiz.objects.bulk_create(
        Quiz(
            course=course,
            section=section,
            title=f"Quiz {n + 1}",
            passing_score=70,
            max_attempts=3,
            scoring_policy="best" if n % 2 == 0 else "last",
            order=2 * n + 1,
        )
        for n in range(n_quizzes)
    )
    questions = Question.objects.bulk_create(
        Question(quiz=quiz, type="single_choice", text=f"{quiz.title}, question {q + 1}?", points=1, order=q + 1)
        for quiz in quizzes
        for q in range(QUESTIONS)
    )
    Choice.objects.bulk_create(
        Choice(question=question, text=text, is_correct=correct, order=i)
        for question in questions
        for i, (text, correct) in enumerate((("Right", True), ("Wrong", False)), start=1)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(
            course=course,
            section=section,
            title=f"Assignment {n + 1}",
            instructions="Write it up.",
            points=100,
            submission_types=["text"],
            penalty_percent_per_day=Decimal("5"),
            order=2 * n + 2,
        )
        for n in range(n_assignments)
    )

    password = make_password("bench-pass-123")
    users = User.objects.bulk_create(
        (
            User(
                email=f"student{n}@bench.lms",
                password=password,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                role=Role.STUDENT,
            )
            for n in range(students)
        ),
        batch_size=BATCH,
    )
    Enrollment.objects.bulk_create(
        (Enrollment(student=user, course=course, source=EnrollmentSource.FREE) for user in users), batch_size=BATCH
    )
    Course.objects.filter(pk=course.pk).update(enrollment_count=students)

    attempts = []
    for user in users:
        for quiz in quizzes:
            if rng.random() >= 0.85:
                continue  # never attempted: a blank
            started = start + timedelta(minutes=rng.randrange(60 * 24 * 30))
            count = rng.randint(1, 3)
            for number in range(1, count + 1):
                score = rng.randint(2, QUESTIONS)
                attempts.append(
                    Attempt(
                        quiz=quiz,
                        student=user,
                        number=number,
                        started_at=started,
                        submitted_at=started + timedelta(minutes=12),
                        score=Decimal(score),
                        max_score=Decimal(QUESTIONS),
                        percent=Decimal(score * 100 // QUESTIONS),
                        passed=score * 100 // QUESTIONS >= quiz.passing_score,
                    )
                )
                started += timedelta(days=rng.randint(1, 3))
            if count < 3 and rng.random() < 0.05:  # an attempt still open: not counted
                attempts.append(Attempt(quiz=quiz, student=user, number=count + 1, started_at=started))
    Attempt.objects.bulk_create(attempts, batch_size=BATCH)

    submissions, graded = [], []  # graded: (submission, [(score, days_late)...]) per grading
    for user in users:
        for assignment in assignments:
            if rng.random() >= 0.85:
                continue  # nothing submitted: a blank
            submitted = start + timedelta(minutes=rng.randrange(60 * 24 * 40))
            for attempt in range(1, (2 if rng.random() < 0.15 else 1) + 1):
                days_late = rng.choice((1, 2, 3)) if rng.random() < 0.1 else 0
                submission = Submission(
                    assignment=assignment,
                    student=user,
                    attempt=attempt,
                    text="My answer.",
                    submitted_at=submitted,
                    is_late=days_late > 0,
                    days_late=days_late,
                )
                submissions.append(submission)
                if rng.random() < (0.9 if attempt == 1 else 0.6):  # else: waiting to be graded
                    gradings = 2 if rng.random() < 0.05 else 1  # a re-grade keeps the first
                    graded.append((submission, [Decimal(rng.randint(80, 200)) / 2 for _ in range(gradings)]))
                submitted += timedelta(days=rng.randint(1, 5))
    Submission.objects.bulk_create(submissions, batch_size=BATCH)
    grades = []
    for submission, scores in graded:
        for n, score in enumerate(scores):
            penalty = cents(score * Decimal(5 * submission.days_late) / 100)
            points = score - penalty
            grades.append(
                Grade(
                    submission=submission,
                    score=score,
                    late_penalty=penalty,
                    points=points,
                    percent=cents(points),  # of 100 points
                    graded_by=instructor,
                    graded_at=submission.submitted_at + timedelta(days=2 + n),
                )
            )
    Grade.objects.bulk_create(grades, batch_size=BATCH)
    latest = Grade.objects.filter(submission=OuterRef("pk")).order_by("-graded_at", "-id").values("pk")[:1]
    Submission.objects.filter(assignment__course=course, grades__isnull=False).update(
        grade=Subquery(latest), status=SubmissionStatus.GRADED
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have by now: plans on real statistics
    return {
        "course": course.pk,
        "instructor": instructor,
        "quizzes": len(quizzes),
        "assignments": len(assignments),
        "attempts": len(attempts),
        "submissions": len(submissions),
        "grades": len(grades),
    }


# --- measuring -----------------------------------------------------------------------------------
class SqlTimer:
    """An execute wrapper summing the time spent in the database driver (query and fetch)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


@contextmanager
def timed():
    """Yields a dict that gets, when the block ends, `ms` (wall time), `sql_ms` (wall time inside
    cursor.execute: PostgreSQL's work and the transfer; rows are decoded later, in Python) and
    `cpu_ms` (this process's CPU time: Django, DRF, the gradebook, psycopg decoding rows; not the
    database server's), which other work on the machine does not inflate as it does wall time."""
    timer = SqlTimer()
    result = {}
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timer):
        yield result
    result["ms"] = (time.perf_counter() - started) * 1000
    result["cpu_ms"] = (time.process_time() - cpu) * 1000
    result["sql_ms"] = timer.seconds * 1000


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def get(client: Client, url: str, token: str):
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    if response.status_code != 200:
        sys.exit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def measure(course_id: int, token: str, students: int, runs: int) -> tuple[list[dict], list[str]]:
    client = Client()
    base = f"/api/v1/courses/{course_id}/gradebook/"
    pages = max(math.ceil(students / PAGE_SIZE), 1)
    problems = []

    def page(n: int):
        return get(client, f"{base}?page={n}&page_size={PAGE_SIZE}", token)

    def csv():
        return get(client, f"{base}?format=csv", token)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gradebook.csv"

        def command():
            call_command("export_gradebook", str(course_id), output=str(path), stdout=io.StringIO())

        def every_page():
            for n in range(1, pages + 1):
                page(n)

        cases = [
            ("JSON, first page of 100", lambda: page(1)),
            (f"JSON, last page ({pages})", lambda: page(pages)),
            (f"JSON, all {pages} pages of 100", every_page),
            ("CSV download (every student)", csv),
            ("export_gradebook to a file", command),
        ]
        rows = []
        for label, call in cases:
            call()  # warm: connections, query plans, imports, the throttle's keys
            queries = queries_of(call)
            samples = []
            for _ in range(runs):
                with timed() as sample:
                    call()
                samples.append(sample)
            rows.append(
                {
                    "label": label,
                    "ms": statistics.median(s["ms"] for s in samples),
                    "sql_ms": statistics.median(s["sql_ms"] for s in samples),
                    "cpu_ms": statistics.median(s["cpu_ms"] for s in samples),
                    "queries": queries,
                }
            )

        first, last, body = page(1).json(), page(pages).json(), csv().content
        command()
        rows[0]["bytes"], rows[1]["bytes"] = len(page(1).content), len(page(pages).content)
        rows[3]["bytes"] = rows[4]["bytes"] = len(body)
        if first["count"] != students:
            problems.append(f"JSON count {first['count']}, expected {students}")
        if len(first["rows"]) != min(PAGE_SIZE, students):
            problems.append(f"first page has {len(first['rows'])} rows")
        if len(last["rows"]) != students - PAGE_SIZE * (pages - 1):
            problems.append(f"last page has {len(last['rows'])} rows")
        lines = body.count(b"\n")
        if lines != students + 1:
            problems.append(f"CSV has {lines - 1} student rows, expected {students}")
        if path.read_bytes() != body:
            problems.append("the command's file differs from the CSV download")
    return rows, problems


def profile(course_id: int, token: str) -> None:
    """cProfile of one CSV download and one JSON page: where the Python time goes."""
    course = Course.objects.get(pk=course_id)
    scheme, items = scheme_get(course), item_list_for_course(course)
    list(row_iter(course, items=items, scheme=scheme))  # warm

    def median_of_3(call) -> dict:
        samples = []
        for _ in range(3):
            with timed() as sample:
                call()
            samples.append(sample)
        return {key: statistics.median(s[key] for s in samples) for key in samples[0]}

    computed = median_of_3(lambda: list(row_iter(course, items=items, scheme=scheme)))
    written = median_of_3(lambda: GradebookCSVRenderer().render(gradebook_table(course)))
    print(
        f"\nCSV without HTTP (medians of 3): the rows computed in {computed['ms']:,.0f} ms (in SQL "
        f"{computed['sql_ms']:,.0f} ms, Python CPU {computed['cpu_ms']:,.0f} ms); rows, table and CSV writing "
        f"{written['ms']:,.0f} ms (in SQL {written['sql_ms']:,.0f} ms, Python CPU {written['cpu_ms']:,.0f} ms)"
    )
    client = Client()
    base = f"/api/v1/courses/{course_id}/gradebook/"
    for label, url in (("CSV download", f"{base}?format=csv"), ("JSON page of 100", f"{base}?page_size={PAGE_SIZE}")):
        get(client, url, token)
        profiler = cProfile.Profile()
        profiler.enable()
        get(client, url, token)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        print(f"\n### cProfile: {label} (top 20 by own time, then 30 by cumulative time)")
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(30)
        print(out.getvalue())


def explain(course_id: int, token: str, top: int = 3) -> None:
    """EXPLAIN ANALYZE of the slowest queries of one CSV download (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        print("\n(--explain needs PostgreSQL)")
        return
    with CaptureQueriesContext(connection) as ctx:
        get(Client(), f"/api/v1/courses/{course_id}/gradebook/?format=csv", token)
    slowest = sorted(ctx.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:top]
    for query in slowest:
        sql = query["sql"]
        shown = sql if len(sql) < 600 else sql[:600] + " ..."
        print(f"\n### {float(query['time']) * 1000:.0f} ms in the CSV download\n{shown}\n")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(line if len(line) < 200 else line[:200] + " ..." for (line,) in cursor.fetchall()))


def table(rows: list[dict]) -> str:
    lines = [
        "| measure | median ms | in SQL ms | Python CPU ms | queries | bytes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        size = f"{r['bytes']:,}" if "bytes" in r else ""
        lines.append(
            f"| {r['label']} | {r['ms']:,.0f} | {r['sql_ms']:,.0f} | {r['cpu_ms']:,.0f} | {r['queries']} | {size} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--items", type=int, default=30, help="Quizzes and assignments, half each (default 30).")
    parser.add_argument("--runs", type=int, default=5, help="Timed runs of each measure (median printed).")
    parser.add_argument("--tiny", action="store_true", help="50 students, 6 items, 1 run: a smoke test.")
    parser.add_argument("--profile", action="store_true", help="Also cProfile one CSV download and one page.")
    parser.add_argument("--explain", action="store_true", help="Also EXPLAIN ANALYZE the CSV's slowest queries.")
    args = parser.parse_args()
    if args.tiny:
        args.students, args.items, args.runs = 50, 6, 1
    if args.students < 1 or args.items < 2 or args.runs < 1:
        parser.error("--students and --runs must be at least 1, --items at least 2.")
    logging.getLogger("lms.request").setLevel(logging.WARNING)  # a line per request otherwise
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        data = build(args.students, args.items)
        print(
            f"{connection.vendor}: built in {time.perf_counter() - started:.1f} s: {args.students:,} students, "
            f"{data['quizzes']} quizzes (10 questions), {data['assignments']} assignments, "
            f"{data['attempts']:,} attempts, {data['submissions']:,} submissions, {data['grades']:,} grades"
        )
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(f"load average before measuring: {load} ({os.cpu_count()} CPUs)")
        token = str(AccessToken.for_user(data["instructor"]))
        rows, problems = measure(data["course"], token, args.students, args.runs)
        print(f"\nmedians of {args.runs} run(s), as the course's instructor:\n")
        print(table(rows))
        if args.profile:
            profile(data["course"], token)
        if args.explain:
            explain(data["course"], token)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if problems:
        sys.exit("FAILED: " + "; ".join(problems))


if __name__ == "__main__":
    main()
