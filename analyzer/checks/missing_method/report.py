"""missing-method in the cleanup report: each call site with how its receiver's class is known,
who else calls the method, and the method added (quoted) or the calls corrected."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.checks.missing_method.details import CallSite, MethodFix, MissingDetails
from analyzer.findings import Finding, details_of, fix_of
from analyzer.fixes.plan import FileChange
from analyzer.index import ProjectIndex
from analyzer.project import is_test_module
from analyzer.render.writer import ReportWriter
from analyzer.reporting import (
    CALLS,
    METHODS,
    Action,
    ActionContext,
    Place,
    RuleReport,
    definition_quote,
    text_lines,
)

# How a missing method is fixed without adding it: shown as the action's solution.
_CALL_FIXES = frozenset({"renamed_call", "import_switched"})


@dataclass(frozen=True)
class Site:
    """A call of the missing method, with where its receiver's class was read (`source`: the
    file and line of the annotation or assignment, or None when it cannot be placed for sure)."""

    call: CallSite
    source: Place | None

    @property
    def place(self) -> Place:
        return Place(self.call.path, self.call.line)


@dataclass(frozen=True)
class Callers:
    """Every call of a method's name in the project (any receiver), split by what the plan does."""

    in_removed: tuple[Place, ...]
    tests: tuple[Place, ...]
    others: tuple[Place, ...]


@dataclass(frozen=True)
class Figures:
    sites: tuple[Site, ...]
    callers: Callers


class Report(RuleReport):
    notes_in_section = frozenset({"stub_not_fixed", *_CALL_FIXES})

    def facts(self, action: Action, context: ActionContext) -> None:
        finding = action.finding
        details = details_of(finding, MissingDetails)
        spec = fix_of(finding, MethodFix)
        index = context.index
        removed = set(context.plan.deleted) if action.status != "skipped" else set()
        action.data = Figures(
            tuple(Site(site, _evidence_source(site, index, context)) for site in details.call_sites),
            _callers(index, details.method, removed),
        )
        # What the reader finds in the tree: the cleaned tree once applied, else the tree as it is
        # (and, for code the audit would add, the planned content).
        if action.status in {"fixed", "stub", "failed"}:
            final = context.plan.final.get(spec.path)
            if final is not None:
                action.quote = definition_quote(spec.path, final, spec.method, within=spec.cls)
                if action.quote:
                    action.lines_added = action.quote.lines
        action.category = METHODS if action.quote is not None else CALLS

    def role(self, finding: Finding) -> str:
        return self.key("role")

    def title_name(self, finding: Finding) -> str:
        return (finding.symbol or "").rpartition(".")[2] + "()"

    def section(self, w: ReportWriter, action: Action) -> list[str]:
        t = w.t
        details = details_of(action.finding, MissingDetails)
        figures = action.data
        assert isinstance(figures, Figures)
        method, cls = details.method, details.cls
        related = action.finding.related[0]
        quote = action.quote
        if quote is not None and not w.audit:
            where = w.link(quote.path, quote.start, quote.end)
        else:
            where = t(self.key("report.class_at"), link=w.link(related.path, related.line, related.end_line), cls=cls)
        sites = [site.place for site in figures.sites]
        out = [
            f"**{t('labels.file')}**: {where}\n",
            f"**{t('labels.problem')}**: "
            + t(self.key("report.problem"), method=method, sites=w.places(sites, limit=10)) + "\n",
        ]
        for site in figures.sites:
            evidence = site.call.evidence
            key = self.key(f"report.evidence.{evidence.kind}")
            how = t(key if t.has(key) else self.key("report.evidence.value"), expr=evidence.expr or "")
            if site.source is not None:
                how += f" ({site.source.path}:{site.source.line})"
            if site.call.alias_of:
                how += t(self.key("report.evidence.alias"), cls=site.call.alias_of)
            out.append("- " + t(self.key("report.inferred"), receiver=site.call.receiver, where=w.place(site.place),
                                how=how))
        out.extend(self._callers(w, method, figures.callers))
        out.append("")
        if quote is not None and action.status in {"fixed", "stub", "failed"}:
            kind = "stub" if action.status == "stub" else "method"
            out.append(f"**{t('labels.solution')}**: "
                       + t(self.key(f"report.solution_{kind}{'_audit' if w.audit else ''}"), method=method, cls=cls))
            out.extend(w.code(quote))
            if action.status == "stub":
                out.append(w.result(self.key("report.result_stub"), method=method, sites=w.places(sites)))
            else:
                key = "report.result" if w.compiles(quote.path) else "report.result_not_compiling"
                at = w.link(quote.path, quote.start, quote.end) if not w.audit else w.span(quote.start, quote.end)
                out.append(w.result(self.key(key), method=method, at=at, path=quote.path))
        elif action.status in {"fixed", "failed"}:
            # fixed without a new method: the calls renamed to an existing one, or the import switched
            ways = [n for n in action.notes if n.key in _CALL_FIXES and t.has(n.catalogue_key("notes"))]
            if ways:
                solution = "; ".join(t(n.catalogue_key("notes"), **n.params) for n in ways)
                out.append(f"**{t('labels.solution')}**: {solution}\n")
            changed = sorted({c.path for c in action.changes})
            compiles = all(w.compiles(p) for p in changed)
            key = "report.result_calls" if compiles else "report.result_calls_not_compiling"
            out.append(w.result(self.key(key), files=", ".join(f"`{p}`" for p in changed)))
        return out

    def _callers(self, w: ReportWriter, method: str, callers: Callers) -> list[str]:
        t = w.t
        removed = sorted({p.path for p in callers.in_removed})
        if not callers.tests and not callers.others and removed:
            files = ", ".join(f"`{p}`" for p in removed)
            return ["- " + t(self.key("report.callers_all_removed"), method=method, files=files)]
        if callers.tests and not callers.others:
            key = "report.callers_tests_left" if removed else "report.callers_only_tests"
            return ["- " + t(self.key(key), method=method, places=w.places(list(callers.tests)))]
        if callers.others and removed:
            places = w.places(list(callers.others + callers.tests))
            return ["- " + t(self.key("report.callers_others_left"), places=places)]
        return []

    def touched(self, w: ReportWriter, action: Action, change: FileChange) -> str:
        spec = fix_of(action.finding, MethodFix)
        key = "touched.stub_added" if action.status == "stub" else "touched.method_added"
        return w.t(self.key(key), method=spec.method, cls=spec.cls)


