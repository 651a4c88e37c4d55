"""[tool.hygiene], inline suppressions, per-file ignores, baselines, CI exit options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.config import ConfigError, find_config, load_options
from tests.conftest import write_tree

runner = CliRunner()

REDEFINED = "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n"
PROJECT = {
    "app/__init__.py": "",
    "app/models.py": REDEFINED,
    "app/main.py": "from app.models import A\n",
}


def scan_json(root: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["scan", str(root), "-f", "json", *args])
    return result.exit_code, json.loads(result.output) if result.output.strip().startswith("{") else {}


def test_config_is_found_walking_up_and_validated(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.hygiene]\nselect = ["shadowed-class"]\nexclude = ["app/legacy/*"]\n'
        '[tool.hygiene.duplicate-module]\nthreshold = 0.95\nmin-lines = 30\n'
    )
    (tmp_path / "app").mkdir()
    found = find_config(tmp_path / "app")
    assert found == tmp_path / "pyproject.toml"
    options = load_options(found)
    assert options.rules == frozenset({"shadowed-class"}) and options.exclude == ("app/legacy/*",)
    from analyzer.checks.duplicate_module.details import Settings

    settings = options.settings_of("duplicate-module", Settings)
    assert settings.threshold == 0.95 and settings.min_lines == 30 and settings.live_threshold == 0.95


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tool.hygiene]\nselekt = []\n", "unknown key 'selekt'"),
        ("[tool.hygiene]\nselect = ['nope']\n", "select: unknown rule 'nope'"),
        ("[tool.hygiene]\nexclude = 'x'\n", "exclude must be a list of strings"),
        ("[tool.hygiene.duplicate-module]\nthreshold = 2\n", "threshold must be a number in (0, 1]"),
        ("[tool.hygiene.duplicate-module]\nmin-lines = 'ten'\n", "min-lines must be a positive integer"),
        ("[tool.hygiene]\nentrypoints = ['app.main']\n", "is not of the form 'module:object'"),
        ("[tool.hygiene]\ncache-dir = 3\n", "cache-dir must be a path"),
        ("[tool.hygiene\n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_a_clear_error_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_options(config)
    root = write_tree(tmp_path, PROJECT)
    result = runner.invoke(app, ["scan", str(root)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_config_excludes_and_per_file_ignores(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**PROJECT, "app/legacy/old.py": REDEFINED})
    code, data = scan_json(root)
    assert code == 1 and {f["path"] for f in data["findings"]} == {"app/models.py", "app/legacy/old.py"}
    (root / "pyproject.toml").write_text(
        '[tool.hygiene]\nexclude = ["app/legacy/"]\nper-file-ignores = { "app/models.py" = ["shadowed-class"] }\n'
    )
    code, data = scan_json(root)
    assert code == 0 and data["findings"] == [] and data["stats"]["suppressed"] == 1


def test_inline_suppressions_and_unused_ones(tmp_path: Path) -> None:
    files = dict(PROJECT)
    files["app/models.py"] = "class A:  # hygiene: ignore[shadowed-class]\n    x = 1\n\n\nclass A:\n    x = 2\n"
    files["app/other.py"] = "x = 1  # hygiene: ignore[missing-method]\n"
    root = write_tree(tmp_path / "p", files)
    code, data = scan_json(root)
    assert code == 0 and data["findings"] == []
    code, data = scan_json(root, "--warn-unused-ignores")
    assert code == 1
    assert [d["path"] for d in data["diagnostics"]] == ["app/other.py"]
    (root / "app/models.py").write_text(
        "class A:  # hygiene: ignore[missing-method]\n    x = 1\n\n\nclass A:\n    x = 2\n"
    )
    code, data = scan_json(root)
    assert code == 1, "a suppression for another rule does not silence"
    (root / "app/models.py").write_text("class A:  # hygiene: ignore\n    x = 1\n\n\nclass A:\n    x = 2\n")
    assert scan_json(root)[0] == 0


def test_a_suppression_naming_an_unknown_rule_is_always_said(tmp_path: Path) -> None:
    files = dict(PROJECT)
    files["app/models.py"] = "class A:  # hygiene: ignore[shadowed-clas]\n    x = 1\n\n\nclass A:\n    x = 2\n"
    root = write_tree(tmp_path / "p", files)
    code, data = scan_json(root)
    assert code == 1, "a misspelled rule silences nothing"
    messages = [d["message"] for d in data["diagnostics"] if d["path"] == "app/models.py"]
    assert len(messages) == 1 and "unknown rule 'shadowed-clas'" in messages[0]
    assert "did you mean 'shadowed-class'" in messages[0]


def test_baseline_reports_only_new_findings_and_survives_line_shifts(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", PROJECT)
    baseline = tmp_path / "baseline.json"
    written = runner.invoke(app, ["scan", str(root), "--write-baseline", str(baseline)])
    assert written.exit_code == 0 and len(json.loads(baseline.read_text())["findings"]) == 1
    (root / "app/models.py").write_text("\n\n# moved down\n" + REDEFINED)
    assert scan_json(root, "--baseline", str(baseline))[0] == 0
    (root / "app/extra.py").write_text(REDEFINED.replace("A", "B"))
    code, data = scan_json(root, "--baseline", str(baseline))
    assert code == 1 and [f["path"] for f in data["findings"]] == ["app/extra.py"]
    (root / "app/models.py").write_text("class A:\n    x = 2\n")
    code, data = scan_json(root, "--baseline", str(baseline))
    assert any("stale baseline entry: shadowed-class A" in d["message"] for d in data["diagnostics"])


def test_exit_zero_and_fail_on(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", PROJECT)
    assert scan_json(root, "--exit-zero")[0] == 0
    assert scan_json(root, "--fail-on", "missing-method")[0] == 0
    assert scan_json(root, "--fail-on", "shadowed-class")[0] == 1


def test_files_mode_reports_only_findings_in_or_related_to_the_files(tmp_path: Path, monkeypatch) -> None:
    root = write_tree(tmp_path / "p", {**PROJECT, "app/legacy.py": REDEFINED.replace("A", "B")})
    monkeypatch.chdir(root)
    only_main = runner.invoke(app, ["scan", "app/main.py", "-f", "json"])
    assert only_main.exit_code == 0 and json.loads(only_main.output)["findings"] == []
    legacy = runner.invoke(app, ["scan", "app/legacy.py", "app/main.py", "-f", "json"])
    assert legacy.exit_code == 1
    assert [f["path"] for f in json.loads(legacy.output)["findings"]] == ["app/legacy.py"]


def test_entrypoints_declare_application_objects(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/factory.py": "def build():\n    return object()\n",
        "app/routes.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\nold = APIRouter()\n\n\n"
            "@router.get('/a')\ndef a():\n    return 1\n\n\n@old.get('/b')\ndef b():\n    return 2\n"
        ),
        "app/main.py": (
            "from app.factory import build\nfrom app.routes import router\n\n"
            "application = build()\napplication.include_router(router)\n"
        ),
    }
    root = write_tree(tmp_path / "p", files)
    assert scan_json(root)[1]["findings"] == []  # no application object: not judged
    (root / "pyproject.toml").write_text('[tool.hygiene]\nentrypoints = ["app.main:application"]\n')
    code, data = scan_json(root)
    assert code == 1 and [(f["rule"], f["symbol"]) for f in data["findings"]] == [("unrouted-router", "old")]
