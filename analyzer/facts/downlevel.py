"""The `ast` tree of a file in syntax newer than the running Python, read through libcst.

CPython's parser knows only its own version's grammar: on Python 3.11, `def f[T](x: T)`, `class
C[T]:`, `type X = ...` (PEP 695, with the defaults of PEP 696), f-strings that nest the same
quotes or hold backslashes, comments or line breaks in their fields (PEP 701), `except A, B:`
(PEP 758) and t-strings (PEP 750) are syntax errors. libcst parses them. `read()` rewrites such a
file into source the running `ast` parses, with every line where it was, and splices back into
that tree what the rewrite had to take out, so that the facts visitor sees what it would see on a
newer Python:

- A type-parameter list is dropped (`[\\\n]` continuations keep the lines it spanned). Its bounds
  and defaults are references: they come back as one expression statement just before the
  function or class, at their own lines (evaluated in the enclosing scope, as in PEP 695).
- `type X[T] = value` becomes `X = value`, on the same lines (X is a module-level name).
- An f-string the running Python refuses becomes a valid one whose fields are placeholder names,
  followed by a continuation for every line break it lost; after parsing, each placeholder is
  replaced by its expression, parsed on its own at its own line (recursively, for nested
  f-strings). The result is an `ast.JoinedStr` like the one a newer Python makes, so the
  evaluator still reads `f"app.{name}"`. A t-string becomes the same f-string (an
  `ast.JoinedStr`: the visitor only reads its names).
- `except A, B:` becomes `except (A, B):`.

libcst's native parser can crash the interpreter on pathological input (thousands of nested
brackets, long operator chains). `tokens.safe_for_libcst()` measures that with the running
Python's tokenizer, which cuts a PEP 701 f-string at the first nested quote and so cannot see what
is inside it; `measure()` here tokenizes f-strings as Python 3.12 does, and libcst is given only
text both find safe.

Clone fingerprints and comments (`tokens.lex`, a regular-expression lexer the same on every
Python) come from the original text when its logical lines are the downlevelled text's, so they
are the ones a newer Python's scan computes; a PEP 701 f-string that misleads the lexer (a `"("`
inside a field leaves a bracket open and runs the rest of the file into one logical line) makes
them come from the downlevelled text, whose f-strings hold no nested quotes.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from analyzer.facts.model import NormalizedLine
from analyzer.facts.tokens import (
    _CHAINING_KEYWORDS,  # the operators that nest one expression in another, as the guard counts them
    _CHAINING_OPERATORS,
    MAX_CHAIN,
    MAX_NESTING,
    lex,
    safe_for_libcst,
)

Lexed = tuple[tuple[NormalizedLine, ...], tuple[tuple[int, str], ...]]
_NEWLINE = re.compile(r"\r\n|\r|\n")
_CONTINUATION = "\\\n"


class Unreadable(Exception):
    """libcst parses the file, but no tree the running `ast` accepts could be made from it."""


@dataclass(frozen=True)
class Downlevelled:
    """A file in newer syntax as the running Python's `ast` sees it."""

    tree: ast.Module
    text: str  # the rewritten source `tree` was parsed from (same lines as the original)
    lexed: Lexed  # `tokens.lex` of the original text or of `text`
    lexed_from: Literal["original", "downlevelled"]


def read(text: str, filename: str = "<unknown>", *, every_string: bool = False) -> Downlevelled | None:
    """The tree of `text`, which the running `ast` refused. None when libcst refuses it too (a
    syntax error), or when libcst cannot be given it safely; `Unreadable` when libcst parses it
    but no equivalent tree could be made. `every_string` rewrites every f-string, not only those
    the running Python refuses (to test the rewrite on code whose tree is known)."""
    if not safe(text):
        return None
    try:
        module = cst.parse_module(text)
    except Exception:  # noqa: BLE001 - any failure means: not merely newer syntax
        return None
    with warnings.catch_warnings():
        # As for the first parse: the caller's `-W error` must not turn "\d" into a SyntaxError.
        warnings.simplefilter("ignore")
        try:
            rewrite = _Rewrite(text, module, every_string)
            if rewrite.text == text:
                return None  # nothing newer to rewrite: a syntax error libcst tolerates
            tree = rewrite.tree(filename)
        except (RecursionError, MemoryError) as error:
            raise Unreadable("too deeply nested to rewrite") from error
    original, downlevelled = lex(text), lex(rewrite.text)
    if _logical_lines(original) == _logical_lines(downlevelled):
        return Downlevelled(tree, rewrite.text, original, "original")
    return Downlevelled(tree, rewrite.text, downlevelled, "downlevelled")


