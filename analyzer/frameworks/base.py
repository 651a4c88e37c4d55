"""The interface between the core visitor and the framework adapters.

The core visitor (`analyzer/facts/visitor.py`) knows Python only. When it meets a call or a
decorator whose last name an adapter declared (`include_router`, `get`, `Mount`...), it hands the
node to the adapter's hook with a `Site`: where the node is (the enclosing function, the
enclosing class) and how to read names there (literals, imports, the name a call is bound to).
A hook returns typed facts: `RouteFact`s, and `Mount`s, which the core turns into `MountFact`s
by evaluating their target expression (loops over literal lists, modules loaded by name, the
parameters of a helper that mounts what it is given).

An adapter also carries what the mount graph needs to know of its framework, as data: which
library classes make applications and routers (`roles`), how a router's own prefix is written,
whether a mount's prefix replaces it, and how to mount a router in the framework's own words.
Nothing here imports a framework: adapters read syntax.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from analyzer.facts.model import Binding, ClassFact, MountTarget, RouteFact
from analyzer.facts.syntax import dotted_name, keyword, positional, string_list, string_value


class Site(Protocol):
    """What the core visitor tells a hook about the place of the node it hands over."""

    @property
    def scope_name(self) -> str:
        """The enclosing function, dotted (`create_app`, `Plugin.setup`); "" at module level."""
        ...

    @property
    def enclosing_class(self) -> str | None:
        """The module-level class whose body holds the node (a method's decorators), if any."""
        ...

    def literal(self, name: str) -> ast.expr | None:
        """The literal `name` is bound to here (a list, a string...), innermost scope first."""
        ...

    def qualified(self, dotted: str) -> str | None:
        """`dotted` as the module's own imports name it: `get` → `litestar.get` after `from
        litestar import get`; None when its first name is not imported at module level."""
        ...

    def bound_to(self, call: ast.Call) -> str | None:
        """The name `name = call(...)` binds, when `call` is the whole value of an assignment."""
        ...

    def imports_from(self, package: str) -> bool:
        """Whether the module imports `package`, or something from it, at module level."""
        ...


@dataclass(frozen=True)
class Mount:
    """A mount an adapter read: `receiver` (as written; "?" when unknown, which the mount graph
    takes to be an application) mounts `target` under `prefix`.

    `target` is an expression, which the core evaluates (one target per iteration of a loop over
    a literal list, modules loaded by name...), or a target already typed (a module named by a
    string). With `composes`, the receiver is the object the call itself constructs
    (`router = Router(route_handlers=[...])`, "?" when the call is bound to no name): the target
    is part of its definition, mounted wherever the receiver is, whether or not the code holding
    the call runs (onto "?", it counts as a mount onto the application does).
    """

    receiver: str
    method: str
    target: ast.expr | MountTarget
    prefix: ast.expr | None = None
    composes: bool = False


Found = RouteFact | Mount
CallHook = Callable[[ast.Call, Site], Iterable[Found]]
DecoratorHook = Callable[[ast.Call, ast.FunctionDef | ast.AsyncFunctionDef, Site], Iterable[RouteFact]]

RoleKind = Literal["app", "router", "controller", "handler", "resources"]


@dataclass(frozen=True)
class Role:
    """What a library class (or decorator) is to a framework.

    `app`: an application (a root of the mount graph); `router`: its instances are routers;
    `controller`: its project subclasses are routers (Litestar's `Controller`), with the routes
    their methods declare; `handler`: a decorator that makes the module-level function it
    decorates a route handler of its own, mounted by listing it (Litestar's `@get("/x")`);
    `resources`: an object that adds its routes to the router or application given as its first
    argument (flask-restful's `Api(bp)`).
    """

    framework: str
    kind: RoleKind


@dataclass(frozen=True)
class Framework:
    """How one framework's routers compose, as the mount graph needs it."""

    name: str
    prefix_keywords: tuple[str, ...] = ()  # a router's own prefix, by its constructor's keyword
    prefix_attributes: tuple[str, ...] = ()  # a controller's own prefix, by its class attribute
    mount_replaces_prefix: bool = False  # a mount's prefix replaces the router's own (Flask's url_prefix)
    advice: str = "app.include_router({router})"  # mounting `router`, in the framework's words

    def own_prefix(self, binding: Binding) -> str:
        keywords = dict(binding.keywords)
        for name in self.prefix_keywords:
            if keywords.get(name):
                return keywords[name]
        return ""

    def class_prefix(self, cls: ClassFact) -> str:
        """A controller class's own prefix (`path = "/users"` in its body)."""
        strings = dict(cls.strings)
        return next((strings[name] for name in self.prefix_attributes if strings.get(name)), "")

    def mount_advice(self, router: str, prefix: str = "") -> str:
        return self.advice.format(router=router, prefix=prefix or "/")

    def mount_call(self, router: str, prefix: str = "") -> str:
        """The call of the advice without its receiver (`include_router(items.router)`)."""
        return self.mount_advice(router, prefix).partition(".")[2]


@dataclass(frozen=True)
class Adapter:
    """One framework family: its knowledge, and the hooks the core visitor calls.

    `route_decorators`: `@receiver.verb(path, methods=[...])` decorators, verb → default methods,
    read by `receiver_routes` (adapters that share a verb must agree on its defaults).
    `decorators` and `calls`: hooks by the last name of the decorator's or the call's callee.
    `mount_methods`: the calls among `calls` that mount (read also inside `functools.partial`);
    `helper_methods`: those a module-level helper may wrap (`def add(app, r):
    app.include_router(r)`: each call of `add` mounts its argument).
    """

    name: str
    frameworks: tuple[Framework, ...]
    roles: Mapping[str, Role]
    route_decorators: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    decorators: Mapping[str, DecoratorHook] = field(default_factory=dict)
    calls: Mapping[str, CallHook] = field(default_factory=dict)
    mount_methods: frozenset[str] = frozenset()
    helper_methods: frozenset[str] = frozenset()


# ---- readers the adapters share ---------------------------------------------------------------
def receiver_routes(
    decorator: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, defaults: tuple[str, ...], site: Site
) -> Iterator[RouteFact]:
    """`@router.get("/x")`, `@bp.route("/x", methods=["GET", "POST"])`, `deprecated=True`."""
    if not isinstance(decorator.func, ast.Attribute):
        return
    receiver = dotted_name(decorator.func.value)
    if receiver is None:
        return
    path = string_value(positional(decorator, 0) or keyword(decorator, "path") or keyword(decorator, "rule"))
    if path is None:
        return
    methods = string_list(keyword(decorator, "methods")) or defaults
    deprecated = keyword(decorator, "deprecated")
    yield RouteFact(
        receiver=receiver,
        methods=tuple(m.upper() for m in methods),
        path=path,
        handler=function.name,
        line=decorator.lineno,
        scope=site.scope_name,
        deprecated=isinstance(deprecated, ast.Constant) and deprecated.value is True,
    )


def registered_route(node: ast.Call, site: Site) -> Iterator[RouteFact]:
    """`router.add_api_route("/x", handler, methods=[...])`, `bp.add_url_rule("/x",
    view_func=View.as_view("x"))`: a route registered by a call."""
    if not isinstance(node.func, ast.Attribute):
        return
    receiver = dotted_name(node.func.value)
    path = string_value(positional(node, 0) or keyword(node, "path") or keyword(node, "rule"))
    if receiver is None or path is None:
        return
    default = ("WEBSOCKET",) if "websocket" in node.func.attr else ("GET",)
    methods = string_list(keyword(node, "methods")) or default
    handler = keyword(node, "view_func") or keyword(node, "endpoint") or positional(node, 1)
    written = dotted_name(handler.func) if isinstance(handler, ast.Call) else dotted_name(handler)
    yield RouteFact(
        receiver=receiver,
        methods=tuple(m.upper() for m in methods),
        path=path,
        handler=written or "?",
        line=node.lineno,
        scope=site.scope_name,
    )


def method_mount(
    node: ast.Call, target: ast.expr | None, prefix: ast.expr | None = None
) -> Iterator[Mount]:
    """`receiver.method(...)` mounting `target` (nothing when the call names none)."""
    if isinstance(node.func, ast.Attribute) and target is not None:
        yield Mount(dotted_name(node.func.value) or "?", node.func.attr, target, prefix)
