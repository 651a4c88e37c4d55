"""Litestar: route handlers, `Router`s and `Controller`s, listed in the application's handlers.

- Routes: `@get("/x")`, `@post`, `@put`, `@patch`, `@delete`, `@head`, `@route("/x",
  http_method=[...])`, `@websocket("/ws")`, `@websocket_listener`, `@websocket_stream`, imported
  from `litestar` (`@get()` is `/`; `@get(["/a", "/b"])` declares both). On a module-level
  function the function is its own router, which something must list; on a method, the route
  belongs to its `Controller` subclass, whose class attribute `path = "/x"` is its prefix.
- Mounts: `Litestar(route_handlers=[...])` and `Router(path="/x", route_handlers=[...])` compose
  the handlers, controllers and routers they list (written in the call, or a list bound to a
  name, here or in another module); `app.register(handler)` and `router.register(...)`, in a
  module that imports litestar.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from analyzer.facts.model import MountTarget, RouteFact
from analyzer.facts.syntax import callee, dotted_name, keyword, last_name, positional, string_list, string_value
from analyzer.frameworks.base import Adapter, Found, Framework, Mount, Role, Site, method_mount

LITESTAR = Framework(
    "litestar", prefix_keywords=("path",), prefix_attributes=("path",), advice="app.register({router})"
)

_HTTP = ("get", "post", "put", "patch", "delete", "head")
_WEBSOCKET = ("websocket", "websocket_listener", "websocket_stream")
# Where each decorator is importable from.
_DECORATOR_MODULES = ("litestar", "litestar.handlers")
_COMPOSERS = frozenset(
    {"litestar.Litestar", "litestar.app.Litestar", "litestar.Router", "litestar.router.Router"}
)


def _handler(
    decorator: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, site: Site
) -> Iterator[RouteFact]:
    """`@get("/x")` on a module-level function (its own router) or a controller's method."""
    written = dotted_name(decorator.func)
    qualified = site.qualified(written) if written is not None else None
    name = last_name(decorator.func)
    if name is None or qualified not in {f"{module}.{name}" for module in _DECORATOR_MODULES}:
        return
    receiver = site.enclosing_class or (function.name if not site.scope_name else None)
    if receiver is None:
        return  # a handler made inside a function: whoever lists it is not read
    written_path = positional(decorator, 0) or keyword(decorator, "path")
    single = string_value(written_path) if written_path is not None else "/"
    for path in (single,) if single is not None else string_list(written_path) or ():
        yield RouteFact(
            receiver=receiver,
            methods=_methods(name, decorator),
            path=path,
            handler=function.name,
            line=decorator.lineno,
            scope=site.scope_name,
        )


def _methods(name: str, decorator: ast.Call) -> tuple[str, ...]:
    if name in _WEBSOCKET:
        return ("WEBSOCKET",)
    if name != "route":
        return (name.upper(),)
    written = keyword(decorator, "http_method")
    elements = written.elts if isinstance(written, (ast.List, ast.Tuple, ast.Set)) else [written]
    # `"GET"`, `HttpMethod.GET` or a list of those.
    methods = [string_value(e) or (e.attr if isinstance(e, ast.Attribute) else None) for e in elements]
    return tuple(m.upper() for m in methods if m) or ("GET",)


def _composed(node: ast.Call, site: Site) -> Iterator[Found]:
    """`app = Litestar(route_handlers=[...])`, `Router(path="/api", route_handlers=handlers)`."""
    written = dotted_name(node.func)
    if written is None or site.qualified(written) not in _COMPOSERS:
        return
    receiver = site.bound_to(node) or "?"
    method = written.rpartition(".")[2]
    for element in _listed(keyword(node, "route_handlers"), site):
        yield Mount(receiver, method, element, composes=True)


def _listed(value: ast.expr | None, site: Site) -> Iterator[ast.expr | MountTarget]:
    """The elements of a list of handlers (written, bound to a name here, unpacked with `*` or
    added with `+`); a list bound elsewhere is read by the mount graph where it is bound, and one
    computed (`make_handlers()`) may hold any handler: the mount graph cannot resolve it as a
    collection, so it takes it to be dynamic."""
    if value is None:
        return
    if isinstance(value, ast.Name) and isinstance(literal := site.literal(value.id), (ast.List, ast.Tuple)):
        value = literal
    if isinstance(value, (ast.List, ast.Tuple)):
        for element in value.elts:
            if isinstance(element, ast.Starred):
                yield from _listed(element.value, site)
            else:
                yield element
    elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        yield from _listed(value.left, site)
        yield from _listed(value.right, site)
    else:
        yield MountTarget("", collection=dotted_name(value) or callee(value) or "?")


def _register(node: ast.Call, site: Site) -> Iterator[Found]:
    """`app.register(handler)`: `register` is a common name, so only where litestar is imported."""
    if site.imports_from("litestar"):
        yield from method_mount(node, positional(node, 0) or keyword(node, "value"))


_DECORATORS = (*_HTTP, "route", *_WEBSOCKET)

ADAPTER = Adapter(
    name="litestar",
    frameworks=(LITESTAR,),
    roles={
        "litestar.Litestar": Role("litestar", "app"),
        "litestar.app.Litestar": Role("litestar", "app"),
        "litestar.Router": Role("litestar", "router"),
        "litestar.router.Router": Role("litestar", "router"),
        "litestar.Controller": Role("litestar", "controller"),
        "litestar.controller.Controller": Role("litestar", "controller"),
        **{f"{module}.{name}": Role("litestar", "handler") for module in _DECORATOR_MODULES for name in _DECORATORS},
    },
    decorators=dict.fromkeys(_DECORATORS, _handler),
    calls={"Litestar": _composed, "Router": _composed, "register": _register},
    mount_methods=frozenset({"register"}),
)
