"""From findings to a fix plan: what each fix changes, whether it fixes, and the files after.

Nothing here writes to disk. Each finding's `fix` becomes one `PlannedFix`: the operations it
makes on each file (anchored on the file's original syntax tree, see `transforms.py`), the files
it deletes, the notes a reviewer needs, and its status:

- `fixed`: applying it removes the problem;
- `stub`: it adds a method that raises `NotImplementedError` (no better fix was found); the
  call still fails, so a stub is never counted as a fix;
- `skipped`: nothing is applied, and `reason` says why.

Every edit to one file is computed in one pass over that file's original tree, whatever the
number of fixes touching it, so fixes compose: any subset of them applied together gives what
applying them one by one gives. Deletion follows liveness: deleting a router module deletes the
modules only it reached, and the comments that name a deleted module go with it.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import libcst

from analyzer.facts.extract import decode_source
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding
from analyzer.fixes import methods
from analyzer.fixes.recipes import Recipe, builtin_recipes, plan_method
from analyzer.fixes.transforms import (
    NODE_OPS,
    AddMethod,
    AppendAliases,
    NodeOp,
    Op,
    RemoveComments,
    RemoveModuleImports,
    RemoveStatement,
    RenameAttribute,
    RetargetImport,
    RewriteReferences,
    SourceFile,
    node_of,
)
from analyzer.index import ProjectIndex, Symbol
from analyzer.inference import annotation_class_name
from analyzer.liveness import RUN_BY_CONVENTION, Liveness, Reach
from analyzer.project import Project
from analyzer.scan import ScanResult

ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
DELETING_RULES = frozenset({"duplicate-module", "unrouted-router", "orphan-module"})
Status = Literal["fixed", "stub", "skipped"]
_FIXPOINT_ROUNDS = 5


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
            return f"delete {self.path} ({len(old)} lines)\n"
        return "".join(difflib.unified_diff(old, _lines(self.after), f"a/{self.path}", f"b/{self.path}"))


@dataclass(frozen=True)
class Note:
    """A remark on a fix, as a catalogue key (`notes.<key>` in render/messages) and parameters."""

    key: str
    params: dict[str, Any]


@dataclass
class PlannedFix:
    """One finding's fix. `status` is `fixed`, `stub` or `skipped`; `reason` says why it is not
    `fixed` (a `skipped.<key>` catalogue note for a skip, a `notes.<key>` one for a stub)."""

    finding: Finding
    summary: str
    changes: list[FileChange] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: Note | None = None  # why the fix is not applied
    stub: Note | None = None  # set when the fix only adds a stub
    ops: dict[str, list[Op]] = field(default_factory=dict, repr=False)
    deletes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        if self.skipped is not None or not self.changes:
            return "skipped"
        return "stub" if self.stub is not None else "fixed"

    @property
    def reason(self) -> Note | None:
        if self.status == "skipped":
            return self.skipped or Note("nothing_to_change", {})
        return self.stub if self.status == "stub" else None

    def reason_text(self, lang: str = "en") -> str | None:
        """The reason in words, from the message catalogue."""
        from analyzer.render.i18n import Text

        reason = self.reason
        if reason is None:
            return None
        section = "notes" if self.status == "stub" else "skipped"
        return Text(lang)(f"{section}.{reason.key}", **reason.params)

    @property
    def applies(self) -> bool:
        """Whether the plan writes this fix's changes (a fix or a stub)."""
        return self.status != "skipped"

    @property
    def uncertain(self) -> bool:
        return self.finding.confidence == "uncertain"

    def _reset(self) -> None:
        self.notes, self.skipped, self.stub, self.ops, self.deletes = [], None, None, {}, []

    def _edit(self, path: str, *ops: Op) -> None:
        self.ops.setdefault(path, []).extend(ops)


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

    def count(self, status: Status) -> int:
        return sum(fix.status == status for fix in self.fixes)

    def of_status(self, status: Status) -> list[PlannedFix]:
        return [fix for fix in self.fixes if fix.status == status]

    def diff(self) -> str:
        """Each applied fix's changes, under a line naming it (for reading, not for `git apply`)."""
        parts = []
        for fix in self.fixes:
            if fix.applies:
                parts.append(f"# {fix.finding.rule}: {fix.summary}\n")
                parts.extend(change.diff() for change in fix.changes)
        return "".join(parts)

    def patch(self) -> bytes:
        """One git-style patch of every file, original → final, that `git apply` accepts
        (bytes: the files' own encodings and line endings are kept)."""
        parts = []
        for path in sorted(set(self.changed) | set(self.deleted)):
            parts.append(_file_patch(path, self.originals[path], self.final[path]))
        return b"".join(parts)


