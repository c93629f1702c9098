"""The quiz storm, run as its own process: N students (tokens on stdin, a JSON list) each start an
attempt, save answers twice and submit, their starts spread evenly over SECONDS.

    python bench/quiz_storm.py BASE_URL QUIZ_ID SECONDS < tokens.json

Prints requests, throughput, p50/p99 per step and errors."""

import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit


def main() -> None:
    base, quiz_id, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    tokens = json.loads(sys.stdin.read())
    host = urlsplit(base)
    local = threading.local()
    timings: dict[str, list[float]] = {"start": [], "save": [], "submit": []}
    errors: list[str] = []
    lock = threading.Lock()

    def call(method, path, token, body=None):
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        began = time.perf_counter()
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            local.conn = None
            raise
        return response.status, data, time.perf_counter() - began

    def student(index: int, token: str, at: float) -> None:
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            status, data, took = call("POST", f"/api/v1/quizzes/{quiz_id}/attempts/", token)
            record("start", status, took, data)
            attempt = json.loads(data)
            answers = [{"question": q["id"], "choice_ids": [q["choices"][0]["id"]]} for q in attempt["questions"]]
            half = len(answers) // 2
            for part in (answers[:half], answers[half:]):
                status, data, took = call("PATCH", f"/api/v1/attempts/{attempt['id']}/", token, {"answers": part})
                record("save", status, took, data)
            status, data, took = call("POST", f"/api/v1/attempts/{attempt['id']}/submit/", token, {"answers": []})
            record("submit", status, took, data)
        except Exception as exc:
            with lock:
                errors.append(f"student {index}: {exc.__class__.__name__}: {exc}")

    def record(step: str, status: int, took: float, data: bytes) -> None:
        with lock:
            timings[step].append(took)
            if status >= 300:
                errors.append(f"{step}: HTTP {status} {data[:200]!r}")
        if status >= 300:
            raise RuntimeError(f"{step} answered {status}")

    began = time.monotonic()
    spacing = seconds / max(len(tokens), 1)
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i, token in enumerate(tokens):
            pool.submit(student, i, token, began + i * spacing)
    elapsed = time.monotonic() - began
    every = sorted(t for values in timings.values() for t in values)

    def pct(values, p):
        values = sorted(values)
        return 1000 * values[min(len(values) - 1, int(len(values) * p))] if values else 0.0

    print(
        f"  {len(every)} requests in {elapsed:.1f}s: {len(every) / elapsed:.1f} req/s, "
        f"p50 {pct(every, 0.5):.1f} ms, p99 {pct(every, 0.99):.1f} ms, errors {len(errors)}"
    )
    for step, values in timings.items():
        print(f"    {step:<7} n={len(values):<6} p50 {pct(values, 0.5):6.1f} ms  p99 {pct(values, 0.99):6.1f} ms")
    for error in errors[:10]:
        print(f"    error: {error}")


if __name__ == "__main__":
    main()
