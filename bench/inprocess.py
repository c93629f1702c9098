"""Per-request cost without the network or the other processes: every endpoint of bench/run.py
requested in-process (django.test.Client through the whole middleware stack) N times in a row, on
the data set bench/run.py left (run it once first), timing the wall clock and this process's CPU.

    .venv/bin/python bench/inprocess.py                       # production and local settings, 200 each
    .venv/bin/python bench/inprocess.py --settings production --requests 500

    .venv/bin/python bench/inprocess.py --rounds 5              # alternating, medians

Each settings module runs in its own process (settings are read once); the table compares them.
The database and Redis are the same as bench/run.py's (DATABASE_URL, REDIS_URL). Django's test
client keeps the database connection between requests whatever CONN_MAX_AGE says, so the cost of
connecting per request (development's default) shows only under bench/run.py."""

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


def _medians(runs: list[dict]) -> dict:
    """Per endpoint, the median wall and CPU milliseconds of the runs."""
    middle = (len(runs) - 1) // 2
    return {
        name: {key: sorted(r[name][key] for r in runs)[middle] for key in ("wall_ms", "cpu_ms")}
        for name in runs[0]
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--settings", default="production,local")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument(
        "--rounds", type=int, default=1, help="measure each module this many times, alternating; print medians"
    )
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return
    if not run.SCENARIO_FILE.exists():
        sys.exit("No data set: run bench/run.py first (it leaves .bench-scenario.json).")
    modules = args.settings.split(",")
    runs: dict[str, list[dict]] = {module: [] for module in modules}
    for n in range(args.rounds):
        for module in modules if n % 2 == 0 else modules[::-1]:  # a, b, b, a: drift falls on both
            env = run.server_env(argparse.Namespace(), module)
            env["DJANGO_SETTINGS_MODULE"] = f"lms.settings.{module}"
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--requests", str(args.requests)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            runs[module].append(json.loads(out.stdout.strip().splitlines()[-1]))
    by_module = {module: _medians(measured) for module, measured in runs.items()}
    if args.rounds > 1:
        print(f"medians of {args.rounds} rounds")
    head = f"| {'endpoint':<46} | " + " | ".join(f"{m + ' ms (CPU)':>22}" for m in modules) + " |"
    print(head)
    print("|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|")
    for name in by_module[modules[0]]:
        cells = [f"{by_module[m][name]['wall_ms']:>9.2f} ({by_module[m][name]['cpu_ms']:>6.2f})" for m in modules]
        print(f"| {name:<46} | " + " | ".join(f"{c:>22}" for c in cells) + " |")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")
    main()