@dataclass(frozen=True)
class PlanOptions:
    rules: frozenset[str] | None = None
    only: frozenset[str] | None = None
    drop_unrouted: bool = False
    skip_orphan_methods: bool = False
    recipes: tuple[Recipe, ...] = ()
    findings: frozenset[tuple[str, str, str | None]] | None = None  # (rule, path, symbol) keys chosen one by one
    include_uncertain: bool = False


class _Files:
    """The project's files as read once, and their syntax trees."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data: dict[str, bytes] = {}
        self._sources: dict[str, SourceFile] = {}

    def read(self, path: str) -> bytes:
        if path not in self.data:
            self.data[path] = (self.root / path).read_bytes()
        return self.data[path]

    def source(self, path: str) -> SourceFile:
        if path not in self._sources:
            self._sources[path] = SourceFile(path, self.read(path))
        return self._sources[path]


@dataclass
class _Context:
    project: Project
    files: _Files
    options: PlanOptions
    recipes: tuple[Recipe, ...]
    deleted: set[str]  # paths the plan deletes
    what_if: dict[frozenset[str], Liveness] = field(default_factory=dict)  # liveness without modules

    def liveness_without(self, modules: set[str]) -> Liveness:
        key = frozenset(modules)
        if key not in self.what_if:
            project = self.project
            remaining = [facts for module, facts in project.index.modules.items() if module not in modules]
            self.what_if[key] = Project(
                ProjectIndex(remaining), project.options, project.distributions, project.mentions
            ).liveness
        return self.what_if[key]


def build_plan(result: ScanResult, options: PlanOptions | None = None) -> FixPlan:
    options = options or PlanOptions()
    recipes = options.recipes or builtin_recipes()
    project = result.project
    files = _Files(result.root)
    fixes = [_describe(f, options) for f in result.findings if _selected(f, options)]
    # The files each fix deletes decide what the others do (references in a deleted file are
    # not rewritten; a method whose callers all go is an orphan), and a fix that turns out not
    # to apply deletes nothing: plan again until the set of deleted files is stable.
    deleted = {path for fix in fixes for path in _intended_deletions(fix, options)}
    what_if: dict[frozenset[str], Liveness] = {}
    for _ in range(_FIXPOINT_ROUNDS):
        context = _Context(project, files, options, recipes, deleted, what_if)
        for fix in fixes:
            _plan_fix(context, fix)
        _follow_liveness(context, fixes)
        _resolve_conflicts(fixes, files)
        now = {path for fix in fixes if fix.skipped is None for path in fix.deletes}
        if now == deleted:
            break
        deleted = now
    final = _render(fixes, files)
    originals = {path: files.read(path) for path in final}
    return FixPlan(result.root, fixes, originals, final)


def _selected(finding: Finding, options: PlanOptions) -> bool:
    if finding.fix is None:
        return False
    if options.rules is not None and finding.rule not in options.rules:
        return False
    if options.findings is not None and (finding.rule, finding.path, finding.symbol) not in options.findings:
        return False
    if options.only is not None:
        touched = {finding.path, *(r.path for r in finding.related), *finding.covers}
        return bool(touched & options.only)
    return True


def _describe(finding: Finding, options: PlanOptions) -> PlannedFix:
    fix = finding.fix or {}
    action = fix.get("action")
    if action == "delete-package":
        summary = f"delete package {fix['module']} ({len(fix['paths'])} modules)"
    elif action == "delete-module":
        summary = f"delete {fix['path']}"
    elif action == "delete-class":
        summary = f"remove class {fix['class']} from {fix['path']} (lines {fix['line']}-{fix['end_line']})"
    elif action == "add-method":
        summary = f"make {fix['class']}.{fix['method']}() exist ({fix['path']})"
    elif action == "mount-router" and options.drop_unrouted:
        summary = f"delete {fix['path']} (router {fix['router']} is never mounted)"
    elif action == "mount-router":
        summary = f"keep {fix['path']}: router {fix['router']} is never mounted"
    else:
        summary = str(action)
    return PlannedFix(finding=finding, summary=summary)


def _intended_deletions(fix: PlannedFix, options: PlanOptions) -> list[str]:
    spec = fix.finding.fix or {}
    if fix.uncertain and not options.include_uncertain:
        return []
    action = spec.get("action")
    if action in {"delete-module", "delete-package"}:
        return list(spec.get("paths") or [spec["path"]])
    if action == "mount-router" and options.drop_unrouted:
        return [spec["path"]]
    return []


def _plan_fix(context: _Context, fix: PlannedFix) -> None:
    fix._reset()
    finding = fix.finding
    if fix.uncertain and not context.options.include_uncertain:
        fix.skipped = Note("uncertain", {})
        return
    if fix.uncertain:
        fix.notes.append(Note("uncertain", {}))
    try:
        if finding.rule == "duplicate-module":
            _duplicate(context, fix)
        elif finding.rule == "unrouted-router":
            _unrouted(context, fix)
        elif finding.rule == "orphan-module":
            _orphan(context, fix)
        elif finding.rule == "shadowed-class":
            spec = finding.fix or {}
            source = context.files.source(spec["path"])
            fix._edit(spec["path"], RemoveStatement(source.find_class(spec["class"], spec["line"])))
        elif finding.rule == "missing-method":
            _missing_method(context, fix)
        else:
            fix.skipped = Note("no_fix", {"rule": finding.rule})
    except (ValueError, SyntaxError, UnicodeDecodeError, OSError, libcst.ParserSyntaxError) as error:
        fix.skipped = Note("cannot_apply", {"error": str(error).splitlines()[0] if str(error) else repr(error)})


# ---- duplicate-module ----------------------------------------------------------------------------
def _duplicate(context: _Context, fix: PlannedFix) -> None:
    finding = fix.finding
    spec = finding.fix or {}
    index = context.project.index
    copy, survivor = spec["path"], spec["survivor"]
    renames: dict[str, str] = finding.details["renames"]
    aliases = tuple((a["name"], a["target"]) for a in spec["add_aliases"])
    referencing = sorted({ref["path"] for ref in spec["rewrite_references"]} - context.deleted)
    star = _star_import(index, referencing, {spec["module"]})
    if star:
        fix.skipped = star
        return
    present = [a for a in finding.details["aliases"] if a["present"]]
    if present:
        lines = [a["line"] for a in present]
        fix.notes.append(Note("aliases_present", {
            "path": survivor, "start": min(lines), "end": max(lines),
            "aliases": ", ".join(f"{a['name']} = {a['target']}" for a in present)}))
    exported = frozenset(index.by_path[survivor].defined_names() | {name for name, _ in aliases})
    fix.deletes.append(copy)
    if aliases:
        comment = f"Old names kept for code that imported the removed {spec['module']}"
        fix._edit(survivor, AppendAliases(aliases, comment))
    for path in referencing:
        facts = index.by_path[path]
        package = facts.module if facts.is_package else facts.module.rpartition(".")[0]
        fix._edit(path, RewriteReferences(
            package, spec["module"], spec["survivor_module"], tuple(sorted(renames.items())), exported))
    if spec["rewrite_references"]:
        fix.notes.append(Note("references_rewritten", {
            "module": spec["module"], "count": len({r["path"] for r in spec["rewrite_references"]})}))


def _star_import(index: ProjectIndex, paths: Iterable[str], modules: set[str]) -> Note | None:
    """A star import of one of `modules` in one of the files: never rewritten nor dropped."""
    for path in paths:
        facts = index.by_path.get(path)
        for imported in facts.imports if facts else ():
            if imported.is_star and imported.module in modules:
                return Note("star_import", {"where": f"{path}:{imported.line}", "module": imported.module})
    return None


# ---- unrouted-router -------------------------------------------------------------------------------
def _unrouted(context: _Context, fix: PlannedFix) -> None:
    finding = fix.finding
    spec = finding.fix or {}
    index = context.project.index
    if spec["action"] == "mount-router" and not context.options.drop_unrouted:
        unreplaced = [e for e in finding.details["endpoints"] if not e["replacement"] and not e["deprecated_in"]]
        fix.skipped = Note("not_deleted_unreplaced", {
            "count": len(unreplaced), "include": mount_advice(finding)})
        return
    facts = index.by_path[spec["path"]]
    importers: list[str] = []
    for reference in context.project.module_references(facts.module):
        if reference.path in context.deleted:
            continue
        importer = index.by_path[reference.path]
        if reference.how != "import" or _uses(importer, _bound_names(importer, facts.module), reference.line):
            where = f"{reference.path}:{reference.line}"
            fix.skipped = Note("not_deleted_used", {"where": where, "module": facts.module})
            return
        importers.append(reference.path)
    star = _star_import(index, importers, {facts.module})
    if star:
        fix.skipped = star
        return
    fix.deletes.append(spec["path"])
    for path in sorted(set(importers)):
        package = index.by_path[path].module
        fix._edit(path, RemoveModuleImports(package, facts.module))
        fix.notes.append(Note("import_removed", {"module": facts.module, "path": path}))
    _drop_comments(context, fix, [facts])
    deprecated = sorted({e["deprecated_in"] for e in finding.details["endpoints"] if e["deprecated_in"]})
    if deprecated:
        fix.notes.append(Note("deprecated", {"where": ", ".join(deprecated)}))


def mount_advice(finding: Finding) -> str:
    """The line that mounts the router, in its framework's words."""
    spec = finding.fix or {}
    target = f"{spec['module'].rpartition('.')[2]}.{spec['router']}"
    framework = finding.details.get("framework", "fastapi")
    if framework == "flask":
        return f"app.register_blueprint({target})"
    if framework == "starlette":
        prefix = finding.details.get("prefix") or "/"
        return f'app.mount("{prefix}", {target})'
    return f"app.include_router({target})"


