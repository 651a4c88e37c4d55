"""The `hygiene` command line."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from analyzer.checks import all_rules

if TYPE_CHECKING:
    from collections.abc import Callable

    from analyzer.fixes.plan import PlanOptions
    from analyzer.scan import ScanResult

app = typer.Typer(
    name="hygiene",
    help="Find duplicate modules, unmounted routers, stale classes and missing methods.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _print_version(value: bool) -> None:
    if value:
        from analyzer import __version__

        typer.echo(f"code-hygiene {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Static hygiene checks for Python web applications."""


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    markdown = "markdown"


def _rule_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    known = {rule.id for rule in all_rules()}
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise typer.BadParameter(f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return names


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="The application's root, or files in it (pre-commit).")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")] = None,
    select: Annotated[str | None, typer.Option(help="Only these rules (comma-separated).")] = None,
    ignore: Annotated[str | None, typer.Option(help="Skip these rules (comma-separated).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Read \\[tool.hygiene] from FILE.")] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root", help="Project root when files are given (default: the config's folder, else the current one)."
        ),
    ] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Report only findings not in FILE.")] = None,
    write_baseline: Annotated[
        Path | None, typer.Option("--write-baseline", help="Record the current findings in FILE.")
    ] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")] = False,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="Exit 1 only for findings of these rules.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Uncertain findings fail too.")] = False,
    warn_unused_ignores: Annotated[
        bool, typer.Option("--warn-unused-ignores", help="Report suppressions that silence nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary when clean.")] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes for parsing.")
    ] = os.cpu_count() or 1,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            envvar="HYGIENE_CACHE_DIR",
            help="Keep the cache in DIR (default: .hygiene_cache/ at the project root).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Scan the application and report findings. Exit 0: clean, 1: findings, 2: error."""
    from dataclasses import replace

    from analyzer.config import ConfigError, find_config, load_options
    from analyzer.scan import scan as run_scan
    from analyzer.suppressions import BaselineError
    from analyzer.suppressions import write_baseline as record_baseline

    try:
        project_root, files = _project_and_files(paths, root, config)
    except ConfigError as error:
        _fail(str(error))
    selected = _rule_list(select)
    ignored = set(_rule_list(ignore) or [])
    failing_rules = set(_rule_list(fail_on) or [])
    try:
        options = load_options(config or find_config(project_root))
    except ConfigError as error:
        _fail(str(error))
    rules = set(options.rules) if options.rules is not None else {rule.id for rule in all_rules()}
    if selected is not None:
        rules = set(selected)
    options = replace(
        options,
        rules=frozenset(rules - ignored),
        baseline=str(baseline) if baseline else (None if write_baseline else options.baseline),
        warn_unused_ignores=warn_unused_ignores,
        cache_dir=str(cache_dir.resolve()) if cache_dir else options.cache_dir,
    )
    try:
        result = run_scan(project_root, options, jobs=jobs, progress=_progress_bar(quiet), cache=not no_cache)
    except (FileNotFoundError, NotADirectoryError, BaselineError) as error:
        _fail(str(error))
    except Exception as error:  # the top-level guard: one line, exit 2
        if debug:
            raise
        _fail(f"internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)")
    if files is not None:
        result = result.restricted_to(files)
    if write_baseline is not None:
        count = record_baseline(write_baseline, result.findings, result.project.index)
        typer.echo(f"wrote {count} finding(s) to {write_baseline}", err=True)
        raise typer.Exit(EXIT_CLEAN)
    _emit(result, output_format, output, quiet)
    failing = [
        f for f in result.findings
        if (strict or f.confidence == "high") and (not failing_rules or f.rule in failing_rules)
    ]
    failed = bool(failing) or bool(result.unused_suppressions)
    raise typer.Exit(EXIT_FINDINGS if failed and not exit_zero else EXIT_CLEAN)


