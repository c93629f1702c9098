"""Throwaway services for the fault tests: a Redis server and a PostgreSQL cluster of their own, on
free loopback ports, that a test may stop and start at will without touching the shared ones."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Polls until predicate() is truthy; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def stop_process(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Stops a process we started (and its process group, if it leads one), then reaps it."""
    if proc is None or proc.poll() is not None:
        return
    try:
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        proc.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL) if os.getpgid(proc.pid) == proc.pid else proc.kill()
        proc.wait(timeout=10)


def worker_environment(*, database: dict, redis_url: str, media, **extra: str) -> dict[str, str]:
    """The environment for a real worker process (`celery -A lms worker` in a subprocess): this
    machine's, without the test run's own settings variables, pointed at the test's database (its
    committed data: the test runs with transaction=True), a Redis and a media root of the test's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "DJANGO_", "PYTEST_", "DATABASE_", "REDIS_", "MEDIA_", "EMAIL_"))
    }
    server = f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}"
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings",
        DATABASE_URL=f"{server}:{database['PORT'] or 5432}/{database['NAME']}",
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(media),
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


class RedisServer:
    """redis-server on a free port, without persistence: stopping it loses everything, as a crash
    of a cache-only Redis would."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="lms-fault-redis-")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not on PATH"
        self.proc = subprocess.Popen(
            [
                *(binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                *("--dir", self.dir, "--protected-mode", "no", "--loglevel", "warning"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for(self.ping, timeout=10):
            self.kill()
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        return self

    def kill(self) -> None:
        """A crash: SIGKILL, nothing saved."""
        stop_process(self.proc, signal.SIGKILL)
        self.proc = None

    def destroy(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def slow_workers(worker_setup, tmp_path: Path, **env: str):
    """A starter of real `celery -A lms worker` processes (slow_worker.py: the first call of the
    function LMS_FAULT_SLOWED names sleeps, so a test can kill the worker mid-task), against the
    test's Redis, database and media root, with `env` added. `start(name)` returns the process;
    `start.markers` is the folder of the slowed calls' markers, `start.media` the media root. Every
    worker started is killed on exit."""
    import sys

    from django.conf import settings

    markers = tmp_path / "markers"
    markers.mkdir()
    environment = worker_setup.env(LMS_FAULT_MARKER_DIR=str(markers), **env)
    started: list[subprocess.Popen] = []

    def start(name: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process below)
        command = [sys.executable, "-m", "lms.tests.reliability.slow_worker", "-A", "lms", "worker"]
        command += ["-c", "1", "--pool", "prefork", "-n", f"{name}-{os.getpid()}@fault"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"]
        proc = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log = log
        started.append(proc)
        return proc

    start.markers = markers
    start.media = worker_setup.media
    try:
        yield start
    finally:
        for proc in started:
            stop_process(proc, signal.SIGKILL)  # a test worker: nothing to finish
            proc.log.close()


def postgres_bindir() -> str | None:
    for candidate in [os.environ.get("PG_BINDIR", ""), *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]:
        if candidate and os.path.exists(os.path.join(candidate, "pg_ctl")):
            return candidate
    found = shutil.which("pg_ctl")
    return os.path.dirname(found) if found else None


class PostgresCluster:
    """A PostgreSQL cluster of our own (initdb into a temporary directory) on a free port. As root,
    the server runs as the `postgres` user, which owns the directory."""

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lms-fault-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [os.path.join(self.bindir, args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True, cwd=self.dir)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> "PostgresCluster":
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        try:
            self._run("pg_ctl", "-D", str(self.data), "status")
        except subprocess.CalledProcessError:
            return False
        return True

    def createdb(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def destroy(self) -> None:
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
