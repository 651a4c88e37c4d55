"""FastAPI and Starlette: `APIRouter`, `include_router`, `mount`, `Mount`, route decorators.

- Routes: `@router.get("/x")` and the other verbs, `@app.api_route("/x", methods=[...])`,
  `@app.websocket("/ws")`, Starlette's `@app.route("/x")`; `router.add_api_route("/x", handler)`,
  `add_api_websocket_route`, Starlette's `app.add_route("/x", handler)`.
- Mounts: `app.include_router(router, prefix="/api")` (a prefix added before the router's own),
  `app.mount("/static", sub_app)`, `app.host("api.example.com", sub_app)`, and Starlette's
  `Mount("/api", app=sub_app)` and `Host(...)` in a list of routes (onto the application).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from analyzer.facts.syntax import keyword, positional
from analyzer.frameworks.base import Adapter, Found, Framework, Mount, Role, Site, method_mount, registered_route

FASTAPI = Framework("fastapi", prefix_keywords=("prefix",), advice="app.include_router({router})")
STARLETTE = Framework("starlette", prefix_keywords=("prefix",), advice='app.mount("{prefix}", {router})')


def _include_router(node: ast.Call, site: Site) -> Iterator[Found]:
    yield from method_mount(node, positional(node, 0) or keyword(node, "router"), keyword(node, "prefix"))


def _mount(node: ast.Call, site: Site) -> Iterator[Found]:
    """`app.mount("/v2", sub_app)` (Starlette's `Router.mount(path, app)`)."""
    target = keyword(node, "app") or positional(node, 1)
    yield from method_mount(node, target, positional(node, 0) or keyword(node, "path"))


def _host(node: ast.Call, site: Site) -> Iterator[Found]:
    yield from method_mount(node, keyword(node, "app") or positional(node, 1))


def _mount_route(node: ast.Call, site: Site) -> Iterator[Found]:
    """`Mount("/api", app=sub_app)` or `Host("api.example.com", app=...)` in a list of routes:
    mounted onto the application whose routes they are."""
    if not isinstance(node.func, ast.Name):
        return
    target = keyword(node, "app") or positional(node, 1)
    prefix = positional(node, 0) or keyword(node, "path") if node.func.id == "Mount" else None
    if target is not None:
        yield Mount("?", node.func.id, target, prefix)


_VERBS = ("get", "post", "put", "delete", "patch", "options", "head", "trace")

ADAPTER = Adapter(
    name="fastapi",
    frameworks=(FASTAPI, STARLETTE),
    roles={
        "fastapi.FastAPI": Role("fastapi", "app"),
        "fastapi.applications.FastAPI": Role("fastapi", "app"),
        "starlette.applications.Starlette": Role("starlette", "app"),
        "fastapi.APIRouter": Role("fastapi", "router"),
        "fastapi.routing.APIRouter": Role("fastapi", "router"),
        "starlette.routing.Router": Role("starlette", "router"),
    },
    route_decorators={
        **{verb: (verb.upper(),) for verb in _VERBS},
        "websocket": ("WEBSOCKET",),
        "websocket_route": ("WEBSOCKET",),
        "api_route": ("GET",),
        "route": ("GET",),  # Starlette's `@app.route("/x")`
    },
    calls={
        "include_router": _include_router,
        "mount": _mount,
        "host": _host,
        "Mount": _mount_route,
        "Host": _mount_route,
        "add_api_route": registered_route,
        "add_api_websocket_route": registered_route,
        "add_route": registered_route,
    },
    mount_methods=frozenset({"include_router", "mount", "host"}),
    helper_methods=frozenset({"include_router"}),
)
