"""Turn one source file into `ModuleFacts` with a single libcst pass.

The visitor records what is written, scope by scope: imports (resolved to absolute module names),
top-level classes and functions with their spans, module-level bindings, router constructors,
route decorators and mount calls, attribute calls with what the enclosing function says about the
receiver's type, and every name and dotted reference (for "is it used?" questions). Resolution
across modules is the project index's job; nothing here looks at another file.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from analyzer.facts.model import (
    AttrCall,
    Binding,
    ClassFact,
    DeprecationNote,
    FunctionFact,
    ImportFact,
    ModuleFacts,
    MountFact,
    RouteFact,
    Span,
    TypeEvidence,
)
from analyzer.facts.tokens import scan_tokens

ROUTE_METHODS = {
    "get": ("GET",),
    "post": ("POST",),
    "put": ("PUT",),
    "delete": ("DELETE",),
    "patch": ("PATCH",),
    "options": ("OPTIONS",),
    "head": ("HEAD",),
    "trace": ("TRACE",),
    "websocket": ("WEBSOCKET",),
    "websocket_route": ("WEBSOCKET",),
    "api_route": ("GET",),
    "route": ("GET",),
}
ROUTE_CALLS = {"add_api_route", "add_url_rule", "add_api_websocket_route", "add_route"}
MOUNT_METHODS = {"include_router", "register_blueprint", "mount", "host"}
MOUNT_CONSTRUCTORS = {"Mount", "Host"}
NARROWING_CALLS = {"isinstance", "issubclass", "hasattr", "getattr", "type", "callable"}
DYNAMIC_SELF_CALLS = {"setattr", "vars"}
# Python refuses deeper bracket nesting; libcst's native parser crashes (it cannot be caught) on
# much deeper nesting and on statements chaining many thousands of operators.
MAX_NESTING = 200
MAX_CHAIN = 2500
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_ROUTE_PATH = re.compile(r"(?<![\w.:/])/[\w{}<>:./-]*[\w}>/]")


_SUPPRESSION = re.compile(r"#\s*hygiene:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)


def suppressions(comments: tuple[tuple[int, str], ...]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """`# hygiene: ignore` (every rule) and `# hygiene: ignore[rule-a, rule-b]` comments."""
    found = []
    for line, text in comments:
        match = _SUPPRESSION.search(text)
        if match:
            rules = tuple(r.strip() for r in (match.group(1) or "").split(",") if r.strip())
            found.append((line, rules))
    return tuple(found)


def route_paths(text: str) -> tuple[str, ...]:
    """The URL-path-like words in a piece of prose (`/my/chat/{id}/events/`)."""
    return tuple(dict.fromkeys(match.group(0) for match in _ROUTE_PATH.finditer(text)))


def _deprecation_note(line: int, end_line: int, text: str) -> DeprecationNote | None:
    if "deprecat" not in text.lower():
        return None
    paths = route_paths(text)
    return DeprecationNote(line, end_line, paths) if paths else None


def _comment_notes(comments: tuple[tuple[int, str], ...]) -> tuple[DeprecationNote, ...]:
    """Deprecation notes in blocks of consecutive comment lines."""
    notes = []
    block: list[tuple[int, str]] = []
    for line, text in [*comments, (-1, "")]:
        if block and line != block[-1][0] + 1:
            note = _deprecation_note(block[0][0], block[-1][0], "\n".join(t for _, t in block))
            if note is not None:
                notes.append(note)
            block = []
        block.append((line, text))
    return tuple(notes)


def extract(path: str, module: str, is_package: bool, source: bytes) -> ModuleFacts:
    """Facts of one file. A file that cannot be parsed yields facts with `error` set."""
    line_count = source.count(b"\n") + (0 if source.endswith(b"\n") or not source else 1)
    base = ModuleFacts(path=path, module=module, is_package=is_package, line_count=line_count)
    if b"\x00" in source:
        return _failed(base, "contains NUL bytes")
    try:
        text = decode_source(source)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        return _failed(base, f"cannot decode: {error}")
    tokens = scan_tokens(text)
    if tokens.max_depth > MAX_NESTING:
        return _failed(base, f"brackets nested {tokens.max_depth} deep (Python allows {MAX_NESTING})")
    if tokens.longest_chain > MAX_CHAIN:
        return _failed(base, f"a statement chaining {tokens.longest_chain} operators is too long to parse")
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        return _failed(base, f"syntax error at line {error.raw_line}: {error.message}")
    except RecursionError:
        return _failed(base, "too deeply nested to parse")
    try:
        visitor = _FactsVisitor(module, is_package)
        MetadataWrapper(tree, unsafe_skip_copy=True).visit(visitor)
    except RecursionError:
        return _failed(base, "too deeply nested to analyse")
    facts = visitor.facts(base, tokens.lines, _comment_notes(tokens.comments))
    return replace(facts, suppressions=suppressions(tokens.comments))


def decode_source(source: bytes) -> str:
    """Decode as Python does: the encoding cookie or BOM, else UTF-8 (strictly)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def _failed(base: ModuleFacts, message: str) -> ModuleFacts:
    return ModuleFacts(
        path=base.path,
        module=base.module,
        is_package=base.is_package,
        line_count=base.line_count,
        error=message,
    )


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


