"""The cleanup report's content: every figure and claim, each taken from a check that ran.

`build_report` scans (with the command's options, jobs and cache), plans, then applies the plan
(in place with `apply`, else to a temporary copy of the tree, so that an audit can state the
figures the cleanup would reach), verifies the result, runs the reference searches the report
quotes, and returns plain data. `render/report.py` only formats it, so each figure has one source
here: an action's line count is computed once and quoted wherever the report names it.

Each action has a status: `fixed` (the fix was applied, or in an audit would be, and the re-scan
no longer reports the problem), `stub` (a method stub was added: the call no longer fails with
AttributeError but still does not work, so it is never counted as fixed), `skipped` (no fix was
applied, with the reason) or `failed` (the fix was applied but the re-scan still reports it).
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analyzer.discovery import SKIPPED_DIRS
from analyzer.facts.extract import decode_source
from analyzer.findings import Finding
from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import FixPlan, Note, PlannedFix, PlanOptions, build_plan
from analyzer.index import ProjectIndex
from analyzer.project import is_test_module
from analyzer.scan import ScanResult, scan
from analyzer.verify import Check, Verification, unresolved_imports, verify

# Most urgent first: a call that fails at run time, then dead code.
RULE_ORDER = ("missing-method", "duplicate-module", "orphan-module", "unrouted-router", "shadowed-class")
# Longer code is quoted as its signature (and docstring's first line) with its line count.
MAX_QUOTED_LINES = 12

STATUSES = ("fixed", "stub", "skipped", "failed")


@dataclass(frozen=True)
class Search:
    """A reference search run on the cleaned tree: what was looked for, and where it was found."""

    what: str
    found: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.found


@dataclass(frozen=True)
class Quote:
    """Code quoted from a file: the unit (a method, a class, the alias block) at `start`-`end`,
    shown whole or, when long, as its first lines (`shown_end`) or its signature."""

    path: str
    start: int
    end: int
    code: str
    shown_end: int
    signature_only: bool = False

    @property
    def lines(self) -> int:
        return self.end - self.start + 1

    @property
    def shortened(self) -> bool:
        return self.signature_only or self.shown_end < self.end


@dataclass(frozen=True)
class Place:
    path: str
    line: int | None = None
    end_line: int | None = None


@dataclass(frozen=True)
class CallSite:
    """A call of a missing method, with where its receiver's class was read (`source`: the file
    and line of the annotation or assignment, or None when it cannot be placed for sure)."""

    place: Place
    receiver: str
    evidence: dict[str, Any]
    source: Place | None
    alias_of: str | None


@dataclass(frozen=True)
class Callers:
    """Every call of a method's name in the project (any receiver), split by what the plan does."""

    in_removed: tuple[Place, ...]
    tests: tuple[Place, ...]
    others: tuple[Place, ...]


@dataclass
class Action:
    finding: Finding
    fix: PlannedFix | None
    status: str  # one of STATUSES
    reason: Note | None = None  # why it was skipped
    lines_removed: int = 0
    lines_added: int = 0
    quote: Quote | None = None  # the added method, the aliases, or the version that remained
    call_sites: tuple[CallSite, ...] = ()
    callers: Callers | None = None
    removed_from_all: bool = False  # the dropped import was also in the package's __all__
    notes: tuple[Note, ...] = ()

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def changes(self) -> list[Any]:
        return list(self.fix.changes) if self.fix is not None and self.status != "skipped" else []


@dataclass(frozen=True)
class ImportCheck:
    ok: bool
    resolved: int | None  # project imports that resolve
    caused: tuple[str, ...]  # unresolved imports the cleanup caused: listed
    preexisting: int  # unresolved before the cleanup too: counted in one line


@dataclass(frozen=True)
class Rescan:
    fixed: int  # findings the plan fixed (stubs and skipped ones are not)
    still: tuple[Finding, ...]  # of those, reported again
    new: tuple[Finding, ...]  # new certain findings: the cleanup made something worse
    new_uncertain: int  # new uncertain findings: reported, not failed
    left: int  # findings the plan did not fix, still there as expected

    @property
    def ok(self) -> bool:
        return not self.still and not self.new


