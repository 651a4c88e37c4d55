"""Fuzzing: damaged copies of a real application, and generated valid programs, never crash the
analyzer.

Short by default (30 examples per test). For a long run set HYGIENE_FUZZ_EXAMPLES:

    HYGIENE_FUZZ_EXAMPLES=2000 python -m pytest -q tests/test_fuzz.py

No example database is written (`database=None`). A crash found by a long run is printed by
hypothesis as the minimal failing example; docs/robustness.md records the runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.facts.extract import extract
from analyzer.fixes.plan import FixPlan, build_plan
from analyzer.scan import ScanResult, scan
from tests.conftest import FIXTURES

try:  # generated valid programs: optional (add `hypothesmith` to the test extras to enable)
    import hypothesmith
except ImportError:  # pragma: no cover - depends on the environment
    hypothesmith = None

# hypothesmith compiles what it generates; CPython warns about things like `1()`.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

EXAMPLES = int(os.environ.get("HYGIENE_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

CHAT_APP = FIXTURES / "chat_app"
SOURCES: dict[str, bytes] = {
    p.relative_to(CHAT_APP).as_posix(): p.read_bytes()
    for p in sorted(CHAT_APP.rglob("*.py"))
    if "__pycache__" not in p.parts
}
NAMES = sorted(SOURCES)
PACKAGE_INITS = [name for name in NAMES if name.endswith("__init__.py")]


@st.composite
def damaged_trees(draw) -> tuple[str, dict[str, bytes]]:
    """A few files of chat_app, one of them damaged: truncated at a random offset, spliced with
    another file at random offsets, or with random bytes inserted at a random position."""
    target = draw(st.sampled_from(NAMES))
    data = SOURCES[target]
    how = draw(st.sampled_from(["truncate", "splice", "insert"]))
    if how == "truncate":
        damaged = data[: draw(st.integers(0, len(data)))]
    elif how == "splice":
        other = SOURCES[draw(st.sampled_from(NAMES))]
        damaged = data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))):]
    else:
        at = draw(st.integers(0, len(data)))
        damaged = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    # Its neighbours stay intact, so the checks have something to relate the damaged file to.
    companions = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
    files = {name: SOURCES[name] for name in [*PACKAGE_INITS, *companions]}
    files[target] = damaged
    return f"{how} {target}", files


def _compiles(source: bytes) -> bool:
    try:
        compile(source, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def assert_the_plan_is_sound(plan: FixPlan, root: Path, files: dict[str, bytes], how: str) -> None:
    """What a plan must be, whatever the tree: computed in memory (nothing on disk changed),
    only about the tree's own files, starting from their real content, its fixes' changes
    chaining from there to the final content, and every file that compiled before compiling
    after. Each fix that applies changes something."""
    on_disk = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert {name: on_disk.get(name) for name in files} == files, how
    assert set(plan.final) <= set(files), how
    content: dict[str, bytes | None] = dict(files)
    for fix in plan.fixes:
        if fix.applies:
            assert fix.changes, (how, fix.summary)
            for change in fix.changes:
                assert change.before == content[change.path], (how, fix.summary, change.path)
                content[change.path] = change.after
    for path, after in plan.final.items():
        assert plan.originals[path] == files[path], (how, path)
        assert after == content[path], (how, path)
        if after is not None and path.endswith(".py") and _compiles(files[path]):
            assert _compiles(after), (how, path, after.decode("utf-8", "replace"))


def _write(root: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@FUZZ
@given(case=damaged_trees())
def test_damaged_copies_of_a_real_app_never_crash_the_scan_or_the_planner(case) -> None:
    how, files = case
    root = Path(tempfile.mkdtemp(prefix="hygiene-fuzz-"))
    try:
        _write(root, files)
        result = scan(root)
        assert isinstance(result, ScanResult), how
        parsed = {facts.path for facts in result.project.index.modules.values()}
        skipped = {d.path for d in result.diagnostics if d.message.startswith("skipped")}
        assert parsed | skipped == set(files), how  # every file is analysed or explained
        assert not parsed & skipped, how
        for finding in result.findings:
            assert finding.path in parsed, (how, finding)
        result.to_dict()
        assert_the_plan_is_sound(build_plan(result), root, files, how)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed (pip install hypothesmith)")
@FUZZ
@given(source=hypothesmith.from_grammar() if hypothesmith else st.nothing())
def test_the_extractor_never_raises_on_generated_valid_programs(source: str) -> None:
    data = source.encode("utf-8", "surrogatepass")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = extract("m.py", "m", False, data)
    assert facts.path == "m.py" and facts.module == "m"
    assert facts.line_count == data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


@pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed (pip install hypothesmith)")
@FUZZ
@given(source=st.one_of(hypothesmith.from_node(), hypothesmith.from_grammar()) if hypothesmith else st.nothing())
def test_a_project_of_generated_programs_never_crashes_the_scan_or_the_planner(source: str) -> None:
    """The same program twice in one module and once in another, so that the rules (redefined
    classes, copies of modules) get something to chew on."""
    root = Path(tempfile.mkdtemp(prefix="hygiene-fuzz-"))
    try:
        data = source.encode("utf-8", "surrogatepass")
        files = {"app/__init__.py": b"", "app/one.py": data, "app/two.py": data + b"\n\n" + data}
        _write(root, files)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = scan(root)
            plan = build_plan(result)
        assert isinstance(result, ScanResult)
        assert_the_plan_is_sound(plan, root, files, source)
        result.to_dict()
    finally:
        shutil.rmtree(root, ignore_errors=True)
