"""shadowed-route's fix: move the hidden handler before the route that hides it (one module, one
block), delete a duplicate handler never reached, or delete a router's second mount. Whatever
would change what a name means (a moved handler whose decorators or defaults use a name bound
between the two, a deleted handler whose name is used) is skipped with the reason."""

from __future__ import annotations

import libcst as cst

from analyzer.checks.shadowed_route.details import RULE_ID, DeleteMount, DeleteRoute, MoveRoute
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding
from analyzer.fixes.context import Edits, FixContext, Note
from analyzer.fixes.transforms import MoveStatement, RemoveStatement, SourceFile
from analyzer.index import Symbol


def fix(finding: Finding, context: FixContext) -> Edits:
    spec = finding.fix
    if isinstance(spec, MoveRoute):
        return _move(spec, context)
    if isinstance(spec, DeleteRoute):
        return _delete_route(spec, context)
    assert isinstance(spec, DeleteMount)
    return _delete_mount(spec, context)


def _skip(key: str, **params: object) -> Edits:
    return Edits(skipped=Note(key, dict(params), RULE_ID))


def _move(spec: MoveRoute, context: FixContext) -> Edits:
    if spec.path != spec.before_path:
        return _skip("different_modules", handler=spec.handler, before=spec.before_handler,
                     where=f"{spec.before_path}:{spec.before_line}")
    source = context.files.source(spec.path)
    moved, anchor = _handler(source, spec.handler, spec.line), _handler(source, spec.before_handler, spec.before_line)
    if moved is None or anchor is None:
        return _skip("not_a_function", handler=spec.handler if moved is None else spec.before_handler)
    block = source.parents.get(moved)
    if block is None or block is not source.parents.get(anchor):
        return _skip("different_blocks", handler=spec.handler, before=spec.before_handler)
    body = list(getattr(block, "body", ()))
    start, end = body.index(anchor), body.index(moved)
    bound = {name for statement in body[start:end] for name in _bound(statement)}
    needed = sorted(_header_names(moved, annotations=not source.future_annotations) & bound)
    if needed:
        return _skip("needs_names", handler=spec.handler, names=", ".join(f"`{n}`" for n in needed))
    edits = Edits()
    edits.edit(spec.path, MoveStatement(moved, anchor))
    return edits


def _delete_route(spec: DeleteRoute, context: FixContext) -> Edits:
    source = context.files.source(spec.path)
    handler = _handler(source, spec.handler, spec.line)
    if handler is None:
        return _skip("not_a_function", handler=spec.handler)
    facts = context.project.index.by_path[spec.path]
    first = min(source.line_of(node) for node in (*handler.decorators, handler))  # `def` is where libcst starts it
    last = source.positions[handler].end.line
    routes = [r for r in facts.routes if first <= r.line <= last and r.handler == spec.handler]
    if len(routes) != 1:
        return _skip("other_routes", handler=spec.handler)
    where = _mention(context, facts, spec.handler, (first, last), top_level=not routes[0].scope)
    if where is not None:
        return _skip("handler_used", handler=spec.handler, where=where)
    edits = Edits()
    edits.edit(spec.path, RemoveStatement(handler))
    return edits


def _mention(
    context: FixContext, facts: ModuleFacts, handler: str, span: tuple[int, int], top_level: bool
) -> str | None:
    """Where the handler is named outside its definition: a use in its module, an import, or a
    string in another module (its endpoint name in `url_for("views.handler")`), if anywhere."""
    used = [line for line in facts.name_lines(handler) if not span[0] <= line <= span[1]]
    if used:
        return f"{facts.path}:{used[0]}"
    if top_level:
        for reference in context.project.references_to(Symbol("function", facts.module, handler)):
            return f"{reference.path}:{reference.line}"
    for other in sorted(context.project.index.modules.values(), key=lambda f: f.path):
        if other.path == facts.path:
            continue
        named = [line for text, line in other.string_refs if text.endswith("." + handler)]
        lines = [*other.name_lines(handler), *named]
        if lines:
            return f"{other.path}:{min(lines)}"
    return None


def _delete_mount(spec: DeleteMount, context: FixContext) -> Edits:
    source = context.files.source(spec.path)
    statement = source.statement_at(spec.line)
    if statement is None or source.line_of(statement) != spec.line or len(statement.body) != 1:
        return _skip("mount_not_a_statement", where=f"{spec.path}:{spec.line}")
    expression = statement.body[0]
    if not (isinstance(expression, cst.Expr) and isinstance(expression.value, cst.Call)):
        return _skip("mount_not_a_statement", where=f"{spec.path}:{spec.line}")
    holder = source.parents.get(statement)
    while holder is not None:
        if isinstance(holder, (cst.For, cst.While)):
            return _skip("mount_in_loop", where=f"{spec.path}:{spec.line}")
        holder = source.parents.get(holder)
    edits = Edits()
    edits.edit(spec.path, RemoveStatement(statement))
    return edits


def _handler(source: SourceFile, name: str, line: int) -> cst.FunctionDef | None:
    """The function `name` one of whose decorators starts at `line`."""
    for node in source.positions:
        if isinstance(node, cst.FunctionDef) and node.name.value == name and any(
            source.line_of(decorator) == line for decorator in node.decorators
        ):
            return node
    return None


def _bound(statement: cst.CSTNode) -> set[str]:
    """The names a statement of a block binds there (not inside the functions and classes it defines)."""
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return {statement.name.value}
    collector = _Binder()
    statement.visit(collector)
    return collector.names


class _Binder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.names |= _names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.names |= _names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.names |= _names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.names |= _names(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self.names |= _names(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.names |= _names(node.target)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            name = node.name
            while isinstance(name, cst.Attribute):
                name = name.value  # type: ignore[assignment]  # `import a.b` binds `a`
            if isinstance(name, cst.Name):
                self.names.add(name.value)


def _names(target: cst.BaseExpression | cst.CSTNode) -> set[str]:
    """The plain names an assignment target binds (`a`, `a, b`, not `a.b` nor `a[0]`)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in _names(element.value)}
    if isinstance(target, cst.StarredElement):
        return _names(target.value)
    return set()


def _header_names(function: cst.FunctionDef, annotations: bool) -> set[str]:
    """The names a function definition evaluates when it runs: its decorators, its parameters'
    defaults and, unless they are postponed, its annotations."""
    parts: list[cst.CSTNode] = [d.decorator for d in function.decorators]
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            every.append(star)
    for param in every:
        if param.default is not None:
            parts.append(param.default)
        if annotations and param.annotation is not None:
            parts.append(param.annotation)
    if annotations and function.returns is not None:
        parts.append(function.returns)
    collector = _Reader()
    for part in parts:
        part.visit(collector)
    return collector.names


class _Reader(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # `router.get`: `router` is read, `get` is not a name
        return False
