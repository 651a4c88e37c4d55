"""Frozen facts extracted from one source file.

(No `slots`: frozen dataclasses with slots unpickle through a Python-level `__setstate__`, which
made loading cached facts several times slower.)

Everything a check needs to know about a module is here, so that checks never read files and the
cache can store one `ModuleFacts` per file. Names are kept *as written* (dotted strings); the
project index resolves them across modules.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass, field
from typing import Final


@dataclass(frozen=True)
class Span:
    """An inclusive, 1-based line range."""

    line: int
    end_line: int

    @property
    def length(self) -> int:
        return self.end_line - self.line + 1

    def contains(self, line: int) -> bool:
        return self.line <= line <= self.end_line


@dataclass(frozen=True)
class ImportFact:
    """One imported binding.

    `import a.b` binds `a` (module `a.b` is imported); `import a.b as c` binds `c` to `a.b`;
    `from a import b as c` binds `c` to `a.b` (a module or a name in `a`).
    `module` is absolute: relative imports are resolved against the importing module.
    """

    module: str
    name: str | None
    alias: str
    line: int
    end_line: int
    level: int = 0
    is_star: bool = False
    conditional: bool = False
    type_checking: bool = False
    scope: str = ""


@dataclass(frozen=True)
class TypeEvidence:
    """What is statically known about the value of a name.

    kind: `annotation` (expr is the annotated type), `call` / `await` (expr is the callee of the
    call that produced the value: a class, or a function whose return annotation tells), `value`
    (expr is the dotted name assigned), `iter` (an element of iterating the value of a call).
    """

    kind: str
    expr: str
    line: int

    def describe(self) -> str:
        labels = {
            "annotation": "annotated as",
            "call": "assigned from",
            "await": "assigned from awaiting",
            "iter": "iterating over",
            "value": "assigned from",
            "class": "the class",
            "self": "`self` in a method of",
            "cls": "`cls` in a class method of",
        }
        suffix = "(...)" if self.kind in {"call", "await", "iter"} else ""
        if self.kind in {"self", "cls"}:
            return f"{labels[self.kind]} `{self.expr}` (line {self.line})"
        return f"{labels.get(self.kind, self.kind)} `{self.expr}{suffix}` (line {self.line})"


@dataclass(frozen=True)
class AttrCall:
    """A call `receiver.method(...)` with what is known of the receiver's type."""

    receiver: str
    method: str
    line: int
    scope: str
    evidence: TypeEvidence | None
    bound_locally: bool = False
    arg_count: int = 0
    keywords: tuple[str, ...] = ()
    result_used: bool = True


@dataclass(frozen=True)
class ClassFact:
    name: str
    span: Span
    bases: tuple[str, ...]
    decorators: tuple[str, ...]
    methods: tuple[str, ...]
    attributes: tuple[str, ...]
    attribute_types: tuple[tuple[str, TypeEvidence], ...] = ()
    metaclass: str | None = None
    dynamic_attributes: bool = False
    last_statement_line: int = 0
    field_types: tuple[tuple[str, str], ...] = ()
    method_returns: tuple[tuple[str, str, bool], ...] = ()  # (method, return annotation, async)
    conditional: bool = False
    static_only: bool = False  # only static and class methods: a namespace or a factory
    declares_abstract: bool = False  # it declares abstract methods (`@abstractmethod`)
    keywords: tuple[tuple[str, str], ...] = ()  # class keywords but `metaclass` (`table=True`), as written
    attribute_values: tuple[tuple[str, str], ...] = ()  # class-level `name = dotted.value`, bound once
    # Class-level `name = "text"`, bound once, for the names the framework adapters read, in a
    # class whose methods declare its own routes (a controller's `path`).
    strings: tuple[tuple[str, str], ...] = ()

    @property
    def members(self) -> frozenset[str]:
        return frozenset(self.methods) | frozenset(self.attributes)


@dataclass(frozen=True)
class FunctionFact:
    """A module-level function. `mutated_parameters` are the parameters whose object the
    function may change: an attribute set on it, `setattr` on it, or handed on to another call."""

    name: str
    span: Span
    returns: str | None
    is_async: bool = False
    decorators: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()  # positional ones first, in order
    mutated_parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binding:
    """A module-level name bound by assignment, with what is known of its value.

    `value` is the dotted name on the right of `name = value` (an alias), `callee` the callee of
    `name = callee(...)`.
    """

    name: str
    line: int
    end_line: int
    value: str | None = None
    callee: str | None = None
    keywords: tuple[tuple[str, str], ...] = ()
    annotation: str | None = None
    scope: str = ""
    elements: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()  # `PLUGINS = ["app.plugins.audit", ...]`: a literal collection of strings
    strings_partial: bool = False  # `DEFAULT + os.environ[...]`: those strings and more


