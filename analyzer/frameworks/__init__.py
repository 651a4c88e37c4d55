"""The framework adapters, and the tables the core visitor and the mount graph read from them.

One module per framework family (`fastapi.py`, `flask.py`, ...), each exposing `ADAPTER`; the
interface is `base.py`. Adding a framework is adding its module to `ADAPTERS`: the visitor
dispatches the calls and decorators it declares, the mount graph learns its classes, and nothing
else changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from analyzer.frameworks import fastapi, flask, litestar, ninja
from analyzer.frameworks.base import Adapter, CallHook, DecoratorHook, Framework, Role

ADAPTERS: tuple[Adapter, ...] = (fastapi.ADAPTER, flask.ADAPTER, litestar.ADAPTER, ninja.ADAPTER)

_T = TypeVar("_T")


def _merged(tables: Iterable[Mapping[str, _T]], what: str) -> dict[str, _T]:
    """One table from several; a key two adapters give different values is an error."""
    merged: dict[str, _T] = {}
    for table in tables:
        for key, value in table.items():
            if merged.setdefault(key, value) != value:
                raise ValueError(f"two framework adapters disagree on the {what} `{key}`")
    return merged


def _hooks(tables: Iterable[Mapping[str, _T]]) -> dict[str, tuple[_T, ...]]:
    hooks: dict[str, tuple[_T, ...]] = {}
    for table in tables:
        for name, hook in table.items():
            hooks[name] = (*hooks.get(name, ()), hook)
    return hooks


ROLES: dict[str, Role] = _merged((a.roles for a in ADAPTERS), "role of")
FRAMEWORKS: dict[str, Framework] = {f.name: f for a in ADAPTERS for f in a.frameworks}
# `@receiver.verb(...)` route decorators: verb → default methods.
ROUTE_DECORATORS: dict[str, tuple[str, ...]] = _merged((a.route_decorators for a in ADAPTERS), "default methods of")
DECORATOR_HOOKS: dict[str, tuple[DecoratorHook, ...]] = _hooks(a.decorators for a in ADAPTERS)
CALL_HOOKS: dict[str, tuple[CallHook, ...]] = _hooks(a.calls for a in ADAPTERS)
MOUNT_METHODS: frozenset[str] = frozenset().union(*(a.mount_methods for a in ADAPTERS))
HELPER_METHODS: frozenset[str] = frozenset().union(*(a.helper_methods for a in ADAPTERS))
# The last names of the application and router classes: a binding made by calling one of these
# means there is web code to build a mount graph for.
CONSTRUCTORS: frozenset[str] = frozenset(
    name.rpartition(".")[2] for name, role in ROLES.items() if role.kind in {"app", "router"}
)
# The last names of the decorators that make a function a route handler of its own.
HANDLER_DECORATORS: frozenset[str] = frozenset(
    name.rpartition(".")[2] for name, role in ROLES.items() if role.kind == "handler"
)
# The class attributes that hold a controller's own prefix: the visitor records their strings.
CLASS_STRINGS: frozenset[str] = frozenset(name for f in FRAMEWORKS.values() for name in f.prefix_attributes)


def role(qualname: str) -> Role | None:
    """What the library class `qualname` is to its framework, if anything."""
    return ROLES.get(qualname)


def framework(name: str) -> Framework:
    return FRAMEWORKS[name]


def mount_advice(name: str, router: str, prefix: str = "") -> str:
    """The line that mounts `router` in the framework `name`'s own words."""
    return FRAMEWORKS[name].mount_advice(router, prefix)
