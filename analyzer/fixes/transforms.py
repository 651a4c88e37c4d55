"""Format-preserving rewrites, one libcst transformer per kind of edit.

Each public function takes a module's bytes and returns the new bytes: encoding, line endings,
comments and the formatting of untouched code are kept (libcst round-trips them exactly).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TypeVar

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from analyzer.facts.extract import decode_source
from analyzer.facts.tokens import safe_for_libcst


def _parse(source: bytes) -> cst.Module:
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


# ---- aliases -------------------------------------------------------------------------------
def append_aliases(source: bytes, aliases: Sequence[tuple[str, str]], comment: str) -> bytes:
    """Append `name = target` lines (after a comment) at the end of the module."""
    module = _parse(source)
    statements = []
    for position, (name, target) in enumerate(aliases):
        statement = cst.parse_statement(f"{name} = {target}\n", config=module.config_for_parsing)
        if position == 0:
            statement = statement.with_changes(
                leading_lines=[cst.EmptyLine(), cst.EmptyLine(comment=cst.Comment(f"# {comment}"))]
            )
        statements.append(statement)
    return module.with_changes(body=[*module.body, *statements]).bytes


# ---- rewriting references to a module ----------------------------------------------------------
class _ModuleReferenceRewriter(cst.CSTTransformer):
    """Point imports, dotted references and dotted strings at `new` instead of `old`."""

    def __init__(self, package: str, old: str, new: str, renames: dict[str, str], exported: set[str]) -> None:
        super().__init__()
        self.package = package
        self.old = old
        self.new = new
        self.renames = renames
        self.exported = exported
        self.changed = False

    def _swap(self, dotted: str) -> str | None:
        if dotted == self.old:
            return self.new
        if dotted.startswith(self.old + "."):
            return self.new + dotted[len(self.old):]
        return None

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        absolute = _absolute_module(self.package, original)
        swapped = self._swap(absolute)
        if swapped is not None:
            self.changed = True
            return self._renamed_names(
                updated.with_changes(module=_dotted_expr(swapped), relative=[])
            )
        if isinstance(updated.names, cst.ImportStar):
            return updated
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
            self.changed = True
            bound = alias.asname.name if alias.asname else cst.Name(name)
            new_names.append(alias.with_changes(name=cst.Name(leaf), asname=cst.AsName(name=bound)))
        return updated.with_changes(names=new_names)

    def _renamed_names(self, node: cst.ImportFrom) -> cst.ImportFrom:
        if isinstance(node.names, cst.ImportStar):
            return node
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
                self.changed = True
                alias = alias.with_changes(name=_dotted_expr(swapped))
            names.append(alias)
        return updated.with_changes(names=names)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        dotted = dotted_name(original)
        swapped = self._swap(dotted) if dotted else None
        if swapped is None or dotted != self.old:
            return updated
        self.changed = True
        return _dotted_expr(swapped)

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        value = string_value(original)
        swapped = self._swap(value) if value else None
        if swapped is None:
            return updated
        self.changed = True
        quote = original.quote
        return updated.with_changes(value=f"{original.prefix}{quote}{swapped}{quote}")


def _absolute_module(package: str, node: cst.ImportFrom) -> str:
    """The absolute name of the module a (possibly relative) `from` import names."""
    module = dotted_name(node.module) if node.module else ""
    level = len(node.relative)
    if not level:
        return module or ""
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, module] if module else base)


def _dotted_expr(dotted: str) -> cst.Attribute | cst.Name:
    head, *rest = dotted.split(".")
    node: cst.Attribute | cst.Name = cst.Name(head)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def rewrite_module_references(
    source: bytes,
    package: str,
    old: str,
    new: str,
    renames: dict[str, str],
    exported: set[str],
) -> bytes:
    """Imports of `old` (absolute, relative, aliased, `import a.b`), references `a.b.old` and
    dotted strings (`mock.patch("a.b.old.X")`) now name `new`. Names imported from `old` that
    `new` does not export under the same name are imported under their new name, aliased."""
    module = _parse(source)
    rewriter = _ModuleReferenceRewriter(package, old, new, renames, exported)
    result = module.visit(rewriter)
    return result.bytes if rewriter.changed else source


# ---- dropping a module from imports and __all__ -------------------------------------------------
class _ModuleImportRemover(cst.CSTTransformer):
    def __init__(self, package: str, removed: str) -> None:
        super().__init__()
        self.package = package
        self.removed = removed
        self.unbound: set[str] = set()

    def leave_ImportFrom(
        self, original: cst.ImportFrom, updated: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if isinstance(updated.names, cst.ImportStar):
            return updated
        absolute = _absolute_module(self.package, original)
        kept = []
        for alias in updated.names:
            name = dotted_name(alias.name) or ""
            if f"{absolute}.{name}" == self.removed or absolute == self.removed:
                self.unbound.add((dotted_name(alias.asname.name) or "") if alias.asname else name)
                continue
            kept.append(alias)
        return _with_names(updated, kept)

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import | cst.RemovalSentinel:
        return _with_names(updated, [a for a in updated.names if dotted_name(a.name) != self.removed])


_ImportT = TypeVar("_ImportT", cst.Import, cst.ImportFrom)


def _with_names(node: _ImportT, kept: list[cst.ImportAlias]) -> _ImportT | cst.RemovalSentinel:
    """The import statement keeping only `kept` of its names (removed when none is left)."""
    assert not isinstance(node.names, cst.ImportStar)  # the callers leave star imports alone
    if not kept:
        return cst.RemoveFromParent()
    if len(kept) == len(node.names):
        return node
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=kept)


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


def remove_module_imports(source: bytes, package: str, removed: str) -> bytes:
    """Drop every import of module `removed`, and the names it bound from `__all__`."""
    module = _parse(source)
    remover = _ModuleImportRemover(package, removed)
    result = module.visit(remover)
    if remover.unbound:
        result = result.visit(_DunderAllPruner(remover.unbound))
    return result.bytes if result.code != module.code else source


# ---- deleting a class ------------------------------------------------------------------------
class _ClassAt(cst.CSTTransformer):
    """A transformer for the class `name` defined at `line` (its `class` or first decorator line)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, name: str, line: int) -> None:
        super().__init__()
        self.name = name
        self.line = line

    def is_target(self, node: cst.ClassDef) -> bool:
        position = self.get_metadata(PositionProvider, node)
        first = self.get_metadata(PositionProvider, node.decorators[0]) if node.decorators else position
        return node.name.value == self.name and self.line in {first.start.line, position.start.line}