def _uses(facts: ModuleFacts, names: set[str], import_line: int) -> bool:
    """Whether the module uses a name its import of a module bound (`__all__` aside: dropping
    the import drops the name from it too)."""
    if any(d.split(".")[0] in names for d, _, _ in facts.dotted_refs):
        return True
    lines = [line for name in names for line in facts.name_lines(name) if line != import_line]
    listed = sum(1 for name in names if name in (facts.dunder_all or ()))  # its string in `__all__`
    return len(lines) > listed


def _bound_names(facts: ModuleFacts, module: str) -> set[str]:
    """The names the module's imports of `module` bind: the module itself, or names from it."""
    return {
        i.alias for i in facts.imports
        if not i.is_star and (
            (i.name and f"{i.module}.{i.name}" == module) or i.module == module
        )
    }


# ---- orphan-module ----------------------------------------------------------------------------------
def _orphan(context: _Context, fix: PlannedFix) -> None:
    spec = fix.finding.fix or {}
    index = context.project.index
    paths = list(spec.get("paths") or [spec["path"]])
    gone = [index.by_path[p] for p in paths if p in index.by_path]
    modules = {facts.module for facts in gone}
    staying = [p for p in spec.get("unimport_from", []) if p not in context.deleted and p not in paths]
    star = _star_import(index, staying, modules)
    if star:
        fix.skipped = star
        return
    fix.deletes.extend(paths)
    if spec["action"] == "delete-package":
        fix.notes.append(Note("package_deleted", {"module": spec["module"], "count": len(paths)}))
    for path in staying:
        importer = index.by_path[path]
        package = importer.module if importer.is_package else importer.module.rpartition(".")[0]
        imported = sorted(m for m in modules if m in {t for i in importer.imports for t in index.imported_modules(i)})
        for module in imported:
            fix._edit(path, RemoveModuleImports(package, module))
    if staying:
        fix.notes.append(Note("imports_dropped", {"paths": ", ".join(staying)}))
    _drop_comments(context, fix, gone)


