"""The planner: each finding's fix as operations on the files' original syntax trees, planned
together until the set of deleted files is stable, then rendered (see `plan.py` for what a
plan is and says). Imported only when a plan is not in the cache: it needs libcst."""

from __future__ import annotations

from collections import deque

import libcst

from analyzer.checks import rule_of
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding
from analyzer.fixes.context import Edits, Files, FixContext, Note, PlanOptions, drop_comments
from analyzer.fixes.plan import FileChange, FixPlan, PlannedFix
from analyzer.fixes.transforms import (
    NODE_OPS,
    MoveStatement,
    NodeOp,
    Op,
    RemoveStatement,
    RenameAttribute,
    RetargetImport,
    SourceFile,
    node_of,
)
from analyzer.index import ProjectIndex
from analyzer.liveness import RUN_BY_CONVENTION, Liveness, Reach
from analyzer.project import Project
from analyzer.scan import ScanResult

_FIXPOINT_ROUNDS = 5


def planned(result: ScanResult, options: PlanOptions) -> FixPlan:
    project = result.project
    files = Files(result.root)
    fixes = [
        PlannedFix(finding=f, summary=rule_of(f).fix_summary(f, options))
        for f in result.findings if _selected(f, options)
    ]
    # The files each fix deletes decide what the others do (references in a deleted file are
    # not rewritten; a method whose callers all go is an orphan), and a fix that turns out not
    # to apply deletes nothing: plan again until the set of deleted files is stable.
    deleted = {path for fix in fixes for path in _intended_deletions(fix, options)}
    what_if: dict[frozenset[str], Liveness] = {}
    for _ in range(_FIXPOINT_ROUNDS):
        context = FixContext(project, files, options, deleted, what_if)
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


def _intended_deletions(fix: PlannedFix, options: PlanOptions) -> list[str]:
    if fix.uncertain and not options.include_uncertain:
        return []
    return rule_of(fix.finding).intended_deletions(fix.finding, options)


def _plan_fix(context: FixContext, fix: PlannedFix) -> None:
    """Ask the finding's rule for its edits, from the files as they are."""
    fix.reset()
    if fix.uncertain and not context.options.include_uncertain:
        fix.skipped = Note("uncertain", {})
        return
    if fix.uncertain:
        fix.notes.append(Note("uncertain", {}))
    try:
        edits = rule_of(fix.finding).fix(fix.finding, context)
    except (ValueError, SyntaxError, UnicodeDecodeError, OSError, libcst.ParserSyntaxError) as error:
        fix.skipped = Note("cannot_apply", {"error": str(error).splitlines()[0] if str(error) else repr(error)})
        return
    fix.take(edits)


# ---- deletion follows liveness ------------------------------------------------------------------
def _follow_liveness(context: FixContext, fixes: list[PlannedFix]) -> None:
    """A fix that deletes with `cascade` (a router module) also deletes the modules only it
    reached (what it mounted, and what only those import): the liveness of the project without
    the deleted modules says which modules the application no longer reaches. Modules still
    imported or named from a module that stays are kept; routers it mounted in modules that stay
    are named in a note."""
    routers = [f for f in fixes if f.cascade and f.skipped is None and f.deletes]
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
            comments = Edits(deletes=list(fix.deletes))
            drop_comments(context, comments, [index.by_path[p] for p in mine])
            fix.notes.extend(comments.notes)
            for path, ops in comments.ops.items():
                fix.ops.setdefault(path, []).extend(ops)
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


def _unmounted_routers(context: FixContext, fix: PlannedFix, going: set[str]) -> None:
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


# ---- conflicts and the files after -----------------------------------------------------------------
def _resolve_conflicts(fixes: list[PlannedFix], files: Files) -> None:
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
    files: Files,
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
    if isinstance(a, MoveStatement) and isinstance(b, MoveStatement):
        # Two statements moved before one: both arrive, in their order. A moved anchor: no.
        return a.node is b.node or a.node is b.before or b.node is a.before
    for move, other in ((a, b), (b, a)):
        if isinstance(move, MoveStatement):
            return isinstance(other, RemoveStatement) and any(
                source.contains(node, other.node) or source.contains(other.node, node)
                for node in (move.node, move.before)
            )
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


def _render(fixes: list[PlannedFix], files: Files) -> dict[str, bytes | None]:
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
