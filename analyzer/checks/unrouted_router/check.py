"""unrouted-router: the check (the rule's documentation is the package's docstring)."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.checks.unrouted_router.details import (
    RULE_ID,
    DeleteRouter,
    EndpointRow,
    MountRouter,
    Replacement,
    UnroutedDetails,
)
from analyzer.findings import Diagnostic, Finding, Related, counted
from analyzer.project import Project
from analyzer.routing import Endpoint, MountGraph, RouterNode, path_segments, replaces


def check(project: Project) -> Iterator[Finding | Diagnostic]:
    if not project.has_web_code:
        return  # no router, no application: no mount graph to build
    graph = project.mounts
    if not graph.apps:
        if any(not node.is_app for node in graph.nodes.values()):
            yield Diagnostic(".", f"{RULE_ID}: no application object found; routers not judged")
        return
    reachable = graph.reachable
    for symbol, node in sorted(graph.nodes.items(), key=lambda item: (item[1].path, item[1].span.line)):
        if node.is_app or symbol in reachable or (graph.includers(symbol) and symbol not in graph.maybe_reachable):
            continue
        endpoints = graph.endpoints(symbol)
        doubts = _doubts(graph, node)
        if not endpoints:
            # Routes the tool cannot read (added by a helper, `Api(bp).add_resource(...)`), or none.
            doubts.append("none of its endpoints can be read statically (added by a helper?)")
        yield _finding(project, node, endpoints, doubts)


def _doubts(graph: MountGraph, node: RouterNode) -> list[str]:
    """Why the router may be mounted after all; no doubt, no reason."""
    doubts = []
    if node.symbol in graph.maybe_reachable:
        doubts.append(f"it is mounted by code that may not run: {graph.maybe_reachable[node.symbol]}")
    names = graph.names_of(node)
    for mount in graph.dynamic:
        if mount.could_be(node, names):
            suffix = f" (and that code may not run: {mount.doubt})" if mount.doubt else ""
            doubts.append(f"{mount.describe()}: it could be this router{suffix}")
    for inert in graph.inert.get(node.symbol, ()):
        if inert.why == "tests":
            doubts.append(f"only tests mount it ({inert.path}:{inert.line})")
    return doubts


def _finding(project: Project, node: RouterNode, endpoints: list[Endpoint], doubts: list[str]) -> Finding:
    graph = project.mounts
    mounted = graph.mounted_endpoints
    notes = _deprecation_notes(project)
    rows = []
    for endpoint in endpoints:
        replacement = _replacement(endpoint, mounted)
        deprecated = next(
            (where for paths, where in notes if any(_same_path(endpoint.path, p) for p in paths)),
            f"{endpoint.file}:{endpoint.line}" if endpoint.deprecated else None,
        )
        rows.append(
            EndpointRow(
                method=endpoint.method,
                path=endpoint.path,
                handler=endpoint.handler,
                line=endpoint.line,
                replacement=(
                    Replacement(replacement.method, replacement.path, replacement.file, replacement.line)
                    if replacement else None
                ),
                deprecated_in=deprecated,
            )
        )
    facts = project.index.by_path[node.path]
    importers = project.module_references(facts.module)
    replaced = sum(1 for row in rows if row.replacement)
    retired = all(row.replacement or row.deprecated_in for row in rows)
    app_mounts = _app_mount_sites(project)
    if len(rows) == 1:
        replacements = "it has a mounted replacement" if replaced else "it has no mounted replacement"
    elif replaced == 0:
        replacements = "none of them has a mounted replacement"
    elif replaced == len(rows):
        replacements = "each has a mounted replacement"
    else:
        replacements = f"{replaced} of them {'has' if replaced == 1 else 'have'} a mounted replacement"
    message = (
        f"`{node.symbol.name}` in {node.path} defines {counted(len(rows), 'endpoint')} but is never mounted "
        f"on the application; {replacements}."
    )
    evidence = [f"no include chain leads from an application to `{node.symbol.name}`"]
    for inert in graph.inert.get(node.symbol, ()):
        if inert.why == "dead":
            holder = f"`{inert.scope.partition('.')[0]}`" if inert.scope else "its module"
            evidence.append(
                f"mounted at {inert.path}:{inert.line}, in {holder}, which nothing the application runs reaches"
            )
    evidence += doubts
    evidence += [f"application mounts routers at {site}" for site in app_mounts]
    if importers:
        evidence.append(
            "imported (not mounted) by " + ", ".join(f"{r.path}:{r.line}" for r in importers)
        )
    related = [
        Related(path, first, last, "the application's mounts")
        for path, first, last in _mount_spans(project)
    ]
    return Finding(
        rule=RULE_ID,
        path=node.path,
        line=node.span.line,
        end_line=node.span.end_line,
        symbol=node.symbol.name,
        message=message,
        related=tuple(related),
        details=UnroutedDetails(
            framework=node.framework,
            prefix=node.prefix,
            endpoints=tuple(rows),
            imported_by=tuple(sorted({r.path for r in importers})),
            mounted_at=tuple(app_mounts),
        ),
        evidence=tuple(evidence),
        confidence="uncertain" if doubts else "high",
        fix=(
            DeleteRouter("delete-module", node.path, facts.module, tuple(sorted({r.path for r in importers})))
            if retired
            else MountRouter("mount-router", node.path, node.symbol.name, facts.module)
        ),
    )


def _replacement(endpoint: Endpoint, mounted: list[Endpoint]) -> Endpoint | None:
    candidates = [
        other
        for other in mounted
        if other.method == endpoint.method and other.file != endpoint.file
        and replaces(endpoint.path, other.path)
    ]
    candidates.sort(key=lambda e: (len(path_segments(e.path)), e.path))
    return candidates[0] if candidates else None


def _same_path(a: str, b: str) -> bool:
    return path_segments(a) == path_segments(b)


def _deprecation_notes(project: Project) -> list[tuple[tuple[str, ...], str]]:
    return [
        (note.paths, f"{facts.path}:{note.line}-{note.end_line}")
        for facts in project.index.modules.values()
        for note in facts.deprecation_notes
    ]


def _mount_spans(project: Project) -> list[tuple[str, int, int]]:
    """For each module that mounts onto an application directly, the line range of those mounts."""
    graph = project.mounts
    apps = {node.symbol for node in graph.apps}
    lines: dict[str, list[int]] = {}
    for source, _, data in graph.graph.edges(data=True):
        if source in apps:
            lines.setdefault(data["path"], []).append(data["line"])
    return [(path, min(found), max(found)) for path, found in sorted(lines.items())]


def _app_mount_sites(project: Project) -> list[str]:
    return [f"{path}:{first}-{last}" if first != last else f"{path}:{first}"
            for path, first, last in _mount_spans(project)]
