"""The pipeline: discover files → extract facts → index → checks → sorted findings."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from analyzer.checks import all_rules
from analyzer.discovery import Discovery, SourceFile, discover
from analyzer.facts.extract import extract
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Diagnostic, Finding
from analyzer.index import ProjectIndex
from analyzer.options import Options
from analyzer.project import Project
from analyzer.suppressions import apply_baseline, apply_suppressions

PARALLEL_MIN_FILES = 64
CHUNK_SIZE = 16


@dataclass(frozen=True)
class ScanResult:
    root: Path
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: int
    lines: int
    seconds: float
    project: Project
    suppressed: int = 0
    unused_suppressions: tuple[Diagnostic, ...] = ()

    def restricted_to(self, paths: set[str]) -> ScanResult:
        """Only the findings located in, or related to, `paths` (what pre-commit passes)."""
        kept = tuple(
            f for f in self.findings
            if f.path in paths or any(r.path in paths for r in f.related)
        )
        return replace(self, findings=kept, diagnostics=tuple(d for d in self.diagnostics if d.path in paths))

    def to_dict(self) -> dict:
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


def scan(
    root: Path,
    options: Options | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
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
    modules, diagnostics = collect_facts(discovery, jobs, progress)
    parsed = [facts for facts in modules if facts.error is None]
    project = Project(ProjectIndex(parsed), options)
    findings, rule_diagnostics = run_checks(project, options)
    silenced = apply_suppressions(findings, project.index, options)
    findings = silenced.kept
    if options.baseline is not None:
        findings, stale = apply_baseline(findings, Path(options.baseline), project.index)
        rule_diagnostics.extend(stale)
    unused = silenced.unused if options.warn_unused_ignores else ()
    return ScanResult(
        root=discovery.root,
        findings=findings,
        diagnostics=tuple(
            sorted([*diagnostics, *rule_diagnostics, *unused], key=lambda d: (d.path, d.line or 0, d.message))
        ),
        files=len(parsed),
        lines=sum(facts.line_count for facts in parsed),
        seconds=time.perf_counter() - started,
        project=project,
        suppressed=silenced.suppressed,
        unused_suppressions=unused,
    )


def collect_facts(
    discovery: Discovery, jobs: int, progress: Callable[[int, int], None] | None = None
) -> tuple[list[ModuleFacts], list[Diagnostic]]:
    """Facts of every discovered file (in a process pool for large trees)."""
    diagnostics = list(discovery.diagnostics)
    files = discovery.files
    root = str(discovery.root)
    results = []
    if jobs > 1 and len(files) >= PARALLEL_MIN_FILES:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for result in pool.map(_extract_file, [root] * len(files), files, chunksize=CHUNK_SIZE):
                results.append(result)
                if progress:
                    progress(len(results), len(files))
    else:
        for source in files:
            results.append(_extract_file(root, source))
            if progress:
                progress(len(results), len(files))
    modules = []
    for facts, diagnostic in results:
        if diagnostic is not None:
            diagnostics.append(diagnostic)
        if facts is not None:
            modules.append(facts)
    return modules, diagnostics


def _extract_file(root: str, source: SourceFile) -> tuple[ModuleFacts | None, Diagnostic | None]:
    try:
        with open(os.path.join(root, source.path), "rb") as handle:
            data = handle.read()
    except OSError as error:
        return None, Diagnostic(source.path, f"cannot read: {error.strerror or error}")
    facts = extract(source.path, source.module, source.is_package, data)
    if facts.error is not None:
        return facts, Diagnostic(source.path, f"skipped: {facts.error}")
    return facts, None


def run_checks(project: Project, options: Options) -> tuple[tuple[Finding, ...], list[Diagnostic]]:
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    for rule in selected_rules(options.rules):
        for item in rule.check(project):
            (findings if isinstance(item, Finding) else diagnostics).append(item)
    return tuple(sorted(findings, key=lambda f: f.sort_key)), diagnostics


def selected_rules(rule_ids: Iterable[str] | None) -> Sequence:
    rules = all_rules()
    if rule_ids is None:
        return rules
    wanted = set(rule_ids)
    return [rule for rule in rules if rule.id in wanted]
