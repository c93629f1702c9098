"""A student's whole journey over real HTTP, against a running stack (scripts/prod-stack.sh, compose, a
staging deployment). Standard library only, so it runs anywhere Python 3.11 does.

    python scripts/smoke_journey.py http://127.0.0.1:8000
    python scripts/smoke_journey.py https://staging.example.com --timeout 120

It needs nothing seeded: it signs up an instructor who builds a small free course (two lessons and a
required quiz whose answers it knows) and publishes it; then a new student signs up, logs in, finds
the course in the catalog, enrolls, completes the lessons, passes the quiz, asks for the
certificate, waits for the background worker to issue it, downloads the PDF and verifies it
anonymously. Every step prints its time; the first failing step stops the run with exit status 1
and says what was expected and what came back. Sign-ups and the login count against the auth
throttle (THROTTLE_AUTH, 120/min per address by default): three requests per run."""

import argparse
import json
import random
import string
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


class StepFailed(Exception):
    pass


class Response:
    def __init__(self, status: int, headers, body: bytes, method: str, url: str):
        self.status, self.headers, self.body, self.method, self.url = status, headers, body, method, url

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise StepFailed(f"{self.method} {self.url}: expected JSON, got {self.body[:300]!r}") from exc

    def describe(self) -> str:
        return f"{self.method} {self.url} -> {self.status}: {self.body[:600].decode('utf-8', 'replace')}"


class Client:
    def __init__(self, base: str, timeout: float):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.requests = 0

    def call(self, method: str, path: str, *, token: str = "", body=None, expect=(200,)) -> Response:
        url = path if path.startswith("http") else self.base + path
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json", "User-Agent": "lms-smoke-journey/1"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                response = Response(answer.status, answer.headers, answer.read(), method, url)
        except urllib.error.HTTPError as answer:
            response = Response(answer.code, answer.headers, answer.read(), method, url)
        except (urllib.error.URLError, OSError) as exc:
            raise StepFailed(f"{method} {url}: no answer ({exc})") from exc
        if expect and response.status not in expect:
            hint = " (auth throttle: wait a minute or raise THROTTLE_AUTH)" if response.status == 429 else ""
            raise StepFailed(f"expected HTTP {'/'.join(map(str, expect))}{hint}; {response.describe()}")
        return response


