"""The `fix` and `verify` commands: scan, plan, show or apply, verify; printed with rich."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm

from analyzer.discovery import discover
from analyzer.findings import Finding
from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import FixPlan, PlannedFix, PlanOptions, build_plan
from analyzer.render.i18n import Text
from analyzer.scan import scan
from analyzer.verify import Verification, verify


def run_fix(root: Path, options: PlanOptions, apply: bool, confirm: bool, force: bool, tests: str | None) -> int:
    console = Console(highlight=False)
    result = scan(root)
    plan = build_plan(result, options)
    if confirm:
        chosen = [fix.finding for fix in plan.fixes if fix.applies and _ask(console, fix)]
        plan = build_plan(result, PlanOptions(**{**options.__dict__, "findings": frozenset(map(_key, chosen))}))
    show_plan(plan, console, with_diff=not apply or confirm)
    if not apply:
        pending = any(fix.applies for fix in plan.fixes)
        console.print(
            "[dim]Nothing written; rerun with --apply to write these changes.[/dim]" if pending else "Nothing to fix."
        )
        return 1 if pending else 0
    if not plan.changed and not plan.deleted:
        console.print("Nothing to fix.")
        return 0
    applied = apply_plan(plan, force=force)
    console.print(f"Applied: {len(applied.changed)} file(s) changed, {len(applied.deleted)} deleted.")
    fixed = [fix.finding for fix in plan.fixes if fix.applies]
    checks = verify(result.root, list(applied.changed), before=list(result.findings), fixed=fixed, tests=tests)
    show_verification(checks, console)
    return 0 if checks.ok else 1


def run_verify(root: Path, tests: str | None) -> int:
    console = Console(highlight=False)
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"no such directory: {root}")
    before = scan(root)
    files = [f.path for f in discover(root).files]
    checks = verify(root, files, before=list(before.findings), tests=tests)
    show_verification(checks, console)
    return 0 if checks.ok else 1


def _key(finding: Finding) -> tuple[str, str, str | None]:
    return finding.rule, finding.path, finding.symbol


def _ask(console: Console, fix: PlannedFix) -> bool:
    console.print(f"[bold]{escape(fix.finding.rule)}[/bold]: {escape(fix.summary)}")
    for change in fix.changes:
        console.print(escape(change.diff()), markup=False)
    return Confirm.ask("Apply this fix?", default=False, console=console)


def show_plan(plan: FixPlan, console: Console, with_diff: bool) -> None:
    text = Text("en")
    for fix in plan.fixes:
        marker = "[green]fix[/green]" if fix.applies else "[yellow]skip[/yellow]"
        console.print(f"{marker} [bold]{escape(fix.finding.rule)}[/bold]: {escape(fix.summary)}")
        for note in fix.notes:
            console.print(f"    [dim]- {escape(text('notes.' + note.key, **note.params))}[/dim]")
        if fix.skipped:
            console.print(f"    [yellow]- {escape(text('skipped.' + fix.skipped.key, **fix.skipped.params))}[/yellow]")
        if with_diff and fix.applies:
            for change in fix.changes:
                console.print(change.diff(), markup=False, highlight=False)
    conflicts = f", {len(plan.conflicts)} conflict(s) left out" if plan.conflicts else ""
    console.print(
        f"{sum(f.applies for f in plan.fixes)} fix(es): {len(plan.changed)} file(s) changed, "
        f"{len(plan.deleted)} deleted{conflicts}."
    )


def show_verification(checks: Verification, console: Console) -> None:
    for check in checks.checks:
        mark = "[green]✓[/green]" if check.ok else "[red]✗[/red]"
        console.print(f"{mark} {escape(check.kind)} {escape(check.subject)}: {escape(check.detail)}")
        if not check.ok and check.output:
            console.print(check.output, markup=False, highlight=False)
    console.print("[green]Verified.[/green]" if checks.ok else "[red]Verification failed.[/red]")