@dataclass
class CleanupReport:
    root: Path
    applied: bool
    scan: ScanResult
    plan: FixPlan | None
    actions: list[Action]
    verification: Verification | None
    searches: list[Search] = field(default_factory=list)
    remaining_modules: int = 0  # modules of the cleaned tree, where the searches ran
    imports: ImportCheck | None = None
    rescan: Rescan | None = None
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (path, its role)
    graph: str = ""

    @property
    def tests(self) -> Check | None:
        checks = self.verification.of_kind("tests") if self.verification else []
        return checks[0] if checks else None

    @property
    def compiles(self) -> list[Check]:
        return self.verification.of_kind("compile") if self.verification else []

    @property
    def checks_ok(self) -> bool:
        return (
            all(s.ok for s in self.searches)
            and (self.imports is None or self.imports.ok)
            and (self.rescan is None or self.rescan.ok)
            and all(check.ok for check in self.compiles)
            and (self.tests is None or self.tests.ok)
        )

    def count(self, status: str) -> int:
        return sum(1 for action in self.actions if action.status == status)

    @property
    def complete(self) -> bool:
        """Every problem found is fixed (no stub, nothing skipped or failed)."""
        return all(action.status == "fixed" for action in self.actions)

    @property
    def status(self) -> str:
        """`clean`, `proposed`, `failed`, `partial`, `untested` or `done`."""
        if not self.scan.findings:
            return "clean"
        if not self.checks_ok:
            return "failed"
        if not self.applied:
            return "proposed"
        if not self.complete:
            return "partial"
        return "done" if self.tests is not None and self.tests.ok else "untested"

    def totals(self) -> dict[str, int]:
        fixed = [a for a in self.actions if a.status == "fixed"]
        files = [a for a in fixed if a.rule in FILE_RULES]
        classes = [a for a in fixed if a.rule == "shadowed-class"]
        methods = [a for a in fixed if a.rule == "missing-method" and a.quote is not None]
        calls = [a for a in fixed if a.rule == "missing-method" and a.quote is None]
        stubs = [a for a in self.actions if a.status == "stub"]
        return {
            "files": len(files),
            "file_lines": sum(a.lines_removed for a in files),
            "classes": len(classes),
            "class_lines": sum(a.lines_removed for a in classes),
            "methods": len(methods),
            "method_lines": sum(a.lines_added for a in methods),
            "calls": len(calls),
            "stubs": len(stubs),
            "stub_lines": sum(a.lines_added for a in stubs),
            "removed_lines": sum(a.lines_removed for a in files + classes),
            "added_lines": sum(a.lines_added for a in methods + stubs),
        }


FILE_RULES = frozenset({"duplicate-module", "unrouted-router", "orphan-module"})


def build_report(
    root: Path,
    apply: bool = False,
    tests: str | None = None,
    plan_options: PlanOptions | None = None,
    force: bool = False,
    copy_to: Path | None = None,
) -> CleanupReport:
    """Scan, plan, apply (in place, or in a copy made at `copy_to`) or audit, verify.

    The scans use the current `scan_settings` (the command's options, jobs and cache)."""
    if copy_to is not None:
        if copy_to.exists() and any(copy_to.iterdir()):
            raise FileExistsError(f"{copy_to} exists and is not empty")
        shutil.copytree(root, copy_to, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(*SKIPPED_DIRS))
        root, force = copy_to, True
    result = scan(root)
    if not result.findings:
        return CleanupReport(result.root, apply, result, None, [], None)
    plan = build_plan(result, plan_options)
    if apply:
        applied = apply_plan(plan, force=force)
        checks = _verify(result.root, applied.changed, result, plan, tests)
        return _complete(result, plan, checks, applied=True)
    with tempfile.TemporaryDirectory(prefix="hygiene-audit-") as temp:
        copy = Path(temp) / result.root.name
        shutil.copytree(result.root, copy, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED_DIRS))
        # The copy holds the same bytes: the plan applies to it as it is (no second scan).
        applied = apply_plan(replace(plan, root=copy), force=True)
        checks = _verify(copy, applied.changed, result, plan, tests)
        return _complete(result, plan, checks, applied=False)


def _verify(root: Path, changed: tuple[str, ...], result: ScanResult, plan: FixPlan, tests: str | None) -> Verification:
    """The checks of the cleaned tree, compared with the tree before (what was broken already
    does not fail)."""
    return verify(
        root, list(changed), before=list(result.findings), fixed=_fixed_findings(plan),
        stubbed=[fix.finding for fix in plan.fixes if fix_status(fix)[0] == "stub"],
        tests=tests, baseline=result, originals=plan.originals,
    )


