"""unrouted-router's example projects: what it reports (INVALID, with the tree its fix leaves) and what it must not."""

from __future__ import annotations

from analyzer.checks import Example

_MAIN = '''from fastapi import FastAPI

from app.routes import items, legacy

app = FastAPI()
app.include_router(items.router)
'''

_LITESTAR_MAIN = '''from litestar import Litestar

from app import books, legacy

app = Litestar(route_handlers=[books.Books])
'''

INVALID = (
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
        fixed={"app/routes/legacy.py": None, "app/main.py": _MAIN.replace("import items, legacy", "import items")},
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/books.py": (
                "from litestar import Controller, get\n\n\nclass Books(Controller):\n    path = '/v2/books'\n\n"
                "    @get('/{book_id:int}')\n    async def get_book(self, book_id: int) -> dict:\n        return {}\n"
            ),
            "app/legacy.py": (
                "from litestar import Controller, get\n\n\nclass LegacyBooks(Controller):\n    path = '/books'\n\n"
                "    @get('/{book_id:int}')\n    async def get_book(self, book_id: int) -> dict:\n        return {}\n"
            ),
            "app/main.py": _LITESTAR_MAIN,
        },
        expected=(("app/legacy.py", 4, "LegacyBooks"),),
        note="a Litestar controller the application does not list",
        fixed={"app/legacy.py": None, "app/main.py": _LITESTAR_MAIN.replace("import books, legacy", "import books")},
    ),
)

VALID = (
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
    Example(
        files={
            "events/__init__.py": "",
            "events/api.py": (
                "from ninja import Router\n\nrouter = Router()\n\n\n"
                "@router.get('/')\ndef list_events(request):\n    return []\n"
            ),
            "mysite/__init__.py": "",
            "mysite/api.py": (
                "from ninja import NinjaAPI\n\napi = NinjaAPI()\napi.add_router('/events', 'events.api.router')\n"
            ),
        },
        note="a Django Ninja router mounted by its dotted name",
    ),
)
