"""What the analysis knows of libraries that the project's code cannot tell it, read from data.

`data/library_behaviour.toml` says which bases register their subclasses, which decorators leave
a definition where it is, and which callees only read the classes they are given;
`data/library_members.json` lists the attributes library classes give their subclasses, and
`data/stdlib/pyX.Y.json` those of the standard library's classes, per Python version (made by
`scripts/gen_stdlib_members.py`): a scan imports none of the modules it reads about, so its
results never depend on what the scanning interpreter can import. Rules and models ask here;
none keeps a table of its own.
"""

from __future__ import annotations

import json
import sys
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
    member_keeping_decorators: frozenset[str]
    inert_callees: frozenset[str]
    inert_modules: frozenset[str]
    route_methods: frozenset[str]
    instance_classes: dict[str, dict[str, str]]

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


def canonical(qualname: str) -> str:
    """A library name as the tables know it: `flask.ext.login.X` (Flask's old redirect of
    extensions, gone since Flask 1.0) is `flask_login.X`."""
    if qualname.startswith("flask.ext."):
        return "flask_" + qualname.removeprefix("flask.ext.")
    return qualname


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
        member_keeping_decorators=frozenset(decorators["members_known"]),
        inert_callees=frozenset(callees["inert"]),
        inert_modules=frozenset(callees["inert_modules"]),
        route_methods=frozenset(callees["route_methods"]),
        instance_classes={factory: dict(made) for factory, made in data["instances"].items()},
    )


@cache
def _stdlib() -> dict[str, dict[str, object]]:
    """The snapshot for this Python, or the nearest version there is."""
    folder = resources.files("analyzer").joinpath("data/stdlib")
    versions = sorted(
        (tuple(int(part) for part in entry.name.removeprefix("py").removesuffix(".json").split(".")), entry)
        for entry in folder.iterdir()
        if entry.name.startswith("py") and entry.name.endswith(".json")
    )
    running = sys.version_info[:2]
    _, nearest = min(versions, key=lambda item: (abs(item[0][0] * 100 + item[0][1] - running[0] * 100 - running[1]),
                                                  item[0]))
    data: dict[str, dict[str, object]] = json.loads(nearest.read_text("utf-8"))
    return data


def stdlib_members(qualname: str) -> frozenset[str] | None:
    """What a standard-library class gives its subclasses (and its class object), or None when
    that is unknown: not a public stdlib class, or one whose metaclass adds attributes per class."""
    data = _stdlib()
    names: dict[str, str] = data["names"]  # type: ignore[assignment]
    canonical = names.get(qualname, qualname)
    return _class_members(canonical)


@cache
def _class_members(canonical: str) -> frozenset[str] | None:
    classes: dict[str, dict[str, list[str]] | None] = _stdlib()["classes"]  # type: ignore[assignment]
    if canonical not in classes:
        return None
    entry = classes[canonical]
    if entry is None:
        return None
    members = set(entry["own"]) | _OBJECT_MEMBERS
    for base in entry["bases"]:
        inherited = _class_members(base)
        if inherited is None:
            return None
        members |= inherited
    return frozenset(members)


_OBJECT_MEMBERS = frozenset(dir(object))
