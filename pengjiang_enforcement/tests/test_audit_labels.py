"""Every action the audit trail can hold reads as words on the audit page, with its code beside.

The codes are collected from the source (every ``action=`` the apps pass), the transition tables,
the background jobs and the admin pages that save reference data, so a new code without a label
fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib import admin

from cases.services.config import reference_data_save
from pengjiang_enforcement import actions
from pengjiang_enforcement.audit import audit_record
from pengjiang_enforcement.models.jobs import BackgroundJob
from pengjiang_enforcement.workflow import TransitionTable

ROOT = Path(__file__).resolve().parents[2]
APPS = ("pengjiang_enforcement", "powers", "cases", "supervision")


def _constant_strings(node: ast.expr, assigned: dict[str, list[ast.expr]]) -> list[str] | None:
    """The strings an expression can be, when they can be read from it (None otherwise).

    A local name counts with every value the module assigns to that name.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in assigned:
        values = [_constant_strings(value, {}) for value in assigned[node.id]]
        return None if any(v is None for v in values) else [s for v in values for s in v or []]
    if isinstance(node, ast.IfExp):
        body, orelse = _constant_strings(node.body, assigned), _constant_strings(node.orelse, assigned)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_strings(node.left, assigned), _constant_strings(node.right, assigned)
        if left is None or right is None:
            return None
        return [a + b for a in left for b in right]
    return None


def _written_codes() -> tuple[set[str], list[str]]:
    codes: set[str] = set()
    unread: list[str] = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assigned: dict[str, list[ast.expr]] = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, []).append(node.value)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name != "audit_record":
                    continue
                for keyword in node.keywords:
                    if keyword.arg != "action":
                        continue
                    found = _constant_strings(keyword.value, assigned)
                    if found is None:
                        unread.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                    else:
                        codes.update(found)
    return codes, unread


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in [direct, *_subclasses(direct)]]


def _composed_codes() -> set[str]:
    """The codes written from parts: transitions, jobs, reference data saved in the admin."""
    import cases.hotline.workflow
    import cases.workflow
    import powers.adjustments

    codes: set[str] = set()
    for module in (cases.workflow, cases.hotline.workflow, powers.adjustments):
        for table in vars(module).values():
            if isinstance(table, TransitionTable):
                # A step agreed in the table but without a service yet (not built) writes nothing.
                codes.update(table.audit_code(t.event) for t in table if t.event and t.built)
    for job in _subclasses(BackgroundJob):
        if not job._meta.abstract and job.audit_prefix:
            codes.update({f"{job.audit_prefix}failed", f"{job.audit_prefix}resumed"})
    for model, model_admin in admin.site._registry.items():
        # Admin pages that save through reference_data_save write cases.<model>.created/changed.
        if reference_data_save.__name__ in _admin_source(type(model_admin)):
            codes.update({f"cases.{model._meta.model_name}.created", f"cases.{model._meta.model_name}.changed"})
    return codes


def _admin_source(cls: type) -> str:
    import inspect

    return "".join(inspect.getsource(klass) for klass in cls.__mro__ if klass.__module__.startswith("cases"))


def test_every_audit_action_the_code_writes_has_a_label():
    codes, unread = _written_codes()
    composed = _composed_codes()
    # The only codes the collector cannot read are the composed ones: transitions, jobs and
    # reference data.
    composed_in = {"pengjiang_enforcement/workflow.py", "pengjiang_enforcement/jobs.py", "cases/services/config.py"}
    assert {place.split(":")[0] for place in unread} <= composed_in, unread
    assert "core.user.logged_in" in codes and "core.user.locked_out" in codes
    assert any(code.startswith("cases.case.") for code in composed)
    assert "cases.workorder.import_failed" in composed
    assert any(code.startswith("cases.procedurepolicy.") for code in composed)
    missing = sorted(code for code in codes | composed if not actions.is_registered(code))
    assert missing == [], missing


@pytest.mark.django_db
def test_audit_page_shows_labels_with_the_code_in_a_tooltip(login, district_admin, duruan_officer):
    audit_record(action="core.user.locked_out", obj=duruan_officer, actor=None, after={"ip": "127.0.0.1"})
    body = login(district_admin).get("/audit/").content.decode()
    # The sign-in of the admin and the lockout, in words, each with its code as the tooltip.
    assert '<span title="core.user.logged_in" data-action="core.user.logged_in">登录</span>' in body
    locked_out = actions.label("core.user.locked_out")
    assert f'<span title="core.user.locked_out" data-action="core.user.locked_out">{locked_out}</span>' in body
