"""The mount graph, on small indexes: what is mounted, through what, and what stays open."""

from __future__ import annotations

from analyzer.index import Symbol
from tests.unit import project_of

ROUTER = (
    "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='{prefix}')\n\n\n"
    "@router.get('/')\ndef index():\n    return 1\n"
)


def routers(prefixes: dict[str, str]) -> dict[str, str]:
    return {f"app/{name}.py": ROUTER.format(prefix=prefix) for name, prefix in prefixes.items()}


def mounted(files: dict[str, str]) -> set[str]:
    graph = project_of(files).mounts
    return {node.module for node in graph.reachable if node.kind == "binding" and not graph.nodes[node].is_app}


def test_literal_loops_of_pairs_mount_each_with_its_prefix() -> None:
    files = {
        "app/__init__.py": "",
        **routers({"a": "/a", "b": "/b", "c": "/c"}),
        "app/main.py": (
            "from fastapi import FastAPI\nfrom app import a, b, c\n\napp = FastAPI()\n"
            "for module, prefix in ((a, '/v1'), (b, '/v2')):\n    app.include_router(module.router, prefix=prefix)\n"
        ),
    }
    assert mounted(files) == {"app.a", "app.b"}
    paths = {e.path for e in project_of(files).mounts.mounted_endpoints}
    assert paths == {"/v1/a/", "/v2/b/"}


def test_a_mount_in_a_function_counts_only_when_the_function_runs() -> None:
    files = {
        "app/__init__.py": "",
        **routers({"a": "/a", "b": "/b"}),
        "app/main.py": (
            "from fastapi import FastAPI\nfrom app import a, b\n\napp = FastAPI()\n\n\n"
            "def wire(application):\n    application.include_router(a.router)\n\n\n"
            "def unused(application):\n    application.include_router(b.router)\n\n\nwire(app)\n"
        ),
    }
    graph = project_of(files).mounts
    assert mounted(files) == {"app.a"}
    (inert,) = graph.inert[Symbol("binding", "app.b", "router")]
    assert (inert.why, inert.scope) == ("dead", "unused")


def test_a_dynamic_mount_covers_only_its_candidates() -> None:
    files = {
        "app/__init__.py": "",
        "app/plugins/__init__.py": "",
        "app/plugins/x.py": ROUTER.format(prefix="/x"),
        **routers({"old": "/old"}),
        "app/main.py": (
            "import importlib\nimport os\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
            "for name in os.listdir('plugins'):\n"
            "    app.include_router(importlib.import_module(f'app.plugins.{name}').router)\n"
        ),
    }
    graph = project_of(files).mounts
    (dynamic,) = graph.dynamic
    assert (dynamic.attribute, dynamic.package) == ("router", "app.plugins")
    nodes = {node.symbol.module: node for node in graph.nodes.values()}
    names = graph.names_of(nodes["app.plugins.x"])
    assert dynamic.could_be(nodes["app.plugins.x"], names)
    assert not dynamic.could_be(nodes["app.old"], graph.names_of(nodes["app.old"]))


def test_plugin_objects_mount_the_router_their_class_names() -> None:
    files = {
        "app/__init__.py": "",
        **routers({"slack": "/slack"}),
        "app/plugin.py": "from app.slack import router\n\n\nclass Slack:\n    events = router\n",
        "app/main.py": (
            "from fastapi import FastAPI\nfrom app.plugin import Slack\n\napp = FastAPI()\n"
            "for plugin in [Slack()]:\n    app.include_router(plugin.events)\n"
        ),
    }
    assert mounted(files) == {"app.slack"}


def test_a_helper_of_another_module_mounts_what_each_call_gives_it() -> None:
    files = {
        "app/__init__.py": "",
        **routers({"a": "/a", "b": "/b"}),
        "app/wiring.py": "def add(app, router):\n    app.include_router(router, prefix='/api')\n",
        "app/main.py": (
            "from fastapi import FastAPI\nfrom app import a\nfrom app.wiring import add\n\napp = FastAPI()\n"
            "add(app, a.router)\n"
        ),
    }
    graph = project_of(files).mounts
    assert mounted(files) == {"app.a"} and graph.dynamic == []