def _logical_lines(lexed: Lexed) -> list[int]:
    return [line[0] for line in lexed[0]]


# ---- the rewrite ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Fragment:
    """An expression taken out of the rewritten text: its (rewritten) source and its line."""

    text: str
    line: int


@dataclass
class _Hoist:
    """The bounds and defaults of a type-parameter list, to put back before their statement."""

    kind: Literal["def", "class", "alias"]
    name: str
    line: int
    fragments: list[_Fragment] = field(default_factory=list)


class _Rewrite:
    def __init__(self, text: str, module: cst.Module, every_string: bool = False) -> None:
        self.source = text
        self.every_string = every_string
        self.positions = _positions(module)
        self.line_starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]
        # The nodes a rewrite may start at, in the order of the text (outer before inner).
        found = [(self._offsets(node), node) for node in self.positions if isinstance(node, _CANDIDATES)]
        found.sort(key=lambda item: (item[0][0], -item[0][1]))
        self.candidates = [(start, end, node) for (start, end), node in found]
        self.starts = [start for start, _, _ in self.candidates]
        self.prefix = _placeholder_prefix(text)
        self.fragments: dict[str, _Fragment] = {}
        self.debug_texts: dict[str, tuple[str, str]] = {}  # placeholder → `{x=}` text rewritten, as written
        self.hoists: list[_Hoist] = []
        rewritten = self._render(0, len(text), self._edits(0, len(text)))
        if rewritten.endswith(_CONTINUATION):
            rewritten += "\n"  # a continuation at the very end of the file is a syntax error
        self.text = rewritten

    # ---- positions
    def _offsets(self, node: cst.CSTNode) -> tuple[int, int]:
        """Where `node` is in the source, without the parentheses around it."""
        where = self.positions[node]
        return (
            self.line_starts[where.start.line - 1] + where.start.column,
            self.line_starts[where.end.line - 1] + where.end.column,
        )

    def _line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def _render(self, start: int, end: int, edits: list[_Edit]) -> str:
        parts, position = [], start
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            if edit.start < position:
                raise Unreadable("overlapping rewrites")
            parts += [self.source[position : edit.start], edit.text]
            position = edit.end
        parts.append(self.source[position:end])
        return "".join(parts)

    # ---- what to rewrite
    def _edits(self, start: int, end: int) -> list[_Edit]:
        """The rewrites between `start` and `end`, outermost only (a rewrite's text holds those
        of what it encloses)."""
        edits: list[_Edit] = []
        handled: list[tuple[int, int]] = []  # text an outer rewrite or a kept f-string covers
        first, last = bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)
        for node_start, node_end, node in self.candidates[first:last]:
            handled = [(a, b) for a, b in handled if b > node_start]
            if node_end > end or any(a <= node_start for a, _ in handled):
                continue
            if isinstance(node, _STRINGS):
                if self.every_string or isinstance(node, _TEMPLATED) or not self._parses(node_start, node_end):
                    edits.append(self._string(node, node_start, node_end))
                handled.append((node_start, node_end))
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node.type_parameters is not None:
                parameters = self._offsets(node.type_parameters)
                edits.append(_Edit(*parameters, self._continuations(*parameters)))
                kind: Literal["def", "class"] = "def" if isinstance(node, cst.FunctionDef) else "class"
                self._hoist(kind, node.name.value, self._line(node), node.type_parameters)
                handled.append(parameters)
            elif isinstance(node, cst.TypeAlias):
                edits.append(self._alias(node, node_start))
                if node.type_parameters is not None:
                    handled.append(self._offsets(node.type_parameters))
            elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)) and _bare_tuple(node.type):
                assert node.type is not None
                tuple_start, tuple_end = self._offsets(node.type)
                edits += [_Edit(tuple_start, tuple_start, "("), _Edit(tuple_end, tuple_end, ")")]
        return edits

    def _parses(self, start: int, end: int) -> bool:
        try:
            ast.parse(f"({self.source[start:end]}\n)", mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        return True

    def _continuations(self, start: int, end: int, kept: int = 0) -> str:
        """One continuation for each line break between `start` and `end`, less `kept`."""
        return _CONTINUATION * (len(_NEWLINE.findall(self.source, start, end)) - kept)

    # ---- PEP 695 and 696
    def _hoist(self, kind: Literal["def", "class", "alias"], name: str, line: int,
               parameters: cst.TypeParameters | None) -> None:
        if parameters is None:
            return
        hoist = _Hoist(kind, name, line)
        for parameter in parameters.params:
            bound = parameter.param.bound if isinstance(parameter.param, cst.TypeVar) else None
            for expression in (bound, getattr(parameter, "default", None)):  # PEP 696, libcst 1.2+
                if expression is not None:
                    hoist.fragments.append(self._fragment(expression))
        if hoist.fragments:
            self.hoists.append(hoist)

    def _alias(self, node: cst.TypeAlias, start: int) -> _Edit:
        """`type X[T] = value` → `X = value`: from `type` through `=`."""
        after = self._offsets(node.type_parameters or node.name)[1]
        equals = self.source.index("=", after) + 1
        self._hoist("alias", node.name.value, self._line(node), node.type_parameters)
        return _Edit(start, equals, f"{node.name.value} =" + self._continuations(start, equals))

    # ---- PEP 701 and 750
    def _string(self, node: cst.FormattedString | cst.TemplatedString, start: int, end: int) -> _Edit:
        prefix = node.prefix.replace("t", "f").replace("T", "f")
        body = self._parts(node.parts)
        quote: str = node.quote
        if len(quote) == 1 and _NEWLINE.search(body):
            # Line breaks in the fields of a one-quote f-string (PEP 701): they stay in the fields,
            # so the string ends on its own line, and the string gets three quotes to hold them.
            quote *= 3
        text = f"{prefix}{quote}{body}{quote}"
        return _Edit(start, end, text + self._continuations(start, end, len(_NEWLINE.findall(text))))

    def _parts(self, parts: Sequence[cst.BaseFormattedStringContent | cst.BaseTemplatedStringContent]) -> str:
        """The text of an f-string (or of a format spec) with a placeholder for each field."""
        pieces = []
        for part in parts:
            if isinstance(part, _TEXTS):
                pieces.append(part.value)
                continue
            assert isinstance(part, _FIELDS)
            placeholder = self._placeholder(part.expression)
            spec = "" if part.format_spec is None else ":" + self._parts(part.format_spec)
            start, end = self._offsets(part)
            breaks = len(_NEWLINE.findall(self.source, start, end)) - len(_NEWLINE.findall(spec))
            field = [_plain(part.whitespace_before_expression), placeholder, "\n" * breaks]
            field.append(_plain(part.whitespace_after_expression))
            if part.equal is not None:
                field.append(_plain(part.equal.whitespace_before) + "=" + _plain(part.equal.whitespace_after))
                # `{x = }` writes its own text, from `{` through the spaces after `=`: the text
                # with the placeholder, to be given back as written.
                written_end = _end(_SPACES, self.source, self.source.index("=", self._offsets(part.expression)[1]) + 1)
                self.debug_texts[placeholder] = ("".join(field), self.source[start + 1 : written_end])
            pieces += ["{", *field]
            if part.conversion is not None:
                pieces.append("!" + part.conversion)
            pieces += [spec, "}"]
        return "".join(pieces)

    def _placeholder(self, expression: cst.BaseExpression) -> str:
        fragment = self._fragment(expression)  # first: it names the placeholders inside it
        name = f"{self.prefix}{len(self.fragments)}"
        self.fragments[name] = fragment
        return name

    def _fragment(self, expression: cst.BaseExpression) -> _Fragment:
        start, end = self._offsets(expression)
        text = self._render(start, end, self._edits(start, end))
        return _Fragment(text, self._line(expression))

    # ---- the tree
    def tree(self, filename: str) -> ast.Module:
        try:
            tree = ast.parse(self.text, filename=filename, type_comments=False)
        except SyntaxError as error:
            raise Unreadable(f"line {error.lineno}: {error.msg}") from error
        except ValueError as error:
            raise Unreadable(str(error)) from error
        splice = _Splice(self.fragments, self.debug_texts, self.prefix)
        if self.fragments:
            tree = splice.visit(tree)
        if self.hoists:
            _insert(tree, [(h, [splice.expression(f) for f in h.fragments]) for h in self.hoists])
        return tree


# t-strings (PEP 750) exist from libcst 1.8 on; an older libcst cannot parse them, so there they
# stand in for nothing new.
_TEMPLATED = getattr(cst, "TemplatedString", cst.FormattedString)
_STRINGS = (cst.FormattedString, _TEMPLATED)
_TEXTS = (cst.FormattedStringText, getattr(cst, "TemplatedStringText", cst.FormattedStringText))
_FIELDS = (cst.FormattedStringExpression, getattr(cst, "TemplatedStringExpression", cst.FormattedStringExpression))
_CANDIDATES = (*_STRINGS, cst.FunctionDef, cst.ClassDef, cst.TypeAlias, cst.ExceptHandler, cst.ExceptStarHandler)


def _positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """libcst's positions of every node. `MetadataWrapper.resolve` would add a pass over every
    node for the batched providers it does not have here (a third of the time); its fallback
    keeps this working if libcst changes the provider's insides."""
    provider = PositionProvider()
    try:
        provider._gen_impl(module)
        return provider._computed  # type: ignore[return-value]
    except (AttributeError, TypeError):
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _bare_tuple(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Tuple) and not node.lpar


def _plain(whitespace: cst.BaseParenthesizableWhitespace) -> str:
    """Whitespace in a field, if it can stay there (spaces; not line breaks or comments)."""
    if isinstance(whitespace, cst.SimpleWhitespace) and "\\" not in whitespace.value:
        return whitespace.value
    return ""


def _placeholder_prefix(text: str) -> str:
    prefix, number = "_hygiene_", 0
    while prefix in text:
        number += 1
        prefix = f"_hygiene{number}_"
    return prefix


class _Splice(ast.NodeTransformer):
    """Puts the expressions taken out of f-strings back in place of their placeholders."""

    def __init__(self, fragments: dict[str, _Fragment], debug_texts: dict[str, tuple[str, str]], prefix: str) -> None:
        self.fragments = fragments
        self.debug_texts = debug_texts
        self.placeholder = re.compile(re.escape(prefix) + r"\d+")

    def expression(self, fragment: _Fragment) -> ast.expr:
        # In parentheses, as a field is parsed; on a line of its own if a comment could end it.
        closing = "\n)" if "#" in fragment.text else ")"
        try:
            node = ast.parse(f"({fragment.text}{closing}", mode="eval").body
        except SyntaxError as error:
            raise Unreadable(f"line {fragment.line}: {error.msg}") from error
        ast.increment_lineno(node, fragment.line - 1)
        spliced = self.visit(node)
        assert isinstance(spliced, ast.expr)
        return spliced

    def visit_Name(self, node: ast.Name) -> ast.expr:
        fragment = self.fragments.get(node.id)
        return node if fragment is None else self.expression(fragment)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.JoinedStr:
        rewritten = any(
            isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name)
            and value.value.id in self.fragments
            for value in node.values
        )
        for value in node.values:
            if rewritten and isinstance(value, ast.Constant) and isinstance(value.value, str):
                for name in self.placeholder.findall(value.value):
                    if name in self.debug_texts:
                        value.value = value.value.replace(*self.debug_texts[name])
        self.generic_visit(node)
        if rewritten:
            _keep_unparsable(node)
        return node


