"""orphan-module: a module, or a whole package, that nothing the application runs reaches.

## What it finds
A module that no root of the program reaches (see the liveness model): the application does not
import it, directly or through anything it imports; no launcher runs it (Dockerfile, Procfile,
compose file, shell script, Makefile, CI workflow, `[project.scripts]`, a documented
`python x.py`); no dotted string in reached code names it; it is not a test, a migration, a
`conftest.py` or an example. A package whose every module is an orphan is one finding.

The evidence says who imports the module and why those importers are dead too (nothing reaches
them either, or only tests do).

## Why is this bad?
Dead modules are read, reviewed, type-checked, migrated and kept up to date for nothing; they
keep dead dependencies installed, and whatever they import looks used. A module only tests
import is dead application code kept alive by its tests.

## Example
`app/services/legacy_export.py` was replaced by `app/services/export.py`; the route that used it
was rewritten, and nothing imports it any more but `app/services/__init__.py`'s star list, which
nothing imports either.

## Fix
Delete the module (or the package), and the imports of it in modules that are dead with it.

## Confidence
- `high`: nothing reaches the module.
- `uncertain`: only tests or examples reach it; or only something doubtful does (a script that
  nothing is known to run, a package that code walks at run time, an attribute read on an
  object of unknown type); or most of the project is unreached from the roots found, which
  suggests a root the tool does not know (then say it: `[tool.hygiene] entrypoints`).

## Blind spots
Modules run by something outside the repository (a cron job on a server, a deployment
repository's Dockerfile) look dead: name them in `[tool.hygiene] entrypoints` or mention them
in a launcher file. A project with no root at all (a library) is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.checks import Example, Rule
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding, Related
from analyzer.liveness import RUN_BY_CONVENTION, ImportSite, Liveness, Reach
from analyzer.project import Project

RULE_ID = "orphan-module"
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
    if all(_constants_only(m) for m in members) and reach is Reach.NONE:
        confidence = "uncertain"
        evidence.append("it holds only settings: read by a tool outside the repository?")
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
        details={
            "reach": _STATE[reach],
            "modules": [m.path for m in members],
            "lines": sum(m.line_count for m in members),
            "imported_at": [
                {"path": s.path, "line": s.line, "in": s.holder or None, "reach": _STATE.get(s.reach, "app")}
                for s in sites
            ],
        },
        evidence=tuple(evidence),
        confidence=confidence,
        covers=tuple(m.path for m in members),
        fix={
            "action": "delete-package" if is_package else "delete-module",
            "path": top.path,
            "module": top.module,
            "paths": [m.path for m in members],
            "unimport_from": sorted({site.path for site in sites}),
        },
    )


def _constants_only(facts: ModuleFacts) -> bool:
    return bool(facts.bindings) and not facts.classes and not facts.functions and not facts.runs_at_import


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


_MAIN = "from fastapi import FastAPI\n\nfrom app import users\n\napp = FastAPI()\napp.include_router(users.router)\n"
_USERS = (
    "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get('/users')\n"
    "def users():\n    return []\n"
)

RULE = Rule(
    id=RULE_ID,
    summary="A module, or a whole package, that nothing the application runs reaches.",
    check=check,
    doc=__doc__ or "",
    module_rank=1,
    invalid=(
        Example(
            files={
                "app/__init__.py": "",
                "app/main.py": _MAIN,
                "app/users.py": _USERS,
                "app/export_old.py": "import csv\n\n\ndef export(rows):\n    return csv.writer(rows)\n",
            },
            expected=(("app/export_old.py", 1, None),),
            note="a module nothing imports",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/main.py": _MAIN,
                "app/users.py": _USERS,
                "app/legacy/__init__.py": "from app.legacy.a import A\nfrom app.legacy.b import B\n",
                "app/legacy/a.py": "class A:\n    pass\n",
                "app/legacy/b.py": "from app.legacy.a import A\n\n\nclass B(A):\n    pass\n",
            },
            expected=(("app/legacy/__init__.py", 1, None),),
            note="a package whose modules import only each other: one finding",
        ),
    ),
    valid=(
        Example(
            files={
                "app/__init__.py": "",
                "app/main.py": _MAIN,
                "app/users.py": _USERS,
                "app/worker.py": "def run():\n    return 1\n",
                "Procfile": "web: uvicorn app.main:app\nworker: python -m app.worker\n",
            },
            note="run by a launcher",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/users.py": _USERS,
                "app/settings.py": "PLUGINS = ['app.plugins.audit']\n",
                "app/plugins/__init__.py": "",
                "app/plugins/audit.py": "def setup(app):\n    return app\n",
                "app/main.py": _MAIN.replace("import users", "import settings, users"),
            },
            note="named by a dotted string in reached code (settings)",
        ),
    ),
)
