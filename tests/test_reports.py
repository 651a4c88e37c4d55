"""The cleanup report: golden copies of the seed reproduction, failure honesty, other fixtures."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

import pytest

from analyzer.render.report import render
from analyzer.reporting import build_report
from tests.conftest import FIXTURES, REPO, write_tree

VOLATILE = [(re.compile(r"\bin \d+(\.\d+)?s\b"), "in N.NNs")]


def normalise(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def golden_command(path: Path) -> list[str]:
    header = path.read_text(encoding="utf-8").splitlines()[0]
    command = re.match(r"<!-- [^:]+: (.*) -->$", header).group(1)
    return shlex.split(command)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_chat_app_reports_are_regenerated_identically(lang: str, tmp_path: Path, monkeypatch) -> None:
    golden = REPO / "reports" / f"chat_app.{lang}.md"
    argv = golden_command(golden)
    assert argv[:3] == ["hygiene", "report", "fixtures/chat_app"] and "--apply" in argv and "--copy-to" in argv
    tests = argv[argv.index("--tests") + 1]
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    report = build_report(FIXTURES / "chat_app", apply=True, tests=tests, copy_to=tmp_path / "copy")
    text = render(report, lang, command=" ".join(shlex.quote(a) for a in argv))
    assert normalise(text) == normalise(golden.read_text(encoding="utf-8"))


def test_the_report_carries_the_seed_figures() -> None:
    text = (REPO / "reports" / "chat_app.en.md").read_text(encoding="utf-8")
    assert "## Status: ✅ DONE" in text
    for figure in (
        "| **Files removed** | 2 | 559 |", "| **Classes removed** | 1 | 122 |", "| **Methods added** | 1 | 8 |",
        "681 removed", "(app/schemas/event.py:61-68)", "(app/core/stream_manager.py:365-368)",
        "(app/main.py:102-106)", "lines 478-599, 122 lines", "(app/core/worker_space_manager.py:18-294)",
        "`GET /my/chat/{session_id}/events/` → `GET /my/projects/{project_id}/chat/{session_id}/events/`",
        "`GET /my/chat/stats/` → no mounted replacement", "```mermaid",
    ):
        assert figure in text, figure
    assert "inherits from StreamEventType" not in text and "already clean" not in text


def test_a_failing_verification_shows_a_cross_and_no_done(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
        "tests/test_fail.py": "def test_fails():\n    assert False, 'boom'\n",
    })
    report = build_report(root, apply=True, tests="python -m pytest -q -p no:cacheprovider tests", force=True)
    text = render(report, "en")
    assert report.status == "failed"
    assert "❌ CHECKS FAILED" in text and "✅ DONE" not in text and "All tasks done" not in text
    assert "### 3. ❌ Final testing" in text and "boom" in text


def test_an_audit_changes_nothing_and_says_so(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
    })
    before = (root / "app/models.py").read_bytes()
    report = build_report(root)
    text = render(report, "ru")
    assert (root / "app/models.py").read_bytes() == before
    assert report.status == "proposed" and "📝 ПРЕДЛОЖЕНО" in text and "```diff" in text


def test_a_clean_app_gets_a_short_nothing_to_clean_report() -> None:
    text = render(build_report(FIXTURES / "clean_api"), "en")
    assert "✅ NOTHING TO CLEAN" in text and len(text.splitlines()) < 12


def test_the_flask_fixture_audit_lists_each_problem() -> None:
    text = render(build_report(FIXTURES / "flask_shop"), "en")
    assert "📝 PROPOSED" in text
    for expected in (
        "find_by_sku", "notifier.py", "Discount", "legacy_cart.py",
        "`GET /cart/<int:item_id>` → `GET /api/orders/cart/<int:item_id>`",
    ):
        assert expected in text, expected


def test_every_language_catalogue_has_the_same_keys_and_placeholders() -> None:
    from string import Formatter

    from analyzer.render.i18n import LANGUAGES, catalogue

    def flatten(table: dict, prefix: str = "") -> dict[str, set[str]]:
        found = {}
        for key, value in table.items():
            if isinstance(value, dict):
                found.update(flatten(value, f"{prefix}{key}."))
            else:
                found[prefix + key] = {field for _, field, _, _ in Formatter().parse(value) if field}
        return found

    english = flatten(catalogue("en"))
    for lang in LANGUAGES:
        assert flatten(catalogue(lang)) == english, lang
