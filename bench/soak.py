"""Soak test: a steady, open-loop stream of mixed traffic from many signed-in students against the
production stack for a long time (10 minutes by default), to show that nothing fails, latency does
not drift and the server's memory does not grow.

    .venv/bin/python bench/soak.py                        # start a stack of its own, 10 minutes
    .venv/bin/python bench/soak.py --duration 30          # the short smoke run
    .venv/bin/python bench/soak.py --url http://127.0.0.1:8000 --run-dir .run   # a running stack

Without --url it starts scripts/prod-stack.sh (gunicorn + Celery worker + beat, production settings)
on a fresh database (SOAK_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/lms_soak, dropped
and created) and Redis database 12 (SOAK_REDIS_URL; emptied), creates the students in the database
directly (one password hash for all: 200 sign-ups would cost minutes of PBKDF2) and mints their JWTs,
then stops the stack at the end. With --url it signs the students up through the API (the target
needs THROTTLE_AUTH raised, e.g. `THROTTLE_AUTH=100000/min scripts/prod-stack.sh start`) and reads
the server's memory from the pid files in --run-dir when they are there.

Open loop: requests are scheduled at exactly --rate per second whatever the server does, and each
latency is measured from its scheduled time, so a slow server shows up as latency (and a backlog),
never as a quietly lower rate. The mix (see MIX) is catalog, course detail, lessons and completion,
progress, forum reads and posts, comments, quiz attempts (start + submit), notifications,
enrollments and the dashboard. Every answer must have its expected status: any other status or a
transport error counts as an error, and the exit status is 1 if there was any."""

import argparse
import base64
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lms_soak"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
PASSWORD = "soak-pass-123-Xy"

# Operation name -> weight. Each operation is one request except "quiz attempt" (start + submit).
MIX = {
    "catalog (anonymous)": 4,
    "catalog": 12,
    "catalog search": 5,
    "course detail": 12,
    "lesson": 10,
    "lesson complete": 6,
    "progress": 7,
    "forum threads": 9,
    "forum thread": 5,
    "forum post": 2,
    "forum comment": 3,
    "forum upvote": 2,
    "quiz attempt": 4,
    "notifications": 6,
    "unread count": 6,
    "my enrollments": 4,
    "student dashboard": 3,
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=600, help="seconds of traffic (600)")
    p.add_argument("--rate", type=float, default=40, help="requests scheduled per second (40)")
    p.add_argument("--students", type=int, default=200, help="signed-in students sending traffic (200)")
    p.add_argument("--courses", type=int, default=3, help="free courses they study (3)")
    p.add_argument("--concurrency", type=int, default=64, help="client threads; the backlog beyond waits (64)")
    p.add_argument("--url", help="soak a running stack instead of starting one")
    p.add_argument("--run-dir", help="prod-stack.sh RUN_DIR of a running stack, for its pids (memory)")
    p.add_argument("--port", type=int, default=8150, help="port of the stack it starts (8150)")
    p.add_argument("--sample-every", type=float, default=30, help="seconds between memory samples (30)")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument("--seed", type=int, default=12)
    return p.parse_args()


def say(message: str) -> None:
    print(message, flush=True)