def fix_status(fix: PlannedFix | None) -> tuple[str, Note | None]:
    """A planned fix's status (`fixed`, `stub` or `skipped`; no fix planned: `skipped`) and,
    when skipped, the plan's reason."""
    if fix is None:
        return "skipped", None
    return fix.status, fix.reason if fix.status == "skipped" else None


def _fixed_findings(plan: FixPlan) -> list[Finding]:
    return [fix.finding for fix in plan.fixes if fix_status(fix)[0] == "fixed"]


def _key(finding: Finding) -> tuple[str, str, str | None]:
    return finding.rule, finding.path, finding.symbol


def _complete(result: ScanResult, plan: FixPlan, checks: Verification, applied: bool) -> CleanupReport:
    assert checks.rescan is not None
    after = checks.rescan.project.index
    before = result.project.index
    rescan = _rescan(result, plan, checks.rescan)
    still = {_key(f) for f in rescan.still}
    by_finding = {_key(fix.finding): fix for fix in plan.fixes}
    order = {rule: n for n, rule in enumerate(RULE_ORDER)}
    findings = sorted(result.findings, key=lambda f: (order.get(f.rule, len(order)), f.sort_key))
    actions = []
    for finding in findings:
        fix = by_finding.get(_key(finding))
        status, reason = fix_status(fix)
        if fix is None:
            reason = Note("no_fix", {"rule": finding.rule})
        if status == "fixed" and _key(finding) in still:
            status = "failed"
        actions.append(_action(finding, fix, status, reason, plan, before, result.root, applied))
    report = CleanupReport(result.root, applied, result, plan, actions, checks)
    report.searches = _searches(actions, after)
    report.remaining_modules = len(after.modules)
    report.imports = _imports(checks)
    report.rescan = rescan
    report.unchanged = _unchanged(result, plan)
    from analyzer.render.mermaid import module_graph

    report.graph = module_graph(result.project, plan)
    return report


# ---- one action ------------------------------------------------------------------------------


def _action(
    finding: Finding,
    fix: PlannedFix | None,
    status: str,
    reason: Note | None,
    plan: FixPlan,
    index: ProjectIndex,
    root: Path,
    applied: bool,
) -> Action:
    action = Action(finding, fix, status, reason, notes=tuple(fix.notes) if fix else ())
    spec = finding.fix or {}
    rule = finding.rule
    if rule in FILE_RULES:
        paths = spec.get("paths") or [spec.get("path", finding.path)]
        action.lines_removed = sum(index.by_path[p].line_count for p in paths if p in index.by_path)
    elif rule == "shadowed-class":
        action.lines_removed = finding.end_line - finding.line + 1
    def before(path: str) -> bytes | None:
        """A file as it was before the cleanup (the plan read what it changes)."""
        if path in plan.originals:
            return plan.originals[path]
        try:
            return (root / path).read_bytes()
        except OSError:
            return None

    if rule == "missing-method":
        action.call_sites = tuple(_call_site(site, index, before) for site in finding.details["call_sites"])
        action.callers = _callers(index, finding.details["method"], set(plan.deleted) if status != "skipped" else set())
    if rule == "unrouted-router" and status != "skipped":
        module = spec.get("module", "")
        action.removed_from_all = any(
            module.rpartition(".")[2] in (facts.dunder_all or ())
            for change in action.changes
            if not change.deleted and (facts := index.by_path.get(change.path)) is not None
        )
    # What the reader finds in the tree: the cleaned tree once applied, else the tree as it is
    # (and, for code the audit would add, the planned content).
    if rule == "missing-method" and status in {"fixed", "stub", "failed"}:
        final = plan.final.get(spec["path"])
        if final is not None:
            action.quote = _definition_quote(spec["path"], final, spec["method"], within=spec["class"])
            if action.quote:
                action.lines_added = action.quote.lines
    if rule == "duplicate-module":
        survivor = spec["survivor"]
        data = plan.final.get(survivor) if status != "skipped" else None
        if data is None:
            data = before(survivor)
        names = [a["name"] for a in finding.details["aliases"]]
        action.quote = _alias_quote(survivor, data, names) if data is not None else None
    if rule == "shadowed-class":
        live = finding.related[0]
        cleaned = plan.final.get(live.path) if applied and status != "skipped" else None
        data = cleaned or before(live.path)
        if data is not None:
            action.quote = _class_quote(live.path, data, spec.get("class") or finding.symbol or "", live.line, applied)
    return action


