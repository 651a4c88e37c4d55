"""shadowed-class in the cleanup report: the lines of the stale class, the live one quoted, and a
search that nothing imports the stale one any more."""

from __future__ import annotations

from analyzer.checks.shadowed_class.details import DeleteClass, Redefined, StaleCopy, UsedBetween
from analyzer.findings import Finding, fix_of
from analyzer.fixes.plan import FileChange
from analyzer.index import ProjectIndex
from analyzer.render.writer import ReportWriter
from analyzer.reporting import (
    CLASSES,
    Action,
    ActionContext,
    Place,
    RuleReport,
    Search,
    class_quote,
    search_name_imports,
)


class Report(RuleReport):
    def facts(self, action: Action, context: ActionContext) -> None:
        finding = action.finding
        action.category = CLASSES
        action.lines_removed = finding.end_line - finding.line + 1
        live = finding.related[0]
        cleaned = context.plan.final.get(live.path) if context.applied and action.status != "skipped" else None
        data = cleaned or context.before(live.path)
        if data is not None:
            name = fix_of(finding, DeleteClass).cls if finding.fix is not None else finding.symbol or ""
            action.quote = class_quote(live.path, data, name, live.line, context.applied)

    def searches(self, action: Action, after: ProjectIndex) -> list[Search]:
        finding = action.finding
        if not isinstance(finding.details, StaleCopy):
            return []
        spec = fix_of(finding, DeleteClass)
        module = after.by_path.get(spec.path)
        return [search_name_imports(after, module.module, spec.cls)] if module is not None else []

    def role(self, finding: Finding) -> str:
        return self.key("role")

    def section(self, w: ReportWriter, action: Action) -> list[str]:
        t = w.t
        finding = action.finding
        details = finding.details
        live = finding.related[0]
        size = t.n("line", action.lines_removed)
        out = [
            f"**{t('labels.file')}**: `{finding.path}` ({w.span(finding.line, finding.end_line)}, {size})\n",
            w.reasons_label(action.status == "skipped"),
        ]
        if isinstance(details, StaleCopy):
            users = [_parse_place(p) for p in details.live_used_by]
            out.append("- " + t(self.key("report.stale_copy"), live=w.link(live.path, live.line, live.end_line)))
            out.append("- " + t(self.key("report.live_used"), live=live.path, places=w.places(users)))
            out.append("- " + t(self.key("report.unused"), path=finding.path))
        elif isinstance(details, UsedBetween):
            places = [Place(finding.path, line) for line in details.used_at]
            out.append("- " + t(self.key("report.used_between"), where=w.link(live.path, live.line),
                                places=w.places(places)))
        elif isinstance(details, Redefined):
            out.append("- " + t(self.key("report.redefined"), where=w.link(live.path, live.line)))
        out.append("")
        quote = action.quote
        if quote is not None:
            out.append(f"**{t('labels.kept_version_audit' if w.audit else 'labels.kept_version')}**:")
            out.extend(w.code(quote))
        if action.status in {"fixed", "failed"}:
            out.append(w.result(self.key("report.result"), lines=size))
        return out

    def touched(self, w: ReportWriter, action: Action, change: FileChange) -> str:
        return w.t(self.key("touched"), cls=fix_of(action.finding, DeleteClass).cls)


def _parse_place(text: str) -> Place:
    path, _, line = text.rpartition(":")
    return Place(path, int(line)) if path and line.isdigit() else Place(text)
