"""duplicate-module's data: its id, what its findings carry (`details`) and the fix they propose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analyzer.findings import Data, Details, FixSpec

RULE_ID = "duplicate-module"


@dataclass(frozen=True)
class Settings:
    """`[tool.hygiene.duplicate-module]`."""

    threshold: float = 0.90  # similarity of a copy nothing imports
    live_threshold: float = 0.95  # structural score of a copy still imported
    min_lines: int = 20  # logical lines below which modules are not compared


@dataclass(frozen=True)
class Alias(Data):
    """A public name of the copy that the survivor has under another name (`name` → `target`):
    already aliased there (`present`, at `line`) or not."""

    name: str
    target: str
    present: bool
    line: int | None


@dataclass(frozen=True)
class Reference(Data):
    """A place that refers to a module: an import, a dotted string (`how`)."""

    path: str
    line: int
    how: str


@dataclass(frozen=True)
class DuplicateDetails(Details):
    similarity: float  # share of the copy's tokens equal to the original's once renamed
    score: float  # the same, a renamed name counting half
    overlap: float  # the share of both modules the alignment covers
    renames: dict[str, str]  # copy's name → survivor's name
    aliases: tuple[Alias, ...]
    aliases_present: bool
    copy_lines: int
    original_lines: int
    copy_referenced_by: tuple[Reference, ...]
    original_referenced_by: tuple[Reference, ...]


@dataclass(frozen=True)
class NewAlias(Data):
    name: str
    target: str


@dataclass(frozen=True)
class DeleteCopy(FixSpec):
    """Delete the copy; give the survivor the copy's old names (`add_aliases`) and point every
    reference of the copy at the survivor."""

    action: Literal["delete-module"]
    path: str
    module: str
    survivor: str
    survivor_module: str
    add_aliases: tuple[NewAlias, ...]
    rewrite_references: tuple[Reference, ...]
