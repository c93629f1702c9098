#!/usr/bin/env bash
# CI: the production stack on a fresh database, a student's journey over HTTP, the typed TypeScript
# client's check and journeys (clients/typescript), then the browser tests against it; everything is
# stopped on exit, and the server logs are printed on failure.
#
#   scripts/ci-stack.sh
#
# Environment (all optional):
#   CI_DATABASE_URL   database to drop and create (postgres://postgres@127.0.0.1:5432/lms_stack_ci)
#   CI_REDIS_URL      Redis database to empty first (redis://127.0.0.1:6379/13); never one in 0-8
#   CI_PORT           port of gunicorn on 127.0.0.1 (8113)
#   CI_STRIPE_PORT    port of the Stripe emulator (localstripe) on 127.0.0.1 (8114)
#   CI_E2E=0          skip the browser tests (lms/tests/e2e, marker e2e) even when they exist
# Takes about a minute on the 2-core CI machine (start-up ~35 s of migrate + collectstatic).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"

CI_DATABASE_URL="${CI_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lms_stack_ci}"
CI_REDIS_URL="${CI_REDIS_URL:-redis://127.0.0.1:6379/13}"
CI_PORT="${CI_PORT:-8113}"
CI_STRIPE_PORT="${CI_STRIPE_PORT:-8114}"
BASE_URL="http://127.0.0.1:$CI_PORT"

export RUN_DIR="$ROOT/.run/ci"
export HOST=127.0.0.1 PORT="$CI_PORT"
export DATABASE_URL="$CI_DATABASE_URL" REDIS_URL="$CI_REDIS_URL"
export GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}" CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-1}"
# The browser tests sign in to the Django admin as this user.
export DJANGO_SUPERUSER_EMAIL="${DJANGO_SUPERUSER_EMAIL:-admin@ci.lms}"
export DJANGO_SUPERUSER_PASSWORD="${DJANGO_SUPERUSER_PASSWORD:-ci-$("$PY" -c 'import secrets; print(secrets.token_hex(12))')}"
# Everything comes from one loopback address: room for the journey's and the browser tests' sign-ins,
# and for their anonymous requests (token refreshes, the catalog, public reads), which count per address.
export THROTTLE_AUTH="${THROTTLE_AUTH:-400/min}" THROTTLE_ANON="${THROTTLE_ANON:-1000/min}"
export LOG_FORMAT="${LOG_FORMAT:-plain}"
# The typed journey points a webhook endpoint at a receiver of its own on loopback.
export WEBHOOKS_ALLOW_PRIVATE_TARGETS=true
# Its own static directory, collected once and reused while the sources do not change.
export STATIC_ROOT="${STATIC_ROOT:-$RUN_DIR/static}"
unset SECRET_KEY
mkdir -p "$RUN_DIR"
rm -f "$RUN_DIR"/*.log "$RUN_DIR/secret_key" "$RUN_DIR/celerybeat-schedule"

STARTED=$SECONDS
phase() { printf '\n== [%3ds] %s\n' "$((SECONDS - STARTED))" "$*"; }

STRIPE_PID=""
finish() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n "$STRIPE_PID" ]] && kill "$STRIPE_PID" 2>/dev/null || true
    if ((rc != 0)); then
        for name in web worker beat; do
            [[ -f "$RUN_DIR/$name.log" ]] || continue
            printf '\n----- %s log (last 150 lines) -----\n' "$name"
            tail -n 150 "$RUN_DIR/$name.log"
        done
    fi
    phase "stopping the stack"
    scripts/prod-stack.sh stop || true
    if ((rc == 0)); then
        phase "PASS in $((SECONDS - STARTED))s"
    else
        phase "FAIL (exit $rc) after $((SECONDS - STARTED))s"
    fi
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

phase "fresh database ${CI_DATABASE_URL##*/} and Redis ${CI_REDIS_URL}"
case "${CI_REDIS_URL##*/}" in
    [0-8] | "" | *[!0-9]*) echo "CI_REDIS_URL must name a Redis database above 8 (it is emptied)" >&2; exit 2 ;;
