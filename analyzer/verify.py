"""Prove a cleaned tree: it compiles, its imports resolve, a re-scan is clean, its tests pass.

The same checks run on the tree before the fix and after it, and only what the fix made worse
fails: a file that did not compile before, an import that did not resolve before, are named in
one summary line (`Verification.preexisting`), not as failures. Some imports cannot be checked
at all and never fail: those under `if TYPE_CHECKING:` (without a tree to compare with),
imports of generated modules (`*_pb2`, `*_pb2_grpc`), and imports into files the scan skipped
(a syntax error, undecodable bytes). A name bound by a tuple assignment, a loop
or a `with` at a module's top level resolves like any other.

A stub added by a fix (a method whose docstring starts with `STUB_MARKER`) is not a fix:
verification finds every stub in the tree it checks and lists it apart (`Verification.stubs`);
`complete` is false while one is left.

Each check is recorded with its outcome and output, so that a report states only what ran.
The test command is the one place where the user's code runs, and only the command the user
typed.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tarfile
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analyzer.facts.extract import decode_source, newer_syntax
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding, counted
from analyzer.fixes.context import STUB_MARKER
from analyzer.options import Options
from analyzer.scan import ScanResult, scan

TEST_TIMEOUT_SECONDS = 1800
_GENERATED = re.compile(r"_pb2(_grpc)?$")


@dataclass(frozen=True)
class Check:
    kind: str  # "compile", "imports", "rescan", "tests"
    subject: str
    ok: bool
    detail: str = ""
    output: str = ""


@dataclass(frozen=True)
class Stub:
    """A method a fix added as a stub: it still raises NotImplementedError."""

    path: str
    line: int
    name: str  # Class.method


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    rescan: ScanResult | None = None
    stubs: list[Stub] = field(default_factory=list)
    preexisting: str = ""  # one line: what was already broken before the fix (or could not be checked)
    compared: bool = False  # whether the checks were compared with the tree before

    @property
    def ok(self) -> bool:
        """Nothing got worse."""
        return all(check.ok for check in self.checks)

    @property
    def complete(self) -> bool:
        """Nothing got worse, and no stub is left standing in for a fix."""
        return self.ok and not self.stubs

    def of_kind(self, kind: str) -> list[Check]:
        return [check for check in self.checks if check.kind == kind]


@dataclass(frozen=True)
class _Unresolved:
    path: str
    line: int
    target: str
    why: str | None  # why it cannot be checked: "type_checking", "generated", "unparsed"; None: broken

    @property
    def key(self) -> tuple[str, str]:
        return self.path, self.target


def verify(
    root: Path,
    changed: list[str],
    before: list[Finding] | None = None,
    fixed: list[Finding] | None = None,
    tests: str | None = None,
    options: Options | None = None,
    *,
    baseline: ScanResult | None = None,
    originals: Mapping[str, bytes] | None = None,
    stubbed: list[Finding] | None = None,
) -> Verification:
    """Check the tree at `root` after `changed` files were written. `before` are the findings of
    the scan the fixes came from, `fixed` those the fixes addressed, `stubbed` those only given a
    stub. With `baseline` (the scan of the tree before) and `originals` (the changed files'
    content before), what was already broken is summarised instead of failing."""
    result = Verification(compared=baseline is not None)
    preexisting: Counter[str] = Counter()
    for path in sorted(changed):
        check = _compiles(path, (root / path).read_bytes())
        if (
            not check.ok and originals is not None and path in originals
            and not _compiles(path, originals[path]).ok
        ):
            preexisting["does not compile"] += 1
            check = Check("compile", path, True, f"did not compile before the fix either ({check.detail})")
        result.checks.append(check)
    after = scan(root, options)
    result.rescan = after
    imports, summary = _imports_check(after, baseline, originals or {})
    result.checks.append(imports)
    result.stubs = find_stubs(root, changed)
    stub_findings = list(stubbed or []) + [f for f in fixed or [] if _stubbed(f, result.stubs)]
    result.checks.append(_rescan_clean(after, before or [], fixed or [], stub_findings))
    if tests:
        result.checks.append(run_tests(root, tests))
    parts = [f"{counted(count, 'file')} that {what}" for what, count in sorted(preexisting.items())]
    if summary:
        parts.append(summary)
    if parts:
        lead = "already broken before the fix, not caused by it: " if result.compared else "not checked: "
        result.preexisting = lead + "; ".join(parts)
    return result


def _compiles(path: str, data: bytes) -> Check:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(decode_source(data), path, "exec", dont_inherit=True)
    except SyntaxError as error:
        if newer_syntax(data):
            return Check("compile", path, True, "parses (syntax newer than this Python)")
        return Check("compile", path, False, f"SyntaxError: {error}")
    except (RecursionError, MemoryError):
        return Check("compile", path, False, "too deeply nested for this Python to compile")
    except (ValueError, UnicodeDecodeError, LookupError) as error:
        return Check("compile", path, False, f"{type(error).__name__}: {error}")
    return Check("compile", path, True, "compiles")


# ---- imports -------------------------------------------------------------------------------------
def _imports_check(
    after: ScanResult, baseline: ScanResult | None, originals: Mapping[str, bytes]
) -> tuple[Check, str]:
    """The imports check, and the summary of what it did not count as failures. `originals`
    are the files of the baseline that have changed on disk since."""
    found, checked = unresolved_imports(after)
    if baseline is not None:
        earlier = {u.key for u in unresolved_imports(baseline, originals)[0]}
        failures = [u for u in found if u.key not in earlier]
        kept = [u for u in found if u.key in earlier]
    else:
        failures = [u for u in found if u.why is None]
        kept = [u for u in found if u.why is not None]
    summary = _describe_unresolved(kept)
    if failures:
        lines = "\n".join(f"{u.path}:{u.line} imports {u.target}" for u in failures)
        return Check("imports", "project imports", False, f"{len(failures)} of {checked} unresolved", lines), summary
    return Check("imports", "project imports", True, f"all {checked - len(kept)} project imports resolve"), summary


def _describe_unresolved(items: list[_Unresolved]) -> str:
    if not items:
        return ""
    kinds = Counter(u.why for u in items if u.why)
    labels = {"type_checking": "under TYPE_CHECKING", "generated": "of generated modules",
              "unparsed": "into files the scan skipped"}
    details = ", ".join(f"{count} {labels[kind]}" for kind, count in sorted(kinds.items()))
    text = counted(len(items), "unresolved import")
    return f"{text} ({details})" if details else text


def unresolved_imports(
    result: ScanResult, contents: Mapping[str, bytes] | None = None
) -> tuple[list[_Unresolved], int]:
    """Every import of a project module that finds neither its module nor its name, with why it
    could not be checked (if so), and how many imports were looked at. `contents` are files as
    they were when `result` was scanned, where they differ from the disk."""
    index = result.project.index
    top_levels = {name.split(".")[0] for name in index.modules}
    skipped = _skipped_modules(result)
    found = []
    checked = 0
    for facts in index.modules.values():
        for imported in facts.imports:
            if imported.module.split(".")[0] not in top_levels:
                continue
            checked += 1
            if imported.is_star or imported.name is None:
                ok = index.is_module(imported.module)
            else:
                ok = (
                    index.resolve_name(facts.module, imported.alias, imported.scope) is not None
                    and (index.is_module(f"{imported.module}.{imported.name}")
                         or index.resolve_name(imported.module, imported.name) is not None)
                ) or _bound_at_top_level(result.root, index.modules.get(imported.module), imported.name, contents)
            if ok:
                continue
            target = imported.module + (f".{imported.name}" if imported.name else "")
            why = None
            if _GENERATED.search(target) or _GENERATED.search(imported.module):
                why = "generated"
            elif any(target == m or target.startswith(m + ".") or imported.module == m for m in skipped):
                why = "unparsed"
            elif imported.type_checking:
                why = "type_checking"
            found.append(_Unresolved(facts.path, imported.line, target, why))
    return found, checked


def _skipped_modules(result: ScanResult) -> set[str]:
    """The module names (every dotted suffix of the path) of the files the scan skipped."""
    names: set[str] = set()
    for diagnostic in result.diagnostics:
        if not diagnostic.message.startswith("skipped:") or not diagnostic.path.endswith(".py"):
            continue
        parts = diagnostic.path[: -len(".py")].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.update(".".join(parts[start:]) for start in range(len(parts)))
    return names - {""}


def _bound_at_top_level(
    root: Path, facts: ModuleFacts | None, name: str, contents: Mapping[str, bytes] | None
) -> bool:
    """Whether the module binds `name` at its top level in a way the index does not record
    (`a, b = ...`, `for x in ...`, `with ... as x`, `global` in a function)."""
    if facts is None:
        return False
    try:
        data = (contents or {}).get(facts.path) or (root / facts.path).read_bytes()
    except OSError:
        return False
    return name in _top_level_names(data)


@lru_cache(maxsize=256)
def _top_level_names(data: bytes) -> frozenset[str]:
    try:
        tree = ast.parse(decode_source(data))
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
        return frozenset()
    names: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(statement.name)
            names.update(n for node in ast.walk(statement) if isinstance(node, ast.Global) for n in node.names)
            continue
        if isinstance(statement, ast.ClassDef):
            names.add(statement.name)
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
    return frozenset(names)


# ---- stubs ---------------------------------------------------------------------------------------
def find_stubs(root: Path, paths: Iterable[str]) -> list[Stub]:
    """The stubs a fix added in these files (methods whose docstring starts with the marker)."""
    found = []
    for path in sorted(set(paths)):
        try:
            data = (root / path).read_bytes()
        except OSError:
            continue
        if STUB_MARKER.encode() not in data:
            continue
        try:
            tree = ast.parse(decode_source(data))
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
            continue
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for node in cls.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    (ast.get_docstring(node) or "").startswith(STUB_MARKER)
                ):
                    found.append(Stub(path, node.lineno, f"{cls.name}.{node.name}"))
    return found


def _stubbed(finding: Finding, stubs: list[Stub]) -> bool:
    """Whether the method the finding's fix adds is one of the stubs found."""
    added = finding.fix.adds_method() if finding.fix is not None else None
    return added is not None and any((stub.path, stub.name) == added for stub in stubs)


