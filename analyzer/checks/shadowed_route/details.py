"""shadowed-route's data: its id, what its findings carry (`details`) and the fixes they propose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analyzer.findings import Data, Details, FixSpec

RULE_ID = "shadowed-route"

# "order": an earlier route's path matches every request of a later, different one;
# "duplicate": the same method and path registered again, by another handler;
# "mounted-twice": a router mounted again under the same full prefix.
Kind = Literal["order", "duplicate", "mounted-twice"]


@dataclass(frozen=True)
class RouteRef(Data):
    """The route that answers first."""

    methods: tuple[str, ...]
    path: str  # its full path on the application
    handler: str
    file: str
    line: int


@dataclass(frozen=True)
class ShadowedDetails(Details):
    kind: Kind
    framework: str  # "fastapi", "starlette" or "flask"
    application: str  # `module:name` of the application, or "<application>" when not identified
    methods: tuple[str, ...]  # the methods never reached
    path: str  # the full path never reached
    handler: str
    shadowed_by: RouteRef
    endpoints: int  # how many endpoints are never reached (a router mounted twice: all of its)


@dataclass(frozen=True)
class MoveRoute(FixSpec):
    """Declare the shadowed route's handler before the route that matches first."""

    action: Literal["move-route"]
    path: str
    handler: str
    line: int  # its route decorator's line
    before_path: str
    before_handler: str
    before_line: int


@dataclass(frozen=True)
class DeleteRoute(FixSpec):
    """Delete the handler that is never reached (the same method and path served before it)."""

    action: Literal["delete-route"]
    path: str
    handler: str
    line: int


@dataclass(frozen=True)
class DeleteMount(FixSpec):
    """Delete the second mount of a router under the same prefix."""

    action: Literal["delete-mount"]
    path: str
    line: int
    router: str