def _keep_unparsable(node: ast.JoinedStr) -> None:
    """The visitor unparses annotations and class keywords (`ast.unparse`), and before 3.12
    `ast.unparse` refuses a field whose strings need a backslash, which a newer Python allows:
    spell such characters `?` inside the fields of this f-string, else give up on the file."""
    try:
        ast.unparse(node)
        return
    except ValueError:
        pass
    for value in node.values:
        if isinstance(value, ast.FormattedValue):
            for inner in ast.walk(value.value):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    inner.value = "".join(
                        c if c in "\n\t" or (c != "\\" and c.isprintable()) else "?" for c in inner.value
                    )
    try:
        ast.unparse(node)
    except ValueError as error:
        raise Unreadable(f"an f-string at line {node.lineno} this Python cannot represent") from error


def _insert(tree: ast.Module, hoists: list[tuple[_Hoist, list[ast.expr]]]) -> None:
    """For each hoist, one expression statement holding its expressions, just before the statement
    they belong to (in the same body, so in the same scope; at the end of the module if it is not
    found)."""
    wanted = {(hoist.kind, hoist.name, hoist.line) for hoist, _ in hoists}
    found: dict[tuple[str, str, int], tuple[list[ast.stmt], ast.stmt]] = {}
    for body in _statement_lists(tree):
        for statement in body:
            key = _key(statement)
            if key in wanted:
                found.setdefault(key, (body, statement))
    for hoist, expressions in hoists:
        first, last = expressions[0], expressions[-1]
        value = ast.Tuple(elts=expressions, ctx=ast.Load())
        inserted = ast.Expr(value=value)
        for node in (value, inserted):
            node.lineno, node.col_offset = first.lineno, first.col_offset
            node.end_lineno, node.end_col_offset = last.end_lineno, last.end_col_offset
        key = (hoist.kind, hoist.name, hoist.line)
        if key in found:
            body, statement = found[key]
            body.insert(next(i for i, s in enumerate(body) if s is statement), inserted)
        else:
            tree.body.append(inserted)


