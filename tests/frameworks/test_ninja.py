"""Django Ninja: `NinjaAPI`, `Router`s and `add_router`, also with a dotted string."""

from __future__ import annotations

from analyzer.checks.unrouted_router.details import MountRouter, UnroutedDetails
from analyzer.checks.unrouted_router.fix import mount_advice
from analyzer.findings import details_of, fix_of
from tests.frameworks import endpoints, project_of, unrouted

EVENTS = (
    "from ninja import Router\n\nrouter = Router()\ntags = Router()\nold = Router()\n\n\n"
    "@router.get('/')\ndef list_events(request):\n    return []\n\n\n"
    "@tags.api_operation(['GET', 'POST'], '/tags')\ndef tag_list(request):\n    return []\n\n\n"
    "@old.delete('/archive/{event_id}')\ndef archive(request, event_id: int):\n    return None\n"
)


def test_add_router_mounts_with_its_prefix_also_nested() -> None:
    files = {
        "events/__init__.py": "",
        "events/api.py": EVENTS + "\n\nrouter.add_router('/meta', tags)\n",
        "mysite/__init__.py": "",
        "mysite/api.py": (
            "from ninja import NinjaAPI\n\nfrom events.api import router as events_router\n\n"
            "api = NinjaAPI()\napi.add_router('/events', events_router)\n\n\n"
            "@api.get('/ping')\ndef ping(request):\n    return 'pong'\n"
        ),
    }
    assert endpoints(files) == {"GET /ping", "GET /events/", "GET /events/meta/tags", "POST /events/meta/tags"}


def test_a_router_named_by_a_dotted_string_is_mounted(scan_tree) -> None:
    files = {
        "events/__init__.py": "",
        "events/api.py": EVENTS,
        "mysite/__init__.py": "",
        "mysite/api.py": (
            "from ninja import NinjaAPI\n\napi = NinjaAPI()\n"
            "api.add_router(prefix='/events', router='events.api.router')\n"
            "api.add_router('/tags', 'events.api.tags')\n"
        ),
    }
    assert unrouted(scan_tree, files) == {"old": ["DELETE /archive/{event_id}"]}


def test_an_unmounted_router_is_told_how_to_mount_in_ninja_words(scan_tree) -> None:
    files = {
        "events/__init__.py": "",
        "events/api.py": EVENTS,
        "mysite/__init__.py": "",
        "mysite/api.py": "from ninja import NinjaAPI\n\nfrom events import api as events\n\napi = NinjaAPI()\n"
        "api.add_router('/events', events.router)\napi.add_router('/tags', events.tags)\n",
    }
    (finding,) = scan_tree(files, rules={"unrouted-router"}).findings
    advice = mount_advice(fix_of(finding, (MountRouter,)), details_of(finding, UnroutedDetails))
    assert advice == 'api.add_router("/", api.old)'


def test_ninja_litestar_and_starlette_routers_are_told_apart_by_their_import() -> None:
    files = {
        "app/__init__.py": "",
        "app/a.py": "from ninja import Router\n\nrouter = Router()\n",
        "app/b.py": "from litestar import Router\n\nrouter = Router(path='/b', route_handlers=[])\n",
        "app/c.py": "from starlette.routing import Router\n\nrouter = Router()\n",
        "app/d.py": "from myproject.routing import Router\n\nrouter = Router()\n",
    }
    nodes = project_of(files).mounts.nodes.values()
    assert {(n.symbol.module, n.framework, n.prefix) for n in nodes} == {
        ("app.a", "ninja", ""), ("app.b", "litestar", "/b"), ("app.c", "starlette", "")
    }


def test_routers_mounted_in_a_loop_are_mounted_each_with_its_prefix() -> None:
    files = {
        "events/__init__.py": "",
        "events/api.py": EVENTS,
        "mysite/__init__.py": "",
        "mysite/api.py": (
            "from ninja import NinjaAPI\n\nfrom events.api import old, router, tags\n\napi = NinjaAPI()\n"
            "for prefix, child in (('/events', router), ('/tags', tags)):\n    api.add_router(prefix, child)\n"
        ),
    }
    assert endpoints(files) == {"GET /events/", "GET /tags/tags", "POST /tags/tags"}
