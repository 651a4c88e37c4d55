"""unrouted-router details beyond the rule's own examples."""

from __future__ import annotations

from analyzer.fixes.plan import PlanOptions, build_plan


def test_an_endpoint_declared_deprecated_counts_as_retired(scan_tree) -> None:
    result = scan_tree({
        "app/__init__.py": "",
        "app/old.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            "@router.get('/reports', deprecated=True)\ndef reports():\n    return []\n"
        ),
        "app/main.py": "from fastapi import FastAPI\n\nimport app.old\n\napp = FastAPI()\n",
    }, rules={"unrouted-router"})
    (finding,) = result.findings
    (endpoint,) = finding.to_dict()["details"]["endpoints"]
    assert endpoint["deprecated_in"] == "app/old.py:6" and endpoint["replacement"] is None
    assert finding.to_dict()["fix"]["action"] == "delete-module"


def test_the_module_of_the_application_is_never_deleted_for_a_router_it_holds(scan_tree) -> None:
    """`--drop-unrouted` deletes an unrouted router's module, but not when the module also holds
    the application (or a mounted router): the fix is skipped, and says why."""
    result = scan_tree({
        "app/__init__.py": "",
        "app/main.py": (
            "from fastapi import APIRouter, FastAPI\n\nold = APIRouter()\n\n\n"
            "@old.get('/status', deprecated=True)\ndef status():\n    return 'ok'\n\n\napp = FastAPI()\n"
        ),
    }, rules={"unrouted-router"})
    plan = build_plan(result, PlanOptions(drop_unrouted=True))
    (fix,) = plan.fixes
    assert fix.status == "skipped" and plan.deleted == []
    assert fix.skipped is not None
    assert fix.skipped.params == {"module": "app.main", "other": "app", "where": "app/main.py:11"}
