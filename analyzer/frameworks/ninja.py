"""Django Ninja: `NinjaAPI` (the application), `Router`s and `add_router`.

- Routes: `@router.get("/x")` and the other verbs, `@api.post(...)` (read as FastAPI's are),
  `@router.api_operation(["GET", "POST"], "/x")`.
- Mounts: `api.add_router("/prefix", router)` (a prefix added before the routes), also nested
  (`router.add_router("/sub", child)`), and `api.add_router("/p", "app.module.router")`: the
  router named by a dotted string.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from analyzer.facts.model import MountTarget, RouteFact
from analyzer.facts.syntax import dotted_name, keyword, positional, string_list, string_value
from analyzer.frameworks.base import Adapter, Found, Framework, Mount, Role, Site, method_mount

NINJA = Framework("ninja", advice='api.add_router("{prefix}", {router})')


def _add_router(node: ast.Call, site: Site) -> Iterator[Found]:
    """`api.add_router("/events", router)` or `api.add_router("/events", "events.api.router")`."""
    target = positional(node, 1) or keyword(node, "router")
    prefix = positional(node, 0) or keyword(node, "prefix")
    named = string_value(target)
    if named is None:
        yield from method_mount(node, target, prefix)
        return
    module, _, attribute = named.rpartition(".")
    if module and isinstance(node.func, ast.Attribute):
        receiver = dotted_name(node.func.value) or "?"
        yield Mount(receiver, node.func.attr, MountTarget(attribute, module=module), prefix)


def _api_operation(
    decorator: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, site: Site
) -> Iterator[RouteFact]:
    """`@router.api_operation(["GET", "POST"], "/x")`."""
    receiver = dotted_name(decorator.func.value) if isinstance(decorator.func, ast.Attribute) else None
    methods = string_list(positional(decorator, 0) or keyword(decorator, "methods"))
    path = string_value(positional(decorator, 1) or keyword(decorator, "path"))
    if receiver is not None and methods and path is not None:
        yield RouteFact(
            receiver=receiver,
            methods=tuple(m.upper() for m in methods),
            path=path,
            handler=function.name,
            line=decorator.lineno,
            scope=site.scope_name,
        )


ADAPTER = Adapter(
    name="ninja",
    frameworks=(NINJA,),
    roles={
        "ninja.NinjaAPI": Role("ninja", "app"),
        "ninja.main.NinjaAPI": Role("ninja", "app"),
        "ninja.Router": Role("ninja", "router"),
        "ninja.router.Router": Role("ninja", "router"),
    },
    decorators={"api_operation": _api_operation},
    calls={"add_router": _add_router},
    mount_methods=frozenset({"add_router"}),
)
