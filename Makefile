# Quick start:  make run   (set up, load demo data, serve the API on http://127.0.0.1:8000)
#               make test  (the whole test suite)
# Both create .venv with the machine's Python and install what they need on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install lint check worker beat clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@bash scripts/system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# This checkout's own SECRET_KEY in .env (sessions, reset links and JWTs are signed with it).
# The translations (locale/*/LC_MESSAGES/django.po) are compiled into .mo files Django reads.
install: $(VENV)/.installed
	@$(PY) scripts/ensure_secret_key.py
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=clients --verbosity 0

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  API:        http://$(HOST):$(PORT)/api/v1/"
	@echo "  Swagger UI: http://$(HOST):$(PORT)/api/docs/     ReDoc: http://$(HOST):$(PORT)/api/redoc/"
	@echo "  Admin:      http://$(HOST):$(PORT)/admin/"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

worker: install
	$(VENV)/bin/celery -A lms worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A lms beat --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var staticfiles

# The TypeScript client (clients/typescript): `make client` regenerates openapi.json (from the code, no
# server needed) and src/schema.d.ts from it; commit both. `make client-check LMS_URL=http://...` fails
# when they are stale against the SERVED schema, type-checks, and runs the typed journeys there
# (LMS_ADMIN_EMAIL, LMS_ADMIN_PASSWORD and the LMS_STRIPE_* of its Stripe emulator; see the script).
CLIENT := clients/typescript
.PHONY: client client-check

client: install
	cd $(CLIENT) && npm ci --no-audit --no-fund --loglevel=error
	$(PY) manage.py spectacular --format openapi-json --file $(CLIENT)/openapi.json
	cd $(CLIENT) && npm run --silent generate

client-check:
	bash $(CLIENT)/scripts/check.sh
