"""Every edit of a plan to one file, anchored on that file's original syntax tree.

A plan never edits a file twice. Each fix contributes operations (`Op`s) to the files it
touches; an operation on a definition, a call or an import statement holds that node of the
file's original tree (found once, by the finding's line numbers, in the tree they were read
from). A file's new content is then computed in one pass over the original tree that applies the
operations of any chosen set of fixes together, so that a second edit never depends on the
line numbers the first one moved. Operations that are about names rather than nodes (rewriting
the imports of a module, dropping the comments that name a deleted module, unused imports, the
imports a new method needs) run after that pass, on the whole module.

Statements are removed at the level of their block, so the blank lines and comments above a
removed import move onto the statement that follows it when that one has none of its own (the
blank line after `from __future__ import annotations` stays).
"""

from __future__ import annotations

import builtins
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from analyzer.facts.extract import decode_source
from analyzer.facts.tokens import safe_for_libcst

BUILTIN_NAMES = frozenset(dir(builtins))


def parse(source: bytes) -> cst.Module:
    if not safe_for_libcst(decode_source(source)):
        raise ValueError("the file is too deeply nested or chained to rewrite safely")
    return cst.parse_module(source)


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr.value}" if head else None
    return None


def string_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def absolute_module(package: str, node: cst.ImportFrom) -> str:
    """The absolute name of the module a (possibly relative) `from` import names."""
    module = dotted_name(node.module) if node.module else ""
    level = len(node.relative)
    if not level:
        return module or ""
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, module] if module else base)


def dotted_expr(dotted: str) -> cst.Attribute | cst.Name:
    head, *rest = dotted.split(".")
    node: cst.Attribute | cst.Name = cst.Name(head)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


# ---- operations ----------------------------------------------------------------------------
# Operations on nodes compare by identity (eq=False): two fixes that find the same class hold
# the same node, and that is what a conflict is.
@dataclass(frozen=True, eq=False)
class RemoveStatement:
    """Delete a statement (a class definition), then the imports only it used."""

    node: cst.BaseStatement


@dataclass(frozen=True, eq=False)
class AddMethod:
    """Append a method (source, any indentation) to a class, and the imports it needs
    (`"json"`, `"typing.Any"`)."""

    cls: cst.ClassDef
    source: str
    imports: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class RenameAttribute:
    """`x.old(...)` becomes `x.new(...)`."""

    node: cst.Attribute
    new: str


@dataclass(frozen=True, eq=False)
class RetargetImport:
    """Import `name` (as bound) from `module` instead: the statement's module changes when it
    imports nothing else, otherwise the name moves to a new statement after it."""

    statement: cst.SimpleStatementLine
    name: str
    module: str


@dataclass(frozen=True, eq=False)
class MoveStatement:
    """Move a statement (a decorated function, with the comments above it) to just before
    another statement of the same block."""

    node: cst.BaseStatement
    before: cst.BaseStatement


@dataclass(frozen=True)
class RewriteReferences:
    """Imports of `old`, dotted references and dotted strings now name `new` (star imports
    are left alone: rewriting one can change what its names bind)."""

    package: str
    old: str
    new: str
    renames: tuple[tuple[str, str], ...]
    exported: frozenset[str]


@dataclass(frozen=True)
class RemoveModuleImports:
    """Drop every import of module `removed` (not star imports), and the names it bound from
    `__all__`."""

    package: str
    removed: str


@dataclass(frozen=True)
class RemoveComments:
    """Drop the comment lines matching any of the patterns (whole-line comments; a trailing
    comment is cut from its line)."""

    patterns: tuple[str, ...]


@dataclass(frozen=True)
class AppendAliases:
    aliases: tuple[tuple[str, str], ...]
    comment: str


NodeOp = RemoveStatement | AddMethod | RenameAttribute | RetargetImport | MoveStatement
Op = NodeOp | RewriteReferences | RemoveModuleImports | RemoveComments | AppendAliases
NODE_OPS = (RemoveStatement, AddMethod, RenameAttribute, RetargetImport, MoveStatement)


def node_of(op: NodeOp) -> cst.CSTNode:
    if isinstance(op, AddMethod):
        return op.cls
    if isinstance(op, RetargetImport):
        return op.statement
    return op.node


