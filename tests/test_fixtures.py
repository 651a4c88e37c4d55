"""Every bundled fixture yields exactly the findings its expected.json lists."""

from __future__ import annotations

import json
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
    assert {p.name for p in FIXTURE_DIRS} >= {"chat_app", "flask_shop", "clean_api"}
