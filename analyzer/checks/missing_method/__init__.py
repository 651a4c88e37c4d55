"""missing-method: a call of a method the receiver's class does not define.

## What it finds
`x.m(...)` where the class of `x` is statically certain and is a project class that neither
defines `m` nor inherits it, and no subclass has it (`self.m()` in a method is a call on the
class: a subclass, or a class a mixin is mixed into, may define `m`). The class is known from
`self`/`cls` in a method, a parameter or variable annotation
(`Optional[X]`, `X | None`, string annotations included), a constructor call `x = X(...)`, a
project function's return annotation, an alias (`SSEEvent = StreamEvent`), or
`self.attr = X(...)` in the class. Inherited members come from project bases and from the real
attributes of library bases (pydantic `BaseModel` and `BaseSettings`, SQLModel, dataclasses,
`Enum`, exceptions, builtins).

## Why is this bad?
It is an `AttributeError` waiting for the first request that reaches the line.

## Example
`app/routes/sse.py` calls `event.to_sse_format()` where `event: SSEEvent` and
`SSEEvent = StreamEvent`, a pydantic model with no such method.

## Fix
In order: call the close existing method whose signature fits every call ("did you mean");
import the live same-named class when the callers use a stale copy; add the method to the
class, after its last method, with a body from the recipe table (`recipes.toml` here, and the
project's own `[[tool.hygiene.recipes]]`, tried first); else add a stub typed and named from the
call sites, which raises `NotImplementedError` and is never counted as a fix.

## Confidence
A class handed at module level to a callee that may set attributes on it (`admin.register(Model)`,
a project function that sets attributes on its parameter, a library function the tool does not
know) is reported as `uncertain`, with the call as evidence. Callees known to only read what they
get are no reason for doubt: route declarations and their `response_model`, `Depends`,
`isinstance`, typing constructs, pydantic `TypeAdapter`, logging (`data/library_behaviour.toml`).

## Blind spots
Never reported, because they cannot be known: classes with an unknown base, metaclass or class
decorator, `__getattr__`/`__getattribute__`, attributes set through `setattr`, `Protocol`s,
receivers narrowed by `isinstance`/`hasattr` or assigned more than one way, names bound both to
a class and to an import (`if NEW: class X: ...` / `else: from lib import X`), annotations that
name a class with only static and class methods (a factory: the value is what it makes), and
methods that a subclass defines (the receiver may be that subclass).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from analyzer.checks import Rule
from analyzer.checks.missing_method import examples
from analyzer.checks.missing_method.details import RULE_ID, MethodFix, MissingDetails, Settings
from analyzer.findings import Finding, details_of, fix_of

if TYPE_CHECKING:
    from analyzer.fixes.context import PlanOptions
    from analyzer.reporting import RuleReport


class MissingMethod(Rule):
    id = RULE_ID
    summary = "A call of a method that the statically known class of the receiver does not define."
    doc = __doc__ or ""
    valid = examples.VALID
    invalid = examples.INVALID
    severity = "error"  # an AttributeError at run time
    urgency = 10
    config_keys = ("recipes",)
    location_note = "also called here"


    # ---- settings: [[tool.hygiene.recipes]] ----------------------------------------------------
    def configure(self, values: Mapping[str, Any], where: str) -> Settings | None:
        from analyzer.checks.missing_method.recipes import Recipe
        from analyzer.config import ConfigError

        if self.id in values:
            raise ConfigError(
                f"{where}: [tool.hygiene.{self.id}] has no settings; recipes are [[tool.hygiene.recipes]]"
            )
        value = values.get("recipes")
        if value is None:
            return None
        if not isinstance(value, list):
            raise ConfigError(f"{where}: recipes must be an array of tables ([[tool.hygiene.recipes]])")
        recipes = []
        for number, table in enumerate(value, 1):
            if not isinstance(table, dict):
                raise ConfigError(f"{where}: recipes[{number}] must be a table")
            missing = {"name", "methods", "kind", "source"} - set(table)
            if missing:
                raise ConfigError(f"{where}: recipes[{number}] lacks {', '.join(sorted(missing))}")
            try:
                recipes.append(Recipe.from_table(table))
            except (TypeError, ValueError) as error:
                raise ConfigError(f"{where}: recipes[{number}]: {error}") from None
        return Settings(tuple(recipes))

    # ---- the fix -------------------------------------------------------------------------------

    def fix_summary(self, finding: Finding, options: PlanOptions) -> str:
        spec = fix_of(finding, MethodFix)
        return f"make {spec.cls}.{spec.method}() exist ({spec.path})"

    def describe_fix(self, finding: Finding) -> str:
        spec = fix_of(finding, MethodFix)
        return f"add {spec.cls}.{spec.method}() in {spec.path} after line {spec.after_line}"

    def locations(self, finding: Finding) -> list[tuple[str, int]]:
        """Every call site, the finding's own first."""
        sites = [(site.path, site.line) for site in details_of(finding, MissingDetails).call_sites if site.line >= 1]
        first = (finding.path, finding.line)
        return [first, *(site for site in dict.fromkeys(sites) if site != first)]

    @property
    def report(self) -> RuleReport:
        from analyzer.checks.missing_method.report import Report

        return Report(self.id)


RULE = MissingMethod()
