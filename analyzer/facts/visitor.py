"""The core visitor: what a module's Python means, in one pass over its syntax tree.

It records what is written, scope by scope: imports (resolved to absolute module names),
top-level classes and functions with their spans, bindings, calls handed names, attribute calls
with what the enclosing function says about the receiver's type, modules loaded by name, and
every name and dotted reference (for "is it used?" questions). Loops over literal collections are
evaluated exactly (`evaluate.py`), so a call inside one is read once per iteration.

It knows no framework. The calls and decorators the framework adapters declare
(`analyzer/frameworks/`) are handed to them with the visitor itself as their `Site`; the routes
they read are kept as they are, and the mounts have their target evaluated here: loops, modules
loaded by name, and module-level helpers that mount one of their parameters (`def add(app,
router): app.include_router(router)`: each call of `add` mounts its argument). What strings and
comments say is read by `texts.py`. Resolution across modules is the project index's job;
nothing here looks at another file.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from analyzer.facts import evaluate
from analyzer.facts.model import (
    AttrCall,
    Binding,
    CallFact,
    ClassFact,
    CloneText,
    DynamicImport,
    FunctionFact,
    ImportFact,
    ModuleFacts,
    ModuleNames,
    MountFact,
    MountTarget,
    NormalizedLine,
    RouteFact,
    Span,
    TypeEvidence,
)
from analyzer.facts.syntax import arguments as all_parameters
from analyzer.facts.syntax import (
    callee as callee_of,
)
from analyzer.facts.syntax import (
    decorator_name,
    dotted_name,
    element_names,
    keyword,
    last_name,
    positional,
    string_list,
    string_value,
    target_names,
)
from analyzer.facts.texts import DEPRECATED, PATH_CALLS, Strings
from analyzer.frameworks import (
    CALL_HOOKS,
    CLASS_STRINGS,
    DECORATOR_HOOKS,
    HELPER_METHODS,
    MOUNT_METHODS,
    ROUTE_DECORATORS,
)
from analyzer.frameworks.base import Mount, receiver_routes
from analyzer.similarity import fingerprints

NARROWING_CALLS = {"isinstance", "issubclass", "hasattr", "getattr", "type", "callable"}
DYNAMIC_SELF_CALLS = {"setattr", "vars"}
# Methods that change a collection in place: a literal list is no longer what was written.
MUTATING_METHODS = {"append", "extend", "insert", "update", "add", "remove", "pop", "clear", "setdefault"}
# Builtins that only read what they are given: a parameter handed to them is not changed.
READ_ONLY_CALLS = frozenset(
    {"isinstance", "issubclass", "hasattr", "getattr", "type", "callable", "len", "print", "repr", "str",
     "id", "hash", "sorted", "list", "tuple", "dict", "set", "frozenset", "iter", "next", "bool", "int"}
)
# Calls that load Python code from a file path (a plugin folder read file by file).
FILE_LOADERS = frozenset(
    {"spec_from_file_location", "load_source", "run_path", "SourceFileLoader", "exec_module", "PluginLoader",
     "load_module"}
)
# The text of a call of a method a mount helper may wrap (a cheap test before reading a function).
_HELPER_WORDS = re.compile("|".join(sorted(HELPER_METHODS)))


_T = TypeVar("_T")


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
    self_is_class: bool = False  # the first parameter is `cls` (a classmethod)
    literals: dict[str, ast.expr | None] = field(default_factory=dict)  # None: bound otherwise
    loaded: dict[str, _Loaded] = field(default_factory=dict)  # names bound to loaded modules
    parameters: set[str] = field(default_factory=set)
    mutated: set[str] = field(default_factory=set)

    def bind(self, name: str, evidence: TypeEvidence | None) -> None:
        self.bindings.setdefault(name, []).append(evidence)

    def lookup(self, name: str, table: Callable[[_Scope], Mapping[str, _T]]) -> _T | None:
        """What `name` is in `table` of the innermost scope that has it, or None when a closer
        scope binds it otherwise (a parameter, another kind of assignment) or none has it."""
        scope: _Scope | None = self
        while scope is not None:
            found = table(scope)
            if name in found:
                return found[name]
            if name in scope.bindings or name in scope.parameters:
                return None
            scope = scope.parent
        return None


@dataclass(frozen=True)
class _Loaded:
    """What `importlib.import_module(...)` gave a name: the modules, or the package they come
    from when their names are computed ("" for any), or the collection of strings elsewhere
    that names them."""

    names: tuple[str, ...]
    package: str | None
    loaded_from: ModuleNames | None = None
    more_packages: tuple[str, ...] = ()  # a name computed from one of several literal starts


@dataclass(frozen=True)
class _Loop:
    """An enclosing `for` loop (or comprehension): one environment per iteration when it iterates
    a literal collection; else `collection`, the name it iterates, when its target is one name."""

    names: frozenset[str]
    iterations: list[evaluate.Environment] | None
    collection: str | None = None
    walks_own_folder: bool = False  # `for name in os.listdir(os.path.dirname(__file__))`


@dataclass(frozen=True)
class _Dynamic:
    attribute: str | None
    package: str | None = None


@dataclass(frozen=True)
class _MountHelper:
    """A module-level function that mounts one of its parameters: `def add(app, router):
    app.include_router(router, prefix="/api")`."""

    parameters: tuple[str, ...]
    receiver: str
    target: str
    method: str
    prefix: str | None


def _helper_candidates(
    module: ast.Module, text: str | None
) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The module-level functions that may be mount helpers: those whose text names a method a
    helper may wrap (all of them when the text is not known, or has lone carriage returns that
    make its line numbers differ from the tree's)."""
    lines: set[int] | None = None
    if text is not None and text.count("\r") == text.count("\r\n"):
        lines = {text.count("\n", 0, match.start()) + 1 for match in _HELPER_WORDS.finditer(text)}
        if not lines:
            return {}
    found: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for function in module.body:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        start = min([d.lineno for d in function.decorator_list] + [function.lineno])
        end = function.end_lineno or function.lineno
        if lines is None or any(start <= line <= end for line in lines):
            found.setdefault(function.name, []).append(function)
    return found


def _chain(node: ast.expr) -> tuple[str | None, str | None, bool]:
    """(head name, the attributes after it, whether it is called) of `head.a.b(...)`."""
    called = isinstance(node, ast.Call)
    if isinstance(node, ast.Call):
        node = node.func
    name = dotted_name(node)
    if name is None:
        return None, None, called
    head, _, rest = name.partition(".")
    return head, rest, called


