"""Deletion follows liveness: what only a deleted router reached goes with it, and so do the
comments that name it; a dead package goes as a package; star imports are never rewritten;
uncertain findings wait for --include-uncertain; advice in the framework's words."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import PlanOptions, build_plan
from analyzer.scan import scan
from analyzer.verify import verify
from tests.conftest import FIXTURES, write_tree
from tests.fixes.test_plan_and_apply import MANAGER

ROUTER = (
    "from fastapi import APIRouter\n\n{name} = APIRouter()\n\n\n@{name}.get('{path}')\ndef {handler}():\n"
    "    return []\n"
)

ADMIN_APP = {
    "app/__init__.py": "",
    "app/main.py": (
        "from fastapi import FastAPI\n\nfrom app.api import api_router\n\n"
        "# TODO: remove app.routes.admin once v2 ships\napp = FastAPI()\napp.include_router(api_router)\n"
    ),
    "app/api.py": (
        "from fastapi import APIRouter\n\nfrom app.routes import admin, users\n\napi_router = APIRouter()\n"
        "api_router.include_router(users.router)\n# api_router.include_router(admin.admin_router)\n"
    ),
    "app/routes/__init__.py": "",
    "app/routes/users.py": ROUTER.format(name="router", path="/users", handler="users"),
    "app/routes/admin.py": (
        "from fastapi import APIRouter\n\nfrom app.routes import admin_users\n\nadmin_router = APIRouter()\n"
        "admin_router.include_router(admin_users.router)\n\n\n@admin_router.get('/admin')\n"
        "def admin():\n    return []\n"
    ),
    "app/routes/admin_users.py": (
        "from fastapi import APIRouter\n\nfrom app.routes.admin_helpers import page\n\nrouter = APIRouter()\n\n\n"
        "@router.get('/admin/users')\ndef admin_users():\n    return page()\n"
    ),
    "app/routes/admin_helpers.py": "def page():\n    return []\n",
}


def test_drop_unrouted_deletes_what_only_the_router_reached_and_the_comments_naming_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", ADMIN_APP)
    result = scan(root)
    (finding,) = [f for f in result.findings if f.rule == "unrouted-router"]
    assert finding.path == "app/routes/admin.py" and finding.to_dict()["fix"]["action"] == "mount-router"
    plan = build_plan(result, PlanOptions(drop_unrouted=True))
    (fix,) = plan.fixes
    assert fix.status == "fixed" and fix.summary.startswith("delete app/routes/admin.py")
    assert not re.search(r"\bmount\b", fix.summary)
    assert plan.deleted == ["app/routes/admin.py", "app/routes/admin_helpers.py", "app/routes/admin_users.py"]
    assert plan.changed == ["app/api.py", "app/main.py"]
    apply_plan(plan, force=True)
    assert (root / "app/api.py").read_text() == (
        "from fastapi import APIRouter\n\nfrom app.routes import users\n\napi_router = APIRouter()\n"
        "api_router.include_router(users.router)\n"
    )
    assert "admin" not in (root / "app/main.py").read_text()
    after = scan(root)
    assert after.findings == ()
    checks = verify(root, plan.changed, before=list(result.findings), fixed=[finding], baseline=result)
    assert checks.complete, [(c.kind, c.detail, c.output) for c in checks.checks]


def test_a_module_the_router_reached_that_something_else_still_imports_stays(tmp_path: Path) -> None:
    files = dict(ADMIN_APP)
    files["app/routes/users.py"] = "from app.routes.admin_helpers import page\n\n" + files["app/routes/users.py"]
    root = write_tree(tmp_path / "p", files)
    plan = build_plan(scan(root), PlanOptions(drop_unrouted=True))
    assert plan.deleted == ["app/routes/admin.py", "app/routes/admin_users.py"]


def test_without_drop_unrouted_the_advice_is_in_the_frameworks_words() -> None:
    flask = build_plan(scan(FIXTURES / "flask_shop"))
    (skipped,) = [f for f in flask.fixes if f.finding.rule == "unrouted-router"]
    assert skipped.status == "skipped" and skipped.reason is not None
    assert skipped.reason.params["include"] == "app.register_blueprint(legacy_cart.legacy_cart_bp)"
    assert "include_router" not in (skipped.reason_text() or "")


def test_a_dead_package_is_deleted_as_a_package_and_only_imports_are_dropped(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app import reports, users\n\napp = FastAPI()\n"
            "app.include_router(users.router)\nreports.daily()\n"
        ),
        "app/users.py": ROUTER.format(name="router", path="/users", handler="users"),
        "app/reports.py": (
            "def daily():\n    return 1\n\n\ndef legacy_report():\n    from app.legacy.export import Exporter\n\n"
            "    return Exporter\n"
        ),
        "app/legacy/__init__.py": "from .export import *\nfrom .stream import *\n",
        "app/legacy/export.py": "class Exporter:\n    pass\n",
        "app/legacy/stream.py": MANAGER.format(cls="Stream", getter="get_stream"),
        "app/core/__init__.py": "",
        "app/core/stream.py": MANAGER.format(cls="Stream", getter="get_stream"),
        "app/service.py": "from app.core.stream import get_stream\n",
    })
    (root / "app/legacy/__pycache__").mkdir()
    (root / "app/legacy/__pycache__/export.cpython-311.pyc").write_bytes(b"\0")
    result = scan(root)
    (orphan,) = [f for f in result.findings if f.rule == "orphan-module" and f.path == "app/legacy/__init__.py"]
    assert orphan.to_dict()["fix"]["action"] == "delete-package"
    plan = build_plan(result)
    (fix,) = [f for f in plan.fixes if f.finding is orphan]
    assert fix.status == "fixed" and fix.summary == "delete package app.legacy (3 modules)"
    assert {"app/legacy/__init__.py", "app/legacy/export.py", "app/legacy/stream.py"} <= set(plan.deleted)
    assert not any(path.startswith("app/legacy/") for path in plan.changed)  # deleted, never rewritten
    apply_plan(plan, force=True)
    assert not (root / "app/legacy").exists()
    assert (root / "app/reports.py").read_text() == (
        "def daily():\n    return 1\n\n\ndef legacy_report():\n\n    return Exporter\n"
    )


def test_a_star_import_of_a_copy_is_never_rewritten(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/core/__init__.py": "from .sse import *\n",
        "app/core/stream.py": MANAGER.format(cls="Stream", getter="get_stream"),
        "app/core/sse.py": MANAGER.format(cls="Stream", getter="get_stream"),  # a verbatim copy
        "app/main.py": "from app.core.stream import get_stream\n\nget_stream()\n",
    })
    result = scan(root)
    (duplicate,) = [f for f in result.findings if f.rule == "duplicate-module"]
    plan = build_plan(result)
    (fix,) = [f for f in plan.fixes if f.finding is duplicate]
    assert fix.status == "skipped" and fix.reason is not None and fix.reason.key == "star_import"
    assert fix.reason.params["where"] == "app/core/__init__.py:1"
    assert plan.changed == [] and plan.deleted == []


def test_uncertain_findings_are_fixed_only_with_include_uncertain(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "realworld" / "class_escapes_to_helper", root)
    result = scan(root)
    (finding,) = result.findings
    assert finding.confidence == "uncertain"
    (fix,) = build_plan(result).fixes
    assert fix.status == "skipped" and fix.reason is not None and fix.reason.key == "uncertain"
    (fix,) = build_plan(result, PlanOptions(include_uncertain=True)).fixes
    assert fix.applies and fix.uncertain and any(note.key == "uncertain" for note in fix.notes)


def test_a_router_module_whose_names_are_still_used_is_not_deleted() -> None:
    """flask_factory's unmounted blueprint module also holds the helper the app factory calls."""
    plan = build_plan(scan(FIXTURES / "flask_factory"), PlanOptions(drop_unrouted=True))
    (fix,) = plan.fixes
    assert fix.status == "skipped" and fix.reason is not None and fix.reason.key == "not_deleted_used"
    assert fix.reason.params["where"] == "shop/__init__.py:5" and plan.deleted == []
