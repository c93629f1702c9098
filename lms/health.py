"""/health/ says the process is up (no I/O: the load balancer's liveness probe); /ready/ says it
can serve (database, cache and broker reachable: the readiness probe). `/ready/?detail=1` also asks
the live workers which queues they consume, for monitoring: a queue that jobs are routed to and no
worker reads means certificates and e-mails that never come. That is not part of the plain probe,
which must not take the web servers out of rotation because a worker is down."""

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from lms.api.responses import errors, ok
from lms.errors import InvalidInput

BOOLEAN_VALUES = {"true": True, "1": True, "false": False, "0": False}


def _check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    cache.set("ready-probe", "1", 10)
    if cache.get("ready-probe") != "1":
        raise RuntimeError("the cache did not return what was stored")


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return "ok (jobs run inline)"
    from lms.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _check_workers() -> str:
    from lms.celery import app
    from lms.jobs import describe_missing, queues_without_consumer

    if app.conf.task_always_eager:
        return "ok (jobs run inline)"

    missing, consumers = queues_without_consumer(app, timeout=1.0)
    if missing:
        raise RuntimeError(f"no live worker consumes {describe_missing(missing)}")
    return f"ok ({', '.join(sorted(consumers))} consumed)"


def _workers_kind() -> str:
    return "celery"


def _database_kind() -> str:
    return connections["default"].vendor  # "postgresql", "sqlite"


def _cache_kind() -> str:
    backend = settings.CACHES["default"]["BACKEND"]
    return "redis" if "redis" in backend.lower() else backend.rpartition(".")[2]


def _broker_kind() -> str:
    from lms.celery import app

    return str(app.conf.broker_url).partition("://")[0]  # "redis": never the URL, which may hold a password


HealthSerializer = inline_serializer("Health", {"status": serializers.CharField()})
ReadySerializer = inline_serializer(
    "Ready", {"status": serializers.CharField(), "checks": serializers.DictField(child=serializers.CharField())}
)


@extend_schema(
    responses={200: HealthSerializer},
    examples=[ok({"status": "ok"})],
    tags=["ops"],
    summary="Liveness: the process is up",
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def health(request):
    return Response({"status": "ok"})


@extend_schema(
    parameters=[
        OpenApiParameter(
            "detail",
            bool,
            description="Also check that a live worker consumes every queue that jobs are routed to "
            "(`checks.workers`); a queue nobody consumes makes the answer 503. Costs up to a second.",
        )
    ],
    responses={
        200: ReadySerializer,
        **errors(400, throttled=False),
        503: OpenApiResponse(ReadySerializer, description="A dependency is down"),
    },
    examples=[
        ok({"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}),
        ok(
            {
                "status": "unavailable",
                "checks": {
                    "database": "ok",
                    "cache": "down: ConnectionError: Error 111 connecting to 10.0.0.5:6379. (redis)",
                    "broker": "ok",
                },
            },
            "The cache is down",
            status=503,
        ),
        ok(
            {
                "status": "ok",
                "checks": {
                    "database": "ok",
                    "cache": "ok",
                    "broker": "ok",
                    "workers": "ok (certificates, default, emails consumed)",
                },
            },
            "With ?detail=1",
        ),
        ok(
            {
                "status": "unavailable",
                "checks": {
                    "database": "ok",
                    "cache": "ok",
                    "broker": "ok",
                    "workers": "FAIL: no live worker consumes certificates (certificate_issue_task, "
                    "certificates_issue_missing_task) (celery)",
                },
            },
            "With ?detail=1, no worker reads the certificates queue",
            status=503,
        ),
    ],
    tags=["ops"],
    summary="Readiness: database, cache and broker reachable",
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def ready(request):
    detail = request.query_params.get("detail", "false").strip().lower()
    if detail not in BOOLEAN_VALUES:
        raise InvalidInput(_("`detail` must be true or false (or 1 or 0)."), extra={"field": "detail"})
    probes = [
        ("database", _check_database, _database_kind),
        ("cache", _check_cache, _cache_kind),
        ("broker", _check_broker, _broker_kind),
    ]
    checks: dict[str, str] = {}
    healthy = True
    for name, check, kind in probes:
        try:
            checks[name] = check() or "ok"
        except Exception as exc:  # any failure of a dependency means "not ready", named with its kind
            healthy = False
            checks[name] = f"down: {exc.__class__.__name__}: {str(exc)[:240]} ({kind()})"
    if BOOLEAN_VALUES[detail]:
        if checks["broker"].startswith("down"):
            checks["workers"] = "unknown: the broker is down"
        else:
            try:
                checks["workers"] = _check_workers()
            except Exception as exc:
                healthy = False
                checks["workers"] = f"FAIL: {str(exc)[:400]} ({_workers_kind()})"
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    return Response(body, status=200 if healthy else 503)
