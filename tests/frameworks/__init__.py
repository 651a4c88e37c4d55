"""Tests of the framework adapters (`analyzer/frameworks/`), one module each, on small trees."""

from __future__ import annotations

from analyzer.checks.unrouted_router.details import UnroutedDetails
from analyzer.findings import details_of
from tests.unit import project_of

__all__ = ["endpoints", "project_of", "unrouted"]


def endpoints(files: dict[str, str]) -> set[str]:
    return {f"{e.method} {e.path}" for e in project_of(files).mounts.mounted_endpoints}


def unrouted(scan_tree, files: dict[str, str]) -> dict[str, list[str]]:
    """The unrouted routers of a scan, with their endpoints."""
    result = scan_tree(files, rules={"unrouted-router"})
    found = {}
    for finding in result.findings:
        details = details_of(finding, UnroutedDetails)
        found[finding.symbol or ""] = [f"{e.method} {e.path}" for e in details.endpoints]
    return found
