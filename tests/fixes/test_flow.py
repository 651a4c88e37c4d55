"""`hygiene fix` as a user meets it: the wording of a dry run, refusals before the plan, --only,
--include-uncertain, stubs in the exit status, and a --diff that `git apply` accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.fixes.plan import build_plan
from analyzer.scan import scan
from tests.conftest import FIXTURES, write_tree
from tests.fixes.test_deletion import ADMIN_APP

runner = CliRunner()
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]


def commit_all(root: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", "x"], cwd=root, check=True)


@pytest.fixture
def chat_app(tmp_path: Path) -> Path:
    root = tmp_path / "chat_app"
    shutil.copytree(FIXTURES / "chat_app", root, ignore=shutil.ignore_patterns("__pycache__", ".*cache"))
    return root


def test_only_a_file_that_does_not_exist_is_an_error(chat_app: Path) -> None:
    result = runner.invoke(app, ["fix", str(chat_app), "--only", "nonexistent.py"])
    assert result.exit_code == 2
    assert "--only nonexistent.py: no such file" in result.output and "Nothing to fix" not in result.output


def test_a_dry_run_speaks_of_what_would_happen(chat_app: Path) -> None:
    result = runner.invoke(app, ["fix", str(chat_app)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert "would delete app/core/sse_manager.py (340 lines)" in lines
    assert any(line.startswith("would fix duplicate-module: delete app/core/sse_manager.py") for line in lines)
    assert lines[-2] == "Would fix 4 findings. 3 files would change, 2 would be deleted."
    past = [line for line in lines if re.match(r"(deleted|removed|added|fixed|applied)\b", line, re.IGNORECASE)]
    assert past == []
    # Not wrapped at 80 columns when piped.
    assert any(len(line) > 100 for line in lines)


def test_drop_unrouted_says_delete_and_leaves_no_debris(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", ADMIN_APP)
    result = runner.invoke(app, ["fix", str(root), "--drop-unrouted"])
    header = next(line for line in result.output.splitlines() if "unrouted-router" in line)
    assert header.startswith("would fix unrouted-router: delete app/routes/admin.py")
    assert not re.search(r"\bmount\b", header)
    assert "would delete app/routes/admin_users.py" in result.output
    assert "-# api_router.include_router(admin.admin_router)" in result.output


def test_on_a_dirty_tree_the_refusal_comes_before_the_plan(chat_app: Path) -> None:
    commit_all(chat_app)
    event = chat_app / "app/schemas/event.py"
    event.write_text(event.read_text() + "# edited\n")
    result = runner.invoke(app, ["fix", str(chat_app), "--apply"])
    assert result.exit_code == 2
    assert "uncommitted changes in app/schemas/event.py" in result.output
    assert "would" not in result.output and "will" not in result.output and "---" not in result.output


def test_apply_outside_git_asks_for_force_and_then_warns(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": "class A:\n    x = 1\n\n\nclass A:\n    x = 2\n",
             "app/main.py": "from app.models import A\n"}
    root = write_tree(tmp_path / "p", files)
    refused = runner.invoke(app, ["fix", str(root), "--apply"])
    assert refused.exit_code == 2 and "no VCS safety net" in refused.output and "--force" in refused.output
    assert (root / "app/models.py").read_text().count("class A") == 2
    forced = runner.invoke(app, ["fix", str(root), "--apply", "--force"])
    assert forced.exit_code == 0, forced.output
    assert forced.output.startswith("warning:") and "not in a git repository" in forced.output
    assert (root / "app/models.py").read_text() == "class A:\n    x = 2\n"


def test_uncertain_findings_are_marked_and_need_include_uncertain(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "realworld" / "class_escapes_to_helper", root)
    plain = runner.invoke(app, ["fix", str(root)])
    assert "would skip missing-method [uncertain]" in plain.output and "--include-uncertain" in plain.output
    assert plain.exit_code == 0 and "Nothing to fix." in plain.output
    included = runner.invoke(app, ["fix", str(root), "--include-uncertain"])
    assert "missing-method [uncertain]" in included.output and included.exit_code == 1


def test_a_stub_is_not_a_fix_in_the_summary_the_verification_and_the_exit_status(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class Order:\n    def total(self) -> int:\n        return 1\n",
        "app/views.py": (
            "from app.models import Order\n\n\ndef f(order: Order, sku: str) -> None:\n    order.reserve(sku)\n"
        ),
    })
    commit_all(root)
    dry = runner.invoke(app, ["fix", str(root)])
    assert "would add a stub (NOT a fix) missing-method" in dry.output
    assert "Would fix 0 findings and add 1 stub (NOT a fix)." in dry.output
    applied = runner.invoke(app, ["fix", str(root), "--apply"])
    assert applied.exit_code == 1, applied.output
    assert "0 of 0 fixed findings gone" in applied.output and "1 stub added, NOT fixed" in applied.output
    assert "⚠ stub added, NOT fixed: Order.reserve (app/models.py:5)" in applied.output
    assert "Verified, but 1 stub NOT fixed." in applied.output
    subprocess.run([*GIT, "commit", "-qam", "stub"], cwd=root, check=True)
    assert runner.invoke(app, ["verify", str(root)]).exit_code == 1  # the stub is still there


def git_apply_check(root: Path, patch: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "apply", "--check", "-"], cwd=root, input=patch, capture_output=True)


def test_the_diff_is_a_patch_git_apply_accepts(chat_app: Path) -> None:
    commit_all(chat_app)
    result = runner.invoke(app, ["fix", str(chat_app), "--diff"])
    assert result.exit_code == 1
    patch = result.stdout_bytes
    assert patch.startswith(b"diff --git ") and b"would" not in patch
    done = git_apply_check(chat_app, patch)
    assert done.returncode == 0, done.stderr.decode()
    plan = build_plan(scan(chat_app))
    subprocess.run(["git", "apply", "-"], cwd=chat_app, input=patch, check=True)
    for path, content in plan.final.items():
        assert (chat_app / path).read_bytes() == content if content is not None else not (chat_app / path).exists()


def test_the_diff_keeps_line_endings_encodings_and_missing_final_newlines(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/crlf.py": b"import os\r\n\r\n\r\nclass A:\r\n    x = os.sep\r\n\r\n\r\nclass A:\r\n    x = 2\r\n",
        "app/latin.py": (
            "# -*- coding: latin-1 -*-\nimport os\n\nNAME = 'caf\u00e9'\n\n\nclass B:\n    x = os.sep\n\n\n"
            "class B:\n    x = 2"
        ).encode("latin-1"),
        "app/main.py": "from app.crlf import A\nfrom app.latin import B, NAME\n",
    })
    commit_all(root)
    result = runner.invoke(app, ["fix", str(root), "--diff"])
    assert result.exit_code == 1, result.output
    done = git_apply_check(root, result.stdout_bytes)
    assert done.returncode == 0, done.stderr.decode() + result.stdout_bytes.decode("latin-1")
    subprocess.run(["git", "apply", "-"], cwd=root, input=result.stdout_bytes, check=True)
    assert (root / "app/crlf.py").read_bytes() == b"class A:\r\n    x = 2\r\n"
    assert (root / "app/latin.py").read_bytes() == (
        "# -*- coding: latin-1 -*-\n\nNAME = 'caf\u00e9'\n\n\nclass B:\n    x = 2"
    ).encode("latin-1")


def test_nothing_to_fix_gives_an_empty_diff(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"app/__init__.py": "", "app/main.py": "x = 1\n"})
    result = runner.invoke(app, ["fix", str(root), "--diff"])
    assert result.exit_code == 0 and result.stdout_bytes == b""
    plain = runner.invoke(app, ["fix", str(root)])
    assert plain.exit_code == 0 and plain.output == "Nothing to fix.\n"
