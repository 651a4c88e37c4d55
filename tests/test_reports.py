"""The cleanup report: golden copies of the seed reproduction, the status of each action, one
source for every figure, and the defects of issue 13 (each reproduced here)."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

import pytest

from analyzer.fixes.plan import Note
from analyzer.render.report import render
from analyzer.reporting import CleanupReport, build_report
from tests.conftest import FIXTURES, REPO, write_tree

VOLATILE = [(re.compile(r"\bin \d+(\.\d+)?s\b"), "in N.NNs")]
LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def normalise(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def golden_command(path: Path) -> list[str]:
    header = path.read_text(encoding="utf-8").splitlines()[0]
    command = re.match(r"<!-- [^:]+: (.*) -->$", header).group(1)
    return shlex.split(command)


@pytest.fixture(autouse=True)
def _python_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python` in a test command is this interpreter (the one with the fixture's dependencies)."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])


@pytest.fixture(scope="session")
def chat_applied(tmp_path_factory: pytest.TempPathFactory) -> CleanupReport:
    """The seed's cleanup, applied to a copy with the fixture's tests run: built once, rendered
    in both languages (the content does not depend on the language)."""
    argvs = [golden_command(REPO / "reports" / f"chat_app.{lang}.md") for lang in ("en", "ru")]
    tests = {argv[argv.index("--tests") + 1] for argv in argvs}
    assert len(tests) == 1
    path = os.environ["PATH"]
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + path
    try:
        return build_report(FIXTURES / "chat_app", apply=True, tests=tests.pop(),
                            copy_to=tmp_path_factory.mktemp("chat") / "copy")
    finally:
        os.environ["PATH"] = path


@pytest.fixture(scope="session")
def flask_applied(tmp_path_factory: pytest.TempPathFactory) -> CleanupReport:
    """flask_shop cleaned in a copy: a stub, a router left in place, two real fixes."""
    return build_report(FIXTURES / "flask_shop", apply=True, copy_to=tmp_path_factory.mktemp("shop") / "copy")


def test_the_chat_app_reports_are_regenerated_identically(chat_applied: CleanupReport) -> None:
    """Both languages from one build (the costly part: the cleanup and the fixture's tests)."""
    for lang in ("en", "ru"):
        golden = REPO / "reports" / f"chat_app.{lang}.md"
        argv = golden_command(golden)
        assert argv[:3] == ["hygiene", "report", "fixtures/chat_app"] and "--apply" in argv and "--copy-to" in argv
        assert argv[argv.index("--lang") + 1] == lang if "--lang" in argv else lang == "en"
        text = render(chat_applied, lang, command=" ".join(shlex.quote(a) for a in argv))
        assert normalise(text) == normalise(golden.read_text(encoding="utf-8")), lang
        assert_headings_agree_with_results(text)


def test_the_report_carries_the_seed_figures(chat_applied: CleanupReport) -> None:
    """The figures of the seed's own cleanup report, in the report the analyzer builds now."""
    text = render(chat_applied, "en")
    assert "## Status: ✅ DONE" in text
    for figure in (
        "| **Files removed** | 2 | 559 |", "| **Classes removed** | 1 | 122 |", "| **Methods added** | 1 | 8 |",
        "681 lines removed", "[app/schemas/event.py:61-68](app/schemas/event.py#L61-L68)",
        "[app/core/stream_manager.py:365-368](app/core/stream_manager.py#L365-L368)",
        "[app/main.py:102-106](app/main.py#L102-L106)", "lines 478-599, 122 lines",
        "[app/core/worker_space_manager.py:18-294](app/core/worker_space_manager.py#L18-L294)",
        "`GET /my/chat/{session_id}/events/` → `GET /my/projects/{project_id}/chat/{session_id}/events/`",
        "`GET /my/chat/stats/` → no mounted replacement", "```mermaid",
    ):
        assert figure in text, figure
    assert "inherits from StreamEventType" not in text and "already clean" not in text


# ---- one source for every figure, places next to their own file, links that open ----------------


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_one_fact_has_one_figure(lang: str) -> None:
    """Issue 13: the aliases were at 365-368 in one line and 366-368 in another; 32 modules were
    searched in one line and 30 in another."""
    text = (REPO / "reports" / f"chat_app.{lang}.md").read_text(encoding="utf-8")
    assert "365-368" in text and "366-368" not in text
    assert "modules searched" not in text and "проверено модулей" not in text
    # the files of the scan (32) and the modules left after it (30) are each named once, labelled
    assert len(re.findall(r"\b32\b", text)) == 2  # the introduction and the checklist, the same figure
    assert len(re.findall(r"\b30 (modules|модулях)\b", text)) == 1


@pytest.mark.parametrize("name", ["chat_app.en.md", "chat_app.ru.md", "flask_shop.en.md"])
def test_every_link_opens_in_a_markdown_viewer(name: str) -> None:
    """Issue 13: `(app/x.py:61-68)` opens nothing; `[app/x.py:61-68](app/x.py#L61-L68)` does."""
    text = (REPO / "reports" / name).read_text(encoding="utf-8")
    links = LINK.findall(text)
    assert links
    for label, target in links:
        assert ":" not in target, target
        path, _, anchor = target.partition("#")
        match = re.fullmatch(r"(.+?)(?::(\d+)(?:-(\d+))?)?", label.strip("`"))
        assert match and match.group(1) == path, (label, target)
        start, end = match.group(2), match.group(3)
        expected = "" if start is None else f"L{start}" + (f"-L{end}" if end else "")
        assert anchor == expected, (label, target)


@pytest.mark.parametrize("name", ["chat_app.en.md", "chat_app.ru.md", "flask_shop.en.md"])
def test_no_line_number_without_its_file_and_no_degenerate_ranges(name: str) -> None:
    text = (REPO / "reports" / name).read_text(encoding="utf-8")
    assert not re.search(r"\((line|строка) \d+\)", text), "a bare line number"
    assert not re.search(r"\b(\d+)-\1\b", text), "a range of one line (lines 16-16)"
    assert not re.search(r"\b1 lines\b|\(s\)|\(es\)", text)


def test_a_line_is_shown_next_to_its_own_file(tmp_path: Path) -> None:
    """The receiver's class is read from an assignment in another module (app/state.py:5): the
    line is shown with that file, not with the file of the call."""
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/repo.py": "class Repo:\n    def all(self):\n        return []\n",
        "app/state.py": '"""Shared state."""\n\nfrom app.repo import Repo\n\nrepo = Repo()\n',
        "app/views.py": "from app.state import repo\n\n\ndef view():\n    return repo.find_one(1)\n",
    })
    text = render(build_report(root), "en")
    assert "is assigned from `Repo(...)` (app/state.py:5)" in text
    assert "app/views.py:5)" not in text.replace("[app/views.py:5](app/views.py#L5)", "")


