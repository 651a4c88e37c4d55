"""A fix leaves nothing a linter would flag that was not flagged before: import order and
groups (isort), unused imports, blank lines (ruff's I, F401, F811, E3 and W rules)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import PlanOptions, build_plan
from analyzer.scan import scan
from tests.conftest import FIXTURES

RUFF = Path(sys.executable).parent / "ruff"
RULES = "I,F401,F811,E3,W"


def violations(root: Path) -> Counter[tuple[str, str]]:
    done = subprocess.run(
        [str(RUFF), "check", "--isolated", "--preview", "--select", RULES, "--output-format", "json",
         "--exit-zero", "."],
        cwd=root, capture_output=True, text=True, check=True,
    )
    return Counter((Path(v["filename"]).relative_to(root).as_posix(), v["code"]) for v in json.loads(done.stdout))


@pytest.mark.skipif(not RUFF.exists(), reason="ruff (the lint extra) is not installed beside this Python")
@pytest.mark.parametrize("fixture", ["chat_app", "flask_shop", "recall_app", "realworld/backend_folder_import_root"])
def test_a_fixed_tree_has_no_new_lint(fixture: str, tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / fixture, root, ignore=shutil.ignore_patterns("__pycache__", ".*cache"))
    before = violations(root)
    plan = build_plan(scan(root), PlanOptions(include_uncertain=True, drop_unrouted=True))
    assert plan.changed or plan.deleted
    apply_plan(plan, force=True)
    after = violations(root)
    assert {k: n for k, n in after.items() if n > before.get(k, 0)} == {}
