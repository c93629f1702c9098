"""The benchmark: builds a data set on PostgreSQL, starts the production stack (gunicorn, Redis
cache, a Celery worker) and drives it with wrk from a separate process.

    .venv/bin/python bench/run.py                 # the default scale (see --help); ~10 minutes
    .venv/bin/python bench/run.py --tiny          # a smoke test of the whole pipeline (CI)

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, defaults below) and wrk (Debian: wrk). The
database named in DATABASE_URL is dropped and created anew. Prints a table per endpoint: requests
per second, p50, p99, errors, SQL queries per request and the ratio to /health/ in the same run;
then catalog latency at growing catalog sizes, then the quiz storm."""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
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
    p.add_argument("--worker-class", default=None, help="gunicorn worker class (default: gunicorn.conf.py)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument(
        "--settings",
        default="production",
        help="settings modules of lms.settings to measure, comma-separated (e.g. production,local): the "
        "endpoint table is run once per module and compared",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the endpoint table this many times per settings module, alternating the modules' order "
        "each round; the tables show each row's median, and the comparison the spread",
    )
    p.add_argument("--only", default="", help="only the endpoints whose name contains one of these (separated by |)")
    p.add_argument("--no-curve", action="store_true", help="skip the catalog size curve")
    p.add_argument("--no-storm", action="store_true", help="skip the quiz storm")
    p.add_argument("--reuse", action="store_true", help="keep the database of an earlier run with the same scale")
    p.add_argument(
        "--profile",
        default="",
        help="py-spy flame graphs (SVG, in bench/flamegraphs/) of the gunicorn workers for the endpoints whose "
        "name contains one of these (separated by |)",
    )
    p.add_argument("--label", default="", help="a suffix for the flame graph files (before, after, ...)")
    p.add_argument("--pin", action="store_true", help="the storm's generator on CPU 0, the stack on CPU 1 (taskset)")
    p.add_argument("--json", default="", help="also write every figure to this JSON file")
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
def server_env(args, settings: str = "production") -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=f"lms.settings.{settings}",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", "bench-" + "x" * 50),
        DATABASE_URL=env.get("DATABASE_URL", DEFAULT_DB),
        REDIS_URL=env.get("REDIS_URL", DEFAULT_REDIS),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        JWT_ACCESS_MINUTES="600",
        THROTTLE_ANON="100000000/min",
        THROTTLE_USER="100000000/min",
        THROTTLE_AUTH="100000000/min",
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
                # Every level in every category (the filtered row must match courses).
                ["beginner", "intermediate", "advanced", "all"][i // args.categories % 4],
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
BARE_PORT_OFFSET = 1


def gunicorn_cmd(args, app: str, port: int) -> list[str]:
    cmd = [str(Path(sys.executable).parent / "gunicorn"), app, "-c", str(ROOT / "gunicorn.conf.py")]
    cmd += ["--bind", f"127.0.0.1:{port}"]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if args.worker_class:
        cmd += ["--worker-class", args.worker_class]
    return cmd


def wait_up(port: int, proc: subprocess.Popen, others: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                stop([proc, *others])
                sys.exit(f"gunicorn did not start (its log: {tempfile.gettempdir()}/bench-gunicorn-*.log)")
            time.sleep(0.2)


def start_stack(args, env) -> list[subprocess.Popen]:
    """gunicorn with the project (args.port), gunicorn with a bare WSGI app (the framework-free
    ceiling, args.port + 1), both as gunicorn.conf.py configures them, and a Celery worker. The
    settings' own log level applies (production logs a line per request, as deployed); the lines go
    to a file (a pipe nobody reads would fill and block the server)."""
    pin = ["taskset", "-c", "1"] if args.pin else []
    log = open(Path(tempfile.gettempdir()) / f"bench-gunicorn-{args.port}.log", "ab")  # noqa: SIM115
    web = subprocess.Popen(
        [*pin, *gunicorn_cmd(args, "lms.wsgi:application", args.port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    bare = subprocess.Popen(
        [*pin, *gunicorn_cmd(args, "bare_wsgi:application", args.port + BARE_PORT_OFFSET)],
        cwd=ROOT / "bench",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    worker = subprocess.Popen(
        [*pin, str(Path(sys.executable).parent / "celery"), "-A", "lms", "worker", "-l", "WARNING", "-c", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_up(args.port, web, [bare, worker])
    wait_up(args.port + BARE_PORT_OFFSET, bare, [web, worker])
    return [web, bare, worker]


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
    header: str = "",
    duration: int | None = None,
    port: int | None = None,
) -> dict:
    env = dict(
        os.environ,
        BENCH_TOKEN=token,
        BENCH_METHOD=method,
        BENCH_BODY=body,
        BENCH_BUST="1" if bust else "0",
        BENCH_HEADER=header,
    )
    cmd = [
        "wrk",
        "-t2",
        f"-c{args.connections}",
        f"-d{duration or args.duration}s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "wrk" / "request.lua"),
        f"http://127.0.0.1:{port or args.port}{path}",
    ]
    if args.pin:
        cmd = ["taskset", "-c", "0", *cmd]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=(duration or args.duration) + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {path}:\n{out.stdout}\n{out.stderr}")
    return json.loads(line[len("BENCH ") :])


def etag_of(port: int, path: str, token: str = "") -> str:
    """The ETag a GET of `path` answers with (for the conditional GET rows)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers.get("ETag") or ""


def profiled(args, stack, name: str, label: str):
    """Starts py-spy on the gunicorn master and its workers for the length of a wrk run; returns the
    process (or None when this endpoint is not profiled)."""
    wanted = [w for w in args.profile.split("|") if w]
    if not label or not any(w in name for w in wanted):  # no label: a later round, profiled already
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out_dir = ROOT / "bench" / "flamegraphs"
    out_dir.mkdir(exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    target = out_dir / f"{slug}-{label}.svg"
    return subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(stack[0].pid),
            "--subprocesses",
            "--rate",
            "250",
            "--duration",
            str(args.duration),
            "--format",
            "flamegraph",
            "--output",
            str(target),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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


def table(rows: list[dict], ceiling: float, bare: float | None = None) -> str:
    head = (
        f"| {'endpoint':<46} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} | {'SQL/req':>7} | "
        f"{'vs /health/':>11} |" + (f" {'vs bare WSGI':>12} |" if bare else "")
    )
    lines = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    for r in rows:
        lines.append(
            f"| {r['name']:<46} | {r['rps']:>8.0f} | {r['p50_ms']:>7.1f} | {r['p99_ms']:>7.1f} | "
            f"{r['errors'] + r['non2xx']:>6} | {r['sql']:>7} | {r['rps'] / ceiling:>10.0%} |"
            + (f" {r['rps'] / bare:>11.0%} |" if bare else "")
        )
    return "\n".join(lines)


def compare(by_settings: dict[str, list[dict]]) -> str:
    """Throughput of each settings module side by side, and the ratio of the first to the others."""
    names = list(by_settings)
    head = f"| {'endpoint':<46} | " + " | ".join(f"{n + ' req/s':>17}" for n in names)
    head += " | " + " | ".join(f"{names[0] + '/' + n:>20}" for n in names[1:]) + " |"
    lines = [head, "|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|"]
    first = by_settings[names[0]]
    for i, row in enumerate(first):
        values = [by_settings[n][i]["rps"] for n in names]
        ratios = [values[0] / v if v else 0 for v in values[1:]]
        lines.append(
            f"| {row['name']:<46} | "
            + " | ".join(f"{v:>17.0f}" for v in values)
            + " | "
            + " | ".join(f"{r:>19.2f}x" for r in ratios)
            + " |"
        )
    return "\n".join(lines)


def median_rows(tables: list[list[dict]]) -> list[dict]:
    """Each endpoint's row of the round with the median throughput (a real run's figures together,
    not medians mixed from different rounds)."""
    rows = []
    for same in zip(*tables, strict=True):
        ranked = sorted(same, key=lambda r: r["rps"])
        rows.append(ranked[(len(ranked) - 1) // 2])
    return rows


def spread(rounds: dict[str, list[list[dict]]]) -> str:
    """Per endpoint, the first module's throughput over each other's in every round (the rounds
    pair up in the order they ran), as min-median-max: a ratio whose range stays above 1 is a
    difference, one that straddles 1 is noise."""
    names = list(rounds)
    head = f"| {'endpoint':<46} | " + " | ".join(f"{names[0] + '/' + n + ' min-median-max':>32}" for n in names[1:])
    lines = [head + " |", "|" + "|".join("-" * len(c) for c in (head + " |").split("|")[1:-1]) + "|"]
    first = rounds[names[0]]
    for i, row in enumerate(first[0]):
        cells = []
        for other in names[1:]:
            ratios = sorted(
                a[i]["rps"] / b[i]["rps"] if b[i]["rps"] else 0 for a, b in zip(first, rounds[other], strict=True)
            )
            cells.append(f"{ratios[0]:.2f} - {ratios[(len(ratios) - 1) // 2]:.2f} - {ratios[-1]:.2f}")
        lines.append(f"| {row['name']:<46} | " + " | ".join(f"{c:>32}" for c in cells) + " |")
    return "\n".join(lines)


SCENARIO_FILE = ROOT / ".bench-scenario.json"
DATA_VERSION = 2  # bumped when seed() changes what it builds: --reuse then builds anew


def data_set(args, env) -> dict:
    """Builds the data set, or with --reuse takes the one an earlier run with the same scale left."""
    from django.core.cache import cache

    key = {k: getattr(args, k) for k in ("courses", "categories", "students", "enrollments", "reviews", "questions")}
    key.update(scales=args.scales, storm=args.storm, database=env["DATABASE_URL"], version=DATA_VERSION)
    if args.reuse and SCENARIO_FILE.exists():
        saved = json.loads(SCENARIO_FILE.read_text())
        if saved.get("key") == key:
            django_setup()
            from quizzes.models import Attempt

            Attempt.objects.filter(quiz_id=saved["scenario"]["quiz"]).delete()  # the last storm's
            cache.clear()
            print("  reusing the data set of an earlier run")
            return saved["scenario"]
    SCENARIO_FILE.unlink(missing_ok=True)
    recreate_database(env["DATABASE_URL"])
    django_setup()
    cache.clear()
    started = time.monotonic()
    scenario = seed(args)
    print(f"  built in {time.monotonic() - started:.0f}s")
    SCENARIO_FILE.write_text(json.dumps({"key": key, "scenario": scenario}))
    return scenario


def django_setup() -> None:
    import django

    django.setup()


def endpoints_for(scenario: dict, tokens: dict) -> list[tuple[str, str, dict]]:
    student, instructor = tokens[scenario["student"]], tokens[scenario["instructor"]]
    course, quiz = scenario["course"], scenario["quiz"]
    return [
        ("/health/ (ceiling)", "/health/", {}),
        ("/health/ on a bare WSGI app (no Django)", "/health/", {"bare": True}),
        ("catalog list, cached", "/api/v1/courses/", {}),
        ("catalog list, conditional GET (304)", "/api/v1/courses/", {"conditional": True}),
        ("catalog list, uncached", "/api/v1/courses/", {"bust": True}),
        ("catalog filtered, uncached", "/api/v1/courses/?category=cat-3&level=beginner&max_price=60", {"bust": True}),
        ("catalog searched, uncached", "/api/v1/courses/?search=python", {"bust": True}),
        ("catalog page 200, uncached", "/api/v1/courses/?page=200", {"bust": True}),
        ("catalog by rating, uncached", "/api/v1/courses/?ordering=-average_rating", {"bust": True}),
        ("course detail, cached (anonymous)", f"/api/v1/courses/{course}/", {}),
        ("course detail, conditional GET (304)", f"/api/v1/courses/{course}/", {"conditional": True}),
        ("course detail, enrolled student", f"/api/v1/courses/{course}/", {"token": student}),
        ("my enrollments", "/api/v1/me/enrollments/", {"token": student}),
        ("student dashboard", "/api/v1/dashboard/student/", {"token": student}),
        ("instructor dashboard", "/api/v1/dashboard/instructor/", {"token": instructor}),
        ("instructor's courses", "/api/v1/instructor/courses/", {"token": instructor}),
        (
            "quiz start (returns the open attempt)",
            f"/api/v1/quizzes/{quiz}/attempts/",
            {"token": student, "method": "POST"},
        ),
        ("forum thread list", f"/api/v1/courses/{course}/forum/posts/", {"token": student}),
        ("notifications unread count", "/api/v1/notifications/unread-count/", {"token": student}),
    ]


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")
    modules = [m for m in args.settings.split(",") if m]
    env = server_env(args, modules[0])
    os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.production"
    step(f"data set on {env['DATABASE_URL']}")
    scenario = data_set(args, env)
    from django.core.cache import cache

    tokens = tokens_for([scenario["student"], scenario["instructor"], scenario["admin"], *scenario["storm"]])
    wanted = [w for w in args.only.split("|") if w]
    endpoints = [e for e in endpoints_for(scenario, tokens) if not wanted or any(w in e[0] for w in wanted)]
    step("SQL queries per request (in-process)")
    sql = {}
    for name, path, opts in endpoints:
        if opts.get("bare"):
            continue
        measured = path + ("&" if "?" in path else "?") + "nocache=sql" if opts.get("bust") else path
        sql[name] = queries_per_request(measured, token=opts.get("token", ""), method=opts.get("method", "GET"))
        print(f"  {name:<46} {sql[name]}")
    cache.clear()
    rounds: dict[str, list[list[dict]]] = {module: [] for module in modules}
    extra: dict = {}
    for n in range(args.rounds):
        # Alternate the order (a, b, b, a, ...) so that a drift of the machine during the run falls on both.
        for module in modules if n % 2 == 0 else modules[::-1]:
            round_name = f", round {n + 1} of {args.rounds}" if args.rounds > 1 else ""
            step(f"load ({module} settings{round_name}): wrk, {args.connections} connections, {args.duration}s each")
            stack_env = server_env(args, module)
            cache.clear()
            label = f"{module}-{args.label}" if args.label else module
            rounds[module].append(measure_table(args, stack_env, endpoints, sql, label if n == 0 else ""))
            cache.clear()
    extra = after_table(args, server_env(args, modules[0]), scenario, tokens)
    results = {module: median_rows(tables) for module, tables in rounds.items()}
    step("results" + (f" (medians of {args.rounds} rounds)" if args.rounds > 1 else ""))
    for module, rows in results.items():
        ceiling = next((r["rps"] for r in rows if r["name"] == "/health/ (ceiling)"), None) or rows[0]["rps"]
        bare = next((r["rps"] for r in rows if r["name"].startswith("/health/ on a bare")), None)
        print(f"\n{module} settings:\n" + table(rows, ceiling, bare))
    if len(results) > 1:
        print("\n" + compare(results))
        if args.rounds > 1:
            print("\n" + spread(rounds))
    for size, result in extra.get("curve", []):
        print(f"  catalog at {size:>8,} courses: p50 {result['p50_ms']:.1f} ms, {result['rps']:.0f} req/s")
    if extra.get("storm"):
        print(extra["storm"])
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "rounds": rounds, **extra}, indent=1, default=str))
    if extra.get("once") is False:
        sys.exit(1)


def measure_table(args, env, endpoints, sql, label: str) -> list[dict]:
    stack = start_stack(args, env)
    rows = []
    try:
        for name, path, opts in endpoints:
            port = args.port + BARE_PORT_OFFSET if opts.get("bare") else args.port
            token, method = opts.get("token", ""), opts.get("method", "GET")
            header = ""
            if opts.get("conditional"):
                etag = etag_of(port, path, token)
                if not etag:
                    print(f"  {name:<46} (no ETag: skipped)")
                    continue
                header = f"If-None-Match: {etag}"
            if method != "POST" and not opts.get("bust"):
                wrk(args, path, token=token, header=header, duration=1, port=port)  # warm cache and connections
            spy = profiled(args, stack, name, label)
            result = wrk(args, path, token=token, method=method, bust=opts.get("bust", False), header=header, port=port)
            if spy is not None:
                spy.wait(timeout=args.duration + 60)
            rows.append({"name": name, "sql": sql.get(name, 0), **result})
            print(f"  {name:<46} {result['rps']:>8.0f} req/s  p99 {result['p99_ms']:.1f} ms", flush=True)
    finally:
        stop(stack)
    return rows


def after_table(args, env, scenario, tokens) -> dict:
    """The catalog size curve and the quiz storm, on the first settings module's stack."""
    extra: dict = {}
    if args.no_curve and args.no_storm:
        return extra
    stack = start_stack(args, env)
    try:
        from django.db import connection

        if not args.no_curve:
            step("catalog latency against catalog size (uncached list, published courses)")
            curve = []
            for size in args.scales:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE courses_course SET status = CASE WHEN id <= %s THEN 'published' ELSE 'draft' END",
                        [size],
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
                cursor.execute("ANALYZE courses_course")
            extra["curve"] = curve
        if not args.no_storm:
            extra.update(storm(args, scenario, tokens))
    finally:
        stop(stack)
    return extra


def storm(args, scenario, tokens) -> dict:
    step(f"quiz storm: {args.storm} students over {args.storm_seconds}s" + (" (pinned)" if args.pin else ""))
    quiz = scenario["quiz"]
    cmd = [sys.executable, str(ROOT / "bench" / "quiz_storm.py"), f"http://127.0.0.1:{args.port}", str(quiz)]
    cmd.append(str(args.storm_seconds))
    if args.pin:
        cmd = ["taskset", "-c", "0", *cmd]
    result = subprocess.run(
        cmd,
        input=json.dumps([tokens[pk] for pk in scenario["storm"]]),
        capture_output=True,
        text=True,
        timeout=args.storm_seconds + 600,
    )
    report = result.stdout.strip() or result.stderr[-2000:]
    print(report)
    from quizzes.models import Attempt, AttemptAnswer

    attempts = Attempt.objects.filter(quiz_id=quiz, student_id__in=scenario["storm"])
    graded = attempts.filter(submitted_at__isnull=False).count()
    answers = AttemptAnswer.objects.filter(attempt__in=attempts).count()
    once = graded == args.storm and answers == args.storm * args.questions and attempts.count() == args.storm
    verdict = (
        f"  attempts: {attempts.count()}, graded: {graded}, graded answers: {answers} "
        f"({'every attempt graded once' if once else 'MISMATCH'})"
    )
    print(verdict)
    return {"storm": report + "\n" + verdict, "once": once}


if __name__ == "__main__":
    main()
