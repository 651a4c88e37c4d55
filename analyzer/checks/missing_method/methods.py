"""How a missing method is fixed, in order of preference:

1. the call names a close existing method whose signature fits every call: rewrite the calls
   (the finding's "did you mean", methods only, never fields or properties);
2. the callers use a stale copy of the class and a same-named class elsewhere defines the method
   (`fix.alternatives`): import that class instead, where the callers import the copy;
3. a recipe fits (`recipes.py`);
4. otherwise a stub that says it is one: parameters named and typed from the call sites, a
   docstring that starts with `STUB_MARKER`, a body that raises `NotImplementedError`. A stub
   is not a fix: the call still fails, at a place that now says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from analyzer.checks.missing_method.details import CallSite
from analyzer.fixes.context import STUB_MARKER
from analyzer.fixes.transforms import BUILTIN_NAMES, SourceFile, dotted_name

MAX_LINE = 99  # columns: the stub's lines stay under 100
_NOT_METHODS = frozenset({"property", "cached_property", "functools.cached_property", "abstractproperty"})
# Methods that return a changed copy of what they are called on (`sku.strip().upper()` is a sku).
_SAME_VALUE_METHODS = frozenset(
    {"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "copy", "replace", "encode",
     "decode", "format", "removeprefix", "removesuffix"}
)
_VERB = re.compile(r"^(get|make|build|create|load|fetch|find|read|parse)_")
_LITERAL_TYPES: dict[type[cst.CSTNode], str] = {
    cst.Integer: "int", cst.Float: "float", cst.Imaginary: "complex",
    cst.FormattedString: "str", cst.List: "list", cst.ListComp: "list", cst.Dict: "dict",
    cst.DictComp: "dict", cst.Set: "set", cst.SetComp: "set", cst.Tuple: "tuple",
}


# ---- did you mean ----------------------------------------------------------------------------
def method_def(source: SourceFile, cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    """The method `name` defined in the class body (the last definition wins)."""
    found = None
    if isinstance(cls.body, cst.IndentedBlock):
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                found = statement
    return found


# Verbs that name one action: `find_by_sku` and `get_by_sku` are the same method asked for.
SYNONYMS = (
    frozenset({"get", "find", "fetch", "lookup", "load", "retrieve", "read"}),
    frozenset({"to", "as"}),
    frozenset({"create", "make", "build", "new"}),
    frozenset({"delete", "remove", "drop"}),
    frozenset({"update", "set"}),
    frozenset({"list", "all"}),
)


def synonyms(name: str, existing: Iterable[str]) -> list[str]:
    """The existing names that differ from `name` only by a synonym of its first word."""
    verb, sep, rest = name.partition("_")
    if not sep:
        return []
    found = []
    for group in SYNONYMS:
        if verb in group:
            found += sorted(f"{other}_{rest}" for other in group - {verb} if f"{other}_{rest}" in existing)
    return found


def is_plain_method(function: cst.FunctionDef) -> bool:
    """A method called as such (not a property)."""
    for decorator in function.decorators:
        name = dotted_name(decorator.decorator) or ""
        if name in _NOT_METHODS or name.endswith((".setter", ".getter", ".deleter")):
            return False
    return True


def signature_fits(function: cst.FunctionDef, call: cst.Call) -> bool:
    """Whether calling `function` (a method, through an instance) with `call`'s arguments
    binds every parameter without a default and nothing twice."""
    if not is_plain_method(function):
        return False
    decorators = {dotted_name(d.decorator) for d in function.decorators}
    params = function.params
    positional = [*params.posonly_params, *params.params]
    if "staticmethod" not in decorators:
        if not positional:
            return False
        positional = positional[1:]
    if any(arg.star for arg in call.args):
        return False  # *args or **kwargs at the call: what they bind is unknown
    given = [arg for arg in call.args if arg.keyword is None]
    keywords = [arg.keyword.value for arg in call.args if arg.keyword is not None]
    if len(given) > len(positional) and not isinstance(params.star_arg, cst.Param):
        return False
    bound = {p.name.value for p in positional[: len(given)]}
    posonly = {p.name.value for p in params.posonly_params}
    by_keyword = {
        p.name.value for p in [*positional[len(given):], *params.kwonly_params] if p.name.value not in posonly
    }
    for keyword in keywords:
        if keyword in bound or (keyword not in by_keyword and params.star_kwarg is None):
            return False
    rest = [*positional[len(given):], *params.kwonly_params]
    return all(p.default is not None or p.name.value in keywords for p in rest)


# ---- stubs -----------------------------------------------------------------------------------
@dataclass
class _Param:
    name: str
    types: list[str]
    required: bool
    keyword_only: bool = False


@dataclass(frozen=True)
class Stub:
    source: str
    imports: tuple[str, ...]


def stub(
    class_name: str,
    method: str,
    target: SourceFile,
    calls: list[tuple[SourceFile, cst.Call]],
    call_sites: list[CallSite],
) -> Stub:
    """The stub method: parameters named from what the calls pass (keyword names, the names of
    the variables passed), typed from literals and the callers' annotations when the type can be
    named in the class's module, else `Any`."""
    params = _parameters(target, calls, call_sites)
    imports: set[str] = set()
    rendered = ["self"]
    star_added = False
    for param in params:
        if param.keyword_only and not star_added:
            rendered.append("*")
            star_added = True
        annotation = param.types[0] if len(set(param.types)) == 1 else "Any"
        if not param.required:
            if annotation == "Any":
                rendered.append(f"{param.name}: Any = None")
            elif target.future_annotations:
                rendered.append(f"{param.name}: {annotation} | None = None")
            else:
                rendered.append(f"{param.name}: Optional[{annotation}] = None")
                imports.add("typing.Optional")
        else:
            rendered.append(f"{param.name}: {annotation}")
        if annotation == "Any":
            imports.add("typing.Any")
    used = any(site.result_used for site in call_sites)
    returns = "Any" if used else "None"
    if used:
        imports.add("typing.Any")
    header = f"def {method}({', '.join(rendered)}) -> {returns}:"
    if len(header) + 4 > MAX_LINE - len(target.module.default_indent):
        header = f"def {method}(\n" + "".join(f"    {p},\n" for p in rendered) + f") -> {returns}:"
    body_indent = len(target.module.default_indent) * 2
    doc = _docstring([f"{site.path}:{site.line}" for site in call_sites], MAX_LINE - body_indent)
    message = f"{class_name}.{method} is a stub added by hygiene"
    if body_indent + len(f'raise NotImplementedError("{message}")') > MAX_LINE:
        message = "a stub added by hygiene"
    source = f'{header}\n    """{doc}"""\n    raise NotImplementedError("{message}")\n'
    return Stub(source, tuple(sorted(imports)))


