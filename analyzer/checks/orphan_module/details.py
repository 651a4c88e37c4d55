"""orphan-module's data: its id, what its findings carry (`details`) and the fix they propose."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from analyzer.findings import Data, Details, FixSpec, key

RULE_ID = "orphan-module"


@dataclass(frozen=True)
class ImportedAt(Data):
    """An import of the dead module, in code that is dead too (or only tests or doubtful code
    reach)."""

    path: str
    line: int
    holder: str | None = field(metadata=key("in"))  # the function holding it (None: module level)
    reach: str  # "none", "tests", "maybe" or "app"


@dataclass(frozen=True)
class OrphanDetails(Details):
    reach: str  # the best reach of any of its modules: "none", "tests" or "maybe"
    modules: tuple[str, ...]  # the module, or every module of the dead package
    lines: int
    imported_at: tuple[ImportedAt, ...]


@dataclass(frozen=True)
class DeleteModules(FixSpec):
    action: Literal["delete-module", "delete-package"]
    path: str
    module: str
    paths: tuple[str, ...]
    unimport_from: tuple[str, ...]  # modules that stay and import it
