"""Outgoing webhooks under load (issue 26): 10,000 events to 3 endpoints, each a real HTTP receiver on
loopback, on a real database. Prints how fast events are recorded in the outbox (each in its own
transaction, as the services record them), what publishing costs when no endpoint wants the event,
and how fast the deliveries go out (signed POSTs over HTTP, each endpoint drained by its own job as
on a worker with one process per endpoint). Then checks that every endpoint got every event exactly
once, in order, with a valid signature, and exits 1 if not.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_webhooks_bench .venv/bin/python bench/webhooks.py
    .venv/bin/python bench/webhooks.py --tiny          # 300 events: a smoke test (CI)
    .venv/bin/python bench/webhooks.py --events 50000 --endpoints 5

It uses a throwaway test database (SQLite unless DATABASE_URL says otherwise; `test_<name>`, dropped
at the end). On SQLite the drains run one after the other (SQLite takes one writer at a time); on
PostgreSQL in parallel, one thread per endpoint (--parallel)."""

import argparse
import logging
import os
import sys
import threading
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.tests.factories import AdminFactory  # noqa: E402
from lms.events import publish  # noqa: E402
from webhooks import services, subscriptions, tasks  # noqa: E402
from webhooks.models import Delivery, Event  # noqa: E402
from webhooks.tests.receiver import Receiver  # noqa: E402
from webhooks.tests.snippets.verify_signature import verify  # noqa: E402

BATCH = 2000


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds > 0 else "-"


def line(label: str, count: int, seconds: float, note: str = "") -> None:
    print(f"  {label:<44} {count:>8,} in {seconds:7.2f} s  {rate(count, seconds):>10}  {note}".rstrip())


def build_users(count: int) -> list[User]:
    password = make_password("bench-pass-123")
    return User.objects.bulk_create(
        (
            User(email=f"student{n}@bench.lms", password=password, first_name="Ada", role=Role.STUDENT)
            for n in range(count)
        ),
        batch_size=BATCH,
    )


def measure_unsubscribed(users: list[User], count: int) -> tuple[float, int]:
    """publish() with no endpoint wanting the type: its cost on the hot path (time, queries)."""
    sample = users[:count]
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for user in sample:
            publish("user.created", user)
        seconds = time.perf_counter() - started
    return seconds, len(queries)


def record(users: list[User], per_transaction: int = 1) -> float:
    """`per_transaction` events in each transaction (1: as a service publishes inside its own; more:
    the outbox's own cost, with fewer commits). The drain jobs queued on commit are not run here
    (delivering is measured next)."""
    services_enqueue = services.enqueue
    services.enqueue = lambda task, *args: True
    try:
        started = time.perf_counter()
        for start in range(0, len(users), per_transaction):
            with transaction.atomic():
                for user in users[start : start + per_transaction]:
                    publish("user.created", user)
        return time.perf_counter() - started
    finally:
        services.enqueue = services_enqueue


def deliver(endpoint_ids: list[int], parallel: bool) -> float:
    def drain(endpoint_id: int) -> None:
        try:
            tasks.endpoint_drain_task(endpoint_id)  # jobs run inline here: it loops until none is due
        finally:
            connection.close()

    started = time.perf_counter()
    if parallel:
        threads = [threading.Thread(target=drain, args=(pk,)) for pk in endpoint_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for pk in endpoint_ids:
            tasks.endpoint_drain_task(pk)
    return time.perf_counter() - started


def check(receivers, endpoints, events: list[str]) -> list[str]:
    problems = []
    for receiver, endpoint in zip(receivers, endpoints, strict=True):
        got = [r.header("LMS-Event-Id") for r in receiver.requests]
        if got != events:
            missing, repeated = len(set(events) - set(got)), len(got) - len(set(got))
            in_order = [e for e in got if e in set(events)] == events
            problems.append(
                f"{endpoint.url}: {len(got):,} requests for {len(events):,} events "
                f"({missing} missing, {repeated} repeated, in order: {in_order})"
            )
        step = max(1, len(receiver.requests) // 50)
        for request in receiver.requests[::step]:
            if not verify(request.body, request.header("LMS-Signature"), endpoint.secret, tolerance=3600):
                problems.append(f"{endpoint.url}: a bad signature on {request.header('LMS-Event-Id')}")
                break
    not_done = Delivery.objects.exclude(status="succeeded").count()
    if not_done:
        problems.append(f"{not_done} deliveries not succeeded")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--endpoints", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="300 events: a smoke test.")
    parser.add_argument(
        "--parallel", action=argparse.BooleanOptionalAction, default=None, help="drain the endpoints in parallel"
    )
    args = parser.parse_args()
    if args.tiny:
        args.events = 300
    if args.events < 1 or args.endpoints < 1:
        parser.error("--events and --endpoints must be at least 1.")
    logging.getLogger("lms.request").setLevel(logging.WARNING)
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True  # the receivers are on loopback
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    parallel = connection.vendor == "postgresql" if args.parallel is None else args.parallel
    problems = []
    receivers = [Receiver() for _ in range(args.endpoints)]
    try:
        for receiver in receivers:
            receiver.__enter__()
        users = build_users(args.events)
        subscriptions.share()  # no endpoint yet, as every process will know within a second
        unsubscribed_seconds, unsubscribed_queries = measure_unsubscribed(users, min(args.events, 10_000))

        admin = AdminFactory()
        endpoints = [
            services.endpoint_create(actor=admin, url=r.url_for("127.0.0.1", f"/hooks/{n}"), events=["user.created"])
            for n, r in enumerate(receivers)
        ]
        subscriptions.share()
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(
            f"{connection.vendor}: {args.events:,} events to {args.endpoints} endpoints (real HTTP receivers on "
            f"loopback); load average {load} ({os.cpu_count()} CPUs)\n"
        )
        n = min(args.events, 10_000)
        line("publish(), no endpoint wants the type", n, unsubscribed_seconds, f"({unsubscribed_queries} SQL queries)")

        sample = users[: min(args.events, 2000)]
        line("events recorded, 100 a transaction", len(sample), record(sample, per_transaction=100))
        Event.objects.all().delete()

        seconds = record(users)
        deliveries = Delivery.objects.count()
        line("events recorded, 1 transaction each", args.events, seconds, f"(+ {deliveries:,} deliveries)")

        seconds = deliver([e.pk for e in endpoints], parallel)
        sent = sum(len(r.requests) for r in receivers)
        how = f"{args.endpoints} drains in parallel" if parallel else "drains one after the other"
        line(f"deliveries sent ({how})", sent, seconds)

        events = list(Event.objects.order_by("pk").values_list("public_id", flat=True))
        problems = check(receivers, endpoints, events)
        print("\ncheck: every endpoint got every event once, in order, signed:", "FAILED" if problems else "OK")
    finally:
        for receiver in receivers:
            receiver.__exit__(None, None, None)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if problems:
        sys.exit("FAILED: " + "; ".join(problems))


if __name__ == "__main__":
    main()