# ---- one file -------------------------------------------------------------------------------
class SourceFile:
    """A file's original bytes and syntax tree, where the operations of a plan find their nodes."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.module = parse(data)

    @cached_property
    def _metadata(self) -> MetadataWrapper:
        # unsafe_skip_copy: the positions must be those of `self.module`'s own nodes.
        return MetadataWrapper(self.module, unsafe_skip_copy=True)

    @cached_property
    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        return self._metadata.resolve(PositionProvider)

    @cached_property
    def parents(self) -> Mapping[cst.CSTNode, cst.CSTNode]:
        collector = _ParentCollector()
        self.module.visit(collector)
        return collector.parents

    @cached_property
    def future_annotations(self) -> bool:
        for statement in self.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if (
                        isinstance(small, cst.ImportFrom) and dotted_name(small.module) == "__future__"
                        and not isinstance(small.names, cst.ImportStar)
                        and any(dotted_name(a.name) == "annotations" for a in small.names)
                    ):
                        return True
        return False

    def _ancestors(self, nodes: Iterable[cst.CSTNode]) -> set[int]:
        """The identities of the nodes and of every node that holds one of them."""
        found: set[int] = set()
        for node in nodes:
            current: cst.CSTNode | None = node
            while current is not None and id(current) not in found:
                found.add(id(current))
                current = self.parents.get(current)
        return found

    def line_of(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def contains(self, outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
        a, b = self.positions[outer], self.positions[inner]
        return (a.start.line, a.start.column) <= (b.start.line, b.start.column) and (
            (b.end.line, b.end.column) <= (a.end.line, a.end.column)
        )

    @cached_property
    def _nodes(self) -> dict[type[cst.CSTNode], list[cst.CSTNode]]:
        """The nodes of the kinds the plan looks for, in source order."""
        kinds = (cst.ClassDef, cst.Call, cst.SimpleStatementLine)
        found: dict[type[cst.CSTNode], list[cst.CSTNode]] = {kind: [] for kind in kinds}
        for node in self.positions:
            if isinstance(node, kinds):
                found[type(node)].append(node)
        return found

    def find_class(self, name: str, line: int) -> cst.ClassDef:
        """The class `name` defined at `line` (its `class` line or its first decorator's)."""
        for node in self._nodes[cst.ClassDef]:
            if isinstance(node, cst.ClassDef) and node.name.value == name:
                first = node.decorators[0] if node.decorators else node
                if line in {self.line_of(first), self.line_of(node)}:
                    return node
        raise ValueError(f"class {name} not found at line {line} of {self.path}")

    def find_calls(self, method: str, line: int, receiver: str | None = None) -> list[cst.Call]:
        """Calls `<receiver>.method(...)` starting, or naming the method, at `line`."""
        found = []
        for node in self._nodes[cst.Call]:
            if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
                continue
            if node.func.attr.value != method:
                continue
            if line not in {self.line_of(node), self.line_of(node.func.attr)}:
                continue
            written = dotted_name(node.func.value)
            if receiver and written is not None and written != receiver:
                continue
            found.append(node)
        return found

    def statement_at(self, line: int) -> cst.SimpleStatementLine | None:
        for node in self._nodes[cst.SimpleStatementLine]:
            if isinstance(node, cst.SimpleStatementLine) and self.line_of(node) <= line <= (
                self.positions[node].end.line
            ):
                return node
        return None

    def enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        current: cst.CSTNode | None = node
        while current is not None:
            current = self.parents.get(current)
            if isinstance(current, cst.FunctionDef):
                return current
        return None

    def top_level_imports(self) -> set[str]:
        """Names the module's top-level imports bind."""
        bound = set()
        for statement in self.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        bound.add(bound_name(alias, isinstance(small, cst.Import)))
        return bound

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # ---- applying operations ---------------------------------------------------------------
    def render(self, ops: Sequence[Op]) -> bytes:
        """The file's bytes with these operations applied together (the original bytes when
        they change nothing)."""
        if not ops:
            return self.data
        module = self.module
        node_ops = [op for op in ops if isinstance(op, NODE_OPS)]
        editor = _NodeEditor(node_ops, module, self._ancestors([node_of(op) for op in node_ops]))
        if node_ops:
            module = module.visit(editor)
        rewrites = [op for op in ops if isinstance(op, RewriteReferences)]
        for rewrite in rewrites:
            module = module.visit(_ReferenceRewriter(rewrite))
        if rewrites:
            module = _merge_from_imports(module)
        removed: set[str] = set()
        for op in ops:
            if isinstance(op, RemoveModuleImports):
                remover = _ModuleImportRemover(op.package, op.removed)
                module = module.visit(remover)
                if remover.unbound:
                    module = module.visit(_DunderAllPruner(remover.unbound))
                removed |= remover.unbound
        patterns = [pattern for op in ops if isinstance(op, RemoveComments) for pattern in op.patterns]
        if patterns:
            module = module.visit(_CommentRemover(re.compile("|".join(f"(?:{p})" for p in patterns))))
        if editor.removed_names:
            module = module.visit(_UnusedImportRemover(editor.removed_names, _used_names(module)))
        for op in ops:
            if isinstance(op, AppendAliases):
                module = _append_aliases(module, op.aliases, op.comment)
        imports = [spec for op in node_ops if isinstance(op, AddMethod) for spec in op.imports]
        if imports:
            module = _add_imports(module, imports)
        return module.bytes  # an unchanged tree gives back the very bytes it was parsed from


class _ParentCollector(cst.CSTVisitor):
    """Each node's parent (libcst's metadata provider for it costs a pass of its own)."""

    def __init__(self) -> None:
        super().__init__()
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parents[node] = self.stack[-1]
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def bound_name(alias: cst.ImportAlias, plain_import: bool) -> str:
    """The name an import alias binds (`import a.b` binds `a`)."""
    if alias.asname is not None:
        return dotted_name(alias.asname.name) or ""
    name = dotted_name(alias.name) or ""
    return name.split(".")[0] if plain_import else name


# ---- removing statements at the level of their block ------------------------------------------
_Body = TypeVar("_Body", cst.Module, cst.IndentedBlock)
_Node = TypeVar("_Node", bound=cst.CSTNode)
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


class _BlockEditor(cst.CSTTransformer):
    """Statements are dropped (`self.dropped`, by identity of the node this pass visits),
    followed by new ones (`self.after`) or moved before another one of their block
    (`self.moved`: the moved statement's identity → the other's), by their block, which moves
    the blank lines and comments above a dropped statement onto the next one."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped: set[int] = set()
        self.after: dict[int, list[Statement]] = {}
        self.moved: dict[int, int] = {}

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return self._edit(original, updated, at_module=True)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return self._edit(original, updated, at_module=False)

    def _edit(self, original: _Body, updated: _Body, at_module: bool) -> _Body:
        if not any(id(s) in self.dropped or id(s) in self.after or id(s) in self.moved for s in original.body):
            return updated
        body: list[Statement] = []
        carried: list[cst.EmptyLine] | None = None  # what a dropped run leaves for the next statement
        arriving: dict[int, list[Statement]] = {}  # statements moved before another, by its identity
        for old, new in zip(original.body, updated.body, strict=True):
            if id(old) in self.moved:
                assert isinstance(new, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
                arriving.setdefault(self.moved[id(old)], []).append(new)
        for old, new in zip(original.body, updated.body, strict=True):
            assert isinstance(new, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
            if id(old) in arriving:
                new = _arrive(arriving[id(old)], new, body)
            if id(old) in self.moved:
                continue
            if id(old) in self.dropped:
                # As if the statements of a dropped run were dropped one by one, in any order.
                lines = list(new.leading_lines)
                if carried and not _has_blank(lines):
                    lines = carried + lines
                carried = _carry(lines, new)
                continue
            if carried is not None:
                # Now the module's first statement: the file must not start with blank lines,
                # nor have more of them after its header.
                header = updated.header if isinstance(updated, cst.Module) else ()
                first = at_module and not body and (not header or header[-1].comment is None)
                new = _receive(new, carried, first_in_module=first)
                carried = None
            body.append(new)
            body.extend(self.after.get(id(old), ()))
        if not body and not at_module:
            body = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return updated.with_changes(body=body)

    def leave_SimpleStatementSuite(
        self, original: cst.SimpleStatementSuite, updated: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        if not updated.body:
            return updated.with_changes(body=[cst.Pass()])
        return updated


def _arrive(moved: list[Statement], anchor: Statement, body: list[Statement]) -> Statement:
    """Append the statements moved before `anchor` to `body`, and give back `anchor`: the first
    of them takes the blank lines above the anchor, the anchor the blank lines above it (each
    keeps its comments)."""
    anchor_blank, anchor_rest = _blank_prefix(anchor.leading_lines)
    first_blank, first_rest = _blank_prefix(moved[0].leading_lines)
    body.append(moved[0].with_changes(leading_lines=[*anchor_blank, *first_rest]))
    body.extend(moved[1:])
    return anchor.with_changes(leading_lines=[*first_blank, *anchor_rest])


def _blank_prefix(lines: Sequence[cst.EmptyLine]) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """The blank lines before the first comment line, and the rest."""
    count = next((n for n, line in enumerate(lines) if line.comment is not None), len(lines))
    return list(lines[:count]), list(lines[count:])


def _has_blank(lines: Sequence[cst.EmptyLine]) -> bool:
    return any(line.comment is None for line in lines)


def _carry(lines: Sequence[cst.EmptyLine], dropped: Statement) -> list[cst.EmptyLine]:
    """What of a dropped statement's leading lines stays: all of them above an import (a
    section comment, the blank line of an import group); only the blank lines above a class or
    function (its comments were about it)."""
    if isinstance(dropped, cst.SimpleStatementLine):
        return list(lines)
    return [line for line in lines if line.comment is None]


def _receive(node: Statement, carried: list[cst.EmptyLine], first_in_module: bool) -> Statement:
    own = list(node.leading_lines)
    if first_in_module:
        return node.with_changes(leading_lines=[line for line in own if line.comment is not None])
    if _has_blank(own) or not carried:
        return node
    return node.with_changes(leading_lines=[*carried, *own])


# ---- the pass over the original tree ---------------------------------------------------------
class _NodeEditor(_BlockEditor):
    """The operations on nodes, in one pass that enters only the nodes holding a target."""

    def __init__(self, ops: Sequence[NodeOp], module: cst.Module, holders: set[int]) -> None:
        super().__init__()
        self.holders = holders
        self.config = module.config_for_parsing
        self.default_indent = module.default_indent
        self.removed_names: set[str] = set()
        self.methods: dict[int, list[str]] = {}
        self.renames: dict[int, str] = {}
        self.retargets: dict[int, list[RetargetImport]] = {}
        for op in ops:
            if isinstance(op, RemoveStatement):
                self.dropped.add(id(op.node))
                self.removed_names |= _names_in(op.node)
            elif isinstance(op, AddMethod):
                self.methods.setdefault(id(op.cls), []).append(op.source)
            elif isinstance(op, RenameAttribute):
                self.renames[id(op.node)] = op.new
            elif isinstance(op, MoveStatement):
                self.moved[id(op.node)] = id(op.before)
            else:
                self.retargets.setdefault(id(op.statement), []).append(op)

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.holders and super().on_visit(node)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        sources = self.methods.get(id(original))
        if not sources or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        body = updated.body
        indent = body.indent if body.indent is not None else self.default_indent
        methods = [self._method(source, indent) for source in sources]
        return updated.with_changes(body=body.with_changes(body=[*body.body, *methods]))

    def _method(self, source: str, indent: str) -> cst.BaseStatement:
        # Parsed inside a class so that its docstring and strings are indented and end their
        # lines as the class body does: libcst keeps string contents verbatim.
        newline = self.config.default_newline
        if not isinstance(newline, str) or not newline:  # AutoConfig: config_for_parsing always sets it
            newline = "\n"
        code = textwrap.indent(_reindent(textwrap.dedent(source), self.default_indent), indent)
        holder = cst.parse_statement(("class _Holder:\n" + code).replace("\n", newline), config=self.config)
        assert isinstance(holder, cst.ClassDef) and isinstance(holder.body, cst.IndentedBlock)
        return holder.body.body[0].with_changes(leading_lines=[cst.EmptyLine(indent=False)])

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        new = self.renames.get(id(original))
        return updated.with_changes(attr=cst.Name(new)) if new else updated

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        retargets = self.retargets.get(id(original))
        if not retargets:
            return updated
        statement, added = _retarget(updated, retargets)
        if added:
            self.after[id(original)] = added
        return statement



def _retarget(
    statement: cst.SimpleStatementLine, retargets: Sequence[RetargetImport]
) -> tuple[cst.SimpleStatementLine, list[Statement]]:
    moving = {op.name: op.module for op in retargets}
    small = statement.body[0]
    if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
        return statement, []
    kept = [a for a in small.names if bound_name(a, False) not in moving]
    moved = [a for a in small.names if bound_name(a, False) in moving]
    if not kept:
        modules = {moving[bound_name(a, False)] for a in moved}
        if len(modules) == 1:
            new = small.with_changes(module=dotted_expr(modules.pop()), relative=[])
            return statement.with_changes(body=[new, *statement.body[1:]]), []
    kept_from = _with_names(small, kept) if kept else None
    added: list[Statement] = []
    for module in sorted({moving[bound_name(a, False)] for a in moved}):
        names = [
            a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in moved if moving[bound_name(a, False)] == module
        ]
        added.append(cst.SimpleStatementLine(body=[cst.ImportFrom(module=dotted_expr(module), names=names)]))
    if kept_from is None or isinstance(kept_from, cst.RemovalSentinel):
        first, *rest = added
        assert isinstance(first, cst.SimpleStatementLine)
        return first.with_changes(leading_lines=statement.leading_lines), rest
    return statement.with_changes(body=[kept_from, *statement.body[1:]]), added


def _names_in(node: cst.CSTNode) -> set[str]:
    collector = _NameCollector()
    node.visit(collector)
    return collector.names


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def _reindent(source: str, unit: str) -> str:
    """Source written with 4-space indentation, re-indented with `unit` per level."""
    lines = []
    for line in source.splitlines(keepends=True):
        stripped = line.lstrip(" ")
        levels, extra = divmod(len(line) - len(stripped), 4)
        lines.append(unit * levels + " " * extra + stripped)
    return "".join(lines)


# ---- imports ----------------------------------------------------------------------------------
def _with_names(
    node: cst.Import | cst.ImportFrom, kept: list[cst.ImportAlias]
) -> cst.Import | cst.ImportFrom | cst.RemovalSentinel:
    """The import statement keeping only `kept` of its names (removed when none is left)."""
    assert not isinstance(node.names, cst.ImportStar)  # the callers leave star imports alone
    if not kept:
        return cst.RemoveFromParent()
    if len(kept) == len(node.names):
        return node
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if isinstance(node, cst.ImportFrom) and node.lpar is not None and len(kept) == 1:
        return node.with_changes(names=kept, lpar=None, rpar=None)
    return node.with_changes(names=kept)


class _ImportFilter(_BlockEditor):
    """Drops import aliases (`keep` decides); a statement left with no import is dropped by
    its block."""

    def keep(self, statement: cst.Import | cst.ImportFrom, alias: cst.ImportAlias) -> bool:
        raise NotImplementedError  # each subclass decides

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        body: list[cst.BaseSmallStatement] = []
        changed = False
        for small in updated.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                kept = [alias for alias in small.names if self.keep(small, alias)]
                if len(kept) != len(small.names):
                    changed = True
                    result = _with_names(small, kept)
                    if not isinstance(result, cst.RemovalSentinel):
                        body.append(result)
                    continue
            body.append(small)
        if not changed:
            return updated
        if not body:
            self.dropped.add(id(original))
            return updated
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(body=body)


class _ModuleImportRemover(_ImportFilter):
    def __init__(self, package: str, removed: str) -> None:
        super().__init__()
        self.package = package
        self.removed = removed
        self.unbound: set[str] = set()

    def keep(self, statement: cst.Import | cst.ImportFrom, alias: cst.ImportAlias) -> bool:
        name = dotted_name(alias.name) or ""
        if isinstance(statement, cst.Import):
            gone = name == self.removed or name.startswith(self.removed + ".")
        else:
            absolute = absolute_module(self.package, statement)
            gone = f"{absolute}.{name}" == self.removed or absolute == self.removed or (
                absolute.startswith(self.removed + ".")
            )
        if gone:
            self.unbound.add(bound_name(alias, isinstance(statement, cst.Import)))
        return not gone


class _UnusedImportRemover(_ImportFilter):
    """Drops module-level imports of `candidates` (names a removed definition used) that nothing
    left in the module uses."""

    def __init__(self, candidates: set[str], used: set[str]) -> None:
        super().__init__()
        self.candidates = candidates
        self.used = used
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def keep(self, statement: cst.Import | cst.ImportFrom, alias: cst.ImportAlias) -> bool:
        if isinstance(statement, cst.ImportFrom) and dotted_name(statement.module) == "__future__":
            return True
        name = bound_name(alias, isinstance(statement, cst.Import))
        return name not in self.candidates or name in self.used


def _used_names(module: cst.Module) -> set[str]:
    """Every name the module uses outside its imports, words in its strings (string
    annotations) and `__all__` included."""
    collector = _UseCollector()
    module.visit(collector)
    return collector.names


class _UseCollector(cst.CSTVisitor):
    _WORD = re.compile(r"[A-Za-z_]\w*")

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.names.update(self._WORD.findall(node.value))


class _DunderAllPruner(cst.CSTTransformer):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        targets = [dotted_name(t.target) for t in original.targets]
        if "__all__" not in targets or not isinstance(updated.value, (cst.List, cst.Tuple)):
            return updated
        elements = [e for e in updated.value.elements if string_value(e.value) not in self.names]
        if len(elements) == len(updated.value.elements):
            return updated
        if elements:
            elements[-1] = elements[-1].with_changes(comma=updated.value.elements[-1].comma)
        return updated.with_changes(value=updated.value.with_changes(elements=elements))


def _add_imports(module: cst.Module, specs: Iterable[str]) -> cst.Module:
    """Add the imports: a name goes into an existing `from` import of its module; a new
    standard-library import goes where isort puts it among the standard-library imports (a
    group of its own when there is none); the rest after the last import, followed by the blank
    lines isort wants (two before a class or function)."""
    pending = []
    for spec in dict.fromkeys(specs):
        parent, _, leaf = spec.rpartition(".")
        if _imported(module, parent, leaf) or (not parent and _imported(module, spec, None)):
            continue
        grouped = _into_stdlib_group(module, parent, leaf) if parent not in _from_imported_modules(module) else None
        if grouped is not None:
            module = grouped
        else:
            pending.append(spec)
    if not pending:
        return module
    context = CodemodContext()
    for spec in pending:
        parent, _, leaf = spec.rpartition(".")
        if parent:
            AddImportsVisitor.add_needed_import(context, parent, leaf)
        else:
            AddImportsVisitor.add_needed_import(context, spec)
    before = _last_import(module)
    result = AddImportsVisitor(context).transform_module(module)
    after = _last_import(result)
    if after is None or after + 1 >= len(result.body):
        return result
    if before is not None and module.code_for_node(module.body[before]) == result.code_for_node(result.body[after]):
        return result
    return _blank_lines_after(result, after)


def _blank_lines_after(module: cst.Module, position: int) -> cst.Module:
    following = module.body[position + 1]
    wanted = 2 if isinstance(following, (cst.ClassDef, cst.FunctionDef)) else 1
    blanks = len(following.leading_lines) - len([line for line in following.leading_lines if line.comment])
    if blanks >= wanted:
        return module
    lines = [cst.EmptyLine(indent=False)] * (wanted - blanks) + list(following.leading_lines)
    body = list(module.body)
    body[position + 1] = following.with_changes(leading_lines=lines)
    return module.with_changes(body=body)


def _top_imports(module: cst.Module) -> list[tuple[int, cst.Import | cst.ImportFrom]]:
    """The module's top-level one-import statements, with their positions."""
    found = []
    for position, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                found.append((position, small))
    return found


