"""shadowed-class: a stale second definition of a class, beside the live one.

## What it finds
- A class defined twice in the same module: the first definition is dead from the moment the
  second runs (unless something between the two uses it).
- A copy of a class in another module that nothing the application runs refers to (no import,
  no `module.Class` attribute, no dotted string such as a `mock.patch` target, not in `__all__`,
  no use in its own module), while a same-named class is used by the application.

## Why is this bad?
Readers and tools find two `WorkerSpaceManager`s and cannot tell which one runs; fixes land in
the stale one. Name-based dead-code tools miss it: each copy "uses" the other's name.

## Example
`app/core/user_worker_space.py` still holds an old `WorkerSpaceManager` (lines 478-599) while
everything imports the singleton from `app/core/worker_space_manager.py`.

## Fix
Delete the stale class, then any import only it used. The live class is never touched.

## How "used" is judged
Uses count only from code the application reaches (the liveness model): a reference from a
module nothing imports, from a helper nothing calls, or from a package `__init__` that nothing
imports does not keep a class alive. A class only tests use is a stale copy kept alive by its
tests (uncertain).

## Confidence
- `high`: a stale copy *contained* in the live class (at least half of its methods are still
  there: stale copies are the ones the live class outgrew), or a first definition rebound in its
  module whose bases are known not to register subclasses (pydantic models, dataclasses, `Enum`,
  exceptions, plain classes).
- `uncertain`, with the reason: only the name matches (little in common); only tests or code
  that may not run use it; the name is read dynamically elsewhere (`getattr(m, "Name")`,
  an attribute of a module loaded at run time); one class of a plugin layout (the same name in
  three or more modules of one package, or same-named modules of sibling packages); namesakes in
  two distributions of one repository; a decorator, a metaclass, an `__init_subclass__` or a
  library base that may register the class when it is defined. Which bases register (SQLAlchemy
  declarative bases, Django models, marshmallow schemas, Celery tasks, SQLModel with
  `table=True`...) and which do not is data: `analyzer/data/library_behaviour.toml`.

## Blind spots
Classes inside functions or conditional blocks, nested classes (`class Config`), test modules,
migrations, documentation and example folders are not considered. A base class and its
same-named subclass are not copies. Namesakes that are both unused are not this rule's finding
(no live copy), nor are copies the application uses side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.checks import Rule
from analyzer.checks.shadowed_class import examples
from analyzer.checks.shadowed_class.details import RULE_ID, DeleteClass
from analyzer.findings import Finding, fix_of

if TYPE_CHECKING:
    from analyzer.fixes.context import PlanOptions
    from analyzer.reporting import RuleReport


class ShadowedClass(Rule):
    id = RULE_ID
    summary = "A stale second definition of a class that nothing uses, beside the live one."
    doc = __doc__ or ""
    valid = examples.VALID
    invalid = examples.INVALID
    urgency = 50



    def fix_summary(self, finding: Finding, options: PlanOptions) -> str:
        spec = fix_of(finding, DeleteClass)
        return f"remove class {spec.cls} from {spec.path} (lines {spec.line}-{spec.end_line})"

    def describe_fix(self, finding: Finding) -> str:
        spec = fix_of(finding, DeleteClass)
        return f"delete class {spec.cls} ({spec.path}:{spec.line}-{spec.end_line})"

    @property
    def report(self) -> RuleReport:
        from analyzer.checks.shadowed_class.report import Report

        return Report(self.id)


RULE = ShadowedClass()
