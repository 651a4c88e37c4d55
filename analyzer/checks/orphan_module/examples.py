"""orphan-module's example projects: what it reports (INVALID, with the tree its fix leaves) and what it must not."""

from __future__ import annotations

from analyzer.checks import Example

_MAIN = "from fastapi import FastAPI\n\nfrom app import users\n\napp = FastAPI()\napp.include_router(users.router)\n"
_USERS = (
    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get('/users')\n"
    "def users():\n    return []\n"
)

INVALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/main.py": _MAIN,
            "app/users.py": _USERS,
            "app/export_old.py": "import csv\n\n\ndef export(rows):\n    return csv.writer(rows)\n",
        },
        expected=(("app/export_old.py", 1, None),),
        note="a module nothing imports",
        fixed={"app/export_old.py": None},
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/main.py": _MAIN,
            "app/users.py": _USERS,
            "app/legacy/__init__.py": "from app.legacy.a import A\nfrom app.legacy.b import B\n",
            "app/legacy/a.py": "class A:\n    pass\n",
            "app/legacy/b.py": "from app.legacy.a import A\n\n\nclass B(A):\n    pass\n",
        },
        expected=(("app/legacy/__init__.py", 1, None),),
        note="a package whose modules import only each other: one finding",
        fixed={"app/legacy/__init__.py": None, "app/legacy/a.py": None, "app/legacy/b.py": None},
    ),
)

VALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/main.py": _MAIN,
            "app/users.py": _USERS,
            "app/worker.py": "def run():\n    return 1\n",
            "Procfile": "web: uvicorn app.main:app\nworker: python -m app.worker\n",
        },
        note="run by a launcher",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/users.py": _USERS,
            "app/settings.py": "PLUGINS = ['app.plugins.audit']\n",
            "app/plugins/__init__.py": "",
            "app/plugins/audit.py": "def setup(app):\n    return app\n",
            "app/main.py": _MAIN.replace("import users", "import settings, users"),
        },
        note="named by a dotted string in reached code (settings)",
    ),
)
