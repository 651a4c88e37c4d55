"""Markdown summary (`--format markdown`): a compact findings table for `$GITHUB_STEP_SUMMARY`
or a pull-request comment, with the diagnostics folded away in a `<details>` block."""

from __future__ import annotations

from analyzer.findings import Diagnostic, Finding, Folded
from analyzer.render.i18n import Text
from analyzer.scan import ScanResult

__all__ = ["render"]


def render(result: ScanResult) -> str:
    t = Text("en")
    parts: list[str] = []
    if result.findings:
        parts.append(f"## code-hygiene: {t.n('finding', len(result.findings))}")
        rows = ["| Rule | Location | Symbol | Message |", "|---|---|---|---|"]
        for finding in result.findings:
            rows.append(_row(finding))
            rows += [_folded_row(item) for item in finding.folded]
        parts.append("\n".join(rows))
    else:
        parts.append(f"code-hygiene: no findings {t.n('file_in', result.files)}.")
    if result.diagnostics:
        items = "\n".join(_diagnostic(diagnostic) for diagnostic in result.diagnostics)
        parts.append(
            f"<details>\n<summary>{t.n('diagnostic', len(result.diagnostics))}</summary>\n\n{items}\n\n</details>"
        )
    return "\n\n".join(parts) + "\n"


def _row(finding: Finding) -> str:
    span = str(finding.line) if finding.end_line == finding.line else f"{finding.line}-{finding.end_line}"
    message = finding.message if finding.confidence == "high" else f"*(uncertain)* {finding.message}"
    cells = [
        _code(finding.rule),
        _code(f"{finding.path}:{span}"),
        _code(finding.symbol) if finding.symbol else "",
        _cell(message),
    ]
    return "| " + " | ".join(cells) + " |"


def _folded_row(item: Folded) -> str:
    """A finding folded into the module finding above it: a sub-row, marked with ↳."""
    cells = [
        "↳ " + _code(item.rule),
        _code(f"{item.path}:{item.line}"),
        _code(item.symbol) if item.symbol else "",
        _cell(item.message),
    ]
    return "| " + " | ".join(cells) + " |"


def _diagnostic(diagnostic: Diagnostic) -> str:
    where = diagnostic.path or "."
    if diagnostic.line is not None:
        where += f":{diagnostic.line}"
    return f"- {_code(where)}: {_one_line(diagnostic.message)}"


def _code(value: str) -> str:
    """`value` as a code span inside a table cell (pipes stay escaped: GFM unescapes them
    before it parses the span)."""
    if "`" in value:
        return _cell(value)
    return f"`{_cell(value)}`"


def _cell(value: str) -> str:
    return _one_line(value, "<br>").replace("|", "\\|")


def _one_line(value: str, separator: str = " ") -> str:
    return separator.join(value.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
