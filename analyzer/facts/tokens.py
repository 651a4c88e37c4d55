"""Logical source lines reduced to their shape, for clone detection.

Comments, docstrings, blank lines and import statements are dropped (copies differ in their
wording and share their imports with everything else). Identifiers are replaced by `N` in the
shape and kept aside in order, so that two lines with the same shape can be compared for a
consistent rename; literal values are hashed aside so that a copy that changed only a message
still has the shape of the original.
"""

from __future__ import annotations

import hashlib
import io
import keyword
import tokenize
from dataclasses import dataclass

from analyzer.facts.model import NormalizedLine

_SKIPPED_TOKENS = {
    tokenize.NL,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}


def stable_hash(text: str) -> int:
    """A 64-bit hash that is the same in every process (unlike `hash(str)`)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True, slots=True)
class TokenScan:
    """The logical lines as `NormalizedLine`s, the comments as (line, text), and the two
    measures that tell whether a recursive parser can take the file: the deepest bracket
    nesting and the most operators chained in one expression (commas separate expressions)."""

    lines: tuple[NormalizedLine, ...]
    comments: tuple[tuple[int, str], ...]
    max_depth: int
    longest_chain: int


def scan_tokens(source: str) -> TokenScan:
    """Tokenize `source` once. Lines and comments are empty if it does not tokenize."""
    lines: list[NormalizedLine] = []
    comments: list[tuple[int, str]] = []
    max_depth = longest = 0
    chains = [0]  # operators chained so far, per open bracket level
    shape: list[str] = []
    names: list[str] = []
    literals: list[str] = []
    first_line = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments.append((token.start[0], token.string))
                continue
            if token.type in _SKIPPED_TOKENS:
                continue
            if token.type == tokenize.NEWLINE:
                chains = [0]
                if shape and not _is_dropped(shape):
                    lines.append(
                        NormalizedLine(
                            line=first_line,
                            shape=stable_hash(" ".join(shape)),
                            names=tuple(names),
                            literals=stable_hash("\x00".join(literals)),
                            size=len(shape),
                        )
                    )
                shape, names, literals = [], [], []
                continue
            if not shape:
                first_line = token.start[0]
            if token.type == tokenize.NAME:
                if keyword.iskeyword(token.string):
                    shape.append(token.string)
                    if token.string in _CHAINING_KEYWORDS:
                        chains[-1] += 1
                        longest = max(longest, chains[-1])
                else:
                    shape.append("N")
                    names.append(token.string)
            elif token.type == tokenize.STRING or token.type in _FSTRING_TOKENS:
                if not shape or shape[-1] != "S":
                    shape.append("S")
                literals.append(token.string)
            elif token.type == tokenize.NUMBER:
                shape.append("0")
                literals.append(token.string)
            else:
                shape.append(token.string)
                if token.string in _CHAINING_OPERATORS:
                    chains[-1] += 1
                    longest = max(longest, chains[-1])
                if token.string in "([{":
                    chains.append(0)
                    max_depth = max(max_depth, len(chains) - 1)
                elif token.string in ")]}" and len(chains) > 1:
                    chains.pop()
                elif token.string in {",", ";"}:
                    chains[-1] = 0
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return TokenScan((), (), max_depth, longest)
    return TokenScan(tuple(lines), tuple(comments), max_depth, longest)


# Tokens that nest one expression inside another (a + b + c is ((a + b) + c)).
_CHAINING_OPERATORS = frozenset(
    "+ - * / // % @ ** << >> & | ^ ~ < > <= >= == != . ( [ :=".split()
)
_CHAINING_KEYWORDS = frozenset({"and", "or", "not", "if", "lambda", "in", "is", "await"})
_FSTRING_TOKENS = {
    getattr(tokenize, name)
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)
}


def _is_dropped(shape: list[str]) -> bool:
    """Docstrings and bare string statements, and import statements."""
    if all(part == "S" for part in shape):
        return True
    return shape[0] in {"import", "from"} and "import" in shape
