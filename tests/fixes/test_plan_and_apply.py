"""The fix engine on whole projects: the seed's cleanup, safety, rollback, idempotence."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.fixes import apply as apply_module
from analyzer.fixes.apply import ApplyError, apply_plan
from analyzer.fixes.plan import PlanOptions, build_plan
from analyzer.scan import scan
from analyzer.verify import verify
from tests.conftest import FIXTURES, write_tree


@pytest.fixture
def chat_app(tmp_path: Path) -> Path:
    root = tmp_path / "chat_app"
    shutil.copytree(
        FIXTURES / "chat_app", root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hygiene_cache")
    )
    return root


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_the_seed_cleanup_exactly(chat_app: Path) -> None:
    before = {
        p: (chat_app / p).read_bytes()
        for p in ("app/main.py", "app/core/stream_manager.py", "app/core/worker_space_manager.py")
    }
    result = scan(chat_app)
    plan = build_plan(result)
    assert plan.deleted == ["app/core/sse_manager.py", "app/routes/sse.py"]
    assert plan.changed == ["app/core/user_worker_space.py", "app/routes/__init__.py", "app/schemas/event.py"]
    apply_plan(plan, force=True)
    assert not (chat_app / "app/core/sse_manager.py").exists() and not (chat_app / "app/routes/sse.py").exists()
    for path, content in before.items():
        assert (chat_app / path).read_bytes() == content, path
    worker = (chat_app / "app/core/user_worker_space.py").read_text().splitlines()
    assert len(worker) == 599 - 124 and "WorkerSpaceManager" not in "\n".join(worker)
    event = (chat_app / "app/schemas/event.py").read_text().splitlines()
    assert event[60].strip() == "def to_sse_format(self) -> str:"
    assert event[67].strip() == 'return f"event: {event_type}\\ndata: {json_data}\\n\\n"'
    assert event[68] == ""
    routes = (chat_app / "app/routes/__init__.py").read_text()
    assert "sse" not in routes
    checks = verify(chat_app, plan.changed, before=list(result.findings), fixed=list(result.findings))
    assert checks.ok, [(c.kind, c.detail, c.output) for c in checks.checks if not c.ok]
    assert scan(chat_app).findings == ()


def test_the_fixture_tests_pass_after_the_cleanup(chat_app: Path) -> None:
    apply_plan(build_plan(scan(chat_app)), force=True)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=chat_app,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]


def test_a_second_apply_changes_nothing(chat_app: Path) -> None:
    apply_plan(build_plan(scan(chat_app)), force=True)
    again = build_plan(scan(chat_app))
    assert again.changed == [] and again.deleted == [] and not any(f.applies for f in again.fixes)


def test_orphan_methods_are_added_by_default_and_skipped_on_request(chat_app: Path) -> None:
    plan = build_plan(scan(chat_app))
    (method,) = [f for f in plan.fixes if f.finding.rule == "missing-method"]
    assert method.applies
    assert any(n.key == "orphan_method" and n.params["callers"] == "app/routes/sse.py" for n in method.notes)
    skipped = build_plan(scan(chat_app), PlanOptions(skip_orphan_methods=True))
    (method,) = [f for f in skipped.fixes if f.finding.rule == "missing-method"]
    assert not method.applies and "app/schemas/event.py" not in skipped.changed


@pytest.mark.parametrize("step", range(10))
def test_a_failure_at_any_step_leaves_the_tree_byte_identical(chat_app: Path, monkeypatch, step: int) -> None:
    plan = build_plan(scan(chat_app))
    original = tree_hash(chat_app)
    calls = {"n": 0}
    real = apply_module._replace

    def failing(source: Path, target: Path) -> None:
        if calls["n"] == step:
            raise OSError(28, "No space left on device")
        calls["n"] += 1
        real(source, target)

    monkeypatch.setattr(apply_module, "_replace", failing)
    steps_in_plan = 2 * len(plan.changed) + len(plan.deleted)
    if step >= steps_in_plan:
        apply_plan(plan, force=True)
        assert tree_hash(chat_app) != original
        return
    with pytest.raises(ApplyError):
        apply_plan(plan, force=True)
    assert tree_hash(chat_app) == original
    assert not list(chat_app.glob(".hygiene-*")) and not list(chat_app.rglob(".hygiene-*"))


def test_apply_refuses_a_dirty_git_tree_unless_forced(chat_app: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=chat_app, check=True)
    subprocess.run(["git", "add", "-A"], cwd=chat_app, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], cwd=chat_app, check=True)
    (chat_app / "app/schemas/event.py").write_text((chat_app / "app/schemas/event.py").read_text() + "# edited\n")
    plan = build_plan(scan(chat_app))
    with pytest.raises(ApplyError, match=r"uncommitted changes in app/schemas/event\.py"):
        apply_plan(plan)
    apply_plan(plan, force=True)


def test_apply_refuses_files_changed_since_the_scan(chat_app: Path) -> None:
    plan = build_plan(scan(chat_app))
    target = chat_app / "app/core/user_worker_space.py"
    target.write_text(target.read_text() + "\n# changed meanwhile\n")
    snapshot = tree_hash(chat_app)
    with pytest.raises(ApplyError, match="changed since it was scanned"):
        apply_plan(plan, force=True)
    assert tree_hash(chat_app) == snapshot


def test_apply_never_writes_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("class A:\n    x = 1\n\n\nclass A:\n    x = 2\n")
    root = write_tree(tmp_path / "p", {"app/__init__.py": "", "app/main.py": "from app.models import A\n"})
    (root / "app/models.py").symlink_to(outside)
    result = scan(root)
    assert result.findings == ()  # the link is not followed, so nothing to fix through it
    assert any("symbolic link" in d.message for d in result.diagnostics)


MANAGER = '''class {cls}:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)
        return len(self.items)

    def remove(self, item):
        self.items.remove(item)
        return len(self.items)

    def clear(self):
        self.items = []

    def count(self):
        return len(self.items)

    def first(self):
        return self.items[0] if self.items else None

    def last(self):
        return self.items[-1] if self.items else None

    def pop(self):
        return self.items.pop()

    def extend(self, items):
        for item in items:
            self.add(item)


def {getter}():
    return {cls}()
'''


def test_duplicate_fix_adds_missing_aliases_and_rewrites_every_import_form(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/stream.py": MANAGER.format(cls="Stream", getter="get_stream"),
        "app/core/sse.py": MANAGER.format(cls="SSE", getter="get_sse"),
        "app/main.py": "from app.core.stream import get_stream\n",
        "tests/test_main.py": "from app.core.sse import SSE\n",
        "tests/test_other.py": "from app.core import sse\nimport app.core.sse as legacy\n",
        "tests/test_x.py": "from unittest import mock\n\nmock.patch('app.core.sse.SSE')\n",
    })
    result = scan(root)
    (finding,) = [f for f in result.findings if f.rule == "duplicate-module"]
    assert finding.path == "app/core/sse.py" and finding.to_dict()["details"]["aliases_present"] is False
    plan = build_plan(result)
    apply_plan(plan, force=True)
    stream = (root / "app/core/stream.py").read_text()
    assert stream.endswith("SSE = Stream\nget_sse = get_stream\n")
    assert (root / "tests/test_main.py").read_text() == "from app.core.stream import SSE\n"
    assert (root / "tests/test_other.py").read_text() == (
        "from app.core import stream as sse\nimport app.core.stream as legacy\n"
    )
    assert "mock.patch('app.core.stream.SSE')" in (root / "tests/test_x.py").read_text()
    checks = verify(root, plan.changed, before=list(result.findings), fixed=list(result.findings))
    assert checks.ok, [(c.kind, c.detail, c.output) for c in checks.checks]


def test_findings_inside_a_deleted_copy_fold_into_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/stream.py": MANAGER.format(cls="Stream", getter="get_stream"),
        "app/core/sse.py": (
            MANAGER.format(cls="SSE", getter="get_sse") + "\n\ndef use(s: SSE):\n    return s.missing()\n"
        ),
        "app/main.py": "from app.core.stream import get_stream\n",
    })
    result = scan(root)
    (finding,) = result.findings
    assert finding.rule == "duplicate-module"
    assert [(f.rule, f.symbol) for f in finding.folded] == [("missing-method", "SSE.missing")]
    assert not build_plan(result).conflicts


def test_unrouted_router_without_replacements_is_not_deleted_unless_asked(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/routes/__init__.py": "from . import items, old\n",
        "app/routes/items.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            "@router.get('/items')\ndef items():\n    return []\n"
        ),
        "app/routes/old.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            "@router.get('/reports')\ndef reports():\n    return []\n"
        ),
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import items\n\n"
            "app = FastAPI()\napp.include_router(items.router)\n"
        ),
    })
    result = scan(root)
    (fix,) = build_plan(result).fixes
    assert not fix.applies and fix.skipped.params["include"] == "app.include_router(old.router)"
    plan = build_plan(result, PlanOptions(drop_unrouted=True))
    assert plan.deleted == ["app/routes/old.py"] and plan.changed == ["app/routes/__init__.py"]
    apply_plan(plan, force=True)
    assert (root / "app/routes/__init__.py").read_text() == "from . import items\n"


def test_a_scan_with_the_cache_plans_once_for_the_same_files_findings_and_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm `fix` reads its plan back: the same files, findings and options give the plan
    already made; another option, a finding left out or an edited file plan again."""
    from analyzer.fixes import planner

    root = write_tree(tmp_path / "app", {
        "app/__init__.py": "", "app/main.py": "from app.models import User\n\nprint(User)\n",
        "app/models.py": "class User:\n    pass\n\n\nclass User:\n    name = 1\n",
    })
    first = build_plan(scan(root, cache=True))
    assert [fix.status for fix in first.fixes] == ["fixed"]
    calls: list[PlanOptions] = []
    real = planner.planned

    def counted(result, options):  # type: ignore[no-untyped-def]
        calls.append(options)
        return real(result, options)

    monkeypatch.setattr(planner, "planned", counted)
    again = build_plan(scan(root, cache=True))
    assert calls == [] and again.final == first.final and [f.summary for f in again.fixes] == [
        f.summary for f in first.fixes
    ]
    build_plan(scan(root, cache=True), PlanOptions(include_uncertain=True))
    build_plan(scan(root, cache=True).restricted_to(set()))
    assert len(calls) == 2
    (root / "app" / "main.py").write_text("from app.models import User\n\nprint(User, 2)\n")
    build_plan(scan(root, cache=True))
    assert len(calls) == 3
