"""Every rule code the portal can raise is named by a test that makes it fire.

The codes are read from the source of the apps, not from a list kept by hand, so a new
``RuleViolation(..., rule="...")`` without a test fails here. A code is found where it is written:

- the ``rule=`` of a :class:`~pengjiang_enforcement.exceptions.RuleViolation` call, or of the
  ``super().__init__`` of a subclass (``ConflictError`` is "edit_conflict");
- a ``rule`` passed through a parameter (a helper ``_text(value, rule="...")``, the ``rule=`` of a
  :class:`~pengjiang_enforcement.workflow.TransitionTable` or its default), followed back to the
  call sites and the parameter's default;
- an f-string whose placeholders are the ``code`` of an exception caught around the call
  (``rule=f"hotline_import_{exc.code}"``): the codes that exception is raised with in the
  functions the ``try`` block calls.

Anything else (a code from a dictionary, a computed string) cannot be enumerated: the collector
then fails, naming the place, so that such a code is never added silently.

A test names a code when a test module that checks which rule refused (it uses ``RuleViolation``,
``refused`` or ``.rule``) holds the code as a string literal, or when a test function's name
contains it. The check is deliberately simple; the tests themselves make the rule fire through
the services, and fail when the rule is removed.

A rule code is also its rule function's name: every function of a ``rules`` module raises only
the code spelled like itself (the last test).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("pengjiang_enforcement", "powers", "cases", "supervision")
ROOT_EXCEPTION = "RuleViolation"


class UnknownRuleCode(Exception):
    """A rule code is built in a way the collector cannot enumerate."""


@dataclass(frozen=True)
class Site:
    """Where a code is raised (or, for a code passed down, where it is written)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Module:
    path: str  # relative to the project root, with "/"
    name: str  # dotted
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def site(self, node: ast.AST) -> Site:
        return Site(self.path, getattr(node, "lineno", 0))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while node in self.parents:
            node = self.parents[node]
            yield node

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for parent in self.ancestors(node):
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
                return parent
        return None

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        for parent in self.ancestors(node):
            if isinstance(parent, ast.ClassDef):
                return parent
        return None

    @property
    def is_package(self) -> bool:
        return self.path.endswith("__init__.py")


# --- reading the apps --------------------------------------------------------------------------
def app_sources() -> dict[str, str]:
    """The source of every application module: the apps, not their tests or migrations."""
    sources = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if {"tests", "migrations"} & set(relative.parts[:-1]):
                continue
            if path.name.startswith("test_") or path.name == "conftest.py":
                continue
            sources[relative.as_posix()] = path.read_text(encoding="utf-8")
    return sources


