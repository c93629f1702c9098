#!/usr/bin/env bash
# Keeps the TypeScript client true to a running server:
#   1. the committed openapi.json must equal the schema the server serves, and src/schema.d.ts must be
#      what openapi-typescript makes of it (else: a diff, and "run make client");
#   2. no casts or non-null assertions in the client and the journeys;
#   3. tsc --strict on everything (src/ and journey/), compiled to build/;
#   4. the response validator's self-test (journey/selftest.ts, no server): it must flag synthetic
#      wrong responses (undocumented status or content type; extra, missing, null or mistyped fields;
#      a wrong oneOf tag) and pass correct ones and every documented example;
#   5. the typed journeys against the server: every response validated against the schema, every
#      operation called (journey/lib.ts), failing on any mismatch.
#
#   LMS_URL=http://127.0.0.1:8000 LMS_ADMIN_EMAIL=... LMS_ADMIN_PASSWORD=... \
#   LMS_STRIPE_API_BASE=http://127.0.0.1:8420 LMS_STRIPE_WEBHOOK_SECRET=whsec_... [LMS_STRIPE_SECRET_KEY=sk_test_...] \
#       clients/typescript/scripts/check.sh
#
# SCHEMA_URL overrides where the schema is read ($LMS_URL/api/schema/?format=json); JOURNEY=0 stops
# after step 4. Runs `npm ci` first when node_modules is missing.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$DIR"
export LMS_URL="${LMS_URL:-http://127.0.0.1:8000}"
SCHEMA_URL="${SCHEMA_URL:-${LMS_URL%/}/api/schema/?format=json}"
STARTED=$SECONDS
say() { printf '[client-check %3ds] %s\n' "$((SECONDS - STARTED))" "$*"; }

[[ -f node_modules/.package-lock.json ]] || npm ci --no-audit --no-fund --loglevel=error
BIN="$DIR/node_modules/.bin"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

say "the served schema ($SCHEMA_URL) against the committed openapi.json"
curl -fsS --max-time 60 -o "$TMP/openapi.json" "$SCHEMA_URL"
stale=0
if ! diff -u openapi.json "$TMP/openapi.json" >"$TMP/openapi.diff"; then
    head -n 200 "$TMP/openapi.diff"
    echo "openapi.json is stale ($(grep -c '^[-+][^-+]' "$TMP/openapi.diff") lines differ)" >&2
    stale=1
fi
"$BIN/openapi-typescript" "$TMP/openapi.json" --default-non-nullable false --output "$TMP/schema.d.ts" >/dev/null
if ! diff -u src/schema.d.ts "$TMP/schema.d.ts" >"$TMP/schema.diff"; then
    head -n 200 "$TMP/schema.diff"
    echo "src/schema.d.ts is stale ($(grep -c '^[-+][^-+]' "$TMP/schema.diff") lines differ)" >&2
    stale=1
fi
if ((stale)); then
    echo "the committed client does not match the served schema: run \`make client\` and commit the result" >&2
    exit 1
fi

say "no casts and no non-null assertions (narrow with expectStatus / check instead)"
# `as const` and import/export renames are fine; `x as T`, `<T>x` and `x!` are not.
if grep -nE '\bas (unknown|any|[A-Z][A-Za-z0-9_.]*|\{|\()' src/index.ts journey/*.ts | grep -vE '^[^:]+:[0-9]+:\s*(import|export) ' ||
    grep -nE '[A-Za-z0-9_)\]]!(\.|\[|\)|;|,)' src/index.ts journey/*.ts; then
    echo "a cast or non-null assertion (above): narrow the type instead" >&2
    exit 1
fi

say "tsc --strict (src/, journey/) into build/"
rm -rf build
"$BIN/tsc" -p . --strict

say "validator self-test (journey/selftest.ts: what the response validator must flag, and pass)"
node build/journey/selftest.js

if [[ "${JOURNEY:-1}" == "0" ]]; then
    say "journeys skipped (JOURNEY=0)"
    exit 0
fi
say "typed journeys against $LMS_URL"
node build/journey/main.js
say "done"
