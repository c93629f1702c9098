"""gunicorn settings, tunable from the environment. The defaults come from bench/ measurements on a
2-core machine: sync-style workers with a few threads each keep both cores busy while a request
waits on PostgreSQL or Redis."""

import multiprocessing
import os

# Platform hosts (Render, Heroku, Fly) say which port to listen on in PORT.
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then (a leak cannot grow forever), rarely: a restart costs a second.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100000))
max_requests_jitter = 10000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's own lines (start, worker boot and exit, timeouts) in the same format as the app's:
# JSON in production unless LOG_FORMAT=plain.
_production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith("production")
if os.environ.get("LOG_FORMAT", "json" if _production else "plain") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "lms.logging.JSONFormatter"}},
        "filters": {"redact": {"()": "lms.logging.RedactSecretsFilter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # The app logs each request itself (lms.request, with the request id); gunicorn's access
            # lines only when GUNICORN_ACCESS_LOG asks for them.
            "gunicorn.access": {
                "handlers": ["console"],
                "level": "INFO" if accesslog else "WARNING",
                "propagate": False,
            },
        },
    }
