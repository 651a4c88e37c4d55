"""The mount graph: applications, routers and blueprints, and which of them reach an application.

Nodes are the router-like objects the project creates (`APIRouter(...)`, `Blueprint(...)`,
`FastAPI(...)`, `Flask(...)`, project subclasses of those and project factories returning them),
the project's controller classes (Litestar's `Controller` subclasses) and the functions a
decorator makes route handlers of their own (Litestar's `@get("/x")`); edges are mounts
(`include_router`, `register_blueprint`, `mount`, Starlette `Mount`, a handler listed in
`route_handlers=[...]`), each with the prefix it adds. Which classes make applications and
routers, and how each framework composes prefixes, is the framework adapters' knowledge
(`analyzer/frameworks/`).

A mount counts as much as the code holding it runs (the liveness model): a mount in a function
nothing calls mounts nothing; a mount in code only tests run mounts for tests only; a mount that
only doubtful code reaches is a doubtful edge. A mount that is part of its receiver's definition
(a handler listed by the `Router(...)` bound to a name) always counts: it matters as much as the
receiver is mounted. A mount onto something the index cannot resolve (a function parameter, an
attribute, a `Router(...)` bound to no name) is taken to be onto an application. A mount whose
target cannot be read statically covers only its candidates: the routers read through the
attribute it reads, from the package it loads modules from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from analyzer import frameworks
from analyzer.facts.model import Binding, CallFact, ClassFact, ModuleFacts, MountFact, MountTarget, RouteFact, Span
from analyzer.frameworks.base import Role, RoleKind
from analyzer.index import ProjectIndex, Symbol
from analyzer.inference import ClassModel, annotation_class_name, class_of_type

if TYPE_CHECKING:
    from analyzer.liveness import Liveness

VIRTUAL_APP = Symbol("external", "<application>")
# The last names of the application and router classes: a binding made by calling one of these
# means there is web code to build a mount graph for.
WEB_CONSTRUCTORS = frameworks.CONSTRUCTORS


@dataclass(frozen=True, slots=True)
class RouterNode:
    symbol: Symbol
    path: str
    span: Span
    framework: str
    is_app: bool
    prefix: str
    routes: tuple[RouteFact, ...]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    router: Symbol
    file: str
    line: int
    handler: str
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class DynamicMount:
    """A mount whose target is computed: it may mount any router read through `attribute`
    (any attribute when None) from a module of `package` (any module when None or "")."""

    path: str
    line: int
    attribute: str | None
    package: str | None = None
    doubt: str | None = None  # why the code holding it may not run at all

    def could_be(self, node: RouterNode, names: frozenset[str]) -> bool:
        """Whether this mount may reach `node`, which is bound under `names` (its variable, its
        aliases, and the class attributes of the project)."""
        if self.attribute is not None and self.attribute not in names:
            return False
        return not self.package or node.symbol.module.startswith(self.package + ".")

    def describe(self) -> str:
        what = f"`.{self.attribute}`" if self.attribute else "an object"
        where = f" of a module of `{self.package}`" if self.package else ""
        return f"{self.path}:{self.line} mounts {what}{where} computed at run time"


@dataclass(frozen=True, slots=True)
class InertMount:
    """A mount that does not count for the application: its code never runs (`dead`) or only
    tests run it (`tests`)."""

    path: str
    line: int
    scope: str
    why: str  # "dead" or "tests"


class Routers:
    """The applications and routers the project creates, with their routes (no mounts yet: the
    liveness model needs the applications before the mounts can be judged)."""

    def __init__(self, index: ProjectIndex, entrypoints: tuple[str, ...] = ()) -> None:
        self.index = index
        self.classes = ClassModel(index)
        self.nodes: dict[Symbol, RouterNode] = {}
        self._find_nodes()
        self._declare_entrypoints(entrypoints)
        self._attach_routes()

    @property
    def apps(self) -> list[RouterNode]:
        return [node for node in self.nodes.values() if node.is_app]

    def _find_nodes(self) -> None:
        for facts in self.index.modules.values():
            for binding in facts.bindings:
                if binding.callee is None:
                    continue
                kind = self._constructed_kind(facts.module, binding)
                if kind is None:
                    continue
                framework, is_app = kind
                symbol = Symbol("binding", facts.module, binding.name, binding.scope)
                self.nodes[symbol] = RouterNode(
                    symbol=symbol,
                    path=facts.path,
                    span=Span(binding.line, binding.end_line),
                    framework=framework,
                    is_app=is_app,
                    prefix=frameworks.framework(framework).own_prefix(binding),
                    routes=(),
                )
        self._find_attribute_apps()
        self._find_controllers()
        self._find_handlers()

    def _find_attribute_apps(self) -> None:
        """`self.app = FastAPI()` in a class: an application object (mounts on it go through
        `self.app`, which resolves to the virtual application)."""
        for facts, cls in self.index.classes():
            for attr, evidence in cls.attribute_types:
                if evidence.kind != "call":
                    continue
                callee = self.index.resolve_class(facts.module, evidence.expr)
                kind = self.class_kind(callee) if callee is not None else None
                if kind is not None and kind[1]:
                    symbol = Symbol("binding", facts.module, f"{cls.name}.{attr}")
                    self.nodes[symbol] = RouterNode(
                        symbol, facts.path, Span(evidence.line, evidence.line), kind[0], True, "", ()
                    )

    def _find_controllers(self) -> None:
        """Project subclasses of a controller class (Litestar's `Controller`): routers, with the
        routes their methods declare and the prefix their class attribute gives. A controller
        that other controllers extend is their base, not a router of its own."""
        found: dict[Symbol, tuple[str, ClassFact, Role]] = {}
        bases: set[Symbol] = set()
        for facts, cls in self.index.classes():
            symbol = Symbol("class", facts.module, cls.name)
            role = self.class_role(symbol, frozenset({"controller"}))
            if role is None:
                continue
            found[symbol] = (facts.path, cls, role)
            for base in cls.bases:
                resolved = self.index.resolve_class(facts.module, base)
                if resolved is not None:
                    bases.add(resolved)
        for symbol, (path, cls, role) in found.items():
            if symbol not in bases:
                prefix = frameworks.framework(role.framework).class_prefix(cls)
                self.nodes[symbol] = RouterNode(symbol, path, cls.span, role.framework, False, prefix, ())

    def _find_handlers(self) -> None:
        """Module-level functions a handler decorator makes route handlers of their own
        (Litestar's `@get("/x")`): each is a router that something must list."""
        for facts in self.index.modules.values():
            for function in facts.functions:
                for decorator in function.decorators:
                    if decorator.rpartition(".")[2] not in frameworks.HANDLER_DECORATORS:
                        continue
                    resolved = self.index.resolve_class(facts.module, decorator)
                    role = frameworks.role(resolved.qualname) if resolved and resolved.kind == "external" else None
                    if role is not None and role.kind == "handler":
                        symbol = Symbol("function", facts.module, function.name)
                        node = RouterNode(symbol, facts.path, function.span, role.framework, False, "", ())
                        self.nodes[symbol] = node
                        break

    def _declare_entrypoints(self, entrypoints: tuple[str, ...]) -> None:
        for entry in entrypoints:
            module, _, name = entry.partition(":")
            facts = self.index.modules.get(module)
            binding = next((b for b in facts.bindings if not b.scope and b.name == name), None) if facts else None
            if facts is None or binding is None:
                continue
            symbol = Symbol("binding", module, name)
            framework = self.nodes[symbol].framework if symbol in self.nodes else "fastapi"
            self.nodes[symbol] = RouterNode(
                symbol, facts.path, Span(binding.line, binding.end_line), framework, True, "", ()
            )

    def _constructed_kind(self, module: str, binding: Binding) -> tuple[str, bool] | None:
        assert binding.callee is not None
        callee = self.index.resolve_class(module, binding.callee, binding.scope)
        if callee is None:
            return None
        if callee.kind == "function":
            function = self.index.function_fact(callee)
            if function is None or function.returns is None:
                return None
            name = annotation_class_name(function.returns)
            callee = self.index.resolve_class(callee.module, name) if name else None
            if callee is None:
                return None
        elif callee.kind == "binding":
            # `APIRouter = get_router_class(Route)` where the factory returns `type[fastapi.APIRouter]`:
            # calling the binding makes an instance of that class.
            made = self.index.binding(callee)
            factory = self.index.resolve_class(callee.module, made.callee, made.scope) if made and made.callee else None
            function = self.index.function_fact(factory) if factory is not None else None
            name = class_of_type(function.returns) if function is not None and function.returns else None
            callee = self.index.resolve_class(factory.module, name) if factory is not None and name else None
            if callee is None:
                return None
        return self.class_kind(callee)

    def class_kind(self, symbol: Symbol) -> tuple[str, bool] | None:
        """(framework, is an application) of a class whose instances are applications or routers."""
        role = self.class_role(symbol, frozenset({"app", "router"}))
        return (role.framework, role.kind == "app") if role is not None else None

    def class_role(self, symbol: Symbol, kinds: frozenset[RoleKind]) -> Role | None:
        """The role of one of `kinds` the class `symbol` has, itself or through its bases."""
        for ancestor in self.classes.lineage(symbol):
            role = frameworks.role(ancestor.qualname) if ancestor.kind == "external" else None
            if role is not None and role.kind in kinds:
                return role
        return None

    def node_for(self, module: str, dotted: str, scope: str) -> Symbol | None:
        symbol = self.index.resolve_dotted(module, dotted, scope)
        if symbol is None:
            return None
        symbol = self.index.follow_alias(symbol)
        return symbol if symbol in self.nodes else None

    def _attach_routes(self) -> None:
        attached: dict[Symbol, list[RouteFact]] = {}
        for facts in self.index.modules.values():
            for route in facts.routes:
                node = self.node_for(facts.module, route.receiver, route.scope)
                if node is not None:
                    attached.setdefault(node, []).append(route)
        for symbol, routes in attached.items():
            self.nodes[symbol] = replace(self.nodes[symbol], routes=tuple(sorted(routes, key=lambda r: r.line)))


class MountGraph:
    """The routers, and the mounts between them that the running application makes."""

    def __init__(self, routers: Routers, liveness: Liveness | None = None) -> None:
        import networkx as nx

        self.routers = routers
        self.index = routers.index
        self.nodes = routers.nodes
        self.liveness = liveness
        self.graph: nx.MultiDiGraph[Symbol] = nx.MultiDiGraph()
        self.graph.add_nodes_from([*self.nodes, VIRTUAL_APP])
        self.dynamic: list[DynamicMount] = []
        self.inert: dict[Symbol, list[InertMount]] = {}
        self._add_mounts()

    @property
    def apps(self) -> list[RouterNode]:
        return self.routers.apps

    # ---- building ----------------------------------------------------------------------------
    def _reach(self, facts: ModuleFacts, line: int, scope: str) -> tuple[str | None, str | None]:
        """("dead" / "tests" / None, the doubt) of the code at `line`."""
        if self.liveness is None:
            return None, None
        from analyzer.liveness import Reach

        reach = self.liveness.site(facts.module, line, scope)
        if reach is Reach.NONE:
            return "dead", None
        if reach is Reach.TESTS:
            return "tests", None
        if reach is Reach.MAYBE:
            unit = self.liveness.unit_of_site(facts.module, line, scope)
            return None, self.liveness.reason(*unit) or "the code holding it may not run"
        return None, None

    def _add_mounts(self) -> None:
        helpers: dict[Symbol, MountFact] = {}
        for facts in self.index.modules.values():
            for mount in facts.mounts:
                if mount.helper is not None:
                    helpers[Symbol("function", facts.module, mount.helper)] = mount
                    continue
                receiver = self.routers.node_for(facts.module, mount.receiver, mount.scope) or VIRTUAL_APP
                if mount.composes and receiver != VIRTUAL_APP:
                    inert, doubt = None, None  # part of the receiver: it counts as much as the receiver is mounted
                else:
                    inert, doubt = self._reach(facts, mount.line, mount.scope)
                if mount.dynamic:
                    if inert is None:
                        self.dynamic.append(
                            DynamicMount(facts.path, mount.line, mount.dynamic_attr, mount.dynamic_package, doubt)
                        )
                    continue
                for target in mount.targets:
                    for node in self._targets(facts, mount, target):
                        self._mount(receiver, node, target.prefix, facts, mount.line, mount.scope, inert, doubt)
        if helpers:
            self._helper_calls(helpers)

    def _mount(
        self, receiver: Symbol, node: Symbol, prefix: str | None, facts: ModuleFacts, line: int, scope: str,
        inert: str | None, doubt: str | None,
    ) -> None:
        if inert is not None:
            self.inert.setdefault(node, []).append(InertMount(facts.path, line, scope, inert))
            return
        self.graph.add_edge(receiver, node, prefix=prefix, path=facts.path, line=line, doubt=doubt)

    def _helper_calls(self, helpers: dict[Symbol, MountFact]) -> None:
        """Calls, in other modules, of a helper that mounts its parameter: each mounts its
        argument (`add_router(app, users.router)` with `def add_router(app, router): ...`)."""
        for facts in self.index.modules.values():
            for call in facts.calls:
                function = self.index.resolve_dotted(facts.module, call.callee, call.scope)
                mount = helpers.get(function) if function is not None else None
                if mount is None or function is None or function.module == facts.module:
                    continue  # calls in the helper's own module are recorded as mounts already
                argument = _argument(self.index, function, mount.parameter or "", call)
                inert, doubt = self._reach(facts, call.line, call.scope)
                nodes = self._targets(facts, mount, MountTarget(argument)) if argument else []
                if not nodes and inert is None:
                    self.dynamic.append(DynamicMount(facts.path, call.line, None, None, doubt))
                for node in nodes:
                    self._mount(VIRTUAL_APP, node, mount.prefix, facts, call.line, call.scope, inert, doubt)

    def _targets(self, facts: ModuleFacts, mount: MountFact, target: MountTarget) -> list[Symbol]:
        module, scope = facts.module, mount.scope
        if target.loaded_from is not None:
            names = self._module_names(facts, mount, target)
            if names is None:
                inert, doubt = self._reach(facts, mount.line, scope)
                if inert is None:
                    package = target.loaded_from.prefix.rpartition(".")[0] or None
                    attribute = target.expr.rpartition(".")[2] or None
                    self.dynamic.append(DynamicMount(facts.path, mount.line, attribute, package, doubt))
                return []
            found = []
            for name in names:
                found.extend(self._targets(facts, mount, MountTarget(target.expr, target.called, target.prefix, name)))
            return found
        if target.module is not None:
            if target.module not in self.index.modules:
                return []
            if target.called:
                return self._created_by(target.module, target.expr, "")
            node = self.routers.node_for(target.module, target.expr, "") if target.expr else None
            return [node] if node is not None else []
        if target.collection is not None:
            return self._elements(facts, mount, target)
        if target.called:
            return self._created_by(module, target.expr, scope)
        symbol = self.index.resolve_dotted(module, target.expr, scope)
        binding = self.index.binding(symbol) if symbol is not None else None
        # `bp = make_blueprint()` then `app.register_blueprint(bp)`: as if the call were inline.
        created = (
            self._created_by(symbol.module, binding.callee, binding.scope)
            if symbol is not None and binding is not None and binding.callee is not None
            else []
        )
        if symbol is not None and self.index.follow_alias(symbol) in self.nodes:
            return [self.index.follow_alias(symbol), *created]
        if created:
            return created
        if symbol is not None and symbol.kind == "member":
            node = self._class_attribute(symbol)
            if node is not None:
                return [node]
        head = self.index.resolve_name(module, target.expr.split(".")[0], scope)
        if head is None or symbol is None or symbol.kind == "member":
            # A parameter, something loaded at run time: it could be any router.
            attribute = target.expr.partition(".")[2].rpartition(".")[2] or None
            inert, doubt = self._reach(facts, mount.line, scope)
            if inert is None:
                self.dynamic.append(DynamicMount(facts.path, mount.line, attribute, None, doubt))
        return []

    def _module_names(self, facts: ModuleFacts, mount: MountFact, target: MountTarget) -> list[str] | None:
        assert target.loaded_from is not None
        if self.liveness is None:
            return None
        read = self.liveness.project.module_names(facts.module, mount.scope, target.loaded_from)
        return read[0] if read is not None and not read[1] else None

    def _class_attribute(self, member: Symbol) -> Symbol | None:
        """`Plugin.events` (or `Plugin().events`) where the class body says `events = router`."""
        class_name, _, attribute = member.name.partition(".")
        cls = self.index.class_fact(Symbol("class", member.module, class_name))
        value = dict(cls.attribute_values).get(attribute) if cls is not None else None
        return self.routers.node_for(member.module, value, "") if value is not None else None

    def _elements(self, facts: ModuleFacts, mount: MountFact, target: MountTarget) -> list[Symbol]:
        """`for r in ROUTERS: app.include_router(r.router)` with `ROUTERS` bound elsewhere."""
        assert target.collection is not None
        owner = self.index.resolve_dotted(facts.module, target.collection, mount.scope)
        binding = self.index.binding(owner) if owner is not None else None
        attribute = target.expr.rpartition(".")[2] or None
        if owner is None or binding is None or not binding.elements:
            inert, doubt = self._reach(facts, mount.line, mount.scope)
            if inert is None:
                self.dynamic.append(DynamicMount(facts.path, mount.line, attribute, None, doubt))
            return []
        rest = f".{target.expr}" if target.expr else ""
        found = []
        for element in binding.elements:
            if element.endswith("()") and not rest:
                found.extend(self._created_by(owner.module, element[:-2], binding.scope))
            elif target.called:  # `for m in MODULES: register(m.make_blueprint())`
                found.extend(self._created_by(owner.module, element + rest, binding.scope))
            elif (node := self.routers.node_for(owner.module, element + rest, binding.scope)) is not None:
                found.append(node)
            elif "()" in element:  # an object made at run time: any router it holds
                self.dynamic.append(DynamicMount(facts.path, mount.line, attribute))
        return found

    def _created_by(self, module: str, callee: str, scope: str) -> list[Symbol]:
        function = self.index.resolve_dotted(module, callee, scope)
        if function is None or function.kind != "function":
            return []
        created = [
            node
            for node in self.nodes
            if node.module == function.module
            and (node.scope == function.name or node.scope.startswith(function.name + "."))
        ]
        for name, returned in self.index.modules[function.module].returned_globals:
            node = self.routers.node_for(function.module, returned, "") if name == function.name else None
            if node is not None and node not in created:
                created.append(node)  # `def setup(): ...; return router`, a module-level router
        return created

    # ---- questions ---------------------------------------------------------------------------
    @cached_property
    def reachable(self) -> frozenset[Symbol]:
        """Routers the application mounts, through mounts whose code certainly runs."""
        return frozenset(self._reached(doubtful=False))

    @cached_property
    def maybe_reachable(self) -> dict[Symbol, str]:
        """Routers mounted only through doubtful mounts, with the doubt."""
        certain = self.reachable
        found: dict[Symbol, str] = {}
        pending = [(node, "") for node in certain]
        while pending:
            node, why = pending.pop()
            for _, child, data in self.graph.out_edges(node, data=True):
                if child in certain or child in found:
                    continue
                reason = why or data.get("doubt") or ""
                found[child] = reason
                pending.append((child, reason))
        return found

    def _reached(self, doubtful: bool) -> set[Symbol]:
        seen = {VIRTUAL_APP, *(node.symbol for node in self.apps)}
        pending = list(seen)
        while pending:
            for _, child, data in self.graph.out_edges(pending.pop(), data=True):
                if child not in seen and (doubtful or data.get("doubt") is None):
                    seen.add(child)
                    pending.append(child)
        return seen

    def endpoints(
        self,
        symbol: Symbol,
        base: str = "",
        seen: frozenset[Symbol] = frozenset(),
        replace_prefix: bool = False,
    ) -> list[Endpoint]:
        """Endpoints of `symbol` and of everything mounted under it, with full paths from `base`.

        A Flask blueprint registered with `url_prefix=` has that prefix instead of its own.
        """
        if symbol in seen:
            return []
        node = self.nodes.get(symbol)
        prefix = base + ("" if node is None or replace_prefix else node.prefix)
        found = []
        if node is not None:
            for route in node.routes:
                for method in route.methods:
                    found.append(
                        Endpoint(
                            method, join_paths(prefix, route.path), symbol, node.path, route.line,
                            route.handler, route.deprecated,
                        )
                    )
        for _, child, data in sorted(self.graph.out_edges(symbol, data=True), key=_edge_key):
            replace = frameworks.framework(self.nodes[child].framework).mount_replaces_prefix and (
                data["prefix"] is not None
            )
            found.extend(self.endpoints(child, prefix + (data["prefix"] or ""), seen | {symbol}, replace))
        return found

    @cached_property
    def mounted_endpoints(self) -> list[Endpoint]:
        found: list[Endpoint] = []
        for root in [VIRTUAL_APP, *(node.symbol for node in self.apps)]:
            found.extend(self.endpoints(root))
        unique = {(e.method, e.path, e.file, e.line): e for e in found}
        return sorted(unique.values(), key=lambda e: (e.path, e.method, e.file, e.line))

    def names_of(self, node: RouterNode) -> frozenset[str]:
        """The names a router may be reached by: its variable, module-level aliases of it, and
        every class attribute of the project (`events = router` in a plugin class, wherever the
        plugin class lives: its value is not recorded, so any router may be behind it)."""
        facts = self.index.modules[node.symbol.module]
        names = {node.symbol.name}
        names.update(b.name for b in facts.bindings if not b.scope and b.value == node.symbol.name)
        return frozenset(names) | self._class_attributes

    @cached_property
    def _class_attributes(self) -> frozenset[str]:
        return frozenset(attr for _, cls in self.index.classes() for attr in cls.attributes)

    def includers(self, symbol: Symbol) -> list[Symbol]:
        return sorted({source for source, _ in self.graph.in_edges(symbol)}, key=str)


def _argument(index: ProjectIndex, function: Symbol, parameter: str, call: CallFact) -> str | None:
    """The argument a call hands to `parameter` of `function`, as a dotted name."""
    for keyword, value in call.keywords:
        if keyword == parameter:
            return value
    fact = index.function_fact(function)
    if fact is None or parameter not in fact.parameters:
        return None
    position = fact.parameters.index(parameter)
    return call.arguments[position] if position < len(call.arguments) else None


def _edge_key(edge: tuple[Symbol, Symbol, dict[str, Any]]) -> tuple[str, str, int]:
    _, child, data = edge
    return (str(child), data["path"], data["line"])


def join_paths(prefix: str, path: str) -> str:
    if not prefix:
        return path or "/"
    if not path:
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


def path_segments(path: str) -> list[str]:
    """Segments of a route path, each parameter (`{id}`, `<int:id>`) written as `{}`."""
    segments = []
    for part in path.strip("/").split("/"):
        if not part:
            continue
        is_param = (part.startswith("{") and part.endswith("}")) or (
            part.startswith("<") and part.endswith(">")
        )
        segments.append("{}" if is_param else part)
    return segments


def replaces(old: str, new: str) -> bool:
    """`new` keeps every segment of `old`, in order, and ends the same way."""
    old_segments, new_segments = path_segments(old), path_segments(new)
    if not old_segments or not new_segments or old_segments[-1] != new_segments[-1]:
        return False
    position = 0
    for segment in new_segments:
        if position < len(old_segments) and segment == old_segments[position]:
            position += 1
    return position == len(old_segments)
