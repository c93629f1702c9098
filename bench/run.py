"""The benchmark: builds a data set on PostgreSQL, starts the production stack (gunicorn, Redis
cache, a Celery worker) and drives it with wrk from a separate process.

    .venv/bin/python bench/run.py                 # the default scale (see --help); ~10 minutes
    .venv/bin/python bench/run.py --tiny          # a smoke test of the whole pipeline (CI)

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, defaults below) and wrk (Debian: wrk). The
database named in DATABASE_URL is dropped and created anew. Prints a table per endpoint: requests
per second, p50, p99, errors, SQL queries per request and the ratio to /health/ in the same run;
then catalog latency at growing catalog sizes, then the quiz storm."""

import argparse
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lms_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--courses", type=int, default=10_000)
    p.add_argument("--categories", type=int, default=200)
    p.add_argument("--students", type=int, default=50_000)
    p.add_argument("--enrollments", type=int, default=1_000_000)
    p.add_argument("--reviews", type=int, default=100_000)
    p.add_argument("--questions", type=int, default=20)
    p.add_argument("--scales", default="1000,10000,100000", help="catalog sizes for the latency curve")
    p.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--storm", type=int, default=2000, help="students in the quiz storm")
    p.add_argument("--storm-seconds", type=int, default=60)
    p.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--tiny", action="store_true", help="a small smoke run (CI): every step, no meaningful timing")
    args = p.parse_args()
    if args.tiny:
        args.courses, args.categories, args.students, args.enrollments, args.reviews = 300, 10, 400, 3000, 500
        args.scales, args.duration, args.connections, args.storm, args.storm_seconds = "100,300", 1, 4, 20, 3
    args.scales = [int(s) for s in args.scales.split(",") if s]
    return args


def step(message: str) -> None:
    print(f"\n== {message}", flush=True)


def progress(label: str, done: int, total: int, started: float) -> None:
    width = 30
    filled = width * done // max(total, 1)
    print(
        f"\r  {label:<12} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} "
        f"{time.monotonic() - started:5.1f}s",
        end="" if done < total else "\n",
        flush=True,
    )


# --- environment ---------------------------------------------------------------------------------
def server_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", "bench-" + "x" * 50),
        DATABASE_URL=env.get("DATABASE_URL", DEFAULT_DB),
        REDIS_URL=env.get("REDIS_URL", DEFAULT_REDIS),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        JWT_ACCESS_MINUTES="600",
        THROTTLE_ANON="100000000/min",
        THROTTLE_USER="100000000/min",
        THROTTLE_AUTH="100000000/min",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- data ----------------------------------------------------------------------------------------
def copy_rows(cursor, table: str, columns: list[str], rows, total: int, label: str) -> None:
    started = time.monotonic()
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for n, row in enumerate(rows, start=1):
            copy.write_row(row)
            if n % 20000 == 0 or n == total:
                progress(label, n, total, started)


