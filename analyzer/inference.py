"""What a class provides, and which class a receiver statically is.

Both answers may be "unknown" (None), and unknown always wins: a class with an unknown base,
metaclass or decorator, a `__getattr__`, or attributes set from outside through `setattr` is open,
and no rule may claim it lacks a member. Library bases are read from a snapshot taken from the
real libraries (`scripts/gen_library_members.py`), standard-library bases from a per-version
snapshot (`scripts/gen_stdlib_members.py`): nothing is imported at scan time.
"""

from __future__ import annotations

import ast
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING

from analyzer.facts.extract import dotted_name
from analyzer.facts.model import AttrCall, ClassFact, ModuleFacts, TypeEvidence
from analyzer.index import ProjectIndex, Symbol
from analyzer.knowledge import LibraryBehaviour, behaviour, canonical, stdlib_members

if TYPE_CHECKING:
    import networkx as nx

KNOWN_METACLASSES = frozenset({"abc.ABCMeta", "enum.EnumMeta", "enum.EnumType"})
# What a class object gets from the known metaclasses (`Shape.register(X)` on an ABC).


@cache
def metaclass_members() -> frozenset[str]:
    """What a class object gets from the known metaclasses (`Shape.register(X)` on an ABC), as
    the standard-library snapshot of the running Python says."""
    return frozenset().union(*(stdlib_members(name) or frozenset() for name in KNOWN_METACLASSES))
OPEN_BASES = frozenset({"typing.Protocol", "typing_extensions.Protocol", "typing.Any"})
_ITERATOR_TYPES = frozenset(
    {
        "list", "List", "set", "Set", "frozenset", "FrozenSet", "tuple", "Sequence",
        "Iterable", "Iterator", "AsyncIterable", "AsyncIterator", "Generator",
        "AsyncGenerator", "Collection", "MutableSequence", "Deque", "deque",
    }
)


@cache
def library_members() -> dict[str, frozenset[str]]:
    text = resources.files("analyzer").joinpath("data/library_members.json").read_text("utf-8")
    return {name: frozenset(members) for name, members in json.loads(text).items()}


@cache
def external_members(qualname: str) -> frozenset[str] | None:
    """Attributes a subclass inherits from an external class, or None when unknown."""
    qualname = canonical(qualname)
    if qualname in OPEN_BASES:
        return None
    known = library_members().get(qualname)
    if known is not None:
        return known
    return stdlib_members(qualname)


# How many links of evidence (x = y.m(), y = z.n(), ...) inference follows before giving up.
_MAX_INFERENCE_DEPTH = 6


@dataclass(frozen=True, slots=True)
class Receiver:
    """The class a call's receiver is, and how that was inferred."""

    cls: Symbol
    is_class_object: bool
    how: str
    evidence: TypeEvidence
    alias_of: str | None = None


def annotation_class_name(annotation: str) -> str | None:
    """The one class an annotation names: `Optional[X]`, `X | None`, `"X"` and `Annotated[X, ...]`
    give `X`; unions of several classes, `Any` and containers give None."""
    try:
        node = ast.parse(annotation.strip(), mode="eval").body
    except SyntaxError:
        return None
    return _annotation_name(node, element=False)


def class_of_type(annotation: str) -> str | None:
    """The class a `type[X]` (or `Type[X]`) annotation names: a factory of classes returns it."""
    try:
        node = ast.parse(annotation.strip(), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Subscript) and (dotted_name(node.value) or "").rpartition(".")[2] in {"type", "Type"}:
        return _annotation_name(node.slice, element=False)
    return None


def element_class_name(annotation: str) -> str | None:
    """The element class of an iterable annotation: `list[X]`, `AsyncIterator[X]`, ..."""
    try:
        node = ast.parse(annotation.strip(), mode="eval").body
    except SyntaxError:
        return None
    return _annotation_name(node, element=True)


def _annotation_name(node: ast.expr, element: bool) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _annotation_name(ast.parse(node.value.strip(), mode="eval").body, element)
        except SyntaxError:
            return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [side for side in (node.left, node.right) if not _is_none(side)]
        return _annotation_name(sides[0], element) if len(sides) == 1 else None
    if isinstance(node, ast.Subscript):
        head = dotted_name(node.value)
        last = head.rpartition(".")[2] if head else None
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if last == "Optional" and len(args) == 1:
            return _annotation_name(args[0], element)
        if last == "Union":
            kept = [arg for arg in args if not _is_none(arg)]
            return _annotation_name(kept[0], element) if len(kept) == 1 else None
        if last == "Annotated":
            return _annotation_name(args[0], element)
        if element and last in _ITERATOR_TYPES and args:
            return _annotation_name(args[0], element=False)
        return None
    if element:
        return None
    return dotted_name(node)


