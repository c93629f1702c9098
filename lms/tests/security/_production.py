"""Runs code in a fresh interpreter under lms.settings.production: the only honest way to test
settings that are read once, at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_SECRET = "prod-test-" + "k3y" * 20  # long, random-looking, not django-insecure


def production_env(**overrides: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lms.settings.production",
            "SECRET_KEY": PRODUCTION_SECRET,
            "ALLOWED_HOSTS": "api.example.com,testserver",
            "CORS_ALLOWED_ORIGINS": "https://app.example.com",
            "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{ROOT / 'db.sqlite3'}"),
            "ENV_FILE": os.devnull,  # only what the test sets: never the checkout's own .env
        }
    )
    env.pop("REDIS_URL", None)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], **overrides: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=production_env(**overrides), capture_output=True, text=True, timeout=120
    )


# Makes requests with Django's test client inside the production process (no database needed for
# these paths) and prints what came back as JSON.
_CLIENT = """
import json, sys, django
django.setup()
from django.conf import settings
from django.test import Client
out = []
for method, path, headers in json.loads(sys.argv[1]):
    response = getattr(Client(), method)(path, secure=headers.pop("secure", True), **headers)
    out.append({"status": response.status_code, "headers": dict(response.items()),
                "body": response.content[:2000].decode("utf-8", "replace")})
print(json.dumps({"responses": out, "debug": settings.DEBUG,
                  "renderers": settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"],
                  "apps": settings.INSTALLED_APPS, "middleware": settings.MIDDLEWARE}))
"""


def requests_in_production(calls: list[tuple[str, str, dict]], **overrides: str | None) -> dict:
    result = run(["-c", _CLIENT, json.dumps(calls)], **overrides)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
