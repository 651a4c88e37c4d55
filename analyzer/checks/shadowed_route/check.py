"""shadowed-route: the check (the rule's documentation is the package's docstring).

Every endpoint an application serves is placed with the chain of registrations that puts it
there: the mounts from the application down to its router, then the route declaration. Two
endpoints of one application are ordered where their chains part: two registrations on the same
router, which run in line order when they sit in one function of one module; anywhere else the
order is not known (it depends on which module is imported first, or which function runs first).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations

from analyzer import frameworks
from analyzer.checks.shadowed_route.details import (
    RULE_ID,
    DeleteMount,
    DeleteRoute,
    Kind,
    MoveRoute,
    RouteRef,
    ShadowedDetails,
)
from analyzer.checks.shadowed_route.paths import Answer, Pattern, covers, parse, same_rule, werkzeug_tie
from analyzer.facts.model import NAMES, ModuleFacts, RouteFact
from analyzer.findings import Diagnostic, Finding, FixSpec, Related
from analyzer.index import Symbol
from analyzer.project import Project
from analyzer.routing import VIRTUAL_APP, MountGraph, join_paths

# Mounts that make a sub-application: its routes are matched inside it, after the mount matched.
_SUB_APPLICATION = frozenset({"mount", "Mount", "host", "Host"})


@dataclass(frozen=True)
class Step:
    """One registration on a router or an application: a route declared on it, or a mount of a
    child. `scope` is the function it runs in (None when unknown), `receiver` the object it is
    made on, as written. `doubts` are why the step may not hold as read: its code may not run, or
    the prefix it adds is computed at run time."""

    kind: str  # "route" or "mount"
    file: str
    line: int
    scope: str | None
    receiver: str
    target: str  # the mounted router, or the route's handler
    doubts: tuple[str, ...] = field(default=(), compare=False)
    branches: tuple[tuple[int, int], ...] = field(default=(), compare=False)  # see MountFact


@dataclass(frozen=True)
class Placed:
    """An endpoint as one application serves it."""

    method: str
    path: str
    pattern: Pattern
    framework: str
    route: RouteFact
    file: str  # where the route is declared
    chain: tuple[Step, ...]
    namespace: tuple[Step, ...]  # the mounts of sub-applications on the way (their own matching)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.route.line}"


@dataclass(frozen=True)
class Order:
    first: Placed | None  # None: the order is not known
    how: str  # how it is known, or why not


@dataclass(frozen=True)
class _Pair:
    """An endpoint never reached, and the one that answers first."""

    kind: Kind
    first: Placed
    later: Placed
    application: str
    evidence: str
    doubts: tuple[str, ...]


def check(project: Project) -> Iterator[Finding | Diagnostic]:
    if not project.has_web_code:
        return
    graph = project.mounts
    walker = _Walker(project, graph)
    found: dict[tuple[str, int, str], list[_Pair]] = {}
    for root in [VIRTUAL_APP, *sorted((node.symbol for node in graph.apps), key=str)]:
        groups: dict[tuple[tuple[Step, ...], str], list[Placed]] = {}
        for placed in walker.walk(root):
            groups.setdefault((placed.namespace, placed.method), []).append(placed)
        application = "<application>" if root == VIRTUAL_APP else f"{root.module}:{root.name}"
        for endpoints in groups.values():
            for a, b in _candidates(endpoints):
                pair = _judge(a, b, application, virtual=root == VIRTUAL_APP)
                if pair is not None:
                    found.setdefault(_key(pair), []).append(pair)
    for pairs in sorted(found.values(), key=lambda p: (p[0].later.file, p[0].later.route.line, p[0].kind)):
        yield _finding(pairs)


def _key(pair: _Pair) -> tuple[str, int, str]:
    """What one finding gathers: the endpoints of one route (or of one mount) never reached."""
    if pair.kind == "mounted-twice":
        step = _parting(pair.first, pair.later)[2]
        return (step.file, step.line, step.target)
    return (pair.later.file, pair.later.route.line, pair.later.route.handler)


class _Walker:
    """The endpoints each application serves, with their chains of registrations."""

    def __init__(self, project: Project, graph: MountGraph) -> None:
        self.project = project
        self.graph = graph
        self.route_files: dict[tuple[Symbol, RouteFact], str] = {}
        for facts in project.index.modules.values():
            for route in facts.routes:
                node = graph.routers.node_for(facts.module, route.receiver, route.scope)
                if node is not None:
                    self.route_files[(node, route)] = facts.path
        self._logical: dict[str, dict[int, tuple[str, ...]]] = {}

    def walk(
        self, symbol: Symbol, base: str = "", chain: tuple[Step, ...] = (), namespace: tuple[Step, ...] = (),
        seen: frozenset[Symbol] = frozenset(), replace_prefix: bool = False,
    ) -> Iterator[Placed]:
        node = self.graph.nodes.get(symbol)
        prefix = base + ("" if node is None or replace_prefix else node.prefix)
        if node is not None:
            for route in node.routes:
                file = self.route_files.get((symbol, route), node.path)
                step = Step("route", file, route.line, route.scope, route.receiver, route.handler)
                path = join_paths(prefix, route.path)
                for method in dict.fromkeys(route.methods):
                    yield Placed(method, path, parse(path, node.framework), node.framework, route, file,
                                 (*chain, step), namespace)
        edges = sorted(
            self.graph.graph.out_edges(symbol, data=True), key=lambda e: (e[2]["path"], e[2]["line"], str(e[1]))
        )
        for _, child, data in edges:
            if child in seen or child == symbol or child not in self.graph.nodes:
                continue
            step, method = self._mount_step(symbol, child, data)
            framework = frameworks.framework(self.graph.nodes[child].framework)
            replace = framework.mount_replaces_prefix and data["prefix"] is not None
            inner = (*namespace, step) if method in _SUB_APPLICATION else namespace
            yield from self.walk(
                child, prefix + (data["prefix"] or ""), (*chain, step), inner, seen | {symbol}, replace
            )

    def _mount_step(self, parent: Symbol, child: Symbol, data: dict[str, object]) -> tuple[Step, str]:
        path, line = str(data["path"]), int(str(data["line"]))
        facts = self.project.index.by_path[path]
        mount = next((m for m in facts.mounts if m.line == line and m.helper is None), None)
        call = next((c for c in facts.calls if c.line == line), None) if mount is None else None
        scope = mount.scope if mount is not None else call.scope if call is not None else None
        doubts = []
        if data.get("doubt"):
            doubts.append(f"the mount at {path}:{line} may not run: {data['doubt']}")
        node = self.graph.nodes[child]
        keywords = frameworks.framework(node.framework).prefix_keywords
        if data["prefix"] is None and self._writes(facts, line, keywords):
            doubts.append(f"the prefix given at {path}:{line} is computed at run time")
        replaced = frameworks.framework(node.framework).mount_replaces_prefix and data["prefix"] is not None
        own = self.project.index.by_path[node.path]
        if not node.prefix and not replaced and self._writes(own, node.span.line, keywords):
            doubts.append(f"the prefix of `{child.name}` ({node.path}:{node.span.line}) is computed at run time")
        receiver = mount.receiver if mount is not None else ""
        method = mount.method if mount is not None else ""
        target = f"{child.module}:{child.scope}:{child.name}"
        branches = mount.branches if mount is not None else ()
        return Step("mount", path, line, scope, receiver, target, tuple(doubts), branches), method

    def _writes(self, facts: ModuleFacts, line: int, keywords: tuple[str, ...]) -> bool:
        """Whether the statement starting at `line` names one of `keywords` (a prefix keyword
        whose value the facts do not hold: it is not a literal)."""
        if facts.path not in self._logical:
            self._logical[facts.path] = {row[0]: row[NAMES] for row in facts.clone_text.lines()}
        names = self._logical[facts.path].get(line, ())
        return any(keyword in names for keyword in keywords)


def _candidates(endpoints: list[Placed]) -> Iterator[tuple[Placed, Placed]]:
    """The pairs of endpoints (of one method, on one application) whose paths may overlap: of
    the same length, not parted by two different literal first segments; or one of them with a
    `path` parameter."""
    spanning = [e for e in endpoints if e.pattern.spans]
    plain = [e for e in endpoints if e not in spanning]
    buckets: dict[int, dict[str | None, list[Placed]]] = {}
    for endpoint in plain:
        segments = endpoint.pattern.segments
        head = segments[0][0] if segments and len(segments[0]) == 1 and isinstance(segments[0][0], str) else None
        buckets.setdefault(len(segments), {}).setdefault(head, []).append(endpoint)
    for by_head in buckets.values():
        wild = by_head.get(None, [])
        for head, group in by_head.items():
            yield from combinations(group, 2)
            if head is not None:
                yield from ((a, b) for a in wild for b in group)
    yield from combinations(spanning, 2)
    yield from ((a, b) for a in spanning for b in plain)


def _judge(a: Placed, b: Placed, application: str, virtual: bool) -> _Pair | None:
    """The finding the pair makes, if any."""
    if a.framework != b.framework or a.chain == b.chain:
        return None
    identical = same_rule(a.pattern, b.pattern)
    if a.framework == "flask":
        # Werkzeug tries static segments first and converters by weight: only the same rule
        # shadows, or maybe one whose custom converter weighs what the other's does.
        if not identical and not werkzeug_tie(a.pattern, b.pattern):
            return None
        a_covers_b: Answer = "yes" if identical else "maybe"
        b_covers_a: Answer = a_covers_b
    else:
        a_covers_b, b_covers_a = covers(a.pattern, b.pattern), covers(b.pattern, a.pattern)
        if a_covers_b == b_covers_a == "no":
            return None
    if _exclusive(a, b):
        return None  # registered in the two branches of one `if`: never both
    order, doubts = _order(a, b, virtual)
    if order.first is not None:
        first = order.first
    elif identical or (a_covers_b == "no") == (b_covers_a == "no"):
        first = min(a, b, key=lambda e: (e.file, e.route.line))  # the later in the source is reported
    else:
        first = a if b_covers_a == "no" else b
    later = b if first is a else a
    answer = a_covers_b if first is a else b_covers_a
    if answer == "no":
        return None  # the specific route comes first: the right order
    if order.first is None:
        doubts = [order.how, *doubts]
    if answer == "maybe":
        doubts.append(_custom_doubt(first, later))
    same_route = first.file == later.file and first.route == later.route
    kind: Kind = "mounted-twice" if same_route else "duplicate" if identical else "order"
    evidence = f"`{first.method} {first.path}` ({first.where}, `{first.route.handler}`) "
    evidence += "matches every request for it" if kind == "order" else "has the same method and path"
    if order.first is not None:
        evidence += f"; {order.how}"
    return _Pair(kind, first, later, application, evidence, tuple(doubts))


def _parting(a: Placed, b: Placed) -> tuple[int, Step, Step]:
    """Where two chains part: the index, and the step of each there."""
    for index, (x, y) in enumerate(zip(a.chain, b.chain, strict=False)):
        if x != y:
            return index, x, y
    index = min(len(a.chain), len(b.chain)) - 1
    return index, a.chain[index], b.chain[index]


def _exclusive(a: Placed, b: Placed) -> bool:
    """Whether the two endpoints are registered in different branches of one `if` (where their
    registrations part, in one function of one module): at most one of them is ever made."""
    _, x, y = _parting(a, b)
    if x.file != y.file or x.scope != y.scope:
        return False
    branch_of = dict(x.branches)
    return any(line in branch_of and branch_of[line] != branch for line, branch in y.branches)


def _order(a: Placed, b: Placed, virtual: bool) -> tuple[Order, list[str]]:
    """Which of two endpoints the application tries first, and the doubts on the steps that are
    not shared (what is shared holds or fails for both). `virtual`: the application is the one
    standing for every object the index cannot identify, which may be several applications."""
    index, x, y = _parting(a, b)
    doubts = list(dict.fromkeys(d for step in (*a.chain[index:], *b.chain[index:]) for d in step.doubts))
    places = f"{x.file}:{x.line} and {y.file}:{y.line}"
    if x.file != y.file:
        why = f"registered in different modules ({places}): the order depends on which runs first"
        return Order(None, why), doubts
    if x.scope is None or x.scope != y.scope:
        why = f"registered in different functions ({places}): the order depends on which runs first"
        return Order(None, why), doubts
    if x.line == y.line:
        return Order(None, f"registered by one statement ({x.file}:{x.line}): the order is not read"), doubts
    if virtual and index == 0 and (not x.receiver or x.receiver != y.receiver):
        return Order(None, f"mounted onto objects that may be different applications ({places})"), doubts
    first, early, late = (a, x, y) if x.line < y.line else (b, y, x)
    what = "declared" if x.kind == y.kind == "route" else "registered"
    return Order(first, f"{what} in {x.file}: line {early.line} before line {late.line}"), doubts


def _custom_doubt(first: Placed, later: Placed) -> str:
    names = dict.fromkeys((*first.pattern.custom, *later.pattern.custom))
    listed = ", ".join(f"`{name}`" for name in names)
    return f"it depends on what the custom converter {listed} matches"


def _finding(pairs: list[_Pair]) -> Finding:
    best = min(pairs, key=lambda p: (bool(p.doubts), p.first.file, p.first.route.line))
    kind, first, later = best.kind, best.first, best.later
    if kind == "mounted-twice":
        chosen = pairs
    else:
        chosen = [p for p in pairs if (p.first.file, p.first.route) == (first.file, first.route)]
    methods = tuple(sorted({p.later.method for p in chosen}))
    endpoints = len({(p.later.file, p.later.route.line, p.later.method) for p in chosen})
    written = f"`{'/'.join(methods)} {later.path}`"
    related = [Related(first.file, first.route.line, first.route.line, "the route that answers first")]
    symbol = later.route.handler
    never = "may never be reached" if best.doubts else "is never reached"
    fix: FixSpec
    if kind == "mounted-twice":
        _, step_first, step_later = _parting(first, later)
        router = step_later.target.rpartition(":")[2]
        served = {1: "the endpoint", 2: "both endpoints"}.get(endpoints, f"all {endpoints} endpoints")
        message = (
            f"`{router}` is mounted twice under the same prefix ({step_first.file}:{step_first.line} and "
            f"{step_later.file}:{step_later.line}): the first mount serves {served} of the second, which {never}."
        )
        path, line, symbol = step_later.file, step_later.line, router
        related = [Related(step_first.file, step_first.line, step_first.line, "the first mount")]
        fix = DeleteMount("delete-mount", path, line, router)
    elif kind == "duplicate":
        message = (
            f"{written} is registered twice on the same application: `{later.route.handler}` {never}, "
            f"`{first.route.handler}` ({first.where}) answers first."
        )
        path, line = later.file, later.route.line
        fix = DeleteRoute("delete-route", path, symbol, line)
    else:
        message = (
            f"{written} {never}: `{first.method} {first.path}` ({first.where}), registered before it "
            f"on the same application, matches every request for it."
        )
        path, line = later.file, later.route.line
        fix = MoveRoute("move-route", path, symbol, line, first.file, first.route.handler, first.route.line)
    details = ShadowedDetails(
        kind=kind,
        framework=later.framework,
        application=best.application,
        methods=methods,
        path=later.path,
        handler=later.route.handler,
        shadowed_by=RouteRef(first.route.methods, first.path, first.route.handler, first.file, first.route.line),
        endpoints=endpoints,
    )
    return Finding(
        rule=RULE_ID,
        path=path,
        line=line,
        end_line=line,
        symbol=symbol,
        message=message,
        related=tuple(related),
        details=details,
        evidence=(best.evidence, *best.doubts),
        confidence="uncertain" if best.doubts else "high",
        fix=fix,
    )
