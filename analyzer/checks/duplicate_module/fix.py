"""duplicate-module's fix: delete the copy, give the survivor the copy's old names when code used
them (`Old = New`), and point every import and dotted string of the copy at the survivor."""

from __future__ import annotations

from analyzer.checks.duplicate_module.details import RULE_ID, DeleteCopy, DuplicateDetails
from analyzer.findings import Finding, details_of, fix_of
from analyzer.fixes.context import Edits, FixContext, Note, package_of, star_import
from analyzer.fixes.transforms import AppendAliases, RewriteReferences


def fix(finding: Finding, context: FixContext) -> Edits:
    spec = fix_of(finding, DeleteCopy)
    details = details_of(finding, DuplicateDetails)
    index = context.project.index
    aliases = tuple((a.name, a.target) for a in spec.add_aliases)
    referencing = sorted({ref.path for ref in spec.rewrite_references} - context.deleted)
    star = star_import(index, referencing, {spec.module})
    if star:
        return Edits(skipped=star)
    edits = Edits(deletes=[spec.path])
    present = [a for a in details.aliases if a.present and a.line is not None]
    if present:
        lines = [a.line for a in present if a.line is not None]
        edits.notes.append(Note("aliases_present", {
            "path": spec.survivor, "start": min(lines), "end": max(lines),
            "aliases": ", ".join(f"{a.name} = {a.target}" for a in present)}, RULE_ID))
    exported = frozenset(index.by_path[spec.survivor].defined_names() | {name for name, _ in aliases})
    if aliases:
        comment = f"Old names kept for code that imported the removed {spec.module}"
        edits.edit(spec.survivor, AppendAliases(aliases, comment))
    for path in referencing:
        edits.edit(path, RewriteReferences(
            package_of(index.by_path[path]), spec.module, spec.survivor_module,
            tuple(sorted(details.renames.items())), exported))
    if spec.rewrite_references:
        edits.notes.append(Note("references_rewritten", {
            "module": spec.module, "count": len({r.path for r in spec.rewrite_references})}, RULE_ID))
    return edits
