"""Everything the checks may ask about a project: the index and the models derived from it.

Derived models (class members, the mount graph, the reference map) are built on first use, so a
scan that runs one rule pays for what that rule needs only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

from analyzer.facts.model import ModuleFacts
from analyzer.index import ProjectIndex, Symbol
from analyzer.inference import ClassModel
from analyzer.options import Options
from analyzer.routing import MountGraph

_TEST_FILE = re.compile(r"(^test_.*|.*_test|^conftest)\.py$")
_ENTRY_FILES = frozenset({"__main__.py", "setup.py", "manage.py", "wsgi.py", "asgi.py", "noxfile.py"})
_MIGRATION_DIRS = frozenset({"migrations", "migration", "versions", "alembic"})


@dataclass(frozen=True, slots=True)
class Reference:
    path: str
    line: int
    how: str  # "import", "attribute", "string", "name"


@dataclass
class Project:
    index: ProjectIndex
    options: Options = field(default_factory=Options)

    @cached_property
    def classes(self) -> ClassModel:
        return ClassModel(self.index)

    @cached_property
    def mounts(self) -> MountGraph:
        return MountGraph(self.index, self.options.entrypoints)

    @cached_property
    def references(self) -> dict[Symbol, list[Reference]]:
        """Where each project class, function and variable is referenced from another module
        (imports, `module.Name` attributes, dotted strings such as `mock.patch` targets)."""
        found: dict[Symbol, list[Reference]] = {}
        index = self.index

        def add(symbol: Symbol | None, facts: ModuleFacts, line: int, how: str) -> None:
            if symbol is not None and symbol.kind in {"class", "function", "binding"}:
                if symbol.module != facts.module:
                    found.setdefault(symbol, []).append(Reference(facts.path, line, how))

        for facts in index.modules.values():
            for imported in facts.imports:
                if imported.name and not imported.is_star:
                    add(index.resolve_name(facts.module, imported.alias, imported.scope), facts,
                        imported.line, "import")
            for dotted, line, scope in facts.dotted_refs:
                if "." in dotted:
                    add(self._dotted_symbol(facts.module, dotted, scope), facts, line, "attribute")
            for text, line in facts.string_refs:
                module, _, name = text.rpartition(".")
                if module in index.modules:
                    add(index.resolve_name(module, name), facts, line, "string")
            for star in (i for i in facts.imports if i.is_star and i.module in index.modules):
                for name, lines in facts.name_refs:
                    symbol = index.resolve_name(star.module, name)
                    add(symbol, facts, lines[0], "name")
        for references in found.values():
            references.sort(key=lambda r: (r.path, r.line))
        return found

    def _dotted_symbol(self, module: str, dotted: str, scope: str) -> Symbol | None:
        """The deepest project definition a dotted reference reaches (`mod.Cls.attr` → `Cls`)."""
        parts = dotted.split(".")
        best = None
        for end in range(2, len(parts) + 1):
            symbol = self.index.resolve_dotted(module, ".".join(parts[:end]), scope)
            if symbol is None or symbol.kind in {"member", "external"}:
                break
            best = symbol
        return best

    def module_references(self, module: str) -> list[Reference]:
        """Imports of `module` and dotted strings naming it, from other modules."""
        index = self.index
        found = []
        for importer in index.importers(module):
            for line in index.import_graph.edges[importer, module]["lines"]:
                found.append(Reference(index.modules[importer].path, line, "import"))
        for path, line in index.referenced_in_strings(module):
            if path != index.modules[module].path:
                found.append(Reference(path, line, "string"))
        return sorted(set(found), key=lambda r: (r.path, r.line))

    def is_entry_point(self, facts: ModuleFacts) -> bool:
        """Modules run rather than imported: tests, scripts, migrations, application modules."""
        path = PurePosixPath(facts.path)
        if is_test_module(facts) or path.name in _ENTRY_FILES or facts.has_main_guard:
            return True
        if is_migration(facts):
            return True
        return any(node.path == facts.path for node in self.mounts.apps)


def is_test_module(facts: ModuleFacts) -> bool:
    path = PurePosixPath(facts.path)
    return bool(_TEST_FILE.match(path.name)) or any(
        part in {"tests", "test"} for part in path.parts[:-1]
    )


def is_migration(facts: ModuleFacts) -> bool:
    return any(part in _MIGRATION_DIRS for part in PurePosixPath(facts.path).parts[:-1])