def _is_none(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or dotted_name(node) == "None"


class ClassModel:
    """Members and subclasses of the project's classes, and receiver inference."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._members: dict[Symbol, frozenset[str] | None] = {}
        self._call_sites: dict[str, dict[tuple[str, str, str, int], AttrCall]] = {}

    @cached_property
    def inheritance(self) -> nx.DiGraph[Symbol]:
        """Edges base → subclass between project classes."""
        import networkx as nx

        graph: nx.DiGraph[Symbol] = nx.DiGraph()
        for facts, cls in self.index.classes():
            child = Symbol("class", facts.module, cls.name)
            graph.add_node(child)
            for base in self.bases(facts.module, cls):
                if base is not None and base.kind == "class":
                    graph.add_edge(base, child)
        return graph

    def bases(self, module: str, cls: ClassFact) -> list[Symbol | None]:
        return [None if base == "?" else self._base(module, base) for base in cls.bases]

    def _base(self, module: str, written: str) -> Symbol | None:
        """A base as written: a class, or one a library object makes (`db.Model` where `db =
        SQLAlchemy()`, known from data)."""
        found = self.index.resolve_class(module, written)
        if found is not None or "." not in written:
            return found
        owner, _, attribute = written.rpartition(".")
        holder = self.index.resolve_class(module, owner)
        made = self.index.binding(holder) if holder is not None else None
        if holder is None or made is None or made.callee is None:
            return None
        factory = self.index.resolve_class(holder.module, made.callee, made.scope)
        if factory is None or factory.kind != "external":
            return None
        qualname = behaviour().instance_classes.get(canonical(factory.qualname), {}).get(attribute)
        return Symbol("external", *qualname.rsplit(".", 1)) if qualname else None

    def lineage(self, symbol: Symbol) -> Iterator[Symbol]:
        """The class and every class it inherits from, nearest first, each once: project
        classes, and the library classes where the walk leaves the project (`external`). The one
        walk of base classes; asking it of one class follows that class's own bases only."""
        seen = {symbol}
        queue = deque([symbol])
        while queue:
            current = queue.popleft()
            yield current
            cls = self.index.class_fact(current) if current.kind == "class" else None
            for base in self.bases(current.module, cls) if cls is not None else ():
                if base is not None and base not in seen:
                    seen.add(base)
                    queue.append(base)

    def ancestors(self, symbol: Symbol) -> frozenset[Symbol]:
        """The project classes `symbol` inherits from, directly or not."""
        return frozenset(s for s in self.lineage(symbol) if s.kind == "class" and s != symbol)

    def subclasses(self, symbol: Symbol) -> set[Symbol]:
        import networkx as nx

        graph = self.inheritance
        return nx.descendants(graph, symbol) if symbol in graph else set()

    @cached_property
    def _assigned_from_outside(self) -> dict[Symbol, set[str]]:
        """Attributes set on classes from outside their body: `Cls.name = ...`, `setattr(Cls, ...)`."""
        assigned: dict[Symbol, set[str]] = {}
        for facts in self.index.modules.values():
            for owner, attr in facts.attribute_assignments:
                symbol = self.index.resolve_class(facts.module, owner)
                if symbol is not None and symbol.kind == "class":
                    assigned.setdefault(symbol, set()).add(attr)
        return assigned

    @cached_property
    def _escapes(self) -> dict[Symbol, list[str]]:
        """Project classes handed, at module level, to a callee that may set attributes on
        them (`admin.register(Model)`, `forward_methods(Canvas, ...)`), with where. Callees known
        to only read what they get (route declarations and their `response_model`, `Depends`,
        `isinstance`, typing constructs, logging...) and project functions that change none of
        the parameters they hand it to do not count."""
        known = behaviour()
        found: dict[Symbol, list[str]] = {}
        for facts in self.index.modules.values():
            for call in facts.calls:
                if call.scope or call.declares_route:
                    continue
                callee: Symbol | None = None
                handed: list[tuple[int | str, str]] = [
                    (position, name) for position, name in enumerate(call.arguments) if name
                ]
                handed += [(keyword, name) for keyword, name in call.keywords]
                for where, name in handed:
                    symbol = self.index.resolve_class(facts.module, name)
                    if symbol is None or symbol.kind != "class":
                        continue
                    if callee is None:
                        callee = self.index.resolve_class(facts.module, call.callee) or Symbol("external", "?")
                    if self._only_reads(callee, where, known):
                        continue
                    found.setdefault(symbol, []).append(
                        f"{facts.path}:{call.line} hands `{name}` to `{call.callee}`, which may set attributes on it"
                    )
        return found

    def _only_reads(self, callee: Symbol, where: int | str, known: LibraryBehaviour) -> bool:
        if callee.kind == "external":
            return known.callee_is_inert(callee.qualname)
        function = self.index.function_fact(callee)
        if function is None:
            return False
        if isinstance(where, int):
            if where >= len(function.parameters):
                return False  # into *args: anything may happen to it
            parameter = function.parameters[where]
        elif where in function.parameters:
            parameter = where
        else:
            return False
        return parameter not in function.mutated_parameters

    def doubts(self, symbol: Symbol) -> list[str]:
        """Why the members of a class (or of a project base of it) may not be all there are."""
        found = list(self._escapes.get(symbol, ()))
        for base in self.ancestors(symbol):
            found.extend(self._escapes.get(base, ()))
        return found

    def members(self, symbol: Symbol) -> frozenset[str] | None:
        """Every attribute instances of the class have, or None when that cannot be known."""
        if symbol in self._members:
            return self._members[symbol]
        self._members[symbol] = None  # cycles in inheritance are unknown
        result = self._compute_members(symbol)
        self._members[symbol] = result
        return result

    def _compute_members(self, symbol: Symbol) -> frozenset[str] | None:
        cls = self.index.class_fact(symbol)
        if cls is None or cls.dynamic_attributes:
            return None
        if cls.conditional and self.index.bound_otherwise(symbol.module, symbol.name):
            return None  # `if NEW: class X: ...` / `else: from lib import X`: either may run
        if cls.metaclass is not None and self._qualname(symbol.module, cls.metaclass) not in (
            KNOWN_METACLASSES
        ):
            return None
        for decorator in cls.decorators:
            if self._qualname(symbol.module, decorator) not in behaviour().member_keeping_decorators:
                return None
        outside = self._assigned_from_outside.get(symbol, set())
        if "*" in outside:
            return None
        names = set(cls.members) | outside
        if not cls.bases:
            names |= set(dir(object))
        for base in self.bases(symbol.module, cls):
            if base is None:
                return None
            if base.kind == "class":
                inherited = self.members(base)
            elif base.kind == "external":
                inherited = external_members(base.qualname)
            else:
                inherited = None
            if inherited is None:
                return None
            names |= inherited
        return frozenset(names)

    def _qualname(self, module: str, dotted: str) -> str | None:
        symbol = self.index.resolve_class(module, dotted)
        if symbol is None:
            return None
        return symbol.qualname if symbol.kind == "external" else None

    # ---- receivers ---------------------------------------------------------------------------
    def receiver(self, facts: ModuleFacts, call: AttrCall, depth: int = 0) -> Receiver | None:
        """The project class of `call`'s receiver, when statically certain."""
        if depth > _MAX_INFERENCE_DEPTH:
            return None
        evidence = call.evidence
        if evidence is None and not call.bound_locally:
            if "." in call.receiver:
                return self._self_attribute(facts, call, depth)
            return self._module_name(facts.module, call.receiver, depth)
        if evidence is None:
            return None
        return self._from_evidence(facts.module, evidence, call.scope, depth)

    def _self_attribute(self, facts: ModuleFacts, call: AttrCall, depth: int) -> Receiver | None:
        _, _, attr = call.receiver.partition(".")
        class_name = call.scope.split(".")[0]
        cls = self.index.class_fact(Symbol("class", facts.module, class_name))
        if cls is None or "." in attr:
            return None
        for name, evidence in cls.attribute_types:
            if name == attr:
                return self._from_evidence(facts.module, evidence, call.scope, depth + 1)
        return None

    def _module_name(self, module: str, name: str, depth: int) -> Receiver | None:
        symbol = self.index.resolve_name(module, name)
        if symbol is None:
            return None
        resolved = self.index.follow_alias(symbol)
        if resolved.kind == "class":
            evidence = TypeEvidence("class", resolved.name, 0)
            return Receiver(resolved, True, f"the class `{resolved.name}`", evidence)
        binding = self.index.binding(symbol)
        if binding is None or depth > 4:
            return None
        if binding.annotation:
            evidence = TypeEvidence("annotation", binding.annotation, binding.line)
        elif binding.callee:
            evidence = TypeEvidence("call", binding.callee, binding.line)
        else:
            return None
        return self._from_evidence(symbol.module, evidence, binding.scope, depth + 1)

    def _from_evidence(
        self, module: str, evidence: TypeEvidence, scope: str, depth: int
    ) -> Receiver | None:
        how = evidence.describe()
        if evidence.kind in {"self", "cls"}:
            own = Symbol("class", module, evidence.expr)
            if self.index.class_fact(own) is None:
                return None
            return Receiver(own, evidence.kind == "cls", how, evidence)
        if evidence.kind == "annotation":
            name = annotation_class_name(evidence.expr)
            return self._instance(module, name, scope, evidence)
        if evidence.kind in {"call", "await", "iter"}:
            callee = self.index.resolve_dotted(module, evidence.expr, scope)
            if callee is None or callee.kind == "member":
                return self._method_result(module, evidence, scope, depth)
            callee = self.index.follow_alias(callee)
            if callee.kind == "class":
                return Receiver(callee, False, how, evidence) if evidence.kind == "call" else None
            function = self.index.function_fact(callee)
            if function is None or function.returns is None:
                return None
            if evidence.kind == "iter":
                name = element_class_name(function.returns)
            elif function.is_async != (evidence.kind == "await"):
                return None
            else:
                name = annotation_class_name(function.returns)
            return self._instance(callee.module, name, "", evidence)
        if evidence.kind == "value":
            symbol = self.index.resolve_dotted(module, evidence.expr, scope)
            if symbol is None:
                return None
            symbol = self.index.follow_alias(symbol)
            if symbol.kind == "class":
                return Receiver(symbol, True, how, evidence)
            if symbol.kind == "binding" and "." not in evidence.expr and depth < 4:
                return self._module_name(symbol.module, symbol.name, depth + 1)
        return None

    def _method_result(
        self, module: str, evidence: TypeEvidence, scope: str, depth: int
    ) -> Receiver | None:
        """`x = obj.method()`: the return annotation of `method` on the class of `obj`, inferred
        like any receiver (the call `obj.method()` is itself a recorded attribute call)."""
        owner, _, method = evidence.expr.rpartition(".")
        facts = self.index.modules.get(module)
        if not owner or facts is None or depth > _MAX_INFERENCE_DEPTH:
            return None
        call = self._calls_at(facts).get((scope, owner, method, evidence.line))
        receiver = self.receiver(facts, call, depth + 1) if call is not None else None
        cls = self.index.class_fact(receiver.cls) if receiver is not None else None
        returns = next((r for r in cls.method_returns if r[0] == method), None) if cls else None
        if receiver is None or returns is None:
            return None
        _, annotation, is_async = returns
        if evidence.kind == "iter":
            name = element_class_name(annotation)
        elif is_async != (evidence.kind == "await"):
            return None
        else:
            name = annotation_class_name(annotation)
        return self._instance(receiver.cls.module, name, "", evidence)

    def _calls_at(self, facts: ModuleFacts) -> dict[tuple[str, str, str, int], AttrCall]:
        """The module's attribute calls by (scope, receiver, method, line); the first one wins."""
        calls = self._call_sites.get(facts.module)
        if calls is None:
            calls = self._call_sites[facts.module] = {}
            for call in facts.attr_calls:
                calls.setdefault((call.scope, call.receiver, call.method, call.line), call)
        return calls

    def _instance(
        self, module: str, name: str | None, scope: str, evidence: TypeEvidence
    ) -> Receiver | None:
        if name is None:
            return None
        symbol = self.index.resolve_class(module, name, scope)
        if symbol is None or symbol.kind != "class":
            return None
        cls = self.index.class_fact(symbol)
        if evidence.kind == "annotation" and cls is not None and cls.static_only:
            # `client: LLMClient` where LLMClient only has `create()`: what is passed in is what
            # the factory makes, not an instance of the factory.
            return None
        how = evidence.describe()
        alias_of = symbol.name if name.rpartition(".")[2] != symbol.name else None
        if alias_of:
            how = f"{how}, an alias of `{alias_of}`"
        return Receiver(symbol, False, how, evidence, alias_of)
