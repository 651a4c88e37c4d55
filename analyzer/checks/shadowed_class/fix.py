"""shadowed-class's fix: delete the stale class, then the imports only it used (the live class is
never touched)."""

from __future__ import annotations

from analyzer.checks.shadowed_class.details import DeleteClass
from analyzer.findings import Finding, fix_of
from analyzer.fixes.context import Edits, FixContext
from analyzer.fixes.transforms import RemoveStatement


def fix(finding: Finding, context: FixContext) -> Edits:
    spec = fix_of(finding, DeleteClass)
    source = context.files.source(spec.path)
    edits = Edits()
    edits.edit(spec.path, RemoveStatement(source.find_class(spec.cls, spec.line)))
    return edits
