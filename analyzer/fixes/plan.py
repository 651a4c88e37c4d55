"""From findings to a fix plan: the ordered, conflict-checked file changes of every fix.

Nothing here writes to disk. Each finding's `fix` becomes one `PlannedFix` holding the file
changes it makes (computed on top of the fixes before it), the notes a reviewer needs (aliases
already in place, a method whose callers are all deleted by the plan) or the reason it is not
applied. The plan knows each file's content when it was read, so `apply` can refuse to write
over a file that changed since.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst

from analyzer.facts.extract import decode_source
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding
from analyzer.fixes import transforms
from analyzer.fixes.recipes import Recipe, builtin_recipes, plan_method
from analyzer.index import Symbol
from analyzer.inference import annotation_class_name
from analyzer.project import Project
from analyzer.scan import ScanResult

ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file before and after a fix; `after` None means deleted."""

    path: str
    before: bytes
    after: bytes | None

    @property
    def deleted(self) -> bool:
        return self.after is None

    def diff(self) -> str:
        """A unified diff; a deleted file is one line saying so."""
        old = _lines(self.before)
        if self.after is None:
            return f"deleted {self.path} ({len(old)} lines)\n"
        return "".join(difflib.unified_diff(old, _lines(self.after), f"a/{self.path}", f"b/{self.path}"))


@dataclass(frozen=True)
class Note:
    """A remark on a fix, as a catalogue key (`notes.<key>` in render/messages) and parameters."""

    key: str
    params: dict[str, Any]


@dataclass
class PlannedFix:
    finding: Finding
    summary: str
    changes: list[FileChange] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: Note | None = None  # why the fix is not applied

    @property
    def applies(self) -> bool:
        return self.skipped is None and bool(self.changes)


@dataclass
class FixPlan:
    root: Path
    fixes: list[PlannedFix]
    originals: dict[str, bytes]
    final: dict[str, bytes | None]

    @property
    def changed(self) -> list[str]:
        return sorted(p for p, content in self.final.items() if content is not None and content != self.originals[p])

    @property
    def deleted(self) -> list[str]:
        return sorted(p for p, content in self.final.items() if content is None)

    @property
    def conflicts(self) -> list[PlannedFix]:
        return [fix for fix in self.fixes if fix.skipped is not None and fix.skipped.key == "conflict"]

    def diff(self) -> str:
        parts = []
        for fix in self.fixes:
            if fix.applies:
                parts.append(f"# {fix.finding.rule}: {fix.summary}\n")
                parts.extend(change.diff() for change in fix.changes)
        return "".join(parts)


@dataclass(frozen=True)
class PlanOptions:
    rules: frozenset[str] | None = None
    only: frozenset[str] | None = None
    drop_unrouted: bool = False
    skip_orphan_methods: bool = False
    recipes: tuple[Recipe, ...] = ()
    findings: frozenset[tuple[str, str, str | None]] | None = None  # (rule, path, symbol) keys chosen one by one


