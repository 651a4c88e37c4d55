"""shadowed-class: a stale second definition of a class, beside the live one.

## What it finds
- A class defined twice in the same module: the first definition is dead from the moment the
  second runs (unless something between the two uses it).
- A copy of a class in another module that nothing references (no import, no `module.Class`
  attribute, no dotted string such as a `mock.patch` target, not in `__all__`, no use in its own
  module), while a same-named class with mostly the same methods is used by the application
  (not only by tests).

Plugin layouts are not copies: a class name defined in three or more modules of one package
(`serializers/json.py`, `serializers/xml.py`, ... each with its `Serializer`), or in same-named
modules of sibling packages (`processors/a/forms.py`, `processors/b/forms.py`), is a
convention the application looks up by module. So is a class whose name is read with
`getattr(obj, "Name")` or as an attribute of an object the index cannot tell (a module loaded
with importlib) anywhere else in the project. Namesakes with (almost) no method in common in two
distributions of one repository (nested projects, each with its own pyproject.toml) are two
classes that share a name, not a copy.

## Why is this bad?
Readers and tools find two `WorkerSpaceManager`s and cannot tell which one runs; fixes land in
the stale one. Name-based dead-code tools miss it: each copy "uses" the other's name.

## Example
`app/core/user_worker_space.py` still holds an old `WorkerSpaceManager` (lines 478-599) while
everything imports the singleton from `app/core/worker_space_manager.py`.

## Fix
Delete the stale class, then any import only it used. The live class is never touched.

## Confidence
A stale copy that shares fewer than two methods with the live class (empty classes, exception
classes) is reported as `uncertain`: listed apart, and failing CI only with `--strict`.

## Blind spots
Classes inside functions or conditional blocks, nested classes (`class Config`), classes with
a decorator that may register them (anything but `@dataclass`, `@total_ordering` and the
like), test modules, migrations, documentation and example folders are not considered. A class
defined twice in one module is not reported when defining the first may register it: a
metaclass, a library base other than plain ones (`object`, exceptions, `Enum`...), or a base
with `__init_subclass__`. A base class and its same-named subclass are not copies.
A computed `getattr(module, name)` is invisible, as are classes named only in non-Python
settings (YAML, INI) when their module is not laid out as a plugin package.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from analyzer.checks import Example, Rule
from analyzer.facts.model import ClassFact, ModuleFacts
from analyzer.findings import Finding, Related
from analyzer.index import Symbol
from analyzer.project import Project, Reference, is_example_module, is_migration, is_test_module

RULE_ID = "shadowed-class"
MIN_SHARED_METHODS = 0.5
MIN_SHARED_FOR_CERTAINTY = 2


def check(project: Project) -> Iterator[Finding]:
    yield from _redefined_in_module(project)
    yield from _stale_copies(project)


def _eligible(facts: ModuleFacts) -> bool:
    return not is_test_module(facts) and not is_migration(facts) and not is_example_module(facts)


# Class decorators known to leave the class where it is; any other may register it somewhere
# (`@api.route("/x")`, `@admin.register`, `@handles("a")`), so the class lives on unnamed.
INERT_DECORATORS = frozenset(
    {"dataclass", "total_ordering", "final", "unique", "verify", "runtime_checkable", "define",
     "frozen", "mutable", "attrs", "s", "dataclass_json", "deconstructible"}
)


def _may_be_registered(cls: ClassFact) -> bool:
    return any(d.rpartition(".")[2] not in INERT_DECORATORS for d in cls.decorators)


# Library bases whose subclasses are plain classes: defining one has no effect elsewhere.
PLAIN_BASES = frozenset(
    {"builtins.object", "builtins.Exception", "builtins.BaseException", "builtins.ValueError",
     "builtins.RuntimeError", "builtins.dict", "builtins.list", "builtins.str", "builtins.int",
     "abc.ABC", "enum.Enum", "enum.IntEnum", "enum.StrEnum", "typing.NamedTuple",
     "typing.TypedDict", "typing.Protocol", "typing.Generic"}
)


def _acts_when_defined(project: Project, module: str, cls: ClassFact, depth: int = 0) -> bool:
    """Whether defining the class may register it somewhere: a metaclass, a base outside this
    short list of plain ones (a framework's `page` whose metaclass records every subclass), or a
    project base with `__init_subclass__`."""
    if cls.metaclass is not None or depth > 8:
        return True
    for base in project.classes.bases(module, cls):
        if base is None:
            return True
        if base.kind == "external":
            if base.qualname not in PLAIN_BASES:
                return True
            continue
        fact = project.index.class_fact(base)
        if fact is None or "__init_subclass__" in fact.methods:
            return True
        if _acts_when_defined(project, base.module, fact, depth + 1):
            return True
    return False


def _redefined_in_module(project: Project) -> Iterator[Finding]:
    for facts in project.index.modules.values():
        if not _eligible(facts):
            continue
        by_name: dict[str, list[ClassFact]] = defaultdict(list)
        for cls in facts.classes:
            if not cls.conditional:
                by_name[cls.name].append(cls)
        for name, definitions in sorted(by_name.items()):
            definitions.sort(key=lambda c: c.span.line)
            for stale, later in pairwise(definitions):
                if _may_be_registered(stale) or _acts_when_defined(project, facts.module, stale):
                    continue  # registered when defined: rebinding the name does not undo that
                between = [
                    line for line in facts.name_lines(name)
                    if stale.span.end_line < line < later.span.line
                ]
                if between:
                    continue
                yield Finding(
                    rule=RULE_ID,
                    path=facts.path,
                    line=stale.span.line,
                    end_line=stale.span.end_line,
                    symbol=name,
                    message=(
                        f"class `{name}` is defined again at line {later.span.line} of the same "
                        "module; this first definition is never used."
                    ),
                    related=(Related(facts.path, later.span.line, later.span.end_line, "the definition that wins"),),
                    details={"kind": "redefined", "lines": stale.span.length},
                    evidence=(
                        f"`{name}` is rebound at line {later.span.line} and nothing between "
                        f"lines {stale.span.end_line} and {later.span.line} uses it",
                    ),
                    fix=_delete_fix(facts, stale),
                )


def _stale_copies(project: Project) -> Iterator[Finding]:
    index = project.index
    by_name: dict[str, list[tuple[ModuleFacts, ClassFact]]] = defaultdict(list)
    for facts, cls in index.classes():
        if _eligible(facts) and not cls.conditional and not _may_be_registered(cls):
            by_name[cls.name].append((facts, cls))
    for _name, definitions in sorted(by_name.items()):
        modules = {facts.module for facts, _ in definitions}
        if len(modules) < 2:
            continue
        usage: dict[tuple[str, int], list[Reference]] = {}

        def uses(
            facts: ModuleFacts, cls: ClassFact, usage: dict[tuple[str, int], list[Reference]] = usage
        ) -> list[Reference]:
            key = (facts.module, cls.span.line)
            if key not in usage:
                usage[key] = _uses(project, facts, cls)
            return usage[key]

        for facts, cls in definitions:
            if _plugin_layout(facts, definitions):
                continue
            # Cheap tests first: references are only looked up for classes that have a twin.
            twins = [
                (other_facts, other)
                for other_facts, other in definitions
                if other_facts.module != facts.module and _alike(cls, other)
                and not _parallel_plugins(facts.path, other_facts.path)
            ]
            if not twins or uses(facts, cls) or project.dynamic_mentions(cls.name, facts.module):
                continue
            live = [
                (other_facts, other, uses(other_facts, other))
                for other_facts, other in twins
                if _used_outside_tests(project, uses(other_facts, other))
                and not _related_by_inheritance(project, facts, cls, other_facts, other)
                and (
                    _share_methods(cls, other)
                    or project.distribution_of(facts) == project.distribution_of(other_facts)
                )
            ]
            if not live:
                continue
            live.sort(key=lambda item: (-len(item[2]), item[0].path))
            live_facts, live_cls, live_uses = live[0]
            yield _finding(facts, cls, live_facts, live_cls, live_uses)


def _uses(project: Project, facts: ModuleFacts, cls: ClassFact) -> list[Reference]:
    """Where the class is used from outside its own body."""
    symbol = Symbol("class", facts.module, cls.name)
    uses = project.references_to(symbol)
    if facts.dunder_all is not None and cls.name in facts.dunder_all:
        uses.append(Reference(facts.path, 1, "__all__"))
    uses += [
        Reference(facts.path, line, "name")
        for line in facts.name_lines(cls.name)
        if not cls.span.contains(line)
    ]
    return uses


PLUGIN_SIBLINGS = 3


def _plugin_layout(facts: ModuleFacts, definitions: list[tuple[ModuleFacts, ClassFact]]) -> bool:
    """The class name is defined in `PLUGIN_SIBLINGS` or more modules of this module's package."""
    package = facts.path.rpartition("/")[0]
    siblings = {other.path for other, _ in definitions if other.path.rpartition("/")[0] == package}
    return len(siblings) >= PLUGIN_SIBLINGS


def _parallel_plugins(path: str, other: str) -> bool:
    """`processors/a/forms.py` and `processors/b/forms.py`: one module per plugin package."""
    *mine, name = path.split("/")
    *theirs, other_name = other.split("/")
    return name == other_name and len(mine) == len(theirs) >= 2 and mine[:-1] == theirs[:-1]


def _share_methods(cls: ClassFact, other: ClassFact) -> bool:
    """Namesakes with (almost) no methods in common in two distributions of one repository (an
    SDK and its command line, each with its own pyproject.toml) are two classes that happen to
    share a name, not a copy."""
    return len(set(cls.methods) & set(other.methods)) >= MIN_SHARED_FOR_CERTAINTY


def _used_outside_tests(project: Project, uses: list[Reference]) -> bool:
    """A class only tests use is not evidence of which copy the application runs (plugins
    loaded by dotted path from a settings file are named by their tests only)."""
    return any(not is_test_module(project.index.by_path[use.path]) for use in uses)


def _alike(a: ClassFact, b: ClassFact) -> bool:
    mine, theirs = set(a.methods), set(b.methods)
    if not mine and not theirs:
        return set(a.attributes) == set(b.attributes)
    return len(mine & theirs) >= MIN_SHARED_METHODS * max(len(mine), len(theirs))


def _related_by_inheritance(
    project: Project, facts: ModuleFacts, cls: ClassFact, other_facts: ModuleFacts, other: ClassFact
) -> bool:
    a = Symbol("class", facts.module, cls.name)
    b = Symbol("class", other_facts.module, other.name)
    classes = project.classes
    return a in classes.ancestors(b) or b in classes.ancestors(a)


def _finding(
    facts: ModuleFacts,
    cls: ClassFact,
    live_facts: ModuleFacts,
    live: ClassFact,
    live_uses: list[Reference],
) -> Finding:
    users = sorted({f"{use.path}:{use.line}" for use in live_uses})
    shared = sorted(set(cls.methods) & set(live.methods))
    # Two same-named classes with (almost) no methods are alike by having little code, not by
    # being copies: still dead, but the "stale copy" reading is uncertain.
    confidence = "high" if _share_methods(cls, live) else "uncertain"
    return Finding(
        rule=RULE_ID,
        path=facts.path,
        line=cls.span.line,
        end_line=cls.span.end_line,
        symbol=cls.name,
        message=(
            f"class `{cls.name}` here is a stale copy: nothing uses it, while the `{cls.name}` in "
            f"{live_facts.path} is used in {len(users)} place(s)."
        ),
        related=(
            Related(live_facts.path, live.span.line, live.span.end_line, "the live definition"),
        ),
        details={
            "kind": "stale-copy",
            "lines": cls.span.length,
            "live_used_by": users,
            "shared_methods": shared,
            "only_in_stale": sorted(set(cls.methods) - set(live.methods)),
            "only_in_live": sorted(set(live.methods) - set(cls.methods)),
        },
        evidence=(
            f"no import, attribute access, string or name in {facts.path} refers to this "
            f"`{cls.name}`",
            f"the live `{cls.name}` is used at " + ", ".join(users[:5])
            + (f" and {len(users) - 5} more" if len(users) > 5 else ""),
            f"{len(shared)} method(s) in common with the live class",
        ),
        confidence=confidence,
        fix=_delete_fix(facts, cls),
    )


def _delete_fix(facts: ModuleFacts, cls: ClassFact) -> dict[str, Any]:
    return {
        "action": "delete-class",
        "path": facts.path,
        "class": cls.name,
        "line": cls.span.line,
        "end_line": cls.span.end_line,
    }


_LIVE = '''import asyncio


class Pool:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def acquire(self):
        return 1

    def release(self, item):
        return None
'''
_STALE = '''class Pool:
    def __init__(self):
        self.items = []

    def acquire(self):
        return self.items.pop()

    def release(self, item):
        self.items.append(item)


def helper():
    return 2
'''

_LIVE_AND_STALE = {
    "app/__init__.py": "",
    "app/pool.py": _LIVE,
    "app/legacy.py": _STALE,
    "app/main.py": "from app.pool import Pool\n",
}

RULE = Rule(
    id=RULE_ID,
    summary="A stale second definition of a class that nothing uses, beside the live one.",
    check=check,
    doc=__doc__ or "",
    invalid=(
        Example(
            files={
                "app/__init__.py": "",
                "app/pool.py": _LIVE,
                "app/legacy.py": _STALE,
                "app/main.py": "from app.pool import Pool\nfrom app.legacy import helper\n\npool = Pool()\n",
            },
            expected=(("app/legacy.py", 1, "Pool"),),
            note="an old copy left in a module that is still imported for something else",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/models.py": (
                    "class Discount:\n    rate = 0\n\n\nclass Discount:\n    rate = 1\n\n"
                    "    def apply(self, price):\n        return price\n"
                ),
                "app/main.py": "from app.models import Discount\n\nDiscount().apply(3)\n",
            },
            expected=(("app/models.py", 1, "Discount"),),
            note="the first of two definitions in one module",
        ),
    ),
    valid=(
        Example(
            files={
                "app/__init__.py": "",
                "app/pool.py": _LIVE,
                "app/legacy.py": _STALE,
                "app/main.py": "from app.pool import Pool\nfrom app.legacy import Pool as OldPool\n",
            },
            note="both copies are imported",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/base.py": "class Store:\n    def get(self, key):\n        raise NotImplementedError\n",
                "app/impl.py": (
                    "from app import base\n\n\nclass Store(base.Store):\n"
                    "    def get(self, key):\n        return key\n"
                ),
                "app/main.py": "from app.impl import Store\n",
            },
            note="a base class and its same-named implementation",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/base.py": "class Store:\n    def get(self, key):\n        raise NotImplementedError\n",
                "app/cached.py": (
                    "from app.base import Store as BaseStore\n\n\nclass Cached(BaseStore):\n"
                    "    def get(self, key):\n        return None\n"
                ),
                "app/impl.py": (
                    "from app.cached import Cached\n\n\nclass Store(Cached):\n"
                    "    def get(self, key):\n        return key\n"
                ),
                "app/main.py": "from app.base import Store\n",
            },
            note="an unused subclass of the live class, through an intermediate base",
        ),
        Example(
            files={
                **_LIVE_AND_STALE,
                "app/loader.py": (
                    "import importlib\n\n\ndef pool_class(module):\n"
                    "    return getattr(importlib.import_module(module), 'Pool')\n"
                ),
            },
            note="the class name is read with getattr: any module may provide it",
        ),
        Example(
            files={
                **_LIVE_AND_STALE,
                "app/loader.py": (
                    "import importlib\n\n\ndef make_pool(module):\n"
                    "    backend = importlib.import_module(module)\n    return backend.Pool()\n"
                ),
            },
            note="the class is read from a module loaded at run time",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/pool.py": _LIVE,
                "app/legacy.py": _STALE,
                "tests/test_pool.py": "from app.pool import Pool\n",
            },
            note="only tests use the other copy: nothing says which one the application runs",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/pool.py": _LIVE,
                "app/legacy.py": _STALE,
                "tests/test_pool.py": "from app.pool import Pool\n",
                "app/main.py": "from app.legacy import helper\nimport mock\n\nmock.patch('app.legacy.Pool')\n",
            },
            note="referenced by a dotted string (a mock.patch target)",
        ),
    ),
)