# ---- comments naming a deleted module -----------------------------------------------------------
def _drop_comments(context: _Context, fix: PlannedFix, gone: list[ModuleFacts]) -> None:
    """Comments that name a deleted module go with it: in the modules that imported it, any
    mention (`# api_router.include_router(admin.admin_router)`, a commented-out import, a
    name imported from it); elsewhere, its dotted name, its path, or `leaf.name` for a name it
    defined."""
    index = context.project.index
    deleted = context.deleted | set(fix.deletes)
    strict = [p for facts in gone for p in _strict_patterns(facts)]
    if not strict:
        return
    strict_pattern = _combined(tuple(strict))
    touched = []
    for facts in sorted(index.modules.values(), key=lambda f: f.path):
        if facts.path in deleted:
            continue
        loose = [p for gone_facts in gone for p in _importer_patterns(facts, gone_facts)]
        pattern = _combined(tuple(strict + loose)) if loose else strict_pattern
        if _comment_matches(context.files.read(facts.path), pattern):
            fix._edit(facts.path, RemoveComments(tuple(strict + loose)))
            touched.append(facts.path)
    if touched:
        fix.notes.append(Note("comments_removed", {
            "module": ", ".join(f.module for f in gone[:3]), "paths": ", ".join(touched)}))


@lru_cache(maxsize=1024)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _strict_patterns(facts: ModuleFacts) -> list[str]:
    leaf = facts.module.rpartition(".")[2]
    names = sorted(facts.defined_names())
    patterns = [rf"(?<![\w.]){re.escape(facts.module)}(?!\w)", re.escape(facts.path)]
    if names and leaf != "__init__":
        patterns.append(rf"(?<![\w./-]){re.escape(leaf)}\.(?:{'|'.join(map(re.escape, names))})\b")
    return patterns


