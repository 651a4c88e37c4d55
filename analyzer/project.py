"""Everything the checks may ask about a project: the index and the models derived from it.

Derived models (class members, the mount graph, the reference map) are built on first use, so a
scan that runs one rule pays for what that rule needs only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property

from analyzer.facts.launchers import Mention
from analyzer.facts.model import ModuleFacts, ModuleNames
from analyzer.index import ProjectIndex, Symbol
from analyzer.inference import ClassModel
from analyzer.liveness import Liveness
from analyzer.options import Options
from analyzer.routing import WEB_CONSTRUCTORS, MountGraph, Routers

_TEST_FILE = re.compile(r"(^test_.*|.*_test|^conftest)\.py$")
_ENTRY_FILES = frozenset({"__main__.py", "setup.py", "manage.py", "wsgi.py", "asgi.py", "noxfile.py"})
_MIGRATION_DIRS = frozenset({"migrations", "migration", "versions", "alembic"})
_TEST_DIRS = frozenset({"tests", "test"})
_DJANGO_CONVENTIONS = frozenset(
    {"admin", "apps", "models", "signals", "receivers", "urls", "views", "tasks", "checks", "translation"}
)
_EXAMPLE_DIRS = frozenset({"docs", "doc", "docs_src", "examples", "example", "samples", "tutorials"})


@dataclass(frozen=True, slots=True)
class Reference:
    path: str
    line: int
    how: str  # "import", "attribute", "string", "name"


@dataclass
class Project:
    index: ProjectIndex
    options: Options = field(default_factory=Options)
    distributions: tuple[str, ...] = ()  # folders of nested projects (each its own pyproject.toml)
    mentions: tuple[Mention, ...] = ()  # what launchers (Dockerfile, Procfile, scripts...) run
    _dotted_memo: dict[tuple[str, str, str], Symbol | None] = field(default_factory=dict, init=False, repr=False)
    _module_references: dict[str, tuple[Reference, ...]] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def classes(self) -> ClassModel:
        return ClassModel(self.index)

    @cached_property
    def routers(self) -> Routers:
        return Routers(self.index, self.options.entrypoints)

    @cached_property
    def liveness(self) -> Liveness:
        return Liveness(self)

    @cached_property
    def mounts(self) -> MountGraph:
        return MountGraph(self.routers, self.liveness)

    @cached_property
    def has_web_code(self) -> bool:
        """Whether any module declares a route, mounts something or creates an application or a
        router by its usual name (else there is no mount graph to build)."""
        return bool(self.options.entrypoints) or any(
            facts.routes or facts.mounts
            or any(b.callee and b.callee.rpartition(".")[2] in WEB_CONSTRUCTORS for b in facts.bindings)
            for facts in self.index.modules.values()
        )

    def module_names(self, module: str, scope: str, names: ModuleNames) -> tuple[list[str], bool] | None:
        """The module names a collection of strings bound elsewhere holds (`PLUGINS = [...]` in
        settings), in the loader's template, and whether the collection holds more than those
        (`DEFAULT + os.environ[...]`); None when none can be read."""
        symbol = self.index.resolve_dotted(module, names.collection, scope)
        binding = self.index.binding(self.index.follow_alias(symbol)) if symbol is not None else None
        if binding is None or not binding.strings:
            return None
        return [f"{names.prefix}{string}{names.suffix}" for string in binding.strings], binding.strings_partial

    def modules_named(self, name: str) -> list[str]:
        """Project modules called `name`, or ending with it (a launcher may run the code from a
        working directory below the scanned root: `uvicorn main:app` in `backend/`)."""
        if name in self.index.modules:
            return [name]
        return self._modules_by_suffix.get(name, [])

    @cached_property
    def _modules_by_suffix(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for module in self.index.modules:
            parts = module.split(".")
            for start in range(1, len(parts)):
                found.setdefault(".".join(parts[start:]), []).append(module)
        return found

    def is_migration(self, facts: ModuleFacts) -> bool:
        """A migration: in a folder named like one, or in an Alembic environment (a folder whose
        `env.py` imports alembic, whatever its name: `database/revisions/core/`)."""
        return is_migration(facts) or any(facts.path.startswith(folder + "/") for folder in self._alembic_folders)

    @cached_property
    def _alembic_folders(self) -> tuple[str, ...]:
        return tuple(
            facts.path.rpartition("/")[0]
            for facts in self.index.modules.values()
            if facts.path.rpartition("/")[2] == "env.py" and "/" in facts.path
            and any(i.module.split(".")[0] == "alembic" for i in facts.imports)
        )

    def is_run_by_its_framework(self, facts: ModuleFacts) -> bool:
        """Modules a framework finds by their name: a Django app's `admin.py`, `apps.py`,
        `models.py`, management commands and template tags (an app is a package with `apps.py`
        or a `models.py`, in a project that imports Django)."""
        if not self._uses_django:
            return False
        parts = facts.path.split("/")
        name = parts[-1].removesuffix(".py")
        if len(parts) >= 3 and parts[-3] == "management" and parts[-2] == "commands":
            return True
        if len(parts) >= 2 and parts[-2] == "templatetags":
            return True
        app = "/".join(parts[:-1])
        return name in _DJANGO_CONVENTIONS and app in self._django_apps

    @cached_property
    def _uses_django(self) -> bool:
        return any(i.module.split(".")[0] == "django" for f in self.index.modules.values() for i in f.imports)

    @cached_property
    def _django_apps(self) -> frozenset[str]:
        return frozenset(
            facts.path.rpartition("/")[0]
            for facts in self.index.modules.values()
            if facts.path.rpartition("/")[2] in {"apps.py", "models.py"}
        )

    def is_test_or_example(self, facts: ModuleFacts) -> bool:
        return is_test_module(facts) or is_example_module(facts)

    @cached_property
    def _reference_sites(self) -> dict[str, list[tuple[ModuleFacts, str, str, int, str]]]:
        """Every place that may refer to a definition from another module, by the definition's
        name: (module facts, how, what is written, line, scope). Resolved only when asked."""
        sites: dict[str, list[tuple[ModuleFacts, str, str, int, str]]] = {}
        for facts in self.index.modules.values():
            for imported in facts.imports:
                if imported.name and not imported.is_star:
                    sites.setdefault(imported.name, []).append(
                        (facts, "import", imported.alias, imported.line, imported.scope))
            for dotted, line, scope in facts.dotted_refs:
                for part in dotted.split(".")[1:]:
                    sites.setdefault(part, []).append((facts, "attribute", dotted, line, scope))
            for text, line in facts.string_refs:
                sites.setdefault(text.rpartition(".")[2], []).append((facts, "string", text, line, ""))
            for star in (i for i in facts.imports if i.is_star and i.module in self.index.modules):
                for name, lines in facts.name_refs:
                    sites.setdefault(name, []).append((facts, "name", star.module, lines[0], ""))
        return sites

    def references_to(self, symbol: Symbol) -> list[Reference]:
        """Where a project class, function or variable is referenced from another module
        (imports, `module.Name` attributes, dotted strings such as `mock.patch` targets)."""
        index = self.index
        found = set()
        for facts, how, written, line, scope in self._reference_sites.get(symbol.name, []):
            if facts.module == symbol.module:
                continue
            if how == "import":
                target = index.resolve_name(facts.module, written, scope)
            elif how == "attribute":
                target = self.deepest_definition(facts.module, written, scope)
            elif how == "string":
                module, _, name = written.rpartition(".")
                target = index.resolve_name(module, name) if module in index.modules else None
            else:
                target = index.resolve_name(written, symbol.name)
            if target == symbol:
                found.add(Reference(facts.path, line, how))
        return sorted(found, key=lambda r: (r.path, r.line, r.how))

    def dynamic_mentions(self, name: str, module: str) -> list[Reference]:
        """Places outside `module` that may reach a definition called `name` at run time:
        `getattr(obj, "name")`, and `obj.name` on an object the index cannot tell (a module
        loaded with importlib, a parameter)."""
        found = [
            Reference(path, line, "getattr")
            for path, line in self._looked_up.get(name, ())
            if self.index.by_path[path].module != module
        ]
        for facts, how, written, line, scope in self._reference_sites.get(name, []):
            if how != "attribute" or facts.module == module or written.rpartition(".")[2] != name:
                continue
            head = self.index.resolve_name(facts.module, written.partition(".")[0], scope)
            if head is None or head.kind == "binding":
                found.append(Reference(facts.path, line, "attribute of an unknown object"))
        return found

    @cached_property
    def _looked_up(self) -> dict[str, list[tuple[str, int]]]:
        found: dict[str, list[tuple[str, int]]] = {}
        for facts in self.index.modules.values():
            for name, line in facts.looked_up_names:
                found.setdefault(name, []).append((facts.path, line))
        return found

    def deepest_definition(self, module: str, dotted: str, scope: str) -> Symbol | None:
        """The deepest project definition a dotted reference reaches (`mod.Cls.attr` → `Cls`)."""
        key = (module, dotted, scope)
        if key not in self._dotted_memo:
            self._dotted_memo[key] = self._deepest_definition(module, dotted, scope)
        return self._dotted_memo[key]

    def _deepest_definition(self, module: str, dotted: str, scope: str) -> Symbol | None:
        parts = dotted.split(".")
        best = None
        for end in range(2, len(parts) + 1):
            symbol = self.index.resolve_dotted(module, ".".join(parts[:end]), scope)
            if symbol is None or symbol.kind in {"member", "external"}:
                break
            best = symbol
        return best

    def module_references(self, module: str) -> tuple[Reference, ...]:
        """Imports of `module` and dotted strings naming it, from other modules."""
        if module not in self._module_references:
            self._module_references[module] = self._find_module_references(module)
        return self._module_references[module]

    def _find_module_references(self, module: str) -> tuple[Reference, ...]:
        index = self.index
        found = []
        for importer in index.importers(module):
            for line in index.import_graph.edges[importer, module]["lines"]:
                found.append(Reference(index.modules[importer].path, line, "import"))
        for path, line in index.referenced_in_strings(module):
            if path != index.modules[module].path:
                found.append(Reference(path, line, "string"))
        return tuple(sorted(set(found), key=lambda r: (r.path, r.line)))

    def distribution_of(self, facts: ModuleFacts) -> str:
        """The nested project the module belongs to ("" for the scanned project itself)."""
        return max((d for d in self.distributions if facts.path.startswith(d + "/")), key=len, default="")

    def is_entry_point(self, facts: ModuleFacts) -> bool:
        """Modules run rather than imported: tests, scripts, migrations, application modules."""
        return is_run_directly(facts) or facts.path in self._application_paths

    @cached_property
    def _application_paths(self) -> frozenset[str]:
        return frozenset(node.path for node in self.routers.apps) if self.has_web_code else frozenset()


def is_run_directly(facts: ModuleFacts) -> bool:
    """Tests, scripts (`setup.py`, `manage.py`, a `__main__` guard...) and migrations."""
    return (
        is_test_module(facts)
        or _file_name(facts.path) in _ENTRY_FILES
        or facts.has_main_guard
        or is_migration(facts)
    )


_VERSION = re.compile(r"v?\d+(?:[._-]\d+)*")


def parallel_versions(path: str, other: str) -> bool:
    """The same file in two version folders: `api/v1/users.py` and `api/v2/users.py`,
    `sdk/polar/v2026_04/models.py` and `sdk/polar/v2026_10/models.py`."""
    mine, theirs = path.split("/"), other.split("/")
    differing = [(a, b) for a, b in zip(mine, theirs, strict=False) if a != b]
    return len(mine) == len(theirs) and len(differing) == 1 and all(
        _VERSION.fullmatch(part) for part in differing[0]
    )


def is_example_module(facts: ModuleFacts) -> bool:
    """Documentation snippets and examples: copies of each other by design."""
    return not _EXAMPLE_DIRS.isdisjoint(_folders(facts.path))


def is_test_module(facts: ModuleFacts) -> bool:
    return _is_test_path(facts.path)


def is_migration(facts: ModuleFacts) -> bool:
    return _is_migration_path(facts.path)


@cache
def _is_test_path(path: str) -> bool:
    return bool(_TEST_FILE.match(_file_name(path))) or not _TEST_DIRS.isdisjoint(_folders(path))


@cache
def _is_migration_path(path: str) -> bool:
    return not _MIGRATION_DIRS.isdisjoint(_folders(path))


def _file_name(path: str) -> str:
    return path.rpartition("/")[2]


def _folders(path: str) -> list[str]:
    """The folders of a relative posix path (`a/b/c.py` → `a`, `b`)."""
    return path.split("/")[:-1]
