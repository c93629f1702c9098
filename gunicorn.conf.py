"""gunicorn settings, tunable from the environment. The defaults come from bench/ measurements on a
2-core machine (bench/README.md, "Worker model"): threaded workers (gthread, 2 per core, 4 threads
each) served more than sync workers (2 per core + 1) in two rounds of the same endpoints, because a
request spends much of its time waiting on PostgreSQL or Redis; and without keep-alive, since a kept
connection stays with the worker that accepted it: with a few clients (a proxy's handful of
connections, wrk's 4) one worker got them all while the other idled, and p99 grew tenfold. The proxy
in front keeps the clients' connections alive; to gunicorn each request is a new connection, taken by
whichever worker is free."""

import multiprocessing
import os

from gunicorn.glogging import Logger

# Platform hosts (Render, Heroku, Fly) say which port to listen on in PORT.
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 0))
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


class AccessLogOnRequest(Logger):
    """gunicorn builds every request's access-log fields (and formats the line) whenever a logging
    configuration is given, even with the access logger silenced, as above in production: 15-20% of
    a bare WSGI app's throughput (bench/README.md, "Production against development settings"). Here
    access lines are built only when GUNICORN_ACCESS_LOG asks for them."""

    def _compute_access_log_enabled(self):
        return bool(self.cfg.accesslog)


logger_class = AccessLogOnRequest
