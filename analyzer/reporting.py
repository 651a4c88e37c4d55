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

What an action states beyond that (the lines it removes, the code it quotes, the searches that
prove it) and its section of the report come from the finding's rule, through `RuleReport`.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.checks import rule_of
from analyzer.discovery import SKIPPED_DIRS
from analyzer.facts.extract import decode_source
from analyzer.findings import Finding
from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import FileChange, FixPlan, Note, PlannedFix, PlanOptions, build_plan
from analyzer.index import ProjectIndex
from analyzer.options import Options
from analyzer.scan import ScanResult, cache_directory, current_scan_settings, scan, scan_settings
from analyzer.verify import Check, Verification, unresolved_imports, verify

if TYPE_CHECKING:
    from analyzer.render.writer import ReportWriter

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
class Category:
    """A row of the report's statistics: what fixed actions of this kind change (`measure`:
    the lines they remove, or add), labelled by catalogue keys (`label`, and `noun` for the
    total). `always` rows are shown even when empty."""

    id: str
    label: str
    noun: str
    measure: str | None  # "removed", "added" or None (no line count)
    always: bool = False


FILES = Category("files", "stats.files", "file", "removed", always=True)
CLASSES = Category("classes", "stats.classes", "class", "removed", always=True)
METHODS = Category("methods", "stats.methods", "method", "added", always=True)
CALLS = Category("calls", "stats.calls", "call", None)
CATEGORIES = (FILES, CLASSES, METHODS, CALLS)


@dataclass
class Action:
    """One finding in the report: what the plan did with it, and what its rule states about it
    (`category`, lines, the quoted code, and `data`: the rule's own figures)."""

    finding: Finding
    fix: PlannedFix | None
    status: str  # one of STATUSES
    reason: Note | None = None  # why it was skipped
    lines_removed: int = 0
    lines_added: int = 0
    quote: Quote | None = None  # the added method, the aliases, or the version that remained
    category: Category | None = None
    data: object = None  # the rule's own figures (its `RuleReport.facts` sets them)
    notes: tuple[Note, ...] = ()

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def changes(self) -> list[FileChange]:
        return list(self.fix.changes) if self.fix is not None and self.status != "skipped" else []


@dataclass(frozen=True)
class ActionContext:
    """What a rule may read to state the figures of an action: the plan, the project before the
    cleanup, and the files as they were (`before`) and as the plan leaves them (`plan.final`)."""

    plan: FixPlan
    index: ProjectIndex
    root: Path
    applied: bool

    def before(self, path: str) -> bytes | None:
        """A file as it was before the cleanup (the plan read what it changes)."""
        if path in self.plan.originals:
            return self.plan.originals[path]
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None


class RuleReport:
    """A rule's part of the cleanup report. The builder asks it for the figures of each action
    (`facts`) and for the searches that prove the cleanup on the cleaned tree; the markdown
    renderer for the action's title and section, and for what each changed file got. Its words
    are in the rule's own catalogue (`t(self.key("..."))`); the defaults say nothing
    rule-specific."""

    # Its notes that its section already states in its own words (not listed again).
    notes_in_section: frozenset[str] = frozenset()

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id

    def key(self, name: str) -> str:
        """A key of the rule's own catalogue."""
        return f"{self.rule_id}.{name}"

    # ---- content (reporting.py) ---------------------------------------------------------------
    def facts(self, action: Action, context: ActionContext) -> None:
        """Set the action's figures: lines, quote, category, data."""

    def searches(self, action: Action, after: ProjectIndex) -> list[Search]:
        """Searches of the cleaned tree that prove a fix applied (an import of a deleted module
        left somewhere, for instance)."""
        return []

    def role(self, finding: Finding) -> str:
        """The catalogue key of what the finding's related files are to the cleanup."""
        return "roles.related"

    def involved(self, finding: Finding) -> set[str]:
        """The files the module graph shows for this finding."""
        return {finding.path, *(r.path for r in finding.related)}

    # ---- markdown (render/report.py) ----------------------------------------------------------
    def title_name(self, finding: Finding) -> str:
        return finding.symbol or finding.path

    def section(self, w: ReportWriter, action: Action) -> list[str]:
        finding = action.finding
        return [f"**{w.t('labels.file')}**: {w.link(finding.path, finding.line, finding.end_line)}\n",
                f"**{w.t('labels.problem')}**: `{finding.rule}`\n"]

    def touched(self, w: ReportWriter, action: Action, change: FileChange) -> str:
        """What the fix does to one file it changes or deletes, in a few words."""
        return w.t("touched.changed_by", rule=self.rule_id)


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


@dataclass(frozen=True)
class Total:
    """A row of the statistics: the fixed actions of a category, and their lines."""

    category: Category
    count: int
    lines: int


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
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (path, catalogue key of its role)
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

    def categories(self) -> list[Category]:
        """The statistics' rows: the common categories, then any a rule adds, in order."""
        found = list(CATEGORIES)
        for action in self.actions:
            if action.category is not None and action.category not in found:
                found.append(action.category)
        return found

    def totals(self) -> list[Total]:
        """Per category, the fixed actions and the lines they remove or add (stubs apart)."""
        fixed = [a for a in self.actions if a.status == "fixed"]
        rows = []
        for category in self.categories():
            mine = [a for a in fixed if a.category == category]
            lines = sum(_measured(a, category) for a in mine)
            rows.append(Total(category, len(mine), lines))
        return rows

    @property
    def stubs(self) -> list[Action]:
        return [a for a in self.actions if a.status == "stub"]

    def lines_removed(self) -> int:
        return sum(t.lines for t in self.totals() if t.category.measure == "removed")

    def lines_added(self) -> int:
        added = sum(t.lines for t in self.totals() if t.category.measure == "added")
        return added + sum(a.lines_added for a in self.stubs)