def test_long_code_is_quoted_as_its_signature_and_line_count(tmp_path: Path) -> None:
    """Issue 13: a 61-line class was pasted as 'the version that remained'."""
    fields = "".join(f"    field_{n}: int = {n}\n" for n in range(60))
    live = f'class Settings:\n    """All the settings."""\n\n{fields}\n    def load(self):\n        return 1\n'
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/config.py": "class Settings:\n    debug = False\n\n\n" + live,
        "app/main.py": "from app.config import Settings\n\nSettings().load()\n",
    })
    text = render(build_report(root), "en")
    block = text[text.index("**Version that stays**"):]
    code = block[block.index("```python"):block.index("```\n", 10)]
    assert len(code.splitlines()) <= 4, code
    assert 'class Settings:\n    """All the settings."""' in code
    assert "(signature only: the whole definition is 66 lines, at [app/config.py:5-70]" in block
    for report in ("chat_app.en.md", "flask_shop.en.md"):
        blocks = re.findall(r"```python\n(.*?)```", (REPO / "reports" / report).read_text(), re.S)
        assert all(len(b.splitlines()) <= 13 for b in blocks), report


# ---- each action says what happened ------------------------------------------------------------


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^### \d+\. ", text, flags=re.M)[1:]
    return {part.splitlines()[0]: part for part in parts}


