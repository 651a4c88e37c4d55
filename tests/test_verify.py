from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import build_plan
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


ALREADY_BROKEN = {
    "app/__init__.py": "",
    "app/x.py": "a, b = 1, 2\nfor c in []:\n    pass\nwith open(__file__) as d:\n    pass\n",
    "app/new.py": "Alias = int\nmatch x:\n",  # a file the scan skips (here: a syntax error)
    "app/y.py": (
        "from typing import TYPE_CHECKING\n\nfrom app.x import a, b, c, d\nfrom app.proto import user_pb2\n"
        "from app.new import Alias\n\nif TYPE_CHECKING:\n    from app.nothere import Z\n"
    ),
    "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
    "app/main.py": "from app.models import A\nfrom app.gone import thing\n",
}


def test_what_was_already_broken_is_summarised_not_failed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", ALREADY_BROKEN)
    result = scan(root)
    plan = build_plan(result)
    apply_plan(plan, force=True)
    checks = verify(root, plan.changed, before=list(result.findings), fixed=list(result.findings),
                    baseline=result, originals=plan.originals)
    assert checks.ok, [(c.kind, c.detail, c.output) for c in checks.checks if not c.ok]
    assert checks.compared
    assert checks.preexisting == (
        "already broken before the fix, not caused by it: 4 unresolved imports "
        "(1 of generated modules, 1 under TYPE_CHECKING, 1 into files the scan skipped)"
    )


def test_what_the_fix_breaks_fails_even_beside_what_was_broken(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", ALREADY_BROKEN)
    result = scan(root)
    original = (root / "app/x.py").read_bytes()
    (root / "app/x.py").write_text("a = 1\n")  # as if a fix had dropped b, c and d
    checks = verify(root, ["app/x.py"], before=list(result.findings), baseline=result,
                    originals={"app/x.py": original})
    (imports,) = checks.of_kind("imports")
    assert not imports.ok and imports.detail.startswith("3 of")
    assert imports.output.splitlines() == [
        "app/y.py:3 imports app.x.b", "app/y.py:3 imports app.x.c", "app/y.py:3 imports app.x.d"
    ]


def test_without_a_tree_before_what_cannot_be_checked_is_not_a_failure(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {k: v for k, v in ALREADY_BROKEN.items() if k != "app/main.py"})
    checks = verify(root, [], before=list(scan(root).findings))
    assert checks.ok and not checks.compared
    assert checks.preexisting.startswith("not checked: 3 unresolved imports")


def test_a_file_that_did_not_compile_before_is_not_the_fixs_fault(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"app/__init__.py": "", "app/broken.py": "def f(:\n    pass\n"})
    result = scan(root)
    original = (root / "app/broken.py").read_bytes()
    (root / "app/broken.py").write_bytes(original + b"# touched\n")
    checks = verify(root, ["app/broken.py"], baseline=result, originals={"app/broken.py": original})
    assert checks.ok and "does not compile" in checks.preexisting
    worse = verify(root, ["app/broken.py"], baseline=result, originals={"app/broken.py": b"x = 1\n"})
    assert not worse.ok


def test_the_verify_command_compares_with_the_last_commit(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "", "app/a.py": "from app.gone import thing\nfrom app.b import x\n", "app/b.py": "x = 1\n",
    })
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=root, check=True)
    runner = CliRunner()
    clean = runner.invoke(app, ["verify", str(root)])
    assert clean.exit_code == 0, clean.output
    assert "already broken before the fix, not caused by it: 1 unresolved import" in clean.output
    (root / "app/b.py").write_text("y = 1\n")
    worse = runner.invoke(app, ["verify", str(root)])
    assert worse.exit_code == 1 and "app/a.py:2 imports app.b.x" in worse.output
