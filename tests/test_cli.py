from __future__ import annotations

import json
import os
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


# ---- issue 13: a command line that behaves like ruff ---------------------------------------------

SCANNING = ("scan", "fix", "verify", "report")
SHARED = ("--select", "--ignore", "--config", "--jobs", "--no-cache", "--cache-dir", "--debug")


def _options(command: str) -> set[str]:
    import typer.main

    params = typer.main.get_command(app).commands[command].params  # type: ignore[attr-defined]
    return {opt for param in params if param.param_type_name == "option" for opt in param.opts}


def test_every_scanning_command_takes_the_same_scan_options() -> None:
    """Issue 13: `fix --rule` where `scan` has `--select`; no `--config` on fix, verify, report."""
    for command in SCANNING:
        assert set(SHARED) <= _options(command), command
    assert {"--output-format", "--format", "-f", "--output", "-o"} <= _options("scan")
    assert {"--output", "-o"} <= _options("report")
    assert "--include-uncertain" in _options("fix") and "--include-uncertain" in _options("report")


@pytest.mark.parametrize("command", ["", *SCANNING, "clean", "rules", "explain"])
def test_help_is_plain_and_no_name_is_cut(command: str) -> None:
    """Issue 13: `<bool>` after flags, names cut at 80 columns (`--warn-unused-ign…`)."""
    args = [command, "--help"] if command else ["--help"]
    result = runner.invoke(app, args, env={"COLUMNS": "80", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    text = result.output
    assert "<bool>" not in text and "…" not in text and "╭" not in text and "<" not in text, text
    assert "..." not in text.replace("COMMAND [ARGS]...", "").replace("{PATH}...", ""), text
    if command:
        for option in _options(command) - {"--rule"}:
            assert option in text, (command, option)
    assert runner.invoke(app, [*args[:-1], "-h"], env={"COLUMNS": "80"}).output == text


def test_an_unknown_rule_names_the_closest_one(tmp_path: Path) -> None:
    for command in SCANNING:
        result = runner.invoke(app, [command, str(tmp_path), "--select", "mising-method"])
        assert result.exit_code == 2, (command, result.output)
        assert "--select: unknown rule 'mising-method' (did you mean 'missing-method'?)" in result.output


def test_a_rule_both_selected_and_ignored_is_a_warning() -> None:
    result = runner.invoke(
        app, ["scan", str(FIXTURES / "chat_app"), "--select", "missing-method,shadowed-class",
              "--ignore", "shadowed-class", "-f", "json"],
    )
    assert "hygiene: warning: rule 'shadowed-class' is both in --select and in --ignore: it is ignored" in result.stderr
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {"missing-method"}


def test_the_configuration_warns_and_suggests(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"app/__init__.py": "", "pyproject.toml": "[tool.hygiene]\nselct = []\n"})
    result = runner.invoke(app, ["scan", str(root)])
    assert result.exit_code == 2 and "unknown key 'selct' (did you mean 'select'?)" in result.output
    (root / "pyproject.toml").write_text(
        "[tool.hygiene]\nselect = ['missing-method']\nignore = ['missing-method']\n"
    )
    result = runner.invoke(app, ["scan", str(root)])
    assert "rule 'missing-method' is both in select and in ignore" in result.stderr
    assert "no rule is selected" in result.stderr
    (root / "pyproject.toml").write_text("[tool.hygiene]\nselect = ['shadowed-clas']\n")
    result = runner.invoke(app, ["scan", str(root)])
    assert result.exit_code == 2 and "(did you mean 'shadowed-class'?)" in result.output


def test_an_entry_point_that_does_not_exist_is_a_warning(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "pyproject.toml": "[tool.hygiene]\nentrypoints = ['app.main:ap', 'app.mian:app', 'app.main:app']\n",
    })
    result = runner.invoke(app, ["scan", str(root)])
    assert result.exit_code == 0
    assert "entry point 'app.main:ap': app.main defines no top-level 'ap' (did you mean 'app'?)" in result.stderr
    assert "entry point 'app.mian:app': no module 'app.mian' in the project (did you mean 'app.main'?)" in result.stderr
    assert "'app.main:app'" not in result.stderr