def _docstring(places: list[str], width: int) -> str:
    """One line, `width` columns at most with its quotes, naming as many call sites as fit."""
    start = f"{STUB_MARKER}, NOT implemented: called at "
    for shown in range(len(places), 0, -1):
        rest = len(places) - shown
        text = start + ", ".join(places[:shown]) + (f" and {rest} more." if rest else ".")
        if len(text) + 6 <= width:
            return text
    short = f"{STUB_MARKER}, NOT implemented ({len(places)} call sites)."
    return short if len(short) + 6 <= width else f"{STUB_MARKER}."


def _parameters(
    target: SourceFile, calls: list[tuple[SourceFile, cst.Call]], call_sites: list[CallSite]
) -> list[_Param]:
    """Positional parameters as many as the most any call passes (required when every call
    passes it), then keyword-only parameters named as the calls' keywords."""
    counts = [site.args for site in call_sites] or [0]
    keyword_sets = [set(site.keywords) for site in call_sites] or [set()]
    positional = [_Param("", [], required=all(c > i for c in counts)) for i in range(max(counts))]
    keywords = {
        name: _Param(name, [], required=all(name in k for k in keyword_sets), keyword_only=True)
        for name in sorted(set().union(*keyword_sets))
    }
    for source, call in calls:
        given = [arg for arg in call.args if arg.keyword is None and not arg.star]
        for param, arg in zip(positional, given, strict=False):
            param.name = param.name or _name_for(arg.value)
            param.types.append(_type_of(arg.value, source, call, target))
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in keywords:
                keywords[arg.keyword.value].types.append(_type_of(arg.value, source, call, target))
    taken = {"self", *keywords}
    for param in positional:
        param.name = _unique(param.name or "value", taken)
    for param in [*positional, *keywords.values()]:
        param.types = param.types or ["Any"]
    return [*positional, *sorted(keywords.values(), key=lambda p: not p.required)]


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{name}{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _name_for(expr: cst.BaseExpression) -> str:
    """A parameter name for what a call passes: the variable's or attribute's name, the thing a
    getter or constructor returns (`get_user()` → `user`, `Product(...)` → `product`), the
    variable a string method is called on (`sku.strip()` → `sku`)."""
    if isinstance(expr, cst.Name) and expr.value not in {"True", "False", "None"}:
        return "other" if expr.value in {"self", "cls"} else expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in _SAME_VALUE_METHODS:
            return _name_for(func.value)
        leaf = func.attr.value if isinstance(func, cst.Attribute) else (dotted_name(func) or "")
        leaf = _VERB.sub("", leaf)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", leaf).lower()
        return snake if snake.isidentifier() else ""
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return "text"
    return ""


def _type_of(expr: cst.BaseExpression, source: SourceFile, call: cst.Call, target: SourceFile) -> str:
    """The type of what a call passes, written so that the class's module can name it."""
    if isinstance(expr, cst.SimpleString):
        return "bytes" if "b" in expr.prefix.lower() else "str"
    if isinstance(expr, cst.ConcatenatedString):
        value = expr.evaluated_value
        return "bytes" if isinstance(value, bytes) else "str"
    if isinstance(expr, cst.Name) and expr.value in {"True", "False"}:
        return "bool"
    for kind, name in _LITERAL_TYPES.items():
        if isinstance(expr, kind):
            return name
    annotation = None
    if isinstance(expr, cst.Name):
        annotation = _annotation_of(expr.value, source, call)
    elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value[:1].isupper():
        annotation = expr.func.value  # a constructor, by convention
    if annotation is None or not _nameable(annotation, target):
        return "Any"
    return annotation


def _annotation_of(name: str, source: SourceFile, call: cst.Call) -> str | None:
    """The annotation of parameter or variable `name` in the function holding the call (or at
    module level)."""
    function = source.enclosing_function(call)
    if function is not None:
        params = function.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            if param.name.value == name and param.annotation is not None:
                return source.code(param.annotation.annotation).strip()
    scopes: list[cst.CSTNode] = [function] if function is not None else []
    scopes.append(source.module)
    for scope in scopes:
        finder = _AnnotatedAssignment(name)
        scope.visit(finder)
        if finder.found is not None:
            return source.code(finder.found).strip()
    return None


class _AnnotatedAssignment(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found: cst.BaseExpression | None = None

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.found is None and isinstance(node.target, cst.Name) and node.target.value == self.name:
            self.found = node.annotation.annotation


def _nameable(annotation: str, target: SourceFile) -> bool:
    """Whether every name in the annotation is a builtin or imported by the class's module
    (or, when its annotations are not evaluated, defined there)."""
    try:
        expr = cst.parse_expression(annotation)
    except cst.ParserSyntaxError:
        return False
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        return False
    names = _heads(expr)
    allowed = BUILTIN_NAMES | target.top_level_imports()
    if target.future_annotations:
        allowed |= _defined_names(target.module)
    return bool(names) and names <= allowed


def _heads(expr: cst.BaseExpression) -> set[str]:
    """The names an expression reads (the head of each dotted name)."""
    collector = _HeadCollector()
    expr.visit(collector)
    return collector.names


class _HeadCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def _defined_names(module: cst.Module) -> set[str]:
    names = set()
    for statement in module.body:
        if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
            names.add(statement.name.value)
    return names
