"""Robustness: the analyzer never runs the code it scans, and no input makes it crash or hang.

Every scan goes through both doors: `analyzer.scan.scan(root)` and the command line
(`hygiene scan ROOT -f json` through typer's CliRunner), which must end with exit 0 or 1 and a JSON
document, never exit 2 or a traceback. Inputs the analyzer cannot read become diagnostics and
the scan goes on: a small project with one known finding sits beside every hostile input, and
the finding must still be reported.

Tests marked `xfail(strict=True)` document analyzer bugs still open; each reason names the cause,
and the test turns into a failure (XPASS) as soon as the bug is fixed, so that the marker gets
removed. Tests whose docstring says "Regression" guard bugs this suite found and that are fixed.
docs/robustness.md has the figures.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

import analyzer.cli
import analyzer.scan
import analyzer.verify
from analyzer.cli import app
from analyzer.discovery import DEFAULT_MAX_FILE_BYTES
from analyzer.scan import ScanResult, scan
from tests.conftest import FIXTURES, REPO, write_tree

runner = CliRunner()
HOSTILE = FIXTURES / "hostile_app"
MARKER_NAME = "hygiene-hostile-marker"
MARKER = Path(tempfile.gettempdir()) / MARKER_NAME

# One finding (a class defined twice in a module, the first copy dead), so that every test can
# show the scan went on past the hostile input and still analysed the rest of the tree.
GOOD = {
    "app/__init__.py": "",
    "app/models.py": (
        "class Widget:\n"
        "    def render(self):\n"
        "        return 1\n"
        "\n"
        "\n"
        "class Widget:\n"
        "    def render(self):\n"
        "        return 2\n"
    ),
    "app/main.py": "from app.models import Widget\n\n\ndef show():\n    return Widget().render()\n",
}
GOOD_FINDING = ("shadowed-class", "app/models.py", "Widget")
GOOD_FILES = len(GOOD)

# A module that, when it parses, yields a finding of its own (the same stale-class pattern):
# proof that it was not only read but analysed.
REDEFINED = (
    "class Gadget:\n"
    "    def spin(self):\n"
    "        return 1\n"
    "\n"
    "\n"
    "class Gadget:\n"
    "    def spin(self):\n"
    "        return 2\n"
)


# ---- helpers -----------------------------------------------------------------------------------
def keys(findings) -> set[tuple]:
    return {(f["rule"], f["path"], f["symbol"]) if isinstance(f, dict) else (f.rule, f.path, f.symbol)
            for f in findings}


def diagnostics_of(result: ScanResult | dict) -> dict[str, str]:
    items = result["diagnostics"] if isinstance(result, dict) else [d.to_dict() for d in result.diagnostics]
    found: dict[str, str] = {}
    for item in items:
        found[item["path"]] = (found.get(item["path"], "") + " | " + item["message"]).lstrip(" |")
    return found


def assert_clean_exit(result, *allowed: int) -> None:
    """Exit 0 or 1 (or the codes given), no exception escaped, no traceback printed."""
    allowed = allowed or (0, 1)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"exception escaped: {result.exception!r}\n{result.output}"
    )
    assert result.exit_code in allowed, (result.exit_code, result.output)
    assert "Traceback" not in result.output


def cli(*args: str):
    return runner.invoke(app, list(args))


def cli_scan_json(root: Path) -> dict:
    result = cli("scan", str(root), "-f", "json")
    assert_clean_exit(result)
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert result.exit_code == (1 if data["findings"] else 0)
    return data


def both_ways(root: Path) -> tuple[ScanResult, dict]:
    """Scan through the API and through the command line; both must agree."""
    result = scan(root)
    assert isinstance(result, ScanResult)
    data = cli_scan_json(root)
    assert keys(data["findings"]) == keys(result.findings)
    assert diagnostics_of(data) == diagnostics_of(result)
    assert data["stats"]["files"] == result.files
    return result, data


CACHE_DIR = ".hygiene_cache"  # the analyzer's own cache, which it may create in the scanned tree


def tree_digest(root: Path) -> dict[str, str]:
    """Content hash of every regular file below root (symbolic links not followed), apart from
    the analyzer's cache."""
    digests = {}
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != CACHE_DIR]
        for name in filenames:
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file():
                continue
            digests[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def damaged(root: Path, before: dict[str, str]) -> list[str]:
    """Files changed, removed or added since `before` (the cache aside)."""
    after = tree_digest(root)
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def run_module_cli(args: list[str], cwd: Path, tmpdir: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m analyzer ARGS` in a fresh interpreter, as a user runs it from a project."""
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONSAFEPATH", None)
    return subprocess.run([sys.executable, "-m", "analyzer", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "hostile_app"
    shutil.copytree(HOSTILE, root, ignore=shutil.ignore_patterns("__pycache__", "expected.json"))
    return root


@pytest.fixture
def no_marker():
    """The marker path, absent at the start; removed again at the end (the tests assert on it)."""
    MARKER.unlink(missing_ok=True)
    yield MARKER
    MARKER.unlink(missing_ok=True)


# ---- 1. the scanned code never runs ---------------------------------------------------------------
def test_the_hostile_fixture_really_is_hostile(hostile: Path, tmp_path: Path) -> None:
    """Positive control: importing the package does leave the marker (in a private temp dir)."""
    private = tmp_path / "tmp"
    private.mkdir()
    env = {**os.environ, "TMPDIR": str(private)}
    done = subprocess.run([sys.executable, "-c", "import hostile.api"], cwd=hostile, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0 and "must never be imported" in done.stderr
    assert (private / MARKER_NAME).read_text().startswith("hostile/__init__.py")


def test_scan_fix_report_and_verify_never_run_the_scanned_code(hostile: Path, no_marker: Path) -> None:
    before = tree_digest(hostile)
    result = scan(hostile)
    assert result.findings == () and result.diagnostics == ()
    assert result.files == len(list(hostile.rglob("*.py")))
    data = cli_scan_json(hostile)
    assert data["findings"] == []
    assert_clean_exit(cli("scan", str(hostile)))
    assert_clean_exit(cli("fix", str(hostile)))
    assert_clean_exit(cli("report", str(hostile)))
    assert_clean_exit(cli("verify", str(hostile)))
    assert not no_marker.exists(), no_marker.read_text()
    assert not any(name == "hostile" or name.startswith(("hostile.", "hostile_backend")) for name in sys.modules)
    assert damaged(hostile, before) == []


def test_fixing_and_auditing_a_hostile_tree_with_findings_never_runs_it(hostile: Path, no_marker: Path) -> None:
    """With a finding planted, fix (dry run), report (audit on a copy) and fix --apply go through
    planning, applying and verification (compile, re-scan): still nothing runs."""
    boom = hostile / "hostile" / "boom.py"
    boom.write_text(boom.read_text() + "\n\n" + REDEFINED, encoding="utf-8")
    before = tree_digest(hostile)
    result = scan(hostile)
    assert keys(result.findings) == {("shadowed-class", "hostile/boom.py", "Gadget")}
    assert_clean_exit(cli("fix", str(hostile)), 1)
    assert_clean_exit(cli("report", str(hostile)), 1)
    assert damaged(hostile, before) == [], "a dry run or an audit changed the tree"
    assert_clean_exit(cli("fix", str(hostile), "--apply", "--force"), 0)
    assert boom.read_text().count("class Gadget") == 1
    assert scan(hostile).findings == ()
    assert not no_marker.exists()


def test_a_project_module_shadowing_the_stdlib_is_never_imported(hostile: Path, tmp_path: Path) -> None:
    """Regression: to learn the members of `wave.Wave_read` (a base class in hostile/audio.py) the
    analyzer imported `wave` through sys.path; `python -m analyzer` puts the cwd first there, so
    the project's own `wave.py` (hidden from discovery by .gitignore) ran, and its members replaced
    the real ones (a false missing-method finding)."""
    private = tmp_path / "tmp"
    private.mkdir()
    (hostile / ".gitignore").write_text("wave.py\n", encoding="utf-8")
    (hostile / "wave.py").write_text(
        "import os, tempfile\n"
        f"open(os.path.join(tempfile.gettempdir(), {MARKER_NAME!r}), 'a').write('wave.py\\n')\n"
        "class Wave_read:\n    pass\n",
        encoding="utf-8",
    )
    done = run_module_cli(["scan", ".", "-f", "json"], cwd=hostile, tmpdir=private)
    assert not (private / MARKER_NAME).exists(), "the project's wave.py was imported"
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["findings"] == []


def test_stdlib_main_modules_named_by_the_scanned_code_are_never_imported(tmp_path: Path) -> None:
    """Regression: a base class `unittest.__main__.TestProgram` made the analyzer import
    `unittest.__main__`, which runs unittest.main() with the analyzer's own argv: it imported the
    project's `scan.py` from the cwd and, with `-f json`, exited 2 ('unrecognized arguments')."""
    private = tmp_path / "tmp"
    private.mkdir()
    root = write_tree(tmp_path / "project", {
        "app/__init__.py": "",
        "app/runner.py": (
            "import unittest.__main__\n\n\n"
            "class Runner(unittest.__main__.TestProgram):\n    pass\n\n\n"
            "def use(runner: Runner):\n    return runner.runTests()\n"
        ),
        "scan.py": (
            "import os, tempfile\n"
            f"open(os.path.join(tempfile.gettempdir(), {MARKER_NAME!r}), 'a').write('scan.py\\n')\n"
        ),
    })
    as_text = run_module_cli(["scan", "."], cwd=root, tmpdir=private)
    as_json = run_module_cli(["scan", ".", "-f", "json"], cwd=root, tmpdir=private)
    assert not (private / MARKER_NAME).exists(), "unittest.main() imported the project's scan.py"
    assert as_text.returncode in (0, 1), as_text.stderr
    assert as_json.returncode in (0, 1), as_json.stderr
    json.loads(as_json.stdout)


HAS_CACHE = "cache" in inspect.signature(scan).parameters


class _Payload:
    """Unpickling it leaves the marker."""

    def __reduce__(self):
        return exec, (f"open({str(MARKER)!r}, 'a').write('unpickled from the scanned tree\\n')",)


def test_a_poisoned_cache_in_the_scanned_tree_is_never_unpickled(hostile: Path, no_marker: Path) -> None:
    """Regression: the cache lives in ROOT/.hygiene_cache, inside the scanned tree, and was
    unpickled as found, so a repository shipping a crafted cache ran code on `hygiene scan`. Every
    cache file a first scan wrote is replaced by a pickle that leaves the marker when loaded."""
    first = cli("scan", str(hostile), "-f", "json")
    assert_clean_exit(first)
    if HAS_CACHE:
        scan(hostile, cache=True)
    cached = [p for p in hostile.rglob("*") if p.is_file() and CACHE_DIR in p.parts and p.name != ".gitignore"]
    for path in cached:
        path.write_bytes(pickle.dumps(_Payload()))
    for command in (["scan", str(hostile), "-f", "json"], ["fix", str(hostile)], ["report", str(hostile)]):
        assert_clean_exit(cli(*command))
    if HAS_CACHE:
        scan(hostile, cache=True)
    assert not no_marker.exists(), f"{len(cached)} poisoned cache file(s); the marker says {no_marker.read_text()!r}"


# ---- 2. no input crashes the scan ---------------------------------------------------------------
PARSES = {
    # name: bytes that must parse (no diagnostic) and be analysed (their own finding appears)
    "latin1-cookie": ("# -*- coding: latin-1 -*-\nNAME = 'caf\xe9 cr\xe8me'\n\n\n" + REDEFINED).encode("latin-1"),
    "utf8-bom": b"\xef\xbb\xbf" + ("NAME = 'caf\u00e9'\n\n\n" + REDEFINED).encode(),
    "crlf": REDEFINED.replace("\n", "\r\n").encode(),
    "mixed-line-endings": (
        b"x = 1\r\ny = 2\nz = 3\rw = 4\r\n\n\n"
        + REDEFINED.replace("return 1\n", "return 1\r\n").replace("return 2\n", "return 2\r").encode()
    ),
    "tabs": REDEFINED.replace("    ", "\t").encode(),
    "match-and-except-star": (
        "def first(items):\n"
        "    match items:\n"
        "        case [head, *_] if head:\n"
        "            return head\n"
        "        case {'key': value, **rest}:\n"
        "            return value\n"
        "        case _:\n"
        "            raise IndexError\n\n\n"
        "try:\n    pass\nexcept* ValueError:\n    pass\n\n\n"
        + REDEFINED
    ).encode(),
}
# The newest syntax libcst parses (PEP 695, 696, 701): analysed on every Python, through libcst on
# a Python whose own parser refuses it (facts/downlevel.py).
PEP_695 = (
    "type Alias = list[int]\n\n\n"
    "def first[T](items: list[T]) -> T:\n"
    "    return items[0]\n\n\n"
    "class Box[T: int = bool]:\n    pass\n\n\n"
    'LABEL = f"{Alias.__name__ + "s"}: {"\\n".join(["a", "b"])}"\n\n\n'
    + REDEFINED
).encode()
REFUSED = {
    # name: (bytes, the diagnostic message must contain one of these)
    "syntax-error": (b"def f(:\n    pass\n", ("skipped: syntax error",)),
    "python2": (b'print "x"\n', ("skipped: syntax error",)),
    "non-utf8-without-cookie": (b"x = '\xff\xfe caf\xe9'\n", ("skipped: cannot decode",)),
    "nul-bytes": (b"x = 1\x00\ny = 2\n", ("skipped: contains NUL bytes",)),
    "5000-parentheses": (b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", ("nested", "parenthes")),
    "20000-chained-plus": (b"x = " + b" + ".join([b"a"] * 20000) + b"\n", ("nested", "chain")),
}


@pytest.mark.parametrize("name", sorted(PARSES))
def test_unusual_but_valid_sources_parse_and_are_analysed(tmp_path: Path, name: str) -> None:
    root = write_tree(tmp_path / "p", {**GOOD, "app/odd.py": PARSES[name]})
    result, _data = both_ways(root)
    assert "app/odd.py" not in diagnostics_of(result), diagnostics_of(result)
    assert keys(result.findings) == {GOOD_FINDING, ("shadowed-class", "app/odd.py", "Gadget")}
    assert result.files == GOOD_FILES + 1


def test_an_empty_file_parses(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**GOOD, "app/empty.py": b""})
    result, _ = both_ways(root)
    assert result.diagnostics == () and result.files == GOOD_FILES + 1
    assert keys(result.findings) == {GOOD_FINDING}


def test_the_newest_syntax_is_analysed_on_every_python(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**GOOD, "app/generic.py": PEP_695})
    result, _ = both_ways(root)
    assert result.diagnostics == ()
    assert keys(result.findings) == {GOOD_FINDING, ("shadowed-class", "app/generic.py", "Gadget")}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unparsable_sources_are_diagnostics_and_the_scan_goes_on(tmp_path: Path, name: str) -> None:
    content, messages = REFUSED[name]
    root = write_tree(tmp_path / "p", {**GOOD, "app/bad.py": content})
    started = time.perf_counter()
    result, _ = both_ways(root)
    assert time.perf_counter() - started < 30
    message = diagnostics_of(result)["app/bad.py"]
    assert message.startswith("skipped") and any(m in message for m in messages), message
    assert keys(result.findings) == {GOOD_FINDING}
    assert result.files == GOOD_FILES


def test_a_50_megabyte_file_is_skipped_by_the_size_limit_without_being_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", GOOD)
    size = 50 * 1024 * 1024
    with open(root / "app" / "generated.py", "wb") as handle:
        handle.write(b"x = 1\n" * (size // 6) + b"#" * (size % 6))
    assert (root / "app" / "generated.py").stat().st_size == size > DEFAULT_MAX_FILE_BYTES
    started = time.perf_counter()
    result, _ = both_ways(root)
    assert time.perf_counter() - started < 10
    assert diagnostics_of(result)["app/generated.py"] == (
        f"skipped: {size} bytes is over the {DEFAULT_MAX_FILE_BYTES}-byte limit"
    )
    assert keys(result.findings) == {GOOD_FINDING} and result.files == GOOD_FILES


def test_a_file_that_vanishes_between_discovery_and_reading(tmp_path: Path, monkeypatch) -> None:
    root = write_tree(tmp_path / "p", GOOD)
    real_discover = analyzer.scan.discover

    def discover_then_delete(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        assert "app/gone.py" in {f.path for f in found.files}
        (found.root / "app" / "gone.py").unlink()
        return found

    monkeypatch.setattr(analyzer.scan, "discover", discover_then_delete)
    for through in ("api", "cli"):
        (root / "app" / "gone.py").write_text(REDEFINED, encoding="utf-8")
        if through == "api":
            result = scan(root)
            findings, diagnostics = keys(result.findings), diagnostics_of(result)
        else:
            data = cli_scan_json(root)
            findings, diagnostics = keys(data["findings"]), diagnostics_of(data)
        assert diagnostics["app/gone.py"].startswith("cannot read"), diagnostics
        assert findings == {GOOD_FINDING}


def test_an_unreadable_file_and_directory(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**GOOD, "app/secret.py": REDEFINED, "app/locked/mod.py": REDEFINED})
    secret, locked = root / "app" / "secret.py", root / "app" / "locked"
    secret.chmod(0)
    locked.chmod(0)
    try:
        if os.access(secret, os.R_OK) or os.access(locked, os.R_OK):
            pytest.skip("running with privileges that read mode-000 files (root); see the socket test")
        result, _ = both_ways(root)
        diagnostics = diagnostics_of(result)
        assert diagnostics["app/secret.py"].startswith("cannot read")
        assert diagnostics["app/locked"].startswith("cannot read directory")
        assert keys(result.findings) == {GOOD_FINDING}
    finally:
        secret.chmod(0o644)
        locked.chmod(0o755)


def test_a_file_no_one_can_open_a_socket_named_like_a_module(tmp_path: Path, monkeypatch) -> None:
    """Opening a socket fails even for root, the way a mode-000 file fails for anyone else."""
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets here")
    root = write_tree(tmp_path / "p", GOOD)
    monkeypatch.chdir(root / "app")  # a short relative path: socket paths are limited to ~100 bytes
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind("sock.py")
        result, _ = both_ways(root)
    finally:
        server.close()
    assert diagnostics_of(result)["app/sock.py"].startswith(("cannot read", "not a regular file"))
    assert keys(result.findings) == {GOOD_FINDING}


def test_symlink_loops_are_not_followed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", GOOD)
    (root / "app" / "loop").symlink_to(root / "app", target_is_directory=True)
    (root / "up").symlink_to(root, target_is_directory=True)
    (root / "app" / "self.py").symlink_to(root / "app" / "self.py")  # ELOOP on open
    started = time.perf_counter()
    result, _ = both_ways(root)
    assert time.perf_counter() - started < 10
    diagnostics = diagnostics_of(result)
    assert diagnostics["app/loop"] == diagnostics["up"] == "symbolic link to a directory: not followed"
    assert diagnostics["app/self.py"] == "symbolic link: not followed"
    assert keys(result.findings) == {GOOD_FINDING} and result.files == GOOD_FILES


def test_symlinks_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"pkg/__init__.py": "", "pkg/gadgets.py": REDEFINED})
    assert keys(scan(outside).findings) == {("shadowed-class", "pkg/gadgets.py", "Gadget")}  # control
    root = write_tree(tmp_path / "p", GOOD)
    (root / "app" / "vendored").symlink_to(outside / "pkg", target_is_directory=True)
    (root / "app" / "gadgets.py").symlink_to(outside / "pkg" / "gadgets.py")
    result, data = both_ways(root)
    assert keys(result.findings) == {GOOD_FINDING}
    assert "Gadget" not in json.dumps(data["findings"])
    diagnostics = diagnostics_of(result)
    assert diagnostics["app/vendored"] == "symbolic link to a directory: not followed"
    assert diagnostics["app/gadgets.py"] == "symbolic link: not followed"
    before = tree_digest(outside)
    assert_clean_exit(cli("fix", str(root), "--apply", "--force"), 0)
    assert damaged(outside, before) == []


def test_a_directory_named_like_a_module(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**GOOD, "app/weird.py/inner.py": REDEFINED})
    result, _ = both_ways(root)
    assert result.diagnostics == ()
    assert keys(result.findings) == {GOOD_FINDING, ("shadowed-class", "app/weird.py/inner.py", "Gadget")}


KITCHEN_SINK = {
    **{f"app/ok_{name.replace('-', '_')}.py": content for name, content in PARSES.items()},
    **{f"app/bad_{name.replace('-', '_')}.py": content for name, (content, _) in REFUSED.items()},
    "app/empty.py": b"",
    "app/generic.py": PEP_695,
    "app/weird.py/inner.py": "x = 1\n",
}


def test_every_command_survives_every_hostile_input_at_once_and_damages_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**GOOD, **KITCHEN_SINK})
    with open(root / "app" / "generated.py", "wb") as handle:
        handle.write(b"x = 1\n" * (3 * 1024 * 1024 // 6))
    (root / "app" / "loop").symlink_to(root / "app", target_is_directory=True)
    before = tree_digest(root)
    result, _data = both_ways(root)
    diagnostics = diagnostics_of(result)
    assert {p for p in diagnostics if p.startswith("app/bad_")} == {p for p in KITCHEN_SINK if p.startswith("app/bad_")}
    assert "app/generated.py" in diagnostics and "app/loop" in diagnostics
    assert not any(p.startswith(("app/ok_", "app/empty", "app/weird")) for p in diagnostics)
    assert "app/generic.py" not in diagnostics
    assert GOOD_FINDING in keys(result.findings)
    assert_clean_exit(cli("scan", str(root)), 1)
    assert_clean_exit(cli("fix", str(root)), 1)
    assert_clean_exit(cli("report", str(root)), 1)
    assert damaged(root, before) == [], "a dry run or an audit changed a file"


# ---- inputs that crashed or hung the analyzer: regressions, and the bugs still open -------------
def scan_in_a_subprocess(root: Path, through: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, str]:
    """A scan that may kill its process (a native parser crash) runs in one of its own."""
    if through == "cli":
        done = run_module_cli(["scan", str(root), "-f", "json"], cwd=tmp_path, tmpdir=tmp_path)
    elif through == "verify":
        done = run_module_cli(["verify", str(root)], cwd=tmp_path, tmpdir=tmp_path)
    else:
        code = ("import json, sys; from pathlib import Path; from analyzer.scan import scan; "
                "print(json.dumps(scan(Path(sys.argv[1])).to_dict()))")
        done = subprocess.run([sys.executable, "-c", code, str(root)], cwd=REPO, capture_output=True,
                              text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), f"exit {done.returncode}: {done.stderr[-500:]}"
    return done, done.stdout


@pytest.mark.parametrize("through", ["api", "cli"])
def test_brackets_nested_inside_an_f_string_are_refused_not_a_crash(tmp_path: Path, through: str) -> None:
    """Regression: before Python 3.12 an f-string is one token, so the nesting guard did not see
    the brackets inside `f"{((((...))))}"`, and libcst's native parser died (SIGSEGV)."""
    source = b'x = f"{' + b"(" * 5000 + b"1" + b")" * 5000 + b'}"\n'
    root = write_tree(tmp_path / "p", {**GOOD, "app/fstring.py": source})
    _, output = scan_in_a_subprocess(root, through, tmp_path)
    data = json.loads(output)
    assert "app/fstring.py" in diagnostics_of(data)
    assert keys(data["findings"]) == {GOOD_FINDING}


# An operator chain inside an f-string, in a file this Python's parser refuses but libcst accepts
# (PEP 695 on 3.11): the file goes to libcst to tell "newer syntax" from "syntax error".
FSTRING_CHAIN = b'x = f"{' + b" and ".join([b"a"] * 10000) + b'}"\ntype Alias = int\n'


@pytest.mark.parametrize("through", ["api", "cli", "verify"])
def test_an_operator_chain_inside_an_f_string_is_refused_not_a_crash(tmp_path: Path, through: str) -> None:
    root = write_tree(tmp_path / "p", {**GOOD, "app/fstring.py": FSTRING_CHAIN})
    done, output = scan_in_a_subprocess(root, through, tmp_path)
    if through == "verify":
        assert "app/fstring.py" in done.stdout
        return
    data = json.loads(output)
    assert "app/fstring.py" in diagnostics_of(data)
    assert keys(data["findings"]) == {GOOD_FINDING}


def test_a_call_or_subscript_chain_inside_an_f_string_is_refused_quickly(tmp_path: Path) -> None:
    """The same chain outside an f-string is refused at once; inside one it must be too. Run in a
    subprocess with a time budget (refused at once: well under a second of work)."""
    chain = b'x = f"{a' + b"[0]" * 4000 + b'}"\ntype Alias = int\n'
    root = write_tree(tmp_path / "p", {**GOOD, "app/fstring.py": chain})
    code = ("import json, sys; from pathlib import Path; from analyzer.scan import scan; "
            "print(json.dumps(scan(Path(sys.argv[1])).to_dict()))")
    try:
        done = subprocess.run([sys.executable, "-c", code, str(root)], cwd=REPO, capture_output=True,
                              text=True, timeout=8, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("scanning one 12 KB file took more than 8 s")
    assert done.returncode == 0, done.stderr[-500:]
    assert "app/fstring.py" in diagnostics_of(json.loads(done.stdout))


def test_warnings_as_errors_do_not_make_valid_files_unreadable(tmp_path: Path) -> None:
    """Regression: ast.parse() ran under the caller's warning filters; with warnings as errors
    (`PYTHONWARNINGS=error`, `python -W error`) the DeprecationWarning for the escape in "\\d"
    became a SyntaxError and a valid module was skipped as 'uses syntax newer than Python 3.11'."""
    root = write_tree(tmp_path / "p", {**GOOD, "app/regex.py": 'PATTERN = "\\d+"\n\n\n' + REDEFINED})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = scan(root)
    assert result.diagnostics == (), diagnostics_of(result)
    assert keys(result.findings) == {GOOD_FINDING, ("shadowed-class", "app/regex.py", "Gadget")}


@pytest.mark.parametrize("through", ["api", "cli"])
def test_a_named_pipe_named_like_a_module_does_not_hang_the_scan(tmp_path: Path, through: str) -> None:
    """Regression: discovery kept a FIFO named `pipe.py` (it stats as 0 bytes) and the scan
    blocked forever opening it. If this regresses, the test unblocks the reader itself (a writer
    that opens and closes the pipe), so the suite does not hang."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    root = write_tree(tmp_path / "p", GOOD)
    pipe = root / "app" / "pipe.py"
    os.mkfifo(pipe)
    box: dict = {}

    def run() -> None:
        box["result"] = scan(root) if through == "api" else cli("scan", str(root), "-f", "json")

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(3)
    hung = worker.is_alive()
    deadline = time.monotonic() + 10
    while worker.is_alive() and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(0.1)
    assert not hung, "the scan blocked opening app/pipe.py, a named pipe"
    if through == "api":
        assert "app/pipe.py" in diagnostics_of(box["result"])
        assert keys(box["result"].findings) == {GOOD_FINDING}
    else:
        assert_clean_exit(box["result"], 1)
        assert "app/pipe.py" in diagnostics_of(json.loads(box["result"].stdout))


@pytest.fixture
def latin1_file_name(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "p", GOOD)
    name = os.path.join(os.fsencode(root / "app"), b"caf\xe9.py")  # not UTF-8: a latin-1 file name
    try:
        with open(name, "wb") as handle:
            handle.write(b"def broken(:\n")
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    return root


def _only_the_odd_name_diagnostic(diagnostics: dict[str, str]) -> None:
    assert len(diagnostics) == 1, diagnostics
    (path, _message), = diagnostics.items()
    assert path.startswith("app/caf") and path.endswith(".py"), path
    path.encode("utf-8")  # printable: JSON, text and files can carry it


def test_a_file_name_that_is_not_utf8_is_explained_through_the_api(latin1_file_name: Path) -> None:
    result = scan(latin1_file_name)
    assert keys(result.findings) == {GOOD_FINDING}
    _only_the_odd_name_diagnostic(diagnostics_of(result))


# The command line's switch that turns the cache off, when this version has one.
NO_CACHE = ["--no-cache"] if "no_cache" in inspect.signature(analyzer.cli.scan).parameters else []


@pytest.mark.parametrize("to", ["stdout", "output-file", "text"])
@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_a_file_name_that_is_not_utf8_does_not_crash_the_output(
    latin1_file_name: Path, tmp_path: Path, to: str, cache: bool
) -> None:
    """Regression: os.walk decodes such a name with surrogateescape ('caf\\udce9.py'); writing it to
    a UTF-8 stream or file raised UnicodeEncodeError in cli._emit() (exit 1, a traceback), and the
    cache key's `path.encode()` raised in scan() (exit 2)."""
    if not cache and not NO_CACHE:
        pytest.skip("this version has no --no-cache")
    out = tmp_path / "out.json"
    args = ["scan", str(latin1_file_name), *(["-f", "json"] if to != "text" else []), *([] if cache else NO_CACHE)]
    result = cli(*args, *(["-o", str(out)] if to == "output-file" else []))
    assert_clean_exit(result, 1)
    if to == "text":
        assert "app/caf" in result.stdout
        return
    data = json.loads(result.stdout if to == "stdout" else out.read_text(encoding="utf-8"))
    _only_the_odd_name_diagnostic(diagnostics_of(data))


@pytest.mark.parametrize("pattern", ["[z-a]", "!", "\\"])
def test_a_gitignore_line_git_tolerates_does_not_abort_the_scan(tmp_path: Path, pattern: str) -> None:
    """Regression: pathspec raised on lines git tolerates (`[z-a]`: re.error; a lone `!` or a
    trailing backslash: GitIgnorePatternError); the exception escaped scan() and the CLI exited 2.
    The other lines still apply."""
    root = write_tree(tmp_path / "p", {**GOOD, ".gitignore": f"*.log\n{pattern}\napp/ignored.py\n",
                                       "app/ignored.py": REDEFINED})
    result, _ = both_ways(root)
    assert keys(result.findings) == {GOOD_FINDING}


def test_verify_reports_an_uncompilable_deep_file_instead_of_an_internal_error(tmp_path: Path) -> None:
    """Regression: compile() raises RecursionError on ~3000 chained operators; verify caught only
    SyntaxError and friends, so `hygiene verify` exited 2 with an internal error."""
    root = write_tree(tmp_path / "p", {**GOOD, "app/chain.py": b"x = " + b" + ".join([b"a"] * 3000) + b"\n"})
    result = cli("verify", str(root))
    assert_clean_exit(result)
    assert "internal error" not in result.output


def test_verify_ignores_a_directory_named_like_a_module(tmp_path: Path) -> None:
    """Regression: verify listed files with rglob('*.py'), directories included, and failed on a
    clean tree with IsADirectoryError."""
    root = write_tree(tmp_path / "p", {"app/__init__.py": "", "app/weird.py/inner.py": "x = 1\n"})
    result = cli("verify", str(root))
    assert_clean_exit(result, 0)


def test_verify_does_not_compile_files_over_the_size_limit(tmp_path: Path, monkeypatch) -> None:
    """Regression: verify compiled every *.py with no size limit; a 50 MB generated module the scan
    skips took 47 s and 14 GB of memory to compile (measured by hand). compile() is spied on."""
    root = write_tree(tmp_path / "p", GOOD)
    with open(root / "app" / "generated.py", "wb") as handle:
        handle.write(b"x = 1\n" * (50 * 1024 * 1024 // 6))
    compiled: list[tuple[str, int]] = []
    real_compile = compile

    def recording_compile(source, filename, *args, **kwargs):
        compiled.append((str(filename), len(source)))
        if len(source) > DEFAULT_MAX_FILE_BYTES:
            return real_compile("", filename, *args, **kwargs)  # spare the 14 GB if it regresses
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(analyzer.verify, "compile", recording_compile, raising=False)
    result = cli("verify", str(root))
    assert_clean_exit(result)
    assert compiled, "verify compiled nothing: the test no longer observes it"
    assert not [name for name, size in compiled if size > DEFAULT_MAX_FILE_BYTES]


# ---- 3. fixes keep the file's bytes conventions --------------------------------------------------
def shadowed_project(models: bytes) -> dict[str, str | bytes]:
    return {
        "app/__init__.py": "",
        "app/models.py": models,
        "app/views.py": "from app.models import Widget\n\n\ndef show() -> str:\n    return Widget().render()\n",
    }


STALE_THEN_LIVE = (
    "import os\n"
    "\n"
    "\n"
    "class Widget:\n"
    "    def render(self):\n"
    "        return os.sep\n"
    "\n"
    "\n"
    "class Widget:\n"
    "    \"\"\"The live one.\"\"\"\n"
    "\n"
    "    def render(self):\n"
    "        return 'live'\n"
)
LIVE_CLASS = "class Widget:\n    \"\"\"The live one.\"\"\"\n\n    def render(self):\n        return 'live'\n"


def fix_and_read(root: Path, stale_line: int) -> bytes:
    result = scan(root)
    assert keys(result.findings) == {("shadowed-class", "app/models.py", "Widget")}
    assert result.findings[0].line == stale_line
    done = cli("fix", str(root), "--apply", "--force")
    assert_clean_exit(done, 0)
    assert "Verified." in done.output
    assert scan(root).findings == ()
    return (root / "app" / "models.py").read_bytes()


@pytest.mark.parametrize("trailing_newline", [True, False], ids=["ends-with-crlf", "no-final-newline"])
def test_a_fix_keeps_crlf_line_endings_and_the_final_newline(tmp_path: Path, trailing_newline: bool) -> None:
    text = STALE_THEN_LIVE if trailing_newline else STALE_THEN_LIVE.rstrip("\n")
    root = write_tree(tmp_path / "crlf", shadowed_project(text.replace("\n", "\r\n").encode()))
    after = fix_and_read(root, stale_line=4)
    assert after.count(b"\n") == after.count(b"\r\n") > 0, "a bare LF was written into a CRLF file"
    assert after.endswith(b"\r\n") == trailing_newline
    assert after.count(b"class Widget") == 1 and b"import os" not in after
    expected_tail = LIVE_CLASS if trailing_newline else LIVE_CLASS.rstrip("\n")
    assert after.endswith(expected_tail.replace("\n", "\r\n").encode())


@pytest.mark.parametrize("trailing_newline", [True, False], ids=["ends-with-newline", "no-final-newline"])
def test_a_fix_keeps_a_latin1_file_latin1(tmp_path: Path, trailing_newline: bool) -> None:
    text = "# -*- coding: latin-1 -*-\n" + STALE_THEN_LIVE.replace("The live one.", "Caf\xe9 cr\xe8me, the live one.")
    text = text if trailing_newline else text.rstrip("\n")
    original = text.encode("latin-1")
    root = write_tree(tmp_path / "latin1", shadowed_project(original))
    after = fix_and_read(root, stale_line=5)
    assert after.startswith(b"# -*- coding: latin-1 -*-\n")
    assert b"Caf\xe9 cr\xe8me" in after, "the latin-1 bytes were re-encoded"
    with pytest.raises(UnicodeDecodeError):
        after.decode("utf-8")
    assert after.decode("latin-1").count("class Widget") == 1
    assert after.endswith(b"\n") == trailing_newline
    live = original[original.rindex(b"class Widget"):]
    assert after.endswith(live), "the live class changed"


def test_a_fix_that_cannot_be_encoded_in_the_file_encoding_is_skipped_not_written(tmp_path: Path) -> None:
    """A method stub whose docstring names a caller `app/日本.py` cannot be written into a
    latin-1 file: the fix is skipped with the reason, and the file stays byte-identical."""
    models = "# coding: latin-1\nclass Widget:\n    \"\"\"caf\xe9\"\"\"\n\n    def render(self):\n        return 1\n"
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": models.encode("latin-1"),
        "app/日本.py": "from app.models import Widget\n\n\ndef go(w: Widget):\n    return w.paint()\n",
    })
    before = tree_digest(root)
    result = scan(root)
    assert keys(result.findings) == {("missing-method", "app/日本.py", "Widget.paint")}
    done = cli("fix", str(root), "--apply", "--force")
    assert_clean_exit(done, 0)
    assert "cannot be applied" in done.output
    assert damaged(root, before) == []


def test_a_fix_in_a_crlf_file_adds_a_method_with_crlf_endings(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": b"class Widget:\r\n    def render(self):\r\n        return 1\r\n",
        "app/views.py": "from app.models import Widget\n\n\ndef go(w: Widget):\n    return w.paint()\n",
    })
    done = cli("fix", str(root), "--apply", "--force")
    assert_clean_exit(done, 1)  # a stub is added, and a stub is not a fix
    after = (root / "app" / "models.py").read_bytes()
    assert b"def paint(self" in after
    assert after.count(b"\n") == after.count(b"\r\n"), after
    assert b"class Widget:\r\n    def render(self):\r\n        return 1\r\n" in after
