"""The deployment files: docker compose accepts the file; it runs the services the README names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
COMPOSE = Path(sys.executable).parent / "docker-compose"


def _config(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(COMPOSE), "config", "--format", "json"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
        timeout=60,
    )


def test_docker_compose_accepts_the_file():
    result = _config()
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(config["services"])
    assert {"pgdata", "redisdata", "media", "beat"} <= set(config["volumes"])
    for name in ("postgres", "redis", "web", "worker"):
        assert config["services"][name].get("healthcheck"), f"{name} has no health check"


def test_compose_services_use_the_same_image_and_real_services():
    config = json.loads(_config(SECRET_KEY="x" * 60).stdout)
    web = config["services"]["web"]
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:6379")
    assert web["environment"]["DEBUG"] == "0"
    assert config["services"]["worker"]["image"] == web["image"] == config["services"]["beat"]["image"]


def test_dockerfile_installs_the_pdf_libraries_and_a_cjk_font():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    for package in ("libpango-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk"):
        assert package in dockerfile


def test_every_environment_variable_is_in_the_readme():
    import re

    readme = (BASE_DIR / "README.md").read_text()
    sources = [BASE_DIR / "pengjiang_enforcement" / "settings.py", BASE_DIR / "pengjiang_enforcement" / "devstack.py"]
    names = set()
    for source in sources:
        names |= set(re.findall(r'env_(?:str|bool|int|float|list|addresses)\("([A-Z_]+)"', source.read_text()))
        names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source.read_text()))
    names -= {"DJANGO_SETTINGS_MODULE"}
    assert names, "no variables found"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == []
