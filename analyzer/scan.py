"""The pipeline: discover files → extract facts → index → checks → sorted findings."""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from analyzer.checks import Rule, all_rules
from analyzer.discovery import Discovery, SourceFile, discover, with_import_roots
from analyzer.facts.cache import DIRECTORY, FactsCache, combined_key, prepare_directory
from analyzer.facts.extract import extract
from analyzer.facts.launchers import MAX_LAUNCHER_BYTES, Mention, command_mentions, is_prose, launcher_mentions
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Diagnostic, Finding
from analyzer.index import ProjectIndex
from analyzer.options import Options
from analyzer.project import Project, is_run_directly
from analyzer.suppressions import apply_baseline, apply_suppressions

PARALLEL_MIN_FILES = 64
CHUNK_SIZE = 16
# The shape of a cached result (findings and the rules' typed details): bumped when it changes,
# so that a result cached by an earlier shape is never read back.
RESULTS_VERSION = "2"


@dataclass(frozen=True)
class ScanResult:
    root: Path
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: int
    lines: int
    seconds: float
    inputs: ProjectInputs = field(repr=False, compare=False)
    suppressed: int = 0
    unused_suppressions: tuple[Diagnostic, ...] = ()
    # With the cache on: the folder and the key of what the checks produced, so that what is
    # computed from this result (a fix plan) can be kept beside it.
    cache_dir: Path | None = field(default=None, repr=False, compare=False)
    cache_key: str | None = field(default=None, repr=False, compare=False)

    @property
    def project(self) -> Project:
        """The index and models behind the findings (built on demand after a cached scan)."""
        return self.inputs.project

    def restricted_to(self, paths: set[str]) -> ScanResult:
        """Only the findings located in, or related to, `paths` (what pre-commit passes)."""
        kept = tuple(
            f for f in self.findings
            if f.path in paths or any(r.path in paths for r in f.related)
        )
        return replace(self, findings=kept, diagnostics=tuple(d for d in self.diagnostics if d.path in paths))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "root": str(self.root),
            "findings": [finding.to_dict() for finding in self.findings],
            "diagnostics": [diagnostic.to_dict() for diagnostic in self.diagnostics],
            "stats": {
                "files": self.files,
                "lines": self.lines,
                "seconds": round(self.seconds, 3),
                "suppressed": self.suppressed,
            },
        }


