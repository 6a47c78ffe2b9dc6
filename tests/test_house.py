"""Rules of the house that code review alone would let slip: module size and the direction of
imports between the apps."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
APPS = ("pengjiang_enforcement", "powers", "cases", "supervision")
MAX_LINES = 800
# core <- powers <- cases <- supervision: an app imports only the apps before it.
LAYERS = {"pengjiang_enforcement": 0, "powers": 1, "cases": 2, "supervision": 3}


def _source_files() -> list[Path]:
    """The project's Python files as git tracks them (the checkout, not a virtualenv)."""
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    return [BASE_DIR / name for name in listed if (BASE_DIR / name).exists()]


def test_no_module_passes_800_lines():
    """STYLE.md: split a module before it passes ~800 lines. Migrations are generated, not read."""
    too_long = []
    for path in _source_files():
        if "migrations" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            too_long.append(f"{path.relative_to(BASE_DIR)}: {lines} lines")
    assert too_long == [], "split these modules: " + "; ".join(too_long)


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found |= {name.split(".")[0] for name in names if name.split(".")[0] in LAYERS}
    return found


def test_imports_flow_one_way_between_the_apps():
    """ARCHITECTURE.md: core <- powers <- cases <- supervision; a lower app never imports a
    higher one (tests and migrations aside)."""
    wrong = []
    for path in _source_files():
        app = path.relative_to(BASE_DIR).parts[0]
        if app not in LAYERS or "tests" in path.parts or "migrations" in path.parts:
            continue
        for other in _imported_apps(path):
            if LAYERS[other] > LAYERS[app]:
                wrong.append(f"{path.relative_to(BASE_DIR)} imports {other}")
    assert wrong == []