def seed(args) -> dict:
    """Bulk-loads the data set with COPY; counters are set with one UPDATE each."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    password = make_password("bench-pass-123")
    n_instructors = max(args.courses // 5, 2)
    total_courses = max(args.courses, max(args.scales, default=0))
    per_student = max(args.enrollments // args.students, 1)
    cursor_raw = connection.cursor()
    cursor = cursor_raw.cursor  # psycopg's own cursor, for COPY

    user_cols = [
        "id",
        "password",
        "is_superuser",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "date_joined",
        "email",
        "role",
        "language",  # COPY does not apply the model's default ("": follow the browser)
    ]
    n_users = 1 + n_instructors + args.students + args.storm

    def users():
        yield (1, password, True, "Bench", "Admin", True, True, now, "admin@bench.lms", "admin", "")
        for i in range(n_instructors):
            yield (
                2 + i,
                password,
                False,
                "Instructor",
                str(i),
                False,
                True,
                now - timedelta(days=i % 365),
                f"instructor{i}@bench.lms",
                "instructor",
                "",
            )
        for i in range(args.students + args.storm):
            yield (
                2 + n_instructors + i,
                password,
                False,
                "Student",
                str(i),
                False,
                True,
                now - timedelta(minutes=i),
                f"student{i}@bench.lms",
                "student",
                "",
            )

    copy_rows(cursor, "accounts_user", user_cols, users(), n_users, "users")
    copy_rows(
        cursor,
        "accounts_instructorprofile",
        ["user_id", "headline", "bio", "expertise", "website", "created_at", "updated_at"],
        ((2 + i, "Instructor", "", "", "", now, now) for i in range(n_instructors)),
        n_instructors,
        "profiles",
    )
    copy_rows(
        cursor,
        "courses_category",
        ["id", "name", "slug", "created_at"],
        ((i + 1, f"Category {i}", f"cat-{i}", now) for i in range(args.categories)),
        args.categories,
        "categories",
    )
    words = [
        "python",
        "django",
        "data",
        "design",
        "music",
        "business",
        "photo",
        "spanish",
        "rust",
        "sql",
        "cloud",
        "security",
        "marketing",
        "writing",
        "math",
    ]
    rng = random.Random(7)
    empty = json.dumps({str(s): 0 for s in range(1, 6)})

    def courses():
        for i in range(total_courses):
            topic = words[i % len(words)]
            published = i < args.courses
            yield (
                i + 1,
                2 + i % n_instructors,
                1 + i % args.categories,
                f"{topic.title()} course {i}",
                f"{topic}-course-{i}",
                f"Learn {topic} step by step",
                f"A practical course about {topic}. " * 5,
                ["beginner", "intermediate", "advanced", "all"][i % 4],
                "en",
                "0.00" if i % 3 == 0 else f"{9 + i % 90}.99",
                "USD",
                "published" if published else "draft",
                "",
                now - timedelta(minutes=i),
                now,
                now - timedelta(minutes=i),
                3,
                0,
                "0.00",
                0,
                empty,
            )

    copy_rows(
        cursor,
        "courses_course",
        [
            "id",
            "instructor_id",
            "category_id",
            "title",
            "slug",
            "subtitle",
            "description",
            "level",
            "language",
            "price",
            "currency",
            "status",
            "thumbnail_url",
            "created_at",
            "updated_at",
            "published_at",
            "lesson_count",
            "enrollment_count",
            "average_rating",
            "rating_count",
            "rating_distribution",
        ],
        courses(),
        total_courses,
        "courses",
    )
    copy_rows(
        cursor,
        "courses_section",
        ["id", "course_id", "title", "order", "created_at"],
        ((i + 1, i + 1, "Part 1", 1, now) for i in range(total_courses)),
        total_courses,
        "sections",
    )
    copy_rows(
        cursor,
        "courses_lesson",
        [
            "section_id",
            "course_id",
            "title",
            "content",
            "video_url",
            "duration_seconds",
            "is_preview",
            "order",
            "created_at",
            "updated_at",
            "requires_passing",  # a JSON column: COPY does not apply the model's default
        ],
        (
            (c + 1, c + 1, f"Lesson {k}", "Text " * 50, "", 300, k == 1, k, now, now, "[]")
            for c in range(total_courses)
            for k in range(1, 4)
        ),
        total_courses * 3,
        "lessons",
    )
    first_student = 2 + n_instructors
    stride = max(args.courses // per_student, 1)
    n_enrollments = args.students * per_student

    def enrollments():
        for s in range(args.students):
            for k in range(per_student):
                course = 1 + (s + k * stride) % args.courses
                yield (
                    first_student + s,
                    course,
                    "free",
                    "active",
                    now - timedelta(minutes=s + k),
                    now - timedelta(days=(s + k) % 60),
                )

    copy_rows(
        cursor,
        "courses_enrollment",
        ["student_id", "course_id", "source", "status", "enrolled_at", "last_activity_at"],
        enrollments(),
        n_enrollments,
        "enrollments",
    )
    n_reviews = min(args.reviews, n_enrollments)

    def reviews():
        made = 0
        for s in range(args.students):
            for k in range(per_student):
                if made >= n_reviews:
                    return
                course = 1 + (s + k * stride) % args.courses
                made += 1
                yield (course, first_student + s, 1 + rng.randrange(5), "Good course.", now, now, False)

    copy_rows(
        cursor,
        "reviews_review",
        ["course_id", "student_id", "rating", "comment", "created_at", "updated_at", "counts_after_erasure"],
        reviews(),
        n_reviews,
        "reviews",
    )
    started = time.monotonic()
    cursor.execute("""
        UPDATE courses_course c SET enrollment_count = e.n
        FROM (SELECT course_id, count(*) n FROM courses_enrollment WHERE status = 'active' GROUP BY 1) e
        WHERE e.course_id = c.id""")
    cursor.execute("""
        UPDATE courses_course c SET rating_count = r.n, average_rating = round(r.avg, 2),
            rating_distribution = jsonb_build_object('1', r.s1, '2', r.s2, '3', r.s3, '4', r.s4, '5', r.s5)
        FROM (SELECT course_id, count(*) n, avg(rating) avg,
                     count(*) FILTER (WHERE rating = 1) s1, count(*) FILTER (WHERE rating = 2) s2,
                     count(*) FILTER (WHERE rating = 3) s3, count(*) FILTER (WHERE rating = 4) s4,
                     count(*) FILTER (WHERE rating = 5) s5
              FROM reviews_review GROUP BY 1) r
        WHERE r.course_id = c.id""")
    for table in (
        "accounts_user",
        "courses_category",
        "courses_course",
        "courses_section",
        "courses_lesson",
        "courses_enrollment",
        "reviews_review",
    ):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    print(f"  counters      {time.monotonic() - started:5.1f}s")
    return build_scenario(args, first_student, n_instructors)


def build_scenario(args, first_student: int, n_instructors: int) -> dict:
    """A quiz of --questions questions, a forum and notifications, through the services."""
    from django.db import connection

    from accounts.models import User
    from courses.models import Course, Enrollment
    from forum import services as forum
    from notifications.services import notify
    from quizzes import services as quizzes

    student = User.objects.get(pk=first_student)
    course = Course.objects.filter(enrollments__student=student).order_by("id").first()
    instructor = course.instructor
    quiz = quizzes.quiz_create(
        actor=instructor,
        course=course,
        title="Bench quiz",
        passing_score=50,
        max_attempts=None,
        time_limit_seconds=3600,
        show_correct_answers="after_submit",
        is_required=False,
    )
    for q in range(args.questions):
        quizzes.question_create(
            actor=instructor,
            quiz=quiz,
            type="single_choice",
            text=f"Question {q}?",
            choices=[{"text": "Right", "is_correct": True}, {"text": "Wrong"}],
        )
    storm_ids = list(range(first_student + args.students, first_student + args.students + args.storm))
    Enrollment.objects.bulk_create(
        [Enrollment(student_id=pk, course=course, source="admin") for pk in storm_ids], batch_size=2000
    )
    for n in range(50):
        forum.post_create(course=course, author=student, title=f"Question {n}", body="How does this work?")
    notify(recipients=[student], type="announcement", title="Welcome", body="Hello")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "student": student.pk,
        "instructor": instructor.pk,
        "admin": 1,
        "course": course.pk,
        "quiz": quiz.pk,
        "storm": storm_ids,
        "first_course": 1,
        "instructors": n_instructors,
    }


def tokens_for(ids) -> dict[int, str]:
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User

    return {user.pk: str(AccessToken.for_user(user)) for user in User.objects.filter(pk__in=ids)}


# --- servers -------------------------------------------------------------------------------------
def start_stack(args, env) -> list[subprocess.Popen]:
    venv_bin = Path(sys.executable).parent
    cmd = [
        str(venv_bin / "gunicorn"),
        "lms.wsgi:application",
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{args.port}",
    ]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    web = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    worker = subprocess.Popen(
        [str(venv_bin / "celery"), "-A", "lms", "worker", "--loglevel=WARNING", "--concurrency=1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/health/", timeout=1).close()
            return [web, worker]
        except OSError:
            if time.monotonic() > deadline or web.poll() is not None:
                stop([web, worker])
                sys.exit("gunicorn did not start: " + (web.stderr.read().decode() if web.stderr else ""))
            time.sleep(0.2)


def stop(processes) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- measuring -----------------------------------------------------------------------------------
def wrk(
    args,
    path: str,
    *,
    token: str = "",
    method: str = "GET",
    body: str = "",
    bust: bool = False,
    duration: int | None = None,
) -> dict:
    env = dict(os.environ, BENCH_TOKEN=token, BENCH_METHOD=method, BENCH_BODY=body, BENCH_BUST="1" if bust else "0")
    cmd = [
        "wrk",
        "-t2",
        f"-c{args.connections}",
        f"-d{duration or args.duration}s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "wrk" / "request.lua"),
        f"http://127.0.0.1:{args.port}{path}",
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=(duration or args.duration) + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {path}:\n{out.stdout}\n{out.stderr}")
    return json.loads(line[len("BENCH ") :])


def queries_per_request(path: str, *, token: str = "", method: str = "GET", body: str = "") -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    call = getattr(client, method.lower())
    call(path, data=body or None, content_type="application/json", **headers)  # warm (and fill the cache)
    if "nocache=" in path:
        from django.core.cache import cache

        cache.clear()  # measure the uncached path
    with CaptureQueriesContext(connection) as ctx:
        call(path, data=body or None, content_type="application/json", **headers)
    return len(ctx.captured_queries)


def table(rows: list[dict], ceiling: float) -> str:
    head = (
        f"| {'endpoint':<44} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} | {'SQL/req':>7} | "
        f"{'vs /health/':>11} |"
    )
    lines = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    for r in rows:
        lines.append(
            f"| {r['name']:<44} | {r['rps']:>8.0f} | {r['p50_ms']:>7.1f} | {r['p99_ms']:>7.1f} | "
            f"{r['errors'] + r['non2xx']:>6} | {r['sql']:>7} | {r['rps'] / ceiling:>10.0%} |"
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")
    env = server_env(args)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    step(f"data set on {env['DATABASE_URL']}")
    recreate_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()
    started = time.monotonic()
    scenario = seed(args)
    print(f"  built in {time.monotonic() - started:.0f}s")
    tokens = tokens_for([scenario["student"], scenario["instructor"], scenario["admin"], *scenario["storm"]])
    student, instructor = tokens[scenario["student"]], tokens[scenario["instructor"]]
    course, quiz = scenario["course"], scenario["quiz"]
    endpoints = [
        ("/health/ (ceiling)", "/health/", {}),
        ("catalog list, cached", "/api/v1/courses/", {}),
        ("catalog list, uncached", "/api/v1/courses/", {"bust": True}),
        ("catalog filtered, uncached", "/api/v1/courses/?category=cat-3&level=beginner&max_price=60", {"bust": True}),
        ("catalog searched, uncached", "/api/v1/courses/?search=python", {"bust": True}),
        ("catalog by rating, uncached", "/api/v1/courses/?ordering=-average_rating", {"bust": True}),
        ("course detail, cached (anonymous)", f"/api/v1/courses/{course}/", {}),
        ("course detail, enrolled student", f"/api/v1/courses/{course}/", {"token": student}),
        ("my enrollments", "/api/v1/me/enrollments/", {"token": student}),
        ("student dashboard", "/api/v1/dashboard/student/", {"token": student}),
        ("instructor dashboard", "/api/v1/dashboard/instructor/", {"token": instructor}),
        (
            "quiz start (returns the open attempt)",
            f"/api/v1/quizzes/{quiz}/attempts/",
            {"token": student, "method": "POST"},
        ),
        ("forum thread list", f"/api/v1/courses/{course}/forum/posts/", {"token": student}),
        ("notifications unread count", "/api/v1/notifications/unread-count/", {"token": student}),
    ]
    step("SQL queries per request (in-process)")
    sql = {}
    for name, path, opts in endpoints:
        measured = path + ("&" if "?" in path else "?") + "nocache=sql" if opts.get("bust") else path
        sql[name] = queries_per_request(measured, token=opts.get("token", ""), method=opts.get("method", "GET"))
        print(f"  {name:<44} {sql[name]}")
    cache.clear()
    step(f"load: wrk, {args.connections} connections, {args.duration}s per endpoint")
    stack = start_stack(args, env)
    rows = []
    try:
        for name, path, opts in endpoints:
            if opts.get("method") != "POST" and "bust" not in opts:
                wrk(args, path, token=opts.get("token", ""), duration=1)  # warm the cache and connections
            result = wrk(
                args, path, token=opts.get("token", ""), method=opts.get("method", "GET"), bust=opts.get("bust", False)
            )
            rows.append({"name": name, "sql": sql[name], **result})
            print(f"  {name:<44} {result['rps']:>8.0f} req/s  p99 {result['p99_ms']:.1f} ms", flush=True)
        ceiling = rows[0]["rps"]
        report = io.StringIO()
        report.write(table(rows, ceiling) + "\n")
        step("catalog latency against catalog size (uncached list, published courses)")
        from django.db import connection

        curve = []
        for size in args.scales:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE courses_course SET status = CASE WHEN id <= %s THEN 'published' ELSE 'draft' END", [size]
                )
                cursor.execute("ANALYZE courses_course")
            result = wrk(args, "/api/v1/courses/", bust=True)
            curve.append((size, result))
            print(
                f"  {size:>8,} courses: p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
                f"{result['rps']:.0f} req/s",
                flush=True,
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE courses_course SET status = CASE WHEN id <= %s THEN 'published' ELSE 'draft' END",
                [args.courses],
            )
        step(f"quiz storm: {args.storm} students over {args.storm_seconds}s")
        storm = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "quiz_storm.py"),
                f"http://127.0.0.1:{args.port}",
                str(quiz),
                str(args.storm_seconds),
            ],
            input=json.dumps([tokens[pk] for pk in scenario["storm"]]),
            capture_output=True,
            text=True,
            timeout=args.storm_seconds + 600,
        )
        print(storm.stdout.strip() or storm.stderr[-2000:])
        from quizzes.models import Attempt, AttemptAnswer

        attempts = Attempt.objects.filter(quiz_id=quiz, student_id__in=scenario["storm"])
        graded = attempts.filter(submitted_at__isnull=False).count()
        answers = AttemptAnswer.objects.filter(attempt__in=attempts).count()
        once = graded == args.storm and answers == args.storm * args.questions and attempts.count() == args.storm
        print(
            f"  attempts: {attempts.count()}, graded: {graded}, graded answers: {answers} "
            f"({'every attempt graded once' if once else 'MISMATCH'})"
        )
    finally:
        stop(stack)
    step("results")
    print(report.getvalue())
    for size, result in curve:
        print(f"  catalog at {size:>8,} courses: p50 {result['p50_ms']:.1f} ms")
    if not once:
        sys.exit(1)


if __name__ == "__main__":
    main()