def _call_site(site: dict[str, Any], index: ProjectIndex, read: Callable[[str], bytes | None]) -> CallSite:
    evidence = site.get("evidence") or {}
    return CallSite(
        place=Place(site["path"], site["line"]),
        receiver=site["receiver"],
        evidence=evidence,
        source=_evidence_source(site["path"], evidence, index, read),
        alias_of=site.get("alias_of"),
    )


def _evidence_source(
    path: str, evidence: dict[str, Any], index: ProjectIndex, read: Callable[[str], bytes | None]
) -> Place | None:
    """The file and line where a receiver's class was read. The evidence names a line, not its
    file: the call's own file when an assignment or annotation there, or that line's text,
    names the expression; else the one other module whose assignment at that line names it;
    None when that is not certain (no line is then shown, rather than one next to the wrong
    file)."""
    if evidence.get("path"):
        return Place(evidence["path"], evidence.get("line"))
    line, expr = evidence.get("line"), evidence.get("expr") or ""
    if not line or evidence.get("kind") == "class":
        return None
    holders = {
        facts.path
        for facts in index.modules.values()
        for binding in facts.bindings
        if binding.line == line and expr in {binding.callee, binding.annotation, binding.value}
    }
    holders |= {
        facts.path
        for facts, cls in index.classes()
        for _, attribute in cls.attribute_types
        if attribute.line == line and attribute.expr == expr
    }
    if path in holders:
        return Place(path, line)
    name = expr.rpartition(".")[2]
    data = read(path)
    lines = _text_lines(data) if data is not None else []
    if name and 0 < line <= len(lines) and name in lines[line - 1]:
        return Place(path, line)
    return Place(holders.pop(), line) if len(holders) == 1 else None


def _callers(index: ProjectIndex, method: str, removed: set[str]) -> Callers:
    """Every `x.method(...)` call and `getattr(x, "method")` in the project, whatever `x` is."""
    modules = index.modules.values()
    places = sorted(
        {(facts.path, call.line) for facts in modules for call in facts.attr_calls if call.method == method}
        | {(facts.path, line) for facts in modules for name, line in facts.looked_up_names if name == method}
    )
    in_removed = tuple(Place(p, line) for p, line in places if p in removed)
    left = [(p, line) for p, line in places if p not in removed]
    tests = tuple(Place(p, line) for p, line in left if is_test_module(index.by_path[p]))
    others = tuple(Place(p, line) for p, line in left if not is_test_module(index.by_path[p]))
    return Callers(in_removed, tests, others)


# ---- quoting code ----------------------------------------------------------------------------


def _text_lines(data: bytes) -> list[str]:
    return decode_source(data).splitlines()


def _parse(data: bytes) -> ast.Module | None:
    try:
        return ast.parse(decode_source(data))
    except (SyntaxError, ValueError):
        return None


def _first_line(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _definition_quote(path: str, data: bytes, name: str, within: str | None = None) -> Quote | None:
    """The function `name` (a method of class `within`) in `data`, dedented."""
    tree = _parse(data)
    if tree is None:
        return None
    body: list[ast.stmt] = tree.body
    if within is not None:
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == within]
        if not classes:
            return None
        body = classes[-1].body
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return _quote(path, _text_lines(data), node, header_only=False)
    return None


def _class_quote(path: str, data: bytes, name: str, line: int, applied: bool) -> Quote | None:
    """The class `name` that remained: in the cleaned file (found by name: lines moved when a
    namesake above it was removed), or, in an audit, the one at `line` of the file as it is."""
    tree = _parse(data)
    if tree is None:
        return None
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name]
    if not classes:
        return None
    chosen = classes[-1] if applied else next((c for c in classes if line in {c.lineno, _first_line(c)}), classes[-1])
    return _quote(path, _text_lines(data), chosen, header_only=True)


