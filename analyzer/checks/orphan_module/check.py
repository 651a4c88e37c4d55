"""orphan-module: the check (the rule's documentation is the package's docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.checks.orphan_module.details import RULE_ID, DeleteModules, ImportedAt, OrphanDetails
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding, Related
from analyzer.liveness import RUN_BY_CONVENTION, ImportSite, Liveness, Reach
from analyzer.project import Project

# Past this share of unreached modules (and this many), the roots found probably miss one.
SUSPICIOUS_UNREACHED_SHARE = 0.4
SUSPICIOUS_UNREACHED_COUNT = 10
_STATE = {Reach.NONE: "none", Reach.TESTS: "tests", Reach.MAYBE: "maybe"}


def check(project: Project) -> Iterator[Finding]:
    liveness = project.liveness
    candidates = [facts for facts in project.index.modules.values() if _eligible(project, facts)]
    if not candidates:
        return
    if not liveness.judged:
        return  # a library, or roots the tool cannot see: nothing to judge against (blind spots)
    unreached = {facts.module: liveness.module(facts.module) for facts in candidates}
    unreached = {module: reach for module, reach in unreached.items() if reach is not Reach.APP}
    suspicious = (
        len(unreached) >= SUSPICIOUS_UNREACHED_COUNT and len(unreached) > SUSPICIOUS_UNREACHED_SHARE * len(candidates)
    )
    for top, members in _groups(project, unreached):
        yield _finding(project, top, members, unreached, suspicious)


def _eligible(project: Project, facts: ModuleFacts) -> bool:
    name = facts.path.rpartition("/")[2]
    return project.liveness.judges(facts) and not (
        project.is_test_or_example(facts) or project.is_migration(facts) or name in RUN_BY_CONVENTION
        or project.is_run_by_its_framework(facts)
    )


def _groups(project: Project, unreached: dict[str, Reach]) -> Iterator[tuple[ModuleFacts, list[ModuleFacts]]]:
    """Each unreached module, or the outermost package all of whose modules are unreached."""
    modules = project.index.modules
    members: dict[str, list[str]] = {}  # package → every module in it, itself included
    for module in modules:
        for package in _packages_of(module):
            if package in modules and modules[package].is_package:
                members.setdefault(package, []).append(module)
    dead = {package for package, inside in members.items() if all(m in unreached for m in inside)}
    reported: set[str] = set()
    for module in sorted(unreached, key=lambda m: modules[m].path):
        top = next((p for p in _packages_of(module) if p in dead), module)
        if top in reported:
            continue
        reported.add(top)
        group = members[top] if top in dead else [module]
        yield modules[top], sorted((modules[m] for m in group), key=lambda f: f.path)


def _packages_of(module: str) -> list[str]:
    """`a.b.c` → `a`, `a.b`, `a.b.c` (outermost first)."""
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]


def _finding(
    project: Project,
    top: ModuleFacts,
    members: list[ModuleFacts],
    unreached: dict[str, Reach],
    suspicious: bool,
) -> Finding:
    liveness = project.liveness
    reach = min(unreached[m.module] for m in members)  # the best reach of any member
    inside = {m.path for m in members}
    sites = sorted(
        {site for m in members for site in liveness.import_sites(m.module) if site.path not in inside},
        key=lambda site: (site.path, site.line),
    )
    is_package = top.is_package and len(members) > 1
    what = f"package `{top.module}` ({len(members)} modules)" if is_package else f"module `{top.module}`"
    evidence = [f"imported at {site.path}:{site.line}, {_describe(site, liveness)}" for site in sites]
    if not sites:
        evidence.append("no module imports it and no dotted string names it")
    evidence.append("no launcher (Dockerfile, Procfile, scripts, CI, pyproject entry points) runs it")
    confidence = "high"
    if reach is Reach.TESTS:
        confidence = "uncertain"
        evidence.append("only tests or examples reach it")
    elif reach is Reach.MAYBE:
        confidence = "uncertain"
        reason = next((r for m in members if (r := liveness.reason(m.module))), None)
        evidence.append(f"it may run all the same: {reason}")
    if any(m.says_deprecated for m in members):
        confidence = "uncertain"
        evidence.append("it says it is deprecated: kept for callers outside the repository?")
    if all(_configuration(m) for m in members) and reach is Reach.NONE:
        confidence = "uncertain"
        evidence.append("it holds only settings, under a configuration's name: read by a tool outside the repository?")
    if suspicious:
        confidence = "uncertain"
        evidence.append(
            "most of the project is unreached from the roots found: a root may be missing "
            "(name it in `[tool.hygiene] entrypoints`)"
        )
    if reach is Reach.TESTS:
        message = f"{what} is used only by tests: nothing the application runs imports it."
    else:
        message = f"{what} is never imported by anything the application runs."
    return Finding(
        rule=RULE_ID,
        path=top.path,
        line=1,
        end_line=max(top.line_count, 1),
        symbol=None,
        message=message,
        related=tuple(Related(site.path, site.line, site.line, "imports it") for site in sites[:5]),
        details=OrphanDetails(
            reach=_STATE[reach],
            modules=tuple(m.path for m in members),
            lines=sum(m.line_count for m in members),
            imported_at=tuple(ImportedAt(s.path, s.line, s.holder or None, _STATE.get(s.reach, "app")) for s in sites),
        ),
        evidence=tuple(evidence),
        confidence=confidence,
        covers=tuple(m.path for m in members),
        fix=DeleteModules(
            action="delete-package" if is_package else "delete-module",
            path=top.path,
            module=top.module,
            paths=tuple(m.path for m in members),
            unimport_from=tuple(sorted({site.path for site in sites})),
        ),
    )


def _configuration(facts: ModuleFacts) -> bool:
    """Only constants, in a module named like a configuration (`settings.py`, `celeryconfig.py`,
    `gunicorn.conf.py`, `prod_settings.py`): the kind tools load by a name given outside the code
    (`DJANGO_SETTINGS_MODULE`, `-c`). Constants under another name are dead like any module."""
    words = re.split(r"[_.\-]", facts.path.rpartition("/")[2].removesuffix(".py").lower())
    constants_only = bool(facts.bindings) and not (facts.classes or facts.functions or facts.runs_at_import)
    return constants_only and bool(_CONFIGURATION_WORDS.intersection(words))


_CONFIGURATION_WORDS = frozenset({"settings", "config", "conf", "configuration", "celeryconfig", "cfg"})


def _describe(site: ImportSite, liveness: Liveness) -> str:
    holder = f"in `{site.holder}`" if site.holder else "at module level"
    if site.reach is Reach.NONE:
        return f"{holder}, which nothing reaches either"
    if site.reach is Reach.TESTS:
        return f"{holder}, which only tests reach"
    if site.reach is Reach.MAYBE:
        module = liveness.index.by_path[site.path].module
        return f"{holder}, which may run: {liveness.reason(module, site.holder)}"
    return f"{holder}, which the application reaches"
