"""/healthz: 200 when the database, Redis and a worker answer; 503 naming what is down."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_503_when_redis_is_down(settings):
    # Nothing listens on port 1 of 127.0.0.1: a real connection refusal, not a mock.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["database"] == "ok"
    assert "redis" in body["down"] and "worker" in body["down"]
    assert "Connection" in body["checks"]["redis"] or "refused" in body["checks"]["redis"]


@pytest.mark.django_db
def test_healthz_503_names_the_missing_worker(settings):
    # A Redis database no worker listens on: Redis answers, no worker does.
    settings.REDIS_URL = settings.REDIS_URL.rsplit("/", 1)[0] + "/13"
    settings.HEALTHZ_WORKER_TIMEOUT = 0.3
    response = Client().get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["down"] == ["worker"]
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "no Celery worker answered"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_200_with_a_real_worker(celery_worker_thread):
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["status"] == "ok"
