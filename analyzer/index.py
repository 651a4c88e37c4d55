"""The project index: every module's facts, name resolution across modules, the import graph.

Built once per scan from `ModuleFacts`; checks only ask it questions. Resolution follows Python's
own rules as far as static facts allow: local bindings, module definitions, imports (relative,
aliased, re-exported through packages, `*`), and aliases such as `New = Old`.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from analyzer.facts.model import Binding, ClassFact, FunctionFact, ImportFact, ModuleFacts

NAMESPACE_SEPARATOR = "::"  # as discovery writes it (`services/b::main`)

if TYPE_CHECKING:
    import networkx as nx

_MAX_DEPTH = 24


@dataclass(frozen=True, slots=True)
class Symbol:
    """What a name refers to.

    kind: `module`, `class`, `function`, `binding` (a variable), `external` (outside the project:
    `qualname` holds its dotted name) or `member` (an attribute of a project class).
    """

    kind: str
    module: str
    name: str = ""
    scope: str = ""

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


def _in_their_namespaces(modules: Iterable[ModuleFacts]) -> list[ModuleFacts]:
    """Modules of a source root with a namespace of its own (`services/b::main`, see discovery)
    import their root's modules first: `import utils` there is `services/b::utils`."""
    modules = list(modules)
    tops: dict[str, set[str]] = {}
    for facts in modules:
        namespace, separator, name = facts.module.partition(NAMESPACE_SEPARATOR)
        if separator:
            tops.setdefault(namespace, set()).add(name.split(".")[0])
    if not tops:
        return modules
    found = []
    for facts in modules:
        namespace, separator, _ = facts.module.partition(NAMESPACE_SEPARATOR)
        own = tops.get(namespace) if separator else None
        if own:
            facts = replace(facts, imports=tuple(
                replace(i, module=f"{namespace}{NAMESPACE_SEPARATOR}{i.module}")
                if i.module.split(".")[0] in own and NAMESPACE_SEPARATOR not in i.module
                else i
                for i in facts.imports
            ))
        found.append(facts)
    return found


def _with_sibling_imports(modules: list[ModuleFacts]) -> list[ModuleFacts]:
    """`import helpers` in `tools/crawl/main.py`, where `tools/crawl/helpers.py` exists and no
    top-level `helpers` does: code run from its own folder (a script, a plugin its host loads by
    path) imports its siblings by their bare names; Python finds them first on `sys.path`."""
    top_level = {facts.module.split(".")[0] for facts in modules}
    in_folder: dict[str, dict[str, str]] = {}
    for facts in modules:
        folder, _, file = facts.path.rpartition("/")
        name = folder.rpartition("/")[2] if facts.is_package else file.removesuffix(".py")
        home = folder.rpartition("/")[0] if facts.is_package else folder
        in_folder.setdefault(home, {})[name] = facts.module
    found = []
    for facts in modules:
        siblings = in_folder.get(facts.path.rpartition("/")[0], {})
        rewritten = [
            replace(i, module=siblings[head] + i.module[len(head):])
            if i.level == 0 and (head := i.module.split(".")[0]) in siblings and head not in top_level
            and head not in sys.stdlib_module_names and siblings[head] != head
            else i
            for i in facts.imports
        ]
        if rewritten != list(facts.imports):
            facts = replace(facts, imports=tuple(rewritten))
        found.append(facts)
    return found