def _attribute_read(node: ast.expr) -> str | None:
    """The attribute a dynamic mount target reads last (`module.router`, `getattr(m, "router")`)."""
    if isinstance(node, ast.Call):
        if dotted_name(node.func) == "getattr":
            return string_value(positional(node, 1))
        node = node.func
    return node.attr if isinstance(node, ast.Attribute) else None


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
    method_returns: list[tuple[str, str, bool]] = field(default_factory=list)
    dynamic: bool = False
    last_statement_line: int = 0
    conditional: bool = False
    instance_methods: int = 0
    abstract_methods: int = 0
    keywords: tuple[tuple[str, str], ...] = ()
    values: dict[str, str | None] = field(default_factory=dict)
    strings: dict[str, str | None] = field(default_factory=dict)

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
            method_returns=tuple(self.method_returns),
            conditional=self.conditional,
            static_only=bool(self.methods) and self.instance_methods == 0,
            declares_abstract=self.abstract_methods > 0,
            keywords=self.keywords,
            attribute_values=tuple(sorted((k, v) for k, v in self.values.items() if v is not None)),
            strings=tuple(sorted((k, v) for k, v in self.strings.items() if v is not None)),
        )


def _same(a: TypeEvidence | None, b: TypeEvidence | None) -> bool:
    return a is not None and b is not None and (a.kind, a.expr) == (b.kind, b.expr)


# Calls that import packages by name and a module in each: the keyword naming that module, and
# its default (Celery's task discovery).
PACKAGE_LOADERS = {"autodiscover_tasks": ("related_name", "tasks")}

_VISITS: dict[tuple[type, type], Callable[..., Any]] = {}
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