class _ClassRemover(_ClassAt):
    def __init__(self, name: str, line: int) -> None:
        super().__init__(name, line)
        self.removed: cst.ClassDef | None = None

    def leave_ClassDef(
        self, original: cst.ClassDef, updated: cst.ClassDef
    ) -> cst.ClassDef | cst.RemovalSentinel:
        if self.is_target(original):
            self.removed = original
            return cst.RemoveFromParent()
        return updated


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def remove_class(source: bytes, name: str, line: int, module_name: str) -> bytes:
    """Delete the class `name` defined at `line`, then the imports only it used."""
    module = _parse(source)
    remover = _ClassRemover(name, line)
    wrapper = MetadataWrapper(module)
    result = wrapper.visit(remover)
    if remover.removed is None:
        raise ValueError(f"class {name} not found at line {line}")
    if result.body and wrapper.module.body[0] is remover.removed:
        # The class was the first statement: its successor must not start the file with blanks.
        first = result.body[0]
        kept = [empty for empty in first.leading_lines if empty.comment is not None]
        result = result.with_changes(body=[first.with_changes(leading_lines=kept), *result.body[1:]])
    used = _NameCollector()
    remover.removed.visit(used)
    context = CodemodContext(full_module_name=module_name)
    for statement in result.body:
        for imported in _imports_of(statement):
            module_path, obj, alias = imported
            if (alias or obj or module_path).split(".")[0] in used.names:
                RemoveImportsVisitor.remove_unused_import(context, module_path, obj, alias)
    if context.scratch:
        result = RemoveImportsVisitor(context).transform_module(result)
    return result.bytes


def _imports_of(statement: cst.CSTNode) -> list[tuple[str, str | None, str | None]]:
    if not isinstance(statement, cst.SimpleStatementLine):
        return []
    found: list[tuple[str, str | None, str | None]] = []
    for small in statement.body:
        if isinstance(small, cst.Import):
            for alias in small.names:
                found.append((dotted_name(alias.name) or "", None,
                              dotted_name(alias.asname.name) if alias.asname else None))
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            module = ("." * len(small.relative)) + (dotted_name(small.module) or "" if small.module else "")
            for alias in small.names:
                found.append((module, dotted_name(alias.name) or "",
                              dotted_name(alias.asname.name) if alias.asname else None))
    return found


# ---- adding a method -------------------------------------------------------------------------
class _MethodAdder(_ClassAt):
    def __init__(
        self, name: str, line: int, method_source: str, config: cst.PartialParserConfig, default_indent: str
    ) -> None:
        super().__init__(name, line)
        self.method_source = method_source
        self.config = config
        self.default_indent = default_indent
        self.added = False

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if not self.is_target(original):
            return updated
        body = updated.body
        if not isinstance(body, cst.IndentedBlock):
            return updated
        indent = body.indent if body.indent is not None else self.default_indent
        # Parse the method inside a class so that its docstring and strings are indented and end
        # their lines as the class body does: libcst keeps string contents verbatim.
        newline = self.config.default_newline
        if not isinstance(newline, str) or not newline:  # AutoConfig: config_for_parsing always sets it
            newline = "\n"
        code = textwrap.indent(_reindent(self.method_source, self.default_indent), indent)
        holder = cst.parse_statement(
            ("class _Holder:\n" + code).replace("\n", newline), config=self.config
        )
        assert isinstance(holder, cst.ClassDef) and isinstance(holder.body, cst.IndentedBlock)
        method = holder.body.body[0].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        self.added = True
        return updated.with_changes(body=body.with_changes(body=[*body.body, method]))


def _reindent(source: str, unit: str) -> str:
    """Source written with 4-space indentation, re-indented with `unit` per level."""
    lines = []
    for line in source.splitlines(keepends=True):
        stripped = line.lstrip(" ")
        levels, extra = divmod(len(line) - len(stripped), 4)
        lines.append(unit * levels + " " * extra + stripped)
    return "".join(lines)


def add_method(
    source: bytes, class_name: str, class_line: int, method_source: str, imports: Sequence[str] = ()
) -> bytes:
    """Append a method (given as source, any indentation) to the class, after a blank line, and
    add the module imports it needs (`"json"` or `"dataclasses.asdict"`)."""
    module = _parse(source)
    adder = _MethodAdder(
        class_name, class_line, textwrap.dedent(method_source), module.config_for_parsing, module.default_indent
    )
    result = MetadataWrapper(module).visit(adder)
    if not adder.added:
        raise ValueError(f"class {class_name} not found at line {class_line}")
    if imports:
        context = CodemodContext()
        for spec in imports:
            parent, _, leaf = spec.rpartition(".")
            if parent:
                AddImportsVisitor.add_needed_import(context, parent, leaf)
            else:
                AddImportsVisitor.add_needed_import(context, spec)
        result = AddImportsVisitor(context).transform_module(result)
    return result.bytes
