"""orphan-module in the cleanup report: the lines of the dead module or package, who imported it,
and a search that nothing imports it any more."""

from __future__ import annotations

from analyzer.checks.orphan_module.details import DeleteModules, OrphanDetails
from analyzer.findings import Finding, details_of, fix_of
from analyzer.fixes.plan import FileChange
from analyzer.index import ProjectIndex
from analyzer.render.writer import ReportWriter
from analyzer.reporting import FILES, Action, ActionContext, Place, RuleReport, Search, search_module_imports


class Report(RuleReport):
    def facts(self, action: Action, context: ActionContext) -> None:
        spec = fix_of(action.finding, DeleteModules)
        action.category = FILES
        paths = spec.paths or (spec.path,)
        action.lines_removed = sum(context.index.by_path[p].line_count for p in paths if p in context.index.by_path)

    def searches(self, action: Action, after: ProjectIndex) -> list[Search]:
        spec = fix_of(action.finding, DeleteModules)
        return [search_module_imports(after, spec.module)] if spec.module else []

    def role(self, finding: Finding) -> str:
        return self.key("role")

    def title_name(self, finding: Finding) -> str:
        return finding.path.rpartition("/")[2]

    def section(self, w: ReportWriter, action: Action) -> list[str]:
        t = w.t
        finding = action.finding
        details = details_of(finding, OrphanDetails)
        modules = details.modules or (finding.path,)
        size = t.n("line", action.lines_removed)
        if len(modules) > 1:
            what = t(self.key("report.package"), path=finding.path.rpartition("/")[0] + "/",
                     modules=t.n("module", len(modules)), lines=size)
        else:
            what = f"`{finding.path}` ({size})"
        out = [f"**{t('labels.file')}**: {what}\n", w.reasons_label(action.status == "skipped")]
        out.append("- " + t(self.key("report.tests_only" if details.reach == "tests" else "report.unreached")))
        if details.imported_at:
            places = [Place(site.path, site.line) for site in details.imported_at]
            out.append("- " + t(self.key("report.imported_at"), places=w.places(places)))
        out.append("")
        if action.status in {"fixed", "failed"}:
            out.append(w.result(self.key("report.result"), lines=size))
        return out

    def touched(self, w: ReportWriter, action: Action, change: FileChange) -> str:
        if change.deleted:
            return w.t(self.key("touched.deleted"))
        return w.t(self.key("touched.import_removed"), module=fix_of(action.finding, DeleteModules).module)