esac
"$PY" - "$CI_DATABASE_URL" "$CI_REDIS_URL" <<'EOF'
import sys

import psycopg
import redis

url, redis_url = sys.argv[1], sys.argv[2]
name = url.rsplit("/", 1)[1]
with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
redis.Redis.from_url(redis_url).flushdb()
EOF

phase "Stripe emulator (localstripe) on 127.0.0.1:$CI_STRIPE_PORT, so checkout and refunds work end to end"
"$PY" scripts/localstripe_server.py "$CI_STRIPE_PORT" >"$RUN_DIR/localstripe.log" 2>&1 &
STRIPE_PID=$!
for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$CI_STRIPE_PORT/js.stripe.com/v3/" 2>/dev/null && break
    sleep 0.2
done
export STRIPE_API_BASE="http://127.0.0.1:$CI_STRIPE_PORT"
export STRIPE_SECRET_KEY=sk_test_ci STRIPE_PUBLISHABLE_KEY=pk_test_ci
export STRIPE_WEBHOOK_SECRET="whsec_ci$("$PY" -c 'import secrets; print(secrets.token_hex(12))')"

phase "starting the production stack on $BASE_URL"
scripts/prod-stack.sh start

phase "manage.py doctor, with the stack's configuration"
DJANGO_SETTINGS_MODULE=lms.settings.production SECRET_KEY="$(cat "$RUN_DIR/secret_key")" \
    SECURE_SSL_REDIRECT=false ALLOWED_HOSTS="127.0.0.1,localhost" SITE_URL="$BASE_URL" \
    "$PY" manage.py doctor

phase "student journey"
"$PY" scripts/smoke_journey.py "$BASE_URL"

phase "typed client (clients/typescript): current with the served schema, tsc --strict, typed journeys"
# npm ci installs from the committed lock file (npm's cache makes reruns quick). The journeys reach the
# server over HTTP only, as the browser tests do; every response is validated against the schema.
(
    cd clients/typescript
    npm ci --no-audit --no-fund --prefer-offline --loglevel=error
    env -u DATABASE_URL -u REDIS_URL -u SECRET_KEY -u DJANGO_SETTINGS_MODULE \
        LMS_URL="$BASE_URL" \
        LMS_ADMIN_EMAIL="$DJANGO_SUPERUSER_EMAIL" LMS_ADMIN_PASSWORD="$DJANGO_SUPERUSER_PASSWORD" \
        LMS_STRIPE_API_BASE="$STRIPE_API_BASE" LMS_STRIPE_WEBHOOK_SECRET="$STRIPE_WEBHOOK_SECRET" \
        LMS_STRIPE_SECRET_KEY="$STRIPE_SECRET_KEY" \
        bash scripts/check.sh
)

if [[ -d lms/tests/e2e && "${CI_E2E:-1}" != "0" ]]; then
    phase "browser tests (lms/tests/e2e)"
    # The tests reach the server over HTTP only: they get no handle on its database or Redis.
    env -u DATABASE_URL -u REDIS_URL -u SECRET_KEY -u DJANGO_SETTINGS_MODULE \
        LMS_E2E_URL="$BASE_URL" \
        LMS_E2E_ADMIN_EMAIL="$DJANGO_SUPERUSER_EMAIL" \
        LMS_E2E_ADMIN_PASSWORD="$DJANGO_SUPERUSER_PASSWORD" \
        LMS_E2E_STRIPE_API_BASE="$STRIPE_API_BASE" LMS_E2E_STRIPE_WEBHOOK_SECRET="$STRIPE_WEBHOOK_SECRET" \
        LMS_E2E_STRIPE_SECRET_KEY="$STRIPE_SECRET_KEY" \
        "$PY" -m pytest -n 0 -m e2e lms/tests/e2e
else
    phase "browser tests: lms/tests/e2e is not there (or CI_E2E=0); skipped"
fi