def _imported(module: cst.Module, parent: str, leaf: str | None) -> bool:
    """Whether `from parent import leaf` (or `import parent`, leaf None) is already there."""
    for _, small in _top_imports(module):
        if leaf is None and isinstance(small, cst.Import):
            if any(dotted_name(a.name) == parent and a.asname is None for a in small.names):
                return True
        elif (
            leaf is not None and isinstance(small, cst.ImportFrom) and not small.relative
            and dotted_name(small.module) == parent and not isinstance(small.names, cst.ImportStar)
            and any(dotted_name(a.name) == leaf and a.asname is None for a in small.names)
        ):
            return True
    return False


def _from_imported_modules(module: cst.Module) -> set[str]:
    """Modules with a top-level `from` import that a new name from them joins."""
    return {
        dotted_name(small.module) or "" for _, small in _top_imports(module)
        if isinstance(small, cst.ImportFrom) and not small.relative and not isinstance(small.names, cst.ImportStar)
    }


def _is_stdlib(name: str) -> bool:
    top = name.split(".")[0]
    return top in sys.stdlib_module_names and top != "__future__"


def _import_key(small: cst.Import | cst.ImportFrom) -> tuple[bool, str]:
    """isort's order inside a section: `import x` lines first, then `from x import y`, by name."""
    if isinstance(small, cst.Import):
        return False, (dotted_name(small.names[0].name) or "").lower()
    return True, (dotted_name(small.module) or "").lower()