def _statement_lists(tree: ast.Module) -> Iterator[list[ast.stmt]]:
    lists = [tree.body]
    while lists:
        body = lists.pop()
        yield body
        for statement in body:
            for _, value in ast.iter_fields(statement):
                if not isinstance(value, list) or not value:
                    continue
                if isinstance(value[0], ast.stmt):
                    lists.append(value)
                elif isinstance(value[0], (ast.excepthandler, ast.match_case)):
                    lists.extend(item.body for item in value)


def _key(statement: ast.stmt) -> tuple[str, str, int] | None:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "def", statement.name, statement.lineno
    if isinstance(statement, ast.ClassDef):
        return "class", statement.name, statement.lineno
    if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
        return "alias", statement.targets[0].id, statement.lineno
    return None


# ---- how deep libcst would have to go ---------------------------------------------------------
_BRACKETS = frozenset({"(", "[", "{"})
_CODE = re.compile(
    r"(?P<space>[ \t\f]+|\\(?:\r\n|\r|\n))"
    r"|(?P<newline>\r\n|\r|\n)"
    r"|(?P<comment>#[^\r\n]*)"
    r"|(?P<string>(?i:rb|br|fr|rf|tr|rt|[rbuft])?(?:'''|\"\"\"|'|\"))"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<number>\.?\d(?:[\w.]|[eE][+-])*)"
    r"|(?P<op>\.\.\.|\*\*=?|//=?|>>=?|<<=?|->|:=|!=|[-+*/%@&|^<>=]=|[-+*/%@&|^~<>()\[\]{},:;.=!])"
    r"|(?P<other>.)",
    re.DOTALL,
)
_STRING_REST = {
    "'": re.compile(r"(?:[^'\\\r\n]|\\(?:\r\n|[\s\S]))*'?"),
    '"': re.compile(r'(?:[^"\\\r\n]|\\(?:\r\n|[\s\S]))*"?'),
    "'''": re.compile(r"(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|\Z)"),
    '"""': re.compile(r'(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|\Z)'),
}
_SPACES = re.compile(r"[ \t\f\r\n]*")
_LITERAL_RUN = {
    "'": re.compile(r"[^{}\\'\r\n]*"),
    '"': re.compile(r'[^{}\\"\r\n]*'),
    "'''": re.compile(r"[^{}\\']*"),
    '"""': re.compile(r'[^{}\\"]*'),
}