def test_flags_that_another_makes_pointless_are_warnings(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"app/__init__.py": ""})
    result = runner.invoke(app, ["scan", str(root), "--exit-zero", "--strict"])
    assert "--exit-zero makes --strict pointless" in result.stderr
    result = runner.invoke(app, ["fix", str(root), "--confirm", "--force"])
    assert "--confirm has no effect without --apply" in result.stderr
    assert "--force has no effect without --apply" in result.stderr
    result = runner.invoke(app, ["report", str(root), "--copy-to", str(tmp_path / "c")])
    assert "--copy-to has no effect without --apply" in result.stderr and not (tmp_path / "c").exists()


def test_fix_rule_still_works_as_a_deprecated_select(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
    })
    result = runner.invoke(app, ["fix", str(root), "--rule", "shadowed-class"])
    assert "--rule is deprecated: use --select" in result.stderr
    assert result.exit_code == 1 and "-class A:" in result.stdout


LONG = "x" * 120


def test_piped_fix_output_is_not_wrapped_and_git_applies_it(tmp_path: Path) -> None:
    """Issue 13: piped output was hard-wrapped at 80 columns, diffs included, and `git apply`
    rejected it as a corrupt patch."""
    import shutil

    files = {
        "app/__init__.py": "",
        "app/models.py": (
            f"class A:\n    '''{LONG}'''\n    x = 1\n\n\nclass A:\n    '''The live one, {LONG}.'''\n    x = 2\n"
        ),
        "app/main.py": f"from app.models import A  # {LONG}\n",
    }
    root = write_tree(tmp_path / "p", files)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "i"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    patch = tmp_path / "p.patch"
    with patch.open("w") as out:  # a file: not a terminal
        done = subprocess.run([sys.executable, "-m", "analyzer", "fix", str(root), "--no-cache"], stdout=out,
                              stderr=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 1, done.stderr
    text = patch.read_text()
    assert f"-    '''{LONG}'''\n" in text
    assert max(len(line) for line in text.splitlines()) > 120
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=root, check=True, capture_output=True)
    subprocess.run(["git", "apply", str(patch)], cwd=root, check=True, capture_output=True)
    expected = write_tree(tmp_path / "q", files)
    shutil.rmtree(expected / ".git", ignore_errors=True)
    applied = runner.invoke(app, ["fix", str(expected), "--apply", "--force", "--no-cache"])
    assert applied.exit_code == 0, applied.output
    assert (root / "app/models.py").read_text() == (expected / "app/models.py").read_text()


def test_fix_verify_and_report_reuse_the_cache_and_jobs_of_a_scan(tmp_path: Path, monkeypatch) -> None:
    """Issue 13: `fix` and `report` scanned from scratch with one job and no cache."""
    import analyzer.scan as scanning

    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
        "app/main.py": "from app.models import A\n",
    })
    assert runner.invoke(app, ["scan", str(root)]).exit_code == 1
    parsed: list[str] = []
    calls: list[tuple[int, bool]] = []
    real_extract, real_scan = scanning._extract, scanning._scan

    def extract(source):
        parsed.append(source.file.path)
        return real_extract(source)

    def scan(root, options, jobs, progress, cache):
        calls.append((jobs, cache))
        return real_scan(root, options, jobs, progress, cache)

    monkeypatch.setattr(scanning, "_extract", extract)
    monkeypatch.setattr(scanning, "_scan", scan)
    # every file comes from the cache the scan left; the audit parses only the file it changed
    for command, changed in (("fix", []), ("verify", []), ("report", ["app/models.py"])):
        result = runner.invoke(app, [command, str(root), "-j", "3"])
        assert result.exit_code in {0, 1}, result.output
        assert parsed == changed, (command, parsed)
        parsed.clear()
    assert calls and set(calls) == {(3, True)}
    runner.invoke(app, ["fix", str(root), "--no-cache"])
    assert calls[-1] == (os.cpu_count() or 1, False) and parsed


def test_in_files_mode_a_finding_blocks_only_its_own_files(tmp_path: Path) -> None:
    """Issue 13: staging one file blocked the commit on an old finding in another file that only
    named the staged file as related."""
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/legacy.py": "class Settings:\n    debug = False\n\n\ndef helper():\n    return 1\n",
        "app/settings.py": "class Settings:\n    debug = True\n",
        "app/main.py": "from app.legacy import helper\nfrom app.settings import Settings\n\nSettings(helper())\n",
    })
    everything = json.loads(runner.invoke(app, ["scan", str(root), "-f", "json", "--strict"]).stdout)
    finding = next(f for f in everything["findings"] if f["rule"] == "shadowed-class")
    assert finding["path"] == "app/legacy.py" and finding["related"][0]["path"] == "app/settings.py"
    related_only = runner.invoke(app, ["scan", str(root / "app/settings.py"), "--root", str(root), "--strict"])
    assert related_only.exit_code == 0, related_only.output
    own = runner.invoke(app, ["scan", str(root / "app/legacy.py"), "--root", str(root), "--strict"])
    assert own.exit_code == 1 and "shadowed-class" in own.output