def _project_and_files(paths: list[Path], root: Path | None, config: Path | None) -> tuple[Path, set[str] | None]:
    """One directory: the project. Files (pre-commit passes them): the project is `--root`, the
    folder of the configuration, or the current folder; findings are limited to those files."""
    if len(paths) == 1 and not paths[0].is_file():
        return paths[0], None
    from analyzer.config import find_config

    base = root or (config.parent if config else None) or (find_config(Path.cwd()) or Path.cwd() / "x").parent
    base = base.resolve()
    files = set()
    for path in paths:
        if path.is_dir():
            _fail(f"give one project directory, or files: {path} is a directory")
        absolute = path.resolve()
        if not absolute.is_relative_to(base):
            _fail(f"{path} is outside the project root {base} (use --root)")
        files.add(absolute.relative_to(base).as_posix())
    return base, files


def _progress_bar(quiet: bool) -> Callable[[int, int], None] | None:
    """A transient rich progress bar on stderr, for terminals only."""
    if quiet or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress, TaskID

    progress = Progress(console=Console(stderr=True), transient=True)
    state: dict[str, TaskID] = {}

    def update(done: int, total: int) -> None:
        if "task" not in state:
            if total < 200:
                return
            progress.start()
            state["task"] = progress.add_task("parsing", total=total)
        progress.update(state["task"], completed=done)
        if done >= total:
            progress.stop()

    return update


@app.command()
def fix(
    path: Annotated[Path, typer.Argument(help="Root of the application.")],
    apply: Annotated[bool, typer.Option("--apply", help="Write the changes (default: show them).")] = False,
    rule: Annotated[str | None, typer.Option("--rule", help="Only fixes for these rules (comma-separated).")] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Only findings in or related to this file (repeatable).")
    ] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="Ask before each fix.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Apply even over uncommitted changes.")] = False,
    drop_unrouted: Annotated[
        bool, typer.Option("--drop-unrouted", help="Delete unmounted routers even without replacements.")
    ] = False,
    skip_orphan_methods: Annotated[
        bool, typer.Option("--skip-orphan-methods", help="Do not add methods whose callers the plan deletes.")
    ] = False,
    tests: Annotated[str | None, typer.Option("--tests", help="Test command to run after applying.")] = None,
    include_uncertain: Annotated[
        bool, typer.Option("--include-uncertain", help="Fix uncertain findings too (marked in the plan).")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print only a patch of every change (for git apply); write nothing.")
    ] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Show the fixes as a diff, or write them with --apply, then verify the tree."""
    from analyzer.fixes.flow import run_fix

    if diff and (apply or confirm):
        _fail("--diff prints the changes without writing them: drop --apply and --confirm")
    options = _plan_options(rule, only, drop_unrouted, skip_orphan_methods, include_uncertain)
    code = _guarded(debug, lambda: run_fix(path, options, apply, confirm, force, tests, diff))
    raise typer.Exit(code)


@app.command()
def verify(
    path: Annotated[Path, typer.Argument(help="Root of the application.")],
    tests: Annotated[str | None, typer.Option("--tests", help="Test command to run.")] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Check that every file compiles, every project import resolves, and the tests pass."""
    from analyzer.fixes.flow import run_verify

    raise typer.Exit(_guarded(debug, lambda: run_verify(path, tests)))


def _plan_options(
    rule: str | None,
    only: list[str] | None,
    drop_unrouted: bool,
    skip_orphan_methods: bool,
    include_uncertain: bool = False,
) -> PlanOptions:
    from analyzer.fixes.plan import PlanOptions

    rules = _rule_list(rule)
    return PlanOptions(
        rules=frozenset(rules) if rules else None,
        only=frozenset(Path(p).as_posix() for p in only) if only else None,
        drop_unrouted=drop_unrouted,
        skip_orphan_methods=skip_orphan_methods,
        include_uncertain=include_uncertain,
    )


def _guarded(debug: bool, action: Callable[[], int]) -> int:
    """Run a command body: clear one-line errors and exit 2 instead of tracebacks."""
    from analyzer.config import ConfigError
    from analyzer.fixes.apply import ApplyError

    try:
        return action()
    except (FileNotFoundError, FileExistsError, NotADirectoryError, ApplyError, ConfigError) as error:
        _fail(str(error))
    except Exception as error:  # the top-level guard
        if debug:
            raise
        _fail(f"internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)")


