"""Exact evaluation of what is written literally, inside one module.

`for bp, prefix in ((billing, "/billing"), (search, "/search")): app.register_blueprint(bp,
url_prefix=prefix)` mounts `billing` under `/billing` and `search` under `/search`: nothing about
it is dynamic. This module turns such loops into one environment per iteration (loop variable →
the expression it stands for), substitutes them into an expression, and evaluates strings built
from literals and string constants (`f"{API}/users"`, `"app.plugins." + name`).

Only what is written in the module counts: a name bound to a literal list, tuple, set or dict
(and never changed in place afterwards), `.items()`, `.keys()`, `.values()` of a literal dict,
`enumerate` and `zip` of literals, nested and starred targets. Anything else is "unknown" (None),
and the caller decides what unknown means.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable

Environment = dict[str, ast.expr]
Lookup = Callable[[str], ast.expr | None]

# More iterations than this (nested loops multiply) is treated as unknown.
MAX_ITERATIONS = 256
_CONTAINERS = (ast.List, ast.Tuple, ast.Set)


def iterations(target: ast.expr, iterable: ast.expr, lookup: Lookup) -> list[Environment] | None:
    """One environment per iteration of `for target in iterable`, or None when the iterable is
    not written literally."""
    values = elements(iterable, lookup)
    if values is None:
        return None
    found = []
    for value in values:
        environment = destructure(target, value)
        if environment is None:
            return None
        found.append(environment)
    return found


def elements(node: ast.expr, lookup: Lookup, depth: int = 0) -> list[ast.expr] | None:
    """The elements iterating `node` yields, when it is written literally."""
    if depth > 8:
        return None
    if isinstance(node, ast.Name):
        bound = lookup(node.id)
        return elements(bound, lookup, depth + 1) if bound is not None else None
    if isinstance(node, _CONTAINERS):
        if any(isinstance(element, ast.Starred) for element in node.elts):
            return _starred_elements(node.elts, lookup, depth)
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return None if None in node.keys else [key for key in node.keys if key is not None]
    if isinstance(node, ast.Call):
        return _call_elements(node, lookup, depth)
    return None


def _starred_elements(items: list[ast.expr], lookup: Lookup, depth: int) -> list[ast.expr] | None:
    found: list[ast.expr] = []
    for item in items:
        if isinstance(item, ast.Starred):
            inner = elements(item.value, lookup, depth + 1)
            if inner is None:
                return None
            found.extend(inner)
        else:
            found.append(item)
    return found


def _call_elements(node: ast.Call, lookup: Lookup, depth: int) -> list[ast.expr] | None:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in {"items", "keys", "values"} and not node.args:
        mapping = _literal_dict(func.value, lookup, depth)
        if mapping is None:
            return None
        if func.attr == "keys":
            return [key for key, _ in mapping]
        if func.attr == "values":
            return [value for _, value in mapping]
        return [ast.Tuple(elts=[key, value], ctx=ast.Load()) for key, value in mapping]
    if isinstance(func, ast.Name) and func.id in {"enumerate", "zip", "list", "tuple", "reversed", "sorted"}:
        if node.keywords and func.id != "enumerate":
            return None
        parts = [elements(arg, lookup, depth + 1) for arg in node.args]
        if not parts or any(part is None for part in parts):
            return None
        known = [part for part in parts if part is not None]
        if func.id == "enumerate":
            return [ast.Tuple(elts=[ast.Constant(i), value], ctx=ast.Load()) for i, value in enumerate(known[0])]
        if func.id == "zip":
            return [ast.Tuple(elts=list(group), ctx=ast.Load()) for group in zip(*known, strict=False)]
        return known[0]  # `sorted` changes the order only
    return None


def _literal_dict(node: ast.expr, lookup: Lookup, depth: int) -> list[tuple[ast.expr, ast.expr]] | None:
    if isinstance(node, ast.Name):
        bound = lookup(node.id)
        return _literal_dict(bound, lookup, depth + 1) if bound is not None and depth < 8 else None
    if isinstance(node, ast.Dict) and None not in node.keys:
        return [(key, value) for key, value in zip(node.keys, node.values, strict=True) if key is not None]
    return None


def destructure(target: ast.expr, value: ast.expr) -> Environment | None:
    """Bind `target` (a name, or a tuple/list of targets with at most one starred) to `value`."""
    if isinstance(target, ast.Name):
        return {target.id: value}
    if isinstance(target, (ast.Tuple, ast.List)):
        if not isinstance(value, (ast.Tuple, ast.List)):
            return None
        targets, values = target.elts, value.elts
        starred = [i for i, t in enumerate(targets) if isinstance(t, ast.Starred)]
        if not starred:
            if len(targets) != len(values):
                return None
            pairs = list(zip(targets, values, strict=True))
        else:
            at = starred[0]
            after = len(targets) - at - 1
            if len(values) < len(targets) - 1:
                return None
            middle = values[at: len(values) - after]
            rest = ast.List(elts=list(middle), ctx=ast.Load())
            pairs = [
                *zip(targets[:at], values[:at], strict=True),
                (targets[at].value, rest),  # type: ignore[attr-defined]
                *zip(targets[at + 1:], values[len(values) - after:], strict=True),
            ]
        environment: Environment = {}
        for inner_target, inner_value in pairs:
            inner = destructure(inner_target, inner_value)
            if inner is None:
                return None
            environment.update(inner)
        return environment
    return None


def combine(choices: list[list[Environment]]) -> list[Environment] | None:
    """Every combination of one environment from each loop (nested loops), or None if too many."""
    total = 1
    for choice in choices:
        total *= max(len(choice), 1)
    if total > MAX_ITERATIONS:
        return None
    combined = []
    for group in itertools.product(*choices):
        environment: Environment = {}
        for part in group:
            environment.update(part)
        combined.append(environment)
    return combined


def substitute(node: ast.expr, environment: Environment) -> ast.expr:
    """`node` with the names of `environment` replaced by what they stand for (heads of
    attribute chains, callees and arguments, f-string parts)."""
    if not environment:
        return node

    class _Substitute(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.expr:
            return environment.get(name.id, name) if isinstance(name.ctx, ast.Load) else name

    result = _Substitute().visit(_copy(node))
    assert isinstance(result, ast.expr)
    return result


def _copy(node: ast.expr) -> ast.expr:
    import copy

    return copy.deepcopy(node)


def inline(node: ast.expr, lookup: Lookup, depth: int = 0) -> ast.expr:
    """`node` with the names bound to literals replaced by their values, recursively (loop
    variables are not bound to literals, so they stay for `substitute`)."""
    if depth > 4:
        return node
    bound = {name: value for name in names_in(node) if (value := lookup(name)) is not None}
    if not bound:
        return node
    return substitute(node, {name: inline(value, lookup, depth + 1) for name, value in bound.items()})


def names_in(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def string(node: ast.expr | None, lookup: Lookup, depth: int = 0) -> str | None:
    """The value of a string written with literals and string constants, else None."""
    if node is None or depth > 8:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return string(lookup(node.id), lookup, depth + 1)
    if isinstance(node, ast.Attribute) and (dotted := _dotted(node)) is not None:
        return string(lookup(dotted), lookup, depth + 1)  # `pkg.__name__`, a constant of a class
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = string(node.left, lookup, depth + 1), string(node.right, lookup, depth + 1)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):  # `"%s.%s" % (package, name)`
        template = string(node.left, lookup, depth + 1)
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        arguments = [string(value, lookup, depth + 1) for value in values]
        if template is None or any(argument is None for argument in arguments):
            return None
        try:
            return template % tuple(arguments)
        except (TypeError, ValueError):
            return None
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.conversion not in (-1, 115) or value.format_spec is not None:
                    return None
                inner = string(value.value, lookup, depth + 1)
            else:
                inner = string(value, lookup, depth + 1)
            if inner is None:
                return None
            parts.append(inner)
        return "".join(parts)
    return None


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def string_prefix(node: ast.expr | None, lookup: Lookup) -> str | None:
    """The literal start of a string built at run time (`f"app.plugins.{name}"` →
    `app.plugins.`), or None when it does not start with one."""
    if node is None:
        return None
    whole = string(node, lookup)
    if whole is not None:
        return whole
    if isinstance(node, ast.Name):
        bound = lookup(node.id)
        return string_prefix(bound, lookup) if bound is not None and bound is not node else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return string_prefix(node.left, lookup)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):  # `"%s.%s" % (package, computed)`
        template = string(node.left, lookup)
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        if template is None or "%s" not in template:
            return None
        head, _, _ = template.partition("%s")
        first = string(values[0], lookup) if values else None
        if first is None:
            return head or None
        return head + first + template.partition("%s")[2].partition("%")[0]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            known = string(value.value if isinstance(value, ast.FormattedValue) else value, lookup)
            if known is None:
                break
            parts.append(known)
        return "".join(parts) if parts else None
    return None
