"""shadowed-class's data: its id, what its findings carry (`details`) and the fix they propose."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from analyzer.findings import Details, FixSpec, key

RULE_ID = "shadowed-class"


@dataclass(frozen=True)
class StaleCopy(Details):
    """A copy of the class in another module, beside the live one."""

    kind: Literal["stale-copy"]
    lines: int
    live_used_by: tuple[str, ...]  # `path:line` of each use of the live class
    shared_methods: tuple[str, ...]
    only_in_stale: tuple[str, ...]
    only_in_live: tuple[str, ...]
    containment: float


@dataclass(frozen=True)
class Redefined(Details):
    """The first of two definitions in one module, dead once the second runs."""

    kind: Literal["redefined"]
    lines: int


@dataclass(frozen=True)
class UsedBetween(Details):
    """The first of two alike definitions in one module, used before the second rebinds it."""

    kind: Literal["redefined-used-between"]
    lines: int
    used_at: tuple[int, ...]


ShadowedDetails = StaleCopy | Redefined | UsedBetween


@dataclass(frozen=True)
class DeleteClass(FixSpec):
    action: Literal["delete-class"]
    path: str
    cls: str = field(metadata=key("class"))
    line: int
    end_line: int