def _into_stdlib_group(module: cst.Module, parent: str, leaf: str) -> cst.Module | None:
    """The module with a new standard-library import in isort's place, or None when the
    module is not laid out so that the place is clear."""
    name = parent or leaf
    if not _is_stdlib(name):
        return None
    line = f"from {parent} import {leaf}\n" if parent else f"import {leaf}\n"
    new = cst.parse_statement(line, config=module.config_for_parsing)
    assert isinstance(new, cst.SimpleStatementLine)
    small = new.body[0]
    assert isinstance(small, (cst.Import, cst.ImportFrom))
    imports = _top_imports(module)
    stdlib = [(p, s) for p, s in imports if _is_stdlib(_module_of(s))]
    body = list(module.body)
    if stdlib:
        positions = [p for p, _ in stdlib]
        if positions != list(range(positions[0], positions[-1] + 1)):
            return None  # not one block: leave it to the general case
        later = [(p, s) for p, s in stdlib if _import_key(s) > _import_key(small)]
        if later:
            at = later[0][0]
            moved = body[at]
            body[at] = moved.with_changes(leading_lines=[])
            body.insert(at, new.with_changes(leading_lines=moved.leading_lines))
        else:
            body.insert(positions[-1] + 1, new)
        return module.with_changes(body=body)
    others = [(p, s) for p, s in imports if _module_of(s) != "__future__"]
    if not others:
        return None
    at = others[0][0]
    first = body[at]
    body[at] = first.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    body.insert(at, new.with_changes(leading_lines=first.leading_lines))
    return module.with_changes(body=body)


