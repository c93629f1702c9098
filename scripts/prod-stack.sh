#!/usr/bin/env bash
# The production stack, natively (no containers): gunicorn + a Celery worker + celery beat with
# lms.settings.production against PostgreSQL and Redis. The same processes as compose.yaml.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms REDIS_URL=redis://127.0.0.1:6379/1 \
#       scripts/prod-stack.sh start      # migrate, collectstatic, start all three, wait for /ready/
#                                        # (collectstatic is skipped while the static sources are unchanged)
#   scripts/prod-stack.sh status         # which processes run, and what /ready/ says
#   scripts/prod-stack.sh logs           # follow the logs
#   scripts/prod-stack.sh stop           # stop all three (TERM, then KILL after STOP_TIMEOUT)
#   scripts/prod-stack.sh run            # start, then stay in the foreground; Ctrl-C stops everything
#
# Environment (required: DATABASE_URL on PostgreSQL, REDIS_URL; SQLite is refused):
#   HOST, PORT            bind address of gunicorn (127.0.0.1, 8000)
#   SECRET_KEY            taken from the environment, else from RUN_DIR/secret_key (created once, 0600)
#   SECURE_SSL_REDIRECT   false unless set: the stack speaks plain HTTP on loopback with no TLS proxy
#                         in front, and the production default (true) would answer every request with a
#                         redirect to https:// that nothing serves. Set it to true behind a TLS proxy.
#   ALLOWED_HOSTS         HOST,localhost,127.0.0.1 unless set
#   SITE_URL              http://HOST:PORT unless set (links in e-mails, certificate verify URLs)
#   RUN_DIR               pid files, logs, beat schedule, secret key (.run); stop/status/logs need the
#                         same RUN_DIR as start (run several stacks side by side with different ones)
#   CELERY_QUEUES         queues the worker consumes, e.g. "emails" (unset: every queue, as a plain
#                         `celery -A lms worker` does)
#   CELERY_CONCURRENCY    worker processes (2)
#   DJANGO_SUPERUSER_EMAIL, DJANGO_SUPERUSER_PASSWORD   create this admin if it does not exist
#   SEED_DEMO=1           load the demo data (manage.py seed_demo) after migrating
#   READY_TIMEOUT         seconds to wait for /ready/ (60); STOP_TIMEOUT seconds for a clean stop (30)
# Any other setting (GUNICORN_WORKERS, THROTTLE_*, EMAIL_URL, SENTRY_DSN, LOG_FORMAT, ...) is passed
# through to every process unchanged.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUN_DIR="${RUN_DIR:-$ROOT/.run}"
case "$RUN_DIR" in /*) ;; *) RUN_DIR="$ROOT/$RUN_DIR" ;; esac
HOST="${HOST:-127.0.0.1}"
PORT_SET="${PORT:-}"
PORT="${PORT:-8000}"
CELERY_QUEUES="${CELERY_QUEUES:-}"
CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-2}"
READY_TIMEOUT="${READY_TIMEOUT:-60}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"
SERVICES=(web worker beat)

if [[ -x "${VENV:-$ROOT/.venv}/bin/python" ]]; then
    BIN="${VENV:-$ROOT/.venv}/bin/"
else
    BIN=""  # installed system-wide (e.g. in a container image)
fi
PY="${BIN}python"
# The address clients use: a wildcard bind is reached through loopback.
case "$HOST" in 0.0.0.0 | "::" | "[::]") CLIENT_HOST=127.0.0.1 ;; *) CLIENT_HOST="$HOST" ;; esac
BASE_URL="http://${CLIENT_HOST}:${PORT}"

say() { printf '[prod-stack] %s\n' "$*"; }
die() { printf '[prod-stack] error: %s\n' "$*" >&2; exit 1; }

pid_of() {  # prints the pid of a running service, or fails
    local file="$RUN_DIR/$1.pid" pid
    [[ -f "$file" ]] || return 1
    pid="$(cat "$file")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    # A stale pid file (after a reboot) may name somebody else's process: check that it is ours.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq 'gunicorn|celery' || return 1
    echo "$pid"
}

launched() {  # the process `launch` started still exists. Right after the fork its command line is
    # still this script's, until setsid execs the service: pid_of would call it gone.
    local pid
    pid="$(cat "$RUN_DIR/$1.pid" 2>/dev/null)" && [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

http_status() {  # status code of GET $1, or 000
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true
}

configure() {
    [[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL is required (postgres://user:pass@host:5432/name)."
    [[ -n "${REDIS_URL:-}" ]] || die "REDIS_URL is required (redis://host:6379/N): cache and Celery broker."
    case "$DATABASE_URL" in
        postgres://* | postgresql://* | pgsql://* | psql://*) ;;
        *) die "DATABASE_URL must point at PostgreSQL; SQLite is for development only." ;;
    esac
    mkdir -p "$RUN_DIR"
    if [[ -z "${SECRET_KEY:-}" ]]; then
        if [[ ! -s "$RUN_DIR/secret_key" ]]; then
            (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$RUN_DIR/secret_key")
            say "created a SECRET_KEY in $RUN_DIR/secret_key"
        fi
        SECRET_KEY="$(cat "$RUN_DIR/secret_key")"
    fi
    export SECRET_KEY
    export DJANGO_SETTINGS_MODULE=lms.settings.production
    export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
    export ALLOWED_HOSTS="${ALLOWED_HOSTS:-$CLIENT_HOST,localhost,127.0.0.1}"
    export SITE_URL="${SITE_URL:-$BASE_URL}"
    export PYTHONUNBUFFERED=1
}

launch() {  # launch NAME CMD...: in its own session (Ctrl-C in this terminal does not reach it)
    local name="$1"
    shift
    setsid "$@" >>"$RUN_DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/$name.pid"
}

stop_all() {
    local name pid waited
    local -A pids=()
    for name in "${SERVICES[@]}"; do
        if pid="$(pid_of "$name")"; then
            pids[$name]="$pid"
            kill -TERM "$pid" 2>/dev/null || true  # gunicorn and Celery: graceful shutdown
        fi
    done
    for name in "${SERVICES[@]}"; do
        pid="${pids[$name]:-}"
        if [[ -n "$pid" ]]; then
            waited=0
            while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 10)); do
                sleep 0.1
                waited=$((waited + 1))
            done
            if kill -0 "$pid" 2>/dev/null; then
                say "$name (pid $pid) did not stop in ${STOP_TIMEOUT}s: killing its process group"
                kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
            fi
            say "stopped $name (pid $pid)"
        fi
        rm -f "$RUN_DIR/$name.pid"
    done
}

show_logs_tail() {
    local name
    for name in "${SERVICES[@]}"; do
        [[ -f "$RUN_DIR/$name.log" ]] || continue
        printf '\n----- %s (last 40 lines of %s) -----\n' "$name" "$RUN_DIR/$name.log" >&2
        tail -n 40 "$RUN_DIR/$name.log" >&2
    done
}

prepare() {
    # One Python process (each manage.py start costs seconds): migrate; collectstatic unless the
    # static sources are unchanged since the last run (a fingerprint of every file the finders see,
    # kept in STATIC_ROOT: compressing ~1,000 files takes a minute or two on a small machine);
    # seed_demo if SEED_DEMO=1; the admin from DJANGO_SUPERUSER_EMAIL/_PASSWORD if it does not exist.
    "$PY" - <<'PYTHON'
import hashlib
import os
import sys
from pathlib import Path

import django

django.setup()
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command


def say(message):
    print(f"[prod-stack] {message}", flush=True)


call_command("migrate", interactive=False, verbosity=1)

digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
for finder in get_finders():
    for path, storage in sorted(finder.list(apps.get_app_config("staticfiles").ignore_patterns)):
        stat = os.stat(storage.path(path))
        digest.update(f"{getattr(storage, 'prefix', '') or ''}/{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
root = Path(settings.STATIC_ROOT)
stamp = root / ".prod-stack-fingerprint"
fingerprint = digest.hexdigest()
if stamp.exists() and stamp.read_text() == fingerprint and (root / "staticfiles.json").exists():
    say(f"collectstatic: {root} is up to date")
else:
    say(f"collectstatic into {root}")
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)

if os.environ.get("SEED_DEMO") == "1":
    say("seed_demo")
    call_command("seed_demo")

email, password = os.environ.get("DJANGO_SUPERUSER_EMAIL"), os.environ.get("DJANGO_SUPERUSER_PASSWORD")
if email and password:
    from django.contrib.auth import get_user_model

    if get_user_model()._default_manager.filter(email__iexact=email).exists():
        say(f"the admin {email} exists already: left as it is")
    else:
        # What `manage.py createsuperuser --noinput` does: the admin role, staff and superuser.
        call_command("createsuperuser", interactive=False, verbosity=0)
        say(f"created the admin {email}")
elif email or password:
    sys.exit("DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD go together.")
PYTHON
}

cmd_start() {
    configure
    local name pid
    for name in "${SERVICES[@]}"; do
        if pid="$(pid_of "$name")"; then
            die "$name is already running (pid $pid); run '$0 stop' first (RUN_DIR=$RUN_DIR)."
        fi
    done
    if [[ "$(http_status "$BASE_URL/health/")" != "000" ]]; then
        die "something already answers on $BASE_URL; choose another PORT."
    fi
    say "settings lms.settings.production, database ${DATABASE_URL##*@}, redis ${REDIS_URL##*@}"
    say "prepare: migrate, collectstatic, seed_demo if SEED_DEMO=1, the admin if DJANGO_SUPERUSER_* are set"
    prepare
    for name in "${SERVICES[@]}"; do
        printf '\n===== %s started %s =====\n' "$name" "$(date -u +%FT%TZ)" >>"$RUN_DIR/$name.log"
    done
    launch web "${BIN}gunicorn" lms.wsgi:application -c gunicorn.conf.py --bind "$HOST:$PORT" \
        --control-socket "$RUN_DIR/gunicorn.ctl"
    launch worker "${BIN}celery" -A lms worker ${CELERY_QUEUES:+-Q "$CELERY_QUEUES"} \
        --concurrency "$CELERY_CONCURRENCY" --loglevel INFO --hostname "worker-$PORT@%h"
    launch beat "${BIN}celery" -A lms beat --loglevel INFO --schedule "$RUN_DIR/celerybeat-schedule"
    echo "$BASE_URL" >"$RUN_DIR/url"
    say "waiting for $BASE_URL/ready/ (up to ${READY_TIMEOUT}s)"
    local deadline=$((SECONDS + READY_TIMEOUT)) code=000
    while ((SECONDS < deadline)); do
        for name in "${SERVICES[@]}"; do
            if ! launched "$name"; then
                show_logs_tail
                stop_all
                die "$name exited during start-up (logs above)."
            fi
        done
        code="$(http_status "$BASE_URL/ready/")"
        [[ "$code" == "200" ]] && break
        sleep 0.5
    done
    if [[ "$code" != "200" ]]; then
        curl -s --max-time 5 "$BASE_URL/ready/" >&2 || true
        show_logs_tail
        stop_all
        die "/ready/ did not answer 200 within ${READY_TIMEOUT}s (last status $code)."
    fi
    cat <<EOF

  Production stack is up: web pid $(pid_of web), worker pid $(pid_of worker), beat pid $(pid_of beat)
    API         $BASE_URL/api/v1/
    Swagger UI  $BASE_URL/api/docs/      ReDoc: $BASE_URL/api/redoc/
    Admin       $BASE_URL/admin/
    Health      $BASE_URL/health/        Ready: $BASE_URL/ready/
    Logs        $RUN_DIR/{web,worker,beat}.log
    Stop        RUN_DIR=$RUN_DIR $0 stop

EOF
}

cmd_stop() {
    stop_all
}

cmd_status() {
    local name pid rc=0 body
    # The URL of the last start in this RUN_DIR, unless HOST/PORT say otherwise.
    if [[ -z "${PORT_SET:-}" && -s "$RUN_DIR/url" ]]; then BASE_URL="$(cat "$RUN_DIR/url")"; fi
    for name in "${SERVICES[@]}"; do
        if pid="$(pid_of "$name")"; then
            printf '  %-7s running  pid %s\n' "$name" "$pid"
        else
            printf '  %-7s stopped\n' "$name"
            rc=1
        fi
    done
    body="$(curl -s --max-time 5 -w ' (HTTP %{http_code})' "$BASE_URL/ready/" 2>/dev/null || true)"
    [[ "$body" == *"(HTTP 000)" ]] && body="no answer on $BASE_URL"
    printf '  ready   %s\n' "$body"
    [[ "$body" == *"(HTTP 200)" ]] || rc=1
    return "$rc"
}

cmd_run() {
    trap 'trap - INT TERM EXIT; echo; stop_all; exit 0' INT TERM
    trap 'stop_all' EXIT
    cmd_start
    say "running in the foreground; Ctrl-C stops the stack"
    local name
    while true; do
        for name in "${SERVICES[@]}"; do
            if ! pid_of "$name" >/dev/null; then
                show_logs_tail
                die "$name exited; stopping the rest."
            fi
        done
        sleep 2
    done
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_stop && cmd_start ;;
    status) cmd_status ;;
    run) cmd_run ;;
    logs) tail -n 50 -F "$RUN_DIR"/web.log "$RUN_DIR"/worker.log "$RUN_DIR"/beat.log ;;
    *)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
