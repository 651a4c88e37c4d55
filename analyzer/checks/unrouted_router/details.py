"""unrouted-router's data: its id, what its findings carry (`details`) and the fixes they propose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analyzer.findings import Data, Details, FixSpec

RULE_ID = "unrouted-router"


@dataclass(frozen=True)
class Replacement(Data):
    """A mounted endpoint that does what an unmounted one meant to."""

    method: str
    path: str
    file: str
    line: int


@dataclass(frozen=True)
class EndpointRow(Data):
    method: str
    path: str  # the full path the router would have served
    handler: str
    line: int
    replacement: Replacement | None
    deprecated_in: str | None  # `path:lines` of the documentation that deprecates it


@dataclass(frozen=True)
class UnroutedDetails(Details):
    framework: str  # "fastapi", "flask" or "starlette"
    prefix: str
    endpoints: tuple[EndpointRow, ...]
    imported_by: tuple[str, ...]
    mounted_at: tuple[str, ...]  # where the application mounts its routers


@dataclass(frozen=True)
class DeleteRouter(FixSpec):
    """Every endpoint is replaced or deprecated: delete the router's module and its imports."""

    action: Literal["delete-module"]
    path: str
    module: str
    unimport_from: tuple[str, ...]


@dataclass(frozen=True)
class MountRouter(FixSpec):
    """Mount it (or delete it by hand, or with `--drop-unrouted`)."""

    action: Literal["mount-router"]
    path: str
    router: str
    module: str

