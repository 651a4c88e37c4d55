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


def scan_tokens(source: str) -> tuple[tuple[NormalizedLine, ...], tuple[tuple[int, str], ...]]:
    """The logical lines of `source` as `NormalizedLine`s, and its comments as (line, text).

    Both are empty if the source does not tokenize.
    """
    lines: list[NormalizedLine] = []
    comments: list[tuple[int, str]] = []
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
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return (), ()
    return tuple(lines), tuple(comments)


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
