"""A 90-day report over a 1-million-row activity table, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench .venv/bin/python bench/activity_report.py [ROWS]

Creates the schema if needed, fills activity_activityevent with ROWS events (default 1,000,000)
spread over a year and 50,000 actors (server-side generate_series: seconds, not minutes), then
times the `active-users` and `enrollments` reports over the last 90 days, by day and by week,
and prints the plan of the slowest one."""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from reports.selectors import report_series  # noqa: E402


def main(rows: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a PostgreSQL database (this bench is about its indexes).")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM activity_activityevent")
        existing = cursor.fetchone()[0]
        if existing < rows:
            started = time.perf_counter()
            cursor.execute(
                """
                INSERT INTO activity_activityevent
                    (actor_id, verb, target_type, target_id, course_id, metadata, ip, user_agent, created_at)
                SELECT 1 + (random() * 49999)::int, 'lesson_completed', 'lesson', (g %% 5000)::text,
                       1 + (g %% 10000), '{}'::jsonb, NULL, '', now() - (random() * interval '365 days')
                FROM generate_series(1, %s) AS g
                """,
                [rows - existing],
            )
            cursor.execute("ANALYZE activity_activityevent")
            print(f"inserted {rows - existing:,} events in {time.perf_counter() - started:.1f} s")
    today = timezone.now().date()
    start = today - timedelta(days=89)
    timings = []
    for name in ("active-users", "enrollments"):
        for interval in ("day", "week"):
            report_series(name=name, start=start, end=today, interval=interval)  # warm
            runs = []
            for _ in range(5):
                began = time.perf_counter()
                report_series(name=name, start=start, end=today, interval=interval)
                runs.append(time.perf_counter() - began)
            best = min(runs)
            timings.append((best, name, interval))
            print(f"{name:>13} by {interval:<4} over 90 days: {1000 * best:7.1f} ms (best of 5)")
    with connection.cursor() as cursor:
        cursor.execute(
            """EXPLAIN (ANALYZE, BUFFERS) SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS d,
                      count(DISTINCT actor_id) FROM activity_activityevent
               WHERE created_at >= %s AND created_at < %s AND actor_id IS NOT NULL GROUP BY 1 ORDER BY 1""",
            [timezone.now() - timedelta(days=90), timezone.now()],
        )
        print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