def test_the_flask_cleanup_says_what_happened_to_each_action(flask_applied: CleanupReport) -> None:
    """One build of flask_shop cleaned in a copy (a router left in place, three fixes, one of
    them a call renamed to the existing method): a partial cleanup says so in its status line."""
    assert [a.status for a in flask_applied.actions].count("skipped") == 1 and flask_applied.status == "partial"
    for lang, status in (("en", "## Status: ⚠️ PARTIAL: 3 of 4 problems fixed"),
                         ("ru", "## Статус: ⚠️ ЧАСТИЧНО: исправлено 3 из 4")):
        text = render(flask_applied, lang)
        assert status in text and "DONE" not in text and "ЗАВЕРШЕНО" not in text
        assert_headings_agree_with_results(text)
    text = render(flask_applied, "en")
    renamed = next(body for title, body in _sections(text).items() if "find_by_sku" in title)
    assert "**Solution**: `find_by_sku` does not exist; `get_by_sku` does" in renamed
    assert "| **Methods added** | 0 | 0 |" in text and "| **Calls corrected** | 1 | — | ✅ |" in text
    router_not_removed_is_not_listed_as_removed(flask_applied)


STUBBED = {
    "app/__init__.py": "",
    "app/repo.py": "class Repo:\n    def all(self):\n        return []\n",
    "app/main.py": (
        "from fastapi import FastAPI\n\nfrom app.repo import Repo\n\napp = FastAPI()\n\n\n"
        "@app.get('/x')\ndef x():\n    return Repo().frobnicate_widgets(1)\n"
    ),
}


def test_a_stub_is_never_counted_as_a_fix(tmp_path: Path) -> None:
    """Issue 13: a stub raising NotImplementedError was 'Fixed a critical runtime error' and the
    report said DONE."""
    report = build_report(write_tree(tmp_path / "p", STUBBED), apply=True, force=True)
    assert [a.status for a in report.actions] == ["stub"] and report.status == "partial"
    for lang, status in (("en", "## Status: ⚠️ PARTIAL: 0 of 1 problem fixed"),
                         ("ru", "## Статус: ⚠️ ЧАСТИЧНО: исправлено 0 из 1")):
        text = render(report, lang)
        assert status in text and "DONE" not in text and "ЗАВЕРШЕНО" not in text
        assert "Fixed a critical runtime error" not in text and "All tasks done" not in text
        assert_headings_agree_with_results(text)
    text = render(report, "en")
    stub = next(iter(_sections(text).values()))
    assert stub.startswith("⚠️ Stub added for the missing method `frobnicate_widgets()`: NOT fixed")
    assert "**Status**: ⚠️ stub added, NOT fixed" in stub and "**Result**: ⚠️ NOT fixed" in stub
    assert "| **Methods added** | 0 | 0 |" in text and "| **Stubs added (not fixes)** | 1 |" in text
    assert "- [ ] Fix missing methods (0 of 1)" in text


def router_not_removed_is_not_listed_as_removed(report: CleanupReport) -> None:
    """Issue 13: routers that were not removed appeared under 'Endpoints that were removed'."""
    text = render(report, "en")
    router = next(body for title, body in _sections(text).items() if "legacy_cart" in title)
    assert router.startswith("⏭️ Unmounted route `legacy_cart.py`: not removed")
    assert "Endpoints that were removed" not in router and "Endpoints that would be removed" not in router
    assert "**Endpoints of this router (still not served)**" in router and "**Result**" not in router
    assert "register_blueprint(legacy_cart.legacy_cart_bp)" in router and "include_router" not in router
    assert "`shop/views/legacy_cart.py`" not in text.split("### Files that were removed:")[1].split("###")[0]