def _importer_patterns(importer: ModuleFacts, gone: ModuleFacts) -> list[str]:
    """How a module that imported `gone` may name it in a comment."""
    patterns = []
    for imported in importer.imports:
        whole = imported.name is None and imported.module == gone.module
        module_itself = imported.name is not None and f"{imported.module}.{imported.name}" == gone.module
        if whole or module_itself:
            patterns.append(rf"(?<![\w./-]){re.escape(imported.alias)}\.\w")
        elif imported.name is not None and imported.module == gone.module and not imported.is_star:
            patterns.append(rf"\b{re.escape(imported.alias)}\b")
    if patterns:
        leaf = re.escape(gone.module.rpartition(".")[2])
        patterns.append(rf"\bimport\b.*\b{leaf}\b")
    return patterns


def _comment_matches(data: bytes, pattern: re.Pattern[str]) -> bool:
    """Whether a comment of the file may match (a quick look at the text after each `#`; the
    rewrite then looks at real comments only)."""
    if b"#" not in data:
        return False
    try:
        text = decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return False
    return any(pattern.search(line, line.index("#")) for line in text.splitlines() if "#" in line)


# ---- deletion follows liveness ------------------------------------------------------------------
def _follow_liveness(context: _Context, fixes: list[PlannedFix]) -> None:
    """Deleting a router module also deletes the modules only it reached (what it mounted, and
    what only those import): the liveness of the project without the deleted modules says which
    modules the application no longer reaches. Modules still imported or named from a module
    that stays are kept; routers it mounted in modules that stay are named in a note."""
    routers = [f for f in fixes if f.finding.rule == "unrouted-router" and f.skipped is None and f.deletes]
    if not routers:
        return
    project = context.project
    index = project.index
    deleted_paths = {path for fix in fixes if fix.skipped is None for path in fix.deletes}
    deleted = {index.by_path[p].module for p in deleted_paths if p in index.by_path}
    after = context.liveness_without(deleted)
    dead = {
        module for module, facts in index.modules.items()
        if module not in deleted and _deletable(project, facts)
        and project.liveness.module(module) is not Reach.NONE and after.module(module) is Reach.NONE
    }
    claimed: dict[str, PlannedFix] = {}
    for fix in routers:
        pending = deque(index.by_path[p].module for p in fix.deletes if p in index.by_path)
        while pending:
            for target in index.import_graph.successors(pending.popleft()):
                if target in dead and target not in claimed:
                    claimed[target] = fix
                    pending.append(target)
    # Keep what a module that stays still imports or names (a test, a dotted string).
    changed = True
    while changed:
        changed = False
        going = deleted | set(claimed)
        for module in list(claimed):
            referrers = {index.by_path[r.path].module for r in project.module_references(module)}
            if referrers - going:
                del claimed[module]
                changed = True
    for fix in routers:
        mine = sorted(index.modules[m].path for m, owner in claimed.items() if owner is fix)
        if mine:
            fix.deletes.extend(mine)
            fix.notes.append(Note("cascade_deleted", {"paths": ", ".join(mine)}))
            _drop_comments(context, fix, [index.by_path[p] for p in mine])
        _unmounted_routers(context, fix, deleted | set(claimed))
    for module in sorted(m for m in index.modules if after.module(m) is Reach.TESTS
                         and project.liveness.module(m) in {Reach.APP, Reach.MAYBE} and m not in claimed):
        owner = next((f for f in routers if module in _reached_from(index, f)), None)
        if owner is not None:
            owner.notes.append(Note("left_for_tests", {"path": index.modules[module].path}))


def _reached_from(index: ProjectIndex, fix: PlannedFix) -> set[str]:
    starts = [index.by_path[p].module for p in fix.deletes if p in index.by_path]
    seen, pending = set(starts), deque(starts)
    while pending:
        for target in index.import_graph.successors(pending.popleft()):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _unmounted_routers(context: _Context, fix: PlannedFix, going: set[str]) -> None:
    """Routers in modules that stay, mounted only by routers of the deleted modules."""
    graph = context.project.mounts
    index = context.project.index
    deleted_routers = {symbol for symbol in graph.nodes if symbol.module in going}
    for symbol in sorted(deleted_routers, key=str):
        if symbol not in graph.graph:
            continue
        for _, child, _ in graph.graph.out_edges(symbol, data=True):
            if child.module in going or child not in graph.nodes:
                continue
            if all(includer in deleted_routers for includer in graph.includers(child)):
                fix.notes.append(Note("router_now_unmounted", {
                    "router": child.name, "path": index.modules[child.module].path}))


