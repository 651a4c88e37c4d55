"""What the program can reach: the liveness model every rule asks "is it used?" of.

The program is a graph of *units*: the body of each module (what runs when it is imported) and
each top-level class and function (what runs when something uses it). Edges say "running this
may run that":

- an import runs the imported module, and its parent packages;
- a name, an attribute (`mod.func`), an import of a name or a dotted string (`"app.tasks.send"`)
  used inside a unit reaches the definition it resolves to; a name imported and never used
  (a package's re-export) is reached from where it is imported;
- a decorated definition is reached from its module's body (decorators register);
- a definition reaches its module's body (using it means importing it); a module reaches the
  packages that hold it.

Roots, in three families:
- the application: modules that create an application object (and the factory that creates
  it), `[tool.hygiene] entrypoints`, modules and files that launchers mention (Dockerfile,
  Procfile, compose, scripts, Makefile, CI, `[project.scripts]`, a documented run command),
  migrations and the files tools run by convention (`manage.py`, `wsgi.py`, `__main__.py`...);
- tests and examples, a root of their own: "used only by tests" is a known state;
- doubt: a script nothing is known to run, a package that code walks at run time
  (`pkgutil.iter_modules`, `importlib.import_module` of a computed name), an attribute read on
  an object the index cannot tell (`plugin.setup`), which may be any reached definition of that
  name. What only doubt reaches is `MAYBE`, and a rule reports it as uncertain with the reason.

Computed once per project, in time linear in the references (each is resolved once, memoised
by the index); every rule shares it.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import TYPE_CHECKING

from analyzer.facts.launchers import Mention
from analyzer.facts.model import ModuleFacts
from analyzer.index import Symbol
from analyzer.knowledge import behaviour

if TYPE_CHECKING:
    from analyzer.project import Project

# Files that tools run by their name.
RUN_BY_CONVENTION = frozenset(
    {"__main__.py", "manage.py", "wsgi.py", "asgi.py", "setup.py", "noxfile.py", "fabfile.py",
     "gunicorn.conf.py", "gunicorn_conf.py", "gunicorn_config.py", "celeryconfig.py", "conftest.py",
     "sitecustomize.py", "usercustomize.py"}
)
# Modules named like this, near the top of the project, are what deployments run: when nothing
# in the repository shows it, they may still be run from outside (a doubtful root).
# A launcher's bare file name (`python main.py`) matching more files than this names none.
AMBIGUOUS_FILE_NAMES = 3
# Files run by their name that show what the application is (`setup.py` runs beside it).
ENTRY_FILES = frozenset({"manage.py", "wsgi.py", "asgi.py"})
ENTRY_NAMES = frozenset({"main", "app", "run", "server", "serve", "cli", "worker", "application", "start", "bot"})
def _is_entry_file(facts: ModuleFacts) -> bool:
    """A file that shows what the application is: `manage.py`, and a `wsgi.py`/`asgi.py` near the
    top that serves an object (`application = get_wsgi_application()`). A library's
    `__main__.py` (its command line) or a `wsgi.py` deep in a framework's own code does not."""
    name = facts.path.rpartition("/")[2]
    if name not in ENTRY_FILES or facts.module.count(".") > 1:
        return False
    return name == "manage.py" or any(b.name in {"application", "app"} and not b.scope for b in facts.bindings)


def _same_file(mentioned: str, path: str) -> bool:
    """Whether a launcher's path names the project file at `path`: relative to a working
    directory below the root (`app/x.py` for `backend/app/x.py`), or absolute in a container
    whose layout differs (`/app/app/x.py` for `backend/app/x.py`: the last folder and the file
    agree)."""
    mine, theirs = mentioned.split("/"), path.split("/")
    common = 0
    while common < min(len(mine), len(theirs)) and mine[-1 - common] == theirs[-1 - common]:
        common += 1
    return common == min(len(mine), len(theirs)) or common >= 2


class Reach(IntEnum):
    """How a unit is reached, best first."""

    APP = 0  # from the application's roots, by edges that are certain
    MAYBE = 1  # from the application's roots, only through a doubtful edge
    TESTS = 2  # only from tests or examples
    NONE = 3

    @property
    def reached(self) -> bool:
        return self is not Reach.NONE