def assert_headings_agree_with_results(text: str) -> None:
    """Issue 13: '❌ Removed the duplicated class …' sat above 'Result: ✅'."""
    for body in _sections(text).values():
        marker = body.split(" ", 1)[0]
        if marker not in {"✅", "⚠️", "❌", "⏭️", "📝"} or "```text" in body:
            continue  # the checks and the tests sections
        for result in re.findall(r"^\*\*(?:Result|Результат)\*\*: (\S+)", body, re.M):
            assert result == marker, body[:200]


def test_internal_errors_stay_out_of_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: 'class X not found at line 45' reached the reader."""
    import analyzer.reporting as reporting

    real = reporting.build_plan

    def failing_plan(result, options=None):
        plan = real(result, options)
        fix = next(f for f in plan.fixes if f.finding.rule == "shadowed-class")
        fix.skipped, fix.changes = Note("cannot_apply", {"error": "class A not found at line 45"}), []
        plan.final = {p: plan.originals.get(p) for p in plan.final}
        return plan

    monkeypatch.setattr(reporting, "build_plan", failing_plan)
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
    })
    for lang in ("en", "ru"):
        text = render(build_report(root), lang)
        assert "not found at line 45" not in text and "Traceback" not in text
    text = render(build_report(root), "en")
    assert "⏭️ skipped: the automatic fix could not be computed for this code (`hygiene fix --debug` shows why)" in text


def test_only_tests_calling_a_method_is_said_so(tmp_path: Path) -> None:
    """Issue 13: the report said 'no other module or test calls it' when every caller was a test."""
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/repo.py": "class Repo:\n    def all(self):\n        return []\n",
        "app/main.py": "from app.repo import Repo\n\nREPO = Repo()\n",
        "tests/__init__.py": "",
        "tests/test_repo.py": "from app.repo import Repo\n\n\ndef test_label():\n    assert Repo().label() == ''\n",
    })
    text = render(build_report(root), "en")
    assert "No other module or test calls" not in text
    assert "Only tests call `label()`: [tests/test_repo.py:5](tests/test_repo.py#L5)." in text
    ru = render(build_report(root), "ru")
    assert "`label()` вызывают только тесты: [tests/test_repo.py:5](tests/test_repo.py#L5)." in ru


def test_problems_that_were_there_before_are_summarised_in_one_line(tmp_path: Path) -> None:
    """Issue 13: a report of 1,512 lines, 1,175 of them unresolved imports that were already there."""
    files: dict[str, str | bytes] = {
        "app/__init__.py": "",
        "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
    }
    files.update({f"app/old_{n}.py": f"from app.gone_{n} import thing\n" for n in range(40)})
    root = write_tree(tmp_path / "p", files)
    report = build_report(root, apply=True, force=True)
    text = render(report, "en")
    assert report.imports is not None and report.imports.ok and report.imports.preexisting == 40
    assert "ℹ 40 unresolved imports were there before the cleanup (not caused by it; not listed)" in text
    assert "gone_" not in text and report.status == "untested"
    ru = render(report, "ru")
    assert "ℹ 40 неразрешённых импортов были и до очистки" in ru


def test_an_import_the_cleanup_breaks_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analyzer.verify import Check

    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
    })
    report = build_report(root)
    assert report.verification is not None
    broken = Check("imports", "project imports", False, "1 of 3 unresolved", "app/main.py:1 imports app.models.A")
    report.verification.checks = [c for c in report.verification.checks if c.kind != "imports"] + [broken]
    from analyzer.reporting import _imports

    report.imports = _imports(report.verification)
    text = render(report, "en")
    assert "✗ 1 project import no longer resolves:\n  app/main.py:1 imports app.models.A" in text
    assert report.status == "failed" and "❌ CHECKS FAILED" in text


def test_a_failing_verification_shows_a_cross_and_no_done(tmp_path: Path) -> None:
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
    assert_headings_agree_with_results(text)  # the class was removed: ✅ above ✅, the tests ❌ apart


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
    assert "**Версия, которая останется**" in text and "[app/models.py:5-6](app/models.py#L5-L6)" not in text


def test_a_clean_app_gets_a_short_nothing_to_clean_report() -> None:
    text = render(build_report(FIXTURES / "clean_api"), "en")
    assert "✅ NOTHING TO CLEAN" in text and len(text.splitlines()) < 12


def test_the_flask_fixture_audit_lists_each_problem() -> None:
    golden = REPO / "reports" / "flask_shop.en.md"
    text = render(build_report(FIXTURES / "flask_shop"), "en", command=" ".join(golden_command(golden)))
    assert "📝 PROPOSED, PARTIAL: 3 of 4 problems can be fixed automatically" in text
    for expected in (
        "find_by_sku", "notifier.py", "Discount", "legacy_cart.py",
        "`GET /cart/<int:item_id>` → `GET /api/orders/cart/<int:item_id>`",
    ):
        assert expected in text, expected
    assert normalise(text) == normalise(golden.read_text(encoding="utf-8"))


def test_links_are_relative_to_the_report_when_it_is_written_inside_the_project(tmp_path: Path) -> None:
    from analyzer.cli import _link_base

    root = tmp_path / "p"
    (root / "docs").mkdir(parents=True)
    assert _link_base(root, root / "docs" / "cleanup.md") == "../"
    assert _link_base(root, root / "cleanup.md") == ""
    assert _link_base(root, tmp_path / "elsewhere.md") == ""
    report = build_report(FIXTURES / "flask_shop")
    text = render(report, "en", link_base="../")
    assert "[shop/repository.py:33-67](../shop/repository.py#L33-L67)" in text


def test_a_one_line_class_is_one_line_not_lines_n_n(tmp_path: Path) -> None:
    """Issue 13: '1 lines' and 'lines 16-16'."""
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class A: x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
    })
    for lang, expected in (("en", "`app/models.py` (line 1, 1 line)"), ("ru", "`app/models.py` (строка 1, 1 строка)")):
        text = render(build_report(root), lang)
        assert expected in text
        assert not re.search(r"\b1 lines\b|\b(\d+)-\1\b", text)


def test_an_uncertain_finding_is_marked_as_such(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/errors.py": "class NotFound(Exception):\n    pass\n",
        "app/legacy.py": "class NotFound(Exception):\n    pass\n\n\ndef helper():\n    return 1\n",
        "app/main.py": "from app.errors import NotFound\nfrom app.legacy import helper\n\nraise NotFound(helper())\n",
    })
    report = build_report(root)
    assert [f.confidence for f in report.scan.findings] == ["uncertain"]
    assert re.search(r"^### 1\. .*NotFound.* \(uncertain finding\)$", render(report, "en"), re.M)
    assert re.search(r"^### 1\. .*NotFound.* \(неуверенная находка\)$", render(report, "ru"), re.M)


def test_a_method_missing_on_self_is_reported_in_both_languages(tmp_path: Path) -> None:
    """The report crashed (KeyError 'self') on a missing method called on `self`, and on a class
    used between its two definitions (KeyError 'live_used_by')."""
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app import models\n\napp = FastAPI(title=str(models.B))\n\n\n"
            "class Greeter:\n"
            "    def hello(self) -> str:\n        return self.salute()\n\n\n"
            "@app.get('/')\ndef index():\n    return Greeter().hello()\n"
        ),
        "app/models.py": (
            "class A:\n    def x(self):\n        return 1\n\n\nB = A()\n\n\n"
            "class A:\n    def x(self):\n        return 2\n"
        ),
    })
    report = build_report(root)
    assert {f.rule for f in report.scan.findings} >= {"missing-method", "shadowed-class"}
    assert "`self` in a method of `Greeter`" in render(report, "en")
    assert "`self` в методе класса `Greeter`" in render(report, "ru")
    assert "the code between the two definitions uses this first one" in render(report, "en")