@dataclass(frozen=True)
class RouteFact:
    """An endpoint registered on a router-like object named `receiver` (as written)."""

    receiver: str
    methods: tuple[str, ...]
    path: str
    handler: str
    line: int
    scope: str = ""
    deprecated: bool = False


@dataclass(frozen=True)
class DeprecationNote:
    """A docstring, string or comment block that calls something deprecated, with the route
    paths it mentions."""

    line: int
    end_line: int
    paths: tuple[str, ...]


@dataclass(frozen=True)
class MountTarget:
    """One thing a mount call mounts.

    `expr` is a dotted name as written (`items.router`); with `called`, what the factory `expr`
    creates is mounted. With `module`, `expr` is read in that absolute module (a module loaded by
    `importlib.import_module("app.x")`); with `collection`, the target is each element of that
    collection (a name as written, bound in another module), then `.expr`.
    """

    expr: str
    called: bool = False
    prefix: str | None = None
    module: str | None = None
    collection: str | None = None
    loaded_from: ModuleNames | None = None  # `expr` is read in each module these strings name


@dataclass(frozen=True)
class CallFact:
    """A call that is handed names: `callee(a, b.c, key=d)`. Recorded at module level (a class
    handed to a call may be changed there) and for callees imported from another module (a
    helper that mounts what it is given). `arguments` are the positional arguments as dotted
    names (None for anything else), `keywords` the keyword arguments that are dotted names;
    `declares_route` marks `x.get("/path", response_model=M)` and the like."""

    callee: str
    arguments: tuple[str | None, ...]
    keywords: tuple[tuple[str, str], ...]
    line: int
    scope: str
    declares_route: bool = False


@dataclass(frozen=True)
class ModuleNames:
    """Module names held as strings by a collection bound elsewhere (`for name in
    settings.PLUGINS: import_module(f"app.plugins.{name}")`): `prefix + string + suffix` for each
    string of `collection` (a name as written in the loading module)."""

    collection: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class DynamicImport:
    """A module loaded by name at run time (`importlib.import_module`, `__import__`, a walk with
    `pkgutil.iter_modules`). `names` are the modules when they can be read (literals, loops over
    literals); otherwise `package` is the package whose modules may be loaded ("" for any)."""

    line: int
    scope: str
    names: tuple[str, ...] = ()
    package: str | None = None
    loaded_from: ModuleNames | None = None  # the names are the strings of a collection elsewhere


@dataclass(frozen=True)
class MountFact:
    """`receiver.include_router(target)`, `register_blueprint`, `mount`, ...

    `targets` are what may be mounted (one per iteration of a loop over a literal collection,
    each with its own prefix). `dynamic` says the target could not be read statically;
    `dynamic_attr` names the attribute a dynamic target is read through (`getattr(m,
    "router")`, `module.router`) and `dynamic_package` the package its module is loaded from,
    when known. In a helper such as `def add(app, router): app.include_router(router)`, the mount
    of the parameter names the `helper` and the `parameter`; each call of the helper is a mount
    of its argument. With `composes`, the target is part of the receiver's definition
    (`router = Router(route_handlers=[...])`): mounted wherever the receiver is, whether or not
    the code holding the call runs.
    """

    receiver: str
    method: str
    targets: tuple[MountTarget, ...]
    line: int
    scope: str
    dynamic: bool = False
    dynamic_attr: str | None = None
    dynamic_package: str | None = None
    # The `if` statements it is inside, each as (line of the `if`, 0 in its body, 1 in its `else`):
    # two mounts under one `if` in different branches never both run.
    branches: tuple[tuple[int, int], ...] = ()
    helper: str | None = None  # the module-level function whose parameter is mounted here
    parameter: str | None = None  # that parameter
    prefix: str | None = None  # the helper's own prefix for what it mounts
    composes: bool = False


