"""Small readers of Python syntax trees, shared by the core visitor and the framework adapters.

Each reads what is written, never what it may mean at run time: a dotted name, a string
constant, an argument by position or keyword.
"""

from __future__ import annotations

import ast


def dotted_name(node: ast.expr | None) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def string_value(node: ast.expr | None) -> str | None:
    """The value of a string constant, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def callee(node: ast.expr | None) -> str | None:
    """`f` of a call `f(...)` written as a dotted name."""
    return dotted_name(node.func) if isinstance(node, ast.Call) else None


def last_name(node: ast.expr) -> str | None:
    """The last name of what is called or named: `get` of `router.get` and of `get`."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def decorator_name(decorator: ast.expr) -> str | None:
    return callee(decorator) if isinstance(decorator, ast.Call) else dotted_name(decorator)


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for found in call.keywords:
        if found.arg == name:
            return found.value
    return None


def positional(call: ast.Call, index: int) -> ast.expr | None:
    """The positional argument at `index`, starred arguments left out."""
    arguments = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    return arguments[index] if index < len(arguments) else None


def string_list(node: ast.expr | None) -> tuple[str, ...] | None:
    """The strings of a literal list, tuple or set of strings, else None."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        values = [string_value(element) for element in node.elts]
        if all(value is not None for value in values):
            return tuple(value for value in values if value is not None)
    return None


def element_names(node: ast.expr | None) -> tuple[str, ...] | None:
    """The elements of a literal list/tuple/set as dotted names (`callee()` for a call), or None
    if any element is something else."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        names = [
            f"{callee(element)}()" if callee(element) else dotted_name(element)
            for element in node.elts
        ]
        if names and all(names):
            return tuple(name for name in names if name)
    return None


def target_names(node: ast.expr) -> list[str]:
    """The names an assignment target binds."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [name for element in node.elts for name in target_names(element)]
    if isinstance(node, ast.Starred):
        return target_names(node.value)
    return []


def arguments(node: ast.arguments) -> list[ast.arg]:
    """Every parameter, `*args` and `**kwargs` last."""
    found = [*node.posonlyargs, *node.args, *node.kwonlyargs]
    return found + [a for a in (node.vararg, node.kwarg) if a is not None]
