"""What the analysis knows of libraries that the project's code cannot tell it, read from data.

`data/library_behaviour.toml` says which bases register their subclasses, which decorators leave
a definition where it is, and which callees only read the classes they are given;
`data/library_members.json` lists the attributes library classes give their subclasses. Rules
and models ask here; none keeps a table of its own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class LibraryBehaviour:
    registering_bases: frozenset[str]
    registering_factories: frozenset[str]
    registering_with_keyword: dict[str, str]
    inert_bases: frozenset[str]
    inert_decorators: frozenset[str]
    inert_callees: frozenset[str]
    inert_modules: frozenset[str]
    route_methods: frozenset[str]

    def decorator_is_inert(self, written: str, qualname: str | None = None) -> bool:
        """Whether a decorator, as written (`functools.lru_cache`, `dataclass`) or resolved, only
        wraps what it decorates."""
        return (
            written in self.inert_decorators
            or written.rpartition(".")[2] in self.inert_decorators
            or (qualname is not None and qualname in self.inert_decorators)
        )

    def callee_is_inert(self, qualname: str) -> bool:
        module = qualname.rpartition(".")[0]
        return qualname in self.inert_callees or module.partition(".")[0] in self.inert_modules


@cache
def behaviour() -> LibraryBehaviour:
    text = resources.files("analyzer").joinpath("data/library_behaviour.toml").read_text("utf-8")
    data = tomllib.loads(text)
    bases, decorators, callees = data["bases"], data["decorators"], data["callees"]
    return LibraryBehaviour(
        registering_bases=frozenset(bases["registering"]),
        registering_factories=frozenset(bases["registering_factories"]),
        registering_with_keyword=dict(bases["registering_with_keyword"]),
        inert_bases=frozenset(bases["inert"]),
        inert_decorators=frozenset(decorators["inert"]),
        inert_callees=frozenset(callees["inert"]),
        inert_modules=frozenset(callees["inert_modules"]),
        route_methods=frozenset(callees["route_methods"]),
    )