class ProjectIndex:
    def __init__(self, modules: Iterable[ModuleFacts]) -> None:
        self.modules: dict[str, ModuleFacts] = {}
        self.unreachable: list[ModuleFacts] = []  # files another file's module name hides
        # Two files with one module name (nested projects, service folders): the one nearer the
        # root is the application's; the other is reported as not analysed.
        prepared = _with_sibling_imports(_in_their_namespaces(modules))
        for facts in sorted(prepared, key=lambda m: (m.path.count("/"), m.path)):
            if facts.error is not None:
                continue
            if self.modules.setdefault(facts.module, facts) is not facts:
                self.unreachable.append(facts)
        self.by_path = {facts.path: facts for facts in self.modules.values()}
        self._classes: dict[tuple[str, str], ClassFact] = {}
        self._functions: dict[tuple[str, str], FunctionFact] = {}
        self._bindings: dict[tuple[str, str, str], Binding] = {}
        self._imports: dict[tuple[str, str, str], ImportFact] = {}
        for facts in self.modules.values():
            for cls in facts.classes:
                self._classes[(facts.module, cls.name)] = cls
            for function in facts.functions:
                self._functions[(facts.module, function.name)] = function
            for binding in facts.bindings:
                self._bindings[(facts.module, binding.scope, binding.name)] = binding
            for imported in facts.imports:
                if not imported.is_star:
                    self._imports.setdefault((facts.module, imported.scope, imported.alias), imported)
        self._memo: dict[tuple[str, ...], Symbol | None] = {}
        self._resolving: set[tuple[str, ...]] = set()

    # ---- lookups -----------------------------------------------------------------------------
    def class_fact(self, symbol: Symbol) -> ClassFact | None:
        return self._classes.get((symbol.module, symbol.name)) if symbol.kind == "class" else None

    def function_fact(self, symbol: Symbol) -> FunctionFact | None:
        return self._functions.get((symbol.module, symbol.name)) if symbol.kind == "function" else None

    def binding(self, symbol: Symbol) -> Binding | None:
        if symbol.kind != "binding":
            return None
        return self._bindings.get((symbol.module, symbol.scope, symbol.name))

    def classes(self) -> Iterator[tuple[ModuleFacts, ClassFact]]:
        for facts in self.modules.values():
            for cls in facts.classes:
                yield facts, cls

    def bound_otherwise(self, module: str, name: str) -> bool:
        """Whether the module also binds `name` at its top level by an import, a function or an
        assignment (besides a class of that name)."""
        key = (module, "", name)
        return key in self._imports or key in self._bindings or (module, name) in self._functions

    def is_module(self, name: str) -> bool:
        """A project module, or a package (namespace packages included)."""
        return name in self.modules or name in self._packages

    # ---- name resolution ---------------------------------------------------------------------
    def resolve_name(self, module: str, name: str, scope: str = "") -> Symbol | None:
        """The symbol `name` refers to in `module` (inside function `scope`, if given)."""
        return self._memoised(("name", module, scope, name), self._resolve_name, module, name, scope)

    def _memoised(
        self, key: tuple[str, ...], resolve: Callable[..., Symbol | None], *arguments: str
    ) -> Symbol | None:
        """`resolve(*arguments)` once per key; None while the same key is being resolved (a
        cycle of imports or aliases) or when resolution nests too deep."""
        memo = self._memo
        if key in memo:
            return memo[key]
        if key in self._resolving or len(self._resolving) > _MAX_DEPTH:
            return None
        self._resolving.add(key)
        try:
            symbol = resolve(*arguments)
        finally:
            self._resolving.discard(key)
        memo[key] = symbol
        return symbol

    def _resolve_name(self, module: str, name: str, scope: str) -> Symbol | None:
        while scope:
            imported = self._imports.get((module, scope, name))
            if self._bound_by_assignment(module, scope, name, imported):
                return Symbol("binding", module, name, scope)
            if imported is not None:
                return self._resolve_import(imported)
            scope = scope.rpartition(".")[0]
        if (module, name) in self._classes:
            return Symbol("class", module, name)
        if (module, name) in self._functions:
            return Symbol("function", module, name)
        imported = self._imports.get((module, "", name))
        if self._bound_by_assignment(module, "", name, imported):
            return Symbol("binding", module, name)
        if imported is not None:
            return self._resolve_import(imported)
        facts = self.modules.get(module)
        if facts is not None:
            if facts.is_package and f"{module}.{name}" in self.modules:
                return Symbol("module", f"{module}.{name}")
            for star in (i for i in facts.imports if i.is_star):
                if star.module in self.modules and self._exports(star.module, name):
                    found = self.resolve_name(star.module, name)
                    if found is not None:
                        return found
        if module in self.modules and hasattr(builtins, name):
            return Symbol("external", "builtins", name)
        return None

    def _bound_by_assignment(self, module: str, scope: str, name: str, imported: ImportFact | None) -> bool:
        """Whether the assignment, not the import, is what `name` stands for. A name both imported
        and assigned a value that is neither a name nor a call (`try: from .x import router`,
        `except ImportError: router = None`) stands for the import: the assignment is a fallback."""
        binding = self._bindings.get((module, scope, name))
        if binding is None:
            return False
        return imported is None or bool(binding.value or binding.callee or binding.elements)

    def _exports(self, module: str, name: str) -> bool:
        facts = self.modules[module]
        if facts.dunder_all is not None:
            return name in facts.dunder_all
        return not name.startswith("_")

    def _resolve_import(self, imported: ImportFact) -> Symbol:
        if imported.name is None:
            target = imported.module if imported.alias != imported.module.split(".")[0] else (
                imported.module.split(".")[0]
            )
            if self.is_module(target):
                return Symbol("module", target)
            return Symbol("external", target)
        submodule = f"{imported.module}.{imported.name}" if imported.module else imported.name
        if submodule in self.modules:
            return Symbol("module", submodule)
        if imported.module in self.modules:
            found = self.resolve_name(imported.module, imported.name)
            if found is not None:
                return found
            return Symbol("external", imported.module, imported.name)
        return Symbol("external", imported.module, imported.name)

    @cached_property
    def _packages(self) -> frozenset[str]:
        names: set[str] = set()
        for module in self.modules:
            parts = module.split(".")
            names.update(".".join(parts[:i]) for i in range(1, len(parts)))
        return frozenset(names)

    def resolve_dotted(self, module: str, dotted: str, scope: str = "") -> Symbol | None:
        """Resolve `a.b.c` as written in `module`, following modules, classes and aliases."""
        return self._memoised(("dotted", module, dotted, scope), self._resolve_dotted, module, dotted, scope)

    def _resolve_dotted(self, module: str, dotted: str, scope: str) -> Symbol | None:
        head, *rest = dotted.split(".")
        symbol = self.resolve_name(module, head, scope)
        for attr in rest:
            if symbol is None:
                return None
            symbol = self.follow_alias(symbol)
            symbol = self._attribute(symbol, attr)
        return symbol

    def _attribute(self, symbol: Symbol, attr: str) -> Symbol | None:
        if symbol.kind == "module":
            submodule = f"{symbol.module}.{attr}"
            if submodule in self.modules:
                return Symbol("module", submodule)
            if symbol.module in self.modules:
                return self.resolve_name(symbol.module, attr)
            if submodule in self._packages:
                return Symbol("module", submodule)
            return Symbol("external", symbol.module, attr)
        if symbol.kind == "external":
            return Symbol("external", symbol.qualname, attr)
        if symbol.kind == "class":
            return Symbol("member", symbol.module, f"{symbol.name}.{attr}")
        return None

    def follow_alias(self, symbol: Symbol) -> Symbol:
        """`New = Old` bindings resolve to what `Old` is; anything else is returned as is."""
        for _ in range(_MAX_DEPTH):
            binding = self.binding(symbol)
            if binding is None or binding.value is None:
                return symbol
            target = self.resolve_dotted(symbol.module, binding.value, binding.scope)
            if target is None or target == symbol:
                return symbol
            symbol = target
        return symbol

    def resolve_class(self, module: str, dotted: str, scope: str = "") -> Symbol | None:
        symbol = self.resolve_dotted(module, dotted, scope)
        return self.follow_alias(symbol) if symbol is not None else None

    # ---- the import graph ---------------------------------------------------------------------
    @cached_property
    def import_graph(self) -> nx.DiGraph[str]:
        """Edges importer → imported project module, with the import lines as `lines`."""
        import networkx as nx  # lazily: a cached scan never needs it

        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(self.modules)
        for facts in self.modules.values():
            for imported in facts.imports:
                for target in self.imported_modules(imported):
                    if target == facts.module:
                        continue
                    if graph.has_edge(facts.module, target):
                        graph.edges[facts.module, target]["lines"].append(imported.line)
                    else:
                        graph.add_edge(facts.module, target, lines=[imported.line])
        return graph

    def imported_modules(self, imported: ImportFact) -> list[str]:
        """The project modules an import runs: the most specific one named, and for `from pkg
        import *` the submodules `pkg.__all__` names (the star import loads them)."""
        candidates = []
        if imported.name not in (None, "*"):
            candidates.append(f"{imported.module}.{imported.name}")
        candidates.append(imported.module)
        for candidate in candidates:
            if candidate in self.modules:
                if imported.is_star:
                    exported = self.modules[candidate].dunder_all or ()
                    return [candidate, *(f"{candidate}.{n}" for n in exported if f"{candidate}.{n}" in self.modules)]
                return [candidate]
        return []

    def importers(self, module: str) -> list[str]:
        """Project modules importing `module` directly, sorted by path."""
        if module not in self.import_graph:
            return []
        return sorted(self.import_graph.predecessors(module), key=lambda m: self.modules[m].path)

    def referenced_in_strings(self, dotted: str) -> list[tuple[str, int]]:
        """(path, line) of string literals naming `dotted` or something inside it."""
        return sorted(self._strings_by_prefix.get(dotted, ()))

    @cached_property
    def _strings_by_prefix(self) -> dict[str, list[tuple[str, int]]]:
        """Dotted string literals, under each of their prefixes (`a`, `a.b`, `a.b.c`)."""
        found: dict[str, list[tuple[str, int]]] = {}
        for facts in self.modules.values():
            for text, line in facts.string_refs:
                parts = text.split(".")
                for end in range(1, len(parts) + 1):
                    found.setdefault(".".join(parts[:end]), []).append((facts.path, line))
        return found