# --- the stack ---------------------------------------------------------------------------------
class OwnStack:
    """scripts/prod-stack.sh on a fresh database, in RUN_DIR .run/soak."""

    def __init__(self, args):
        self.run_dir = ROOT / ".run" / "soak"
        self.env = dict(os.environ)
        self.env.update(
            RUN_DIR=str(self.run_dir),
            HOST="127.0.0.1",
            PORT=str(args.port),
            DATABASE_URL=os.environ.get("SOAK_DATABASE_URL", DEFAULT_DB),
            REDIS_URL=os.environ.get("SOAK_REDIS_URL", DEFAULT_REDIS),
            SECRET_KEY=secrets.token_urlsafe(50),
            LOG_LEVEL="WARNING",
            SEED_DEMO="1",  # a catalog of a few dozen courses around the soak's own
            # Tokens outlive the run; sign-ups and anonymous reads all come from one address.
            JWT_ACCESS_MINUTES=str(int(args.duration / 60) + 60),
            THROTTLE_AUTH="100000/min",
            THROTTLE_ANON="100000/min",
        )
        self.url = f"http://127.0.0.1:{args.port}"

    def start(self) -> None:
        import psycopg
        import redis

        db = self.env["DATABASE_URL"]
        name = db.rsplit("/", 1)[1]
        with psycopg.connect(db.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        index = int(self.env["REDIS_URL"].rsplit("/", 1)[1] or 0)
        if index <= 8:
            sys.exit("SOAK_REDIS_URL must name a Redis database above 8: it is emptied.")
        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()
        say(f"== starting the stack (scripts/prod-stack.sh, database {name}, {self.env['REDIS_URL']})")
        started = time.monotonic()
        out = subprocess.run(
            ["bash", str(ROOT / "scripts" / "prod-stack.sh"), "start"],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            self.stop()  # whatever did start
            sys.exit(f"the stack did not start:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
        say(f"  up in {time.monotonic() - started:.0f}s at {self.url}")

    def stop(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts" / "prod-stack.sh"), "stop"], env=self.env, cwd=ROOT)

    def django(self):
        """Django configured like the stack (same database, same SECRET_KEY), in this process."""
        for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "JWT_ACCESS_MINUTES"):
            os.environ[key] = self.env[key]
        os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.production"
        import django

        django.setup()


# --- memory ------------------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    tree = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree[ppid].append(int(entry))
    return tree


def _kib(pid: int, field: str, source: str = "status") -> int:
    try:
        with open(f"/proc/{pid}/{source}") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(run_dir: Path | None) -> dict | None:
    """RSS (and PSS, which counts pages shared after fork once) of each process of the stack, MiB."""
    if run_dir is None:
        return None
    tree = _children()
    result = {}
    for name in ("web", "worker", "beat"):
        try:
            pid = int((run_dir / f"{name}.pid").read_text().strip())
        except (OSError, ValueError):
            continue
        if not os.path.exists(f"/proc/{pid}"):
            continue
        kids = tree.get(pid, [])
        result[name] = {
            "main_rss": _kib(pid, "VmRSS") / 1024,
            "children": len(kids),
            "children_rss": sum(_kib(k, "VmRSS") for k in kids) / 1024,
            "pss": sum(_kib(p, "Pss", "smaps_rollup") for p in [pid, *kids]) / 1024,
        }
        result[name]["total_rss"] = result[name]["main_rss"] + result[name]["children_rss"]
    return result or None


def memory_line(sample: dict | None) -> str:
    if not sample:
        return "n/a (no pid files: pass --run-dir)"
    parts = []
    for name, label, kids in (
        ("web", "gunicorn", "workers"),
        ("worker", "celery worker", "pool"),
        ("beat", "beat", ""),
    ):
        m = sample.get(name)
        if not m:
            continue
        if m["children"]:
            parts.append(
                f"{label} {m['total_rss']:.0f} MiB (main {m['main_rss']:.0f} + {m['children']} {kids} "
                f"{m['children_rss']:.0f}; PSS {m['pss']:.0f})"
            )
        else:
            parts.append(f"{label} {m['total_rss']:.0f} MiB")
    return "; ".join(parts)


# --- clients -----------------------------------------------------------------------------------
class Student:
    def __init__(self, pk: int, access: str, refresh: str):
        self.pk, self.access, self.refresh = pk, access, refresh
        self.courses: list[int] = []
        self.lock = threading.Lock()  # one quiz attempt at a time per student
        self.token_lock = threading.Lock()

    def expires_at(self) -> float:
        payload = self.access.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"]


class Http:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def request(self, method: str, path: str, *, token: str = "", body=None, timeout: float = 60):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.session().request(method, self.base + path, json=body, headers=headers, timeout=timeout)

    def expect(self, method: str, path: str, statuses=(200,), **kw):
        response = self.request(method, path, **kw)
        if response.status_code not in statuses:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else None


# --- the data the traffic needs -------------------------------------------------------------------
def build_content(http: Http, args) -> dict:
    """An instructor (signed up through the API) builds --courses free courses with lessons and a
    quiz each; the answers are kept so students can pass."""
    tag = secrets.token_hex(4)
    data = http.expect(
        "POST",
        "/api/v1/auth/instructors/register/",
        (201,),
        body={
            "email": f"soak-instructor-{tag}@example.com",
            "password": PASSWORD,
            "first_name": "Soak",
            "last_name": "Instructor",
            "headline": "Soak",
            "bio": "",
            "expertise": "",
        },
    )
    token = data["access"]
    courses = {}
    for n in range(args.courses):
        course = http.expect(
            "POST",
            "/api/v1/courses/",
            (201,),
            token=token,
            body={"title": f"Soak course {n} {tag}", "description": "Soak test content. " * 20, "price": "0.00"},
        )
        section = http.expect(
            "POST", f"/api/v1/courses/{course['id']}/sections/", (201,), token=token, body={"title": "Part 1"}
        )
        lessons = []
        for k in range(5):
            lesson = http.expect(
                "POST",
                f"/api/v1/sections/{section['id']}/lessons/",
                (201,),
                token=token,
                body={"title": f"Lesson {k}", "content": "Lesson text. " * 200, "duration_seconds": 300},
            )
            lessons.append(lesson["id"])
        quiz = http.expect(
            "POST",
            f"/api/v1/courses/{course['id']}/quizzes/",
            (201,),
            token=token,
            body={"title": "Check", "passing_score": 50, "max_attempts": None, "time_limit_seconds": None},
        )
        answers = {}
        for q in range(4):
            question = http.expect(
                "POST",
                f"/api/v1/quizzes/{quiz['id']}/questions/",
                (201,),
                token=token,
                body={
                    "type": "single_choice",
                    "text": f"Question {q}?",
                    "choices": [{"text": "Right", "is_correct": True}, {"text": "Wrong", "is_correct": False}],
                },
            )
            answers[question["id"]] = next(c["id"] for c in question["choices"] if c["is_correct"])
        http.expect("POST", f"/api/v1/courses/{course['id']}/publish/", token=token)
        courses[course["id"]] = {"lessons": lessons, "quiz": quiz["id"], "answers": answers, "posts": []}
    return courses


def students_in_database(n: int) -> list[Student]:
    """Creates n students with one shared password hash and mints their tokens (own stack only)."""
    from django.contrib.auth.hashers import make_password
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import Role, User

    tag = secrets.token_hex(4)
    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(email=f"soak-{tag}-{i}@example.com", first_name="Soak", last_name=f"Student {i}", password=hashed)
            for i in range(n)
        ]
    )
    assert all(u.role == Role.STUDENT for u in users)
    students = []
    for user in users:
        refresh = RefreshToken.for_user(user)
        students.append(Student(user.pk, str(refresh.access_token), str(refresh)))
    return students


def students_through_api(http: Http, n: int) -> list[Student]:
    tag = secrets.token_hex(4)

    def register(i: int) -> Student:
        data = http.expect(
            "POST",
            "/api/v1/auth/register/",
            (201,),
            body={
                "email": f"soak-{tag}-{i}@example.com",
                "password": PASSWORD,
                "first_name": "Soak",
                "last_name": f"Student {i}",
            },
        )
        return Student(data["user"]["id"], data["access"], data["refresh"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(register, range(n)))


def enroll_everyone(http: Http, students: list[Student], courses: dict) -> None:
    """Each student enrolls in two courses (one when there is only one); the first few open a
    forum thread in each course so there is something to read and answer."""
    ids = list(courses)

    def enroll(student: Student) -> None:
        picks = random.Random(student.pk).sample(ids, min(2, len(ids)))
        for course in picks:
            http.expect("POST", f"/api/v1/courses/{course}/enroll/", (201,), token=student.access)
            student.courses.append(course)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(enroll, students))
    for course, info in courses.items():
        authors = [s for s in students if course in s.courses][:5]
        for k, author in enumerate(authors):
            post = http.expect(
                "POST",
                f"/api/v1/courses/{course}/forum/posts/",
                (201,),
                token=author.access,
                body={"title": f"Seed thread {k}", "body": "What do you think about this lesson?"},
            )
            info["posts"].append(post["id"])


# --- the traffic -------------------------------------------------------------------------------
class Soak:
    def __init__(self, http: Http, students: list[Student], courses: dict, args):
        self.http, self.students, self.courses, self.args = http, students, courses, args
        self.latencies: dict[str, list[float]] = defaultdict(list)  # ms, from the scheduled time
        self.service: dict[str, list[float]] = defaultdict(list)  # ms, from when it was sent
        self.errors: Counter = Counter()
        self.error_samples: list[str] = []
        self.refreshes = 0
        self.lock = threading.Lock()
        self.names = list(MIX)
        self.weights = [MIX[n] for n in self.names]

    # one request, timed; raises nothing
    def call(self, op: str, scheduled: float, method: str, path: str, *, token="", body=None, ok=(200,)):
        sent = time.monotonic()
        try:
            response = self.http.request(method, path, token=token, body=body)
            status = response.status_code
            payload = response.json() if status in ok and response.content else None
        except (requests.RequestException, ValueError) as exc:
            status, payload, response = type(exc).__name__, None, None
        done = time.monotonic()
        with self.lock:
            self.latencies[op].append((done - scheduled) * 1000)
            self.service[op].append((done - sent) * 1000)
            if status not in ok:
                self.errors[(op, status)] += 1
                text = response.text[:200] if response is not None else ""
                sample = f"{op}: {method} {path.split('?')[0]} -> {status} {text}"
                if len(self.error_samples) < 20 and sample not in self.error_samples:
                    self.error_samples.append(sample)
        return payload if status in ok else None

    def token(self, student: Student) -> str:
        if student.expires_at() - time.time() > 60:
            return student.access
        with student.token_lock:
            if student.expires_at() - time.time() <= 60:
                data = self.http.expect("POST", "/api/v1/auth/token/refresh/", body={"refresh": student.refresh})
                student.access, student.refresh = data["access"], data["refresh"]
                with self.lock:
                    self.refreshes += 1
        return student.access

    def run_op(self, op: str, scheduled: float, rng: random.Random) -> None:
        student = rng.choice(self.students)
        try:
            token = self.token(student)
        except Exception as exc:  # a failed refresh is an error of the op it was for
            with self.lock:
                self.errors[(op, "token refresh")] += 1
                self.error_samples.append(f"{op}: token refresh failed: {exc}")
            return
        course = rng.choice(student.courses)
        info = self.courses[course]
        call = self.call
        if op == "catalog (anonymous)":
            ordering = rng.choice(["-created_at", "-enrollment_count", "price"])
            call(op, scheduled, "GET", f"/api/v1/courses/?ordering={ordering}&page_size={rng.choice([10, 20, 50])}")
        elif op == "catalog":
            ordering = rng.choice(["-created_at", "price", "-average_rating", "-enrollment_count"])
            call(op, scheduled, "GET", f"/api/v1/courses/?is_free=true&ordering={ordering}", token=token)
        elif op == "catalog search":
            call(
                op, scheduled, "GET", f"/api/v1/courses/?search={rng.choice(['soak', 'course', 'lesson'])}", token=token
            )
        elif op == "course detail":
            call(op, scheduled, "GET", f"/api/v1/courses/{course}/", token=token)
        elif op == "lesson":
            call(op, scheduled, "GET", f"/api/v1/lessons/{rng.choice(info['lessons'])}/", token=token)
        elif op == "lesson complete":
            call(op, scheduled, "POST", f"/api/v1/lessons/{rng.choice(info['lessons'])}/complete/", token=token)
        elif op == "progress":
            call(op, scheduled, "GET", f"/api/v1/courses/{course}/progress/", token=token)
        elif op == "forum threads":
            call(op, scheduled, "GET", f"/api/v1/courses/{course}/forum/posts/", token=token)
        elif op == "forum thread":
            post = rng.choice(info["posts"])
            call(op, scheduled, "GET", f"/api/v1/forum/posts/{post}/comments/", token=token)
        elif op == "forum post":
            body = {"title": f"Question {rng.randint(1, 10**6)}", "body": "How does this part work? " * 5}
            created = call(
                op, scheduled, "POST", f"/api/v1/courses/{course}/forum/posts/", token=token, body=body, ok=(201,)
            )
            if created:
                with self.lock:
                    info["posts"].append(created["id"])
        elif op == "forum comment":
            post = rng.choice(info["posts"])
            body = {"body": "Thanks, that helped. " * 3}
            call(op, scheduled, "POST", f"/api/v1/forum/posts/{post}/comments/", token=token, body=body, ok=(201,))
        elif op == "forum upvote":
            post = rng.choice(info["posts"])
            call(op, scheduled, "POST", f"/api/v1/forum/posts/{post}/upvote/", token=token)
        elif op == "quiz attempt":
            with student.lock:  # never two open attempts of one student racing each other
                attempt = call(
                    "quiz start",
                    scheduled,
                    "POST",
                    f"/api/v1/quizzes/{info['quiz']}/attempts/",
                    token=token,
                    ok=(200, 201),
                )
                if attempt:
                    answers = [
                        {"question": q["id"], "choice_ids": [info["answers"][q["id"]]]}
                        if rng.random() < 0.8
                        else {"question": q["id"], "choice_ids": []}
                        for q in attempt["questions"]
                    ]
                    call(
                        "quiz submit",
                        time.monotonic(),
                        "POST",
                        f"/api/v1/attempts/{attempt['id']}/submit/",
                        token=token,
                        body={"answers": answers},
                    )
        elif op == "notifications":
            call(op, scheduled, "GET", "/api/v1/notifications/", token=token)
        elif op == "unread count":
            call(op, scheduled, "GET", "/api/v1/notifications/unread-count/", token=token)
        elif op == "my enrollments":
            call(op, scheduled, "GET", "/api/v1/me/enrollments/", token=token)
        elif op == "student dashboard":
            call(op, scheduled, "GET", "/api/v1/dashboard/student/", token=token)

    def run(self, on_tick=None) -> float:
        total = int(self.args.duration * self.args.rate)
        interval = 1 / self.args.rate
        rng = random.Random(self.args.seed)
        plan = rng.choices(self.names, weights=self.weights, k=total)
        seeds = [rng.randrange(2**32) for _ in range(total)]
        pool = ThreadPoolExecutor(max_workers=self.args.concurrency, thread_name_prefix="soak")
        started = time.monotonic()
        next_tick = started + self.args.sample_every
        self.max_backlog = 0
        futures = []
        for i, op in enumerate(plan):
            scheduled = started + i * interval
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(self.run_op, op, scheduled, random.Random(seeds[i])))
            if i % 50 == 0:
                self.max_backlog = max(self.max_backlog, sum(1 for f in futures[-500:] if not f.done()))
            if on_tick and time.monotonic() >= next_tick:
                on_tick(time.monotonic() - started)
                next_tick += self.args.sample_every
        pool.shutdown(wait=True)
        return time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> int:
    args = parse_args()
    random.seed(args.seed)
    stack = None
    run_dir = Path(args.run_dir).resolve() if args.run_dir else None
    if args.url:
        url = args.url.rstrip("/")
    else:
        stack = OwnStack(args)
        stack.start()
        url, run_dir = stack.url, stack.run_dir
    http = Http(url)
    try:
        say(f"== setting up: {args.courses} courses, {args.students} students")
        started = time.monotonic()
        ready = http.request("GET", "/ready/")
        if ready.status_code != 200:
            sys.exit(f"{url}/ready/ answers {ready.status_code}: {ready.text[:300]}")
        courses = build_content(http, args)
        if stack:
            stack.django()
            students = students_in_database(args.students)
        else:
            students = students_through_api(http, args.students)
        enroll_everyone(http, students, courses)
        say(f"  ready in {time.monotonic() - started:.0f}s")

        soak = Soak(http, students, courses, args)
        total = int(args.duration * args.rate)
        mem_start = memory(run_dir)
        samples = [(0.0, mem_start)]
        say(f"== soak: {args.duration:.0f}s at {args.rate:g} req/s scheduled ({total:,} operations), {url}")
        say(f"  memory at start: {memory_line(mem_start)}")

        def tick(elapsed: float) -> None:
            sample = memory(run_dir)
            samples.append((elapsed, sample))
            with soak.lock:
                done = sum(len(v) for v in soak.latencies.values())
                errors = sum(soak.errors.values())
                recent = [x for v in soak.latencies.values() for x in v[-200:]]
            say(
                f"  [{elapsed:5.0f}s] {done:,} requests, {errors} errors, "
                f"p99 of recent {percentile(recent, 99):.0f} ms; {memory_line(sample)}"
            )

        elapsed = soak.run(on_tick=tick)
        mem_end = memory(run_dir)
        samples.append((elapsed, mem_end))
    finally:
        if stack:
            say("== stopping the stack")
            stack.stop()

    every = [x for v in soak.latencies.values() for x in v]
    service = [x for v in soak.service.values() for x in v]
    errors = sum(soak.errors.values())
    say("\n== results")
    say(
        f"  requests     {len(every):,} in {elapsed:.1f}s = {len(every) / elapsed:.1f} req/s "
        f"(operations scheduled: {total:,})"
    )
    say(f"  errors       {errors}" + ("" if not errors else f"  {dict(soak.errors)}"))
    say(
        f"  latency ms   p50 {percentile(every, 50):.1f}  p90 {percentile(every, 90):.1f}  "
        f"p99 {percentile(every, 99):.1f}  max {max(every, default=0):.1f}   (from the scheduled time; "
        f"service time p50 {percentile(service, 50):.1f}, p99 {percentile(service, 99):.1f})"
    )
    say(f"  backlog      at most {soak.max_backlog} operations waiting or running; token refreshes {soak.refreshes}")
    say(f"  memory start {memory_line(mem_start)}")
    say(f"  memory end   {memory_line(mem_end)}")
    say(f"\n  {'operation':<22} {'count':>7} {'errors':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    per_op = {}
    for op in sorted(soak.latencies, key=lambda o: -len(soak.latencies[o])):
        values = soak.latencies[op]
        op_errors = sum(n for (name, _), n in soak.errors.items() if name == op)
        per_op[op] = {
            "count": len(values),
            "errors": op_errors,
            **{f"p{q}": round(percentile(values, q), 1) for q in (50, 90, 99)},
            "max": round(max(values), 1),
        }
        r = per_op[op]
        say(
            f"  {op:<22} {r['count']:>7,} {op_errors:>6} "
            f"{r['p50']:>8.1f} {r['p90']:>8.1f} {r['p99']:>8.1f} {r['max']:>8.1f}"
        )
    for line in soak.error_samples:
        say(f"  ! {line}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps(
                {
                    "url": url,
                    "duration": elapsed,
                    "rate": args.rate,
                    "students": args.students,
                    "requests": len(every),
                    "errors": errors,
                    "latency_ms": {f"p{q}": percentile(every, q) for q in (50, 90, 99)}
                    | {"max": max(every, default=0)},
                    "operations": per_op,
                    "memory": [{"at": t, "processes": m} for t, m in samples],
                },
                indent=2,
            )
        )
    if errors:
        say(f"\nFAIL: {errors} errors")
        return 1
    say("\nPASS: no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