class _Workspace:
    """File contents as the plan changes them, read once from disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.originals: dict[str, bytes] = {}
        self.current: dict[str, bytes | None] = {}

    def read(self, path: str) -> bytes | None:
        if path not in self.current:
            data = (self.root / path).read_bytes()
            self.originals[path] = data
            self.current[path] = data
        return self.current[path]


def build_plan(result: ScanResult, options: PlanOptions | None = None) -> FixPlan:
    options = options or PlanOptions()
    recipes = options.recipes or builtin_recipes()
    project = result.project
    workspace = _Workspace(result.root)
    findings = [f for f in result.findings if _selected(f, options)]
    fixes = [_describe(f) for f in findings]
    deleted_by_plan = _modules_deleted(findings, options)
    claims: dict[str, list[tuple[int, int, int]]] = {}
    for position, fix in enumerate(fixes):
        finding = fix.finding
        try:
            edits = _edits(project, finding, fix, options, deleted_by_plan, recipes)
        except (ValueError, SyntaxError, UnicodeDecodeError) as error:
            fix.skipped = Note("cannot_apply", {"error": str(error)})
            continue
        if fix.skipped:
            continue
        conflict = _conflict(edits, claims, fixes)
        if conflict:
            fix.skipped = conflict
            continue
        try:
            fix.changes = _apply_edits(workspace, edits)
        except (ValueError, libcst.ParserSyntaxError) as error:
            fix.skipped = Note("cannot_apply", {"error": str(error)})
            continue
        for path, start, end in ((e.path, *e.claim) for e in edits):
            claims.setdefault(path, []).append((start, end, position))
    return FixPlan(result.root, fixes, workspace.originals, dict(workspace.current))


@dataclass(frozen=True)
class _Edit:
    path: str
    claim: tuple[int, int]  # the lines this edit owns; (0, 0) for the whole file
    rewrite: Callable[[bytes], bytes | None]


def _selected(finding: Finding, options: PlanOptions) -> bool:
    if finding.fix is None:
        return False
    if options.rules is not None and finding.rule not in options.rules:
        return False
    if options.findings is not None and (finding.rule, finding.path, finding.symbol) not in options.findings:
        return False
    if options.only is not None:
        touched = {finding.path, *(r.path for r in finding.related)}
        return bool(touched & options.only)
    return True


def _describe(finding: Finding) -> PlannedFix:
    fix = finding.fix or {}
    action = fix.get("action")
    if action == "delete-module":
        summary = f"delete {fix['path']}"
    elif action == "delete-class":
        summary = f"remove class {fix['class']} from {fix['path']} (lines {fix['line']}-{fix['end_line']})"
    elif action == "add-method":
        summary = f"add {fix['class']}.{fix['method']}() to {fix['path']}"
    elif action == "mount-router":
        summary = f"mount {fix['module']}.{fix['router']}"
    else:
        summary = str(action)
    return PlannedFix(finding=finding, summary=summary)


def _modules_deleted(findings: Iterable[Finding], options: PlanOptions) -> set[str]:
    deleted = set()
    for finding in findings:
        fix = finding.fix or {}
        if fix.get("action") == "delete-module" or (
            fix.get("action") == "mount-router" and options.drop_unrouted
        ):
            deleted.add(fix["path"])
    return deleted


def _edits(
    project: Project,
    finding: Finding,
    fix: PlannedFix,
    options: PlanOptions,
    deleted_by_plan: set[str],
    recipes: tuple[Recipe, ...],
) -> list[_Edit]:
    spec = finding.fix or {}
    if finding.rule == "duplicate-module":
        return _duplicate_edits(project, finding, fix, deleted_by_plan)
    if finding.rule == "unrouted-router":
        return _unrouted_edits(project, finding, fix, options)
    if finding.rule == "shadowed-class":
        module = project.index.by_path[spec["path"]].module
        return [_Edit(spec["path"], (spec["line"], spec["end_line"]),
                      lambda data: transforms.remove_class(data, spec["class"], spec["line"], module))]
    if finding.rule == "missing-method":
        return _method_edits(project, finding, fix, options, deleted_by_plan, recipes)
    fix.skipped = Note("no_fix", {"rule": finding.rule})
    return []


def _duplicate_edits(
    project: Project, finding: Finding, fix: PlannedFix, deleted_by_plan: set[str]
) -> list[_Edit]:
    spec = finding.fix or {}
    index = project.index
    copy, survivor = spec["path"], spec["survivor"]
    renames: dict[str, str] = finding.details["renames"]
    aliases = [(a["name"], a["target"]) for a in spec["add_aliases"]]
    present = [a for a in finding.details["aliases"] if a["present"]]
    if present:
        lines = [a["line"] for a in present]
        fix.notes.append(Note("aliases_present", {
            "path": survivor, "start": min(lines), "end": max(lines),
            "aliases": ", ".join(f"{a['name']} = {a['target']}" for a in present)}))
    survivor_facts = index.by_path[survivor]
    exported = survivor_facts.defined_names() | {name for name, _ in aliases}
    edits = [_Edit(copy, (0, 0), lambda data: None)]
    if aliases:
        comment = f"Old names kept for code that imported the removed {spec['module']}"
        edits.append(
            _Edit(survivor, (survivor_facts.line_count + 1, survivor_facts.line_count + 1),
                  lambda data: transforms.append_aliases(data, aliases, comment))
        )
    for path in sorted({ref["path"] for ref in spec["rewrite_references"]} - deleted_by_plan):
        facts = index.by_path[path]
        package = facts.module if facts.is_package else facts.module.rpartition(".")[0]

        def rewrite(data: bytes, package: str = package) -> bytes:
            return transforms.rewrite_module_references(
                data, package, spec["module"], spec["survivor_module"], renames, exported
            )

        edits.append(_Edit(path, (-1, -1), rewrite))
    if spec["rewrite_references"]:
        fix.notes.append(Note("references_rewritten", {
            "module": spec["module"], "count": len({r["path"] for r in spec["rewrite_references"]})}))
    return edits


def _unrouted_edits(project: Project, finding: Finding, fix: PlannedFix, options: PlanOptions) -> list[_Edit]:
    spec = finding.fix or {}
    index = project.index
    if spec["action"] == "mount-router" and not options.drop_unrouted:
        unreplaced = [e for e in finding.details["endpoints"] if not e["replacement"] and not e["deprecated_in"]]
        fix.skipped = Note("not_deleted_unreplaced", {
            "count": len(unreplaced),
            "include": f"app.include_router({spec['module'].rpartition('.')[2]}.{spec['router']})",
        })
        return []
    facts = index.by_path[spec["path"]]
    edits = [_Edit(spec["path"], (0, 0), lambda data: None)]
    for reference in project.module_references(facts.module):
        importer = index.by_path[reference.path]
        uses = [d for d, _, _ in importer.dotted_refs if d.split(".")[0] in _bound_names(importer, facts.module)]
        if reference.how != "import" or uses or not importer.is_package:
            fix.skipped = Note("not_deleted_used", {
                "where": f"{reference.path}:{reference.line}", "module": facts.module})
            return []
        package = importer.module

        def remove_imports(data: bytes, package: str = package) -> bytes:
            return transforms.remove_module_imports(data, package, facts.module)

        edits.append(_Edit(reference.path, (reference.line, reference.line), remove_imports))
        fix.notes.append(Note("import_removed", {"module": facts.module, "path": reference.path}))
    deprecated = sorted({e["deprecated_in"] for e in finding.details["endpoints"] if e["deprecated_in"]})
    if deprecated:
        fix.notes.append(Note("deprecated", {"where": ", ".join(deprecated)}))
    return edits


def _bound_names(facts: ModuleFacts, module: str) -> set[str]:
    return {
        i.alias for i in facts.imports
        if (i.name and f"{i.module}.{i.name}" == module) or (i.name is None and i.module == module)
    }


def _method_edits(
    project: Project,
    finding: Finding,
    fix: PlannedFix,
    options: PlanOptions,
    deleted_by_plan: set[str],
    recipes: tuple[Recipe, ...],
) -> list[_Edit]:
    spec = finding.fix or {}
    index = project.index
    call_sites = finding.details["call_sites"]
    callers = sorted({site["path"] for site in call_sites})
    if all(path in deleted_by_plan for path in callers):
        if options.skip_orphan_methods:
            fix.skipped = Note("orphan_skipped", {"callers": ", ".join(callers)})
            return []
        fix.notes.append(Note("orphan_method", {"callers": ", ".join(callers)}))
    symbol = Symbol("class", index.by_path[spec["path"]].module, spec["class"])
    cls = index.class_fact(symbol)
    assert cls is not None
    method = plan_method(
        spec["method"], cls, _class_kind(project, symbol), _enum_fields(project, symbol), call_sites, recipes
    )
    fix.notes.append(Note("recipe", {"recipe": method.recipe}) if method.recipe else Note("stub", {}))
    return [_Edit(spec["path"], (cls.span.line, cls.span.end_line),
                  lambda data: transforms.add_method(data, cls.name, cls.span.line, method.source, method.imports))]


def _class_kind(project: Project, symbol: Symbol) -> str | None:
    members = project.classes.members(symbol) or frozenset()
    if "model_dump_json" in members:
        return "pydantic"
    cls = project.index.class_fact(symbol)
    if cls is not None and any(
        (project.index.resolve_class(symbol.module, d) or Symbol("", "")).qualname == "dataclasses.dataclass"
        for d in cls.decorators
    ):
        return "dataclass"
    return None


def _enum_fields(project: Project, symbol: Symbol) -> list[str]:
    cls = project.index.class_fact(symbol)
    if cls is None:
        return []
    fields = []
    for name, annotation in cls.field_types:
        type_name = annotation_class_name(annotation)
        target = project.index.resolve_class(symbol.module, type_name) if type_name else None
        if target is not None and _is_enum(project, target, depth=0):
            fields.append(name)
    return sorted(fields, key=lambda n: (not any(w in n for w in ("type", "kind", "event")), fields.index(n)))


def _is_enum(project: Project, symbol: Symbol, depth: int) -> bool:
    if symbol.kind == "external":
        return symbol.qualname in ENUM_BASES
    cls = project.index.class_fact(symbol)
    if cls is None or depth > 8:
        return False
    return any(
        base is not None and _is_enum(project, base, depth + 1)
        for base in project.classes.bases(symbol.module, cls)
    )


def _conflict(
    edits: list[_Edit], claims: dict[str, list[tuple[int, int, int]]], fixes: list[PlannedFix]
) -> Note | None:
    for edit in edits:
        for start, end, owner in claims.get(edit.path, []):
            whole = (start, end) == (0, 0) or edit.claim == (0, 0)
            overlap = start <= edit.claim[1] and edit.claim[0] <= end and edit.claim != (-1, -1)
            if whole or overlap:
                other = fixes[owner]
                return Note("conflict", {"path": edit.path, "rule": other.finding.rule, "summary": other.summary})
    return None


def _apply_edits(workspace: _Workspace, edits: list[_Edit]) -> list[FileChange]:
    """Run one fix's edits on the current contents; all of them or none."""
    before: dict[str, bytes] = {}
    after: dict[str, bytes | None] = {}
    for edit in edits:
        data = after[edit.path] if edit.path in after else workspace.read(edit.path)
        if data is None:
            raise ValueError(f"{edit.path} is already deleted")
        before.setdefault(edit.path, data)
        after[edit.path] = edit.rewrite(data)
    workspace.current.update(after)
    return [FileChange(path, old, after[path]) for path, old in before.items() if after[path] != old]


def _lines(data: bytes) -> list[str]:
    text = decode_source(data)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
