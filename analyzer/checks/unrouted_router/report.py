"""unrouted-router in the cleanup report: why the router is not mounted, each endpoint with its
mounted replacement, and a search that nothing imports the deleted module any more."""

from __future__ import annotations

from analyzer import frameworks
from analyzer.checks.unrouted_router.details import DeleteRouter, MountRouter, UnroutedDetails
from analyzer.findings import Finding, details_of, fix_of
from analyzer.fixes.plan import FileChange
from analyzer.index import ProjectIndex
from analyzer.render.writer import ReportWriter
from analyzer.reporting import FILES, Action, ActionContext, RuleReport, Search, search_module_imports


class Report(RuleReport):
    notes_in_section = frozenset({"deprecated", "import_removed"})

    def facts(self, action: Action, context: ActionContext) -> None:
        spec = fix_of(action.finding, (DeleteRouter, MountRouter))
        action.category = FILES
        action.lines_removed = context.index.by_path[spec.path].line_count if spec.path in context.index.by_path else 0
        # Whether a dropped import was also in its package's `__all__`.
        action.data = action.status != "skipped" and any(
            spec.module.rpartition(".")[2] in (facts.dunder_all or ())
            for change in action.changes
            if not change.deleted and (facts := context.index.by_path.get(change.path)) is not None
        )

    def searches(self, action: Action, after: ProjectIndex) -> list[Search]:
        spec = fix_of(action.finding, (DeleteRouter, MountRouter))
        return [search_module_imports(after, spec.module)] if spec.module else []

    def role(self, finding: Finding) -> str:
        return self.key("role")

    def involved(self, finding: Finding) -> set[str]:
        details = details_of(finding, UnroutedDetails)
        replacements = {e.replacement.file for e in details.endpoints if e.replacement is not None}
        return super().involved(finding) | replacements

    def title_name(self, finding: Finding) -> str:
        return finding.path.rpartition("/")[2]

    def section(self, w: ReportWriter, action: Action) -> list[str]:
        t = w.t
        finding = action.finding
        details = details_of(finding, UnroutedDetails)
        router = f"{finding.path.rpartition('/')[2].removesuffix('.py')}.{finding.symbol}"
        mounts = ", ".join(w.link(r.path, r.line, r.end_line) for r in finding.related) or "—"
        size = t.n("line", action.lines_removed)
        call = frameworks.framework(details.framework).mount_call(router, details.prefix)
        out = [
            f"**{t('labels.file')}**: `{finding.path}` ({size})\n",
            w.reasons_label(action.status == "skipped"),
            "- " + t(self.key("report.not_mounted"), mounts=mounts, call=call),
        ]
        endpoints = details.endpoints
        deprecated = sorted({e.deprecated_in for e in endpoints if e.deprecated_in})
        if deprecated:
            out.append("- " + t(self.key("report.deprecated"), where=", ".join(deprecated)))
        replacement_files = sorted({e.replacement.file for e in endpoints if e.replacement})
        if replacement_files:
            out.append("- " + t(self.key("report.moved"), files=", ".join(w.link(f) for f in replacement_files)))
        if details.imported_by:
            places = ", ".join(f"`{p}`" for p in details.imported_by)
            out.append("- " + t(self.key("report.imported_by"), places=places))
        out.append("")
        if action.status == "skipped":
            label = "labels.endpoints_kept"
        else:
            label = "labels.endpoints_removed_audit" if w.audit else "labels.endpoints_removed"
        out.append(f"**{t(label)}**:")
        for endpoint in endpoints:
            replacement = endpoint.replacement
            if replacement:
                out.append("- " + t(self.key("report.endpoint_replaced"), method=endpoint.method, path=endpoint.path,
                                    new_method=replacement.method, new_path=replacement.path))
            elif endpoint.deprecated_in:
                out.append("- " + t(self.key("report.endpoint_deprecated"), method=endpoint.method,
                                    path=endpoint.path, where=endpoint.deprecated_in))
            else:
                out.append("- " + t(self.key("report.endpoint_orphan"), method=endpoint.method, path=endpoint.path))
        out.append("")
        if action.status in {"fixed", "failed"}:
            out.append(w.result(self.key("report.result"), lines=size))
        return out

    def touched(self, w: ReportWriter, action: Action, change: FileChange) -> str:
        if change.deleted:
            return w.t(self.key("touched.deleted"))
        spec = fix_of(action.finding, (DeleteRouter, MountRouter))
        key = "touched.import_removed_all" if action.data else "touched.import_removed"
        return w.t(self.key(key), module=spec.module)