def _deletable(project: Project, facts: ModuleFacts) -> bool:
    """A module the liveness model judges (not a test, an example, a migration or a file run
    by convention)."""
    name = facts.path.rpartition("/")[2]
    return not (project.is_test_or_example(facts) or project.is_migration(facts) or name in RUN_BY_CONVENTION)


# ---- missing-method -------------------------------------------------------------------------------
def _missing_method(context: _Context, fix: PlannedFix) -> None:
    finding = fix.finding
    spec = finding.fix or {}
    project = context.project
    index = project.index
    call_sites: list[dict[str, Any]] = finding.details["call_sites"]
    callers = sorted({site["path"] for site in call_sites})
    if all(path in context.deleted for path in callers):
        if context.options.skip_orphan_methods:
            fix.skipped = Note("orphan_skipped", {"callers": ", ".join(callers)})
            return
        fix.notes.append(Note("orphan_method", {"callers": ", ".join(callers)}))
    calls = _located_calls(context, finding)
    symbol = Symbol("class", index.by_path[spec["path"]].module, spec["class"])
    if calls is not None and _rename_calls(context, fix, symbol, calls):
        return
    if _switch_import(context, fix, symbol, callers):
        return
    cls = index.class_fact(symbol)
    assert cls is not None
    target = context.files.source(spec["path"])
    node = target.find_class(cls.name, cls.span.line)
    method = plan_method(
        spec["method"], _class_kind(project, symbol), _enum_fields(project, symbol), call_sites, context.recipes
    )
    if method is not None:
        fix.summary = f"add {cls.name}.{spec['method']}() to {spec['path']}"
        fix.notes.append(Note("recipe", {"recipe": method.recipe}))
        fix._edit(spec["path"], AddMethod(node, method.source, method.imports))
        return
    located = [(source, call) for source, found in (calls or []) for call in found[:1]]
    stub = methods.stub(cls.name, spec["method"], target, located, call_sites)
    fix.summary = f"add a stub {cls.name}.{spec['method']}() to {spec['path']}"
    fix.stub = Note("stub_not_fixed", {"symbol": f"{cls.name}.{spec['method']}"})
    fix._edit(spec["path"], AddMethod(node, stub.source, stub.imports))


def _located_calls(context: _Context, finding: Finding) -> list[tuple[SourceFile, list[libcst.Call]]] | None:
    """Each call site's call node (None when one cannot be found, or is not alone on its line)."""
    method = finding.details["method"]
    located = []
    for site in finding.details["call_sites"]:
        if site["path"] in context.deleted:
            continue
        try:
            source = context.files.source(site["path"])
        except (ValueError, OSError, libcst.ParserSyntaxError):
            return None
        receiver = site.get("receiver")
        found = source.find_calls(method, site["line"], receiver if isinstance(receiver, str) else None)
        if len(found) != 1:
            return None
        located.append((source, found))
    return located


def _rename_calls(
    context: _Context, fix: PlannedFix, symbol: Symbol, calls: list[tuple[SourceFile, list[libcst.Call]]]
) -> bool:
    """Did you mean: rename every call to an existing method whose signature fits them all."""
    if not calls:
        return False
    project = context.project
    defined = {m for owner in [symbol, *project.classes.ancestors(symbol)]
               if (cls := project.index.class_fact(owner)) is not None for m in cls.methods}
    old = fix.finding.details["method"]
    candidates = [*(fix.finding.details.get("did_you_mean") or []), *methods.synonyms(old, defined)]
    for candidate in dict.fromkeys(candidates):
        function = _method_of(context, symbol, candidate)
        if function is None:
            continue  # a field, a property, or a method of a library base: not checked, not used
        if all(methods.signature_fits(function, call) for _, found in calls for call in found):
            for source, found in calls:
                attribute = found[0].func
                assert isinstance(attribute, libcst.Attribute)
                fix._edit(source.path, RenameAttribute(attribute, candidate))
            where = ", ".join(sorted({f"{s.path}:{s.line_of(f[0])}" for s, f in calls}))
            fix.summary = f"call {candidate}() instead of the missing {old}() ({where})"
            fix.notes.append(Note("renamed_call", {"old": old, "new": candidate, "where": where}))
            return True
    return False


