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
            "class": "is the class",
        }
        suffix = "(...)" if self.kind in {"call", "await", "iter"} else ""
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

    @property
    def members(self) -> frozenset[str]:
        return frozenset(self.methods) | frozenset(self.attributes)


@dataclass(frozen=True)
class FunctionFact:
    name: str
    span: Span
    returns: str | None
    is_async: bool = False


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
class MountFact:
    """`receiver.include_router(target)`, `register_blueprint`, `mount`, ...

    `targets` are the dotted expressions that may be mounted (more than one for a loop over a
    literal list); `dynamic` says the target could not be read statically, and `dynamic_attr`
    names the attribute a dynamic target is read through, when known (`getattr(m, "router")`).
    In a helper such as `def add(app, router): app.include_router(router)`, the mount of the
    parameter names the `helper`; each call `add(app, items.router)` in the module is recorded
    as a mount of its arguments.
    """

    receiver: str
    method: str
    targets: tuple[str, ...]
    line: int
    scope: str
    prefix: str | None = None
    dynamic: bool = False
    dynamic_attr: str | None = None
    helper: str | None = None  # the module-level function whose parameter is mounted here


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
    looked_up_names: tuple[tuple[str, int], ...] = ()  # getattr(obj, "name"): (name, first line)
    returned_globals: tuple[tuple[str, str], ...] = ()  # (module-level function, global it returns)
    attribute_assignments: tuple[tuple[str, str], ...] = ()
    dunder_all: tuple[str, ...] | None = None
    clone_text: CloneText = CloneText()
    deprecation_notes: tuple[DeprecationNote, ...] = ()
    suppressions: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (line, rules); () = every rule
    has_main_guard: bool = False
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
