"""`manage.py doctor`: is this deployment configured and can it reach everything it needs?

Each check runs in a thread of its own with a deadline (--timeout), so a service that never answers
shows up as a FAIL instead of hanging the command. Checks only read, except the cache and storage
round trips, which write one small value or file and delete it again."""

import contextlib
import ctypes.util
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from lms.celery import app
from lms.commands import OperatorCommand
from lms.jobs import describe_missing, queues_without_consumer
from reports.counters_check import check_counters

OK, WARN, FAIL = "OK", "WARN", "FAIL"


@dataclass
class Result:
    check: str
    status: str
    message: str
    fix: str = ""


@dataclass(frozen=True)
class Context:
    timeout: float  # seconds, for each network call
    production: bool  # judge as a production deployment (stricter)


def production_settings() -> bool:
    return "production" in (getattr(settings, "SETTINGS_MODULE", "") or "")


def _sqlite_in_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


def _redact(url: str) -> str:
    """A URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


# --- configuration --------------------------------------------------------------------------------
def check_config(ctx: Context) -> list[Result]:
    prod = ctx.production
    results = []
    if settings.DEBUG:
        results.append(
            Result(
                "config.debug",
                FAIL,
                "DEBUG is on in production: tracebacks and settings are shown to anyone.",
                "Set DEBUG=false.",
            )
            if prod
            else Result("config.debug", WARN, "DEBUG is on (fine on a developer's machine only).", "Set DEBUG=false.")
        )
    else:
        results.append(Result("config.debug", OK, "DEBUG is off."))

    key = settings.SECRET_KEY or ""
    if not key or key.startswith("django-insecure") or len(key) < 50 or len(set(key)) < 5:
        problem = "is the development default" if key.startswith("django-insecure") else "is empty or too short"
        results.append(
            Result(
                "config.secret_key",
                FAIL if prod else WARN,
                f"SECRET_KEY {problem}: sessions, tokens and password-reset links can be forged.",
                "Set SECRET_KEY to a long random value, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
            )
        )
    else:
        results.append(Result("config.secret_key", OK, "SECRET_KEY is set and not the development default."))

    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts:
        results.append(
            Result(
                "config.allowed_hosts",
                FAIL,
                "ALLOWED_HOSTS is empty: every request is refused with 400.",
                "Set ALLOWED_HOSTS to the API's host names, comma-separated.",
            )
        )
    elif "*" in hosts:
        results.append(
            Result(
                "config.allowed_hosts",
                WARN,
                "ALLOWED_HOSTS accepts any host (*): Host-header attacks.",
                "List the real host names in ALLOWED_HOSTS.",
            )
        )
    elif prod and set(hosts) <= {"localhost", "127.0.0.1", "[::1]"}:
        results.append(
            Result(
                "config.allowed_hosts",
                WARN,
                f"ALLOWED_HOSTS is only {', '.join(hosts)} in production.",
                "Add the public host name to ALLOWED_HOSTS.",
            )
        )
    else:
        results.append(Result("config.allowed_hosts", OK, f"ALLOWED_HOSTS: {', '.join(hosts)}."))

    site = getattr(settings, "SITE_URL", "") or ""
    parts = urlsplit(site)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        results.append(
            Result(
                "config.site_url",
                FAIL,
                f"SITE_URL {site!r} is not an http(s) URL: links in e-mails and certificates are broken.",
                "Set SITE_URL to the public base URL, e.g. https://api.example.com.",
            )
        )
    elif prod and (parts.scheme != "https" or parts.hostname in ("localhost", "127.0.0.1")):
        results.append(
            Result(
                "config.site_url",
                WARN,
                f"SITE_URL is {site} in production: links we send point there.",
                "Set SITE_URL to the public https:// base URL.",
            )
        )
    else:
        results.append(Result("config.site_url", OK, f"SITE_URL: {site}."))
    return results


# --- database -------------------------------------------------------------------------------------
def check_database(ctx: Context) -> list[Result]:
    connection = connections["default"]
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and not _sqlite_in_memory(name) and not Path(name).exists():
        # Connecting would create an empty file: say what is wrong instead.
        return [
            Result(
                "database",
                FAIL,
                f"The SQLite database {name} does not exist.",
                "Run `manage.py migrate` (or set DATABASE_URL to the real database).",
            )
        ]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        name = connection.settings_dict.get("NAME")
        host = connection.settings_dict.get("HOST") or "local"
        return [
            Result(
                "database",
                FAIL,
                f"Cannot connect to the {connection.vendor} database {name} on {host}: {_first_line(exc)}",
                "Check DATABASE_URL and that the database server is running.",
            )
        ]
    version = connection.display_name
    if connection.vendor == "postgresql":
        version += f" {connection.pg_version // 10000}"
    results = [Result("database", OK, f"Connected to {version} ({connection.settings_dict.get('NAME')}).")]
    if ctx.production and connection.vendor == "sqlite":
        results[0] = Result(
            "database",
            WARN,
            "SQLite in production: one writer at a time, no full-text search.",
            "Set DATABASE_URL=postgres://...",
        )
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        results.append(
            Result(
                "database.migrations",
                FAIL,
                f"{len(plan)} migration(s) not applied: {names}{more}.",
                "Run `manage.py migrate`.",
            )
        )
    else:
        results.append(Result("database.migrations", OK, "All migrations are applied."))
    return results


# --- cache ----------------------------------------------------------------------------------------
def check_cache(ctx: Context) -> list[Result]:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    key, value = f"doctor-{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, 30)
        got = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        location = _redact(str(settings.CACHES["default"].get("LOCATION", "")))
        return [
            Result(
                "cache",
                FAIL,
                f"{backend} at {location} failed: {_first_line(exc)}",
                "Check REDIS_URL and that Redis is running.",
            )
        ]
    if got != value:
        return [
            Result(
                "cache",
                FAIL,
                f"{backend} did not return what was stored.",
                "Check the cache server (memory full? maxmemory-policy?).",
            )
        ]
    if backend == "LocMemCache" and ctx.production:
        return [
            Result(
                "cache",
                WARN,
                "The cache is per process (LocMemCache): throttles and cached pages are not shared between workers.",
                "Set REDIS_URL.",
            )
        ]
    return [Result("cache", OK, f"{backend}: set, get and delete work.")]


# --- broker and workers ---------------------------------------------------------------------------
def check_broker(ctx: Context) -> list[Result]:
    if app.conf.task_always_eager:
        result = Result("broker", OK, "Background jobs run inline (CELERY_TASK_ALWAYS_EAGER): no broker needed.")
        if ctx.production:
            result = Result(
                "broker",
                WARN,
                "Background jobs run inline in production: PDFs and e-mails slow down requests.",
                "Set REDIS_URL (or CELERY_BROKER_URL) and run a worker.",
            )
        return [result]
    url = _redact(app.conf.broker_url or "")
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=ctx.timeout)
    except Exception as exc:
        return [
            Result(
                "broker",
                FAIL,
                f"Cannot connect to the broker {url}: {_first_line(exc)}",
                "Check CELERY_BROKER_URL / REDIS_URL and that the broker is running.",
            )
        ]
    results = [Result("broker", OK, f"Connected to {url}.")]
    results.append(check_consumers(app, timeout=min(1.0, ctx.timeout / 2)))
    return results


def check_consumers(app, timeout: float) -> Result:
    """FAIL when a queue that jobs are routed to has no live worker consuming it: those jobs would
    wait there forever (no certificate, no e-mail) and nothing else would say so."""
    try:
        missing, consumers = queues_without_consumer(app, timeout=timeout)
    except Exception as exc:
        return Result("broker.workers", WARN, f"Could not ask the workers: {_first_line(exc)}")
    if missing:
        workers = sorted({worker for names in consumers.values() for worker in names})
        found = f"{len(workers)} worker(s) answered" if workers else "No worker answered"
        return Result(
            "broker.workers",
            FAIL,
            f"{found}; no live worker consumes {describe_missing(missing)}: these jobs wait forever.",
            "Start `celery -A lms worker` (it consumes every queue), or add the missing queues to a worker's -Q.",
        )
    workers = sorted({worker for names in consumers.values() for worker in names})
    queues = ", ".join(sorted(consumers))
    return Result("broker.workers", OK, f"{len(workers)} worker(s) consume {queues}: {', '.join(workers)}.")


# --- storage --------------------------------------------------------------------------------------
def check_storage(ctx: Context) -> list[Result]:
    backend = default_storage.__class__.__name__
    where = getattr(default_storage, "location", "") or getattr(default_storage, "bucket_name", "")
    payload = f"doctor {uuid.uuid4().hex}".encode()
    name = None
    try:
        name = default_storage.save(f"doctor-probe-{uuid.uuid4().hex}.txt", ContentFile(payload))
        with default_storage.open(name, "rb") as handle:
            got = handle.read()
    except Exception as exc:
        return [
            Result(
                "storage",
                FAIL,
                f"{backend} ({where}) cannot write and read a file: {_first_line(exc)}",
                "Check MEDIA_ROOT (exists, writable) or the S3 bucket settings and credentials.",
            )
        ]
    finally:
        if name:
            # A leftover probe file is harmless; the first error is the one to report.
            with contextlib.suppress(Exception):
                default_storage.delete(name)
    if got != payload:
        return [Result("storage", FAIL, f"{backend} ({where}) returned other bytes than were written.")]
    return [Result("storage", OK, f"{backend} ({where}): write, read and delete work.")]


def check_uploads(ctx: Context) -> list[Result]:
    """What uploads need beyond storage: ffprobe and ffmpeg for videos, and on a bucket, links that
    work from outside (a presigned GET of a probe object) and CORS rules for browser uploads."""
    import shutil
    import tempfile
    import urllib.request

    from media import storage as media_storage

    results = []
    missing = [tool for tool in ("ffprobe", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        results.append(
            Result(
                "uploads.video",
                WARN,
                f"{' and '.join(missing)} not found: lesson videos cannot be checked (completing one answers 503).",
                "Install ffmpeg (scripts/system-deps.sh does it on Debian).",
            )
        )
    else:
        results.append(Result("uploads.video", OK, "ffprobe and ffmpeg are installed."))
    name = f"private/doctor-probe-{uuid.uuid4().hex}.txt"
    payload = f"doctor {uuid.uuid4().hex}".encode()
    try:
        with tempfile.NamedTemporaryFile() as tmp:
            tmp.write(payload)
            tmp.flush()
            media_storage.put_file(name, tmp.name, content_type="text/plain")
        if media_storage.is_s3():
            url = media_storage.private_url(name, filename="probe.txt", seconds=60)
            with urllib.request.urlopen(url, timeout=ctx.timeout) as response:  # noqa: S310 (our bucket's URL)
                got = response.read()
            if got != payload:
                raise ValueError("the presigned link returned other bytes than were written")
    except Exception as exc:
        results.append(
            Result(
                "uploads.links",
                FAIL,
                f"Files cannot be written and read back through a signed link: {_first_line(exc)}",
                "Check MEDIA_ROOT, or the bucket's endpoint (AWS_S3_ENDPOINT_URL), credentials and region.",
            )
        )
        return results
    finally:
        with contextlib.suppress(Exception):
            media_storage.delete([name])
    if not media_storage.is_s3():
        results.append(Result("uploads.links", OK, "Local storage: uploads are written in place and served signed."))
        return results
    results.append(Result("uploads.links", OK, "A presigned GET of a probe object works."))
    client, bucket, _ = media_storage._s3()
    try:
        rules = client.get_bucket_cors(Bucket=bucket).get("CORSRules", [])
    except Exception as exc:  # NoSuchCORSConfiguration, or a store that does not implement CORS
        rules, reason = [], _first_line(exc)
    else:
        reason = "no rule allows POST"
    if not any("POST" in rule.get("AllowedMethods", []) for rule in rules):
        results.append(
            Result(
                "uploads.cors",
                WARN,
                f"The bucket has no CORS rule for browser uploads ({reason}): a SPA cannot POST files to it.",
                'Add a CORS rule allowing POST from your front end\'s origin (README, "Files and media").',
            )
        )
    else:
        results.append(Result("uploads.cors", OK, "The bucket allows browser uploads (CORS POST)."))
    return results


# --- Stripe ---------------------------------------------------------------------------------------
STRIPE_KEYS = {
    "STRIPE_SECRET_KEY": ("sk_", "rk_"),
    "STRIPE_PUBLISHABLE_KEY": ("pk_",),
    "STRIPE_WEBHOOK_SECRET": ("whsec_",),
}


def _mode(key: str) -> str | None:
    for mode in ("test", "live"):
        if f"_{mode}_" in key[:10]:
            return mode
    return None


def check_stripe(ctx: Context) -> list[Result]:
    values = {name: getattr(settings, name, "") or "" for name in STRIPE_KEYS}
    missing = [name for name, value in values.items() if not value]
    if len(missing) == len(values):
        return [
            Result(
                "stripe",
                FAIL if ctx.production else WARN,
                "Stripe is not configured: checkout answers 503.",
                "Set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET.",
            )
        ]
    if missing:
        return [
            Result(
                "stripe",
                FAIL,
                f"{', '.join(missing)} not set: checkout answers 503.",
                "Set every one of STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET.",
            )
        ]
    results = []
    for name, prefixes in STRIPE_KEYS.items():
        if not values[name].startswith(prefixes):
            got = values[name][:3] + "..." if len(values[name]) > 3 else "a short value"
            swapped = (
                " (the secret and publishable keys look swapped)" if values[name].startswith(("sk_", "pk_")) else ""
            )
            results.append(
                Result(
                    "stripe.keys",
                    FAIL,
                    f"{name} should start with {' or '.join(prefixes)}, not {got}{swapped}.",
                    f"Copy {name} again from the Stripe dashboard.",
                )
            )
    if results:
        return results
    secret_mode, public_mode = _mode(values["STRIPE_SECRET_KEY"]), _mode(values["STRIPE_PUBLISHABLE_KEY"])
    if secret_mode and public_mode and secret_mode != public_mode:
        return [
            Result(
                "stripe.keys",
                FAIL,
                f"STRIPE_SECRET_KEY is a {secret_mode} key but STRIPE_PUBLISHABLE_KEY "
                f"is a {public_mode} key: payments cannot be confirmed.",
                "Use both keys from the same mode (test or live).",
            )
        ]
    mode = secret_mode or "unknown"
    if ctx.production and mode == "test":
        results.append(
            Result(
                "stripe.keys",
                WARN,
                "Test-mode Stripe keys in production: nobody is charged.",
                "Use live keys (sk_live_..., pk_live_...).",
            )
        )
    else:
        results.append(Result("stripe.keys", OK, f"Keys present, {mode} mode."))

    base = getattr(settings, "STRIPE_API_BASE", "") or ""
    client = stripe.StripeClient(
        values["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=(min(3.0, ctx.timeout), ctx.timeout)),
    )
    where = base or "api.stripe.com"
    try:
        balance = client.v1.balance.retrieve()
    except stripe.AuthenticationError:
        results.append(
            Result(
                "stripe.api",
                FAIL,
                f"{where} refused STRIPE_SECRET_KEY (401).",
                "The key was revoked or mistyped: copy it again from the Stripe dashboard.",
            )
        )
    except stripe.PermissionError:
        results.append(
            Result(
                "stripe.api",
                WARN,
                f"{where} answered, but this restricted key cannot read the balance.",
                "Fine if the key may create PaymentIntents and refunds.",
            )
        )
    except stripe.StripeError as exc:
        results.append(
            Result(
                "stripe.api",
                FAIL,
                f"Cannot reach Stripe at {where}: {_first_line(exc)}",
                "Check the network (or STRIPE_API_BASE).",
            )
        )
    else:
        live = bool(getattr(balance, "livemode", False))
        if secret_mode and live != (secret_mode == "live"):
            results.append(
                Result(
                    "stripe.api",
                    WARN,
                    f"{where} answered in {'live' if live else 'test'} mode for a {secret_mode} key.",
                    "Check STRIPE_API_BASE and the keys.",
                )
            )
        else:
            results.append(Result("stripe.api", OK, f"{where} answered ({'live' if live else 'test'} mode)."))
    return results


# --- e-mail ---------------------------------------------------------------------------------------
def check_email(ctx: Context) -> list[Result]:
    connection = get_connection(timeout=ctx.timeout)
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2] if "." in settings.EMAIL_BACKEND else settings.EMAIL_BACKEND
    if not isinstance(connection, SMTPBackend):
        if ctx.production:
            return [
                Result(
                    "email",
                    WARN,
                    f"E-mail backend is {settings.EMAIL_BACKEND}: nothing is sent.",
                    "Set EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.com:587).",
                )
            ]
        return [Result("email", OK, f"The {backend} backend: e-mails are not sent anywhere (development).")]
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    try:
        connection.open()
        connection.close()
    except Exception as exc:
        return [
            Result(
                "email",
                FAIL,
                f"Cannot open an SMTP connection to {where}: {_first_line(exc)}",
                "Check EMAIL_URL / EMAIL_HOST, EMAIL_PORT, TLS and the credentials.",
            )
        ]
    return [Result("email", OK, f"SMTP server {where} accepted a connection.")]


# --- PDF ------------------------------------------------------------------------------------------
def check_pdf(ctx: Context) -> list[Result]:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        return [
            Result(
                "pdf",
                FAIL,
                f"WeasyPrint cannot load (Pango/HarfBuzz missing?): {_first_line(exc)}",
                "Install the system libraries: scripts/system-deps.sh (libpango-1.0-0, libpangoft2-1.0-0).",
            )
        ]
    results = [Result("pdf", OK, f"WeasyPrint {weasyprint.__version__} and its Pango libraries load.")]
    if not ctypes.util.find_library("harfbuzz-subset"):
        results.append(
            Result(
                "pdf.fonts",
                WARN,
                "libharfbuzz-subset is missing: each certificate PDF takes ~1.5 s.",
                "Install libharfbuzz-subset0 (scripts/system-deps.sh).",
            )
        )
    return results


CHECKS: dict[str, Callable[[Context], list[Result]]] = {
    "config": check_config,
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "uploads": check_uploads,
    "stripe": check_stripe,
    "email": check_email,
    "pdf": check_pdf,
    "counters": check_counters,
}
# Checks that read the whole database rather than wait on a service get at least this long.
MIN_SECONDS = {"counters": 60.0}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0] if text else ''}".rstrip(": ")[:300]


def run_check(name: str, ctx: Context) -> list[Result]:
    """Runs one check in a daemon thread and gives up after `timeout` (plus a little for the check's
    own timeouts to fire first): a hung service can never hang the command."""
    box: dict[str, object] = {}

    def target():
        try:
            box["results"] = CHECKS[name](ctx)
        except Exception as exc:  # a check that breaks is a failure of what it checks
            box["results"] = [Result(name, FAIL, f"The check itself failed: {_first_line(exc)}")]
        finally:
            connections.close_all()  # this thread's database connections only

    thread = threading.Thread(target=target, name=f"doctor-{name}", daemon=True)
    thread.start()
    deadline = max(ctx.timeout, MIN_SECONDS.get(name, 0))
    thread.join(deadline + 1)
    if thread.is_alive():
        return [Result(name, FAIL, f"No answer within {deadline:g} s.", "The service is unreachable or hanging.")]
    return box["results"]


class Command(OperatorCommand):
    help = (
        "Check this deployment: configuration (DEBUG, SECRET_KEY, ALLOWED_HOSTS, SITE_URL), the database\n"
        "and its migrations, the cache, the Celery broker and the workers consuming every queue, file storage,\n"
        "Stripe keys and API, outgoing e-mail (SMTP), the PDF libraries, and whether the stored counters\n"
        "(lesson, enrollment, rating, comment, vote and coupon figures) equal what they count. One line\n"
        "per check: OK, WARN or FAIL with what is wrong and how to fix it. Exits with status 1 when any\n"
        "check FAILs."
    )
    epilog = f"""
