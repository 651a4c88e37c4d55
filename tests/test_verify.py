from __future__ import annotations

import sys
from pathlib import Path

from analyzer.scan import scan
from analyzer.verify import run_tests, verify
from tests.conftest import write_tree


def test_a_broken_file_an_unresolved_import_and_failing_tests_all_fail(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/a.py": "from app.gone import thing\nfrom app.b import missing_name\nimport os\n",
        "app/b.py": "x = 1\n",
        "app/broken.py": "def f(:\n",
    })
    checks = verify(root, ["app/a.py", "app/broken.py"], tests=f"{sys.executable} -c 'raise SystemExit(3)'")
    by_kind = {c.kind: c for c in checks.checks if not c.ok}
    assert not checks.ok
    assert by_kind["compile"].subject == "app/broken.py"
    assert "app/a.py:1 imports app.gone.thing" in by_kind["imports"].output
    assert "app/a.py:2 imports app.b.missing_name" in by_kind["imports"].output
    assert by_kind["tests"].detail.startswith("exit 3")


def test_a_clean_tree_verifies(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p", {"app/__init__.py": "", "app/a.py": "from app.b import x\n", "app/b.py": "x = 1\n"}
    )
    checks = verify(root, ["app/a.py"], before=list(scan(root).findings), tests=f"{sys.executable} -c 'print(1)'")
    assert checks.ok and [c.kind for c in checks.checks] == ["compile", "imports", "rescan", "tests"]


def test_run_tests_reports_the_last_line_of_output(tmp_path: Path) -> None:
    check = run_tests(tmp_path, f"{sys.executable} -c 'print(\"3 passed\")'")
    assert check.ok and check.detail == "exit 0: 3 passed"