def _evidence_source(site: CallSite, index: ProjectIndex, context: ActionContext) -> Place | None:
    """The file and line where a receiver's class was read. The evidence names a line, not its
    file: the call's own file when an assignment or annotation there, or that line's text,
    names the expression; else the one other module whose assignment at that line names it;
    None when that is not certain (no line is then shown, rather than one next to the wrong
    file)."""
    line, expr = site.evidence.line, site.evidence.expr or ""
    if not line or site.evidence.kind == "class":
        return None
    holders = {
        facts.path
        for facts in index.modules.values()
        for binding in facts.bindings
        if binding.line == line and expr in {binding.callee, binding.annotation, binding.value}
    }
    holders |= {
        facts.path
        for facts, cls in index.classes()
        for _, attribute in cls.attribute_types
        if attribute.line == line and attribute.expr == expr
    }
    if site.path in holders:
        return Place(site.path, line)
    name = expr.rpartition(".")[2]
    data = context.before(site.path)
    lines = text_lines(data) if data is not None else []
    if name and 0 < line <= len(lines) and name in lines[line - 1]:
        return Place(site.path, line)
    return Place(holders.pop(), line) if len(holders) == 1 else None


def _callers(index: ProjectIndex, method: str, removed: set[str]) -> Callers:
    """Every `x.method(...)` call and `getattr(x, "method")` in the project, whatever `x` is."""
    modules = index.modules.values()
    places = sorted(
        {(facts.path, call.line) for facts in modules for call in facts.attr_calls if call.method == method}
        | {(facts.path, line) for facts in modules for name, line in facts.looked_up_names if name == method}
    )
    in_removed = tuple(Place(p, line) for p, line in places if p in removed)
    left = [(p, line) for p, line in places if p not in removed]
    tests = tuple(Place(p, line) for p, line in left if is_test_module(index.by_path[p]))
    others = tuple(Place(p, line) for p, line in left if not is_test_module(index.by_path[p]))
    return Callers(in_removed, tests, others)