def _module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _call_name(call: ast.Call) -> str | None:
    """``f`` of ``f(...)`` or of ``obj.f(...)``."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_super_init(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _base_names(cls: ast.ClassDef) -> set[str]:
    names = set()
    for base in cls.bases:
        if isinstance(base, ast.Name):
            names.add(base.id)
        elif isinstance(base, ast.Attribute):
            names.add(base.attr)
    return names


def _body_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's own body, not of the functions and classes defined inside it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(node))


class RuleCodes:
    """The rule codes of a set of modules, each with the places it is raised."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.modules = {
            path: Module(path, _module_name(path), ast.parse(text, filename=path)) for path, text in sources.items()
        }
        self.by_name = {module.name: module for module in self.modules.values()}
        self.exception_classes = self._rule_exception_classes()
        self.codes: dict[str, set[Site]] = {}
        for module in self.modules.values():
            for call in self._rule_calls(module):
                rule = _keyword(call, "rule")
                if rule is None:
                    raise UnknownRuleCode(f"{module.site(call)}: a rule violation without a rule= keyword")
                for code, site in self.values(module, rule, at=call):
                    self.codes.setdefault(code, set()).add(site)

    # --- where rules are raised ------------------------------------------------------------
    def _rule_exception_classes(self) -> dict[str, ast.ClassDef | None]:
        """RuleViolation and its subclasses, by name (None: the root, defined outside or here)."""
        classes: dict[str, ast.ClassDef | None] = {ROOT_EXCEPTION: None}
        definitions = [
            node for module in self.modules.values() for node in ast.walk(module.tree) if isinstance(node, ast.ClassDef)
        ]
        changed = True
        while changed:
            changed = False
            for cls in definitions:
                if cls.name not in classes and _base_names(cls) & set(classes):
                    classes[cls.name] = cls
                    changed = True
        for module in self.modules.values():  # ``from ... import RuleViolation as Refused``
            for node in ast.walk(module.tree):
                if isinstance(node, ast.ImportFrom):
                    for alias in node.names:
                        if alias.asname and alias.name in classes:
                            classes[alias.asname] = classes[alias.name]
        return classes

    def _rule_calls(self, module: Module) -> Iterator[ast.Call]:
        """Calls that give a rule violation its code.

        ``RuleViolation(...)``; a subclass called directly when it does not define ``__init__``;
        ``super().__init__(...)`` inside a subclass (its own ``rule`` is then followed back).
        """
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name in self.exception_classes:
                cls = self.exception_classes[name]
                if cls is None or not any(
                    isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in cls.body
                ):
                    yield node
            elif _is_super_init(node):
                cls = module.enclosing_class(node)
                if cls is not None and cls.name in self.exception_classes and cls.name != ROOT_EXCEPTION:
                    yield node

    # --- what a rule expression can be -----------------------------------------------------
    def values(self, module: Module, expr: ast.expr, *, at: ast.AST, depth: int = 0) -> set[tuple[str, Site]]:
        """The codes ``expr`` (written in ``module``) can take, with the place each is written."""
        if depth > 10:
            raise UnknownRuleCode(f"{module.site(expr)}: the rule code is passed on too many times to follow")
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {(expr.value, module.site(expr))}
        if isinstance(expr, ast.IfExp):
            return self.values(module, expr.body, at=at, depth=depth + 1) | self.values(
                module, expr.orelse, at=at, depth=depth + 1
            )
        if isinstance(expr, ast.JoinedStr):
            return self._formatted(module, expr, at=at)
        if isinstance(expr, ast.Name):
            return self._name(module, expr, depth=depth)
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id == "self"
            and (cls := module.enclosing_class(expr)) is not None
        ):
            return self._attribute(module, cls, expr, depth=depth)
        raise UnknownRuleCode(
            f"{module.site(expr)}: the rule code `{ast.unparse(expr)}` cannot be enumerated; "
            "write it as a string literal (or teach tests/test_rule_codes.py how to read it)"
        )

    def _name(self, module: Module, name: ast.Name, *, depth: int) -> set[tuple[str, Site]]:
        function = module.enclosing_function(name)
        if function is None:
            raise UnknownRuleCode(f"{module.site(name)}: the rule code `{name.id}` cannot be enumerated")
        arguments = function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        if name.id in {a.arg for a in [*positional, *arguments.kwonlyargs]}:
            return self._parameter(module, function, name.id, depth=depth)
        # A local variable: every value assigned to it in the function.
        assigned: list[ast.expr] = []
        for node in _body_nodes(function):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            if any(isinstance(t, ast.Name) and t.id == name.id for t in targets):
                assigned.append(value)
        if not assigned:
            raise UnknownRuleCode(f"{module.site(name)}: the rule code `{name.id}` cannot be enumerated")
        found: set[tuple[str, Site]] = set()
        for value in assigned:
            found |= self.values(module, value, at=name, depth=depth + 1)
        return found

    def _parameter(
        self, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str, *, depth: int
    ) -> set[tuple[str, Site]]:
        """A code passed in: what every call of the function (or class, for ``__init__``) passes,
        or the parameter's default where a call passes nothing."""
        arguments = function.args
        positional = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
        cls = module.enclosing_class(function)
        method = cls is not None and module.parents.get(function) is cls
        if method:
            positional = positional[1:]  # self
        callee = cls.name if method and function.name == "__init__" else function.name
        default = self._default(function, parameter)
        index = positional.index(parameter) if parameter in positional else None
        found: set[tuple[str, Site]] = set()
        for caller, call in self._calls_of(callee):
            passed = _keyword(call, parameter)
            if passed is None and index is not None and index < len(call.args):
                passed = call.args[index]
                if isinstance(passed, ast.Starred):
                    raise UnknownRuleCode(f"{caller.site(call)}: the rule code is passed with *args")
            if passed is None and any(k.arg is None for k in call.keywords):
                raise UnknownRuleCode(f"{caller.site(call)}: the rule code is passed with **kwargs")
            if passed is not None:
                found |= self.values(caller, passed, at=call, depth=depth + 1)
            elif default is not None:
                found |= {(code, caller.site(call)) for code, _site in self.values(module, default, at=function)}
        return found

    @staticmethod
    def _default(function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str) -> ast.expr | None:
        arguments = function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        with_default = positional[len(positional) - len(arguments.defaults) :]
        defaults = {a.arg: value for a, value in zip(with_default, arguments.defaults, strict=True)}
        for argument, value in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
            if value is not None:
                defaults[argument.arg] = value
        return defaults.get(parameter)

    def _calls_of(self, callee: str) -> Iterator[tuple[Module, ast.Call]]:
        for module in self.modules.values():
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Call) and _call_name(node) == callee:
                    yield module, node

    def _attribute(
        self, module: Module, cls: ast.ClassDef, attribute: ast.Attribute, *, depth: int
    ) -> set[tuple[str, Site]]:
        """``self.rule``: what the class assigns to the attribute (in a method or in its body)."""
        found: set[tuple[str, Site]] = set()
        assigned = False
        for node in ast.walk(cls):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets = [node.target]
            for target in targets:
                in_method = (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                    and target.attr == attribute.attr
                )
                in_body = isinstance(target, ast.Name) and target.id == attribute.attr and module.parents[node] is cls
                if in_method or in_body:
                    assigned = True
                    found |= self.values(module, node.value, at=node, depth=depth + 1)
        if not assigned:
            raise UnknownRuleCode(f"{module.site(attribute)}: `self.{attribute.attr}` is never assigned in {cls.name}")
        return found

    # --- f-strings ---------------------------------------------------------------------------
    def _formatted(self, module: Module, string: ast.JoinedStr, *, at: ast.AST) -> set[tuple[str, Site]]:
        """Each placeholder must be ``<exc>.<attribute>`` of a caught exception; the string takes
        every combination of the values the exception is raised with."""
        parts: list[set[str]] = []
        for value in string.values:
            if isinstance(value, ast.Constant):
                parts.append({str(value.value)})
            elif isinstance(value, ast.FormattedValue) and value.format_spec is None:
                parts.append(self._caught_attribute(module, value.value))
            else:
                raise UnknownRuleCode(f"{module.site(string)}: the rule code `{ast.unparse(string)}` cannot be read")
        site = module.site(at)
        return {("".join(combination), site) for combination in itertools.product(*parts)}

    def _caught_attribute(self, module: Module, expr: ast.expr) -> set[str]:
        fail = UnknownRuleCode(
            f"{module.site(expr)}: the placeholder `{ast.unparse(expr)}` of a rule code cannot be enumerated; "
            "only `<caught exception>.<attribute>` is followed"
        )
        if not (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)):
            raise fail
        handler = next(
            (
                parent
                for parent in module.ancestors(expr)
                if isinstance(parent, ast.ExceptHandler) and parent.name == expr.value.id
            ),
            None,
        )
        if handler is None or not isinstance(handler.type, ast.Name | ast.Attribute):
            raise fail
        exception = handler.type.id if isinstance(handler.type, ast.Name) else handler.type.attr
        try_node = module.parents[handler]
        assert isinstance(try_node, ast.Try)
        values: set[str] = set()
        seen: set[int] = set()
        for statement in try_node.body:
            values |= self._raised_with(module, statement, exception, expr.attr, seen)
        if not values:
            raise UnknownRuleCode(
                f"{module.site(expr)}: no `raise {exception}(..., {expr.attr}=...)` found in what the try block calls"
            )
        return values

    def _raised_with(self, module: Module, node: ast.AST, exception: str, keyword: str, seen: set[int]) -> set[str]:
        """The ``keyword`` values ``exception`` is raised with in ``node`` and the app functions it calls."""
        values: set[str] = set()
        for inner in [node, *_body_nodes(node)]:
            if isinstance(inner, ast.Raise) and isinstance(inner.exc, ast.Call) and _call_name(inner.exc) == exception:
                value = _keyword(inner.exc, keyword)
                if value is None:
                    continue
                if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                    raise UnknownRuleCode(f"{module.site(inner)}: `{keyword}` of {exception} is not a string literal")
                values.add(value.value)
            elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
                target = self.resolve(module, inner.func.id)
                if target is not None and id(target[1]) not in seen:
                    seen.add(id(target[1]))
                    values |= self._raised_with(*target, exception, keyword, seen)
        return values

    def resolve(self, module: Module, name: str, depth: int = 0) -> tuple[Module, ast.FunctionDef] | None:
        """The app function ``name`` means in ``module`` (defined there or imported from an app)."""
        if depth > 5:
            return None
        for node in module.tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return module, node
        for node in module.tree.body:
            if not isinstance(node, ast.ImportFrom):
                continue
            base = module.name if module.is_package else module.name.rpartition(".")[0]
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            source = ".".join(p for p in (base if node.level else "", node.module or "") if p)
            for alias in node.names:
                if alias.name == "*" or (alias.asname or alias.name) == name:
                    imported = self.by_name.get(source)
                    if imported is not None:
                        found = self.resolve(imported, alias.name if alias.name != "*" else name, depth + 1)
                        if found is not None:
                            return found
        return None