checks: {", ".join(CHECKS)}

examples:
  manage.py doctor
  DJANGO_SETTINGS_MODULE=lms.settings.production manage.py doctor --json
  manage.py doctor --deploy       judge these settings as production would
  manage.py doctor --check database --check cache --timeout 2
"""
    requires_system_checks = []  # a broken configuration is what doctor is for

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="append",
            choices=list(CHECKS),
            metavar="NAME",
            help=f"Run only this check (repeatable): {', '.join(CHECKS)}.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="Give up on a check after this long (default: %(default)s).",
        )
        parser.add_argument(
            "--deploy",
            action="store_true",
            help="Judge as a production deployment (stricter: DEBUG, keys, e-mail, cache...). "
            "Implied by a settings module named *production*.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help='Print {"ok": ..., "checks": [{"check", "status", "message", "fix"}]} instead of lines.',
        )

    def handle(self, *args, check, timeout, deploy, as_json, **options):
        if timeout <= 0:
            raise CommandError("--timeout must be positive.")
        names = check or list(CHECKS)
        started = time.monotonic()
        ctx = Context(timeout=timeout, production=deploy or production_settings())
        results = [result for name in names for result in run_check(name, ctx)]
        failed = [r for r in results if r.status == FAIL]
        if as_json:
            self._json(results, failed)
        else:
            self._lines(results, time.monotonic() - started)
        if failed:
            raise CommandError(f"{len(failed)} check(s) failed: {', '.join(r.check for r in failed)}.", returncode=1)

    def _json(self, results, failed) -> None:
        body = {"ok": not failed, "checks": [asdict(r) for r in results]}
        self.stdout.write(json.dumps(body, indent=2))

    def _lines(self, results, elapsed: float) -> None:
        styles = {OK: self.style.SUCCESS, WARN: self.style.WARNING, FAIL: self.style.ERROR}
        for r in results:
            fix = f" Fix: {r.fix}" if r.fix and r.status != OK else ""
            self.stdout.write(f"{styles[r.status](f'{r.status:<4}')} {r.check:<22} {r.message}{fix}")
        counts = {status: sum(r.status == status for r in results) for status in (OK, WARN, FAIL)}
        self.stdout.write(f"{counts[OK]} OK, {counts[WARN]} WARN, {counts[FAIL]} FAIL in {elapsed:.1f} s.")