# ---- the re-scan ------------------------------------------------------------------------------------
def _rescan_clean(after: ScanResult, before: list[Finding], fixed: list[Finding], stubbed: list[Finding]) -> Check:
    def key(finding: Finding) -> tuple[str, str, str | None]:
        return finding.rule, finding.path, finding.symbol

    stub_keys = {key(f) for f in stubbed}
    fixed = [f for f in fixed if key(f) not in stub_keys]
    fixed_keys = {key(f) for f in fixed}
    before_keys = {key(f) for f in before}
    still = [f for f in after.findings if key(f) in fixed_keys]
    new = [f for f in after.findings if key(f) not in before_keys]
    worse = [f for f in new if f.confidence == "high"]
    problems = [f"still reported: {f.rule} {f.path}:{f.line} {f.symbol}" for f in still]
    problems += [f"new: {f.rule} {f.path}:{f.line} {f.symbol}" for f in worse]
    detail = f"{len(fixed) - len(still)} of {counted(len(fixed), 'fixed finding')} gone, {len(worse)} new"
    if len(new) > len(worse):
        detail += f" ({len(new) - len(worse)} new uncertain)"
    if stub_keys:
        detail += f"; {counted(len(stub_keys), 'stub')} added, NOT fixed"
    remaining = len(after.findings) - len(still) - len(new)
    if remaining:
        detail += f", {remaining} left as they were"
    return Check("rescan", "re-scan", not problems, detail, "\n".join(problems))


def run_tests(root: Path, command: str) -> Check:
    try:
        done = subprocess.run(
            command, shell=True, cwd=root, capture_output=True, text=True,
            timeout=TEST_TIMEOUT_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired:
        return Check("tests", command, False, f"timed out after {TEST_TIMEOUT_SECONDS} s")
    output = (done.stdout + done.stderr).strip()
    last = output.splitlines()[-1] if output else ""
    return Check("tests", command, done.returncode == 0, f"exit {done.returncode}: {last}", output[-4000:])


# ---- the tree before, from git ------------------------------------------------------------------------
@contextmanager
def committed_tree(root: Path) -> Iterator[Path | None]:
    """The project as last committed (git HEAD), extracted in a temporary folder laid out like
    `root`; None outside a git work tree or without a commit."""

    def git(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=120, check=False)

    try:
        prefix = git("rev-parse", "--show-prefix")
        archive = git("archive", "--format=tar", f"HEAD:{prefix.stdout.decode().strip()}") if (
            prefix.returncode == 0) else None
    except (OSError, subprocess.TimeoutExpired):
        archive = None
    if archive is None or archive.returncode != 0:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="hygiene-before-") as temp:
        target = Path(temp) / root.name
        target.mkdir()
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(target, filter="data")
        yield target