def collect_rule_codes(sources: dict[str, str] | None = None) -> dict[str, set[Site]]:
    """Every rule code the application can raise, with the places it is raised."""
    return RuleCodes(app_sources() if sources is None else sources).codes


# --- which codes the tests name ---------------------------------------------------------------
def read_test_modules() -> dict[str, str]:
    """Every test module of the apps and of tests/, except this one."""
    sources = {}
    for folder in (*APPS, "tests"):
        for path in sorted((ROOT / folder).rglob("test_*.py")):
            if path.resolve() != Path(__file__).resolve():
                sources[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return sources


def _asserts_rules(tree: ast.Module) -> bool:
    """Whether a test module checks which rule refused (``RuleViolation``, ``refused``, ``.rule``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in {ROOT_EXCEPTION, "refused"}:
            return True
        if isinstance(node, ast.Attribute) and node.attr in {ROOT_EXCEPTION, "rule", "refused"}:
            return True
    return False


def named_codes(sources: dict[str, str], codes: Iterable[str]) -> set[str]:
    """The codes a test names: as a string literal in a module that asserts rules, or in its name."""
    codes = set(codes)
    named: set[str] = set()
    for path, text in sources.items():
        tree = ast.parse(text, filename=path)
        test_names = [
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
        ]
        named |= {code for code in codes if any(code in name for name in test_names)}
        if _asserts_rules(tree):
            named |= {
                node.value
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in codes
            }
    return named


# --- the tests --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def codes() -> dict[str, set[Site]]:
    return collect_rule_codes()


def test_every_rule_code_is_named_by_a_test(codes):
    unnamed = sorted(set(codes) - named_codes(read_test_modules(), codes))
    places = "\n".join(f"  {code}: raised at {', '.join(sorted(map(str, codes[code])))}" for code in unnamed)
    assert not unnamed, f"{len(unnamed)} rule codes have no test that makes them fire:\n{places}"


def test_the_collector_finds_the_codes_passed_down(codes):
    """The codes that are not plain literals at the raise: the collector must keep finding them."""
    for code in (
        "edit_conflict",  # ConflictError's own
        "transition_order",  # the default of TransitionTable
        "hotline_transition_order",  # a table's rule=
        "hotline_reply_text",  # through the helper _text(rule=...)
        "hotline_import_old_xls",  # f"hotline_import_{exc.code}"
        "apl_42_two_officers",
    ):
        assert code in codes, code
    assert not {code for code in codes if "{" in code or not code.isidentifier()}


def test_the_collector_expands_a_caught_exception_code_to_what_the_try_block_raises():
    codes = collect_rule_codes(
        {
            "app/errors.py": (
                "class ParseError(Exception):\n"
                "    def __init__(self, message, *, code): self.code = code\n"
                "def inner(x):\n"
                "    if x: raise ParseError('a', code='empty')\n"
                "def outer(x):\n"
                "    inner(x)\n"
                "    raise ParseError('b', code='broken')\n"
                "def unrelated():\n"
                "    raise ParseError('c', code='never_reached')\n"
            ),
            "app/services.py": (
                "from .errors import ParseError, outer\n"
                "def upload(x):\n"
                "    try:\n"
                "        outer(x)\n"
                "    except ParseError as exc:\n"
                "        raise RuleViolation('m', rule=f'upload_{exc.code}')\n"
            ),
        }
    )
    assert set(codes) == {"upload_empty", "upload_broken"}
    assert {str(site) for site in codes["upload_empty"]} == {"app/services.py:6"}


def test_the_collector_follows_a_rule_passed_through_a_parameter():
    codes = collect_rule_codes(
        {
            "app/workflow.py": (
                "class Table:\n"
                "    def __init__(self, *, name, rule='transition_order'):\n"
                "        self.rule = rule\n"
                "    def check(self):\n"
                "        raise RuleViolation('m', rule=self.rule)\n"
                "def _text(value, *, rule, message):\n"
                "    raise RuleViolation(message, rule=rule)\n"
                "A = Table(name='a')\n"
                "B = Table(name='b', rule='b_order')\n"
                "def reply(text):\n"
                "    _text(text, rule='reply_text', message='m')\n"
            ),
        }
    )
    assert {code: sorted(map(str, sites)) for code, sites in codes.items()} == {
        "transition_order": ["app/workflow.py:8"],
        "b_order": ["app/workflow.py:9"],
        "reply_text": ["app/workflow.py:11"],
    }


def test_the_collector_reads_subclasses_and_aliases():
    codes = collect_rule_codes(
        {
            "app/errors.py": (
                "class Stale(RuleViolation):\n"
                "    def __init__(self, message):\n"
                "        super().__init__(message, rule='stale_edit')\n"
                "class Refusal(RuleViolation):\n"
                "    pass\n"
            ),
            "app/services.py": (
                "from .errors import Refusal\n"
                "from .exceptions import RuleViolation as Refused\n"
                "def act():\n"
                "    raise Refused('m', rule='aliased')\n"
                "def other():\n"
                "    raise Refusal('m', rule='subclassed')\n"
            ),
        }
    )
    assert set(codes) == {"stale_edit", "aliased", "subclassed"}


@pytest.mark.parametrize(
    "line",
    [
        "raise RuleViolation('m', rule=CODES[kind])",
        "raise RuleViolation('m', rule='prefix_' + kind)",
        "raise RuleViolation('m', rule=f'prefix_{kind}')",
        "raise RuleViolation('m', rule=kind.lower())",
        "raise RuleViolation('m')",
    ],
)
def test_a_code_that_cannot_be_enumerated_fails_the_collector_naming_the_place(line):
    source = f"def refuse(kind):\n    {line}\n"
    with pytest.raises(UnknownRuleCode, match=r"^app/services\.py:2: "):
        collect_rule_codes({"app/services.py": source})


def test_a_test_names_a_code_by_asserting_it_or_by_its_name():
    sources = {
        "a/test_a.py": "def test_x():\n    refused('code_one', lambda: None)\n",
        "a/test_b.py": "def test_code_two_fires():\n    pass\n",
        "a/test_c.py": "def test_y():\n    assert 'code_three'\n",  # no rule is asserted there
    }
    assert named_codes(sources, {"code_one", "code_two", "code_three"}) == {"code_one", "code_two"}


# --- a rule code is its rule function's name --------------------------------------------------
def _rule_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if path.name == "rules.py" or (path.parent.name == "rules" and "tests" not in path.parts)
    )


def test_rule_functions_raise_only_their_own_code():
    modules = _rule_modules()
    assert modules, "no rules.py found"
    wrong = []
    checked = 0
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in _body_nodes(function):
                if not (isinstance(node, ast.Call) and _call_name(node) == ROOT_EXCEPTION):
                    continue
                checked += 1
                rule = _keyword(node, "rule")
                code = rule.value if isinstance(rule, ast.Constant) else ast.unparse(rule) if rule else None
                if code != function.name:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {function.name}() raises rule={code!r}")
    assert checked, "no rule raised in the rules modules"
    assert not wrong, "a rule function raises a code other than its name:\n" + "\n".join(wrong)
