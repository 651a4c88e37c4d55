"""The pen of the cleanup report: links, places, code blocks and catalogue sentences, shared by
`render/report.py` and each rule's section (`RuleReport.section`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analyzer.render.i18n import Text

if TYPE_CHECKING:
    from analyzer.reporting import CleanupReport, Place, Quote


class ReportWriter:
    """Writes in `lang` for `report`; `audit` when nothing was applied (the sentences then say
    what would happen). Links are relative to the project root, prefixed with `link_base`."""

    def __init__(self, report: CleanupReport, lang: str, link_base: str) -> None:
        self.report = report
        self.t = Text(lang)
        self.base = link_base
        self.audit = not report.applied

    # ---- links and places --------------------------------------------------------------------
    def link(self, path: str, start: int | None = None, end: int | None = None) -> str:
        """`[path:61-68](path#L61-L68)`: the text names the lines, the anchor opens them."""
        target = self.base + path
        if start is None:
            return f"[{path}]({target})"
        if end is None or end == start:
            return f"[{path}:{start}]({target}#L{start})"
        return f"[{path}:{start}-{end}]({target}#L{start}-L{end})"

    def place(self, place: Place) -> str:
        return self.link(place.path, place.line, place.end_line)

    def places(self, places: tuple[Place, ...] | list[Place], limit: int = 5) -> str:
        shown = ", ".join(self.place(p) for p in places[:limit])
        if len(places) > limit:
            shown += " " + self.t("more", count=len(places) - limit)
        return shown

    def span(self, start: int, end: int) -> str:
        """"line 16" or "lines 16-20"."""
        return self.t("span.one", line=start) if start == end else self.t("span.range", start=start, end=end)

    def code(self, quote: Quote) -> list[str]:
        header = f"# {quote.path}:{quote.start}-{quote.shown_end}" if quote.shortened else None
        body = ([header] if header else []) + [quote.code.rstrip("\n")]
        out = ["```python", *body, "```"]
        if quote.shortened:
            key = "quote.signature" if quote.signature_only else "quote.beginning"
            link = self.link(quote.path, quote.start, quote.end)
            out.append(self.t(key, lines=self.t.n("line", quote.lines), link=link))
        out.append("")
        return out

    # ---- common lines of a section -----------------------------------------------------------
    def result(self, key: str, **params: Any) -> str:
        """The `**Result**:` line: the catalogue's `key`, or its `_audit` form in an audit."""
        return f"**{self.t('labels.result')}**: " + self.t(f"{key}{'_audit' if self.audit else ''}", **params) + "\n"

    def reasons_label(self, skipped: bool) -> str:
        """`**Reason for removal**:`, or `**Why it is reported**:` when nothing is removed."""
        return f"**{self.t('labels.why' if skipped else 'labels.reasons')}**:"

    def compiles(self, path: str) -> bool:
        """Whether the changed file compiles (as verified)."""
        return all(check.ok for check in self.report.compiles if check.subject == path)
