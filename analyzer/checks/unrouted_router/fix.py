"""unrouted-router's fix: when every endpoint has a mounted replacement or is documented as
deprecated (or with `--drop-unrouted`), delete the module, its imports, the comments that name it
and, through the plan's cascade, the modules only it reached; otherwise say how to mount it. A
module still used, or that also holds the application or a mounted router, is never deleted."""

from __future__ import annotations

from analyzer import frameworks
from analyzer.checks.unrouted_router.details import RULE_ID, DeleteRouter, MountRouter, UnroutedDetails
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding, details_of, fix_of
from analyzer.fixes.context import Edits, FixContext, Note, drop_comments, star_import
from analyzer.fixes.transforms import RemoveModuleImports
from analyzer.routing import RouterNode


def fix(finding: Finding, context: FixContext) -> Edits:
    spec = fix_of(finding, (DeleteRouter, MountRouter))
    details = details_of(finding, UnroutedDetails)
    index = context.project.index
    if isinstance(spec, MountRouter) and not context.options.drop_unrouted:
        unreplaced = [e for e in details.endpoints if not e.replacement and not e.deprecated_in]
        return Edits(skipped=Note("not_deleted_unreplaced", {
            "count": len(unreplaced), "include": mount_advice(spec, details)}, RULE_ID))
    facts = index.by_path[spec.path]
    importers: list[str] = []
    for reference in context.project.module_references(facts.module):
        if reference.path in context.deleted:
            continue
        importer = index.by_path[reference.path]
        if reference.how != "import" or _uses(importer, _bound_names(importer, facts.module), reference.line):
            where = f"{reference.path}:{reference.line}"
            return Edits(skipped=Note("not_deleted_used", {"where": where, "module": facts.module}, RULE_ID))
        importers.append(reference.path)
    shared = _live_neighbour(context, spec.path, finding.symbol)
    if shared is not None:
        where = f"{shared.path}:{shared.span.line}"
        return Edits(skipped=Note("not_deleted_shared", {
            "module": facts.module, "other": shared.symbol.name, "where": where}, RULE_ID))
    star = star_import(index, importers, {facts.module})
    if star:
        return Edits(skipped=star)
    edits = Edits(deletes=[spec.path], cascade=True)
    for path in sorted(set(importers)):
        package = index.by_path[path].module
        edits.edit(path, RemoveModuleImports(package, facts.module))
        edits.notes.append(Note("import_removed", {"module": facts.module, "path": path}, RULE_ID))
    drop_comments(context, edits, [facts])
    deprecated = sorted({e.deprecated_in for e in details.endpoints if e.deprecated_in})
    if deprecated:
        edits.notes.append(Note("deprecated", {"where": ", ".join(deprecated)}, RULE_ID))
    return edits


def _live_neighbour(context: FixContext, path: str, router: str | None) -> RouterNode | None:
    """An application, or a mounted router, that the module of the unrouted one also holds (the
    application module itself, or a module of route handlers of which one is unlisted): deleting
    the module would delete it too."""
    graph = context.project.mounts
    return next(
        (
            node for node in sorted(graph.nodes.values(), key=lambda n: n.span.line)
            if node.path == path and node.symbol.name != router and (node.is_app or node.symbol in graph.reachable)
        ),
        None,
    )


def mount_advice(spec: MountRouter, details: UnroutedDetails) -> str:
    """The line that mounts the router, in its framework's words."""
    return frameworks.mount_advice(details.framework, f"{spec.module.rpartition('.')[2]}.{spec.router}", details.prefix)


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
