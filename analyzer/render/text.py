"""Human output (`--format text`): findings grouped by rule, each with its evidence and fix."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from analyzer.checks import rule_of
from analyzer.findings import Finding
from analyzer.render.i18n import Text
from analyzer.scan import ScanResult

EXCERPT_LINES = 3


def render(result: ScanResult, console: Console) -> None:
    certain = [f for f in result.findings if f.confidence == "high"]
    uncertain = [f for f in result.findings if f.confidence != "high"]
    _grouped(certain, console, "", result.root)
    if uncertain:
        console.print("[bold yellow]Uncertain[/bold yellow] (reported apart; they fail only with --strict)\n")
        _grouped(uncertain, console, " uncertain", result.root)
    for diagnostic in result.diagnostics:
        where = f"{diagnostic.path}:{diagnostic.line}" if diagnostic.line else diagnostic.path
        console.print(f"[yellow]note[/yellow] {escape(where)}: {escape(diagnostic.message)}")
    t = Text("en")
    summary = (
        f"{t.n('finding', len(result.findings))} {t.n('file_in', result.files)} "
        f"({t.n('line', result.lines)}, {result.seconds:.2f}s)"
    )
    console.print(f"[bold red]{summary}[/bold red]" if result.findings else f"[green]{summary}[/green]")


def _grouped(findings: list[Finding], console: Console, label: str, root: Path) -> None:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.rule].append(finding)
    for rule, group in sorted(by_rule.items()):
        console.print(f"[bold]{rule}[/bold] ({len(group)}{label})")
        for finding in group:
            _finding(finding, console, root)
        console.print()


def _finding(finding: Finding, console: Console, root: Path) -> None:
    span = f"{finding.line}" if finding.line == finding.end_line else f"{finding.line}-{finding.end_line}"
    symbol = f" [cyan]{escape(finding.symbol)}[/cyan]" if finding.symbol else ""
    console.print(f"  [bold]{escape(finding.path)}:{span}[/bold]{symbol}")
    for number, text in _excerpt(root / finding.path, finding.line):
        console.print(f"    [dim]{number:>5} |[/dim] {escape(text)}", highlight=False)
    console.print(f"    {escape(finding.message)}")
    for line in finding.evidence:
        console.print(f"    [dim]- {escape(line)}[/dim]")
    for related in finding.related:
        console.print(
            f"    [dim]see {escape(related.path)}:{related.line}-{related.end_line} ({escape(related.note)})[/dim]"
        )
    for item in finding.folded:
        console.print(
            f"    [dim]also inside: {escape(item.path)}:{item.line} {escape(item.rule)}: "
            f"{escape(item.message)}[/dim]"
        )
    if finding.fix is not None:
        console.print(f"    [green]fix:[/green] {escape(rule_of(finding).describe_fix(finding))}")


def _excerpt(path: Path, line: int) -> list[tuple[int, str]]:
    """The first lines of a finding, as written (nothing when the file cannot be read)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    return [(n, lines[n - 1].rstrip()) for n in range(line, min(line + EXCERPT_LINES, len(lines) + 1))]
