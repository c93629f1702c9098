"""EXPLAIN (ANALYZE, BUFFERS) of every SQL statement the hot read endpoints run, at 100,000 published
courses and 1,000,000 enrollments.

    .venv/bin/python bench/explain.py                # build the data set (~2 minutes), write bench/plans/
    .venv/bin/python bench/explain.py --reuse        # the database of an earlier run: ~30 s
    .venv/bin/python bench/explain.py --reuse --proposed   # also with the proposed indexes: before/after
    .venv/bin/python bench/explain.py --tiny         # a smoke test (plans go to a temporary folder)

The data set is bench/run.py's (its seed and scenario, imported), on its own database (DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/lms_explain, dropped and created anew unless --reuse finds
the same scale there) and Redis database (REDIS_URL, default db 10). Every course is then published, so
the catalog plans are at the full catalog size. Each endpoint is requested in-process (django.test.Client,
production settings) with the cache cleared first, so the uncached SQL runs; every SELECT it sends is
captured and run again under EXPLAIN (ANALYZE, BUFFERS), --repeat times, keeping the fastest run. One
file per endpoint in the output folder (the SQL and its plan), and a summary table: statements, total
execution time, slowest statement, and sequential scans of tables with more than 10,000 rows.

--proposed then creates the indexes in PROPOSED (in this database only: the models do not have them),
runs every endpoint again and writes those plans to <out>/with-indexes/, with a before/after table.
Every run starts by dropping them, so the plain run always measures the schema as migrated."""

import argparse
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402  (bench/run.py: the data set builder)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/lms_explain"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
BIG_TABLE_ROWS = 10_000
SLOW_MS = 5.0

