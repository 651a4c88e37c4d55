from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.findings import Diagnostic, Finding
from analyzer.render import markdown
from analyzer.scan import ScanResult, scan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="module")
def chat() -> ScanResult:
    return scan(FIXTURES / "chat_app")


@pytest.fixture(scope="module")
def clean() -> ScanResult:
    return scan(FIXTURES / "clean_api")


def _rows(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("| Rule | Location | Symbol | Message |")
    assert lines[start + 1] == "|---|---|---|---|"
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_only_render_is_public() -> None:
    assert markdown.__all__ == ["render"]


def test_chat_app_table(chat: ScanResult) -> None:
    text = markdown.render(chat)
    assert text.splitlines()[0] == "## code-hygiene: 4 findings"
    rows = [row for row in _rows(text) if not row.startswith("| ↳")]
    assert len(rows) == 4
    assert rows[0].startswith("| `duplicate-module` | `app/core/sse_manager.py:1-340` |  | ")
    assert rows[1].startswith("| `shadowed-class` | `app/core/user_worker_space.py:478-599` | `WorkerSpaceManager` | ")
    assert rows[2].startswith("| `unrouted-router` | `app/routes/sse.py:20` | `router` | ")
    assert rows[3] == (
        "| `missing-method` | `app/routes/sse.py:51` | `StreamEvent.to_sse_format` | "
        "`StreamEvent` has no method `to_sse_format`, called at app/routes/sse.py:51, app/routes/sse.py:72. |"
    )
    assert "<details>" not in text  # no diagnostics


def test_pipes_and_newlines_are_escaped(clean: ScanResult) -> None:
    finding = Finding(
        rule="missing-method",
        path="app/a|b.py",
        line=7,
        end_line=7,
        symbol="A.x|y",
        message="first | second\nthird\r\nfourth",
        confidence="uncertain",
    )
    text = markdown.render(replace(clean, findings=(finding,)))
    (row,) = _rows(text)
    assert row == (
        "| `missing-method` | `app/a\\|b.py:7` | `A.x\\|y` | "
        "*(uncertain)* first \\| second<br>third<br>fourth |"
    )
    # every unescaped pipe is a cell border: exactly five
    assert row.replace("\\|", "").count("|") == 5


def test_clean_app_is_one_line(clean: ScanResult) -> None:
    assert markdown.render(clean) == f"code-hygiene: no findings in {clean.files} files.\n"
    assert clean.files > 0


def test_diagnostics_are_collapsed(clean: ScanResult, chat: ScanResult) -> None:
    diagnostics = (
        Diagnostic("app/broken.py", "skipped: syntax error\nat line 3"),
        Diagnostic("app/x.py", "unsure", line=4),
    )
    text = markdown.render(replace(chat, diagnostics=diagnostics))
    assert len([row for row in _rows(text) if not row.startswith("| ↳")]) == 4
    details = text[text.index("<details>"):]
    assert "<summary>2 diagnostics</summary>" in details
    assert "- `app/broken.py`: skipped: syntax error at line 3" in details
    assert "- `app/x.py:4`: unsure" in details
    assert details.rstrip().endswith("</details>")

    clean_text = markdown.render(replace(clean, diagnostics=diagnostics))
    assert clean_text.startswith(f"code-hygiene: no findings in {clean.files} files.\n\n<details>")


def test_folded_findings_are_sub_rows_of_their_module_finding(chat: ScanResult) -> None:
    rows = _rows(markdown.render(chat))
    copy = next(n for n, row in enumerate(rows) if row.startswith("| `duplicate-module`"))
    assert rows[copy + 1].startswith("| ↳ `orphan-module` | `app/core/sse_manager.py:1` |")
    assert sum(row.startswith("| ↳") for row in rows) == 1
