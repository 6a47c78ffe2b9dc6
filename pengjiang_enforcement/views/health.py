"""/healthz: is the database, Redis and a Celery worker up?"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001  (any failure means "down")
        return f"{type(exc).__name__}: {exc}".strip()[:200]
    return None


def _check_redis() -> str | None:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}".strip()[:200]
    return None


def _check_worker() -> str | None:
    from ..celery import app

    try:
        with app.connection_for_write(settings.REDIS_URL) as conn:
            replies = app.control.ping(timeout=settings.HEALTHZ_WORKER_TIMEOUT, connection=conn)
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}".strip()[:200]
    if not replies:
        return "no Celery worker answered"
    return None


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with every check "ok", or 503 naming what is down."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    checks["worker"] = _check_worker() if checks["redis"] is None else "unreachable: Redis is down"
    down = [name for name, problem in checks.items() if problem]
    body = {
        "status": "ok" if not down else "down",
        "down": down,
        "checks": {name: problem or "ok" for name, problem in checks.items()},
    }
    return JsonResponse(body, status=503 if down else 200)
