"""pre-commit: the README's configuration, copied verbatim into a fresh repository and run by the
real pre-commit (a `repo: local` hook: no environment to build, so the test takes seconds), and the
hook this repository defines for remote use checked against it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, REPO

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_blocks() -> list[str]:
    """The yaml blocks of the README's pre-commit section, as written."""
    section = README[README.index("### pre-commit\n"):]
    section = section[: section.index("\n### ", 5)]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh repository (flask_factory: an unmounted blueprint in shop/views.py) whose config
    is the README's block, verbatim."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "flask_factory", root, ignore=shutil.ignore_patterns("__pycache__", "expected.json"))
    (root / ".pre-commit-config.yaml").write_text(readme_blocks()[0], encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def run_hook(root: Path, tmp_path: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --files ...` with the tool installed: `hygiene` on PATH is this checkout."""
    bin_dir = tmp_path / "bin"
    if not bin_dir.exists():
        bin_dir.mkdir()
        shim = bin_dir / "hygiene"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m analyzer "$@"\n')
        shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
    }
    return subprocess.run([PRE_COMMIT, "run", "--files", *files], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_the_readme_hook_works_verbatim_in_a_fresh_repository(project: Path, tmp_path: Path) -> None:
    """Issue 13: the README's example used `rev: v0.1.0`, a tag that does not exist."""
    bad = run_hook(project, tmp_path, "shop/views.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "code-hygiene" in bad.stdout and "unrouted-router" in bad.stdout and "shop/views.py:4" in bad.stdout
    # shop/__init__.py holds the application the blueprint is not mounted on: related, not its own
    good = run_hook(project, tmp_path, "shop/__init__.py")
    assert good.returncode == 0, good.stdout + good.stderr

    # the README's baseline line: old findings no longer block, new ones would
    subprocess.run([sys.executable, "-m", "analyzer", "scan", ".", "--write-baseline", "hygiene-baseline.json"],
                   cwd=project, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    entry = readme_blocks()[1].strip()
    assert entry.startswith("entry: hygiene scan --baseline hygiene-baseline.json")
    config = project / ".pre-commit-config.yaml"
    config.write_text(config.read_text().replace("entry: hygiene scan", entry), encoding="utf-8")
    baseline = run_hook(project, tmp_path, "shop/views.py")
    assert baseline.returncode == 0, baseline.stdout + baseline.stderr


def test_the_remote_hook_is_the_readme_hook() -> None:
    """The hook pre-commit installs from this repository runs what the README's local hook runs."""
    (remote,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (local,) = yaml.safe_load(readme_blocks()[0])["repos"][0]["hooks"]
    for key in ("id", "name", "entry", "types", "require_serial"):
        assert remote[key] == local[key], key
    assert remote["language"] == "python" and local["language"] == "system"
    assert 'hygiene = "analyzer.cli:main"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert "rev: v0" not in README
