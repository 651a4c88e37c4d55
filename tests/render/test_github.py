from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.findings import Diagnostic, Finding
from analyzer.render import github
from analyzer.scan import ScanResult, scan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="module")
def chat() -> ScanResult:
    return scan(FIXTURES / "chat_app")


@pytest.fixture(scope="module")
def clean() -> ScanResult:
    return scan(FIXTURES / "clean_api")


def test_only_render_is_public() -> None:
    assert github.__all__ == ["render"]


def test_one_line_per_chat_app_finding(chat: ScanResult) -> None:
    lines = github.render(chat).splitlines()
    assert [line.rsplit("::", 1)[0] for line in lines] == [
        "::error file=app/core/sse_manager.py,line=1,endLine=340,title=duplicate-module",
        "::error file=app/core/user_worker_space.py,line=478,endLine=599,title=shadowed-class",
        "::error file=app/routes/sse.py,line=20,endLine=20,title=unrouted-router",
        "::error file=app/routes/sse.py,line=51,endLine=51,title=missing-method",
    ]
    assert lines[3] == (
        "::error file=app/routes/sse.py,line=51,endLine=51,title=missing-method::"
        "`StreamEvent` has no method `to_sse_format`, called at app/routes/sse.py:51, app/routes/sse.py:72."
    )
    # the duplicate's "100% copy" is escaped in the data
    assert "is a 99.8%25 copy of" in lines[0]


def test_clean_app_prints_nothing(clean: ScanResult) -> None:
    assert github.render(clean) == ""


def test_uncertain_findings_are_warnings(chat: ScanResult) -> None:
    finding = replace(chat.findings[0], confidence="uncertain")
    (line,) = github.render(replace(chat, findings=(finding,))).splitlines()
    assert line.startswith("::warning file=app/core/sse_manager.py,line=1,endLine=340,title=duplicate-module::")


def test_escaping(clean: ScanResult) -> None:
    finding = Finding(
        rule="missing-method",
        path="app/we,ird:100%.py",
        line=3,
        end_line=4,
        symbol="A.b",
        message="50% done\nnext: a, b\r\nend",
    )
    diagnostics = (
        Diagnostic("app/bad,name:x.py", "skipped: syntax error\nat 100%", line=2),
        Diagnostic("", "no path"),
    )
    out = github.render(replace(clean, findings=(finding,), diagnostics=diagnostics))
    assert out.splitlines() == [
        "::error file=app/we%2Cird%3A100%25.py,line=3,endLine=4,title=missing-method::"
        "50%25 done%0Anext: a, b%0D%0Aend",
        "::notice file=app/bad%2Cname%3Ax.py,line=2::skipped: syntax error%0Aat 100%25",
        "::notice::no path",
    ]
    assert out.endswith("\n") and out.count("\n") == 3
