"""duplicate-module in the cleanup report: the copy's lines, how alike it is, who imported it, the
aliases the survivor keeps (quoted), and a search that nothing imports the copy any more."""

from __future__ import annotations

from analyzer.checks.duplicate_module.details import DeleteCopy, DuplicateDetails
from analyzer.findings import Finding, details_of, fix_of
from analyzer.fixes.plan import FileChange
from analyzer.index import ProjectIndex
from analyzer.render.writer import ReportWriter
from analyzer.reporting import (
    FILES,
    Action,
    ActionContext,
    Place,
    Quote,
    RuleReport,
    Search,
    search_module_imports,
    text_lines,
)


class Report(RuleReport):
    notes_in_section = frozenset({"aliases_present"})

    def facts(self, action: Action, context: ActionContext) -> None:
        finding = action.finding
        spec = fix_of(finding, DeleteCopy)
        action.category = FILES
        action.lines_removed = context.index.by_path[spec.path].line_count if spec.path in context.index.by_path else 0
        data = context.plan.final.get(spec.survivor) if action.status != "skipped" else None
        if data is None:
            data = context.before(spec.survivor)
        names = [a.name for a in details_of(finding, DuplicateDetails).aliases]
        action.quote = _alias_quote(spec.survivor, data, names) if data is not None else None

    def searches(self, action: Action, after: ProjectIndex) -> list[Search]:
        return [search_module_imports(after, fix_of(action.finding, DeleteCopy).module)]

    def role(self, finding: Finding) -> str:
        return self.key("role")

    def title_name(self, finding: Finding) -> str:
        return finding.path.rpartition("/")[2]

    def section(self, w: ReportWriter, action: Action) -> list[str]:
        t = w.t
        finding = action.finding
        details = details_of(finding, DuplicateDetails)
        original = finding.related[0].path
        renames = ", ".join(f"{old} → {new}" for old, new in details.renames.items()) or "—"
        percent = f"{details.similarity * 100:.1f}".rstrip("0").rstrip(".")
        out = [
            f"**{t('labels.file')}**: `{finding.path}` ({t.n('line', action.lines_removed)})\n",
            w.reasons_label(action.status == "skipped"),
            "- " + t(self.key("report.copy_of"), original=original, percent=percent, renames=renames),
        ]
        users = details.copy_referenced_by
        if users:
            places = w.places([Place(u.path, u.line) for u in users])
            out.append("- " + t(self.key("report.used"), places=places, original=original))
        else:
            out.append("- " + t(self.key("report.unused")))
        present = any(a.present for a in details.aliases)
        added = bool(fix_of(finding, DeleteCopy).add_aliases) and action.status != "skipped"
        if present or added:
            key = "report.aliases_present" if present else "report.aliases_added"
            out.append("- " + t(self.key(key + ("_audit" if w.audit and not present else "")), original=original))
        elif details.aliases:
            out.append("- " + t(self.key("report.no_aliases")))
        out.append("")
        quote = action.quote
        if quote is not None and (present or added):
            label = w.link(quote.path, quote.start, quote.end)
            out.append(f"**{t('labels.replaced_by')}**: " + t(self.key("report.replaced_by"), link=label))
            out.extend(w.code(quote))
        if action.status in {"fixed", "failed"}:
            key = "report.result_aliases" if present or added else "report.result"
            out.append(w.result(self.key(key), lines=t.n("line", action.lines_removed)))
        return out

    def touched(self, w: ReportWriter, action: Action, change: FileChange) -> str:
        spec = fix_of(action.finding, DeleteCopy)
        if change.deleted:
            return w.t(self.key("touched.deleted"), original=spec.survivor)
        if change.path == spec.survivor:
            return w.t(self.key("touched.aliases_added"))
        return w.t(self.key("touched.imports_rewritten"), module=spec.module)


def _alias_quote(path: str, data: bytes, names: list[str]) -> Quote | None:
    """The `Old = New` aliases, with the comment right above them."""
    lines = text_lines(data)
    hits = [n for n, line in enumerate(lines, 1) if any(line.startswith(f"{name} = ") for name in names)]
    if not hits:
        return None
    start = min(hits)
    while start > 1 and lines[start - 2].lstrip().startswith("#"):
        start -= 1
    end = max(hits)
    return Quote(path, start, end, "\n".join(lines[start - 1 : end]), end)