def _method_of(context: _Context, symbol: Symbol, name: str) -> libcst.FunctionDef | None:
    """The definition of method `name` on the project class or the nearest project base that
    defines it (None for fields, properties and library members)."""
    project = context.project
    for owner in [symbol, *sorted(project.classes.ancestors(symbol), key=str)]:
        cls = project.index.class_fact(owner)
        if cls is None or name not in cls.methods:
            continue
        source = context.files.source(project.index.modules[owner.module].path)
        function = methods.method_def(source, source.find_class(cls.name, cls.span.line), name)
        return function if function is not None and methods.is_plain_method(function) else None
    return None


def _switch_import(context: _Context, fix: PlannedFix, stale: Symbol, callers: list[str]) -> bool:
    """The callers use a stale copy of the class: import the same-named class that defines the
    method instead, where they import the copy, if the live class has every method they call on
    it."""
    spec = fix.finding.fix or {}
    project = context.project
    index = project.index
    alternatives = spec.get("alternatives") or []
    live_ones = [a for a in alternatives if project.liveness.module(a["module"]) is Reach.APP]
    chosen = alternatives if len(alternatives) == 1 else live_ones
    if len(chosen) != 1 or not callers:
        return False
    alternative = chosen[0]
    live = Symbol("class", alternative["module"], alternative["class"])
    members = project.classes.members(live)
    if members is None or spec["method"] not in members:
        return False
    ops: list[tuple[str, RetargetImport]] = []
    for path in callers:
        if path in context.deleted:
            continue
        facts = index.by_path[path]
        for call in facts.attr_calls:
            receiver = project.classes.receiver(facts, call)
            if receiver is not None and receiver.cls == stale and call.method not in members:
                return False
        binding = [
            imported for imported in facts.imports
            if not imported.is_star and imported.name is not None
            and index.resolve_name(facts.module, imported.alias, imported.scope) == stale
        ]
        if not binding:
            return False
        source = context.files.source(path)
        for imported in binding:
            statement = source.statement_at(imported.line)
            if statement is None or not isinstance(statement.body[0], libcst.ImportFrom):
                return False
            ops.append((path, RetargetImport(statement, imported.alias, alternative["module"])))
    if not ops:
        return False
    for path, op in ops:
        fix._edit(path, op)
    fix.summary = f"import {stale.name} from {alternative['module']} instead of {stale.module}"
    fix.notes.append(Note("import_switched", {
        "cls": stale.name, "module": alternative["module"], "stale": stale.module,
        "method": spec["method"], "where": ", ".join(sorted({p for p, _ in ops}))}))
    return True


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


# ---- conflicts and the files after -----------------------------------------------------------------
def _resolve_conflicts(fixes: list[PlannedFix], files: _Files) -> None:
    """In plan order, a fix is left out when it deletes a file an earlier fix edits, edits a
    file an earlier fix deletes, or changes a definition an earlier fix changes or removes.
    A file deleted by two fixes is deleted by the first; the second then has nothing left to do
    unless it does more. Rewrites of names in files that the plan deletes are dropped."""
    deleted_by: dict[str, PlannedFix] = {}
    edited_by: dict[str, PlannedFix] = {}
    nodes: dict[str, list[tuple[NodeOp, PlannedFix]]] = {}
    for fix in fixes:
        if fix.skipped is not None:
            continue
        conflict = _conflict_of(fix, deleted_by, edited_by, nodes, files)
        if conflict is not None:
            fix.skipped = conflict
            continue
        already = [p for p in fix.deletes if p in deleted_by]
        if already and len(already) == len(fix.deletes) and not any(
            isinstance(op, NODE_OPS) for ops in fix.ops.values() for op in ops
        ):
            owner = deleted_by[already[0]]
            fix.skipped = Note("already_deleted", {"path": already[0], "rule": owner.finding.rule})
            continue
        fix.deletes = [p for p in fix.deletes if p not in deleted_by]
        for path in fix.deletes:
            deleted_by[path] = fix
        for path, ops in fix.ops.items():
            if any(isinstance(op, NODE_OPS) for op in ops):
                edited_by.setdefault(path, fix)
            nodes.setdefault(path, []).extend((op, fix) for op in ops if isinstance(op, NODE_OPS))
    going = set(deleted_by)
    for fix in fixes:
        fix.ops = {path: ops for path, ops in fix.ops.items() if path not in going}


