"""The cleanup report's content: every figure and claim, each taken from a check that ran.

`build_report` runs the plan (in place with `apply`, else on a temporary copy of the tree, so an
audit can state the figures the cleanup would reach), verifies the result, runs the reference
searches the report quotes, and returns plain data. `render/report.py` only formats it.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from analyzer.discovery import SKIPPED_DIRS
from analyzer.facts.extract import decode_source
from analyzer.findings import Finding
from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import FixPlan, PlannedFix, PlanOptions, build_plan
from analyzer.index import ProjectIndex
from analyzer.scan import ScanResult, scan
from analyzer.verify import Check, Verification, verify

# Most urgent first: a call that fails at run time, then dead code.
RULE_ORDER = ("missing-method", "duplicate-module", "unrouted-router", "shadowed-class")


@dataclass(frozen=True)
class Search:
    """A reference search run on the cleaned tree: what was looked for, and where it was found."""

    what: str
    found: tuple[str, ...]
    searched: int

    @property
    def ok(self) -> bool:
        return not self.found


@dataclass
class Action:
    fix: PlannedFix
    lines_removed: int = 0
    lines_added: int = 0
    anchor: tuple[int, int] | None = None  # where the added code / the kept aliases sit
    kept_code: str | None = None  # code quoted from the cleaned tree
    kept_anchor: tuple[int, int] | None = None

    @property
    def finding(self) -> Finding:
        return self.fix.finding


@dataclass
class CleanupReport:
    root: Path
    applied: bool
    scan: ScanResult
    plan: FixPlan
    actions: list[Action]
    verification: Verification | None
    searches: list[Search] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (path, its role)
    graph: str = ""

    @property
    def tests(self) -> Check | None:
        checks = self.verification.of_kind("tests") if self.verification else []
        return checks[0] if checks else None

    @property
    def checks_ok(self) -> bool:
        return (self.verification is None or self.verification.ok) and all(s.ok for s in self.searches)

    @property
    def status(self) -> str:
        """`clean`, `proposed`, `failed`, `untested` or `done`."""
        if not self.scan.findings:
            return "clean"
        if not self.checks_ok:
            return "failed"
        if not self.applied:
            return "proposed"
        return "done" if self.tests is not None and self.tests.ok else "untested"

    def totals(self) -> dict[str, int]:
        applied = [a for a in self.actions if a.fix.applies]
        files = [a for a in applied if a.finding.rule in {"duplicate-module", "unrouted-router"}]
        classes = [a for a in applied if a.finding.rule == "shadowed-class"]
        methods = [a for a in applied if a.finding.rule == "missing-method"]
        return {
            "files": len(files),
            "file_lines": sum(a.lines_removed for a in files),
            "classes": len(classes),
            "class_lines": sum(a.lines_removed for a in classes),
            "methods": len(methods),
            "method_lines": sum(a.lines_added for a in methods),
            "removed_lines": sum(a.lines_removed for a in files + classes),
        }


def build_report(
    root: Path,
    apply: bool = False,
    tests: str | None = None,
    plan_options: PlanOptions | None = None,
    force: bool = False,
    copy_to: Path | None = None,
) -> CleanupReport:
    """Scan, plan, apply (in place, or in a copy made at `copy_to`) or audit, verify."""
    if copy_to is not None:
        if copy_to.exists() and any(copy_to.iterdir()):
            raise FileExistsError(f"{copy_to} exists and is not empty")
        shutil.copytree(root, copy_to, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(*SKIPPED_DIRS))
        root, force = copy_to, True
    result = scan(root)
    plan = build_plan(result, plan_options)
    order = {rule: n for n, rule in enumerate(RULE_ORDER)}
    fixes = sorted(plan.fixes, key=lambda f: (order.get(f.finding.rule, len(order)), f.finding.sort_key))
    if not result.findings:
        return CleanupReport(result.root, apply, result, plan, [], None)
    if apply:
        applied = apply_plan(plan, force=force)
        checks = verify(result.root, list(applied.changed), before=list(result.findings),
                        fixed=[f.finding for f in fixes if f.applies], tests=tests)
        return _complete(result, plan, fixes, checks, applied=True, cleaned_root=result.root)
    with tempfile.TemporaryDirectory(prefix="hygiene-audit-") as temp:
        copy = Path(temp) / result.root.name
        shutil.copytree(result.root, copy, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED_DIRS))
        copy_plan = build_plan(scan(copy), plan_options)
        applied = apply_plan(copy_plan, force=True)
        checks = verify(copy, list(applied.changed), before=list(result.findings),
                        fixed=[f.finding for f in fixes if f.applies], tests=tests)
        return _complete(result, plan, fixes, checks, applied=False, cleaned_root=copy)


def _complete(
    result: ScanResult,
    plan: FixPlan,
    fixes: list[PlannedFix],
    checks: Verification,
    applied: bool,
    cleaned_root: Path,
) -> CleanupReport:
    assert checks.rescan is not None
    after = checks.rescan.project.index
    actions = [_action(fix, plan, cleaned_root, result.project.index) for fix in fixes]
    report = CleanupReport(result.root, applied, result, plan, actions, checks)
    report.searches = _searches(plan, fixes, after)
    report.unchanged = _unchanged(result, plan)
    from analyzer.render.mermaid import module_graph

    report.graph = module_graph(result.project, plan)
    return report


def _action(fix: PlannedFix, plan: FixPlan, cleaned_root: Path, index: ProjectIndex) -> Action:
    action = Action(fix)
    spec = fix.finding.fix or {}
    rule = fix.finding.rule
    if rule in {"duplicate-module", "unrouted-router"}:
        action.lines_removed = index.by_path[spec["path"]].line_count  # what deleting it removes
    if not fix.applies:
        return action
    if rule == "shadowed-class":
        action.lines_removed = spec["end_line"] - spec["line"] + 1
    if rule == "missing-method":
        final = plan.final.get(spec["path"])
        if final is not None:
            action.anchor = _method_lines(final, spec["class"], spec["method"])
            if action.anchor:
                action.lines_added = action.anchor[1] - action.anchor[0] + 1
                action.kept_code = _slice(final, *action.anchor, dedent=True)
    if rule == "duplicate-module":
        survivor = plan.final.get(spec["survivor"]) or (cleaned_root / spec["survivor"]).read_bytes()
        action.anchor = _alias_block(survivor, [a["name"] for a in fix.finding.details["aliases"]])
        if action.anchor:
            action.kept_code = _slice(survivor, *action.anchor)
    if rule == "shadowed-class":
        live = fix.finding.related[0]
        source = (cleaned_root / live.path).read_bytes()
        end = min(live.end_line, _first_method_docstring_end(source, live.line, live.end_line))
        action.kept_anchor = (live.line, end)
        action.kept_code = _slice(source, live.line, end)
    return action


def _text_lines(data: bytes) -> list[str]:
    return decode_source(data).splitlines()


def _slice(data: bytes, start: int, end: int, dedent: bool = False) -> str:
    import textwrap

    text = "\n".join(_text_lines(data)[start - 1 : end])
    return textwrap.dedent(text) if dedent else text


def _method_lines(source: bytes, class_name: str, method: str) -> tuple[int, int] | None:
    wrapper = MetadataWrapper(cst.parse_module(source))
    positions = wrapper.resolve(PositionProvider)
    for statement in wrapper.module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == class_name:
            for item in statement.body.body:
                if isinstance(item, cst.FunctionDef) and item.name.value == method:
                    span = positions[item]
                    return span.start.line, span.end.line
    return None


def _alias_block(source: bytes, names: list[str]) -> tuple[int, int] | None:
    """The lines of the `Old = New` aliases, with the comment right above them."""
    lines = _text_lines(source)
    hits = [n for n, line in enumerate(lines, 1) if any(line.startswith(f"{name} = ") for name in names)]
    if not hits:
        return None
    start = min(hits)
    while start > 1 and lines[start - 2].lstrip().startswith("#"):
        start -= 1
    return start, max(hits)


def _first_method_docstring_end(source: bytes, start: int, end: int) -> int:
    """The class header up to its first method's docstring: what the seed quotes as 'kept'."""
    lines = _text_lines(source)
    seen_def = False
    for number in range(start, min(end, len(lines)) + 1):
        text = lines[number - 1].strip()
        if text.startswith(("def ", "async def ")):
            seen_def = True
        elif seen_def and text.startswith(('"""', "'''")):
            return number
    return end


