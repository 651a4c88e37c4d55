"""orphan-module's fix: delete the module (or the dead package, as a package), the imports of it
in modules that stay, and the comments that name it."""

from __future__ import annotations

from analyzer.checks.orphan_module.details import RULE_ID, DeleteModules
from analyzer.findings import Finding, fix_of
from analyzer.fixes.context import Edits, FixContext, Note, drop_comments, package_of, star_import
from analyzer.fixes.transforms import RemoveModuleImports


def fix(finding: Finding, context: FixContext) -> Edits:
    spec = fix_of(finding, DeleteModules)
    index = context.project.index
    paths = list(spec.paths or [spec.path])
    gone = [index.by_path[p] for p in paths if p in index.by_path]
    modules = {facts.module for facts in gone}
    staying = [p for p in spec.unimport_from if p not in context.deleted and p not in paths]
    star = star_import(index, staying, modules)
    if star:
        return Edits(skipped=star)
    edits = Edits(deletes=paths)
    if spec.action == "delete-package":
        edits.notes.append(Note("package_deleted", {"module": spec.module, "count": len(paths)}, RULE_ID))
    for path in staying:
        importer = index.by_path[path]
        imported = sorted(m for m in modules if m in {t for i in importer.imports for t in index.imported_modules(i)})
        for module in imported:
            edits.edit(path, RemoveModuleImports(package_of(importer), module))
    if staying:
        edits.notes.append(Note("imports_dropped", {"paths": ", ".join(staying)}, RULE_ID))
    drop_comments(context, edits, gone)
    return edits