@app.command()
def report(
    path: Annotated[Path, typer.Argument(help="Root of the application.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language: en or ru.")] = "en",
    apply: Annotated[bool, typer.Option("--apply", help="Apply the fixes, verify, report the result.")] = False,
    tests: Annotated[str | None, typer.Option("--tests", help="Test command to run on the result.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Apply even over uncommitted changes.")] = False,
    drop_unrouted: Annotated[
        bool, typer.Option("--drop-unrouted", help="Delete unmounted routers even without replacements.")
    ] = False,
    skip_orphan_methods: Annotated[
        bool, typer.Option("--skip-orphan-methods", help="Do not add methods whose callers the plan deletes.")
    ] = False,
    copy_to: Annotated[
        Path | None,
        typer.Option("--copy-to", help="With --apply: clean a copy of PATH made in DIR; PATH is not touched."),
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Write the cleanup report (markdown): an audit, or with --apply the completion report."""
    from analyzer.render.i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"choose one of {', '.join(LANGUAGES)}", param_hint="--lang")
    options = _plan_options(None, None, drop_unrouted, skip_orphan_methods)

    def run() -> int:
        from analyzer.render.report import render
        from analyzer.reporting import build_report

        built = build_report(path, apply=apply, tests=tests, plan_options=options, force=force, copy_to=copy_to)
        text = render(built, lang, command=_command_line())
        if output is not None:
            output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return EXIT_CLEAN if built.status in {"done", "clean"} else EXIT_FINDINGS

    raise typer.Exit(_guarded(debug, run))


def _command_line() -> str:
    import shlex

    return "hygiene " + " ".join(shlex.quote(arg) for arg in sys.argv[1:])


@app.command()
def clean(
    path: Annotated[Path, typer.Argument(help="The application's root.")] = Path("."),
    config: Annotated[Path | None, typer.Option("--config", help="Read \\[tool.hygiene] from FILE.")] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", envvar="HYGIENE_CACHE_DIR", help="The cache is in DIR.")
    ] = None,
) -> None:
    """Delete the project's cache (only what hygiene wrote there)."""
    from analyzer.config import ConfigError, find_config, load_options
    from analyzer.facts.cache import clear
    from analyzer.scan import cache_directory

    if not path.is_dir():
        _fail(f"not a directory: {path}")
    try:
        options = load_options(config or find_config(path))
    except ConfigError as error:
        _fail(str(error))
    directory = cache_dir.resolve() if cache_dir else cache_directory(path.resolve(), options)
    removed = clear(directory)
    typer.echo(f"removed {removed} cache entries from {directory}")


@app.command()
def rules() -> None:
    """List the rules."""
    for rule in all_rules():
        typer.echo(f"{rule.id:18} {rule.summary}")


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(metavar="RULE", help="A rule id, e.g. missing-method.")]) -> None:
    """Print what RULE finds, why it matters, an example, the fix and its blind spots."""
    from analyzer.checks import rule_by_id

    rule = rule_by_id(rule_id)
    if rule is None:
        _fail(f"unknown rule {rule_id!r}; known: {', '.join(r.id for r in all_rules())}")
    typer.echo(rule.doc.strip())


def _emit(result: ScanResult, output_format: OutputFormat, output: Path | None, quiet: bool = False) -> None:
    if output_format is not OutputFormat.text:
        import importlib

        text = importlib.import_module(f"analyzer.render.{output_format.value}").render(result)
        if output is not None:
            output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return
    from rich.console import Console

    from analyzer.render.text import render as render_text

    if quiet and not result.findings and not result.diagnostics:
        return
    if output is not None:
        with output.open("w", encoding="utf-8") as handle:
            render_text(result, Console(file=handle, no_color=True, width=120))
    else:
        render_text(result, Console(highlight=False))


def _fail(message: str) -> NoReturn:
    typer.echo(f"hygiene: error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def main() -> None:
    """Console-script entry point."""
    app()
