#!/bin/sh
# The schemathesis run of lms/tests/test_schemathesis.py, deeper than CI's: many more generated
# examples per operation and role, plus the coverage phase (boundary and edge values).
#
#   scripts/schemathesis.sh                                  # 100 examples per operation and role
#   SCHEMATHESIS_MAX_EXAMPLES=500 scripts/schemathesis.sh -k "forum"
#   SCHEMATHESIS_RANDOM=1 scripts/schemathesis.sh            # a fresh random run, not the derandomized one
#
# Extra arguments go to pytest. DATABASE_URL / REDIS_URL are honoured as by the rest of the suite.
set -eu
cd "$(dirname "$0")/.."
export SCHEMATHESIS_MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
export SCHEMATHESIS_COVERAGE="${SCHEMATHESIS_COVERAGE:-1}"
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-0}" -p no:randomly lms/tests/test_schemathesis.py "$@"
