"""unrouted-router: a FastAPI `APIRouter` or Flask `Blueprint` that is never mounted.

## What it finds
A router whose endpoints never reach an application: no chain of `include_router`,
`register_blueprint`, `mount` or Starlette `Mount` calls leads from a `FastAPI(...)`,
`Flask(...)` or `Starlette(...)` object to it. Chains are followed through aggregator routers,
package re-exports, import aliases, module attributes (`items.router`), app factories, the
variables holding their results and the module-level routers they return, `functools.partial`
of a mount method, helper functions that mount their parameter
(`def add(app, router): app.include_router(router)`, called in their own module), and loops
over literal lists of routers or modules.

For each endpoint (method and path) the finding names the mounted endpoint that replaces it: same
method, every segment of the old path kept in order, same last segment
(`/my/chat/{id}/events/` → `/my/projects/{pid}/chat/{id}/events/`), and any documentation that
marks the old path deprecated.

## Why is this bad?
The endpoints look alive in the code and in reviews, but no request can reach them: they rot,
they mislead, and whatever they call looks used.

## Example
`app/routes/sse.py` defines `router = APIRouter(prefix="/my/chat")`; `app/routes/__init__.py`
imports the module but `app/main.py` never calls `app.include_router(sse.router)`.

## Fix
When every endpoint has a mounted replacement or is documented as deprecated: delete the module
and drop it from its package's imports and `__all__`. Otherwise: mount it, or delete it by hand.

## Blind spots
A project without any application object is not judged (a library of routers). Mounts that
cannot be read statically (`importlib.import_module`, `getattr(module, "router")`, plugin
loaders, a mounting helper that other modules call) make every router they could stand for
uncertain: those are listed as diagnostics, not findings. A mount onto an object the index
cannot identify is assumed to be onto an application.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.checks import Example, Rule
from analyzer.findings import Diagnostic, Finding, Related
from analyzer.project import Project
from analyzer.routing import Endpoint, MountGraph, RouterNode, path_segments, replaces

RULE_ID = "unrouted-router"


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
            {
                "method": endpoint.method,
                "path": endpoint.path,
                "handler": endpoint.handler,
                "line": endpoint.line,
                "replacement": (
                    {"method": replacement.method, "path": replacement.path,
                     "file": replacement.file, "line": replacement.line}
                    if replacement else None
                ),
                "deprecated_in": deprecated,
            }
        )
    facts = project.index.by_path[node.path]
    importers = project.module_references(facts.module)
    replaced = sum(1 for row in rows if row["replacement"])
    retired = all(row["replacement"] or row["deprecated_in"] for row in rows)
    app_mounts = _app_mount_sites(project)
    message = (
        f"`{node.symbol.name}` in {node.path} defines {len(rows)} endpoint(s) but is never mounted "
        f"on the application; {replaced} of them have a mounted replacement."
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
        details={
            "framework": node.framework,
            "prefix": node.prefix,
            "endpoints": rows,
            "imported_by": sorted({r.path for r in importers}),
            "mounted_at": app_mounts,
        },
        evidence=tuple(evidence),
        confidence="uncertain" if doubts else "high",
        fix=(
            {"action": "delete-module", "path": node.path, "module": facts.module,
             "unimport_from": sorted({r.path for r in importers})}
            if retired
            else {"action": "mount-router", "path": node.path, "router": node.symbol.name,
                  "module": facts.module}
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


_MAIN = '''from fastapi import FastAPI

from app.routes import items, legacy

app = FastAPI()
app.include_router(items.router)
'''

RULE = Rule(
    id=RULE_ID,
    summary="An APIRouter or Blueprint whose endpoints are never mounted on the application.",
    check=check,
    doc=__doc__ or "",
    invalid=(
        Example(
            files={
                "app/__init__.py": "",
                "app/routes/__init__.py": "",
                "app/routes/items.py": (
                    "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/v2/items')\n\n\n"
                    "@router.get('/{item_id}')\ndef get_item(item_id: int):\n    return {}\n"
                ),
                "app/routes/legacy.py": (
                    "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/items')\n\n\n"
                    "@router.get('/{item_id}')\ndef get_item(item_id: int):\n    return {}\n"
                ),
                "app/main.py": _MAIN,
            },
            expected=(("app/routes/legacy.py", 3, "router"),),
            note="imported next to the live router, never included",
        ),
    ),
    valid=(
        Example(
            files={
                "app/__init__.py": "",
                "app/items.py": (
                    "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/items')\n\n\n"
                    "@router.get('/')\ndef list_items():\n    return []\n"
                ),
                "app/helpers.py": (
                    "def include_with_prefix(application, router):\n"
                    "    application.include_router(router, prefix='/api')\n"
                ),
                "app/main.py": (
                    "from fastapi import FastAPI\n\nfrom app.helpers import include_with_prefix\n"
                    "from app.items import router\n\napp = FastAPI()\ninclude_with_prefix(app, router)\n"
                ),
            },
            note="a helper in another module mounts what it is given: undecidable, a diagnostic",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/api.py": (
                    "from fastapi import APIRouter\n\nfrom app import users\n\n"
                    "api_router = APIRouter(prefix='/api')\napi_router.include_router(users.router)\n"
                ),
                "app/users.py": (
                    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                    "@router.get('/users')\ndef users():\n    return []\n"
                ),
                "app/main.py": (
                    "from fastapi import FastAPI\n\nfrom app.api import api_router\n\n\n"
                    "def create_app() -> FastAPI:\n    app = FastAPI()\n"
                    "    app.include_router(api_router)\n    return app\n\n\napp = create_app()\n"
                ),
            },
            note="mounted through an aggregator router inside an app factory",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/a.py": (
                    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                    "@router.get('/a')\ndef a():\n    return 1\n"
                ),
                "app/b.py": (
                    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                    "@router.get('/b')\ndef b():\n    return 2\n"
                ),
                "app/main.py": (
                    "from fastapi import FastAPI\n\nfrom app import a, b\n\napp = FastAPI()\n"
                    "for module in (a, b):\n    app.include_router(module.router)\n"
                ),
            },
            note="mounted in a loop over a literal tuple of modules",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/plugins/__init__.py": "",
                "app/plugins/x.py": (
                    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                    "@router.get('/x')\ndef x():\n    return 1\n"
                ),
                "app/main.py": (
                    "import importlib\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
                    "for name in ['x']:\n    module = importlib.import_module(f'app.plugins.{name}')\n"
                    "    app.include_router(module.router)\n"
                ),
            },
            note="a dynamic mount could reach it: a diagnostic, not a finding",
        ),
    ),
)