class FactsVisitor(ast.NodeVisitor):
    """One pass over a module's syntax tree: what its Python means, and what the framework
    adapters read from its calls and decorators (the visitor is their `Site`)."""

    def __init__(self, module: str, is_package: bool, text: str | None = None) -> None:
        self._module = module
        self.text = text
        self._package = module if is_package else module.rpartition(".")[0]
        self.reads_own_name = False
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
        self.dotted_refs: dict[tuple[str, str], int] = {}
        self.looked_up: dict[str, int] = {}
        self.attribute_assignments: set[tuple[str, str]] = set()
        self.dunder_all: list[str] | None = None
        self.inner_attributes: set[int] = set()
        self.unused_results: set[int] = set()
        self.loops: list[_Loop] = []
        self.calls: list[CallFact] = []
        self.dynamic_imports: list[DynamicImport] = []
        self.module_aliases: dict[str, str] = {}  # module-level import aliases → module (or guess)
        self.conditional_depth = 0
        self.type_checking_depth = 0
        self.has_main_guard = False
        self.runs_at_import = False
        self.loads_files = False
        self.own_paths: set[str] = set()
        self.branches: list[tuple[int, int]] = []  # the `if` branches being read (see MountFact)
        self.while_depth = 0
        self.says_deprecated = False  # the module's docstring or its header comments say so
        self.header_end: int | None = None  # the line of its first statement after the docstring
        self.strings = Strings(self.name_refs)
        self.bound_calls: dict[int, str] = {}  # id of a call → the name `name = call(...)` binds
        # Module-level functions that may mount a parameter, by name (read when first asked).
        self.helper_candidates: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.mount_helpers: dict[str, _MountHelper | None] = {}
        self.returned_globals: set[tuple[str, str]] = set()

    # ---- traversal -----------------------------------------------------------------------
    # `ast.NodeVisitor`'s, with its method lookup made once per node class, and without the
    # `Load`/`Store` context nodes every name carries (a fifth of all nodes, none of them read).
    def visit(self, node: ast.AST) -> Any:
        key = (type(self), type(node))
        method = _VISITS.get(key)
        if method is None:
            method = _VISITS[key] = getattr(type(self), "visit_" + type(node).__name__, type(self).generic_visit)
        return method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = _CHILD_FIELDS[type(node)] = tuple(name for name in node._fields if name != "ctx")
        for name in fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_Module(self, node: ast.Module) -> None:
        self.helper_candidates = _helper_candidates(node, self.text)
        self.runs_at_import = any(_does_something(statement) for statement in node.body)
        docstring = ast.get_docstring(node, clean=False) or ""
        self.says_deprecated = DEPRECATED.search(docstring) is not None
        statements = node.body[1:] if docstring else node.body
        self.header_end = statements[0].lineno if statements else None
        self.generic_visit(node)

    # ---- helpers -------------------------------------------------------------------------
    @staticmethod
    def _span(node: ast.stmt) -> Span:
        return Span(node.lineno, node.end_lineno or node.lineno)

    def _in_function(self) -> bool:
        return self.scope is not self.module_scope

    def _at_module_level(self) -> bool:
        return not self._in_function() and not self.class_stack

    # ---- the site the framework hooks see -----------------------------------------------------
    @property
    def scope_name(self) -> str:
        return self.scope.name

    @property
    def enclosing_class(self) -> str | None:
        builder = self.class_stack[-1] if self.class_stack else None
        return builder.name if builder is not None and self.scope.class_builder is not builder else None

    def literal(self, name: str) -> ast.expr | None:
        return self._literal(name)

    def qualified(self, dotted: str) -> str | None:
        head, dot, rest = dotted.partition(".")
        module = self.module_aliases.get(head)
        return None if module is None else f"{module}{dot}{rest}"

    def bound_to(self, call: ast.Call) -> str | None:
        return self.bound_calls.get(id(call))

    def imports_from(self, package: str) -> bool:
        return any(m == package or m.startswith(package + ".") for m in self.module_aliases.values())

    def _resolve_relative(self, level: int, module: str | None) -> str:
        if level == 0:
            return module or ""
        parts = self.package.split(".") if self.package else []
        base = parts[: len(parts) - (level - 1)] if level > 1 else parts
        return ".".join([*base, module] if module else base)

    # ---- imports -------------------------------------------------------------------------
    @property
    def module(self) -> str:
        """The module's own name (the facts then depend on it: see `ModuleFacts.reads_own_name`)."""
        self.reads_own_name = True
        return self._module

    @property
    def package(self) -> str:
        """The package relative names start from."""
        self.reads_own_name = True
        return self._package

    def visit_Import(self, node: ast.Import) -> None:
        span = self._span(node)
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self._add_import(alias.name, None, bound, span, 0)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        span = self._span(node)
        module = self._resolve_relative(node.level, node.module)
        for alias in node.names:
            if alias.name == "*":
                self._add_import(module, "*", "*", span, node.level, is_star=True)
            else:
                self._add_import(module, alias.name, alias.asname or alias.name, span, node.level)

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
        elif not is_star:
            self.module_aliases[bound] = module if name is None else f"{module}.{name}"
            if name is None and bound != module and "." in module:  # `import a.b` binds `a`
                self.module_aliases[bound] = module.split(".")[0]

    # ---- blocks --------------------------------------------------------------------------
    def visit_If(self, node: ast.If) -> None:
        type_checking = _is_type_checking(node.test)
        if _is_main_guard(node.test) and self._at_module_level():
            self.has_main_guard = True
        self.visit(node.test)
        self.conditional_depth += 1
        self.type_checking_depth += type_checking
        # In a loop both branches may run, one iteration each: not exclusive.
        exclusive = not self.loops and not self.while_depth
        if exclusive:
            self.branches.append((node.lineno, 0))
        for statement in node.body:
            self.visit(statement)
        self.type_checking_depth -= type_checking
        if exclusive:
            self.branches[-1] = (node.lineno, 1)
        for statement in node.orelse:
            self.visit(statement)
        if exclusive:
            self.branches.pop()
        self.conditional_depth -= 1

    def visit_While(self, node: ast.While) -> None:
        self.visit(node.test)
        self.while_depth += 1
        for statement in node.body:
            self.visit(statement)
        self.while_depth -= 1
        for statement in node.orelse:
            self.visit(statement)

    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        self.conditional_depth += 1
        self.generic_visit(node)
        self.conditional_depth -= 1

    visit_TryStar = visit_Try

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        evidence = None
        callee = callee_of(node.iter)
        if callee:
            evidence = TypeEvidence("iter", callee, node.lineno)
        names = target_names(node.target)
        for name in names:
            self.scope.bind(name, evidence if len(names) == 1 else None)
            self.scope.literals[name] = None
        self.loops.append(self._loop(node.target, node.iter))
        self.visit(node.target)
        for statement in node.body:
            self.visit(statement)
        self.loops.pop()
        for statement in node.orelse:
            self.visit(statement)

    visit_AsyncFor = visit_For

    def _loop(self, target: ast.expr, iterable: ast.expr) -> _Loop:
        names = frozenset(target_names(target))
        iterations = evaluate.iterations(target, iterable, self._literal)
        collection = None
        if iterations is None and isinstance(target, ast.Name):
            collection = dotted_name(iterable)
        own_folder = self._mentions_own_file(iterable)
        return _Loop(names, iterations, collection, own_folder)

    def _literal(self, name: str) -> ast.expr | None:
        """What `name` stands for when it is bound to a literal (innermost scope first)."""
        if name == "__name__":
            return ast.Constant(self.module)
        if name == "__package__":
            return ast.Constant(self.package)
        if name.endswith(".__name__"):
            module = self.module_aliases.get(name.removesuffix(".__name__"))
            return ast.Constant(module) if module is not None else None
        return self.scope.lookup(name, lambda scope: scope.literals)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        """A comprehension is a loop: `[app.include_router(r) for r in routers]`."""
        pushed = 0
        for generator in node.generators:
            self.visit(generator.iter)
            for name in target_names(generator.target):
                self.scope.bind(name, None)
            self.loops.append(self._loop(generator.target, generator.iter))
            pushed += 1
            self.visit(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        del self.loops[len(self.loops) - pushed:]

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            for name in target_names(node.optional_vars):
                self.scope.bind(name, None)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.scope.bind(node.name, None)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.scope.bind(node.name, None)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.scope.bind(node.name, None)

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        for name in node.names:
            self.scope.bind(name, None)

    visit_Nonlocal = visit_Global

    def visit_Match(self, node: ast.Match) -> None:
        subject = dotted_name(node.subject)
        if subject:
            self.scope.narrowed.add(subject)
        self.generic_visit(node)

    # ---- classes and functions -------------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expression)
        if self.class_stack and self.class_stack[-1] is not None:
            self.class_stack[-1].attributes.append(node.name)
        if self._in_function():
            self.scope.bind(node.name, None)
        if not self._at_module_level():
            self.class_stack.append(None)
            for statement in node.body:
                self.visit(statement)
            self.class_stack.pop()
            return
        start = min([d.lineno for d in node.decorator_list] + [node.lineno])
        bases = []
        for base in node.bases:
            expression = base.value if isinstance(base, ast.Subscript) else base
            bases.append(dotted_name(expression) or "?")
        metaclass = None
        keywords = []
        for written in node.keywords:
            if written.arg == "metaclass":
                metaclass = dotted_name(written.value) or "?"
            elif written.arg is not None:
                keywords.append((written.arg, ast.unparse(written.value)))
        builder = _ClassBuilder(
            name=node.name,
            span=Span(start, node.end_lineno or node.lineno),
            bases=tuple(bases),
            decorators=tuple(decorator_name(d) or "?" for d in node.decorator_list),
            metaclass=metaclass,
            last_statement_line=node.body[-1].end_lineno or node.lineno,
            conditional=self.conditional_depth > 0,
            keywords=tuple(keywords),
        )
        self.class_stack.append(builder)
        routes = len(self.routes)
        for statement in node.body:
            self.visit(statement)
        self.class_stack.pop()
        if not any(route.receiver == node.name for route in self.routes[routes:]):
            builder.strings.clear()  # kept for a controller only: a class whose methods are its routes
        self.classes.append(builder.build())

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        name = node.name
        builder = self.class_stack[-1] if self.class_stack else None
        in_class_body = builder is not None and self.scope.class_builder is not builder
        if in_class_body and builder is not None:
            builder.methods.append(name)
            decorated = {(decorator_name(d) or "").rpartition(".")[2] for d in node.decorator_list}
            if not decorated & {"staticmethod", "classmethod"}:
                builder.instance_methods += 1
            if "abstractmethod" in decorated:
                builder.abstract_methods += 1
            if node.returns is not None:
                builder.method_returns.append(
                    (name, ast.unparse(node.returns), isinstance(node, ast.AsyncFunctionDef))
                )
            if name in {"__getattr__", "__getattribute__"}:
                builder.dynamic = True
        module_level = not in_class_body and self._at_module_level()
        if self._in_function():
            self.scope.bind(name, None)
        self._record_route_decorators(node)
        for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]:
            self.visit(default)
        if node.returns is not None:
            self.visit(node.returns)
        qualified = f"{builder.name}.{name}" if in_class_body and builder else (
            f"{self.scope.name}.{name}" if self.scope.name else name
        )
        scope = _Scope(name=qualified, parent=self.scope)
        if in_class_body and builder is not None:
            scope.class_builder = builder
            decorators = {decorator_name(d) for d in node.decorator_list}
            params = [*node.args.posonlyargs, *node.args.args]
            if params and "staticmethod" not in decorators:
                scope.self_name = params[0].arg
                scope.self_is_class = "classmethod" in decorators
        elif (
            self.scope.class_builder is not None
            and self.class_stack and self.class_stack[-1] is not None  # not in a class nested in the method
            and self.scope.self_name not in {a.arg for a in all_parameters(node.args)}
        ):
            scope.class_builder = self.scope.class_builder  # a closure in a method: `self` is still the instance
            scope.self_name = self.scope.self_name
            scope.self_is_class = self.scope.self_is_class
        self.scope = scope
        self.all_scopes.append(scope)
        self.class_stack.append(builder if scope.class_builder is not None else None)
        for argument in all_parameters(node.args):
            self._param(argument)
        for statement in node.body:
            self.visit(statement)
        self.class_stack.pop()
        assert scope.parent is not None
        self.scope = scope.parent
        if module_level:
            positional = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            self.functions.append(
                FunctionFact(
                    name=name,
                    span=self._span(node),
                    returns=ast.unparse(node.returns) if node.returns else None,
                    is_async=isinstance(node, ast.AsyncFunctionDef),
                    decorators=tuple(decorator_name(d) or "?" for d in node.decorator_list),
                    parameters=tuple(a.arg for a in positional),
                    mutated_parameters=tuple(sorted(scope.mutated & scope.parameters)),
                )
            )

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Return(self, node: ast.Return) -> None:
        """`return router` in a module-level function, `router` being a global: a factory that
        hands out an object made elsewhere (`def setup_auth_router(): ...; return router`)."""
        scope = self.scope
        returned = dotted_name(node.value) if node.value is not None else None
        if (
            returned is not None
            and scope.parent is self.module_scope
            and scope.class_builder is None
            and returned.partition(".")[0] not in scope.bindings
        ):
            self.returned_globals.add((scope.name, returned))
        self.generic_visit(node)

    def _param(self, argument: ast.arg) -> None:
        if argument.annotation is not None:
            self.visit(argument.annotation)
        self.scope.parameters.add(argument.arg)
        if argument.arg == self.scope.self_name:
            return
        evidence = None
        if argument.annotation is not None:
            evidence = TypeEvidence("annotation", ast.unparse(argument.annotation), argument.lineno)
        self.scope.bind(argument.arg, evidence)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for argument in all_parameters(node.args):
            self.scope.bind(argument.arg, None)
        self.generic_visit(node)

    def _record_route_decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """What the framework adapters read from the decorators: `@router.get("/x")`..."""
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            name = last_name(decorator.func)
            found = False
            for hook in DECORATOR_HOOKS.get(name, ()) if name is not None else ():
                for route in hook(decorator, node, self):
                    self.routes.append(route)
                    found = True
            if not found and isinstance(decorator.func, ast.Attribute) and name in ROUTE_DECORATORS:
                self.routes.extend(receiver_routes(decorator, node, ROUTE_DECORATORS[name], self))

    # ---- assignments ---------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.bound_calls[id(node.value)] = node.targets[0].id
        self.visit(node.value)
        for target in node.targets:
            self._assign(target, node.value, None, node)
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if isinstance(node.value, ast.Call) and isinstance(node.target, ast.Name):
            self.bound_calls[id(node.value)] = node.target.id
        if node.value is not None:
            self.visit(node.value)
        self._assign(node.target, node.value, ast.unparse(node.annotation), node)
        self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id == "__all__":
            self._extend_all(node.value)
        if isinstance(node.target, ast.Name):
            self._mutates(node.target.id)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.scope.bind(node.target.id, self._value_evidence(node.value, node))
        self.generic_visit(node)

    def _assign(
        self,
        target: ast.expr,
        value: ast.expr | None,
        annotation: str | None,
        node: ast.stmt,
    ) -> None:
        line = node.lineno
        if isinstance(target, ast.Attribute):
            self._assign_attribute(target, value, annotation, line)
            return
        names = target_names(target)
        if not isinstance(target, ast.Name):
            for name in names:
                self.scope.bind(name, None)
                self.scope.literals[name] = None
            for element in _unpacked(target):  # `self.path, self.match = path, match`
                if isinstance(element, ast.Attribute):
                    self._assign_attribute(element, None, None, line)
            return
        name = target.id
        builder = self.class_stack[-1] if self.class_stack else None
        if builder is not None and self.scope.class_builder is not builder:
            builder.attributes.append(name)
            if annotation is not None:
                builder.field_types.append((name, annotation))
            # `events = router` in a class body; a second binding makes the value unknown.
            builder.values[name] = dotted_name(value) if name not in builder.values else None
            if name in CLASS_STRINGS:  # `path = "/users"` in a controller
                builder.strings[name] = string_value(value) if name not in builder.strings else None
            return
        if self.class_stack and builder is None and not self._in_function():
            return
        if annotation is not None:
            evidence: TypeEvidence | None = TypeEvidence("annotation", annotation, line)
        elif value is not None:
            evidence = self._value_evidence(value, node)
        else:
            evidence = None
        self.scope.bind(name, evidence)
        self.scope.literals[name] = value if _is_literal(value) else None
        if value is not None and not self._in_function() and self._mentions_own_file(value):
            self.own_paths.add(name)  # `HERE = Path(__file__).parent`
        self.scope.loaded.pop(name, None)
        loaded = self._loaded_module(value)
        if loaded is not None:
            self.scope.loaded[name] = loaded
        if name == "__all__" and value is not None and not self._in_function():
            self.dunder_all = []
            self._extend_all(value)
        if value is not None:
            self._record_binding(name, value, annotation, node)

    def _assign_attribute(
        self, target: ast.Attribute, value: ast.expr | None, annotation: str | None, line: int
    ) -> None:
        owner = dotted_name(target.value)
        attr = target.attr
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
            self._mutates(owner.partition(".")[0])

    def _mutates(self, name: str) -> None:
        """`name`'s object may be changed here (a parameter's, or a literal collection's)."""
        if name in self.scope.parameters:
            self.scope.mutated.add(name)
        self._forget_literal(name)

    def _value_evidence(self, value: ast.expr, node: ast.stmt | ast.expr) -> TypeEvidence | None:
        line = node.lineno
        awaited = isinstance(value, ast.Await)
        if isinstance(value, ast.Await):
            value = value.value
        callee = callee_of(value)
        if callee is not None:
            return TypeEvidence("await" if awaited else "call", callee, line)
        name = dotted_name(value)
        if name is not None and not awaited:
            return TypeEvidence("value", name, line)
        return None

    def _collection_strings(self, value: ast.expr | None, depth: int = 0) -> tuple[tuple[str, ...], bool]:
        """The strings of a collection written literally (and whether more come from elsewhere):
        a list of strings, names bound to one, their concatenations."""
        if value is None or depth > 4:
            return (), True
        if isinstance(value, ast.Name):
            return self._collection_strings(self._literal(value.id), depth + 1)
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            left, left_partial = self._collection_strings(value.left, depth + 1)
            right, right_partial = self._collection_strings(value.right, depth + 1)
            return left + right, left_partial or right_partial
        listed = string_list(value)
        return (listed, False) if listed is not None else ((), True)

    def _record_binding(self, name: str, value: ast.expr, annotation: str | None, node: ast.stmt) -> None:
        keywords: tuple[tuple[str, str], ...] = ()
        if isinstance(value, ast.Call):  # `APIRouter(prefix=f"{API}/users")`: what exact evaluation reads
            keywords = tuple(
                (written.arg, text)
                for written in value.keywords
                if written.arg is not None and (text := evaluate.string(written.value, self._literal)) is not None
            )
        span = self._span(node)
        strings, partial = self._collection_strings(value)
        partial = partial and bool(strings)
        self.bindings.append(
            Binding(
                name=name,
                line=span.line,
                end_line=span.end_line,
                value=dotted_name(value),
                callee=callee_of(value),
                keywords=keywords,
                annotation=annotation,
                scope=self.scope.name,
                elements=element_names(value) or (),
                strings=strings,
                strings_partial=partial,
            )
        )

    def _extend_all(self, value: ast.expr) -> None:
        names = string_list(value)
        if names is not None:
            self.dunder_all = [*(self.dunder_all or []), *names]

    # ---- calls ---------------------------------------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> None:
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        self.unused_results.add(id(value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self._call(node)
        callee = callee_of(node)
        if callee is not None and callee.rpartition(".")[2] in PATH_CALLS:
            self.strings.path_words([*node.args, *(k.value for k in node.keywords)])
        if callee is not None and callee.rpartition(".")[2] in FILE_LOADERS:
            self.loads_files = True
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Div):  # `Path(__file__).parent / "plugin_template"`
            self.strings.path_words([node.left, node.right])
        self.generic_visit(node)

    def _call(self, node: ast.Call) -> None:
        self._record_call(node)
        self._partial_mount(node)
        self._dynamic_import(node)
        func = node.func
        if isinstance(func, ast.Name):
            self._plain_call(func.id, node)
            helper = self._mount_helper(func.id)
            if helper is not None and func.id not in self.scope.bindings:
                self._record_helper_call(helper, node)
            self._framework_call(func.id, node)
            return
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        receiver_node = func.value
        receiver = dotted_name(receiver_node)
        if method == "extend" and receiver == "__all__" and not self._in_function():
            self._extend_all(positional(node, 0) or ast.List(elts=[]))
        if method in MUTATING_METHODS and isinstance(receiver_node, ast.Name):
            self._forget_literal(receiver_node.id)
        self._framework_call(method, node)
        self._record_attr_call(receiver_node, method, node)

    def _framework_call(self, name: str, node: ast.Call, mounts_only: bool = False) -> None:
        """The routes and mounts the framework adapters read from a call."""
        for hook in CALL_HOOKS.get(name, ()):
            for found in hook(node, self):
                if isinstance(found, Mount):
                    self._record_mount(found, node)
                elif not mounts_only:
                    self.routes.append(found)

    def _record_call(self, node: ast.Call) -> None:
        """Calls handed names: at module level (a class handed to a call may be changed there),
        and of imported callees (a helper of another module that mounts what it is given)."""
        callee = callee_of(node)
        if callee is None:
            return
        arguments = tuple(dotted_name(a) for a in node.args if not isinstance(a, ast.Starred))
        keywords = tuple(
            (k.arg, name) for k in node.keywords if k.arg is not None and (name := dotted_name(k.value))
        )
        passed = [name for name in arguments if name] + [name for _, name in keywords]
        if not passed:
            return
        if callee not in READ_ONLY_CALLS:
            for name in passed:
                if name.partition(".")[0] in self.scope.parameters:
                    self.scope.mutated.add(name.partition(".")[0])  # handed on: may be changed there
        head = callee.partition(".")[0]
        imported = head in self.module_aliases and head not in self.scope.bindings
        if not (self._at_module_level() or imported):
            return
        declares_route = (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in ROUTE_DECORATORS
            and string_value(positional(node, 0) or keyword(node, "path")) is not None
        )
        self.calls.append(CallFact(callee, arguments, keywords, node.lineno, self.scope.name, declares_route))

    def _forget_literal(self, name: str) -> None:
        """A collection changed in place (`routers.append(x)`) is no longer what was written."""
        scope: _Scope | None = self.scope
        while scope is not None:
            if name in scope.literals:
                scope.literals[name] = None
                return
            scope = scope.parent

    def _partial_mount(self, node: ast.Call) -> None:
        """`functools.partial(app.register_blueprint, api, url_prefix="/api")`: a mount made later."""
        if callee_of(node) not in {"partial", "functools.partial"} or not node.args:
            return
        bound = node.args[0]
        if not (isinstance(bound, ast.Attribute) and bound.attr in MOUNT_METHODS):
            return
        deferred = ast.copy_location(ast.Call(func=bound, args=node.args[1:], keywords=node.keywords), node)
        self._framework_call(bound.attr, deferred, mounts_only=True)

    # ---- modules loaded by name --------------------------------------------------------------
    def _dynamic_import(self, node: ast.Call) -> None:
        callee = callee_of(node)
        if callee is None:
            return
        if callee.rpartition(".")[2] in PACKAGE_LOADERS:
            self._packages_loaded(node, *PACKAGE_LOADERS[callee.rpartition(".")[2]])
            return
        loaded = self._loaded_module(node)
        if loaded is None and callee.rpartition(".")[2] in {"iter_modules", "walk_packages"}:
            loaded = _Loaded((), self._walked_package(positional(node, 0) or keyword(node, "path")))
        if loaded is not None and (loaded.names or loaded.package is not None or loaded.loaded_from):
            self.dynamic_imports.append(
                DynamicImport(node.lineno, self.scope.name, loaded.names, loaded.package, loaded.loaded_from)
            )
            for package in loaded.more_packages if loaded is not None else ():
                self.dynamic_imports.append(DynamicImport(node.lineno, self.scope.name, (), package))

    def _packages_loaded(self, node: ast.Call, keyword_name: str, default: str) -> None:
        """`celery_app.autodiscover_tasks(["app.billing", ...], related_name="tasks")` imports
        each package and its `tasks` module: the dotted strings written in its first argument
        (through a filter call or a name bound to a list) name the packages."""
        written = positional(node, 0) or keyword(node, "packages")
        packages = evaluate.inline(written, self._literal) if written is not None else None
        related = keyword(node, keyword_name)
        leaf = string_value(related) if related is not None else default
        names = [
            text for constant in (ast.walk(packages) if packages is not None else ())
            if isinstance(constant, ast.Constant) and isinstance(text := constant.value, str)
            and all(part.isidentifier() for part in text.split("."))
        ]
        loaded = [*names, *(f"{name}.{leaf}" for name in names if leaf)]
        if loaded:
            self.dynamic_imports.append(DynamicImport(node.lineno, self.scope.name, tuple(dict.fromkeys(loaded))))

    def _loaded_module(self, value: ast.expr | None) -> _Loaded | None:
        """`importlib.import_module(...)` / `__import__(...)`: the modules it loads."""
        if not isinstance(value, ast.Call):
            return None
        callee = callee_of(value)
        if callee is None or not (callee.rpartition(".")[2] == "import_module" or callee == "__import__"):
            return None
        argument = positional(value, 0) or keyword(value, "name")
        if argument is None:
            return _Loaded((), "")
        anchor = None
        if callee != "__import__":
            anchor = evaluate.string(positional(value, 1) or keyword(value, "package"), self._literal)
        argument = evaluate.inline(argument, self._literal)  # `name = f"{package}.{module}"` read through
        environments = self._environments(evaluate.names_in(argument))
        if environments is not None:
            names = [evaluate.string(evaluate.substitute(argument, env), self._literal) for env in environments]
            if all(names):
                return _Loaded(tuple(dict.fromkeys(self._absolute(n, anchor) for n in names if n)), None)
            if len(environments) > 1:  # `for base in ["app.sso", ...]: import_module(f"{base}.{name}")`
                packages = [
                    self._computed_module(evaluate.substitute(argument, env), anchor).package for env in environments
                ]
                known = [p for p in packages if p]
                if known and len(known) == len(packages):
                    return _Loaded((), known[0], more_packages=tuple(dict.fromkeys(known[1:])))
        loaded_from = self._names_from_a_collection(argument)
        if loaded_from is not None and anchor is None:
            return _Loaded((), None, loaded_from)
        return self._computed_module(argument, anchor)

    def _names_from_a_collection(self, argument: ast.expr) -> ModuleNames | None:
        """`import_module(f"app.plugins.{name}")` with `name` iterating a collection bound
        elsewhere: the names are that collection's strings, in this template."""
        unknown = evaluate.names_in(argument)
        loops = self._loops_binding(unknown)
        if len(loops) != 1 or loops[0].collection is None or len(loops[0].names) != 1:
            return None
        if self._bound_in_a_function(loops[0].collection.partition(".")[0]):
            return None  # a parameter or a local: its strings are not written anywhere
        (variable,) = loops[0].names
        marker = "\x00"
        template = evaluate.string(evaluate.substitute(argument, {variable: ast.Constant(marker)}), self._literal)
        if template is None or template.count(marker) != 1:
            return None
        prefix, _, suffix = template.partition(marker)
        return ModuleNames(loops[0].collection, prefix, suffix)

    def _computed_module(self, argument: ast.expr, anchor: str | None, depth: int = 0) -> _Loaded:
        """What is known of a module name computed at run time: the package it is in, when its
        literal start, the folder a loop walks or the `package=` argument tell."""
        if isinstance(argument, ast.IfExp) and depth < 4:
            branches = [self._computed_module(b, anchor, depth + 1) for b in (argument.body, argument.orelse)]
            names = tuple(n for branch in branches for n in branch.names)
            packages = [branch.package for branch in branches if branch.package is not None]
            return _Loaded(names, "" if "" in packages else (packages[0] if packages else None))
        if isinstance(argument, ast.Name) and depth < 4:
            bound = self._literal(argument.id)
            if bound is not None:
                return self._computed_module(bound, anchor, depth + 1)
        exact = evaluate.string(argument, self._literal)
        if exact is not None:
            return _Loaded((self._absolute(exact, anchor),), None)
        prefix = evaluate.string_prefix(argument, self._literal)
        if prefix:
            if "." not in prefix.lstrip("."):
                return _Loaded((), self._absolute(prefix, anchor) if prefix.startswith(".") else "")
            return _Loaded((), self._absolute(prefix.rpartition(".")[0], anchor))
        if any(loop.walks_own_folder for loop in self._loops_binding(evaluate.names_in(argument))):
            return _Loaded((), anchor or self.package)  # the modules of this module's own folder
        if anchor is not None:
            return _Loaded((), anchor)
        if isinstance(argument, ast.Name) and argument.id in self.scope.parameters:
            return _Loaded((), None)  # the callers name the module: their strings are references
        return _Loaded((), "")

    def _absolute(self, name: str, anchor: str | None) -> str:
        """`.x` relative to the package `anchor`, as `import_module(".x", package)` reads it."""
        if not name.startswith("."):
            return name
        level = len(name) - len(name.lstrip("."))
        base = (anchor or self.package).split(".")
        base = base[: len(base) - (level - 1)] if level > 1 else base
        rest = name.lstrip(".")
        return ".".join([*base, rest] if rest else base)

    def _walked_package(self, node: ast.expr | None) -> str:
        """The package `pkgutil.iter_modules(node)` walks ("" when it cannot be told)."""
        if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) == 1:
            return self._walked_package(node.elts[0])
        if isinstance(node, ast.Name) and node.id == "__path__":
            return self.package
        if isinstance(node, ast.Attribute) and node.attr == "__path__":
            owner = dotted_name(node.value)
            return self.module_aliases.get(owner, "") if owner else ""
        if node is not None and self._mentions_own_file(node):
            return self.package  # this module's own folder
        return ""

    def _mentions_own_file(self, node: ast.expr) -> bool:
        """Whether a path expression starts from this module's file (`Path(__file__).parent`,
        or a name bound to such an expression)."""
        return any(
            isinstance(n, ast.Name) and (n.id in {"__file__", "__path__"} or n.id in self.own_paths)
            for n in ast.walk(node)
        )

    def _environments(self, names: set[str]) -> list[evaluate.Environment] | None:
        """One environment per combination of the iterations of the loops binding `names`, or
        None when one of those loops does not iterate a literal collection."""
        choices = []
        for loop in self._loops_binding(names):
            if loop.iterations is None:
                return None
            choices.append(loop.iterations)
        return evaluate.combine(choices) if choices else [{}]

    def _loops_binding(self, names: set[str]) -> list[_Loop]:
        """The innermost enclosing loop binding each of `names`."""
        found: list[_Loop] = []
        pending = set(names)
        for loop in reversed(self.loops):
            if loop.names & pending:
                found.append(loop)
                pending -= loop.names
        return found

    def _bound_in_a_function(self, name: str) -> bool:
        scope: _Scope | None = self.scope
        while scope is not None and scope.parent is not None:
            if name in scope.bindings or name in scope.parameters:
                return True
            scope = scope.parent
        return False

    def _loaded_in_scope(self, name: str) -> _Loaded | None:
        return self.scope.lookup(name, lambda scope: scope.loaded)

    def _plain_call(self, name: str, node: ast.Call) -> None:
        if name == "type" and len(node.args) == 3 and self.scope.class_builder is not None:
            bases = node.args[1]
            if self.scope.self_name in {dotted_name(b) for b in getattr(bases, "elts", [])}:
                # `type(name, (cls,), {...})`: subclasses made at run time may define anything.
                self.scope.class_builder.dynamic = True
        if name in {"getattr", "hasattr"}:
            attribute = string_value(positional(node, 1))
            if attribute is not None and attribute.isidentifier():
                self.looked_up.setdefault(attribute, node.lineno)
        subject = dotted_name(positional(node, 0))
        if name in NARROWING_CALLS and subject:
            self.scope.narrowed.add(subject)
        if name in DYNAMIC_SELF_CALLS and subject:
            # `setattr(self, "name", v)` or with a constant name: an attribute like any other.
            attribute = evaluate.string(positional(node, 1), self._literal) if name == "setattr" else None
            known = attribute if attribute and attribute.isidentifier() else None
            if subject == self.scope.self_name and self.scope.class_builder:
                if known is None:
                    self.scope.class_builder.dynamic = True
                else:
                    self.scope.class_builder.attributes.append(known)
            elif name == "setattr":
                self.attribute_assignments.add((subject, known or "*"))
                self._mutates(subject.partition(".")[0])

    def _record_attr_call(self, receiver_node: ast.expr, method: str, node: ast.Call) -> None:
        line = node.lineno
        args = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
        keywords = tuple(k.arg for k in node.keywords if k.arg is not None)
        used = id(node) not in self.unused_results
        if isinstance(receiver_node, ast.Name):
            self.scope.calls.append((receiver_node.id, method, line, len(args), keywords, used))
            return
        owner = dotted_name(receiver_node)
        if (
            isinstance(receiver_node, ast.Attribute)
            and isinstance(receiver_node.value, ast.Name)
            and receiver_node.value.id == self.scope.self_name
            and owner is not None
        ):
            self.scope.calls.append((owner, method, line, len(args), keywords, used))
            return
        callee = callee_of(receiver_node)
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

    def _mount_helper(self, name: str) -> _MountHelper | None:
        """The mount helper `name` is, when it is a module-level function that mounts one of its
        parameters (read on first use, from the functions whose text names a helper method)."""
        candidates = self.helper_candidates.get(name)
        if candidates is None:
            return None
        if name not in self.mount_helpers:
            found = None
            for function in candidates:  # a later definition that mounts wins, as Python binds it
                found = self._helper_of(function) or found
            self.mount_helpers[name] = found
        return self.mount_helpers[name]

    def _helper_of(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> _MountHelper | None:
        """`def add(app, router): app.include_router(router, prefix="/api")`: the first helper
        mount of a parameter, outermost first."""
        args = function.args
        parameters = tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in HELPER_METHODS:
                continue
            for hook in CALL_HOOKS.get(node.func.attr, ()):
                for found in hook(node, self):
                    target = found.target if isinstance(found, Mount) else None
                    if isinstance(found, Mount) and isinstance(target, ast.Name) and target.id in parameters \
                            and found.receiver != "?":
                        return _MountHelper(parameters, found.receiver, target.id, found.method,
                                            string_value(found.prefix))
        return None

    def _record_mount(self, mount: Mount, node: ast.Call) -> None:
        self._mount(mount.receiver, mount.method, node, mount.target, mount.prefix, mount.composes)

    def _mount(
        self, receiver: str, method: str, node: ast.Call, target: ast.expr | MountTarget, prefix: ast.expr | None,
        composes: bool = False,
    ) -> None:
        """A mount at `node`, its target evaluated here: one target per iteration of the literal
        loops it depends on, or what is known of it when it is computed."""
        helper = self._mount_helper(self.scope.name)
        mounts_parameter = helper is not None and isinstance(target, ast.Name) and target.id == helper.target
        if mounts_parameter and helper is not None:
            # What each call hands the helper is mounted (recorded at the calls).
            self.mounts.append(
                MountFact(
                    receiver=receiver, method=method, targets=(), line=node.lineno, scope=self.scope.name,
                    helper=self.scope.name, parameter=helper.target,
                    prefix=evaluate.string(prefix, self._literal),
                )
            )
            return
        if isinstance(target, MountTarget):
            targets, dynamic = [replace(target, prefix=evaluate.string(prefix, self._literal))], None
        else:
            targets, dynamic = self._mount_targets(target, prefix)
        self.mounts.append(
            MountFact(
                receiver=receiver,
                method=method,
                targets=tuple(targets),
                line=node.lineno,
                scope=self.scope.name,
                dynamic=dynamic is not None,
                dynamic_attr=dynamic.attribute if dynamic else None,
                dynamic_package=dynamic.package if dynamic else None,
                composes=composes,
                branches=tuple(self.branches),
            )
        )

    def _record_helper_call(self, helper: _MountHelper, node: ast.Call) -> None:
        """`add(app, items.router)` where `def add(app, router): app.include_router(router)`."""
        arguments = dict(zip(helper.parameters, node.args, strict=False))
        arguments.update((k.arg, k.value) for k in node.keywords if k.arg is not None)
        target = arguments.get(helper.target)
        if helper.receiver in helper.parameters:
            receiver = dotted_name(arguments[helper.receiver]) if helper.receiver in arguments else None
        else:
            receiver = helper.receiver
        prefix = ast.Constant(helper.prefix) if helper.prefix is not None else None
        if target is not None:
            self._mount(receiver or "?", helper.method, node, target, prefix)

    def _mount_targets(
        self, target: ast.expr, prefix: ast.expr | None
    ) -> tuple[list[MountTarget], _Dynamic | None]:
        """What a mount target stands for: one target per iteration of the literal loops it
        depends on, each with its prefix; or what is known of it when it is dynamic."""
        choices = []
        for loop in self._loops_binding(evaluate.names_in(target) | evaluate.names_in(prefix)):
            if loop.iterations is not None:
                choices.append(loop.iterations)
                continue
            head, rest, called = _chain(target)
            literal_prefix = evaluate.string(prefix, self._literal)
            if loop.collection is not None and head in loop.names and rest is not None:
                return [MountTarget(rest, called, literal_prefix, collection=loop.collection)], None
            # Iterating something computed: what the target is made of may still tell its
            # candidates (`import_module(f"app.plugins.{name}").router`).
            result = self._target_of(target, literal_prefix)
            return ([], result) if isinstance(result, _Dynamic) else (result, None)
        environments = evaluate.combine(choices) if choices else [{}]
        if environments is None:
            return [], _Dynamic(_attribute_read(target))
        found: list[MountTarget] = []
        for environment in environments:
            node = evaluate.substitute(target, environment)
            prefix_node = evaluate.substitute(prefix, environment) if prefix is not None else None
            result = self._target_of(node, evaluate.string(prefix_node, self._literal))
            if isinstance(result, _Dynamic):
                return [], result
            found.extend(result)
        return list(dict.fromkeys(found)), None

    def _target_of(self, node: ast.expr, prefix: str | None) -> list[MountTarget] | _Dynamic:
        """`items.router`, `make_router()`, `getattr(mod, "router")`, `module.router` where
        `module = importlib.import_module("app.items")`."""
        called = isinstance(node, ast.Call) and dotted_name(node.func) != "getattr"
        if called:
            assert isinstance(node, ast.Call)
            node = node.func
        chain: list[str] = []
        base = node
        while True:
            if isinstance(base, ast.Attribute):
                chain.insert(0, base.attr)
                base = base.value
            elif isinstance(base, ast.Call) and dotted_name(base.func) == "getattr":
                attribute = evaluate.string(positional(base, 1), self._literal)
                owner = positional(base, 0)
                if attribute is None or owner is None:
                    return _Dynamic(chain[-1] if chain else None)
                chain.insert(0, attribute)
                base = owner
            else:
                break
        attribute = chain[-1] if chain else None
        loaded = self._loaded_module(base) if isinstance(base, ast.Call) else None
        if isinstance(base, ast.Name):
            loaded = self._loaded_in_scope(base.id)
            if loaded is None:
                return [MountTarget(".".join([base.id, *chain]), called, prefix)]
        if loaded is None and isinstance(base, ast.Call) and (maker := callee_of(base)) is not None:
            # `Plugin().events`: a class attribute, read through an instance (or a factory's
            # result, which the mount graph cannot read: then it stays dynamic there).
            if chain:
                return [MountTarget(".".join([maker, *chain]), called, prefix)]
            return [MountTarget(maker, True, prefix)]
        if loaded is None:
            return _Dynamic(attribute)
        if loaded.loaded_from is not None:
            return [MountTarget(".".join(chain), called, prefix, loaded_from=loaded.loaded_from)]
        if not loaded.names:
            return _Dynamic(attribute, loaded.package)
        return [MountTarget(".".join(chain), called, prefix, module=name) for name in loaded.names]

    # ---- references ----------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.name_refs.setdefault(node.id, []).append(node.lineno)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Attribute):
            self.inner_attributes.add(id(node.value))
        if id(node) not in self.inner_attributes and isinstance(node.ctx, ast.Load):
            name = dotted_name(node)
            if name is not None and name.split(".")[0] not in {"self", "cls"}:
                self.dotted_refs.setdefault((name, self.scope.name), node.lineno)
            elif name is None and node.attr[:1].isupper():
                # `registry[fmt].Serializer`, `load(name).Plugin`: a class read on an object the
                # tool cannot tell (a module loaded by name, most often), like `getattr(m, "Plugin")`.
                self.looked_up.setdefault(node.attr, node.lineno)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        self.strings.constant(node)

    # ---- result --------------------------------------------------------------------------
    def facts(
        self, base: ModuleFacts, lines: tuple[NormalizedLine, ...], comments: tuple[tuple[int, str], ...]
    ) -> ModuleFacts:
        strings = self.strings
        comment_notes = strings.comments(comments)
        attr_calls: list[AttrCall] = []
        for scope in self.all_scopes:
            attr_calls.extend(
                call for call in scope.direct_calls
                if call.evidence is None or not _shadowed(scope, call.evidence)
            )
            for receiver, method, line, arg_count, keywords, used in scope.calls:
                evidence, bound = _evidence_for(scope, receiver)
                if receiver == scope.self_name and scope.class_builder is not None:
                    # `self.m()` in a method: the class itself (or a subclass: checked there).
                    kind = "cls" if scope.self_is_class else "self"
                    evidence, bound = TypeEvidence(kind, scope.class_builder.name, line), True
                if evidence is not None and _shadowed(scope, evidence):
                    evidence = None
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
        if self.dynamic_imports:  # the module loads modules by computed names: templates tell which
            self.dynamic_imports.extend(
                DynamicImport(line, "", (), package) for package, line in sorted(strings.module_templates.items())
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
            dotted_refs=tuple(sorted((name, line, scope) for (name, scope), line in self.dotted_refs.items())),
            string_refs=tuple(sorted(strings.string_refs.items())),
            string_words=frozenset(strings.string_words),
            looked_up_names=tuple(sorted(self.looked_up.items())),
            returned_globals=tuple(sorted(self.returned_globals)),
            attribute_assignments=tuple(sorted(self.attribute_assignments)),
            dunder_all=tuple(self.dunder_all) if self.dunder_all is not None else None,
            clone_text=CloneText.of(lines, fingerprints(lines)),
            deprecation_notes=tuple(sorted([*strings.deprecation_notes, *comment_notes], key=lambda n: n.line)),
            has_main_guard=self.has_main_guard,
            runs_at_import=self.runs_at_import,
            loads_files=self.loads_files,
            reads_own_name=self.reads_own_name,
            says_deprecated=self.says_deprecated or any(
                DEPRECATED.search(text) for line, text in comments if self.header_end is None or line < self.header_end
            ),
            calls=tuple(self.calls),
            dynamic_imports=tuple(self.dynamic_imports),
            run_mentions=tuple(sorted((kind, value, line) for (kind, value), line in strings.run_mentions.items())),
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


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _shadowed(scope: _Scope, evidence: TypeEvidence) -> bool:
    """Whether the evidence names something a function binds itself (a local class, an import
    in the function): the index only knows module-level definitions, so it cannot tell."""
    if evidence.kind == "annotation":
        names = set(_IDENTIFIER.findall(evidence.expr))
    elif "." in evidence.expr and evidence.kind != "value":
        return False  # `obj.method()`: typed through the call's own receiver, checked there
    else:
        names = {evidence.expr.split(".")[0]}
    current: _Scope | None = scope
    while current is not None and current.parent is not None:
        if names & current.bindings.keys():
            return True
        current = current.parent
    return False


def _names_used_by(mounts: list[MountFact], routes: list[RouteFact]) -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()
    for mount in mounts:
        used.add((mount.scope, mount.receiver.split(".")[0]))
        for target in mount.targets:
            if target.module is None:
                used.add((mount.scope, (target.collection or target.expr).split(".")[0]))
    for route in routes:
        used.add((route.scope, route.receiver.split(".")[0]))
    return used


def _does_something(statement: ast.stmt) -> bool:
    """A module-level statement that runs something when the module runs: a call, a loop, a
    `with` (the `if __name__ == "__main__":` block aside, and definitions and plain assignments)."""
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, (ast.Call, ast.Await))
    return isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith))


def _unpacked(target: ast.expr) -> list[ast.expr]:
    """The targets a tuple or list assignment binds, nested ones included."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [inner for element in target.elts for inner in _unpacked(element)]
    if isinstance(target, ast.Starred):
        return _unpacked(target.value)
    return [target]


def _is_literal(value: ast.expr | None) -> bool:
    """A value exact evaluation may read: a literal collection or a string constant."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str)
    literal = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.JoinedStr, ast.BinOp, ast.IfExp)
    return isinstance(value, literal) or (isinstance(value, ast.Name) and value.id in {"__name__", "__package__"})


def _constructs(binding: Binding) -> bool:
    """`x = SomeClass(...)`: a local that may be an application or a router."""
    return binding.callee is not None and binding.callee.rpartition(".")[2][:1].isupper()


def _is_type_checking(test: ast.expr) -> bool:
    return dotted_name(test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    return dotted_name(test.left) == "__name__" and string_value(test.comparators[0]) == "__main__"