def test_every_call_site_of_a_missing_method_is_its_own() -> None:
    from analyzer.checks.missing_method.details import CallSite, Evidence, MissingDetails
    from analyzer.cli import own_paths
    from analyzer.findings import Finding

    def site(path: str, line: int) -> CallSite:
        return CallSite(path, line, "a", "annotated", Evidence("annotation", "A", 1), None, 0, (), True)

    details = MissingDetails("A", "m.py", "m", (site("a.py", 3), site("b.py", 9)), (), (), ())
    finding = Finding("missing-method", "a.py", 3, 3, "A.m", "m", details=details)
    assert own_paths(finding) == {"a.py", "b.py"}


def test_the_generated_by_comment_has_no_absolute_path(tmp_path: Path, monkeypatch) -> None:
    """Issue 13: the `generated by` comment carried the author's absolute path."""
    from analyzer.cli import _command_line

    home = tmp_path / "home"
    work = home / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    line = _command_line(["report", str(work / "app"), "-o", str(work / "r.md"), f"--copy-to={home / 'c'}",
                          "--tests", "pytest -q", "/tmp/x"])
    assert line == "hygiene report app -o r.md '--copy-to=~/c' --tests 'pytest -q' /tmp/x"
    assert str(home) not in line


def test_text_output_lists_folded_findings_under_their_module_finding() -> None:
    result = runner.invoke(app, ["scan", str(FIXTURES / "chat_app")])
    block = result.output[result.output.index("app/core/sse_manager.py:1-340"):]
    assert "also inside: app/core/sse_manager.py:1 orphan-module: module `app.core.sse_manager`" in block


def test_write_baseline_counts_in_words(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(FIXTURES / "chat_app"), "--write-baseline", str(tmp_path / "b.json")])
    assert result.exit_code == 0 and f"wrote 4 findings to {tmp_path / 'b.json'}" in result.stderr


def test_fix_diff_prints_a_patch_that_git_applies_deletions_included(tmp_path: Path) -> None:
    """`hygiene fix --diff > p.patch; git apply p.patch` gives the tree `fix --apply` gives."""
    import shutil

    trees = []
    for name in ("patched", "applied"):
        root = tmp_path / name
        shutil.copytree(FIXTURES / "flask_shop", root, ignore=shutil.ignore_patterns("__pycache__", ".hygiene_cache"))
        commit = ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "i"]
        for args in (["init", "-q"], ["add", "-A"], commit):
            subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
        trees.append(root)
    patched, applied = trees
    result = runner.invoke(app, ["fix", str(patched), "--diff"])
    assert result.exit_code == 1 and result.stdout.startswith("diff --git a/shop/models.py")
    deletion = "deleted file mode 100644\n--- a/shop/services/notifier.py\n+++ /dev/null\n@@ -1,164 +0,0 @@"
    assert deletion in result.stdout
    (tmp_path / "p.patch").write_bytes(result.stdout_bytes)
    subprocess.run(["git", "apply", str(tmp_path / "p.patch")], cwd=patched, check=True, capture_output=True)
    assert runner.invoke(app, ["fix", str(applied), "--apply"]).exit_code in {0, 1}  # 1: legacy_cart is left
    for root in trees:
        shutil.rmtree(root / ".git")

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py"))}

    assert files(patched) == files(applied) and len(files(patched)) > 15
    assert not (patched / "shop/services/notifier.py").exists()
    assert runner.invoke(app, ["fix", str(patched), "--diff", "--apply"]).exit_code == 2


def test_machine_readable_output_is_utf8_whatever_the_terminal_encoding() -> None:
    """JSON (and SARIF, markdown) on a terminal that cannot encode `→` is still written, as UTF-8:
    no traceback, and the document parses."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [sys.executable, "-m", "analyzer", "scan", str(FIXTURES / "chat_app"), "--format", "json", "--no-cache"],
        capture_output=True, cwd=REPO, env=env,
    )
    assert done.returncode == 1, done.stderr.decode()
    document = json.loads(done.stdout.decode("utf-8"))
    assert any("→" in finding["message"] for finding in document["findings"])