# The indexes this study proposes, created by hand with --proposed (named bench_* so that they never
# collide with an index a migration adds). Each: (name, CREATE INDEX statement, the model Meta entry).
PROPOSED: list[tuple[str, str, str]] = [
    (
        "bench_course_catalog_newest_id",
        "CREATE INDEX IF NOT EXISTS bench_course_catalog_newest_id ON courses_course "
        "(status, published_at DESC, id DESC)",
        'courses.Course: models.Index(fields=["status", "-published_at", "-id"], name="course_catalog_newest") '
        "in place of (status, -published_at)",
    ),
    (
        "bench_course_catalog_rating_id",
        "CREATE INDEX IF NOT EXISTS bench_course_catalog_rating_id ON courses_course "
        "(status, average_rating DESC, id DESC)",
        'courses.Course: models.Index(fields=["status", "-average_rating", "-id"], name="course_catalog_rating") '
        "in place of (status, -average_rating)",
    ),
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reuse", action="store_true", help="keep the database when it holds this scale's data set")
    p.add_argument("--tiny", action="store_true", help="bench/run.py's tiny scale: a smoke test")
    p.add_argument("--out", default="", help="folder for the plans (default bench/plans/; --tiny: a temporary one)")
    p.add_argument("--repeat", type=int, default=5, help="EXPLAIN ANALYZE runs per statement (the fastest is kept)")
    p.add_argument("--only", default="", help="only the endpoints whose file name contains one of these (comma)")
    p.add_argument("--proposed", action="store_true", help="then again with the PROPOSED indexes (before/after)")
    return p.parse_args()


def run_args(tiny: bool) -> argparse.Namespace:
    """bench/run.py's own arguments at their defaults (or its --tiny scale): the same data set."""
    saved = sys.argv
    sys.argv = [str(BENCH / "run.py"), *(["--tiny"] if tiny else [])]
    try:
        return run.parse_args()
    finally:
        sys.argv = saved


def fingerprint(args) -> str:
    """What identifies a data set: the scale arguments of run.py."""
    keys = ("courses", "categories", "students", "enrollments", "reviews", "questions", "storm", "scales")
    return json.dumps({k: getattr(args, k, None) for k in keys}, sort_keys=True)


def stored_scenario(url: str, args) -> dict | None:
    """The scenario of an earlier complete build of the same scale in this database, or None."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
            ).fetchone()
    except psycopg.OperationalError:
        return None
    try:
        stored = json.loads(row[0] or "")
    except ValueError:
        return None
    return stored["scenario"] if stored.get("scale") == fingerprint(args) else None


def build(url: str, args) -> dict:
    """run.py's data set, in the order its main() builds it; the scale and scenario are then kept as the
    database's comment, so --reuse knows a complete build of the same scale."""
    from django.core.cache import cache
    from django.db import connection

    run.recreate_database(url)
    cache.clear()
    started = time.monotonic()
    scenario = run.seed(args)
    kept = {k: scenario[k] for k in ("student", "instructor", "course", "quiz")}
    with connection.cursor() as cursor:
        comment = json.dumps({"scale": fingerprint(args), "scenario": kept}).replace("'", "''")
        cursor.execute(f"COMMENT ON DATABASE \"{connection.settings_dict['NAME']}\" IS '{comment}'")
    print(f"  built in {time.monotonic() - started:.0f}s", flush=True)
    return kept


def prepare(proposed: bool) -> None:
    """Every course published (the catalog at its full size), the PROPOSED indexes dropped or created,
    fresh statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE courses_course SET status = 'published' WHERE status <> 'published'")
        if cursor.rowcount:  # the visibility map too, or index-only scans visit the heap
            cursor.execute("VACUUM ANALYZE courses_course")
        for name, create, _ in PROPOSED:
            cursor.execute(create if proposed else f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("ANALYZE")


# --- measuring -----------------------------------------------------------------------------------
def endpoints(scenario: dict, tokens: dict[int, str]) -> list[tuple[str, str, str, str]]:
    """(file name, title, path, bearer token) of every hot read. The late page is page 200 (or the
    last page of a smaller catalog: --tiny)."""
    from courses.models import Course

    student, instructor = tokens[scenario["student"]], tokens[scenario["instructor"]]
    course = scenario["course"]
    page = min(200, max(1, (Course.objects.filter(status="published").count() + 19) // 20))
    return [
        ("catalog-list", "catalog list, uncached", "/api/v1/courses/?nocache=explain", ""),
        (
            "catalog-filtered",
            "catalog filtered, uncached",
            "/api/v1/courses/?category=cat-3&level=beginner&max_price=60&nocache=explain",
            "",
        ),
        ("catalog-searched", "catalog searched, uncached", "/api/v1/courses/?search=python&nocache=explain", ""),
        (
            "catalog-by-rating",
            "catalog by rating, uncached",
            "/api/v1/courses/?ordering=-average_rating&nocache=explain",
            "",
        ),
        ("catalog-late-page", f"catalog page {page}, uncached", f"/api/v1/courses/?page={page}&nocache=explain", ""),
        ("course-detail-anonymous", "course detail, anonymous, uncached", f"/api/v1/courses/{course}/", ""),
        ("course-detail-enrolled", "course detail, enrolled student", f"/api/v1/courses/{course}/", student),
        ("my-enrollments", "my enrollments (student)", "/api/v1/me/enrollments/", student),
        ("student-dashboard", "student dashboard", "/api/v1/dashboard/student/", student),
        ("instructor-dashboard", "instructor dashboard", "/api/v1/dashboard/instructor/", instructor),
        ("forum-posts", "forum thread list (student)", f"/api/v1/courses/{course}/forum/posts/", student),
        ("notifications-unread-count", "notifications unread count", "/api/v1/notifications/unread-count/", student),
    ]


def capture(path: str, token: str) -> tuple[int, list[str]]:
    """The status and the SQL of one uncached request (after a warming one, as run.py counts queries)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    client.get(path, **headers)  # warm: imports, connections, PostgreSQL's buffers
    cache.clear()  # every cached page and version gone: the uncached path runs
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    return response.status_code, [q["sql"] for q in ctx.captured_queries]


def is_select(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head == "SELECT" or (head == "WITH" and not re.search(r"\b(INSERT|UPDATE|DELETE)\b", sql, re.I))


def explain(sql: str, repeat: int) -> dict:
    """The fastest of `repeat` EXPLAIN (ANALYZE, BUFFERS) runs, in a transaction rolled back; the
    statement's own time without EXPLAIN's per-row instrumentation (`wall_ms`: sent, run and fetched
    from Python, the fastest of `repeat`); and the tables a sequential scan still reads with
    enable_seqscan off (`no_index`: no index can serve that scan)."""
    from django.db import connection, transaction

    best = None
    for _ in range(max(repeat, 1)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            transaction.set_rollback(True)
        text = "\n".join(lines)
        found = re.search(r"Execution Time: ([\d.]+) ms", text)
        execution = float(found.group(1)) if found else 0.0
        if best is None or execution < best["ms"]:
            planning = re.search(r"Planning Time: ([\d.]+) ms", text)
            best = {"ms": execution, "planning_ms": float(planning.group(1)) if planning else 0.0, "plan": text}
    wall = float("inf")
    for _ in range(max(repeat, 1)):
        with connection.cursor() as cursor:  # autocommit: SELECTs only (is_select), no BEGIN round trip
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            wall = min(wall, time.perf_counter() - started)
    best["wall_ms"] = wall * 1000
    best["seq_scans"] = sorted(set(re.findall(r"Seq Scan on (\w+)", best["plan"])))
    best["no_index"] = []
    if best["seq_scans"]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            forced = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        best["no_index"] = sorted(set(re.findall(r"Seq Scan on (\w+)", forced)))
    return best


def table_rows() -> dict[str, int]:
    """The planner's row estimate of every table (fresh after ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public'"
        )
        return dict(cursor.fetchall())


def measure(name: str, title: str, path: str, token: str, repeat: int, rows: dict[str, int]) -> dict:
    status, captured = capture(path, token)
    statements = [{"sql": sql, **explain(sql, repeat)} for sql in captured if is_select(sql)]
    return {
        "name": name,
        "title": title,
        "path": path,
        "who": "bearer token" if token else "anonymous",
        "status": status,
        "captured": len(captured),
        "statements": statements,
        "total_ms": sum(s["ms"] for s in statements),
        "wall_ms": sum(s["wall_ms"] for s in statements),
        "slowest_ms": max((s["ms"] for s in statements), default=0.0),
        "big_seq_scans": sorted({t for s in statements for t in s["seq_scans"] if rows.get(t, 0) > BIG_TABLE_ROWS}),
        "no_index": sorted({t for s in statements for t in s["no_index"]}),
    }


# --- query changes -------------------------------------------------------------------------------
def sent(*evaluate) -> list[str]:
    """The SQL that evaluating these callables sends (what Django would send, params interpolated)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        for call in evaluate:
            call()
    return [q["sql"] for q in ctx.captured_queries]


def query_changes() -> list[tuple[str, str, list[str], list[str]]]:
    """(name, the change, the statements today, the statements after the change), built with the ORM
    as the catalog builds them (CourseFilter's ordering, PageNumberPagination's count and slice). The
    late-page changes leave the page's COUNT(*) out (the same before and after: catalog-count-cached)."""
    from django.db.models import Count, Window

    from courses.selectors import course_list_public, course_search

    catalog = course_list_public()
    published = catalog.count()
    late = max(0, min(3980, published - 20))  # page 200, or the last page of a smaller catalog
    newest, rating = ("-published_at", "-id"), ("-average_rating", "-id")
    ranked = ("-search_rank", "-published_at", "-id")

    def page(ordering: tuple[str, ...], offset: int) -> list[str]:
        return sent(lambda: list(catalog.order_by(*ordering)[offset : offset + 20]))

    def deferred(ordering: tuple[str, ...], offset: int) -> list[str]:
        ids = catalog.select_related(None).order_by(*ordering).values_list("pk", flat=True)[offset : offset + 20]
        found = []
        return sent(
            lambda: found.extend(ids),
            lambda: sorted(catalog.filter(pk__in=found).order_by(), key=lambda c: found.index(c.pk)),
        )

    searched = course_search(catalog, "python").order_by(*ranked)
    search_ids = (
        course_search(catalog.select_related(None), "python")
        .annotate(total=Window(Count("*")))
        .order_by(*ranked)
        .values_list("pk", "total")[:20]
    )
    found = []
    return [
        (
            "late-page-deferred-join",
            f"catalog page {late // 20 + 1}: the 20 ids of the page first (an index-only scan with the proposed "
            "index), then their rows with the joins, instead of joining every row the OFFSET skips",
            page(newest, late),
            deferred(newest, late),
        ),
        (
            "late-page-by-rating-deferred-join",
            f"catalog by rating, page {late // 20 + 1}: the same, ordered by -average_rating, -id",
            page(rating, late),
            deferred(rating, late),
        ),
        (
            "search-window-count",
            "catalog searched: the count and the ranked ids in one pass over the matches (count(*) OVER ()), "
            "then the 20 rows by id, instead of a COUNT and a ranked page that joins every match before the sort",
            sent(searched.count, lambda: list(searched[:20])),
            sent(
                lambda: found.extend(pk for pk, _ in search_ids), lambda: list(catalog.filter(pk__in=found).order_by())
            ),
        ),
        (
            "catalog-count-cached",
            "catalog list: the COUNT(*) cached with the catalog version (keyed by the filters, not the page or "
            "other parameters), so a page that misses the cache runs the page query only",
            sent(catalog.count, lambda: list(catalog.order_by(*newest)[:20])),
            page(newest, 0),
        ),
    ]


def measure_changes(repeat: int) -> list[dict]:
    results = []
    for name, change, now, then in query_changes():
        before = [{"sql": sql, **explain(sql, repeat)} for sql in now]
        after = [{"sql": sql, **explain(sql, repeat)} for sql in then]
        results.append({"name": name, "change": change, "before": before, "after": after})
    return results


# --- reporting -----------------------------------------------------------------------------------
def scale_line() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM courses_course), "
            "(SELECT count(*) FROM courses_course WHERE status = 'published'), "
            "(SELECT count(*) FROM courses_enrollment), (SELECT count(*) FROM accounts_user), "
            "(SELECT count(*) FROM reviews_review), (SELECT count(*) FROM courses_lesson)"
        )
        courses, published, enrollments, users, reviews, lessons = cursor.fetchone()
    return (
        f"{courses:,} courses ({published:,} published), {enrollments:,} enrollments, {users:,} users, "
        f"{reviews:,} reviews, {lessons:,} lessons"
    )


def pg_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        return cursor.fetchone()[0]


def statement_text(n: int | str, s: dict) -> list[str]:
    import sqlparse

    notes = f"; seq scans with no index alternative: {', '.join(s['no_index'])}" if s["no_index"] else ""
    return [
        f"-- statement {n}: execution {s['ms']:.3f} ms, planning {s['planning_ms']:.3f} ms, "
        f"without EXPLAIN {s['wall_ms']:.3f} ms{notes}",
        sqlparse.format(s["sql"], reindent=True, keyword_case="upper"),
        "",
        s["plan"],
        "",
    ]


def header_text(header: dict) -> list[str]:
    return [
        f"data:       {header['scale']}",
        f"date:       {header['date']}",
        f"database:   {header['version']}",
        f"indexes:    {header['indexes']}",
        f"timing:     EXPLAIN (ANALYZE, BUFFERS), the fastest of {header['repeat']} runs, warm buffers; "
        "'without EXPLAIN' is the statement run and fetched from Python (no per-row instrumentation)",
    ]


def write_plan(folder: Path, result: dict, header: dict) -> None:
    out = [
        f"# {result['title']}",
        f"endpoint:   GET {result['path']} ({result['who']}) -> HTTP {result['status']}",
        *header_text(header),
        f"statements: {len(result['statements'])} SELECT of {result['captured']} captured; execution "
        f"{result['total_ms']:.3f} ms in all ({result['wall_ms']:.3f} ms without EXPLAIN), slowest "
        f"{result['slowest_ms']:.3f} ms",
        f"seq scans of tables over {BIG_TABLE_ROWS:,} rows: {', '.join(result['big_seq_scans']) or 'none'}",
        f"seq scans no index could replace: {', '.join(result['no_index']) or 'none'}",
        "",
    ]
    for n, s in enumerate(result["statements"], start=1):
        out += statement_text(n, s)
    (folder / f"{result['name']}.txt").write_text("\n".join(out))


def write_changes(folder: Path, changes: list[dict], header: dict) -> None:
    for c in changes:
        out = [f"# query change: {c['name']}", c["change"], *header_text(header), ""]
        for label, statements in (("today", c["before"]), ("changed", c["after"])):
            total = sum(s["ms"] for s in statements)
            wall = sum(s["wall_ms"] for s in statements)
            out += [f"## {label}: {total:.3f} ms execution ({wall:.3f} ms without EXPLAIN)", ""]
            for n, s in enumerate(statements, start=1):
                out += statement_text(n, s)
        (folder / f"change-{c['name']}.txt").write_text("\n".join(out))


def _rule(head: str) -> str:
    return "|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|"


def summary(results: list[dict]) -> str:
    head = (
        f"| {'endpoint':<26} | {'HTTP':>4} | {'SELECTs':>7} | {'total ms':>8} | {'no EXPLAIN':>10} | "
        f"{'slowest ms':>10} | {'seq scan > 10k rows':<19} | {'seq scan, no index possible':<40} |"
    )
    lines = [head, _rule(head)]
    for r in results:
        lines.append(
            f"| {r['name']:<26} | {r['status']:>4} | {len(r['statements']):>7} | {r['total_ms']:>8.2f} | "
            f"{r['wall_ms']:>10.2f} | {r['slowest_ms']:>10.2f} | {', '.join(r['big_seq_scans']) or '-':<19} | "
            f"{', '.join(r['no_index']) or '-':<40} |"
        )
    return "\n".join(lines)


def comparison(before: list[dict], after: list[dict]) -> str:
    head = (
        f"| {'endpoint':<26} | {'total ms before':>15} | {'after':>8} | {'slowest before':>14} | {'after':>8} | "
        "seq scans > 10k rows after |"
    )
    lines = [head, _rule(head)]
    for b, a in zip(before, after, strict=True):
        lines.append(
            f"| {b['name']:<26} | {b['total_ms']:>15.2f} | {a['total_ms']:>8.2f} | {b['slowest_ms']:>14.2f} | "
            f"{a['slowest_ms']:>8.2f} | {', '.join(a['big_seq_scans']) or '-':<26} |"
        )
    return "\n".join(lines)


def changes_table(plain: list[dict], indexed: list[dict] | None) -> str:
    def ms(statements: list[dict]) -> str:
        return f"{sum(s['ms'] for s in statements):.2f} ({sum(s['wall_ms'] for s in statements):.2f})"

    head = (
        f"| {'query change':<34} | {'today ms':>15} | {'changed ms':>15} | {'today, +indexes':>15} | "
        f"{'changed, +indexes':>17} |"
    )
    lines = [head, _rule(head)]
    for n, c in enumerate(plain):
        i = indexed[n] if indexed else None
        lines.append(
            f"| {c['name']:<34} | {ms(c['before']):>15} | {ms(c['after']):>15} | "
            f"{ms(i['before']) if i else '-':>15} | {ms(i['after']) if i else '-':>17} |"
        )
    return "\n".join(lines) + "\n(EXPLAIN ANALYZE execution time, in brackets the time without EXPLAIN)"


def measure_all(selected, args, header: dict, folder: Path) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = table_rows()
    results = []
    for name, title, path, token in selected:
        result = measure(name, title, path, token, args.repeat, rows)
        write_plan(folder, result, header)
        slow = [f"{s['ms']:.1f}" for s in result["statements"] if s["ms"] > SLOW_MS]
        print(
            f"  {name:<28} HTTP {result['status']}  {len(result['statements']):>2} SELECTs  "
            f"{result['total_ms']:7.2f} ms  slowest {result['slowest_ms']:6.2f} ms"
            + (f"  slow: {', '.join(slow)} ms" if slow else "")
            + (f"  seq scans: {', '.join(result['big_seq_scans'])}" if result["big_seq_scans"] else ""),
            flush=True,
        )
        results.append(result)
    return results


def main() -> None:
    args = parse_args()
    data = run_args(args.tiny)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    env = run.server_env(data)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    url = env["DATABASE_URL"]
    out = Path(args.out) if args.out else (Path(tempfile.mkdtemp(prefix="explain-")) if args.tiny else BENCH / "plans")
    started = time.monotonic()
    scenario = stored_scenario(url, data) if args.reuse else None

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log line of every in-process request
    from django.core.management import call_command

    if scenario is None:
        run.step(f"data set on {url}")
        scenario = build(url, data)
    else:
        run.step(f"reusing the data set on {url}")
        call_command("migrate", verbosity=0)  # whatever migrations were added since it was built
    tokens = run.tokens_for([scenario["student"], scenario["instructor"]])
    only = [s for s in args.only.split(",") if s]
    selected = [e for e in endpoints(scenario, tokens) if not only or any(o in e[0] for o in only)]

    prepare(proposed=False)
    header = {
        "scale": scale_line(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": pg_version(),
        "indexes": "as migrated",
        "repeat": args.repeat,
    }
    run.step(f"EXPLAIN (ANALYZE, BUFFERS), schema as migrated: {header['scale']}")
    before = measure_all(selected, args, header, out)
    changes = measure_changes(args.repeat)
    write_changes(out, changes, header)
    plain = dict(header)
    report = [summary(before), "", changes_table(changes, None)]
    if args.proposed and PROPOSED:
        prepare(proposed=True)
        header["indexes"] = "as migrated + " + ", ".join(name for name, _, _ in PROPOSED)
        run.step("again with the proposed indexes: " + ", ".join(name for name, _, _ in PROPOSED))
        after = measure_all(selected, args, header, out / "with-indexes")
        indexed = measure_changes(args.repeat)
        write_changes(out / "with-indexes", indexed, header)
        prepare(proposed=False)
        report = [
            summary(before),
            "",
            f"with the proposed indexes ({', '.join(name for name, _, _ in PROPOSED)}):",
            summary(after),
            "",
            comparison(before, after),
            "",
            changes_table(changes, indexed),
            "",
            "proposed indexes:",
            *(f"  {meta}\n    {create}" for _, create, meta in PROPOSED),
        ]
    text = "\n".join(report) + "\n"
    (out / "summary.txt").write_text("\n".join(header_text(plain)) + "\n\n" + text)
    print("\n" + text)
    median = statistics.median([r["total_ms"] for r in before]) if before else 0.0
    print(
        f"plans in {out}/ ({len(before)} endpoints, median total {median:.2f} ms); "
        f"{time.monotonic() - started:.0f}s in all"
    )


if __name__ == "__main__":
    main()