def _measured(action: Action, category: Category) -> int:
    if category.measure == "removed":
        return action.lines_removed
    if category.measure == "added":
        return action.lines_added
    return 0


def build_report(
    root: Path,
    apply: bool = False,
    tests: str | None = None,
    plan_options: PlanOptions | None = None,
    force: bool = False,
    copy_to: Path | None = None,
) -> CleanupReport:
    """Scan, plan, apply (in place, or in a copy made at `copy_to`) or audit, verify.

    The scans use the current `scan_settings` (the command's options, jobs and cache). With the
    cache on, the scans of copies use the tree's own cache folder: a file's facts and a tree's
    result are keyed by their content, so what the copy shares with the tree, or with the copy
    an earlier report made, is not read again."""
    settings = current_scan_settings()
    if settings.cache:
        options = settings.options or Options()
        shared = replace(options, cache_dir=str(cache_directory(root.resolve(), options)))
        with scan_settings(replace(settings, options=shared)):
            return _report(root, apply, tests, plan_options, force, copy_to)
    return _report(root, apply, tests, plan_options, force, copy_to)


def _report(
    root: Path, apply: bool, tests: str | None, plan_options: PlanOptions | None, force: bool, copy_to: Path | None
) -> CleanupReport:
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
    # Most urgent first: a call that fails at run time, then dead code (each rule's `urgency`).
    findings = sorted(result.findings, key=lambda f: (rule_of(f).urgency, f.sort_key))
    context = ActionContext(plan, before, result.root, applied)
    actions = []
    for finding in findings:
        fix = by_finding.get(_key(finding))
        status, reason = fix_status(fix)
        if fix is None:
            reason = Note("no_fix", {"rule": finding.rule})
        if status == "fixed" and _key(finding) in still:
            status = "failed"
        action = Action(finding, fix, status, reason, notes=tuple(fix.notes) if fix else ())
        rule_of(finding).report.facts(action, context)
        actions.append(action)
    report = CleanupReport(result.root, applied, result, plan, actions, checks)
    report.searches = [
        search for action in actions if action.status != "skipped"
        for search in rule_of(action.finding).report.searches(action, after)
    ]
    report.remaining_modules = len(after.modules)
    report.imports = _imports(checks)
    report.rescan = rescan
    report.unchanged = _unchanged(result, plan)
    from analyzer.render.mermaid import module_graph

    report.graph = module_graph(result.project, plan)
    return report


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


def _unchanged(result: ScanResult, plan: FixPlan) -> list[tuple[str, str]]:
    """Files a finding points at that the cleanup leaves as they are, with their role."""
    touched = set(plan.changed) | set(plan.deleted)
    roles: dict[str, str] = {}
    for finding in result.findings:
        for related in finding.related:
            if related.path not in touched:
                roles.setdefault(related.path, rule_of(finding).report.role(finding))
    return sorted(roles.items())


# ---- searches of the cleaned tree -------------------------------------------------------------


def search_module_imports(after: ProjectIndex, module: str) -> Search:
    """`import module` (or of anything in it), and dotted strings naming it, in the cleaned tree."""
    found = [
        f"{facts.path}:{i.line}"
        for facts in after.modules.values()
        for i in facts.imports
        if i.module == module or i.module.startswith(module + ".")
        or (i.name and f"{i.module}.{i.name}" == module)
    ]
    found += [f"{path}:{line}" for path, line in after.referenced_in_strings(module)]
    return Search(f"import {module}", tuple(sorted(set(found))))


def search_name_imports(after: ProjectIndex, module: str, name: str) -> Search:
    """`from module import name`, and dotted strings naming it, in the cleaned tree."""
    found = [
        f"{facts.path}:{i.line}"
        for facts in after.modules.values()
        for i in facts.imports
        if i.module == module and i.name == name
    ]
    found += [f"{p}:{line}" for p, line in after.referenced_in_strings(f"{module}.{name}")]
    return Search(f"from {module} import {name}", tuple(sorted(set(found))))


# ---- quoting code ----------------------------------------------------------------------------


def text_lines(data: bytes) -> list[str]:
    return decode_source(data).splitlines()


@lru_cache(maxsize=128)
def _parse(data: bytes) -> ast.Module | None:
    """The file's syntax tree, read once however many of its definitions the report quotes
    (callers only read it)."""
    try:
        return ast.parse(decode_source(data))
    except (SyntaxError, ValueError):
        return None


def _first_line(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def definition_quote(path: str, data: bytes, name: str, within: str | None = None) -> Quote | None:
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
            return _quote(path, text_lines(data), node, header_only=False)
    return None


def class_quote(path: str, data: bytes, name: str, line: int, applied: bool) -> Quote | None:
    """The class `name` that remained: in the cleaned file (found by name: lines moved when a
    namesake above it was removed), or, in an audit, the one at `line` of the file as it is."""
    tree = _parse(data)
    if tree is None:
        return None
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name]
    if not classes:
        return None
    chosen = classes[-1] if applied else next((c for c in classes if line in {c.lineno, _first_line(c)}), classes[-1])
    return _quote(path, text_lines(data), chosen, header_only=True)


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
