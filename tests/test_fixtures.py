"""Every bundled fixture yields exactly the findings its expected.json lists."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from analyzer.scan import scan
from tests.conftest import FIXTURES

FIXTURE_DIRS = sorted(p.parent for p in FIXTURES.glob("**/expected.json"))


def matches(expected: Any, got: Any) -> bool:
    """`expected` is a subset of `got`: dict keys recursively, lists element by element."""
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(k in got and matches(v, got[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(expected) == len(got) and all(
            matches(e, g) for e, g in zip(expected, got, strict=True)
        )
    return expected == got


def key(finding: dict) -> tuple:
    return finding["rule"], finding["path"], finding["symbol"], finding.get("confidence", "high")


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_findings_are_exactly_the_expected_ones(fixture: Path) -> None:
    expected = json.loads((fixture / "expected.json").read_text(encoding="utf-8"))["findings"]
    got = scan(fixture).to_dict()["findings"]
    assert sorted(map(key, got)) == sorted(map(key, expected))
    by_key = {key(f): f for f in got}
    for want in expected:
        have = by_key[key(want)]
        assert (have["line"], have["end_line"]) == (want["line"], want["end_line"]), key(want)
        for want_related, have_related in zip(want.get("related", []), have["related"], strict=False):
            assert matches(want_related, have_related), (key(want), have["related"])
        assert matches(want.get("details", {}), have["details"]), (key(want), have["details"])


def test_every_fixture_has_an_expected_file() -> None:
    """Every fixture folder (an application the tests scan) holds its expected findings."""
    apps = [p for p in FIXTURES.iterdir() if p.is_dir() and p.name != "realworld"]
    apps += [p for p in (FIXTURES / "realworld").iterdir() if p.is_dir()]
    missing = [p.relative_to(FIXTURES).as_posix() for p in apps if not (p / "expected.json").is_file()]
    assert apps and not missing, missing


def test_the_recall_app_passes_its_own_tests(tmp_path: Path) -> None:
    """The planted problems of `recall_app` hide from its tests, as real ones do: the app works."""
    skipped = shutil.ignore_patterns(".hygiene_cache", "__pycache__")
    app = shutil.copytree(FIXTURES / "recall_app", tmp_path / "recall_app", ignore=skipped)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "tests"],
        cwd=app, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_no_finding_says_s_in_parentheses() -> None:
    """Messages and evidence agree with their numbers: "1 place", "2 places", never "place(s)"."""
    for fixture in FIXTURE_DIRS:
        for finding in scan(fixture).findings:
            for text in (finding.message, *finding.evidence):
                assert "(s)" not in text and "(es)" not in text, (fixture.name, text)
                assert "1 places" not in text and "1 endpoints" not in text and "1 methods" not in text, text