def _module_of(small: cst.Import | cst.ImportFrom) -> str:
    if isinstance(small, cst.Import):
        return dotted_name(small.names[0].name) or ""
    if small.relative:
        return "."
    return dotted_name(small.module) or ""


def _last_import(module: cst.Module) -> int | None:
    found = None
    for position, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            found = position
    return found


# ---- rewriting references to a module ----------------------------------------------------------
class _ReferenceRewriter(cst.CSTTransformer):
    """Point imports, dotted references and dotted strings at `new` instead of `old`."""

    def __init__(self, op: RewriteReferences) -> None:
        super().__init__()
        self.package = op.package
        self.old = op.old
        self.new = op.new
        self.renames = dict(op.renames)
        self.exported = op.exported

    def _swap(self, dotted: str) -> str | None:
        if dotted == self.old:
            return self.new
        if dotted.startswith(self.old + "."):
            return self.new + dotted[len(self.old):]
        return None

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return not isinstance(node.names, cst.ImportStar)  # never rewritten: what it binds could change

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if isinstance(updated.names, cst.ImportStar):
            return updated
        absolute = absolute_module(self.package, original)
        swapped = self._swap(absolute)
        if swapped is not None:
            return self._renamed_names(updated.with_changes(module=dotted_expr(swapped), relative=[]))
        new_names = []
        for alias in updated.names:
            name = dotted_name(alias.name) or ""
            target = self._swap(f"{absolute}.{name}" if absolute else name)
            if target is None:
                new_names.append(alias)
                continue
            parent, _, leaf = target.rpartition(".")
            if parent != absolute:
                new_names.append(alias)  # moved to another package: leave for the import check
                continue
            bound = alias.asname.name if alias.asname else cst.Name(name)
            new_names.append(alias.with_changes(name=cst.Name(leaf), asname=cst.AsName(name=bound)))
        return updated.with_changes(names=new_names)

    def _renamed_names(self, node: cst.ImportFrom) -> cst.ImportFrom:
        assert not isinstance(node.names, cst.ImportStar)
        names = []
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            if name in self.exported or name not in self.renames:
                names.append(alias)
                continue
            bound = alias.asname.name if alias.asname else cst.Name(name)
            names.append(alias.with_changes(name=cst.Name(self.renames[name]), asname=cst.AsName(name=bound)))
        return node.with_changes(names=names)

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
        names = []
        for alias in updated.names:
            swapped = self._swap(dotted_name(alias.name) or "")
            if swapped is not None:
                alias = alias.with_changes(name=dotted_expr(swapped))
            names.append(alias)
        return updated.with_changes(names=names)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        dotted = dotted_name(original)
        if dotted is None or dotted != self.old:
            return updated
        return dotted_expr(self.new)

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        value = string_value(original)
        swapped = self._swap(value) if value else None
        if swapped is None:
            return updated
        quote = original.quote
        return updated.with_changes(value=f"{original.prefix}{quote}{swapped}{quote}")