def _callee(node: cst.BaseExpression) -> str | None:
    return dotted_name(node.func) if isinstance(node, cst.Call) else None


def _decorator_name(decorator: cst.Decorator) -> str | None:
    expr = decorator.decorator
    return _callee(expr) if isinstance(expr, cst.Call) else dotted_name(expr)


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    return positional[index] if index < len(positional) else None


def _string_list(node: cst.BaseExpression | None) -> tuple[str, ...] | None:
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        values = [string_value(element.value) for element in node.elements]
        if all(value is not None for value in values):
            return tuple(value for value in values if value is not None)
    return None


def _element_names(node: cst.BaseExpression | None) -> tuple[str, ...] | None:
    """The dotted names in a literal list/tuple/set, or None if any element is something else."""
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        names = [dotted_name(element.value) for element in node.elements]
        if names and all(names):
            return tuple(name for name in names if name)
    return None


def _target_names(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for element in node.elements for name in _target_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


@dataclass
class _Scope:
    """A function (or the module) while it is being visited."""

    name: str
    parent: _Scope | None
    class_builder: _ClassBuilder | None = None
    self_name: str | None = None
    bindings: dict[str, list[TypeEvidence | None]] = field(default_factory=dict)
    narrowed: set[str] = field(default_factory=set)
    calls: list[tuple[str, str, int, int, tuple[str, ...], bool]] = field(default_factory=list)
    direct_calls: list[AttrCall] = field(default_factory=list)

    def bind(self, name: str, evidence: TypeEvidence | None) -> None:
        self.bindings.setdefault(name, []).append(evidence)


@dataclass
class _ClassBuilder:
    name: str
    span: Span
    bases: tuple[str, ...]
    decorators: tuple[str, ...]
    metaclass: str | None
    methods: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    attribute_types: dict[str, list[TypeEvidence | None]] = field(default_factory=dict)
    field_types: list[tuple[str, str]] = field(default_factory=list)
    dynamic: bool = False
    last_statement_line: int = 0
    conditional: bool = False

    def build(self) -> ClassFact:
        types = []
        for attr, evidences in sorted(self.attribute_types.items()):
            first = evidences[0]
            if first is not None and all(_same(first, other) for other in evidences):
                types.append((attr, first))
        return ClassFact(
            name=self.name,
            span=self.span,
            bases=self.bases,
            decorators=self.decorators,
            methods=tuple(dict.fromkeys(self.methods)),
            attributes=tuple(dict.fromkeys(self.attributes)),
            attribute_types=tuple(types),
            metaclass=self.metaclass,
            dynamic_attributes=self.dynamic or "__getattr__" in self.methods
            or "__getattribute__" in self.methods,
            last_statement_line=self.last_statement_line,
            field_types=tuple(self.field_types),
            conditional=self.conditional,
        )


def _same(a: TypeEvidence | None, b: TypeEvidence | None) -> bool:
    return a is not None and b is not None and (a.kind, a.expr) == (b.kind, b.expr)


class _FactsVisitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module: str, is_package: bool) -> None:
        super().__init__()
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.module_scope = _Scope(name="", parent=None)
        self.scope = self.module_scope
        self.all_scopes: list[_Scope] = [self.module_scope]
        self.class_stack: list[_ClassBuilder | None] = []
        self.classes: list[ClassFact] = []
        self.functions: list[FunctionFact] = []
        self.imports: list[ImportFact] = []
        self.bindings: list[Binding] = []
        self.routes: list[RouteFact] = []
        self.mounts: list[MountFact] = []
        self.name_refs: dict[str, list[int]] = {}
        self.dotted_refs: dict[str, int] = {}
        self.string_refs: dict[str, int] = {}
        self.attribute_assignments: set[tuple[str, str]] = set()
        self.dunder_all: list[str] | None = None
        self.deprecation_notes: list[DeprecationNote] = []
        self.not_refs: set[int] = set()
        self.inner_attributes: set[int] = set()
        self.unused_results: set[int] = set()
        self.loops: list[tuple[str, tuple[str, ...] | str | None]] = []
        self.conditional_depth = 0
        self.type_checking_depth = 0
        self.has_main_guard = False

    # ---- helpers -------------------------------------------------------------------------
    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def _span(self, node: cst.CSTNode) -> Span:
        position = self.get_metadata(PositionProvider, node)
        return Span(position.start.line, position.end.line)

    def _code(self, node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)

    def _in_function(self) -> bool:
        return self.scope is not self.module_scope

    def _at_module_level(self) -> bool:
        return not self._in_function() and not self.class_stack

    def _resolve_relative(self, level: int, module: str | None) -> str:
        if level == 0:
            return module or ""
        parts = self.package.split(".") if self.package else []
        base = parts[: len(parts) - (level - 1)] if level > 1 else parts
        return ".".join([*base, module] if module else base)

    # ---- imports -------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        span = self._span(node)
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            bound = dotted_name(alias.asname.name) if alias.asname else name.split(".")[0]
            self._add_import(name, None, bound or name, span, 0)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        span = self._span(node)
        level = len(node.relative)
        module = self._resolve_relative(level, dotted_name(node.module) if node.module else None)
        if isinstance(node.names, cst.ImportStar):
            self._add_import(module, "*", "*", span, level, is_star=True)
            return False
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            bound = dotted_name(alias.asname.name) if alias.asname else name
            self._add_import(module, name, bound or name, span, level)
        return False

    def _add_import(
        self, module: str, name: str | None, bound: str, span: Span, level: int, is_star: bool = False
    ) -> None:
        self.imports.append(
            ImportFact(
                module=module,
                name=name,
                alias=bound,
                line=span.line,
                end_line=span.end_line,
                level=level,
                is_star=is_star,
                conditional=self.conditional_depth > 0,
                type_checking=self.type_checking_depth > 0,
                scope=self.scope.name,
            )
        )
        if self._in_function() and not is_star:
            self.scope.bind(bound, None)

    # ---- blocks --------------------------------------------------------------------------
    def visit_If(self, node: cst.If) -> None:
        if _is_type_checking(node.test):
            self.type_checking_depth += 1
        if _is_main_guard(node.test) and self._at_module_level():
            self.has_main_guard = True
        self.conditional_depth += 1

    def leave_If(self, original_node: cst.If) -> None:
        if _is_type_checking(original_node.test):
            self.type_checking_depth -= 1
        self.conditional_depth -= 1

    def visit_Try(self, node: cst.Try) -> None:
        self.conditional_depth += 1

    def leave_Try(self, original_node: cst.Try) -> None:
        self.conditional_depth -= 1

    def visit_For(self, node: cst.For) -> None:
        evidence = None
        callee = _callee(node.iter)
        if callee:
            evidence = TypeEvidence("iter", callee, self._line(node))
        names = _target_names(node.target)
        for name in names:
            self.scope.bind(name, evidence if len(names) == 1 else None)
        if isinstance(node.target, cst.Name):
            elements: tuple[str, ...] | str | None = _element_names(node.iter)
            if elements is None and isinstance(node.iter, cst.Name):
                elements = node.iter.value
            self.loops.append((node.target.value, elements))
        else:
            self.loops.append(("", None))

    def leave_For(self, original_node: cst.For) -> None:
        self.loops.pop()

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            for name in _target_names(node.asname.name):
                self.scope.bind(name, None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            for name in _target_names(node.name.name):
                self.scope.bind(name, None)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        for name in _target_names(node.target):
            self.scope.bind(name, None)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.scope.bind(node.name.value, None)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.bind(item.name.value, None)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.scope.bind(item.name.value, None)

    def visit_Match(self, node: cst.Match) -> None:
        subject = dotted_name(node.subject)
        if subject:
            self.scope.narrowed.add(subject)

    # ---- classes and functions -------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.not_refs.add(id(node.name))
        if self.class_stack and self.class_stack[-1] is not None:
            self.class_stack[-1].attributes.append(node.name.value)
        if self._in_function():
            self.scope.bind(node.name.value, None)
        if not self._at_module_level():
            self.class_stack.append(None)
            return
        start = self._line(node.decorators[0]) if node.decorators else self._line(node)
        end = self._span(node).end_line
        bases = []
        for arg in node.bases:
            expr = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
            bases.append(dotted_name(expr) or "?")
        metaclass = None
        for keyword in node.keywords:
            if keyword.keyword is not None and keyword.keyword.value == "metaclass":
                metaclass = dotted_name(keyword.value) or "?"
        decorators = tuple(_decorator_name(d) or "?" for d in node.decorators)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        last_line = self._span(body[-1]).end_line if body else end
        self.class_stack.append(
            _ClassBuilder(
                name=node.name.value,
                span=Span(start, end),
                bases=tuple(bases),
                decorators=decorators,
                metaclass=metaclass,
                last_statement_line=last_line,
                conditional=self.conditional_depth > 0,
            )
        )

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        builder = self.class_stack.pop()
        if builder is not None:
            self.classes.append(builder.build())

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.not_refs.add(id(node.name))
        name = node.name.value
        builder = self.class_stack[-1] if self.class_stack else None
        in_class_body = builder is not None and self.scope.class_builder is not builder
        if in_class_body and builder is not None:
            builder.methods.append(name)
            if name in {"__getattr__", "__getattribute__"}:
                builder.dynamic = True
        elif self._at_module_level():
            self.functions.append(
                FunctionFact(
                    name=name,
                    span=self._span(node),
                    returns=self._code(node.returns.annotation) if node.returns else None,
                    is_async=node.asynchronous is not None,
                )
            )
        if self._in_function():
            self.scope.bind(name, None)
        self._record_route_decorators(node)
        qualified = f"{builder.name}.{name}" if in_class_body and builder else (
            f"{self.scope.name}.{name}" if self.scope.name else name
        )
        scope = _Scope(name=qualified, parent=self.scope)
        if in_class_body and builder is not None:
            scope.class_builder = builder
            decorators = {_decorator_name(d) for d in node.decorators}
            params = node.params.params or node.params.posonly_params
            if params and "staticmethod" not in decorators:
                scope.self_name = params[0].name.value
        elif self.scope.class_builder is not None:
            scope.class_builder = self.scope.class_builder
            scope.self_name = self.scope.self_name
        self.scope = scope
        self.all_scopes.append(scope)
        self.class_stack.append(builder if scope.class_builder is not None else None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.class_stack.pop()
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_Param(self, node: cst.Param) -> None:
        self.not_refs.add(id(node.name))
        name = node.name.value
        if name == self.scope.self_name:
            return
        evidence = None
        if node.annotation is not None:
            evidence = TypeEvidence("annotation", self._code(node.annotation.annotation), self._line(node))
        self.scope.bind(name, evidence)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        for param in node.params.params:
            self.scope.bind(param.name.value, None)

    def _record_route_decorators(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            verb = call.func.attr.value
            receiver = dotted_name(call.func.value)
            if verb not in ROUTE_METHODS or receiver is None:
                continue
            path = string_value(_positional(call, 0) or _keyword(call, "path") or _keyword(call, "rule"))
            if path is None:
                continue
            methods = _string_list(_keyword(call, "methods")) or ROUTE_METHODS[verb]
            deprecated = _keyword(call, "deprecated")
            self.routes.append(
                RouteFact(
                    receiver=receiver,
                    methods=tuple(m.upper() for m in methods),
                    path=path,
                    handler=node.name.value,
                    line=self._line(decorator),
                    scope=self.scope.name,
                    deprecated=isinstance(deprecated, cst.Name) and deprecated.value == "True",
                )
            )

    # ---- assignments ---------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assign(target.target, node.value, None, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        annotation = self._code(node.annotation.annotation)
        self._assign(node.target, node.value, annotation, node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == "__all__":
            self._extend_all(node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name):
            self.scope.bind(node.target.value, self._value_evidence(node.value, node))

    def _assign(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression | None,
        annotation: str | None,
        node: cst.CSTNode,
    ) -> None:
        line = self._line(node)
        if isinstance(target, cst.Attribute):
            self._assign_attribute(target, value, annotation, line)
            return
        names = _target_names(target)
        if not isinstance(target, cst.Name):
            for name in names:
                self.scope.bind(name, None)
            return
        name = target.value
        builder = self.class_stack[-1] if self.class_stack else None
        if builder is not None and self.scope.class_builder is not builder:
            builder.attributes.append(name)
            if annotation is not None:
                builder.field_types.append((name, annotation))
            return
        if self.class_stack and builder is None and not self._in_function():
            return
        if annotation is not None:
            evidence = TypeEvidence("annotation", annotation, line)
        elif value is not None:
            evidence = self._value_evidence(value, node)
        else:
            evidence = None
        self.scope.bind(name, evidence)
        if name == "__all__" and value is not None and not self._in_function():
            self.dunder_all = []
            self._extend_all(value)
        if value is not None:
            self._record_binding(name, value, annotation, node)

    def _assign_attribute(
        self, target: cst.Attribute, value: cst.BaseExpression | None, annotation: str | None, line: int
    ) -> None:
        owner = dotted_name(target.value)
        attr = target.attr.value
        if owner is not None and owner == self.scope.self_name and self.scope.class_builder:
            builder = self.scope.class_builder
            builder.attributes.append(attr)
            if annotation is not None:
                evidence: TypeEvidence | None = TypeEvidence("annotation", annotation, line)
            elif value is not None:
                evidence = self._value_evidence(value, target)
            else:
                evidence = None
            builder.attribute_types.setdefault(attr, []).append(evidence)
        elif owner is not None:
            self.attribute_assignments.add((owner, attr))

    def _value_evidence(self, value: cst.BaseExpression, node: cst.CSTNode) -> TypeEvidence | None:
        line = self._line(node)
        awaited = isinstance(value, cst.Await)
        if awaited:
            value = value.expression
        callee = _callee(value)
        if callee is not None:
            return TypeEvidence("await" if awaited else "call", callee, line)
        name = dotted_name(value)
        if name is not None and not awaited:
            return TypeEvidence("value", name, line)
        return None

    def _record_binding(
        self, name: str, value: cst.BaseExpression, annotation: str | None, node: cst.CSTNode
    ) -> None:
        keywords: tuple[tuple[str, str], ...] = ()
        callee = _callee(value)
        if isinstance(value, cst.Call):
            pairs = []
            for arg in value.args:
                text = string_value(arg.value)
                if arg.keyword is not None and text is not None:
                    pairs.append((arg.keyword.value, text))
            keywords = tuple(pairs)
        span = self._span(node)
        self.bindings.append(
            Binding(
                name=name,
                line=span.line,
                end_line=span.end_line,
                value=dotted_name(value),
                callee=callee,
                keywords=keywords,
                annotation=annotation,
                scope=self.scope.name,
                elements=_element_names(value) or (),
            )
        )

    def _extend_all(self, value: cst.BaseExpression) -> None:
        names = _string_list(value)
        if names is not None:
            self.dunder_all = [*(self.dunder_all or []), *names]

    # ---- calls ---------------------------------------------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        value = node.value.expression if isinstance(node.value, cst.Await) else node.value
        self.unused_results.add(id(value))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            self._plain_call(func.value, node)
        if isinstance(func, cst.Name) and func.value in MOUNT_CONSTRUCTORS:
            self._record_mount("?", func.value, node, _keyword(node, "app") or _positional(node, 1))
            return
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        receiver_node = func.value
        receiver = dotted_name(receiver_node)
        if method == "extend" and receiver == "__all__" and not self._in_function():
            self._extend_all(_positional(node, 0) or cst.List([]))
        if method in MOUNT_METHODS:
            self._record_mount_call(receiver or "?", method, node)
        if method in ROUTE_CALLS and receiver is not None:
            self._record_route_call(receiver, method, node)
        self._record_attr_call(receiver_node, method, node)

    def _plain_call(self, name: str, node: cst.Call) -> None:
        first = _positional(node, 0)
        subject = dotted_name(first)
        if name in NARROWING_CALLS and subject:
            self.scope.narrowed.add(subject)
        if name in DYNAMIC_SELF_CALLS and subject:
            if subject == self.scope.self_name and self.scope.class_builder:
                self.scope.class_builder.dynamic = True
            elif name == "setattr":
                self.attribute_assignments.add((subject, "*"))

    def _record_attr_call(self, receiver_node: cst.BaseExpression, method: str, node: cst.Call) -> None:
        line = self._line(node)
        args = [arg for arg in node.args if arg.keyword is None]
        keywords = tuple(arg.keyword.value for arg in node.args if arg.keyword is not None)
        used = id(node) not in self.unused_results
        if isinstance(receiver_node, cst.Name):
            self.scope.calls.append((receiver_node.value, method, line, len(args), keywords, used))
            return
        owner = dotted_name(receiver_node)
        if (
            isinstance(receiver_node, cst.Attribute)
            and isinstance(receiver_node.value, cst.Name)
            and receiver_node.value.value == self.scope.self_name
            and owner is not None
        ):
            self.scope.calls.append((owner, method, line, len(args), keywords, used))
            return
        callee = _callee(receiver_node)
        if callee is not None:
            self.scope.direct_calls.append(
                AttrCall(
                    receiver=f"{callee}()",
                    method=method,
                    line=line,
                    scope=self.scope.name,
                    evidence=TypeEvidence("call", callee, line),
                    bound_locally=True,
                    arg_count=len(args),
                    keywords=keywords,
                    result_used=used,
                )
            )

    def _record_route_call(self, receiver: str, method: str, node: cst.Call) -> None:
        path = string_value(_positional(node, 0) or _keyword(node, "path") or _keyword(node, "rule"))
        if path is None:
            return
        default = ("WEBSOCKET",) if "websocket" in method else ("GET",)
        methods = _string_list(_keyword(node, "methods")) or default
        handler = _keyword(node, "view_func") or _keyword(node, "endpoint") or _positional(node, 1)
        self.routes.append(
            RouteFact(
                receiver=receiver,
                methods=tuple(m.upper() for m in methods),
                path=path,
                handler=_callee(handler) if isinstance(handler, cst.Call) else dotted_name(handler) or "?",
                line=self._line(node),
                scope=self.scope.name,
            )
        )

    def _record_mount_call(self, receiver: str, method: str, node: cst.Call) -> None:
        if method == "mount":
            target = _keyword(node, "app") or _positional(node, 1)
            prefix = string_value(_positional(node, 0) or _keyword(node, "path"))
        elif method == "host":
            target = _keyword(node, "app") or _positional(node, 1)
            prefix = None
        else:
            target = (
                _positional(node, 0)
                or _keyword(node, "router")
                or _keyword(node, "blueprint")
            )
            prefix = string_value(_keyword(node, "prefix") or _keyword(node, "url_prefix"))
        self._record_mount(receiver, method, node, target, prefix)

    def _record_mount(
        self,
        receiver: str,
        method: str,
        node: cst.Call,
        target: cst.BaseExpression | None,
        prefix: str | None = None,
    ) -> None:
        if target is None:
            return
        line = self._line(node)
        targets, dynamic_attr = self._mount_targets(target)
        fact = MountFact(
            receiver=receiver,
            method=method,
            targets=targets,
            line=line,
            scope=self.scope.name,
            prefix=prefix,
            dynamic=not targets,
            dynamic_attr=dynamic_attr,
        )
        self.mounts.append(fact)

    def _mount_targets(self, target: cst.BaseExpression) -> tuple[tuple[str, ...], str | None]:
        """The dotted expressions a mount target may stand for, and the attribute of a dynamic one."""
        if isinstance(target, cst.Call):
            name = _callee(target)
            if name == "getattr":
                attribute = string_value(_positional(target, 1))
                return (), attribute
            return ((f"{name}()",), None) if name else ((), None)
        name = dotted_name(target)
        if name is None:
            return (), None
        head, _, rest = name.partition(".")
        for loop_var, elements in reversed(self.loops):
            if loop_var != head:
                continue
            suffix = f".{rest}" if rest else ""
            if isinstance(elements, tuple):
                return tuple(f"{element}{suffix}" for element in elements), None
            if isinstance(elements, str):
                return (f"{elements}[*]{suffix}",), None
            return (), rest.rpartition(".")[2] or None
        return (name,), None

    # ---- references ----------------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> None:
        if id(node) in self.not_refs:
            return
        self.name_refs.setdefault(node.value, []).append(self._line(node))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.not_refs.add(id(node.attr))
        if isinstance(node.value, cst.Attribute):
            self.inner_attributes.add(id(node.value))
        if id(node) in self.inner_attributes:
            return
        name = dotted_name(node)
        if name is not None and name.split(".")[0] not in {"self", "cls"}:
            self.dotted_refs.setdefault(name, self._line(node))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.not_refs.add(id(node.keyword))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if not isinstance(value, str):
            return
        if len(value) > 200 or not _DOTTED.match(value):
            if "deprecat" in value.lower():
                span = self._span(node)
                note = _deprecation_note(span.line, span.end_line, value)
                if note is not None:
                    self.deprecation_notes.append(note)
            return
        line = self._line(node)
        if "." in value:
            self.string_refs.setdefault(value, line)
        else:
            self.name_refs.setdefault(value, []).append(line)

    # ---- result --------------------------------------------------------------------------
    def facts(
        self, base: ModuleFacts, lines: tuple, comment_notes: tuple[DeprecationNote, ...]
    ) -> ModuleFacts:
        attr_calls: list[AttrCall] = []
        for scope in self.all_scopes:
            attr_calls.extend(scope.direct_calls)
            for receiver, method, line, arg_count, keywords, used in scope.calls:
                evidence, bound = _evidence_for(scope, receiver)
                attr_calls.append(
                    AttrCall(
                        receiver=receiver,
                        method=method,
                        line=line,
                        scope=scope.name,
                        evidence=evidence,
                        bound_locally=bound,
                        arg_count=arg_count,
                        keywords=keywords,
                        result_used=used,
                    )
                )
        mounts = self.mounts
        referenced = _names_used_by(mounts, self.routes)
        bindings = [
            b for b in self.bindings
            if not b.scope or (b.scope, b.name) in referenced or _constructs(b)
        ]
        return ModuleFacts(
            path=base.path,
            module=base.module,
            is_package=base.is_package,
            line_count=base.line_count,
            imports=tuple(self.imports),
            classes=tuple(self.classes),
            functions=tuple(self.functions),
            bindings=tuple(bindings),
            routes=tuple(self.routes),
            mounts=tuple(mounts),
            attr_calls=tuple(sorted(attr_calls, key=lambda c: (c.line, c.receiver, c.method))),
            name_refs=tuple(sorted((k, tuple(v)) for k, v in self.name_refs.items())),
            dotted_refs=tuple(sorted(self.dotted_refs.items())),
            string_refs=tuple(sorted(self.string_refs.items())),
            attribute_assignments=tuple(sorted(self.attribute_assignments)),
            dunder_all=tuple(self.dunder_all) if self.dunder_all is not None else None,
            normalized_lines=lines,
            deprecation_notes=tuple(sorted([*self.deprecation_notes, *comment_notes], key=lambda n: n.line)),
            has_main_guard=self.has_main_guard,
        )


def _evidence_for(scope: _Scope, receiver: str) -> tuple[TypeEvidence | None, bool]:
    """The single consistent evidence for `receiver` in the innermost function that binds it.

    `self.attr` receivers are looked up on the enclosing class by the index. A name no function
    binds belongs to the module: the index resolves it (second value False).
    """
    if receiver in scope.narrowed:
        return None, True
    if "." in receiver:
        return None, False
    current: _Scope | None = scope
    while current is not None and current.parent is not None:
        if receiver in current.narrowed:
            return None, True
        if receiver in current.bindings:
            evidences = current.bindings[receiver]
            first = evidences[0]
            if first is not None and all(_same(first, other) for other in evidences):
                return first, True
            return None, True
        current = current.parent
    return None, False


def _names_used_by(mounts: list[MountFact], routes: list[RouteFact]) -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()
    for mount in mounts:
        used.add((mount.scope, mount.receiver.split(".")[0]))
        for target in mount.targets:
            used.add((mount.scope, target.split(".")[0].split("[")[0].rstrip("()")))
    for route in routes:
        used.add((route.scope, route.receiver.split(".")[0]))
    return used


def _constructs(binding: Binding) -> bool:
    """`x = SomeClass(...)`: a local that may be an application or a router."""
    return binding.callee is not None and binding.callee.rpartition(".")[2][:1].isupper()


def _is_type_checking(test: cst.BaseExpression) -> bool:
    return dotted_name(test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    left = dotted_name(test.left)
    right = string_value(test.comparisons[0].comparator)
    return left == "__name__" and right == "__main__"