# A logical source line reduced for clone detection: (line, shape, names, literals, size).
# `shape` hashes the token kinds (identifiers → N, strings → S, numbers → 0, keywords and operators
# kept); `names` are the identifiers in order, `literals` hashes the literal values and `size`
# counts the tokens. A plain tuple, not a class: a module has thousands and the cache unpickles
# plain tuples several times faster. Index with the constants below.
NormalizedLine = tuple[int, int, tuple[str, ...], int, int]
# Final, so that type checkers know each field's type (`line[NAMES]` is a tuple[str, ...]).
LINE: Final = 0
SHAPE: Final = 1
NAMES: Final = 2
LITERALS: Final = 3
SIZE: Final = 4


@dataclass(frozen=True)
class CloneText:
    """A module's code as clone detection sees it.

    `fingerprints` (winnowed k-gram hashes of the line shapes) are what every scan needs to find
    candidate pairs; the normalised lines themselves are needed only for the few modules in a
    candidate pair, so they are kept encoded and decoded on demand: loading a project from the
    cache then costs a copy of bytes per module instead of building thousands of tuples.
    """

    line_count: int = 0
    fingerprints: frozenset[int] = frozenset()
    encoded: bytes = field(default=marshal.dumps(()), repr=False)
    digest: bytes = b""  # of the code without its line numbers: equal digests, verbatim copies

    @classmethod
    def of(cls, lines: tuple[NormalizedLine, ...], fingerprints: frozenset[int]) -> CloneText:
        code = marshal.dumps(tuple(line[SHAPE:] for line in lines))
        return cls(len(lines), fingerprints, marshal.dumps(lines), hashlib.blake2b(code, digest_size=16).digest())

    def same_code_as(self, other: CloneText) -> bool:
        """Token for token the same code (where it sits in the file aside)."""
        return self.line_count > 0 and self.digest == other.digest

    def lines(self) -> tuple[NormalizedLine, ...]:
        lines: tuple[NormalizedLine, ...] = marshal.loads(self.encoded)
        return lines


@dataclass(frozen=True)
class ModuleFacts:
    path: str
    module: str
    is_package: bool
    line_count: int
    imports: tuple[ImportFact, ...] = ()
    classes: tuple[ClassFact, ...] = ()
    functions: tuple[FunctionFact, ...] = ()
    bindings: tuple[Binding, ...] = ()
    routes: tuple[RouteFact, ...] = ()
    mounts: tuple[MountFact, ...] = ()
    attr_calls: tuple[AttrCall, ...] = ()
    name_refs: tuple[tuple[str, tuple[int, ...]], ...] = ()
    dotted_refs: tuple[tuple[str, int, str], ...] = ()  # (a.b.c, first line, scope)
    string_refs: tuple[tuple[str, int], ...] = ()
    string_words: frozenset[str] = frozenset()  # folder names written in paths (`here / "plugin_template"`)
    looked_up_names: tuple[tuple[str, int], ...] = ()  # getattr(obj, "name"): (name, first line)
    returned_globals: tuple[tuple[str, str], ...] = ()  # (module-level function, global it returns)
    attribute_assignments: tuple[tuple[str, str], ...] = ()
    calls: tuple[CallFact, ...] = ()
    dynamic_imports: tuple[DynamicImport, ...] = ()
    # (kind, value, line): what documented run commands run (a launcher's kinds), and `launch`
    # for a path to a Python file written in the code (`subprocess.call(["/config.py"])`).
    run_mentions: tuple[tuple[str, str, int], ...] = ()
    dunder_all: tuple[str, ...] | None = None
    clone_text: CloneText = CloneText()
    deprecation_notes: tuple[DeprecationNote, ...] = ()
    suppressions: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (line, rules); () = every rule
    has_main_guard: bool = False
    runs_at_import: bool = False  # statements at module level that do something (a call, a loop, a `with`)
    loads_files: bool = False  # it loads Python files by path (`spec_from_file_location`, `runpy.run_path`)
    # What was read depends on the module's own name (relative imports, `__name__`, the modules of
    # its own folder): named otherwise, it must be read again.
    reads_own_name: bool = False
    says_deprecated: bool = False  # its docstring or a comment above its code says it is kept for compatibility
    error: str | None = None

    @property
    def normalized_lines(self) -> tuple[NormalizedLine, ...]:
        return self.clone_text.lines()

    def defined_names(self) -> set[str]:
        """Names the module binds at its top level: classes, functions, variables."""
        names = {cls.name for cls in self.classes} | {f.name for f in self.functions}
        return names | {b.name for b in self.bindings if not b.scope}

    def name_lines(self, name: str) -> tuple[int, ...]:
        for ref, lines in self.name_refs:
            if ref == name:
                return lines
        return ()
