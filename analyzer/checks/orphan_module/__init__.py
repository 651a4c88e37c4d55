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

from typing import TYPE_CHECKING

from analyzer.checks import Rule
from analyzer.checks.orphan_module import examples
from analyzer.checks.orphan_module.details import RULE_ID, DeleteModules
from analyzer.findings import Finding, fix_of

if TYPE_CHECKING:
    from analyzer.fixes.context import PlanOptions
    from analyzer.reporting import RuleReport


class OrphanModule(Rule):
    id = RULE_ID
    summary = "A module, or a whole package, that nothing the application runs reaches."
    doc = __doc__ or ""
    valid = examples.VALID
    invalid = examples.INVALID
    module_rank = 1
    urgency = 30



    def fix_summary(self, finding: Finding, options: PlanOptions) -> str:
        spec = fix_of(finding, DeleteModules)
        if spec.action == "delete-package":
            return f"delete package {spec.module} ({len(spec.paths)} modules)"
        return f"delete {spec.path}"

    def intended_deletions(self, finding: Finding, options: PlanOptions) -> list[str]:
        spec = fix_of(finding, DeleteModules)
        return list(spec.paths or [spec.path])

    def describe_fix(self, finding: Finding) -> str:
        spec = fix_of(finding, DeleteModules)
        paths = spec.paths or (spec.path,)
        text = f"delete {spec.path}" if len(paths) < 2 else f"delete {', '.join(paths)}"
        if spec.unimport_from:
            text += "; drop its import from " + ", ".join(spec.unimport_from)
        return text

    @property
    def report(self) -> RuleReport:
        from analyzer.checks.orphan_module.report import Report

        return Report(self.id)


RULE = OrphanModule()
