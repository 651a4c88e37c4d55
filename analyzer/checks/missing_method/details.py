"""missing-method's data: its id, what its findings carry (`details`), the fix they propose and
the rule's settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from analyzer.findings import Data, Details, FixSpec, key

if TYPE_CHECKING:
    from analyzer.checks.missing_method.recipes import Recipe

RULE_ID = "missing-method"


@dataclass(frozen=True)
class Evidence(Data):
    """How the receiver's class was read: `kind` (annotation, call, value...), the expression
    and its line."""

    kind: str
    expr: str
    line: int | None


@dataclass(frozen=True)
class CallSite(Data):
    path: str
    line: int
    receiver: str  # as written
    inferred: str  # how its class is known, in words
    evidence: Evidence
    alias_of: str | None  # the class an alias annotation stands for
    args: int  # positional arguments
    keywords: tuple[str, ...]
    result_used: bool


@dataclass(frozen=True)
class Place(Data):
    path: str
    line: int


@dataclass(frozen=True)
class MissingDetails(Details):
    cls: str = field(metadata=key("class"))
    class_path: str
    method: str
    call_sites: tuple[CallSite, ...]
    did_you_mean: tuple[str, ...]
    defined_on_namesakes: tuple[Place, ...]  # same-named classes that define the method
    bases: tuple[str, ...]


@dataclass(frozen=True)
class ImportFrom(Data):
    """Another fix: import the same-named class that has the method from `module`."""

    action: Literal["import-from"]
    cls: str = field(metadata=key("class"))
    module: str
    path: str
    line: int


@dataclass(frozen=True)
class MethodFix(FixSpec):
    action: Literal["add-method"]
    path: str
    cls: str = field(metadata=key("class"))
    method: str
    after_line: int
    call_sites: tuple[Place, ...]
    alternatives: tuple[ImportFrom, ...]

    def adds_method(self) -> tuple[str, str] | None:
        return self.path, f"{self.cls}.{self.method}"


@dataclass(frozen=True)
class Settings:
    """The project's own recipes (`[[tool.hygiene.recipes]]`), tried before the built-in ones."""

    recipes: tuple[Recipe, ...] = ()