def _merge_from_imports(module: cst.Module) -> cst.Module:
    """Top-level `from m import a` statements of one module (a rewrite can make two), merged
    into the first as isort would (names without `as` only; names in isort's order)."""
    seen: dict[tuple[int, str], int] = {}
    merged: dict[int, list[cst.ImportAlias]] = {}
    dropped: set[int] = set()
    for position, small in _top_imports(module):
        if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
            continue
        if small.lpar is not None or any(alias.asname is not None for alias in small.names):
            continue
        key = (len(small.relative), dotted_name(small.module) or "")
        if key not in seen:
            seen[key] = position
            merged[position] = list(small.names)
            continue
        names = merged[seen[key]]
        known = {dotted_name(a.name) for a in names}
        names.extend(a for a in small.names if dotted_name(a.name) not in known)
        dropped.add(position)
    if not dropped:
        return module
    body: list[Statement] = []
    carried: list[cst.EmptyLine] | None = None
    for position, statement in enumerate(module.body):
        if position in dropped:
            carried = list(statement.leading_lines) if carried is None else carried
            continue
        if position in merged and len(merged[position]) != len(_names_of(statement)):
            ordered = sorted(merged[position], key=lambda a: _isort_name_key(dotted_name(a.name) or ""))
            ordered = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in ordered]
            assert isinstance(statement, cst.SimpleStatementLine)
            statement = statement.with_changes(body=[statement.body[0].with_changes(names=ordered)])
        if carried is not None:
            statement = _receive(statement, carried, first_in_module=False)
            carried = None
        body.append(statement)
    return module.with_changes(body=body)


