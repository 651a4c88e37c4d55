"""The facts and result cache: same results with or without it, for any --jobs, under
concurrency and corruption, and invalidated by an edit."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import scan as scan_module
from analyzer.scan import scan
from tests.conftest import FIXTURES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "chat_app"
    shutil.copytree(FIXTURES / "chat_app", root, ignore=shutil.ignore_patterns("__pycache__", ".hygiene_cache"))
    return root


def findings(result) -> list[dict]:
    return result.to_dict()["findings"]


def test_results_are_identical_with_and_without_cache_for_any_jobs(project: Path, monkeypatch) -> None:
    monkeypatch.setattr(scan_module, "PARALLEL_MIN_FILES", 1)  # use the process pool here too
    reference = findings(scan(project, jobs=1))
    assert len(reference) == 4
    assert findings(scan(project, jobs=2)) == reference
    assert findings(scan(project, jobs=2, cache=True)) == reference  # cold: fills the cache
    assert findings(scan(project, jobs=1, cache=True)) == reference  # warm: whole result
    (project / "app/main.py").write_text((project / "app/main.py").read_text() + "\n# edited\n")
    assert findings(scan(project, jobs=2, cache=True)) == findings(scan(project, jobs=1))


def test_an_edit_is_seen_through_the_cache(project: Path) -> None:
    assert len(findings(scan(project, cache=True))) == 4
    target = project / "app/core/user_worker_space.py"
    lines = target.read_text().splitlines(keepends=True)
    target.write_text("".join(lines[:475]))  # the stale class is gone
    assert {f["rule"] for f in findings(scan(project, cache=True))} == {
        "duplicate-module", "unrouted-router", "missing-method"
    }


def test_a_corrupted_cache_gives_correct_results_and_heals(project: Path) -> None:
    reference = findings(scan(project))
    scan(project, cache=True)
    entries = [p for p in (project / ".hygiene_cache").rglob("*") if p.is_file() and p.name != ".gitignore"]
    assert entries
    for number, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if number % 2 else b"garbage" + data[7:])
    assert findings(scan(project, cache=True)) == reference
    assert findings(scan(project, cache=True)) == reference


def test_two_scans_at_once_on_the_same_cache_agree(project: Path) -> None:
    command = [sys.executable, "-m", "analyzer", "scan", str(project), "-f", "json", "-q"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [json.loads(run.communicate(timeout=120)[0])["findings"] for run in runs]
    reference = findings(scan(project))
    assert all(output == reference for output in outputs)
    assert findings(scan(project, cache=True)) == reference