@dataclass(frozen=True)
class _Checked:
    """What the checks produced for one set of file contents and options (cached whole)."""

    findings: tuple[Finding, ...]
    suppressed: int
    unused: tuple[Diagnostic, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: int
    lines: int


@dataclass(frozen=True)
class ScanSettings:
    """What a command line asks of every scan its command makes: the options (`--select`,
    `--config`...), the worker processes and the cache. `fix`, `verify` and `report` scan more
    than once (before, after, a temporary copy); under `scan_settings(...)` each of those scans
    uses the command's settings unless its caller gives its own."""

    options: Options | None = None
    jobs: int = 1
    cache: bool = False


_SETTINGS: ContextVar[ScanSettings | None] = ContextVar("scan_settings", default=None)


def current_scan_settings() -> ScanSettings:
    """The settings every scan made now uses (see `scan_settings`)."""
    return _SETTINGS.get() or ScanSettings()


@contextmanager
def scan_settings(settings: ScanSettings) -> Iterator[ScanSettings]:
    token = _SETTINGS.set(settings)
    try:
        yield settings
    finally:
        _SETTINGS.reset(token)


def scan(
    root: Path,
    options: Options | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: bool | None = None,
) -> ScanResult:
    """Scan the project at `root`. With `cache`, facts and results are kept in
    `root/.hygiene_cache` and only files whose content changed are parsed again. What is not
    given comes from the current `scan_settings` (by default: no options, one job, no cache)."""
    settings = _SETTINGS.get() or ScanSettings()
    options = options if options is not None else settings.options
    jobs = jobs if jobs is not None else settings.jobs
    cache = cache if cache is not None else settings.cache
    with _cyclic_gc_paused():
        return _scan(root, options, jobs, progress, cache)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Facts and the index are many small acyclic objects, freed by reference counting; the
    cyclic collector would only traverse them again and again (it doubled the time to load
    cached facts). It is switched back on afterwards, as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scan(
    root: Path,
    options: Options | None,
    jobs: int,
    progress: Callable[[int, int], None] | None,
    cache: bool,
) -> ScanResult:
    started = time.perf_counter()
    options = options or Options()
    if not root.exists():
        raise FileNotFoundError(f"no such directory: {root}")
    if not root.is_dir():
        raise NotADirectoryError(f"not a directory: {root}")
    discovery = discover(
        root, include=options.include, exclude=options.exclude, respect_gitignore=options.respect_gitignore
    )
    cache_dir = prepare_directory(cache_directory(discovery.root, options)) if cache else None
    store = FactsCache(cache_dir) if cache_dir is not None else None
    sources, diagnostics = _read(discovery)
    launchers = _read_launchers(discovery)
    keys = {s.file.path: _key(store, s) for s in sources}
    inputs = ProjectInputs(discovery, sources, keys, launchers, options, store, jobs)

    launcher_keys = [
        hashlib.blake2b(path.encode() + b"\0" + text, digest_size=16).hexdigest() for path, text in launchers
    ]
    result_key = (
        combined_key([*sorted(keys.values()), *launcher_keys], f"{RESULTS_VERSION}:{_options_key(options)}")
        if store else None
    )
    checked = store.get(result_key) if store and result_key else None
    if not isinstance(checked, _Checked):
        modules, extract_diagnostics = inputs.facts(progress)
        parsed = [facts for facts in modules if facts.error is None]
        project = inputs.build(parsed)
        findings, rule_diagnostics = run_checks(project, options)
        rule_diagnostics += [
            Diagnostic(hidden.path, f"not analysed: {project.index.modules[hidden.module].path} is module "
                       f"`{hidden.module}` too")
            for hidden in project.index.unreachable
            if not is_run_directly(hidden)  # a `tests` package or a setup.py per subproject: expected
        ]
        silenced = apply_suppressions(findings, project.index, options, frozenset(r.id for r in all_rules()))
        checked = _Checked(
            findings=fold(silenced.kept),
            suppressed=silenced.suppressed,
            unused=silenced.unused,
            diagnostics=tuple(extract_diagnostics + rule_diagnostics) + silenced.unknown,
            files=len(parsed),
            lines=sum(facts.line_count for facts in parsed),
        )
        if store and result_key:
            store.put(result_key, checked)
    if store and result_key:
        store.prune([*keys.values(), *inputs.renamed_keys, result_key])
    findings = checked.findings
    extra: list[Diagnostic] = []
    if options.baseline is not None:
        findings, stale = apply_baseline(findings, Path(options.baseline), inputs.project.index)
        extra.extend(stale)
    unused = checked.unused if options.warn_unused_ignores else ()
    return ScanResult(
        root=discovery.root,
        findings=findings,
        diagnostics=tuple(
            sorted(
                {*diagnostics, *checked.diagnostics, *extra, *unused}, key=lambda d: (d.path, d.line or 0, d.message)
            )
        ),
        files=checked.files,
        lines=checked.lines,
        seconds=time.perf_counter() - started,
        inputs=inputs,
        suppressed=checked.suppressed,
        unused_suppressions=unused,
        cache_dir=cache_dir,
        cache_key=result_key,
    )


# Options applied after the cached checks, or that only say where the cache is: they do not
# enter the key, so that `scan`, `fix` and `report` with and without a baseline share a result.
_NOT_IN_KEY = frozenset({"baseline", "warn_unused_ignores", "cache_dir"})


def _options_key(options: Options) -> str:
    """The options as text that is the same in every process (sets are sorted)."""
    fields = {name: getattr(options, name) for name in options.__dataclass_fields__ if name not in _NOT_IN_KEY}
    fields["rules"] = sorted(options.rules) if options.rules is not None else None
    return repr(sorted(fields.items()))


def cache_directory(root: Path, options: Options) -> Path:
    """Where the cache of the project at `root` lives: `cache_dir` if configured, else
    `.hygiene_cache/` at the root."""
    return Path(options.cache_dir) if options.cache_dir else root / DIRECTORY


@dataclass(frozen=True, slots=True)
class _Source:
    file: SourceFile
    content: bytes


class ProjectInputs:
    """What the project behind a scan is built from: the files as read, their cache keys, the
    launchers and the options. The project is built from them once, when first asked for: a
    result answered from the cache needs none unless a fix, a report or a baseline asks."""

    def __init__(
        self,
        discovery: Discovery,
        sources: list[_Source],
        keys: dict[str, str],
        launchers: list[tuple[str, bytes]],
        options: Options,
        store: FactsCache | None,
        jobs: int,
    ) -> None:
        self.discovery, self.sources, self.keys, self.launchers = discovery, sources, keys, launchers
        self.options, self.store, self.jobs = options, store, jobs
        self.renamed_keys: list[str] = []  # cache entries of files read again under a new name

    def facts(
        self, progress: Callable[[int, int], None] | None = None
    ) -> tuple[list[ModuleFacts], list[Diagnostic]]:
        """Every file's facts (from the cache or extracted), named after the source roots."""
        modules, diagnostics = collect_facts(self.sources, self.keys, self.store, self.jobs, progress)
        named = _named_after_import_roots(
            self.discovery, self.sources, modules, self.store, self.jobs, self.renamed_keys
        )
        return named, diagnostics

    def build(self, parsed: list[ModuleFacts]) -> Project:
        """The project of the files that parsed (what the checks see)."""
        mentions = _mentions(self.launchers, parsed)
        project = Project(ProjectIndex(parsed), self.options, self.discovery.distributions, mentions)
        self.__dict__["project"] = project
        return project

    @cached_property
    def project(self) -> Project:
        with _cyclic_gc_paused():
            return self.build([facts for facts in self.facts()[0] if facts.error is None])


def _read(discovery: Discovery) -> tuple[list[_Source], list[Diagnostic]]:
    sources, diagnostics = [], list(discovery.diagnostics)
    root = str(discovery.root)
    for file in discovery.files:
        try:
            with open(os.path.join(root, file.path), "rb") as handle:
                sources.append(_Source(file, handle.read()))
        except OSError as error:
            diagnostics.append(Diagnostic(file.path, f"cannot read: {error.strerror or error}"))
    return sources, diagnostics


def _read_launchers(discovery: Discovery) -> list[tuple[str, bytes]]:
    """The launchers' contents (files that cannot be read are simply not launchers)."""
    found = []
    for path in discovery.launchers:
        try:
            with open(os.path.join(discovery.root, path), "rb") as handle:
                content = handle.read(MAX_LAUNCHER_BYTES + 1)
        except OSError:
            continue
        if b"\x00" not in content[:4096]:
            found.append((path, content))
    return found


def _mentions(launchers: list[tuple[str, bytes]], modules: Iterable[ModuleFacts]) -> tuple[Mention, ...]:
    """What launchers run, and the run commands documented in the modules themselves."""
    found: list[Mention] = []
    for path, content in launchers:
        text = content.decode("utf-8", "replace")
        name = path.rpartition("/")[2]
        found.extend(command_mentions(path, text) if is_prose(name) else launcher_mentions(path, text))
    for facts in modules:
        found.extend(
            Mention(facts.path, line, kind, value) for kind, value, line in facts.run_mentions if kind != "launch"
        )
    return tuple(found)


def _named_after_import_roots(
    discovery: Discovery,
    sources: list[_Source],
    modules: list[ModuleFacts],
    store: FactsCache | None,
    jobs: int,
    renamed_keys: list[str],
) -> list[ModuleFacts]:
    """The facts named after the source roots their imports reveal (`with_import_roots`): a
    module whose facts do not depend on its own name is only renamed; the others (relative
    imports, `__name__`) are read again under their new name (from the cache when it has them)."""
    renamed = with_import_roots(discovery, {m.path: m for m in modules})
    if renamed is discovery:
        return modules
    files = {f.path: f for f in renamed.files}
    again = [
        _Source(files[source.file.path], source.content)
        for source, facts in zip(sources, modules, strict=True)
        if files[source.file.path].module != facts.module and facts.reads_own_name
    ]
    keys = {source.file.path: _key(store, source) for source in again}
    renamed_keys.extend(keys.values())
    read_again = {facts.path: facts for facts in collect_facts(again, keys, store, jobs)[0]}
    return [
        read_again.get(facts.path) or replace(facts, module=files[facts.path].module)
        if files[facts.path].module != facts.module else facts
        for facts in modules
    ]


def _key(store: FactsCache | None, source: _Source) -> str:
    if store is None:
        return ""
    file = source.file
    return store.key(file.path, file.module, file.is_package, source.content)


def collect_facts(
    sources: list[_Source],
    keys: dict[str, str],
    store: FactsCache | None,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[ModuleFacts], list[Diagnostic]]:
    """Facts of every file: from the cache, else extracted (in a process pool for many files)."""
    facts_by_path: dict[str, ModuleFacts] = {}
    missing = []
    for source in sources:
        cached = store.get_facts(keys[source.file.path]) if store else None
        if cached is not None:
            facts_by_path[source.file.path] = cached
        else:
            missing.append(source)
    done = len(facts_by_path)
    if jobs > 1 and len(missing) >= PARALLEL_MIN_FILES:
        with ProcessPoolExecutor(max_workers=jobs, initializer=gc.disable) as pool:
            extracted = pool.map(_extract, missing, chunksize=CHUNK_SIZE)
            for source, facts in zip(missing, extracted, strict=True):
                facts_by_path[source.file.path] = facts
                done += 1
                if progress:
                    progress(done, len(sources))
    else:
        for source in missing:
            facts_by_path[source.file.path] = _extract(source)
            done += 1
            if progress:
                progress(done, len(sources))
    if store:
        for source in missing:
            store.put(keys[source.file.path], facts_by_path[source.file.path])
    modules = [facts_by_path[source.file.path] for source in sources]
    diagnostics = [Diagnostic(m.path, f"skipped: {m.error}") for m in modules if m.error is not None]
    return modules, diagnostics


def _extract(source: _Source) -> ModuleFacts:
    file = source.file
    return extract(file.path, file.module, file.is_package, source.content)


def run_checks(project: Project, options: Options) -> tuple[tuple[Finding, ...], list[Diagnostic]]:
    """Every selected rule on the project; findings sorted by place."""
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    for rule in selected_rules(options.rules):
        for item in rule.check(project):
            if isinstance(item, Finding):
                findings.append(item)
            else:
                diagnostics.append(item)
    return tuple(sorted(findings, key=lambda f: f.sort_key)), diagnostics


def fold(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """One finding for one problem: a finding about whole modules (a copy to delete, a dead
    package) absorbs the other findings located in the files it covers, and of two such findings
    on one file the rule of lower `module_rank` wins. A certain finding never folds into an
    uncertain one."""
    ranks = {rule.id: rule.module_rank for rule in all_rules() if rule.module_rank is not None}
    covering = sorted(
        (f for f in findings if f.rule in ranks and f.covers),
        key=lambda f: (ranks[f.rule], f.confidence != "high", f.sort_key),
    )
    owner: dict[str, Finding] = {}
    for finding in covering:
        for path in finding.covers:
            owner.setdefault(path, finding)
    inside: dict[int, list[Finding]] = {}
    kept = []
    for finding in findings:
        holder = owner.get(finding.path)
        if holder is None or holder is finding or (holder.confidence != "high" and finding.confidence == "high"):
            kept.append(finding)
            continue
        inside.setdefault(id(holder), []).append(finding)
    return tuple(f.with_folded(inside.get(id(f), [])) for f in kept)


def selected_rules(rule_ids: Iterable[str] | None) -> Sequence[Rule]:
    rules = all_rules()
    if rule_ids is None:
        return rules
    wanted = set(rule_ids)
    return [rule for rule in rules if rule.id in wanted]