def _searches(plan: FixPlan, fixes: list[PlannedFix], after: ProjectIndex) -> list[Search]:
    searched = len(after.modules)
    searches = []
    for fix in fixes:
        if not fix.applies:
            continue
        spec = fix.finding.fix or {}
        if spec.get("action") in {"delete-module", "mount-router"}:
            module = spec["module"]
            found = [
                f"{facts.path}:{i.line}"
                for facts in after.modules.values()
                for i in facts.imports
                if i.module == module or (i.name and f"{i.module}.{i.name}" == module)
            ]
            found += [f"{path}:{line}" for path, line in after.referenced_in_strings(module)]
            searches.append(Search(f"import {module}", tuple(sorted(found)), searched))
        elif spec.get("action") == "delete-class" and fix.finding.details.get("kind") == "stale-copy":
            module = after.by_path.get(spec["path"])
            name = spec["class"]
            found = []
            if module is not None:
                found = [
                    f"{facts.path}:{i.line}"
                    for facts in after.modules.values()
                    for i in facts.imports
                    if i.module == module.module and i.name == name
                ]
                found += [f"{p}:{line}" for p, line in after.referenced_in_strings(f"{module.module}.{name}")]
                qualified = f"{module.module}.{name}"
            else:
                qualified = name
            searches.append(Search(f"from {qualified.rpartition('.')[0]} import {name}", tuple(found), searched))
    return searches


# What a finding's related location is to the cleanup, by rule.
RELATED_ROLES = {
    "duplicate-module": "survivor",
    "shadowed-class": "live_class",
    "unrouted-router": "mounts",
    "missing-method": "class",
}


def _unchanged(result: ScanResult, plan: FixPlan) -> list[tuple[str, str]]:
    """Files a finding points at that the cleanup leaves as they are, with their role."""
    touched = set(plan.changed) | set(plan.deleted)
    roles: dict[str, str] = {}
    for finding in result.findings:
        for related in finding.related:
            if related.path not in touched:
                roles.setdefault(related.path, RELATED_ROLES.get(finding.rule, "related"))
    return sorted(roles.items())
