"""Litestar: handlers, routers and controllers composed by `route_handlers=[...]` and `register`."""

from __future__ import annotations

from analyzer.fixes.plan import PlanOptions, build_plan
from tests.frameworks import endpoints, project_of, unrouted

HANDLERS = (
    "from litestar import Controller, Router, get, post\n\n\n"
    "@get('/health')\nasync def health() -> str:\n    return 'ok'\n\n\n"
    "@get('/items')\nasync def list_items() -> list:\n    return []\n\n\n"
    "@post('/archive')\nasync def archive() -> None:\n    return None\n\n\n"
    "class UserController(Controller):\n    path = '/users'\n\n"
    "    @get('/{user_id:int}')\n    async def get_user(self, user_id: int) -> dict:\n        return {}\n"
)


def test_the_application_and_its_routers_list_handlers_controllers_and_routers() -> None:
    files = {
        "app/__init__.py": "",
        "app/handlers.py": HANDLERS,
        "app/main.py": (
            "from litestar import Litestar, Router\n\n"
            "from app.handlers import UserController, health, list_items\n\n"
            "api = Router(path='/api', route_handlers=[list_items, UserController])\n"
            "app = Litestar(route_handlers=[health, api])\n"
        ),
    }
    assert endpoints(files) == {"GET /health", "GET /api/items", "GET /api/users/{user_id:int}"}


def test_a_router_nothing_lists_is_unrouted_and_its_handlers_are_reported_with_it(scan_tree) -> None:
    files = {
        "app/__init__.py": "",
        "app/handlers.py": HANDLERS,
        "app/legacy.py": (
            "from litestar import Router\n\nfrom app.handlers import archive\n\n"
            "legacy = Router(path='/legacy', route_handlers=[archive])\n"
        ),
        "app/main.py": (
            "from litestar import Litestar\n\nfrom app.handlers import UserController, health, list_items\n\n"
            "app = Litestar(route_handlers=[health, list_items, UserController])\n"
        ),
    }
    assert unrouted(scan_tree, files) == {"legacy": ["POST /legacy/archive"]}


def test_an_unlisted_handler_and_an_unlisted_controller_are_unrouted(scan_tree) -> None:
    files = {
        "app/__init__.py": "",
        "app/handlers.py": HANDLERS,
        "app/main.py": (
            "from litestar import Litestar\n\nfrom app.handlers import health, list_items\n\n"
            "app = Litestar(route_handlers=[health, list_items])\n"
        ),
    }
    assert unrouted(scan_tree, files) == {"archive": ["POST /archive"], "UserController": ["GET /users/{user_id:int}"]}


def test_register_mounts_where_litestar_is_imported() -> None:
    files = {
        "app/__init__.py": "",
        "app/handlers.py": HANDLERS,
        "app/main.py": (
            "from litestar import Litestar\n\nfrom app.handlers import archive, health\n\n"
            "app = Litestar(route_handlers=[health])\napp.register(archive)\n"
        ),
        "app/hooks.py": "import atexit\n\n\ndef register(callback):\n    atexit.register(callback)\n",
    }
    project = project_of(files)
    assert endpoints(files) == {"GET /health", "POST /archive"}
    assert project.index.modules["app.hooks"].mounts == ()  # `register` means nothing without litestar


def test_a_list_of_handlers_bound_in_another_module_is_read_where_it_is_bound() -> None:
    files = {
        "app/__init__.py": "",
        "app/handlers.py": HANDLERS,
        "app/routes.py": (
            "from app.handlers import UserController, list_items\n\nROUTE_HANDLERS = [list_items, UserController]\n"
        ),
        "app/main.py": (
            "from litestar import Litestar\n\nfrom app.handlers import health\n"
            "from app.routes import ROUTE_HANDLERS\n\n"
            "app = Litestar(route_handlers=[health, *ROUTE_HANDLERS])\n"
        ),
    }
    assert endpoints(files) == {"GET /health", "GET /items", "GET /users/{user_id:int}"}


