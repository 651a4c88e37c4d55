"""shadowed-route in the cleanup report: which route answers first, and what the fix moved or
deleted."""

from __future__ import annotations

from analyzer.checks.shadowed_route.details import DeleteMount, DeleteRoute, MoveRoute, ShadowedDetails
from analyzer.findings import Finding, details_of
from analyzer.fixes.plan import FileChange
from analyzer.render.writer import ReportWriter
from analyzer.reporting import Action, RuleReport


class Report(RuleReport):
    def role(self, finding: Finding) -> str:
        return self.key("role")

    def title_name(self, finding: Finding) -> str:
        details = details_of(finding, ShadowedDetails)
        if details.kind == "mounted-twice":
            return finding.symbol or finding.path  # the router mounted again
        return f"{'/'.join(details.methods)} {details.path}"

    def section(self, w: ReportWriter, action: Action) -> list[str]:
        t = w.t
        finding = action.finding
        details = details_of(finding, ShadowedDetails)
        first = details.shadowed_by
        route = f"{'/'.join(details.methods)} {details.path}"
        out = [
            f"**{t('labels.file')}**: {w.link(finding.path, finding.line)}\n",
            w.reasons_label(action.status == "skipped"),
        ]
        if details.kind == "mounted-twice":
            mount = finding.related[0]
            out.append("- " + t(self.key("report.mounted_twice"), router=finding.symbol,
                                first=w.link(mount.path, mount.line), count=details.endpoints))
        else:
            key = "report.order" if details.kind == "order" else "report.duplicate"
            out.append("- " + t(self.key(key), route=route, handler=details.handler,
                                first=f"{'/'.join(first.methods)} {first.path}", first_handler=first.handler,
                                where=w.link(first.file, first.line)))
        out.append("- " + t(self.key("report.application"), application=details.application))
        out.append("")
        if action.status in {"fixed", "failed"}:
            spec = finding.fix
            if isinstance(spec, MoveRoute):
                out.append(w.result(self.key("report.result_moved"), handler=spec.handler, before=spec.before_handler))
            elif isinstance(spec, DeleteRoute):
                out.append(w.result(self.key("report.result_deleted"), handler=spec.handler, first=first.handler))
            elif isinstance(spec, DeleteMount):
                out.append(w.result(self.key("report.result_unmounted"), router=spec.router))
        return out

    def touched(self, w: ReportWriter, action: Action, change: FileChange) -> str:
        spec = action.finding.fix
        if isinstance(spec, MoveRoute):
            return w.t(self.key("touched.moved"), handler=spec.handler, before=spec.before_handler)
        if isinstance(spec, DeleteRoute):
            return w.t(self.key("touched.deleted"), handler=spec.handler)
        return w.t(self.key("touched.unmounted"), router=action.finding.symbol)
