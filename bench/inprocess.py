"""Per-request cost without the network or the other processes: every endpoint of bench/run.py
requested in-process (django.test.Client through the whole middleware stack) N times in a row, on
the data set bench/run.py left (run it once first), timing the wall clock and this process's CPU.

    .venv/bin/python bench/inprocess.py                       # production and local settings, 200 each
    .venv/bin/python bench/inprocess.py --settings production --requests 500

Each settings module runs in its own process (settings are read once); the table compares them.
The database and Redis are the same as bench/run.py's (DATABASE_URL, REDIS_URL)."""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402  (bench/run.py: the data set, the tokens and the endpoints)


def measure(requests: int) -> dict:
    """In the child process: the mean wall and CPU milliseconds per request of each endpoint."""
    run.django_setup()
    from django.core.cache import cache
    from django.test import Client

    cache.clear()  # the other settings module's run must not have filled the pages this one measures
    scenario = json.loads(run.SCENARIO_FILE.read_text())["scenario"]
    tokens = run.tokens_for([scenario["student"], scenario["instructor"], scenario["admin"]])
    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for name, path, opts in run.endpoints_for(scenario, tokens):
        if opts.get("bare") or opts.get("method") == "POST":
            continue
        headers = {"HTTP_AUTHORIZATION": f"Bearer {opts['token']}"} if opts.get("token") else {}
        first = client.get(path, **headers)
        if opts.get("conditional"):
            headers["HTTP_IF_NONE_MATCH"] = first.get("ETag", "")
        for _ in range(5):
            client.get(path, **headers)  # warm
        if opts.get("bust"):
            cache.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(requests):
            url = path + ("&" if "?" in path else "?") + f"nocache={n}" if opts.get("bust") else path
            status = client.get(url, **headers).status_code
        results[name] = {
            "wall_ms": (time.perf_counter() - wall) * 1000 / requests,
            "cpu_ms": (time.process_time() - cpu) * 1000 / requests,
            "status": status,
        }
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--settings", default="production,local")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return
    if not run.SCENARIO_FILE.exists():
        sys.exit("No data set: run bench/run.py first (it leaves .bench-scenario.json).")
    by_module = {}
    for module in args.settings.split(","):
        env = run.server_env(argparse.Namespace(), module)
        env["DJANGO_SETTINGS_MODULE"] = f"lms.settings.{module}"
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--requests", str(args.requests)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        by_module[module] = json.loads(out.stdout.strip().splitlines()[-1])
    modules = list(by_module)
    head = f"| {'endpoint':<46} | " + " | ".join(f"{m + ' ms (CPU)':>22}" for m in modules) + " |"
    print(head)
    print("|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|")
    for name in by_module[modules[0]]:
        cells = [f"{by_module[m][name]['wall_ms']:>9.2f} ({by_module[m][name]['cpu_ms']:>6.2f})" for m in modules]
        print(f"| {name:<46} | " + " | ".join(f"{c:>22}" for c in cells) + " |")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")
    main()
