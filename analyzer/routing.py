"""The mount graph: applications, routers and blueprints, and which of them reach an application.

Nodes are the router-like objects the project creates (`APIRouter(...)`, `Blueprint(...)`,
`FastAPI(...)`, `Flask(...)`, project subclasses of those and project factories returning them);
edges are mounts (`include_router`, `register_blueprint`, `mount`, Starlette `Mount`), each with
the prefix it adds. A mount onto something the index cannot resolve (a function parameter, an
attribute) is taken to be onto an application: that can only hide a finding, never invent one.
A mount whose target cannot be read statically (`getattr`, `importlib`) makes every router it
could stand for uncertain, and is reported as a diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from analyzer.facts.model import Binding, MountFact, RouteFact, Span
from analyzer.index import ProjectIndex, Symbol
from analyzer.inference import annotation_class_name

APP_CLASSES = {
    "fastapi.FastAPI": "fastapi",
    "fastapi.applications.FastAPI": "fastapi",
    "starlette.applications.Starlette": "starlette",
    "flask.Flask": "flask",
    "flask.app.Flask": "flask",
    "apiflask.APIFlask": "flask",
    "quart.Quart": "flask",
}
ROUTER_CLASSES = {
    "fastapi.APIRouter": "fastapi",
    "fastapi.routing.APIRouter": "fastapi",
    "starlette.routing.Router": "starlette",
    "flask.Blueprint": "flask",
    "flask.blueprints.Blueprint": "flask",
    "apiflask.APIBlueprint": "flask",
    "flask_smorest.Blueprint": "flask",
    "quart.Blueprint": "flask",
}
DYNAMIC_LOADERS = frozenset({"importlib.import_module", "builtins.__import__", "builtins.getattr"})
VIRTUAL_APP = Symbol("external", "<application>")


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
    path: str
    line: int
    attribute: str | None

    def could_be(self, node: RouterNode, names: frozenset[str]) -> bool:
        """Whether this mount may reach `node`, which is bound under `names` (its variable, its
        aliases, and the class attributes of its module)."""
        return self.attribute is None or self.attribute in names


class MountGraph:
    def __init__(self, index: ProjectIndex, entrypoints: tuple[str, ...] = ()) -> None:
        """`entrypoints` name application objects as `module:name` (from the configuration)."""
        self.index = index
        import networkx as nx

        self.nodes: dict[Symbol, RouterNode] = {}
        self.graph: nx.MultiDiGraph[Symbol] = nx.MultiDiGraph()
        self.dynamic: list[DynamicMount] = []
        self._find_nodes()
        self._declare_entrypoints(entrypoints)
        self._attach_routes()
        self._add_mounts()

    # ---- building ----------------------------------------------------------------------------
    def _find_nodes(self) -> None:
        for facts in self.index.modules.values():
            routes_by_receiver: dict[str, list[RouteFact]] = {}
            for route in facts.routes:
                routes_by_receiver.setdefault(route.receiver, []).append(route)
            for binding in facts.bindings:
                if binding.callee is None:
                    continue
                kind = self._constructed_kind(facts.module, binding)
                if kind is None:
                    continue
                framework, is_app = kind
                keywords = dict(binding.keywords)
                symbol = Symbol("binding", facts.module, binding.name, binding.scope)
                self.nodes[symbol] = RouterNode(
                    symbol=symbol,
                    path=facts.path,
                    span=Span(binding.line, binding.end_line),
                    framework=framework,
                    is_app=is_app,
                    prefix=keywords.get("prefix") or keywords.get("url_prefix") or "",
                    routes=(),
                )
                self.graph.add_node(symbol)
        self._find_attribute_apps()
        self.graph.add_node(VIRTUAL_APP)

    def _find_attribute_apps(self) -> None:
        """`self.app = FastAPI()` in a class: an application object (mounts on it go through
        `self.app`, which resolves to the virtual application)."""
        for facts, cls in self.index.classes():
            for attr, evidence in cls.attribute_types:
                if evidence.kind != "call":
                    continue
                callee = self.index.resolve_class(facts.module, evidence.expr)
                kind = self._class_kind(callee, depth=0) if callee is not None else None
                if kind is not None and kind[1]:
                    symbol = Symbol("binding", facts.module, f"{cls.name}.{attr}")
                    self.nodes[symbol] = RouterNode(
                        symbol, facts.path, Span(evidence.line, evidence.line), kind[0], True, "", ()
                    )
                    self.graph.add_node(symbol)

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
            self.graph.add_node(symbol)

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
        return self._class_kind(callee, depth=0)

    def _class_kind(self, symbol: Symbol, depth: int) -> tuple[str, bool] | None:
        if symbol.kind == "external":
            if symbol.qualname in APP_CLASSES:
                return APP_CLASSES[symbol.qualname], True
            if symbol.qualname in ROUTER_CLASSES:
                return ROUTER_CLASSES[symbol.qualname], False
            return None
        cls = self.index.class_fact(symbol)
        if cls is None or depth > 8:
            return None
        for base in cls.bases:
            resolved = self.index.resolve_class(symbol.module, base)
            if resolved is not None:
                kind = self._class_kind(resolved, depth + 1)
                if kind is not None:
                    return kind
        return None

    def _node_for(self, module: str, dotted: str, scope: str) -> Symbol | None:
        symbol = self.index.resolve_dotted(module, dotted, scope)
        if symbol is None:
            return None
        symbol = self.index.follow_alias(symbol)
        return symbol if symbol in self.nodes else None

    def _attach_routes(self) -> None:
        attached: dict[Symbol, list[RouteFact]] = {}
        for facts in self.index.modules.values():
            for route in facts.routes:
                owner = self._node_for(facts.module, route.receiver, route.scope)
                if owner is not None:
                    attached.setdefault(owner, []).append(route)
        for symbol, routes in attached.items():
            node = self.nodes[symbol]
            self.nodes[symbol] = RouterNode(
                symbol=node.symbol,
                path=node.path,
                span=node.span,
                framework=node.framework,
                is_app=node.is_app,
                prefix=node.prefix,
                routes=tuple(sorted(routes, key=lambda r: r.line)),
            )

    def _add_mounts(self) -> None:
        for facts in self.index.modules.values():
            for mount in facts.mounts:
                if mount.helper is not None and not self._used_elsewhere(facts.module, mount.helper):
                    continue  # each call of the helper in its module is a mount of its own
                receiver = self._node_for(facts.module, mount.receiver, mount.scope) or VIRTUAL_APP
                if mount.dynamic:
                    self.dynamic.append(DynamicMount(facts.path, mount.line, mount.dynamic_attr))
                    continue
                for target in mount.targets:
                    for node in self._targets(facts.module, facts.path, mount, target):
                        self.graph.add_edge(
                            receiver, node, prefix=mount.prefix, path=facts.path, line=mount.line
                        )

    def _targets(self, module: str, path: str, mount: MountFact, target: str) -> list[Symbol]:
        if target.endswith("()"):
            return self._created_by(module, target[:-2], mount.scope)
        if "[*]" in target:
            name, _, rest = target.partition("[*]")
            binding_owner = self.index.resolve_name(module, name, mount.scope)
            binding = self.index.binding(binding_owner) if binding_owner else None
            if binding_owner is None or binding is None or not binding.elements:
                self.dynamic.append(DynamicMount(path, mount.line, rest.rpartition(".")[2] or None))
                return []
            found = []
            for element in binding.elements:
                if element.endswith("()") and not rest:
                    found.extend(self._created_by(binding_owner.module, element[:-2], binding.scope))
                    continue
                if rest.endswith("()"):  # `for m in MODULES: register(m.make_blueprint())`
                    found.extend(self._created_by(binding_owner.module, element + rest[:-2], binding.scope))
                    continue
                node = self._node_for(binding_owner.module, element + rest, binding.scope)
                if node is not None:
                    found.append(node)
                elif "()" in element:  # an object made at run time: any router it holds
                    self.dynamic.append(DynamicMount(path, mount.line, rest.rpartition(".")[2] or None))
            return found
        symbol = self.index.resolve_dotted(module, target, mount.scope)
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
        head = self.index.resolve_name(module, target.split(".")[0], mount.scope)
        if head is None or self._is_dynamically_loaded(module, target, mount.scope):
            # A parameter, a loop variable, something loaded at run time: it could be any router.
            attribute = target.partition(".")[2].rpartition(".")[2] or None
            self.dynamic.append(DynamicMount(path, mount.line, attribute))
        return []

    def _used_elsewhere(self, module: str, function: str) -> bool:
        """Whether another module may call `module.function` (imports it, or reads an attribute
        of that name): its calls there are not recorded, so what it mounts stays open."""
        for facts in self.index.modules.values():
            if facts.module == module:
                continue
            if any(i.name == function and i.module == module for i in facts.imports):
                return True
            if any(dotted.rpartition(".")[2] == function for dotted, _, _ in facts.dotted_refs):
                return True
        return False

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
            node = self._node_for(function.module, returned, "") if name == function.name else None
            if node is not None and node not in created:
                created.append(node)  # `def setup(): ...; return router`, a module-level router
        return created

    def _is_dynamically_loaded(self, module: str, target: str, scope: str) -> bool:
        """`mod.router` where `mod` is bound to `importlib.import_module(...)` or similar."""
        head = target.split(".")[0]
        root = self.index.resolve_name(module, head, scope)
        binding = self.index.binding(root) if root else None
        if root is None or binding is None or binding.callee is None:
            return False
        loader = self.index.resolve_dotted(root.module, binding.callee, binding.scope)
        return loader is not None and loader.qualname in DYNAMIC_LOADERS

    # ---- questions ---------------------------------------------------------------------------
    @property
    def apps(self) -> list[RouterNode]:
        return [node for node in self.nodes.values() if node.is_app]

    @cached_property
    def reachable(self) -> frozenset[Symbol]:
        import networkx as nx

        roots = [VIRTUAL_APP, *(node.symbol for node in self.apps)]
        seen: set[Symbol] = set()
        for root in roots:
            seen.add(root)
            seen.update(nx.descendants(self.graph, root))
        return frozenset(seen)

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
            replace = self.nodes[child].framework == "flask" and data["prefix"] is not None
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
