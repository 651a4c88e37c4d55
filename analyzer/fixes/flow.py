"""The `fix` and `verify` commands: scan, plan, show or apply, verify; printed with rich.

A dry run speaks of what would happen ("would fix", "would delete"); nothing is said in the past
tense before it happened. `--apply` refuses, before printing anything, a tree with uncommitted
changes in the files it would write and a tree outside any git repository (no VCS safety net to
undo the fix): `--force` overrides both, the second with a warning. `--diff` prints one patch
of every change that `git apply` accepts, and nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm

from analyzer.discovery import discover
from analyzer.findings import Finding
from analyzer.fixes.apply import ApplyError, apply_plan, in_git_work_tree, uncommitted_changes
from analyzer.fixes.plan import FixPlan, PlannedFix, PlanOptions, build_plan
from analyzer.render.i18n import Text
from analyzer.scan import scan
from analyzer.verify import Verification, committed_tree, verify

NO_VCS = (
    "{root} is not in a git repository: there is no VCS safety net to undo the changes; "
    "commit it to git first, or rerun with --force"
)


def run_fix(
    root: Path,
    options: PlanOptions,
    apply: bool,
    confirm: bool,
    force: bool,
    tests: str | None,
    diff: bool = False,
) -> int:
    console = Console(highlight=False, soft_wrap=True)
    _check_only(root, options)
    if apply and not in_git_work_tree(root):
        if not force:
            raise ApplyError(NO_VCS.format(root=root))
        console.print(f"[yellow]warning:[/yellow] {escape(str(root))} is not in a git repository: no VCS "
                      "safety net; writing anyway (--force)")
    result = scan(root)
    plan = build_plan(result, options)
    if diff:
        patch = plan.patch()
        sys.stdout.buffer.write(patch)
        sys.stdout.flush()
        return 1 if patch else 0
    if apply and not force:
        dirty = uncommitted_changes(plan.root.resolve(), sorted(set(plan.changed) | set(plan.deleted)))
        if dirty:
            raise ApplyError("uncommitted changes in " + ", ".join(dirty) + " (commit them, or use --force)")
    if confirm:
        chosen = [fix.finding for fix in plan.fixes if fix.applies and _ask(console, fix)]
        plan = build_plan(result, PlanOptions(**{**options.__dict__, "findings": frozenset(map(_key, chosen))}))
    show_plan(plan, console, with_diff=not apply or confirm, tense="would" if not apply else "will")
    if not apply:
        pending = any(fix.applies for fix in plan.fixes)
        console.print("Nothing written; rerun with --apply to write these changes." if pending else "Nothing to fix.")
        return 1 if pending else 0
    if not plan.changed and not plan.deleted:
        console.print("Nothing to fix.")
        return 0
    applied = apply_plan(plan, force=force)
    console.print(f"Applied: {_count(len(applied.changed), 'file')} changed, {len(applied.deleted)} deleted.")
    checks = verify(
        result.root, list(applied.changed), before=list(result.findings),
        fixed=[fix.finding for fix in plan.of_status("fixed")],
        stubbed=[fix.finding for fix in plan.of_status("stub")],
        tests=tests, baseline=result, originals=plan.originals,
    )
    show_verification(checks, console)
    left = [fix for fix in plan.of_status("skipped") if not fix.uncertain]
    return 0 if checks.complete and not left else 1


def _check_only(root: Path, options: PlanOptions) -> None:
    """`--only FILE` must name a file of the project (else it would silently select nothing)."""
    for path in sorted(options.only or ()):
        if not (root / path).is_file():
            raise FileNotFoundError(f"--only {path}: no such file in {root}")


def run_verify(root: Path, tests: str | None) -> int:
    """Verify the tree as it is against the tree as last committed (git HEAD): only what the
    uncommitted changes made worse fails. Outside git, every problem counts."""
    console = Console(highlight=False, soft_wrap=True)
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"no such directory: {root}")
    files = [f.path for f in discover(root).files]
    with committed_tree(root) as before_root:
        baseline = scan(before_root) if before_root is not None else None
        originals = {}
        if before_root is not None:
            originals = {p: (before_root / p).read_bytes() for p in files if (before_root / p).is_file()}
        before = baseline.findings if baseline is not None else scan(root).findings
        checks = verify(root, files, before=list(before), tests=tests,
                        baseline=baseline, originals=originals if before_root is not None else None)
    if baseline is None:
        console.print("[dim]Not in git: checked as it is, without a committed tree to compare with.[/dim]")
    show_verification(checks, console)
    return 0 if checks.complete else 1


def _key(finding: Finding) -> tuple[str, str, str | None]:
    return finding.rule, finding.path, finding.symbol


def _ask(console: Console, fix: PlannedFix) -> bool:
    console.print(f"[bold]{escape(fix.finding.rule)}[/bold]: {escape(fix.summary)}")
    for change in fix.changes:
        console.out(change.diff(), highlight=False, end="")
    return Confirm.ask("Apply this fix?", default=False, console=console)


_HEADERS = {
    "would": {"fixed": "would fix", "stub": "would add a stub (NOT a fix)", "skipped": "would skip"},
    "will": {"fixed": "will fix", "stub": "will add a stub (NOT a fix)", "skipped": "will skip"},
}
_COLOURS = {"fixed": "green", "stub": "red", "skipped": "yellow"}


def show_plan(plan: FixPlan, console: Console, with_diff: bool, tense: str = "would") -> None:
    """Each fix with its status (`tense` is "would" for a dry run, "will" before writing), its
    notes, why it is skipped or only a stub, and its diff."""
    text = Text("en")
    for fix in plan.fixes:
        status = fix.status
        header = f"[{_COLOURS[status]}]{_HEADERS[tense][status]}[/{_COLOURS[status]}]"
        uncertain = " [magenta]\\[uncertain][/magenta]" if fix.uncertain else ""
        console.print(f"{header} [bold]{escape(fix.finding.rule)}[/bold]{uncertain}: {escape(fix.summary)}")
        for note in fix.notes:
            console.print(f"    [dim]- {escape(text(note.catalogue_key('notes'), **note.params))}[/dim]")
        reason = fix.reason_text()
        if reason:
            console.print(f"    [{_COLOURS[status]}]! {escape(reason)}[/{_COLOURS[status]}]")
        if with_diff and fix.applies:
            for change in fix.changes:
                body = change.diff()
                if change.deleted:
                    body = f"{tense} {body}"
                console.out(body, highlight=False, end="")
    if plan.fixes:
        console.print(summary_line(plan, tense))


def summary_line(plan: FixPlan, tense: str = "would") -> str:
    """`Would fix 3 findings and add 1 stub (NOT a fix); 1 skipped. 3 files would change, 2 would
    be deleted.` (or `... will change, ... will be deleted.` before writing)."""
    fixed, stubs, skipped = plan.count("fixed"), plan.count("stub"), plan.count("skipped")
    parts = [f"{tense.capitalize()} fix {_count(fixed, 'finding')}"]
    if stubs:
        parts.append(f"add {_count(stubs, 'stub')} (NOT a fix)")
    line = " and ".join(parts)
    if skipped:
        line += f"; {skipped} skipped"
    if plan.conflicts:
        line += f" ({_count(len(plan.conflicts), 'conflict')})"
    return (
        f"{line}. {_count(len(plan.changed), 'file')} {tense} change, "
        f"{len(plan.deleted)} {tense} be deleted."
    )


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def show_verification(checks: Verification, console: Console) -> None:
    for check in checks.checks:
        mark = "[green]✓[/green]" if check.ok else "[red]✗[/red]"
        console.print(f"{mark} {escape(check.kind)} {escape(check.subject)}: {escape(check.detail)}")
        if not check.ok and check.output:
            console.out(check.output, highlight=False)
    if checks.preexisting:
        console.print(f"[dim]· {escape(checks.preexisting)}[/dim]")
    for stub in checks.stubs:
        console.print(f"[red]⚠ stub added, NOT fixed:[/red] {escape(stub.name)} ({escape(stub.path)}:{stub.line})")
    if not checks.ok:
        console.print("[red]Verification failed.[/red]")
    elif checks.stubs:
        console.print(f"[yellow]Verified, but {_count(len(checks.stubs), 'stub')} NOT fixed.[/yellow]")
    else:
        console.print("[green]Verified.[/green]")
