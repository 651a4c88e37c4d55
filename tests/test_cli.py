from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.checks import all_rules
from analyzer.cli import app
from tests.conftest import FIXTURES, REPO, write_tree

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cache_outside_the_repository(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans of fixtures/ keep their cache in a temporary folder: not in the repository, where
    parallel test workers would share it (and copy it while another writes it)."""
    monkeypatch.setenv("HYGIENE_CACHE_DIR", str(tmp_path_factory.mktemp("hygiene-cache")))


def test_scan_exits_1_with_findings_and_prints_them_grouped_by_rule() -> None:
    result = runner.invoke(app, ["scan", str(FIXTURES / "chat_app")])
    assert result.exit_code == 1
    for rule in ("duplicate-module", "missing-method", "shadowed-class", "unrouted-router"):
        assert f"{rule} (1)" in result.output
    assert result.output.splitlines()[-1].startswith("4 findings in 32 files (4555 lines, ")


def test_scan_exits_0_on_a_clean_app() -> None:
    result = runner.invoke(app, ["scan", str(FIXTURES / "clean_api")])
    assert result.exit_code == 0, result.output
    assert "0 findings in" in result.output


def test_json_output_follows_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["scan", str(FIXTURES / "chat_app"), "--format", "json", "-o", str(out)])
    assert result.exit_code == 1
    data = json.loads(out.read_text())
    assert data["version"] == 1 and Path(data["root"]).is_absolute()
    assert set(data["stats"]) == {"files", "lines", "seconds", "suppressed"}
    for finding in data["findings"]:
        assert set(finding) >= {"rule", "path", "line", "end_line", "symbol", "message", "related", "details", "fix"}
        assert not finding["path"].startswith("/") and "\\" not in finding["path"]


def test_json_is_identical_across_runs_apart_from_timing() -> None:
    def run() -> dict:
        data = json.loads(runner.invoke(app, ["scan", str(FIXTURES / "flask_shop"), "-f", "json"]).output)
        data["stats"].pop("seconds")
        return data

    assert run() == run()


def test_missing_path_and_unknown_rule_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["scan", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such directory" in missing.output
    bad_rule = runner.invoke(app, ["scan", str(tmp_path), "--select", "no-such-rule"])
    assert bad_rule.exit_code == 2


def test_unparsable_files_are_diagnostics_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "p",
        {
            "app/__init__.py": "",
            "app/broken.py": "def f(:\n",
            "app/latin.py": b"x = '\xe9'\n",
            "app/ok.py": "x = 1\n",
        },
    )
    result = runner.invoke(app, ["scan", str(root), "-f", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    messages = {d["path"]: d["message"] for d in data["diagnostics"]}
    assert messages["app/broken.py"].startswith("skipped: syntax error")
    assert messages["app/latin.py"].startswith("skipped: cannot decode")
    assert data["stats"]["files"] == 2


def test_select_and_ignore_narrow_the_rules() -> None:
    chat_app = str(FIXTURES / "chat_app")
    only = json.loads(runner.invoke(app, ["scan", chat_app, "-f", "json", "--select", "missing-method"]).output)
    assert {f["rule"] for f in only["findings"]} == {"missing-method"}
    rest = json.loads(runner.invoke(app, ["scan", chat_app, "-f", "json", "--ignore", "missing-method"]).output)
    assert "missing-method" not in {f["rule"] for f in rest["findings"]} and len(rest["findings"]) == 3


def test_rules_and_explain() -> None:
    listed = runner.invoke(app, ["rules"])
    assert listed.exit_code == 0 and all(rule.id in listed.output for rule in all_rules())
    explained = runner.invoke(app, ["explain", "missing-method"])
    assert explained.exit_code == 0 and "## Why is this bad?" in explained.output
    assert runner.invoke(app, ["explain", "nope"]).exit_code == 2


def test_version_matches_the_installed_distribution() -> None:
    from importlib.metadata import version

    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0
    assert shown.output.strip() == f"code-hygiene {version('code-hygiene')}"


def test_readme_rule_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- rules:start.*?-->\n(.*?)<!-- rules:end -->", readme, re.S).group(1)
    expected = "| rule | finds |\n|---|---|\n" + "".join(f"| `{r.id}` | {r.summary} |\n" for r in all_rules())
    assert table == expected


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "analyzer", "rules"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0 and "missing-method" in done.stdout


def test_uncertain_findings_are_listed_apart_and_fail_only_with_strict(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/errors.py": "class NotFound(Exception):\n    pass\n",
        "app/legacy.py": "class NotFound(Exception):\n    pass\n\n\ndef helper():\n    return 1\n",
        "app/main.py": "from app.errors import NotFound\nfrom app.legacy import helper\n\nraise NotFound(helper())\n",
    })
    result = runner.invoke(app, ["scan", str(root)])
    assert result.exit_code == 0 and "Uncertain" in result.output and "(1 uncertain)" in result.output
    assert runner.invoke(app, ["scan", str(root), "--strict"]).exit_code == 1


def test_text_output_shows_a_code_excerpt_of_each_finding() -> None:
    result = runner.invoke(app, ["scan", str(FIXTURES / "chat_app"), "--no-cache"])
    assert "   51 |" in result.output and "to_sse_format()" in result.output
    assert "  478 | class WorkerSpaceManager:" in result.output


def test_fix_dry_run_apply_and_confirm(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
    })
    dry = runner.invoke(app, ["fix", str(root)])
    assert dry.exit_code == 1 and "-class A:" in dry.output and "Nothing written" in dry.output
    assert (root / "app/models.py").read_text().count("class A") == 2
    declined = runner.invoke(app, ["fix", str(root), "--apply", "--confirm", "--force"], input="n\n")
    assert declined.exit_code == 0 and (root / "app/models.py").read_text().count("class A") == 2
    accepted = runner.invoke(app, ["fix", str(root), "--apply", "--confirm", "--force"], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert (root / "app/models.py").read_text() == "class A:\n    x = 2\n"
    assert "Verified." in accepted.output
