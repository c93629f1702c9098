"""Helpers the tests share: for the PostgreSQL race tests, calls released together in threads, a
wait for a session blocked on a lock (to force an interleaving) and a transaction held open with
the locks it took; for the access tables (need x role), what an access helper answered."""

import threading
import time
from contextlib import contextmanager

from django.db import connection, transaction

from lms.errors import NotFound, NotPermitted


def run_together(calls, *, timeout: float = 60) -> list:
    """Runs each zero-argument callable in its own thread (so its own database connection), all
    released at once by a barrier; returns what each returned, or the exception it raised, in order.

    Each thread closes its connection when done. Fails if any call is still running after `timeout`
    seconds, so a deadlock or a lost wake-up shows as a failure, not a hang."""
    calls = list(calls)
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:  # reported by the caller's assertions, never swallowed
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return results


def wait_for_a_lock_waiter(timeout: float = 10.0) -> bool:
    """Whether another session of this database came to wait on a lock within `timeout` seconds
    (polls pg_stat_activity; PostgreSQL only)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "select count(*) from pg_stat_activity where datname = current_database() "
                "and wait_event_type = 'Lock' and pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@contextmanager
def held_open(call, *, lock_timeout: str = "3s"):
    """Runs `call` in a transaction in another thread (its own connection) and keeps that
    transaction open, with every lock it took, until the block ends. Inside the block, this
    thread's connection gives up on a lock after `lock_timeout`: a statement that would wait on
    the held locks raises (a 503 through the API) instead of hanging the test."""
    held, release, failed = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                call()
                held.set()
                release.wait(60)
        except BaseException as exc:  # reported below, never swallowed
            failed.append(exc)
            held.set()
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(20) and not failed, failed
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = %s", [lock_timeout])
        yield
    finally:
        release.set()
        thread.join(20)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def access_outcome(call, *, report: str = "code"):
    """What `call` (an access helper applied to one user, id and need) answered, as one value for a
    need x role table: "ok", 404 for NotFound, and for NotPermitted its code (`report="code"`), 403
    (`"status"`) or `(403, code)` (`"both"`)."""
    try:
        call()
    except NotFound:
        return 404
    except NotPermitted as exc:
        return {"code": exc.code, "status": 403, "both": (403, exc.code)}[report]
    return "ok"
