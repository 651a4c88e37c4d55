"""duplicate-module details beyond the rule's own examples."""

from __future__ import annotations

from analyzer.checks.duplicate_module.examples import _MANAGER


def _project(main: str) -> dict[str, str]:
    return {
        "app/__init__.py": "",
        "app/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream"),
        "app/sse.py": _MANAGER.format(cls="SSEManager", var="sse", getter="get_sse"),
        "app/main.py": main,
    }


def test_old_names_are_aliased_only_when_something_used_the_copy(scan_tree) -> None:
    unused = scan_tree(_project("from app.stream import get_stream\n"), rules={"duplicate-module"})
    (finding,) = unused.findings
    assert finding.to_dict()["details"]["renames"]["SSEManager"] == "StreamManager"
    assert finding.to_dict()["fix"]["add_aliases"] == [] and finding.to_dict()["fix"]["rewrite_references"] == []

    # Only a test imports the copy: it is still dead code, but the test keeps working through the alias.
    files = {**_project("from app.stream import get_stream\n"), "tests/test_sse.py": "from app.sse import SSEManager\n"}
    (finding,) = scan_tree(files, rules={"duplicate-module"}).findings
    assert {"name": "SSEManager", "target": "StreamManager"} in finding.to_dict()["fix"]["add_aliases"]
    assert [r["path"] for r in finding.to_dict()["fix"]["rewrite_references"]] == ["tests/test_sse.py"]
