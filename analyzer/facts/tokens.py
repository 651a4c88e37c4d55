"""Logical source lines reduced to their shape, for clone detection; comments.

Comments, docstrings, blank lines and import statements are dropped (copies differ in their
wording and share their imports with everything else). Identifiers are replaced by `N` in the
shape and kept aside in order, so that two lines with the same shape can be compared for a
consistent rename; literal values are hashed aside so that a copy that changed only a message
still has the shape of the original.

`lex` is a regular-expression lexer: the standard `tokenize` module is pure Python before 3.12
and costs more than parsing. `tokenize` is kept for the one exact question it answers here,
whether libcst's native parser can take a file safely (`safe_for_libcst`).
"""

from __future__ import annotations

import hashlib
import io
import keyword
import re
import tokenize

from analyzer.facts.model import NormalizedLine

_KEYWORDS = frozenset(keyword.kwlist)
# Each match is one token and the spaces before it (`match[kind]` is the token alone).
_LEXEME = re.compile(
    r"[ \t\f\r]*"
    r"""(?:(?P<string>(?:[rRbBuUfF]{1,2})?(?:'\'\'[\s\S]*?'\'\'|""\"[\s\S]*?""\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))"""
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<number>\.?\d(?:[\w.]|[eE][+-])*)"
    r"|(?P<newline>\n)"
    r"|(?P<continuation>\\\r?\n)"
    r"|(?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%@&|^<>!=]=|[-+*/%@&|^~<>()\[\]{},:;.=])"
    r"|(?P<other>.))"
)


def lex(source: str) -> tuple[tuple[NormalizedLine, ...], tuple[tuple[int, str], ...]]:
    """The logical lines of `source` as `NormalizedLine`s, and its comments as (line, text)."""
    lines: list[NormalizedLine] = []
    comments: list[tuple[int, str]] = []
    shape: list[str] = []
    names: list[str] = []
    literals: list[str] = []
    line = 1
    first_line = 1
    depth = 0
    for match in _LEXEME.finditer(source):
        kind = match.lastgroup or "other"  # every alternative is named
        if kind == "newline" or kind == "continuation":
            line += 1
            if kind == "newline" and depth <= 0 and shape:
                if not _is_dropped(shape):
                    lines.append(_normalized(first_line, shape, names, literals))
                shape, names, literals = [], [], []
            continue
        text = match[kind]
        if kind == "comment":
            comments.append((line, text))
            continue
        if not shape:
            first_line = line
        if kind == "name":
            if text in _KEYWORDS:
                shape.append(text)
            else:
                shape.append("N")
                names.append(text)
        elif kind == "string":
            if not shape or shape[-1] != "S":
                shape.append("S")
            literals.append(text)
            line += text.count("\n")
        elif kind == "number":
            shape.append("0")
            literals.append(text)
        else:
            shape.append(text)
            if text in "([{":
                depth += 1
            elif text in ")]}":
                depth -= 1
    if shape and not _is_dropped(shape):
        lines.append(_normalized(first_line, shape, names, literals))
    return tuple(lines), tuple(comments)


def _normalized(line: int, shape: list[str], names: list[str], literals: list[str]) -> NormalizedLine:
    return (line, stable_hash(" ".join(shape)), tuple(names), stable_hash("\x00".join(literals)), len(shape))


def stable_hash(text: str) -> int:
    """A 64-bit hash that is the same in every process (unlike `hash(str)`)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


# libcst's native parser crashes the interpreter (no exception to catch) on pathological input:
# brackets nested thousands deep, statements chaining thousands of operators.
MAX_NESTING = 200
MAX_CHAIN = 2500
# Tokens that nest one expression inside another (a + b + c is ((a + b) + c)).
_CHAINING_OPERATORS = frozenset(
    "+ - * / // % @ ** << >> & | ^ ~ < > <= >= == != . ( [ :=".split()  # noqa: SIM905 - reads best as written
)
_CHAINING_KEYWORDS = frozenset({"and", "or", "not", "if", "lambda", "in", "is", "await"})
_KEYWORD_OPERATOR = re.compile(rf"\b(?:{'|'.join(sorted(_CHAINING_KEYWORDS))})\b")


def safe_for_libcst(source: str) -> bool:
    """Whether libcst's native parser can be given this source without risking a crash."""
    depth, chain = nesting(source)
    return depth <= MAX_NESTING and chain <= MAX_CHAIN


def nesting(source: str) -> tuple[int, int]:
    """The deepest bracket nesting, and the most operators chained in one expression (commas
    separate expressions), by exact tokenization."""
    max_depth = longest = 0
    chains = [0]  # operators chained so far, per open bracket level
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NEWLINE:
                chains = [0]
            elif token.type == tokenize.STRING and "f" in token.string.split("'")[0].split('"')[0].lower():
                # Before 3.12 an f-string is one token: measure the expressions of its fields too
                # (over-counting its literal text only makes the answer more cautious).
                max_depth = max(max_depth, len(chains) - 1 + _bracket_depth(token.string))
                operators = sum(token.string.count(op) for op in "+-*/%@&|^~<>.([")
                longest = max(longest, operators + len(_KEYWORD_OPERATOR.findall(token.string)))
            elif token.type == tokenize.NAME and token.string in _CHAINING_KEYWORDS:
                chains[-1] += 1
            elif token.type == tokenize.OP:
                if token.string in _CHAINING_OPERATORS:
                    chains[-1] += 1
                if token.string in "([{":
                    chains.append(0)
                    max_depth = max(max_depth, len(chains) - 1)
                elif token.string in ")]}" and len(chains) > 1:
                    chains.pop()
                elif token.string in {",", ";"}:
                    chains[-1] = 0
            longest = max(longest, chains[-1])
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return max_depth, longest


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for character in text:
        if character in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in ")]}":
            depth -= 1
    return deepest


def _is_dropped(shape: list[str]) -> bool:
    """Docstrings and bare string statements, and import statements."""
    if all(part == "S" for part in shape):
        return True
    return shape[0] in {"import", "from"} and "import" in shape
