"""The rules. Each module here defines one `RULE`; adding a rule touches no other file.

A rule's module docstring is its documentation (what it finds, why it matters, example, fix,
blind spots) and is what `hygiene explain` prints; `VALID` and `INVALID` are small example
projects that the test suite runs the rule against, so the documentation cannot drift from the
behaviour.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from analyzer.findings import Diagnostic, Finding

if TYPE_CHECKING:
    from analyzer.project import Project


@dataclass(frozen=True)
class Example:
    """A tiny project (path → source) and the findings a rule must report on it, each as
    `(path, line, symbol)`: `expected` with confidence "high", `uncertain` the others."""

    files: dict[str, str]
    expected: tuple[tuple[str, int, str | None], ...] = ()
    note: str = ""
    uncertain: tuple[tuple[str, int, str | None], ...] = ()  # reported, with confidence "uncertain"


@dataclass(frozen=True)
class Rule:
    """A rule. `module_rank` marks a rule whose findings are about whole modules (they list the
    files in `Finding.covers`): the other findings located in those files fold into it, and of
    two such findings on one file the rule of lower rank keeps it."""

    id: str
    summary: str
    check: Callable[[Project], Iterable[Finding | Diagnostic]]
    doc: str
    valid: tuple[Example, ...] = field(default=())
    invalid: tuple[Example, ...] = field(default=())
    module_rank: int | None = None


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
