"""The facts and result cache: same results with or without it, for any --jobs, under
concurrency and corruption, and invalidated by an edit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer import scan as scan_module
from analyzer.cli import app
from analyzer.facts.cache import DIRECTORY, PRUNE_INTERVAL_SECONDS, UNUSED_LIFETIME_SECONDS, FactsCache
from analyzer.options import Options
from analyzer.scan import scan
from tests.conftest import FIXTURES

runner = CliRunner()


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


def _entry_files(directory: Path) -> set[str]:
    return {p.name for p in directory.rglob("*") if p.is_file() and not p.name.startswith(".")}


def test_pruning_drops_old_unused_entries_and_other_versions_once_a_day(project: Path) -> None:
    scan(project, cache=True)
    cache_root = project / DIRECTORY
    (version_folder,) = [p for p in cache_root.iterdir() if p.is_dir()]
    in_use = _entry_files(version_folder)
    week_old = time.time() - UNUSED_LIFETIME_SECONDS - 60
    old_unused = version_folder / "ab" / "ab-stale-entry"
    fresh_unused = version_folder / "cd" / "cd-fresh-entry"
    for entry in (old_unused, fresh_unused):
        entry.parent.mkdir(exist_ok=True)
        entry.write_bytes(b"x")
    os.utime(old_unused, (week_old, week_old))
    for entry in version_folder.rglob("*"):  # the entries in use are as old: they stay
        if entry.is_file() and entry.name in in_use:
            os.utime(entry, (week_old, week_old))
    other_version = cache_root / "v0-0.0.0-py3.0" / "ef"
    other_version.mkdir(parents=True)
    (other_version / "ef-old").write_bytes(b"x")
    os.utime(other_version.parent, (week_old, week_old))
    store = FactsCache(cache_root)

    assert store.prune(in_use, now=time.time() + PRUNE_INTERVAL_SECONDS + 1) == 2
    assert not old_unused.exists() and fresh_unused.exists() and not other_version.parent.exists()
    assert in_use <= _entry_files(version_folder)
    old_unused.write_bytes(b"x")
    os.utime(old_unused, (week_old, week_old))
    assert store.prune(in_use, now=time.time() + PRUNE_INTERVAL_SECONDS + 2) == 0  # pruned today
    assert old_unused.exists()


def test_clean_removes_only_what_hygiene_wrote(project: Path) -> None:
    scan(project, cache=True)
    cache_root = project / DIRECTORY
    removed = runner.invoke(app, ["clean", str(project)])
    assert removed.exit_code == 0 and "removed" in removed.output
    assert not cache_root.exists()
    shared = project / "shared-cache"
    shared.mkdir()
    (shared / "notes.txt").write_text("the user's own file")
    (shared / "vscode-data").mkdir()
    scan(project, options=Options(cache_dir=str(shared)), cache=True)
    assert len([p for p in shared.iterdir() if p.is_dir()]) == 2
    assert runner.invoke(app, ["clean", str(project), "--cache-dir", str(shared)]).exit_code == 0
    assert sorted(p.name for p in shared.iterdir()) == ["notes.txt", "vscode-data"]


def test_cache_directory_from_config_option_and_environment(project: Path, tmp_path: Path, monkeypatch) -> None:
    (project / "pyproject.toml").write_text('[tool.hygiene]\ncache-dir = "build/hygiene"\n')
    assert runner.invoke(app, ["scan", str(project), "-q"]).exit_code == 1
    assert (project / "build/hygiene/.gitignore").is_file() and not (project / DIRECTORY).exists()
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("HYGIENE_CACHE_DIR", str(elsewhere))
    assert runner.invoke(app, ["scan", str(project), "-q"]).exit_code == 1
    assert any(p.is_dir() for p in elsewhere.iterdir())
    explicit = tmp_path / "explicit"
    assert runner.invoke(app, ["scan", str(project), "-q", "--cache-dir", str(explicit)]).exit_code == 1
    assert any(p.is_dir() for p in explicit.iterdir())
