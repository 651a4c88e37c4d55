"""The `hygiene` command line.

Every command that scans (`scan`, `fix`, `verify`, `report`) takes the same `--select`,
`--ignore`, `--config`, `--jobs`, `--no-cache` and `--cache-dir`, and runs each scan it makes
under those settings (`analyzer.scan.scan_settings`): `fix` and `report` start from the cache a
`scan` left. Output is never hard-wrapped (`analyzer.render.console`), help is plain text, and
what looks wrong but is allowed (a rule both selected and ignored, an entry point that does not
exist, a flag that another makes pointless) is a warning on stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from analyzer.checks import all_rules
from analyzer.render.console import make_console, warn

if TYPE_CHECKING:
    from collections.abc import Callable

    from analyzer.fixes.plan import PlanOptions
    from analyzer.options import Options
    from analyzer.scan import ScanResult, ScanSettings

app = typer.Typer(
    name="hygiene",
    help="Find duplicate modules, unmounted routers, stale classes, missing methods and dead modules.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no boxes, no names cut short, no <bool> after flags
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
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


# ---- the options every scanning command shares ------------------------------------------------

Select = Annotated[
    str | None, typer.Option("--select", metavar="RULES", help="Only these rules (comma-separated).")
]
Ignore = Annotated[
    str | None, typer.Option("--ignore", metavar="RULES", help="Skip these rules (comma-separated).")
]
Config = Annotated[
    Path | None, typer.Option("--config", metavar="FILE", help="Read [tool.hygiene] from FILE.")
]
Jobs = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, metavar="N", help="Worker processes for parsing (default: one per CPU)."),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        metavar="DIR",
        envvar="HYGIENE_CACHE_DIR",
        help="Keep the cache in DIR (default: .hygiene_cache/ at the project root).",
    ),
]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]
Tests = Annotated[str | None, typer.Option("--tests", metavar="CMD", help="Test command to run on the result.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write the output to FILE.")]
DropUnrouted = Annotated[
    bool, typer.Option("--drop-unrouted", help="Delete unmounted routers even without replacements.")
]
SkipOrphanMethods = Annotated[
    bool, typer.Option("--skip-orphan-methods", help="Do not add methods whose callers the plan deletes.")
]
Force = Annotated[bool, typer.Option("--force", help="Apply even over uncommitted changes.")]
IncludeUncertain = Annotated[
    bool, typer.Option("--include-uncertain", help="Fix uncertain findings too (marked in the plan).")
]


def _rule_list(value: str | None, flag: str) -> list[str] | None:
    """The rules named in a comma-separated flag; an unknown name is an error (exit 2) that
    names the closest rule."""
    if value is None:
        return None
    from analyzer.config import unknown_rule

    known = {rule.id for rule in all_rules()}
    names = [name.strip() for name in value.split(",") if name.strip()]
    for name in names:
        if name not in known:
            _fail(unknown_rule(name, flag))
    return names


def _settings(
    root: Path,
    config: Path | None,
    select: str | None,
    ignore: str | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    baseline: bool = False,
) -> ScanSettings:
    """The scan settings of a command: the configuration, narrowed by the flags. The cache
    folder is made absolute, so that scans of a temporary copy of the project use it too.
    `baseline` False: the configured baseline is not applied (`fix` and `report` clean up old
    findings as well)."""
    from dataclasses import replace

    from analyzer.config import ConfigError, find_config, load_options
    from analyzer.scan import ScanSettings, cache_directory

    if config is not None and not config.is_file():
        _fail(f"--config {config}: no such file")
    warnings: list[str] = []
    try:
        options = load_options(config or find_config(root if root.exists() else Path.cwd()), warnings=warnings)
    except ConfigError as error:
        _fail(str(error))
    for message in warnings:
        warn(message)
    selected = _rule_list(select, "--select")
    ignored = set(_rule_list(ignore, "--ignore") or [])
    rules = set(options.rules) if options.rules is not None else {rule.id for rule in all_rules()}
    if selected is not None:
        rules = set(selected)
        for name in sorted(ignored & rules):
            warn(f"rule {name!r} is both in --select and in --ignore: it is ignored")
    rules -= ignored
    if not rules:
        warn("no rule is selected: nothing will be reported")
    if no_cache and cache_dir is not None and "HYGIENE_CACHE_DIR" not in os.environ:
        warn("--cache-dir has no effect with --no-cache")
    directory = cache_dir.resolve() if cache_dir else cache_directory(root.resolve(), options).resolve()
    options = replace(
        options,
        rules=frozenset(rules),
        baseline=options.baseline if baseline else None,
        cache_dir=str(directory),
    )
    return ScanSettings(options=options, jobs=jobs or os.cpu_count() or 1, cache=not no_cache)


def _check_entrypoints(result: ScanResult, options: Options) -> None:
    """A configured entry point that names no module, or no top-level name in it, is a warning
    (the scan would otherwise silently treat the application as unknown)."""
    if not options.entrypoints:
        return
    from analyzer.config import did_you_mean

    index = result.project.index
    for entry in options.entrypoints:
        module, _, name = entry.partition(":")
        facts = index.modules.get(module)
        if facts is None:
            warn(f"entry point {entry!r}: no module {module!r} in the project{did_you_mean(module, index.modules)}")
            continue
        names = facts.defined_names()
        if name not in names:
            warn(f"entry point {entry!r}: {module} defines no top-level {name!r}{did_you_mean(name, names)}")


@contextmanager
def _settings_applied(settings: ScanSettings) -> Iterator[None]:
    """Every scan the command makes, under `settings`."""
    from analyzer.scan import scan_settings

    with scan_settings(settings):
        yield


# ---- scan -------------------------------------------------------------------------------------


@app.command(short_help="Scan the application and report its findings.")
def scan(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", show_default=False, hidden=True)],
    output_format: Annotated[
        OutputFormat,
        typer.Option("--output-format", "--format", "-f", metavar="FORMAT",
                     help="text, json, sarif, github or markdown."),
    ] = OutputFormat.text,
    output: Output = None,
    select: Select = None,
    ignore: Ignore = None,
    config: Config = None,
    root: Annotated[
        Path | None,
        typer.Option("--root", metavar="DIR",
                     help="Project root when files are given (default: the config's folder, else the current one)."),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", metavar="FILE", help="Report only findings not in FILE.")
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option("--write-baseline", metavar="FILE", help="Record the current findings in FILE.")
    ] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")] = False,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", metavar="RULES", help="Exit 1 only for findings of these rules.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Uncertain findings fail too.")] = False,
    warn_unused_ignores: Annotated[
        bool, typer.Option("--warn-unused-ignores", help="Report suppressions that silence nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary when clean.")] = False,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    debug: Debug = False,
) -> None:
    """Scan PATH, the application's root, and report findings.

    Given files instead (as pre-commit passes them), the whole project is indexed and only the
    findings located in those files are reported. Exit 0: clean, 1: findings, 2: error.
    """
    from dataclasses import replace

    from analyzer.config import ConfigError
    from analyzer.scan import scan as run_scan
    from analyzer.suppressions import BaselineError
    from analyzer.suppressions import write_baseline as record_baseline

    try:
        project_root, files = _project_and_files(paths, root, config)
    except ConfigError as error:
        _fail(str(error))
    failing_rules = set(_rule_list(fail_on, "--fail-on") or [])
    if exit_zero and (strict or fail_on):
        warn(f"--exit-zero makes {'--strict' if strict else '--fail-on'} pointless: the exit code is 0")
    if baseline and write_baseline:
        warn("--baseline is not applied with --write-baseline: every current finding is recorded")
    settings = _settings(project_root, config, select, ignore, jobs, no_cache, cache_dir, baseline=True)
    assert settings.options is not None
    options = replace(
        settings.options,
        baseline=str(baseline) if baseline else (None if write_baseline else settings.options.baseline),
        warn_unused_ignores=warn_unused_ignores,
    )
    try:
        result = run_scan(project_root, options, jobs=settings.jobs, progress=_progress_bar(quiet),
                          cache=settings.cache)
        _check_entrypoints(result, options)
    except (FileNotFoundError, NotADirectoryError, BaselineError) as error:
        _fail(str(error))
    except Exception as error:  # the top-level guard: one line, exit 2
        if debug:
            raise
        _fail(f"internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)")
    if files is not None:
        result = _restricted(result, files)
    if write_baseline is not None:
        from analyzer.render.i18n import Text

        count = record_baseline(write_baseline, result.findings, result.project.index)
        typer.echo(f"wrote {Text('en').n('finding', count)} to {write_baseline}", err=True)
        raise typer.Exit(EXIT_CLEAN)
    _emit(result, output_format, output, quiet)
    failing = [
        f for f in result.findings
        if (strict or f.confidence == "high") and (not failing_rules or f.rule in failing_rules)
    ]
    failed = bool(failing) or bool(result.unused_suppressions)
    raise typer.Exit(EXIT_FINDINGS if failed and not exit_zero else EXIT_CLEAN)


def own_paths(finding: object) -> set[str]:
    """The files a finding is located in: its path, the files it covers (a module finding) and,
    for a missing method, every call site. Related files (the live class, the mounting app) are
    not its own."""
    from analyzer.checks import rule_of
    from analyzer.findings import Finding

    assert isinstance(finding, Finding)
    return {finding.path, *finding.covers, *(path for path, _ in rule_of(finding).locations(finding))}


def _restricted(result: ScanResult, files: set[str]) -> ScanResult:
    """Only the findings located in `files` (pre-commit's files mode): a finding that only
    names a file as related does not block a commit of that file."""
    from dataclasses import replace

    kept = tuple(f for f in result.findings if own_paths(f) & files)
    return replace(result, findings=kept, diagnostics=tuple(d for d in result.diagnostics if d.path in files))


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


# ---- fix, verify ------------------------------------------------------------------------------


@app.command(short_help="Show the fixes as a patch, or apply them and verify.")
def fix(
    path: Annotated[Path, typer.Argument(metavar="PATH", show_default=False, hidden=True)],
    apply: Annotated[bool, typer.Option("--apply", help="Write the changes (default: show them).")] = False,
    select: Select = None,
    ignore: Ignore = None,
    config: Config = None,
    rule: Annotated[str | None, typer.Option("--rule", hidden=True, help="Deprecated: --select.")] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="FILE", help="Only findings in or related to FILE (repeatable)."),
    ] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="Ask before each fix (with --apply).")] = False,
    force: Force = False,
    drop_unrouted: DropUnrouted = False,
    skip_orphan_methods: SkipOrphanMethods = False,
    tests: Tests = None,
    include_uncertain: IncludeUncertain = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print only the patch, in git's format (for git apply); write nothing.")
    ] = False,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    debug: Debug = False,
) -> None:
    """Show the fixes of PATH, the application's root, as a diff, or write them with --apply,
    then verify the tree.

    The output is never wrapped: `hygiene fix . > fix.patch && git apply fix.patch` applies its
    diffs; with --diff, nothing but one patch is printed, deleted files included.
    """
    from analyzer.fixes.flow import run_fix

    if diff and (apply or confirm):
        _fail("--diff prints the changes without writing them: drop --apply and --confirm")
    if rule is not None:
        warn("--rule is deprecated: use --select (as `scan` does)")
        select = ",".join(filter(None, [select, rule]))
    if not apply:
        for flag, given in (("--confirm", confirm), ("--force", force), ("--tests", tests)):
            if given:
                warn(f"{flag} has no effect without --apply")
    settings = _settings(path, config, select, ignore, jobs, no_cache, cache_dir)
    options = _plan_options(settings, only, drop_unrouted, skip_orphan_methods, include_uncertain)

    def run() -> int:
        with _settings_applied(settings):
            return run_fix(path, options, apply, confirm, force, tests, diff)

    raise typer.Exit(_guarded(debug, run))


@app.command(short_help="Check that a tree compiles, its imports resolve, its tests pass.")
def verify(
    path: Annotated[Path, typer.Argument(metavar="PATH", show_default=False, hidden=True)],
    tests: Tests = None,
    select: Select = None,
    ignore: Ignore = None,
    config: Config = None,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    debug: Debug = False,
) -> None:
    """Check the tree at PATH: every file compiles, every project import resolves, and the
    tests pass (--tests)."""
    from analyzer.fixes.flow import run_verify

    settings = _settings(path, config, select, ignore, jobs, no_cache, cache_dir)

    def run() -> int:
        with _settings_applied(settings):
            return run_verify(path, tests)

    raise typer.Exit(_guarded(debug, run))


def _plan_options(
    settings: ScanSettings,
    only: list[str] | None,
    drop_unrouted: bool,
    skip_orphan_methods: bool,
    include_uncertain: bool,
) -> PlanOptions:
    from analyzer.fixes.plan import PlanOptions

    options = settings.options
    return PlanOptions(
        rules=options.rules if options is not None else None,
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


# ---- report -----------------------------------------------------------------------------------


@app.command(short_help="Write the cleanup report (an audit, or with --apply the result).")
def report(
    path: Annotated[Path, typer.Argument(metavar="PATH", show_default=False, hidden=True)],
    output: Output = None,
    lang: Annotated[str, typer.Option("--lang", metavar="LANG", help="en or ru.")] = "en",
    apply: Annotated[bool, typer.Option("--apply", help="Apply the fixes, verify, report the result.")] = False,
    copy_to: Annotated[
        Path | None,
        typer.Option("--copy-to", metavar="DIR", help="With --apply: clean a copy of PATH made in DIR; PATH is "
                     "not touched."),
    ] = None,
    tests: Tests = None,
    force: Force = False,
    drop_unrouted: DropUnrouted = False,
    skip_orphan_methods: SkipOrphanMethods = False,
    include_uncertain: IncludeUncertain = False,
    select: Select = None,
    ignore: Ignore = None,
    config: Config = None,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    debug: Debug = False,
) -> None:
    """Write the cleanup report of PATH (markdown): an audit, or with --apply the completion
    report. Exit 0 when the cleanup is done (or nothing needs it), else 1."""
    from analyzer.render.i18n import LANGUAGES

    if lang not in LANGUAGES:
        _fail(f"--lang {lang}: choose one of {', '.join(LANGUAGES)}")
    if not apply:
        for flag, given in (("--copy-to", copy_to is not None), ("--force", force)):
            if given:
                warn(f"{flag} has no effect without --apply")
    settings = _settings(path, config, select, ignore, jobs, no_cache, cache_dir)
    options = _plan_options(settings, None, drop_unrouted, skip_orphan_methods, include_uncertain)

    def run() -> int:
        from analyzer.render.report import render
        from analyzer.reporting import build_report

        with _settings_applied(settings):
            built = build_report(path, apply=apply, tests=tests, plan_options=options, force=force,
                                 copy_to=copy_to if apply else None)
        text = render(built, lang, command=_command_line(), link_base=_link_base(built.root, output))
        _write(text, output)
        return EXIT_CLEAN if built.status in {"done", "clean"} else EXIT_FINDINGS

    raise typer.Exit(_guarded(debug, run))


def _link_base(root: Path, output: Path | None) -> str:
    """The way from the report's folder to the project root, when the report is written inside
    the project (`docs/cleanup.md` links `../app/x.py`); else links are relative to the root."""
    if output is None:
        return ""
    folder = output.resolve().parent
    root = root.resolve()
    if not folder.is_relative_to(root) or folder == root:
        return ""
    return os.path.relpath(root, folder).replace(os.sep, "/") + "/"


def _command_line(argv: list[str] | None = None) -> str:
    """The command as typed, for the `generated by` comment, with no absolute path in it: a
    path under the current folder is made relative to it, one under the home folder starts
    with `~`."""
    import shlex

    args = sys.argv[1:] if argv is None else argv
    return "hygiene " + " ".join(shlex.quote(_relative_arg(arg)) for arg in args)


def _relative_arg(arg: str) -> str:
    if arg.startswith("--") and "=" in arg:
        flag, _, value = arg.partition("=")
        return f"{flag}={_relative_arg(value)}"
    if not os.path.isabs(arg):
        return arg
    path = Path(arg)
    cwd, home = Path.cwd().resolve(), Path.home().resolve()
    resolved = path.resolve()
    if resolved.is_relative_to(cwd):
        return resolved.relative_to(cwd).as_posix() or "."
    if resolved.is_relative_to(home):
        return "~/" + resolved.relative_to(home).as_posix()
    return arg


# ---- the rest ---------------------------------------------------------------------------------


@app.command(short_help="Delete the cache.")
def clean(
    path: Annotated[Path, typer.Argument(metavar="PATH", hidden=True)] = Path("."),
    config: Config = None,
    cache_dir: CacheDir = None,
) -> None:
    """Delete the cache of the project at PATH (default: here); only what hygiene wrote there."""
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


@app.command(short_help="Print a rule's documentation.")
def explain(rule_id: Annotated[str, typer.Argument(metavar="RULE", hidden=True)]) -> None:
    """Print what RULE finds, why it matters, an example, the fix and its blind spots."""
    from analyzer.checks import rule_by_id
    from analyzer.config import unknown_rule

    rule = rule_by_id(rule_id)
    if rule is None:
        _fail(unknown_rule(rule_id, "explain"))
    typer.echo(rule.doc.strip())


def _write(text: str, output: Path | None) -> None:
    """A rendered document (JSON, SARIF, markdown...) to `output`, or to standard output: in
    UTF-8 either way, whatever the terminal's encoding (a JSON or SARIF file is UTF-8)."""
    if output is not None:
        output.write_text(text, encoding="utf-8")
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def _emit(result: ScanResult, output_format: OutputFormat, output: Path | None, quiet: bool = False) -> None:
    if output_format is not OutputFormat.text:
        import importlib

        _write(importlib.import_module(f"analyzer.render.{output_format.value}").render(result), output)
        return
    from analyzer.render.text import render as render_text

    if quiet and not result.findings and not result.diagnostics:
        return
    if output is not None:
        with output.open("w", encoding="utf-8") as handle:
            render_text(result, make_console(file=handle, no_color=True))
    else:
        render_text(result, make_console())


def _fail(message: str) -> NoReturn:
    typer.echo(f"hygiene: error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def main() -> None:
    """Console-script entry point."""
    app()