def _names_of(statement: cst.BaseStatement) -> Sequence[cst.ImportAlias]:
    if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.ImportFrom):
        names = statement.body[0].names
        return () if isinstance(names, cst.ImportStar) else names
    return ()


def _isort_name_key(name: str) -> tuple[int, str]:
    """isort's `order-by-type`: CONSTANTS, then Classes, then the rest, each by name."""
    if name.isupper() and len(name) > 1:
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


# ---- comments -------------------------------------------------------------------------------------
_LINE_FIELDS = ("leading_lines", "header", "footer", "lines_after_decorators", "empty_lines")


class _CommentRemover(cst.CSTTransformer):
    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__()
        self.pattern = pattern

    def _matches(self, comment: cst.Comment | None) -> bool:
        return comment is not None and self.pattern.search(comment.value) is not None

    def on_leave(
        self, original_node: _Node, updated_node: _Node
    ) -> _Node | cst.RemovalSentinel | cst.FlattenSentinel[_Node]:
        changes = {}
        for name in _LINE_FIELDS:
            lines = getattr(updated_node, name, None)
            if not isinstance(lines, Sequence) or not lines or not isinstance(lines[0], cst.EmptyLine):
                continue
            kept = _without_comments(lines, self._matches)
            if len(kept) != len(lines):
                changes[name] = kept
        if isinstance(updated_node, cst.TrailingWhitespace) and self._matches(updated_node.comment):
            return updated_node.with_changes(comment=None, whitespace=cst.SimpleWhitespace(""))
        if changes:
            return updated_node.with_changes(**changes)
        return updated_node


