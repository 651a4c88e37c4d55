"""Flask and its family (Quart, APIFlask, flask-smorest): blueprints and their registration.

- Routes: `@bp.route("/x", methods=[...])`, `@bp.get("/x")` and the other verbs (Flask 2),
  Quart's `@app.websocket("/ws")`; `bp.add_url_rule("/x", view_func=View.as_view("x"))`.
- Mounts: `app.register_blueprint(bp, url_prefix="/api")`: the registration's `url_prefix`
  replaces the blueprint's own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from analyzer.facts.syntax import keyword, positional
from analyzer.frameworks.base import Adapter, Found, Framework, Role, Site, method_mount, registered_route

FLASK = Framework(
    "flask", prefix_keywords=("url_prefix",), mount_replaces_prefix=True, advice="app.register_blueprint({router})"
)


def _register_blueprint(node: ast.Call, site: Site) -> Iterator[Found]:
    target = positional(node, 0) or keyword(node, "blueprint")
    yield from method_mount(node, target, keyword(node, "url_prefix"))


ADAPTER = Adapter(
    name="flask",
    frameworks=(FLASK,),
    roles={
        "flask.Flask": Role("flask", "app"),
        "flask.app.Flask": Role("flask", "app"),
        "apiflask.APIFlask": Role("flask", "app"),
        "quart.Quart": Role("flask", "app"),
        "flask.Blueprint": Role("flask", "router"),
        "flask.blueprints.Blueprint": Role("flask", "router"),
        "apiflask.APIBlueprint": Role("flask", "router"),
        "flask_smorest.Blueprint": Role("flask", "router"),
        "quart.Blueprint": Role("flask", "router"),
    },
    route_decorators={
        "route": ("GET",),
        **{verb: (verb.upper(),) for verb in ("get", "post", "put", "delete", "patch")},
        "websocket": ("WEBSOCKET",),  # Quart
    },
    calls={"register_blueprint": _register_blueprint, "add_url_rule": registered_route},
    mount_methods=frozenset({"register_blueprint"}),
    helper_methods=frozenset({"register_blueprint"}),
)