def test_what_an_unbound_router_in_dead_code_lists_is_unrouted(scan_tree) -> None:
    """A `Router(...)` bound to no name is taken to be on the application, if its code runs."""
    files = {
        "app/__init__.py": "",
        "app/handlers.py": HANDLERS,
        "app/main.py": (
            "from litestar import Litestar, Router\n\nfrom app.handlers import UserController, archive, health\n"
            "from app.handlers import list_items\n\n"
            "app = Litestar(\n    route_handlers=[\n"
            "        health, UserController, Router(path='/api', route_handlers=[list_items])\n    ]\n)\n"
            "\n\ndef unused():\n    return Router(path='/old', route_handlers=[archive])\n"
        ),
    }
    assert unrouted(scan_tree, files) == {"archive": ["POST /archive"]}


def test_a_base_controller_is_not_a_router_of_its_own(scan_tree) -> None:
    files = {
        "app/__init__.py": "",
        "app/base.py": (
            "from litestar import Controller, get\n\n\nclass CrudController(Controller):\n"
            "    @get('/')\n    async def index(self) -> list:\n        return []\n"
        ),
        "app/users.py": "from app.base import CrudController\n\n\nclass Users(CrudController):\n    path = '/users'\n",
        "app/main.py": (
            "from litestar import Litestar\n\nfrom app.users import Users\n\napp = Litestar(route_handlers=[Users])\n"
        ),
    }
    assert unrouted(scan_tree, files) == {}


def test_decorators_read_their_paths_and_methods() -> None:
    files = {
        "app/__init__.py": "",
        "app/main.py": (
            "from litestar import Litestar, get, route, websocket\nfrom litestar.enums import HttpMethod\n\n\n"
            "@get()\nasync def root() -> str:\n    return ''\n\n\n"
            "@get(['/a', '/b'])\nasync def both() -> str:\n    return ''\n\n\n"
            "@route('/r', http_method=[HttpMethod.PUT, 'PATCH'])\nasync def routed() -> None:\n    return None\n\n\n"
            "@websocket(path='/ws')\nasync def socket(socket) -> None:\n    return None\n\n\n"
            "app = Litestar(route_handlers=[root, both, routed, socket])\n"
        ),
    }
    assert endpoints(files) == {"GET /", "GET /a", "GET /b", "PUT /r", "PATCH /r", "WEBSOCKET /ws"}


def test_other_libraries_decorators_and_routers_are_not_litestar_ones() -> None:
    files = {
        "app/__init__.py": "",
        "app/cache.py": "from mylib import get\n\n\n@get('/key')\ndef key() -> str:\n    return ''\n",
        "app/main.py": (
            "from fastapi import APIRouter, FastAPI\nfrom starlette.routing import Router\n\n"
            "router = APIRouter()\nplain = Router(route_handlers=[router])\napp = FastAPI()\n\n\n"
            "@router.get('/x')\ndef x() -> int:\n    return 1\n"
        ),
    }
    project = project_of(files)
    assert project.index.modules["app.cache"].routes == ()
    assert project.index.modules["app.main"].mounts == ()
    assert {node.framework for node in project.mounts.nodes.values()} == {"fastapi", "starlette"}


def test_dropping_an_unlisted_handler_keeps_the_module_of_the_listed_ones(scan_tree) -> None:
    files = {
        "app/__init__.py": "",
        "app/main.py": (
            "from litestar import Litestar, get\n\n\n@get('/health')\nasync def health() -> str:\n    return 'ok'\n\n\n"
            "@get('/status')\nasync def status() -> str:\n    return 'ok'\n\n\n"
            "app = Litestar(route_handlers=[health])\n"
        ),
    }
    plan = build_plan(scan_tree(files, rules={"unrouted-router"}), PlanOptions(drop_unrouted=True))
    (fix,) = plan.fixes
    assert fix.status == "skipped" and plan.deleted == []
    assert fix.skipped is not None and fix.skipped.params["other"] == "health"


def test_a_computed_list_of_handlers_makes_what_it_may_list_uncertain(scan_tree) -> None:
    files = {
        "app/__init__.py": "",
        "app/handlers.py": HANDLERS,
        "app/main.py": (
            "from litestar import Litestar\n\nfrom app import handlers\n\n\n"
            "def make_handlers() -> list:\n    return [handlers.health, handlers.list_items]\n\n\n"
            "app = Litestar(route_handlers=[handlers.UserController] + make_handlers())\n"
        ),
    }
    result = scan_tree(files, rules={"unrouted-router"})
    assert {(f.symbol, f.confidence) for f in result.findings} == {
        ("health", "uncertain"), ("list_items", "uncertain"), ("archive", "uncertain")
    }
