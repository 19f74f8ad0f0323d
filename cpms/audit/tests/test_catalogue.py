"""Every action code recorded anywhere in the source is in the catalogue, with a label and a category."""

import ast
from functools import cache
from pathlib import Path

import pytest

from cpms.audit.catalogue import CATALOGUE, CATEGORIES, describe, find

SOURCE = Path(__file__).resolve().parents[2]  # cpms/


@cache
def modules() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(), str(path))
        for path in SOURCE.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(SOURCE).parts)
    }


def is_record_call(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
    return name == "record"


def action_argument(call: ast.Call):
    if len(call.args) > 1:
        return call.args[1]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "action"), None)


# Indexes built once per module (or once for all of them): walking every tree again for each call
# site made this file take most of a minute.
@cache
def parents(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


@cache
def assignments(tree: ast.Module) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for name in {t.id for t in node.targets if isinstance(t, ast.Name)}:
                found.setdefault(name, []).append(node.value)
    return found


@cache
def calls_by_name() -> dict[str, list[ast.Call]]:
    """Every call in the source, by the name (or attribute) it calls."""
    found: dict[str, list[ast.Call]] = {}
    for tree in modules().values():
        for call in ast.walk(tree):
            if isinstance(call, ast.Call):
                found.setdefault(getattr(call.func, "id", getattr(call.func, "attr", None)), []).append(call)
    return found


def enclosing_functions(tree: ast.Module, target: ast.AST) -> list[ast.FunctionDef]:
    """The functions around `target`, outermost first."""
    functions, node = [], parents(tree).get(target)
    while node is not None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(node)
        node = parents(tree).get(node)
    return functions[::-1]


def codes_of(expr, tree: ast.Module, around: ast.AST) -> list[str] | None:
    """The codes this expression can be: literals, f-strings as patterns (`…*`), names followed to
    their assignments, their parameter's default and the keyword arguments callers pass. None when
    it cannot be told from the source."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.JoinedStr):
        return ["".join(part.value if isinstance(part, ast.Constant) else "*" for part in expr.values)]
    if isinstance(expr, ast.IfExp):
        body, orelse = codes_of(expr.body, tree, around), codes_of(expr.orelse, tree, around)
        return None if body is None or orelse is None else body + orelse
    if isinstance(expr, ast.Name):
        return codes_of_name(expr.id, tree, around)
    return None


def codes_of_name(name: str, tree: ast.Module, around: ast.AST) -> list[str] | None:
    values = list(assignments(tree).get(name, []))
    for function in enclosing_functions(tree, around):
        arguments = function.args.kwonlyargs
        defaults = function.args.kw_defaults
        values += [
            default for arg, default in zip(arguments, defaults, strict=True) if arg.arg == name and default
        ]
        positional = function.args.posonlyargs + function.args.args
        values += [
            default
            for arg, default in zip(
                positional[len(positional) - len(function.args.defaults) :],
                function.args.defaults,
                strict=True,
            )
            if arg.arg == name
        ]
        values += [
            keyword.value
            for call in calls_by_name().get(function.name, [])
            for keyword in call.keywords
            if keyword.arg == name
        ]
    if not values:
        return None
    codes = [codes_of(value, tree, around) for value in values]
    return None if None in codes else [code for found in codes for code in found]


@cache
def recorded_codes() -> dict[str, list[str]]:
    """Each code (or pattern) recorded in the source, with where; unresolvable call sites under "?"."""
    found: dict[str, list[str]] = {}
    for path, tree in modules().items():
        for call in filter(is_record_call, ast.walk(tree)):
            if (expr := action_argument(call)) is None:
                continue
            where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
            for code in codes_of(expr, tree, call) or ["?"]:
                found.setdefault(code, []).append(where)
    return found


def test_it_finds_the_codes_recorded_in_the_source():
    codes = recorded_codes()
    assert "access.request.approved" in codes  # a literal
    assert "access.grant.expiry_notice" in codes  # a module constant
    assert {"access.grant.changed_in_admin", "access.grant.created_in_admin"} <= set(codes)  # a conditional
    assert {"identity.signout", "identity.session.expired"} <= set(codes)  # a default and a caller's keyword
    assert "identity.oidc.*" in codes  # an f-string


def test_every_recorded_code_is_catalogued():
    codes = recorded_codes()
    assert "?" not in codes, f"an action code that cannot be read from the source at {codes.get('?')}"
    missing = {code: where for code, where in codes.items() if "*" not in code and find(code) is None}
    patterns = {code: where for code, where in codes.items() if "*" in code and code not in CATALOGUE}
    assert missing == {}, "add these codes to cpms/audit/catalogue.py"
    assert patterns == {}, "add these patterns (codes built at run time) to cpms/audit/catalogue.py"


def test_every_catalogued_code_is_recorded_somewhere():
    assert set(CATALOGUE) - set(recorded_codes()) == set()


@pytest.mark.parametrize("action", CATALOGUE.values(), ids=list(CATALOGUE))
def test_every_code_has_a_label_and_a_known_category(action):
    assert str(action.label).strip() and str(action.label) != action.code
    assert action.category in CATEGORIES


def test_it_describes_codes_built_at_run_time_and_unknown_ones():
    assert describe("identity.oidc.invalid_grant").category == "oidc"
    assert describe("access.request.approved").label == "Request approved"
    assert describe("retired.code").label == "retired.code"