def _quote(path: str, lines: list[str], node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef,
           header_only: bool) -> Quote:
    """A definition's code: whole when short; for a class (`header_only`), its header up to its
    first method's docstring; past MAX_QUOTED_LINES, its signature and docstring's first line."""
    import textwrap

    start = _first_line(node)
    end = node.end_lineno or node.lineno
    shown_end = _header_end(node) if header_only else end
    if shown_end - start + 1 <= MAX_QUOTED_LINES:
        code = textwrap.dedent("\n".join(lines[start - 1 : shown_end]))
        return Quote(path, start, end, code.rstrip("\n"), shown_end)
    body_line = node.body[0].lineno
    signature = lines[start - 1 : body_line - 1]
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        summary = first.value.value.strip().splitlines()[0] if first.value.value.strip() else ""
        indent = lines[body_line - 1][: len(lines[body_line - 1]) - len(lines[body_line - 1].lstrip())]
        signature.append(f'{indent}"""{summary}"""' if summary else lines[body_line - 1])
    code = textwrap.dedent("\n".join(signature))
    return Quote(path, start, end, code, start + len(signature) - 1, signature_only=True)


def _header_end(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A class's header as the seed quotes it: up to the docstring of its first method."""
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            first = item.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                return first.end_lineno or first.lineno
            return item.lineno
    return node.end_lineno or node.lineno


def _alias_quote(path: str, data: bytes, names: list[str]) -> Quote | None:
    """The `Old = New` aliases, with the comment right above them."""
    lines = _text_lines(data)
    hits = [n for n, line in enumerate(lines, 1) if any(line.startswith(f"{name} = ") for name in names)]
    if not hits:
        return None
    start = min(hits)
    while start > 1 and lines[start - 2].lstrip().startswith("#"):
        start -= 1
    end = max(hits)
    return Quote(path, start, end, "\n".join(lines[start - 1 : end]), end)


# ---- checks of the cleaned tree --------------------------------------------------------------


def _searches(actions: list[Action], after: ProjectIndex) -> list[Search]:
    searches = []
    for action in actions:
        if action.status == "skipped":
            continue
        spec = action.finding.fix or {}
        if action.rule in FILE_RULES and spec.get("module"):
            module = spec["module"]
            found = [
                f"{facts.path}:{i.line}"
                for facts in after.modules.values()
                for i in facts.imports
                if i.module == module or i.module.startswith(module + ".")
                or (i.name and f"{i.module}.{i.name}" == module)
            ]
            found += [f"{path}:{line}" for path, line in after.referenced_in_strings(module)]
            searches.append(Search(f"import {module}", tuple(sorted(set(found)))))
        elif action.rule == "shadowed-class" and action.finding.details.get("kind") == "stale-copy":
            module = after.by_path.get(spec["path"])
            name = spec["class"]
            if module is None:
                continue
            found = [
                f"{facts.path}:{i.line}"
                for facts in after.modules.values()
                for i in facts.imports
                if i.module == module.module and i.name == name
            ]
            found += [f"{p}:{line}" for p, line in after.referenced_in_strings(f"{module.module}.{name}")]
            searches.append(Search(f"from {module.module} import {name}", tuple(sorted(set(found)))))
    return searches


def _imports(checks: Verification) -> ImportCheck | None:
    """The import check, with what the cleanup caused apart from what was already broken: the
    verification compares the tree with the one before and fails only on new unresolved
    imports; every other unresolved import of the cleaned tree was there before (or cannot be
    checked: generated modules, TYPE_CHECKING, files the scan skips)."""
    found = checks.of_kind("imports")
    if not found or checks.rescan is None:
        return None
    check = found[0]
    caused = [line for line in check.output.splitlines() if line.strip()] if not check.ok else []
    unresolved, checked = unresolved_imports(checks.rescan)
    return ImportCheck(check.ok, checked - len(unresolved), tuple(caused), max(len(unresolved) - len(caused), 0))


def _rescan(result: ScanResult, plan: FixPlan, after: ScanResult) -> Rescan:
    fixed = {_key(f) for f in _fixed_findings(plan)}
    before = {_key(f) for f in result.findings}
    still = tuple(f for f in after.findings if _key(f) in fixed)
    new = [f for f in after.findings if _key(f) not in before]
    certain = tuple(f for f in new if f.confidence == "high")
    left = len(after.findings) - len(still) - len(new)
    return Rescan(len(fixed), still, certain, len(new) - len(certain), left)


# What a finding's related location is to the cleanup, by rule.
RELATED_ROLES = {
    "duplicate-module": "survivor",
    "shadowed-class": "live_class",
    "unrouted-router": "mounts",
    "missing-method": "class",
    "orphan-module": "importer",
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
