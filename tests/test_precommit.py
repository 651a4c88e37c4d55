"""The pre-commit hook, run by the real pre-commit against this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_the_hook_fails_on_a_file_with_a_finding_and_passes_on_a_clean_one(tmp_path: Path) -> None:
    head = git(REPO, "rev-parse", "HEAD")
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "flask_factory", project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {REPO}\n    rev: {head}\n    hooks:\n      - id: hygiene\n"
    )
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "init")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}

    def run(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([PRE_COMMIT, "run", "--files", *files], cwd=project, env=env,
                              capture_output=True, text=True, timeout=900)

    bad = run("shop/views.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "legacy" in bad.stdout and "unrouted-router" in bad.stdout
    good = run("shop/__init__.py")
    assert good.returncode == 0, good.stdout + good.stderr