def _end(pattern: re.Pattern[str], source: str, position: int) -> int:
    match = pattern.match(source, position)
    return position if match is None else match.end()


@dataclass
class _Frame:
    kind: str  # "top", a bracket, "field" (of an f-string), "literal" or "spec" (f-string text)
    quote: str = ""
    raw: bool = False
    chain: int = 0


def safe(text: str) -> bool:
    """Whether libcst's native parser can be given `text` without risking a crash, measured both
    by this Python's tokenizer and as Python 3.12 tokenizes f-strings."""
    depth, chain = measure(text)
    return depth <= MAX_NESTING and chain <= MAX_CHAIN and safe_for_libcst(text)


def measure(source: str) -> tuple[int, int]:
    """The deepest nesting of brackets and f-string fields, and the most operators chained in one
    expression, tokenizing f-strings as Python 3.12 does (a field may hold the f-string's own
    quotes, backslashes, comments and line breaks). Lenient: malformed input gives some answer."""
    frames = [_Frame("top")]
    depth = deepest = longest = 0
    position, size = 0, len(source)
    while position < size:
        frame = frames[-1]
        if frame.kind in ("literal", "spec"):
            position = _end(_LITERAL_RUN[frame.quote], source, position)
            if position >= size:
                break
            character = source[position]
            if character == "\\":
                following = source[position + 1 : position + 2]
                if following == "N" and not frame.raw and source.startswith("{", position + 2):
                    closing = source.find("}", position)
                    position = size if closing < 0 else closing + 1
                else:
                    position += 1 if following in ("{", "}", "") else 2
            elif character == "{":
                if frame.kind == "literal" and source.startswith("{{", position):
                    position += 2
                else:
                    frames.append(_Frame("field", frame.quote, frame.raw))
                    depth += 1
                    deepest = max(deepest, depth)
                    position += 1
            elif character == "}":
                if frame.kind == "spec":  # ends the spec and its field
                    frames.pop()
                    frames.pop()
                    depth -= 1
                    position += 1
                else:
                    position += 2 if source.startswith("}}", position) else 1
            elif character in "\r\n" or source.startswith(frame.quote, position):
                # The end of the f-string (a line break: unterminated); out of any field in it.
                while frames[-1].kind != "literal":
                    depth -= frames.pop().kind == "field"
                frames.pop()
                if character not in "\r\n":
                    position += len(frame.quote)
            else:
                position += 1  # one quote of a triple-quoted f-string's text
            continue
        if frame.kind == "field":
            character = source[position]
            if character == "}":
                frames.pop()
                depth -= 1
                position += 1
                continue
            if character == ":":
                frames.append(_Frame("spec", frame.quote, frame.raw))
                position += 1
                continue
            if character == "!" and not source.startswith("!=", position):
                position += 1  # a conversion: the name that follows is read as a name
                continue
        match = _CODE.match(source, position)
        assert match is not None  # `other` matches any character
        kind, token = match.lastgroup, match.group()
        position = match.end()
        if kind == "newline":
            if frame.kind == "top":
                frame.chain = 0
        elif kind == "string":
            prefix = token.rstrip("'\"").lower()
            quote = token[len(prefix) :]
            if "f" in prefix or "t" in prefix:
                frames.append(_Frame("literal", quote, "r" in prefix))
            else:
                position = _end(_STRING_REST[quote], source, position)
        elif kind == "name":
            frame.chain += token in _CHAINING_KEYWORDS
        elif kind == "op":
            frame.chain += token in _CHAINING_OPERATORS
            if token in _BRACKETS:
                frames.append(_Frame(token))
                depth += 1
                deepest = max(deepest, depth)
            elif token in ")]}" and frame.kind in _BRACKETS:
                frames.pop()
                depth -= 1
            elif token in (",", ";"):
                frame.chain = 0
        longest = max(longest, frame.chain)
    return deepest, longest