def _without_comments(
    lines: Sequence[cst.EmptyLine], matches: Callable[[cst.Comment | None], bool]
) -> list[cst.EmptyLine]:
    """The lines without the matching comments; a removed comment that stood between two blank
    runs takes one of the blank lines with it."""
    kept: list[cst.EmptyLine] = []
    skip_blank = False
    for position, line in enumerate(lines):
        if matches(line.comment):
            before_blank = not kept or kept[-1].comment is None
            after_blank = position + 1 < len(lines) and lines[position + 1].comment is None
            skip_blank = skip_blank or (before_blank and after_blank)
            continue
        if skip_blank and line.comment is None:
            skip_blank = False
            continue
        skip_blank = False
        kept.append(line)
    return kept


# ---- aliases ----------------------------------------------------------------------------------
def _append_aliases(module: cst.Module, aliases: Sequence[tuple[str, str]], comment: str) -> cst.Module:
    """`name = target` lines at the end, after a comment and the blank lines PEP 8 wants (two
    after a class or function)."""
    blanks = 2 if module.body and isinstance(module.body[-1], cst.BaseCompoundStatement) else 1
    statements = []
    for position, (name, target) in enumerate(aliases):
        statement = cst.parse_statement(f"{name} = {target}\n", config=module.config_for_parsing)
        if position == 0:
            statement = statement.with_changes(
                leading_lines=[cst.EmptyLine()] * blanks + [cst.EmptyLine(comment=cst.Comment(f"# {comment}"))]
            )
        statements.append(statement)
    return module.with_changes(body=[*module.body, *statements])