class Journey:
    def __init__(self, client: Client, *, certificate_timeout: float):
        self.http = client
        self.certificate_timeout = certificate_timeout
        self.stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
        # A word found in no other course, to search the catalog for (letters only: one search token).
        self.tag = "smoke" + "".join(random.choices(string.ascii_lowercase, k=8))
        self.password = f"Smoke-{uuid.uuid4().hex}"
        self.n = 0
        self.started = time.monotonic()

    def step(self, title: str, fn):
        self.n += 1
        began = time.monotonic()
        print(f"[{self.n:2d}] {title:<52} ", end="", flush=True)
        try:
            detail = fn()
        except StepFailed as exc:
            print(f"FAIL ({time.monotonic() - began:.2f}s)", flush=True)
            raise StepFailed(f"step {self.n} ({title}) failed: {exc}") from None
        print(f"ok {time.monotonic() - began:6.2f}s  {detail or ''}", flush=True)

    @staticmethod
    def check(condition, message: str) -> None:
        if not condition:
            raise StepFailed(message)

    # --- the steps -------------------------------------------------------------------------------
    def probes(self):
        health = self.http.call("GET", "/health/").json()
        ready = self.http.call("GET", "/ready/?detail=1").json()  # with the workers: every queue read
        self.check(ready.get("status") == "ok", f"/ready/ says {ready}")
        return f"health {health.get('status')}, ready {ready.get('checks')}"

    def instructor_builds_course(self):
        email = f"smoke-instructor-{self.stamp}@example.com"
        data = self.http.call(
            "POST",
            "/api/v1/auth/instructors/register/",
            body={
                "email": email,
                "password": self.password,
                "first_name": "Ines",
                "last_name": "Smoke",
                "headline": "Smoke-test instructor",
                "bio": "Builds a course for the smoke journey.",
                "expertise": "Testing",
            },
            expect=(201,),
        ).json()
        self.check(data.get("user", {}).get("role") == "instructor", f"instructor sign-up returned {data}")
        token = data["access"]
        self.course_title = f"Smoke journey course {self.tag}"
        course = self.http.call(
            "POST",
            "/api/v1/courses/",
            token=token,
            body={
                "title": self.course_title,
                "subtitle": "Built by scripts/smoke_journey.py",
                "description": "A free course that proves the whole stack works.",
                "level": "beginner",
                "language": "en",
                "price": "0.00",
                "currency": "USD",
            },
            expect=(201,),
        ).json()
        self.course_id = course["id"]
        section = self.http.call(
            "POST", f"/api/v1/courses/{self.course_id}/sections/", token=token, body={"title": "Part 1"}, expect=(201,)
        ).json()
        for n in (1, 2):
            self.http.call(
                "POST",
                f"/api/v1/sections/{section['id']}/lessons/",
                token=token,
                body={
                    "title": f"Lesson {n}",
                    "content": f"The content of lesson {n}.",
                    "duration_seconds": 60,
                    "is_preview": n == 1,
                },
                expect=(201,),
            )
        quiz = self.http.call(
            "POST",
            f"/api/v1/courses/{self.course_id}/quizzes/",
            token=token,
            body={
                "title": "Final check",
                "passing_score": 70,
                "max_attempts": 3,
                "time_limit_seconds": 600,
                "show_correct_answers": "after_submit",
                "is_required": True,
            },
            expect=(201,),
        ).json()
        questions = [
            {
                "type": "single_choice",
                "text": "Which stack serves this API?",
                "choices": [
                    {"text": "Django", "is_correct": True},
                    {"text": "Rails", "is_correct": False},
                    {"text": "Laravel", "is_correct": False},
                ],
            },
            {
                "type": "multiple_choice",
                "text": "Which of these run in production?",
                "choices": [
                    {"text": "gunicorn", "is_correct": True},
                    {"text": "celery", "is_correct": True},
                    {"text": "runserver", "is_correct": False},
                ],
            },
            {
                "type": "true_false",
                "text": "Certificates are issued by a background worker.",
                "choices": [{"text": "True", "is_correct": True}, {"text": "False", "is_correct": False}],
            },
            {"type": "short_answer", "text": "Name the database.", "accepted_answers": ["PostgreSQL"]},
            {"type": "numeric", "text": "How many lessons has this course?", "numeric_answer": "2", "tolerance": "0"},
        ]
        # What the student will answer, by question text (attempts may shuffle the order).
        self.answers = {}
        for question in questions:
            self.http.call(
                "POST", f"/api/v1/quizzes/{quiz['id']}/questions/", token=token, body=question, expect=(201,)
            )
            if question["type"] == "short_answer":
                self.answers[question["text"]] = {"text": "  postgresql "}
            elif question["type"] == "numeric":
                self.answers[question["text"]] = {"number": "2"}
            else:
                self.answers[question["text"]] = {"texts": {c["text"] for c in question["choices"] if c["is_correct"]}}
        published = self.http.call("POST", f"/api/v1/courses/{self.course_id}/publish/", token=token).json()
        self.check(published.get("status") == "published", f"publish returned {published}")
        return f"course {self.course_id}: 2 lessons, quiz {quiz['id']} with {len(questions)} questions, published"

    def student_registers(self):
        self.email = f"smoke-student-{self.stamp}@example.com"
        data = self.http.call(
            "POST",
            "/api/v1/auth/register/",
            body={"email": self.email, "password": self.password, "first_name": "Sam", "last_name": "Smoke"},
            expect=(201,),
        ).json()
        self.check(data.get("user", {}).get("role") == "student", f"sign-up returned {data}")
        self.check(data.get("access") and data.get("refresh"), "sign-up returned no tokens")
        return f"{self.email} (user {data['user']['id']})"

    def student_logs_in(self):
        data = self.http.call(
            "POST", "/api/v1/auth/login/", body={"email": self.email.upper(), "password": self.password}
        ).json()
        self.check(data.get("access"), f"login returned {data}")
        self.token = data["access"]
        me = self.http.call("GET", "/api/v1/auth/me/", token=self.token).json()
        self.check(me.get("email") == self.email, f"/auth/me/ says {me}")
        return "access token ok, /auth/me/ ok"

    def browses_catalog(self):
        categories = self.http.call("GET", "/api/v1/categories/").json()
        catalog = self.http.call("GET", "/api/v1/courses/?is_free=true&ordering=-created_at&page_size=50").json()
        self.check("results" in catalog and "count" in catalog, f"catalog is not a paginated list: {catalog}")
        ids = [c["id"] for c in catalog["results"]]
        self.check(self.course_id in ids, f"course {self.course_id} is not in the newest free courses {ids}")
        query = urllib.parse.urlencode({"search": self.tag})
        found = self.http.call("GET", f"/api/v1/courses/?{query}").json()
        self.check(
            any(c["id"] == self.course_id for c in found["results"]),
            f"search for {self.tag!r} did not find the course: {[c['id'] for c in found['results']]}",
        )
        detail = self.http.call("GET", f"/api/v1/courses/{self.course_id}/", token=self.token).json()
        self.check(detail.get("price") == "0.00", f"course detail says price {detail.get('price')}")
        self.lessons = [lesson["id"] for section in detail.get("sections", []) for lesson in section["lessons"]]
        self.check(len(self.lessons) == 2, f"course detail lists lessons {self.lessons}")
        return f"{catalog['count']} free courses, {len(categories.get('results', categories))} categories, found it"

    def enrolls(self):
        self.http.call("POST", f"/api/v1/courses/{self.course_id}/enroll/", token=self.token, expect=(201,))
        again = self.http.call("POST", f"/api/v1/courses/{self.course_id}/enroll/", token=self.token, expect=(409,))
        mine = self.http.call("GET", "/api/v1/me/enrollments/", token=self.token).json()
        courses = [e["course"]["id"] if isinstance(e["course"], dict) else e["course"] for e in mine["results"]]
        self.check(self.course_id in courses, f"/me/enrollments/ lists {courses}")
        return f"201, then {again.status} on a second try; listed in /me/enrollments/"

    def completes_lessons(self):
        for lesson_id in self.lessons:
            lesson = self.http.call("GET", f"/api/v1/lessons/{lesson_id}/", token=self.token).json()
            self.check(lesson.get("content"), f"lesson {lesson_id} has no content for an enrolled student: {lesson}")
            self.http.call("POST", f"/api/v1/lessons/{lesson_id}/complete/", token=self.token, expect=(200, 201))
        progress = self.http.call("GET", f"/api/v1/courses/{self.course_id}/progress/", token=self.token).json()
        self.check(sorted(progress.get("completed_lessons", [])) == sorted(self.lessons), f"progress says {progress}")
        self.check(progress.get("completed_at") is None, "the course is complete before its quiz was passed")
        return f"{len(self.lessons)} lessons done, progress {progress['progress_percent']}%"

    def passes_quiz(self):
        quizzes = self.http.call("GET", f"/api/v1/courses/{self.course_id}/quizzes/", token=self.token).json()
        quizzes = quizzes.get("results", quizzes) if isinstance(quizzes, dict) else quizzes
        self.check(len(quizzes) == 1, f"the course lists quizzes {quizzes}")
        attempt = self.http.call(
            "POST", f"/api/v1/quizzes/{quizzes[0]['id']}/attempts/", token=self.token, expect=(201,)
        ).json()
        self.check(attempt.get("deadline"), f"the attempt has no deadline: {attempt}")
        answers = []
        for question in attempt["questions"]:
            self.check("is_correct" not in json.dumps(question), f"question {question['id']} leaks its answers")
            known = self.answers.get(question["text"])
            self.check(known is not None, f"unexpected question {question['text']!r}")
            answer = {"question": question["id"]}
            if "texts" in known:
                answer["choice_ids"] = [c["id"] for c in question["choices"] if c["text"] in known["texts"]]
            else:
                answer.update(known)
            answers.append(answer)
        result = self.http.call(
            "POST", f"/api/v1/attempts/{attempt['id']}/submit/", token=self.token, body={"answers": answers}
        ).json()
        self.check(result.get("passed") is True, f"the attempt did not pass: {result}")
        self.http.call(
            "POST", f"/api/v1/attempts/{attempt['id']}/submit/", token=self.token, body={"answers": []}, expect=(409,)
        )
        progress = self.http.call("GET", f"/api/v1/courses/{self.course_id}/progress/", token=self.token).json()
        self.check(progress.get("completed_at"), f"the course is not complete after the quiz: {progress}")
        return f"score {result.get('score')}/{result.get('max_score')} ({result.get('percent')}%), course complete"

    def gets_certificate(self):
        requested = self.http.call(
            "POST", "/api/v1/me/certificates/", token=self.token, body={"course": self.course_id}, expect=(200, 202)
        )
        deadline = time.monotonic() + self.certificate_timeout
        polls = 0
        while True:
            polls += 1
            mine = self.http.call("GET", "/api/v1/me/certificates/", token=self.token).json()
            mine = mine.get("results", mine) if isinstance(mine, dict) else mine
            ours = [c for c in mine if _course_id(c.get("course")) == self.course_id]
            if ours:
                self.certificate = ours[0]
                break
            if time.monotonic() > deadline:
                raise StepFailed(
                    f"no certificate after {self.certificate_timeout:.0f}s: is a Celery worker consuming the "
                    "'certificates' queue on the same broker?"
                )
            time.sleep(0.25)
        for field in ("id", "verification_code", "download_url", "verify_url"):
            self.check(self.certificate.get(field), f"the certificate has no {field}: {self.certificate}")
        code = self.certificate["verification_code"]
        return f"request {requested.status}, issued by the worker after {polls} polls: {code}"

    def downloads_pdf(self):
        path = f"/api/v1/certificates/{self.certificate['id']}/download/"
        anonymous = self.http.call("GET", path, expect=(401,))
        pdf = self.http.call("GET", path, token=self.token)
        kind = pdf.headers.get("Content-Type", "")
        self.check(kind.startswith("application/pdf"), f"Content-Type is {kind!r}")
        self.check(pdf.body.startswith(b"%PDF-"), f"the body does not start with %PDF-: {pdf.body[:20]!r}")
        self.check(b"%%EOF" in pdf.body[-1024:], "the PDF has no %%EOF trailer (truncated?)")
        disposition = pdf.headers.get("Content-Disposition", "")
        self.check("attachment" in disposition, f"Content-Disposition is {disposition!r}")
        return f"{len(pdf.body):,} bytes application/pdf (anonymous: {anonymous.status})"

    def verifies_publicly(self):
        code = self.certificate["verification_code"]
        data = self.http.call("GET", f"/api/v1/certificates/verify/{code}/").json()
        self.check(data.get("valid") is True, f"verify says {data}")
        self.check(data.get("course_title") == self.course_title, f"verify names course {data.get('course_title')!r}")
        self.check("Smoke" in (data.get("student_name") or ""), f"verify names student {data.get('student_name')!r}")
        self.http.call("GET", f"/api/v1/certificates/verify/{code[:-2]}xx/", expect=(404,))
        unread = self.http.call("GET", "/api/v1/notifications/unread-count/", token=self.token).json()
        return f"valid, {data.get('student_name')}; unknown code 404; {unread.get('count')} unread notifications"

    def run(self) -> None:
        print(f"Smoke journey against {self.http.base} (run {self.stamp})", flush=True)
        self.step("health and readiness", self.probes)
        self.step("instructor signs up, builds and publishes a course", self.instructor_builds_course)
        self.step("student signs up", self.student_registers)
        self.step("student logs in", self.student_logs_in)
        self.step("student browses the catalog and the course", self.browses_catalog)
        self.step("student enrolls in the free course", self.enrolls)
        self.step("student completes the lessons", self.completes_lessons)
        self.step("student takes and passes the quiz", self.passes_quiz)
        self.step("certificate requested and issued by the worker", self.gets_certificate)
        self.step("student downloads the PDF", self.downloads_pdf)
        self.step("anyone verifies the certificate", self.verifies_publicly)
        print(
            f"PASS: {self.n} steps, {self.http.requests} requests in {time.monotonic() - self.started:.2f}s",
            flush=True,
        )


def _course_id(value):
    return value.get("id") if isinstance(value, dict) else value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000", help="base URL of the stack")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for the certificate (60)")
    parser.add_argument("--request-timeout", type=float, default=30, help="seconds per HTTP request (30)")
    args = parser.parse_args()
    journey = Journey(Client(args.url, args.request_timeout), certificate_timeout=args.timeout)
    try:
        journey.run()
    except StepFailed as exc:
        print(f"FAIL: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
