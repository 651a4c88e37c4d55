"""The rules, and the registry that finds them: each package here defines one `RULE`.

A rule owns its whole life, in its own package `analyzer/checks/<rule>/`:

- `__init__.py`: its documentation (the package docstring, what `hygiene explain` prints) and
  its `Rule` subclass, which everything after the checks calls;
- `details.py`: its id and the frozen dataclasses of its findings' `details` and `fix`;
- `check.py`: the check, `check(project)`, a pure function of the project (the base class
  imports and calls it: a rule's class holds no plumbing);
- `fix.py`: its fix, `fix(finding, context)`, the edits the generic planner applies on one
  syntax tree per file (none when the package has no `fix.py`);
- `report.py`: its section of the cleanup report and what it says in the other outputs;
- `examples.py`: its VALID and INVALID example projects, each INVALID one with the tree its
  fix must leave (one generic test runs them all, so documentation, tests and behaviour
  cannot drift apart);
- `messages/<lang>.toml`: its sentences, the `[<rule id>]` table of each language's catalogue.

Adding a rule touches no other file: the registry below finds every package that defines a
`RULE`, and the planner, the report, the renderers and the configuration only call the
interface of `Rule`.
"""

from __future__ import annotations

import importlib
import pkgutil
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from analyzer.findings import Diagnostic, Finding

if TYPE_CHECKING:
    from analyzer.fixes.context import Edits, FixContext, PlanOptions
    from analyzer.project import Project
    from analyzer.reporting import RuleReport


@dataclass(frozen=True)
class Example:
    """A tiny project (path → source) and the findings a rule must report on it, each as
    `(path, line, symbol)`: `expected` with confidence "high", `uncertain` the others.

    `fixed` is the tree the rule's fix leaves (for an INVALID example): every file that changes,
    with its new content, and None for a file the fix deletes. Applying the fix to `files` must
    give exactly that, compile, and scan clean of the findings it fixed; `fix_status` is the
    plan's status for it ("stub" for a fix that only adds a stub, "skipped" with `fixed={}`)."""

    files: dict[str, str]
    expected: tuple[tuple[str, int, str | None], ...] = ()
    note: str = ""
    uncertain: tuple[tuple[str, int, str | None], ...] = ()  # reported, with confidence "uncertain"
    fixed: dict[str, str | None] | None = field(default=None)
    fix_status: str = "fixed"


class Rule:
    """A rule, and everything the tool does with its findings.

    Subclasses set the class attributes and override `check`; every other method has a default
    that does nothing rule-specific (no fix, a plain report section), so a rule grows one part
    at a time.

    `module_rank` marks a rule whose findings are about whole modules (they list the files in
    `Finding.covers`): the other findings located in those files fold into it, and of two such
    findings on one file the rule of lower rank keeps it. `severity` is the level of its
    confident findings where levels exist (SARIF): "error" for what fails at run time, else
    "warning". `urgency` orders the report's actions, most urgent (lowest) first.
    """

    id: str
    summary: str
    doc: str = ""
    valid: tuple[Example, ...] = ()
    invalid: tuple[Example, ...] = ()
    module_rank: int | None = None
    severity: str = "warning"
    urgency: int = 100
    # Keys of `[tool.hygiene]` that hold the rule's settings, besides its own `[tool.hygiene.<id>]`.
    config_keys: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<rule {self.id}>"

    # ---- the check -----------------------------------------------------------------------------
    def check(self, project: Project) -> Iterable[Finding | Diagnostic]:
        """The findings: `check(project)` of the package's `check.py` (imported when first run, so
        that listing the rules costs nothing)."""
        module = importlib.import_module(f"{type(self).__module__}.check")
        findings: Iterable[Finding | Diagnostic] = module.check(project)
        return findings

    # ---- settings ------------------------------------------------------------------------------
    def configure(self, values: Mapping[str, Any], where: str) -> object | None:
        """The rule's settings from the keys of `[tool.hygiene]` it owns (its id, `config_keys`),
        as found in the file; raise `ConfigError` naming the key for a bad one. The object is
        kept in `Options.rule_settings` and read back by the rule alone."""
        if values:
            from analyzer.config import ConfigError

            raise ConfigError(f"{where}: rule {self.id!r} has no settings")
        return None

    # ---- the fix -------------------------------------------------------------------------------
    def fix(self, finding: Finding, context: FixContext) -> Edits:
        """The edits that fix the finding, anchored on the files' original syntax trees, by
        `fix(finding, context)` of the package's `fix.py`; or why there are none
        (`Edits.skipped`, also when the rule has no `fix.py`)."""
        from analyzer.fixes.context import Edits, Note

        try:
            module = importlib.import_module(f"{type(self).__module__}.fix")
        except ModuleNotFoundError as missing:
            if missing.name != f"{type(self).__module__}.fix":
                raise
            return Edits(skipped=Note("no_fix", {"rule": self.id}))
        edits: Edits = module.fix(finding, context)
        return edits

    def fix_summary(self, finding: Finding, options: PlanOptions) -> str:
        """One line naming what the fix does (before it is planned: the plan may refine it)."""
        return finding.fix.action if finding.fix is not None else f"no fix for {self.id}"

    def intended_deletions(self, finding: Finding, options: PlanOptions) -> list[str]:
        """The files the fix means to delete, before it is planned: the other fixes plan around
        them (a reference in a deleted file is not rewritten)."""
        return []

    # ---- what every output shows ---------------------------------------------------------------
    def describe_fix(self, finding: Finding) -> str:
        """The proposed fix in one line (the text output, SARIF's fix description)."""
        return finding.fix.action if finding.fix is not None else ""

    # What each of its other locations is (SARIF's related locations).
    location_note = "also here"

    def locations(self, finding: Finding) -> list[tuple[str, int]]:
        """Every place the finding is located at, its own first (a call of a missing method is
        at each call site): SARIF locations, and the files a pre-commit run blocks."""
        return [(finding.path, finding.line)]

    @property
    def report(self) -> RuleReport:
        """Its part of the cleanup report."""
        from analyzer.reporting import RuleReport

        return RuleReport(self.id)

    # ---- its messages --------------------------------------------------------------------------
    def messages(self, lang: str) -> dict[str, Any]:
        """Its catalogue in `lang` (`messages/<lang>.toml` in its package, if any): the table
        under its id in the language's catalogue."""
        package = type(self).__module__
        try:
            text = resources.files(package).joinpath("messages").joinpath(f"{lang}.toml").read_text("utf-8")
        except (FileNotFoundError, ModuleNotFoundError, TypeError):
            return {}
        return tomllib.loads(text)


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule):
            rules.append(rule)
    return tuple(sorted(rules, key=lambda r: r.id))


def rule_by_id(rule_id: str) -> Rule | None:
    return next((rule for rule in all_rules() if rule.id == rule_id), None)


def rule_of(finding: Finding) -> Rule:
    """The rule that made a finding (a finding of an unknown rule gets a rule that does nothing
    rule-specific)."""
    return _rules_by_id().get(finding.rule) or _Unknown(finding.rule)


@cache
def _rules_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in all_rules()}


class _Unknown(Rule):
    def __init__(self, rule_id: str) -> None:
        self.id = rule_id
        self.summary = ""

    def check(self, project: Project) -> Iterable[Finding | Diagnostic]:
        return ()
