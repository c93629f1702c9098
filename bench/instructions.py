"""Instructions per request under each settings module, counted by valgrind's callgrind: a figure
that does not move with the machine's load, for differences too small for wrk to resolve (production
against development on `/health/`, bench/README.md "Third pass").

    python bench/instructions.py                       # /health/, in-process and under gunicorn
    python bench/instructions.py --settings production,local --path /health/ --requests 1000

For each settings module it runs the app under callgrind twice, with WARM and WARM + N anonymous GETs
of the path, and reports (second total - first total) / N: start-up, imports and the first requests'
one-time work cancel out. In-process, Django's WSGI handler is called directly; under gunicorn
(`gunicorn.conf.py`, one worker), the requests come from this process over loopback, one connection
each, and the worker's count is taken. All runs go in parallel (callgrind counts do not depend on it);
expect a few minutes. Needs valgrind (`apt-get install valgrind`)."""

import argparse
import glob
import http.client
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM = 200


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--settings", default="production,local", help="settings modules of lms.settings, comma-separated")
    p.add_argument("--path", default="/health/", help="an anonymous GET (no query needed for /health/)")
    p.add_argument("--requests", type=int, default=1000, help="requests counted (after the warm-up)")
    p.add_argument("--only", choices=["inprocess", "gunicorn"], default=None, help="one of the two ways only")
    p.add_argument("--port", type=int, default=8865)
    p.add_argument("--child", nargs=3, metavar=("SETTINGS", "COUNT", "PATH"), help=argparse.SUPPRESS)
    return p.parse_args()


def environment(settings: str) -> dict:
    from run import server_env  # the benchmark's own server environment

    env = server_env(None, settings)
    env.update(PYTHONHASHSEED="0", GUNICORN_WORKERS="1", PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'bench'}")
    return env


def child(settings: str, count: int, path: str) -> None:
    """Inside callgrind: `count` GETs of `path` through Django's WSGI handler."""
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    base = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "bench",
        "HTTP_ACCEPT": "*/*",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    statuses = set()
    for _ in range(count):
        body = app({**base, "wsgi.input": io.BytesIO(b"")}, lambda status, headers, exc_info=None: statuses.add(status))
        b"".join(body)
        body.close()
    if statuses - {"200 OK"}:
        sys.exit(f"{path} answered {statuses}")


def total(out_file: str) -> int:
    with open(out_file) as lines:
        for line in lines:
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError(f"no summary in {out_file}")


def callgrind(out: str, command: list[str], env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command], env=env, cwd=ROOT, **kwargs
    )


def inprocess_run(work: str, settings: str, count: int, path: str) -> tuple[subprocess.Popen, str]:
    out = f"{work}/inprocess-{settings}-{count}.out"
    command = [sys.executable, __file__, "--child", settings, str(count), path]
    return callgrind(out, command, environment(settings), stderr=subprocess.DEVNULL), out


def gunicorn_run(work: str, settings: str, count: int, path: str, port: int) -> int:
    """gunicorn under callgrind (children traced: the worker is a fork), `count` requests, then a
    graceful stop; the worker's total (the larger of the two processes' counts)."""
    log_path = f"{work}/gunicorn-{settings}-{count}.log"
    with open(log_path, "w") as log:
        command = [sys.executable, "-m", "gunicorn", "lms.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py")]
        command += ["--bind", f"127.0.0.1:{port}", "--graceful-timeout", "900"]
        out = f"--callgrind-out-file={work}/g-{port}-%p.out"
        valgrind = ["valgrind", "--tool=callgrind", "--trace-children=yes", out]
        server = subprocess.Popen(
            [*valgrind, *command],
            env=environment(settings),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    while "Listening at" not in Path(log_path).read_text():  # requests wait in the backlog until the worker is up
        if server.poll() is not None:
            sys.exit(f"gunicorn did not start under callgrind: {log_path}")
        time.sleep(0.5)
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        connection.request("GET", path, headers={"User-Agent": "bench", "Accept": "*/*"})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            sys.exit(f"{path} answered {response.status} under gunicorn")
    server.send_signal(signal.SIGTERM)
    server.wait()
    return max(total(f) for f in glob.glob(f"{work}/g-{port}-*.out"))


def main() -> None:
    args = parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is needed: apt-get install valgrind")
    sys.path.insert(0, str(ROOT / "bench"))
    modules = [m for m in args.settings.split(",") if m]
    counts = (WARM, WARM + args.requests)
    work = tempfile.mkdtemp(prefix="bench-instructions-")
    print(f"callgrind: {args.path}, {args.requests} requests after {WARM}, settings {', '.join(modules)}", flush=True)
    results: dict[tuple[str, str], float] = {}
    started = []
    if args.only in (None, "inprocess"):
        started = [(m, n, *inprocess_run(work, m, n, args.path)) for m in modules for n in counts]
    if args.only in (None, "gunicorn"):
        from concurrent.futures import ThreadPoolExecutor

        jobs = [(m, n) for m in modules for n in counts]
        with ThreadPoolExecutor(len(jobs)) as pool:
            totals = list(pool.map(lambda job: gunicorn_run(work, *job, args.path, args.port + jobs.index(job)), jobs))
        found = dict(zip(jobs, totals, strict=True))
        for m in modules:
            results[("gunicorn", m)] = (found[(m, counts[1])] - found[(m, counts[0])]) / args.requests
    for m, _count, process, _out in started:
        if process.wait() != 0:
            sys.exit(f"the in-process run of {m} failed")
    for m in modules:
        if started:
            results[("in-process", m)] = (
                total(f"{work}/inprocess-{m}-{counts[1]}.out") - total(f"{work}/inprocess-{m}-{counts[0]}.out")
            ) / args.requests
    print(f"\n| {'where':<10} | {'settings':<12} | {'instructions per request':>24} | {'vs ' + modules[0]:>16} |")
    print(f"|{'-' * 12}|{'-' * 14}|{'-' * 26}|{'-' * 18}|")
    for way in ("in-process", "gunicorn"):
        first = results.get((way, modules[0]))
        for m in modules:
            if (way, m) in results:
                value = results[(way, m)]
                print(f"| {way:<10} | {m:<12} | {value:>24,.0f} | {value / first:>16.4f} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