Unit = tuple[str, str]  # (module, top-level definition); "" is the module's body


@dataclass(frozen=True, slots=True)
class Root:
    """Where the program starts. An `anchor` shows what the application is (an application
    object, an entry script, what a launcher runs); the others run beside it (setup.py, a
    migration, a gunicorn configuration)."""

    unit: Unit
    reason: str
    anchor: bool = True


@dataclass(frozen=True, slots=True)
class _Definitions:
    starts: list[int]
    ends: list[tuple[int, str]]  # (end line, name), in the order of `starts`
    names: set[str]


@dataclass(frozen=True, slots=True)
class ImportSite:
    path: str
    line: int
    holder: str  # the top-level function or class holding the import ("" for the module body)
    reach: Reach


@dataclass
class _Graph:
    certain: dict[Unit, set[Unit]] = field(default_factory=dict)
    doubtful: dict[Unit, list[tuple[Unit, str]]] = field(default_factory=dict)

    def add(self, source: Unit, target: Unit) -> None:
        if source != target:
            self.certain.setdefault(source, set()).add(target)

    def add_doubt(self, source: Unit, target: Unit, reason: str) -> None:
        if source != target:
            self.doubtful.setdefault(source, []).append((target, reason))


class Liveness:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.index = project.index
        self._graph = _Graph()
        self._units_at: dict[str, _Definitions] = {}
        self._unknown_attributes: dict[str, list[Unit]] = {}
        self._named_by_strings: set[tuple[str, Unit]] = set()  # (module, the unit naming it)
        self.loaded_by_name: set[str] = set()  # modules code may import by a computed name
        for facts in self.index.modules.values():
            self._module_edges(facts)
        self._looked_up_in_loaded_modules()
        self.reach: dict[Unit, Reach] = {}
        self.scripts: frozenset[str] = frozenset()  # modules that may run only as scripts nothing is known to run
        self.reasons: dict[Unit, str] = {}
        self._propagate()

    # ---- questions ---------------------------------------------------------------------------
    def module(self, module: str) -> Reach:
        return self.reach.get((module, ""), Reach.NONE)

    def definition(self, module: str, name: str) -> Reach:
        return self.reach.get((module, name), Reach.NONE)

    def site(self, module: str, line: int, scope: str = "") -> Reach:
        """How the code at `line` (inside function `scope`, if known) of `module` is reached."""
        return self.reach.get(self._unit(module, line, scope), Reach.NONE)

    def unit_of_site(self, module: str, line: int, scope: str = "") -> Unit:
        return self._unit(module, line, scope)

    def reason(self, module: str, name: str = "") -> str | None:
        """Why a `MAYBE` unit may be reached (the doubtful edge or root)."""
        return self.reasons.get((module, name))

    @cached_property
    def roots(self) -> tuple[Root, ...]:
        return tuple(self._application_roots())

    # ---- units -------------------------------------------------------------------------------
    def _definitions(self, facts: ModuleFacts) -> _Definitions:
        """The module's top-level classes and functions, by line."""
        found = self._units_at.get(facts.module)
        if found is None:
            spans = sorted(
                [(c.span.line, c.span.end_line, c.name) for c in facts.classes]
                + [(f.span.line, f.span.end_line, f.name) for f in facts.functions]
            )
            found = _Definitions([s for s, _, _ in spans], [(e, n) for _, e, n in spans], {n for _, _, n in spans})
            self._units_at[facts.module] = found
        return found

    def _unit(self, module: str, line: int, scope: str = "") -> Unit:
        facts = self.index.modules.get(module)
        if facts is None:
            return (module, "")
        definitions = self._definitions(facts)
        if scope:
            top = scope.partition(".")[0]
            if top in definitions.names:
                return (module, top)
        position = bisect.bisect_right(definitions.starts, line) - 1
        # Definitions nest only in classes and functions, which are not units: the last one
        # starting before the line holds it if it has not ended.
        if position >= 0 and line <= definitions.ends[position][0]:
            return (module, definitions.ends[position][1])
        return (module, "")

    # ---- edges -------------------------------------------------------------------------------
    def _module_edges(self, facts: ModuleFacts) -> None:
        module = facts.module
        graph = self._graph
        body: Unit = (module, "")
        definitions = {c.name for c in facts.classes} | {f.name for f in facts.functions}
        for name in definitions:
            graph.add((module, name), body)
        parent = module.rpartition(".")[0]
        while parent:  # importing `a.b.c` runs `a/__init__.py` (through namespace folders too)
            if parent in self.index.modules:
                graph.add(body, (parent, ""))
                break
            parent = parent.rpartition(".")[0]
        known = behaviour()
        decorated = [(c.name, c.decorators) for c in facts.classes] + [(f.name, f.decorators) for f in facts.functions]
        for name, decorators in decorated:
            # A decorator that may register the definition (a route, a task, a command) runs it.
            if any(not known.decorator_is_inert(d) for d in decorators):
                graph.add(body, (module, name))
        for route in facts.routes:
            handler = route.handler.partition(".")[0]
            if handler in definitions:
                graph.add(body, (module, handler))
        if facts.dunder_all is not None:
            for name in facts.dunder_all:
                if name in definitions:
                    graph.add(body, (module, name))
        for kind, value, line in facts.run_mentions:
            if kind == "launch":  # a path the code runs: `subprocess.call(["/config.py"])`
                for unit in self._mentioned(Mention(facts.path, line, "path", value)):
                    graph.add(self._unit(module, line), unit)
        self._import_edges(facts, definitions)
        self._name_edges(facts, definitions)
        self._dotted_edges(facts)
        self._string_edges(facts)
        self._dynamic_edges(facts)

    def _import_edges(self, facts: ModuleFacts, definitions: set[str]) -> None:
        graph = self._graph
        names = dict(facts.name_refs)
        for imported in facts.imports:
            source = self._unit(facts.module, imported.line, imported.scope)
            targets = self.index.imported_modules(imported)
            for target in targets:
                graph.add(source, (target, ""))
            if imported.is_star or imported.name is None:
                continue
            symbol = self.index.resolve_name(facts.module, imported.alias, imported.scope)
            target_unit = self._unit_of(symbol)
            if target_unit is None:
                continue
            lines = [line for line in names.get(imported.alias, ()) if line != imported.line]
            users = {self._unit(facts.module, line) for line in lines}
            if not users or imported.alias in (facts.dunder_all or ()):
                users.add(source)  # imported to be re-exported
            for user in users:
                graph.add(user, target_unit)

    def _name_edges(self, facts: ModuleFacts, definitions: set[str]) -> None:
        """Plain names: this module's definitions, and names that `*` imports bring."""
        stars = [i for i in facts.imports if i.is_star and i.module in self.index.modules]
        graph = self._graph
        for name, lines in facts.name_refs:
            if name in definitions:
                target: Unit | None = (facts.module, name)
            elif stars and not self.index.bound_otherwise(facts.module, name):
                target = self._unit_of(self.index.resolve_name(facts.module, name))
            else:
                continue
            if target is None:
                continue
            for line in lines:
                graph.add(self._unit(facts.module, line), target)

    def _dotted_edges(self, facts: ModuleFacts) -> None:
        graph = self._graph
        for dotted, line, scope in facts.dotted_refs:
            source = self._unit(facts.module, line, scope)
            head = dotted.partition(".")[0]
            symbol = self.index.resolve_name(facts.module, head, scope)
            if symbol is not None and symbol.kind == "external":
                continue  # `os.path.join`, `np.array`: nothing of the project
            if symbol is None or (symbol.kind == "binding" and symbol.scope):
                # An attribute of an object the index cannot tell: any definition of that name
                # in a reached module may be it (decided once the certain part is known).
                self._unknown_attributes.setdefault(dotted.rpartition(".")[2], []).append(source)
                continue
            target = self._unit_of(self.project.deepest_definition(facts.module, dotted, scope))
            if target is not None:
                graph.add(source, target)
        for name, line in facts.looked_up_names:
            self._unknown_attributes.setdefault(name, []).append(self._unit(facts.module, line))

    def _string_edges(self, facts: ModuleFacts) -> None:
        """`"app.plugins.auth"`, `"app.tasks.send_email"` in settings, `mock.patch` targets."""
        for text, line in facts.string_refs:
            target = self._unit_of(self._dotted_string(text))
            if target is not None:
                self._graph.add(self._unit(facts.module, line), target)
                if text in self.index.modules and not self.project.is_test_or_example(facts):
                    self._named_by_strings.add((text, self._unit(facts.module, line)))

    def _dynamic_edges(self, facts: ModuleFacts) -> None:
        """Modules loaded by computed names: every module of the walked package may run."""
        for loaded in facts.dynamic_imports:
            source = self._unit(facts.module, loaded.line, loaded.scope)
            package = loaded.package
            where = f"{facts.path}:{loaded.line}"
            names = list(loaded.names)
            if loaded.loaded_from is not None:
                read = self.project.module_names(facts.module, loaded.scope, loaded.loaded_from)
                if read is None:  # the collection cannot be read: any module its template allows
                    package = loaded.loaded_from.prefix.rpartition(".")[0]
                names = read[0] if read else []
                if read and read[1]:  # more names come from elsewhere: their siblings may be loaded
                    for name in names:
                        for module in self._modules_under(name.rpartition(".")[0]):
                            if module.count(".") == name.count(".") and module not in names:
                                self._graph.add_doubt(
                                    source, (module, ""), f"{where} loads modules named in part elsewhere"
                                )
            if names:
                for name in names:
                    target = self._unit_of(self._dotted_string(name))
                    if target is not None:
                        self._graph.add(source, target)
                        self.loaded_by_name.add(target[0])
                continue
            if not package:
                # The names come from strings elsewhere (callers, a registry), which are
                # references of their own already, or from something no static reading follows.
                continue
            own = facts.module if facts.is_package else facts.module.rpartition(".")[0]
            if package == own:  # a package that imports its own modules: the walk always runs
                for module in self._modules_under(package):
                    self._graph.add(source, (module, ""))
                    self.loaded_by_name.add(module)
                continue
            for module in self._modules_under(package):
                self.loaded_by_name.add(module)
                what = f"package `{package}`" if package else "any module"
                self._graph.add_doubt(
                    source, (module, ""), f"{where} imports modules of {what} by a computed name"
                )

    def _looked_up_in_loaded_modules(self) -> None:
        """A module loaded by name is most often searched by name too (`getattr(module,
        name)`, its members walked for subclasses of a base): its classes and functions may run
        whenever it is loaded, though nothing names them."""
        for module in sorted(self.loaded_by_name):
            facts = self.index.modules.get(module)
            if facts is None or self.project.is_test_or_example(facts):
                continue
            reason = f"`{module}` is loaded by name, and its members may be looked up the same way"
            for name in [*(c.name for c in facts.classes), *(f.name for f in facts.functions)]:
                self._graph.add_doubt((module, ""), (module, name), reason)

    def _modules_under(self, package: str) -> Iterator[str]:
        prefix = package + "." if package else ""
        for module in self.index.modules:
            if module.startswith(prefix) and module != package:
                yield module

    def _dotted_string(self, text: str) -> Symbol | None:
        module, _, name = text.partition(":")
        if name:
            return self._dotted_string(f"{module}.{name}")
        parts = text.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in self.index.modules:
                if end == len(parts):
                    return Symbol("module", prefix)
                rest = parts[end:]
                found = (
                    self.index.resolve_name(prefix, rest[0])
                    if len(rest) == 1
                    else self.project.deepest_definition(prefix, ".".join(rest), "")
                )
                return found or Symbol("module", prefix)
        return None

    def _unit_of(self, symbol: Symbol | None) -> Unit | None:
        if symbol is None:
            return None
        if symbol.kind == "module":
            return (symbol.module, "") if symbol.module in self.index.modules else None
        if symbol.kind in {"class", "function"}:
            return (symbol.module, symbol.name)
        if symbol.kind == "binding":
            return (symbol.module, symbol.scope.partition(".")[0])
        if symbol.kind == "member":
            return (symbol.module, symbol.name.partition(".")[0])
        return None

    # ---- roots -------------------------------------------------------------------------------
    def _application_roots(self) -> Iterator[Root]:
        project = self.project
        for facts in self.index.modules.values():
            name = facts.path.rpartition("/")[2]
            if name in RUN_BY_CONVENTION and name != "conftest.py":
                yield Root((facts.module, ""), f"`{name}` is run by the tools that use it", _is_entry_file(facts))
            elif project.is_migration(facts):
                yield Root((facts.module, ""), "a migration, run by the migration tool", anchor=False)
            elif project.is_run_by_its_framework(facts):
                yield Root((facts.module, ""), "a module its framework finds by name (Django)", anchor=False)
        if project.has_web_code:
            for node in project.routers.apps:
                # An application made in a function or a class: running it is the entry point.
                holder = (node.symbol.scope or node.symbol.name.rpartition(".")[0]).partition(".")[0]
                yield Root((node.symbol.module, holder), f"creates the application `{node.symbol.name}`")
        for facts in self.index.modules.values():
            folder = facts.path.rpartition("/")[0]
            own_script = not self._in_a_package(facts) and not facts.path.endswith("__main__.py")
            if facts.has_main_guard and own_script and (not folder or folder in project.distributions):
                yield Root((facts.module, ""), f"{facts.path} is the project's own entry script")
        for entry in project.options.entrypoints:
            module, _, name = entry.partition(":")
            if module in self.index.modules:
                yield Root((module, ""), f"configured entry point `{entry}`")
                if name:
                    yield Root((module, name), f"configured entry point `{entry}`")
        for mention in project.mentions:
            for unit in self._mentioned(mention):
                facts = self.index.modules[unit[0]]
                runs_beside = facts.path.rpartition("/")[2] in RUN_BY_CONVENTION
                # A command in a docstring shows how to run a file, not what the application is.
                documented = mention.source.endswith(".py") and not mention.source.endswith("setup.py")
                anchor = not project.is_test_or_example(facts) and not runs_beside and not documented
                yield Root(unit, f"{mention.source}:{mention.line} runs `{mention.value}`", anchor)

    def is_root(self, module: str) -> bool:
        """Whether the module is run by itself (an application module, a launched file...)."""
        return module in self._root_modules

    @cached_property
    def _root_modules(self) -> frozenset[str]:
        return frozenset(root.unit[0] for root in self.roots)

    @cached_property
    def _files_named(self) -> dict[str, list[ModuleFacts]]:
        found: dict[str, list[ModuleFacts]] = {}
        for facts in self.index.modules.values():
            found.setdefault(facts.path.rpartition("/")[2], []).append(facts)
        return found

    @cached_property
    def judged(self) -> bool:
        """Whether the roots show what the application is. If not (a library, an application
        run from elsewhere), every module is taken to run and nothing is dead."""
        return any(root.anchor for root in self.roots)

    def _mentioned(self, mention: Mention) -> list[Unit]:
        if mention.kind == "path":
            path = mention.value
            candidates = self._files_named.get(path.rpartition("/")[2], [])
            if "/" not in path and len(candidates) > AMBIGUOUS_FILE_NAMES:
                return []  # `python main.py` in a repository with many main.py: which one is unknown
            return [(facts.module, "") for facts in candidates if _same_file(path, facts.path)]
        module, _, name = mention.value.partition(":")
        found = self.project.modules_named(module)
        while not found and "." in module:  # `celery -A app.worker.celery`: a module's attribute
            module, _, name = module.rpartition(".")[0], None, module.rpartition(".")[2]
            found = self.project.modules_named(module)
        units = [(m, "") for m in found]
        if name:
            units += [(m, name) for m in found if (m, name) != (m, "")]
        return units

    def _test_roots(self) -> Iterator[Unit]:
        for facts in self.index.modules.values():
            if self.project.is_test_or_example(facts):
                yield (facts.module, "")

    def _doubtful_roots(self) -> Iterator[tuple[Unit, str]]:
        for facts in self.index.modules.values():
            if self.project.is_test_or_example(facts):
                continue
            stem = facts.path.rpartition("/")[2].removesuffix(".py")
            if stem in ENTRY_NAMES and facts.module.count(".") <= 1:
                yield (facts.module, ""), f"{facts.path} is named like an entry point, which may be run from outside"
            if facts.has_main_guard:
                yield (facts.module, ""), f"{facts.path} is a script (a `__main__` guard) nothing is known to run"
            elif facts.runs_at_import and not self._in_a_package(facts):
                yield (facts.module, ""), f"{facts.path} is a script (it runs code when run) nothing is known to run"
        yield from self._loaded_by_path()

    def _loaded_by_path(self) -> Iterator[tuple[Unit, str]]:
        """Modules of a folder that code loads file by file (`spec_from_file_location` over a glob
        of its own folder, or of subfolders whose names it writes). A test that loads files by
        path runs them as tests do: it makes nothing doubtful."""
        for facts in self.index.modules.values():
            if not facts.loads_files or self.project.is_test_or_example(facts):
                continue
            folder = facts.path.rpartition("/")[0]
            reason = f"{facts.path} loads Python files by path from its folder"
            for other in self.index.modules.values():
                if other is facts or not other.path.startswith(folder + "/" if folder else ""):
                    continue
                if self.project.is_test_or_example(other):
                    continue
                below = other.path[len(folder) + 1:] if folder else other.path
                subfolders = below.split("/")[:-1]
                if not subfolders or all(part in facts.string_words for part in subfolders):
                    yield (other.module, ""), reason

    def _in_a_package(self, facts: ModuleFacts) -> bool:
        folder = facts.path.rpartition("/")[0]
        return facts.is_package or (folder + "/__init__.py" if folder else "__init__.py") in self.index.by_path

    def _plugin_siblings(self, reached: set[Unit]) -> Iterator[tuple[Unit, str]]:
        """Modules of a package whose other modules the code names by dotted strings (`QUERY_RUNNERS
        = ["app.runners.csv", ...]`): a plugin package, whose other plugins may be named by
        strings elsewhere (settings, the environment)."""
        named: dict[str, list[str]] = {}
        for module, namer in self._named_by_strings:
            if namer in reached:
                named.setdefault(module.rpartition(".")[0], []).append(module)
        children: dict[str, int] = {}
        for module in self.index.modules:
            children[module.rpartition(".")[0]] = children.get(module.rpartition(".")[0], 0) + 1
        for package, modules in named.items():
            # Most of the package is named by strings: its modules are plugins loaded by name.
            if len(modules) < 2 or not package or len(modules) * 3 < children.get(package, 0):
                continue
            for module in self.index.modules:
                if module.rpartition(".")[0] == package and module not in modules:
                    examples = ", ".join(sorted(modules)[:2])
                    yield (module, ""), f"its siblings in `{package}` are loaded by name ({examples}...)"

    def _data_folders(self, reached: set[Unit]) -> Iterator[tuple[Unit, str]]:
        """Python files in a folder the code names by a string (`copytree(here / "plugin_template")`):
        data, copied or loaded by path."""
        folders: dict[str, list[str]] = {}
        holds_packages: set[str] = set()  # a folder of packages is code, imported, not data
        for facts in self.index.modules.values():
            parts = facts.path.split("/")[:-1]
            for depth in range(len(parts)):
                folder = "/".join(parts[: depth + 1])
                folders.setdefault(folder, []).append(facts.module)
                if facts.is_package:
                    holds_packages.add(folder)
        by_name: dict[str, list[str]] = {}
        for folder, modules in folders.items():
            if folder not in holds_packages:
                by_name.setdefault(folder.rpartition("/")[2], []).extend(modules)
        for facts in self.index.modules.values():
            if (facts.module, "") not in reached:
                continue
            for word in sorted(facts.string_words):  # a set: its order changes from run to run
                for module in by_name.get(word, ()):
                    yield (module, ""), f"its folder `{word}` is named by a string in {facts.path} (data?)"

    @cached_property
    def _anchored_distributions(self) -> frozenset[str]:
        return frozenset(
            self.project.distribution_of(self.index.modules[root.unit[0]]) for root in self.roots if root.anchor
        )

    def judges(self, facts: ModuleFacts) -> bool:
        """Whether what reaches the module can be told: its distribution (the repository, or a
        nested project with its own pyproject.toml) has roots that show what its application is.
        A distribution without one (a client SDK, a shared library) is an API: all of it may run."""
        return self.project.distribution_of(facts) in self._anchored_distributions

    # ---- propagation -------------------------------------------------------------------------
    def _propagate(self) -> None:
        starts = [root.unit for root in self.roots]
        for facts in self.index.modules.values():
            if not self.judges(facts) and not self.project.is_test_or_example(facts):
                starts.append((facts.module, ""))
                starts += [(facts.module, c.name) for c in facts.classes]
                starts += [(facts.module, f.name) for f in facts.functions]
        certain = self._graph.certain
        app = self._closure(starts, certain)
        for unit in app:
            self.reach[unit] = Reach.APP
        # Doubt: doubtful roots, doubtful edges out of what the application reaches, and
        # attributes read on unknown objects, which may be any definition of that name in a
        # module the application reaches.
        scripts = [(unit, reason) for unit, reason in self._doubtful_roots() if unit not in app]
        self.scripts = frozenset(unit[0] for unit, _ in scripts)
        others = [*self._plugin_siblings(app), *self._data_folders(app)]
        pending: list[tuple[Unit, str]] = scripts + [(unit, reason) for unit, reason in others if unit not in app]
        for source, edges in self._graph.doubtful.items():
            if source in app:
                pending += [(target, reason) for target, reason in edges if target not in app]
        for name, sources in self._unknown_attributes.items():
            if not any(source in app for source in sources):
                continue
            for module in self._modules_defining(name):
                unit = (module, name)
                if unit not in app and (module, "") in app:
                    source = next(s for s in sources if s in app)
                    where = self.index.modules[source[0]].path
                    pending.append((unit, f"`.{name}` is read on an object of unknown type in {where}"))
        self._spread(pending, Reach.MAYBE)
        tests = [unit for unit in self._test_roots() if unit not in self.reach]
        for unit in self._closure(tests, certain):
            self.reach.setdefault(unit, Reach.TESTS)

    def _spread(self, pending: list[tuple[Unit, str]], reach: Reach) -> None:
        certain = self._graph.certain
        queue = deque(pending)
        while queue:
            unit, reason = queue.popleft()
            if unit in self.reach:
                continue
            self.reach[unit] = reach
            self.reasons[unit] = reason
            for target in certain.get(unit, ()):
                if target not in self.reach:
                    queue.append((target, reason))
            for target, why in self._graph.doubtful.get(unit, ()):
                if target not in self.reach:
                    queue.append((target, why))

    @staticmethod
    def _closure(starts: Iterable[Unit], edges: dict[Unit, set[Unit]]) -> set[Unit]:
        seen = set(starts)
        queue = deque(seen)
        while queue:
            for target in edges.get(queue.popleft(), ()):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return seen

    @cached_property
    def _definitions_by_name(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for facts in self.index.modules.values():
            for name in {c.name for c in facts.classes} | {f.name for f in facts.functions}:
                found.setdefault(name, []).append(facts.module)
        return found

    def _modules_defining(self, name: str) -> list[str]:
        return self._definitions_by_name.get(name, [])

    # ---- evidence ----------------------------------------------------------------------------
    def import_sites(self, module: str) -> list[ImportSite]:
        """Where other modules import `module`, with how the code holding each import is reached."""
        found = []
        for importer in self.index.importers(module):
            facts = self.index.modules[importer]
            for imported in facts.imports:
                if module in self.index.imported_modules(imported):
                    unit = self._unit(importer, imported.line, imported.scope)
                    found.append(ImportSite(facts.path, imported.line, unit[1], self.reach.get(unit, Reach.NONE)))
        return sorted(set(found), key=lambda site: (site.path, site.line))