def _conflict_of(
    fix: PlannedFix,
    deleted_by: dict[str, PlannedFix],
    edited_by: dict[str, PlannedFix],
    nodes: dict[str, list[tuple[NodeOp, PlannedFix]]],
    files: _Files,
) -> Note | None:
    def note(path: str, other: PlannedFix) -> Note:
        return Note("conflict", {"path": path, "rule": other.finding.rule, "summary": other.summary})

    for path in fix.deletes:
        if path in edited_by:
            return note(path, edited_by[path])
    for path, ops in fix.ops.items():
        node_ops = [op for op in ops if isinstance(op, NODE_OPS)]
        if not node_ops:
            continue
        if path in deleted_by:
            return note(path, deleted_by[path])
        source = files.source(path)
        for op in node_ops:
            for other_op, other in nodes.get(path, []):
                if _clash(source, op, other_op):
                    return note(path, other)
    return None


def _clash(source: SourceFile, a: NodeOp, b: NodeOp) -> bool:
    """Whether two operations on one file cannot both apply: one removes what the other is
    in or changes, or both change one name differently. Methods added to one class, calls
    renamed inside a class that gets a method, names moved from one import: all compose."""
    first, second = node_of(a), node_of(b)
    if isinstance(a, RemoveStatement) or isinstance(b, RemoveStatement):
        return source.contains(first, second) or source.contains(second, first)
    if first is not second:
        return False
    if isinstance(a, RenameAttribute) and isinstance(b, RenameAttribute):
        return a.new != b.new
    if isinstance(a, RetargetImport) and isinstance(b, RetargetImport):
        return a.name == b.name and a.module != b.module
    return False


def _render(fixes: list[PlannedFix], files: _Files) -> dict[str, bytes | None]:
    """Each file's content after the plan, and each fix's changes: what the fixes before it in
    the plan and it make of the file, against what the fixes before it made."""
    per_file: dict[str, list[tuple[int, Op]]] = {}
    final: dict[str, bytes | None] = {}
    for position, fix in enumerate(fixes):
        fix.changes = []
        if fix.skipped is not None:
            continue
        for path in fix.deletes:
            final[path] = None
        for path, ops in fix.ops.items():
            per_file.setdefault(path, []).extend((position, op) for op in ops)
    rendered: dict[tuple[str, int], bytes] = {}

    def content(path: str, upto: int) -> bytes:
        """The file with the operations of the fixes at positions < upto."""
        key = (path, upto)
        if key not in rendered:
            ops = [op for position, op in per_file[path] if position < upto]
            rendered[key] = files.source(path).render(ops) if ops else files.read(path)
        return rendered[key]

    for position, fix in enumerate(fixes):
        if fix.skipped is not None:
            continue
        for path in sorted(fix.ops):
            try:
                before, after = content(path, position), content(path, position + 1)
            except (ValueError, libcst.ParserSyntaxError) as error:
                fix.skipped = Note("cannot_apply", {"error": str(error).splitlines()[0]})
                fix.changes = []
                break
            if after != before:
                fix.changes.append(FileChange(path, before, after))
        else:
            fix.changes.extend(FileChange(path, files.read(path), None) for path in fix.deletes)
            if not fix.changes and fix.skipped is None:
                fix.skipped = Note("nothing_to_change", {})
    for path, placed in per_file.items():
        if path in final:
            continue
        if all(fixes[position].skipped is None for position, _ in placed):
            final[path] = content(path, len(fixes))
        else:  # a fix failed to render after all: the file without it
            final[path] = files.source(path).render([op for p, op in placed if fixes[p].skipped is None])
    return final


def _lines(data: bytes) -> list[str]:
    text = decode_source(data)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _file_patch(path: str, before: bytes, after: bytes | None) -> bytes:
    """A `diff --git` patch of one file, on its bytes."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True) if after is not None else []
    target = b"/dev/null" if after is None else f"b/{path}".encode()
    header = f"diff --git a/{path} b/{path}\n".encode()
    if after is None:
        header += b"deleted file mode 100644\n"
    body = list(difflib.diff_bytes(difflib.unified_diff, _marked(old), _marked(new), f"a/{path}".encode(), target))
    if not body:
        return b""
    body = [line if line.endswith(b"\n") else line + b"\n" for line in body]
    return header + b"".join(body)


def _marked(lines: list[bytes]) -> list[bytes]:
    """Lines for a patch: a last line without its end of line gets git's marker."""
    if lines and not lines[-1].endswith((b"\n", b"\r")):
        return [*lines[:-1], lines[-1] + b"\n\\ No newline at end of file\n"]
    return lines
