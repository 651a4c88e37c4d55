"""unrouted-router details beyond the rule's own examples."""

from __future__ import annotations


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
