"""The GitHub Action (`action.yml`): its structure checked against what the runner requires, and
its shell steps run the way the runner runs them (`act` is not available here): inputs and
expressions substituted, `uses:` steps left out, the outputs and the step summary collected."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def test_the_action_is_a_composite_action_with_documented_inputs() -> None:
    assert set(ACTION) >= {"name", "description", "inputs", "outputs", "runs"}
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec["description"] and "default" in spec, name
        assert isinstance(spec["default"], str), name  # inputs are strings
    for name, spec in ACTION["outputs"].items():
        assert spec["description"] and spec["value"].startswith("${{ steps."), name
    for step in ACTION["runs"]["steps"]:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] == "bash", step  # composite run steps must name their shell
        else:
            assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", step["uses"]), step["uses"]


def test_every_expression_names_a_known_input_step_or_context() -> None:
    steps = {step.get("id") for step in ACTION["runs"]["steps"]}
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    for expression in EXPRESSION.findall(text):
        for name in re.findall(r"inputs\.([\w-]+)", expression):
            assert name in ACTION["inputs"], expression
        for step in re.findall(r"steps\.([\w-]+)\.", expression):
            assert step in steps, expression
        assert re.match(r"(inputs|steps|runner|github)\.", expression), expression


def test_no_input_is_spliced_into_a_script() -> None:
    """Inputs reach scripts through `env:` only: an input spliced into `run:` could inject shell."""
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_the_uses_steps_are_the_ones_a_workflow_would_write() -> None:
    uses = [step["uses"].rsplit("@", 1)[0] for step in ACTION["runs"]["steps"] if "uses" in step]
    assert uses == ["actions/setup-python", "actions/cache", "github/codeql-action/upload-sarif"]


def test_every_flag_the_scripts_pass_exists() -> None:
    from typer.testing import CliRunner

    from analyzer.cli import app

    help_text = CliRunner().invoke(app, ["scan", "--help"]).output
    scripts = "\n".join(step.get("run", "") for step in ACTION["runs"]["steps"])
    for flag in set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", scripts)) - {"--disable-pip-version-check", "--quiet",
                                                                          "--version"}:
        assert flag in help_text, flag


# ---- the steps, run ---------------------------------------------------------------------------


class Runner:
    """Runs the action's shell steps in `workspace`, as the GitHub runner would."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str]) -> None:
        self.workspace = workspace
        self.temp = temp
        self.inputs = {name: spec["default"] for name, spec in ACTION["inputs"].items()} | inputs
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = temp / "summary.md"
        self.bin = temp / "bin"
        self.bin.mkdir()
        shim = self.bin / "hygiene"  # the tool as installed: this checkout, run by this interpreter
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m analyzer "$@"\n')
        shim.chmod(0o755)
        python = self.bin / "python"
        python.symlink_to(sys.executable)

    def expand(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("inputs."):
                return self.inputs[expression.removeprefix("inputs.")]
            if expression == "runner.temp":
                return str(self.temp)
            if expression == "runner.os":
                return "Linux"
            if expression == "github.sha":
                return "0" * 40
            if expression == "github.action_path":
                return str(REPO)
            step, _, output = expression.removeprefix("steps.").partition(".outputs.")
            return self.outputs[step][output]

        return EXPRESSION.sub(value, text)

    def condition(self, step: dict) -> bool:
        if "if" not in step:
            return True
        match = re.fullmatch(r"inputs\.([\w-]+) == '(\w+)'", step["if"])
        assert match, step["if"]
        return self.inputs[match.group(1)] == match.group(2)

    def run(self, skip: tuple[str, ...] = ("Install code-hygiene",)) -> int:
        """Every run step in order (the install step replaced by the shim); the exit status of
        the first that fails, else 0."""
        for step in ACTION["runs"]["steps"]:
            if "run" not in step or step["name"] in skip or not self.condition(step):
                continue
            output = self.temp / f"output-{step.get('id', 'x')}"
            output.write_text("")
            env = {
                **os.environ,
                **{key: self.expand(str(value)) for key, value in step.get("env", {}).items()},
                "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
                "PYTHONPATH": str(REPO),
                "GITHUB_ACTION_PATH": str(REPO),
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(self.summary),
                "RUNNER_TEMP": str(self.temp),
                "GITHUB_WORKSPACE": str(self.workspace),
            }
            script = self.temp / "step.sh"
            script.write_text(step["run"])
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                  cwd=self.workspace, env=env, capture_output=True, text=True, timeout=600)
            self.log = done.stdout + done.stderr
            if step.get("id"):
                self.outputs[step["id"]] = dict(
                    line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
                )
            if done.returncode != 0:
                return done.returncode
        return 0


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "flask_factory", root, ignore=shutil.ignore_patterns("__pycache__", "expected.json"))
    return root


def test_the_action_fails_on_findings_annotates_and_summarises(workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "temp").mkdir()
    runner = Runner(workspace, tmp_path / "temp", {})
    assert runner.run() == 1
    assert runner.outputs["scan"]["findings"] == "1"
    sarif = json.loads(Path(runner.outputs["scan"]["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 1
    assert re.search(r"^::error file=shop/views\.py,line=\d+,endLine=\d+,title=unrouted-router::", runner.log,
                     re.M), runner.log
    assert runner.summary.read_text().startswith("## code-hygiene: 1 finding\n")
    assert any((tmp_path / "temp" / "hygiene-cache").iterdir())  # the cache the next run restores


def test_the_action_with_a_baseline_passes_on_old_findings(workspace: Path, tmp_path: Path) -> None:
    baseline = workspace / "hygiene-baseline.json"
    subprocess.run([sys.executable, "-m", "analyzer", "scan", str(workspace), "--write-baseline", str(baseline)],
                   check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    (tmp_path / "temp").mkdir()
    runner = Runner(workspace, tmp_path / "temp", {"baseline": "hygiene-baseline.json"})
    assert runner.run() == 0, runner.log
    assert runner.outputs["scan"]["findings"] == "0"
    assert runner.summary.read_text().startswith("code-hygiene: no findings")


def test_the_action_can_report_without_failing(workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "temp").mkdir()
    runner = Runner(workspace, tmp_path / "temp", {"fail-on-findings": "false", "args": "--select unrouted-router"})
    assert runner.run() == 0, runner.log
    assert "::error file=shop/views.py" in runner.log


def test_a_usage_error_still_fails_the_action(workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "temp").mkdir()
    runner = Runner(workspace, tmp_path / "temp", {"fail-on-findings": "false", "args": "--select no-such-rule"})
    assert runner.run() == 2
