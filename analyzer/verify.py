"""Prove a cleaned tree: it compiles, its imports resolve, a re-scan is clean, its tests pass.

Each check is recorded with its outcome and output, so that a report states only what ran.
The test command is the one place where the user's code runs, and only the command the user
typed.
"""

from __future__ import annotations

import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.facts.extract import decode_source, newer_syntax
from analyzer.findings import Finding
from analyzer.options import Options
from analyzer.scan import ScanResult, scan

TEST_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class Check:
    kind: str  # "compile", "imports", "rescan", "tests"
    subject: str
    ok: bool
    detail: str = ""
    output: str = ""


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    rescan: ScanResult | None = None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def of_kind(self, kind: str) -> list[Check]:
        return [check for check in self.checks if check.kind == kind]


def verify(
    root: Path,
    changed: list[str],
    before: list[Finding] | None = None,
    fixed: list[Finding] | None = None,
    tests: str | None = None,
    options: Options | None = None,
) -> Verification:
    """Check the tree at `root` after `changed` files were written; `before` are the findings of
    the scan the fixes came from, `fixed` those the fixes addressed."""
    result = Verification()
    for path in sorted(changed):
        result.checks.append(_compiles(root, path))
    after = scan(root, options)
    result.rescan = after
    result.checks.extend(_imports_resolve(after))
    result.checks.append(_rescan_clean(after, before or [], fixed or []))
    if tests:
        result.checks.append(run_tests(root, tests))
    return result


def _compiles(root: Path, path: str) -> Check:
    try:
        data = (root / path).read_bytes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(decode_source(data), path, "exec", dont_inherit=True)
    except SyntaxError as error:
        if newer_syntax(data):
            return Check("compile", path, True, "parses (syntax newer than this Python)")
        return Check("compile", path, False, f"SyntaxError: {error}")
    except (RecursionError, MemoryError):
        return Check("compile", path, False, "too deeply nested for this Python to compile")
    except (ValueError, UnicodeDecodeError, OSError) as error:
        return Check("compile", path, False, f"{type(error).__name__}: {error}")
    return Check("compile", path, True, "compiles")


def _imports_resolve(after: ScanResult) -> list[Check]:
    """Every import of a project module still finds its module or name."""
    index = after.project.index
    top_levels = {name.split(".")[0] for name in index.modules}
    failures = []
    checked = 0
    for facts in index.modules.values():
        for imported in facts.imports:
            if imported.module.split(".")[0] not in top_levels:
                continue
            checked += 1
            if imported.is_star or imported.name is None:
                ok = index.is_module(imported.module)
            else:
                ok = index.resolve_name(facts.module, imported.alias, imported.scope) is not None and (
                    index.is_module(f"{imported.module}.{imported.name}")
                    or index.resolve_name(imported.module, imported.name) is not None
                )
            if not ok:
                target = imported.module + (f".{imported.name}" if imported.name else "")
                failures.append(f"{facts.path}:{imported.line} imports {target}")
    if failures:
        return [
            Check("imports", "project imports", False, f"{len(failures)} of {checked} unresolved", "\n".join(failures))
        ]
    return [Check("imports", "project imports", True, f"all {checked} project imports resolve")]


def _rescan_clean(after: ScanResult, before: list[Finding], fixed: list[Finding]) -> Check:
    def key(finding: Finding) -> tuple[str, str, str | None]:
        return finding.rule, finding.path, finding.symbol

    fixed_keys = {key(f) for f in fixed}
    before_keys = {key(f) for f in before}
    still = [f for f in after.findings if key(f) in fixed_keys]
    new = [f for f in after.findings if key(f) not in before_keys]
    remaining = len(after.findings) - len(still) - len(new)
    problems = [f"still reported: {f.rule} {f.path}:{f.line} {f.symbol}" for f in still]
    problems += [f"new: {f.rule} {f.path}:{f.line} {f.symbol}" for f in new]
    detail = f"{len(fixed) - len(still)} of {len(fixed)} fixed finding(s) gone, {len(new)} new"
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
