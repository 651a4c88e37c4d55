"""Turn one source file into `ModuleFacts` with one pass over its syntax tree.

This is the driver: decode the bytes as Python does, parse, run the core visitor
(`visitor.py`), which hands calls and decorators to the framework adapters
(`analyzer/frameworks/`), and add what the token pass (`tokens.py`) and the comments say. A file
that cannot be read gives facts with `error` set, never an exception.

Facts come from CPython's own parser (`ast`): the same facts from libcst's concrete tree cost ten
times as much on large trees (the Python-level traversal of every node dominates; see
benchmarks/RESULTS.md). libcst is used where it is irreplaceable: the format-preserving rewrites
in `analyzer/fixes/`, and files in syntax newer than the running Python (`downlevel.py`).
Comments, which `ast` drops, come from the token pass.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
import warnings
from dataclasses import replace

from analyzer.facts.model import ModuleFacts
from analyzer.facts.syntax import dotted_name, string_value
from analyzer.facts.texts import route_paths, suppressions
from analyzer.facts.tokens import lex
from analyzer.facts.visitor import FactsVisitor

__all__ = ["decode_source", "dotted_name", "extract", "newer_syntax", "route_paths", "string_value"]

# Files this Python cannot parse are given to libcst to tell newer syntax from a syntax error;
# libcst is much slower, so only modules of ordinary size get that second chance.
NEWER_SYNTAX_PROBE_BYTES = 256 * 1024


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
    lexed = None
    try:
        with warnings.catch_warnings():
            # The caller's filters (`-W error`) must not turn a DeprecationWarning for an
            # invalid escape ("\d") into a SyntaxError.
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path, type_comments=False)
    except SyntaxError as error:
        # Syntax newer than this Python's (PEP 695, 701...): read through libcst, rewritten into
        # a tree this Python's `ast` makes, every line in place (see facts/downlevel.py). Imported
        # here: libcst takes a fifth of a second to import, and most scans never need it.
        from analyzer.facts import downlevel

        try:
            newer = downlevel.read(text, path) if len(source) <= NEWER_SYNTAX_PROBE_BYTES else None
        except downlevel.Unreadable as problem:
            version = ".".join(map(str, sys.version_info[:2]))
            return _failed(
                base, f"uses syntax newer than Python {version} that could not be rewritten for it "
                f"({problem}); run hygiene on a newer Python to analyse it"
            )
        if newer is None:
            return _failed(base, f"syntax error at line {error.lineno}: {error.msg}")
        tree, lexed = newer.tree, newer.lexed
    except (RecursionError, MemoryError, ValueError):
        return _failed(base, "too deeply nested to parse")
    lines, comments = lexed if lexed is not None else lex(text)
    try:
        visitor = FactsVisitor(module, is_package, text)
        visitor.visit(tree)
    except RecursionError:
        return _failed(base, "too deeply nested to analyse")
    facts = visitor.facts(base, lines, comments)
    return replace(facts, suppressions=suppressions(comments))


def newer_syntax(source: bytes) -> bool:
    """Whether libcst, which knows the newest grammar, parses what this Python's parser refused."""
    import libcst

    from analyzer.facts.downlevel import safe

    if len(source) > NEWER_SYNTAX_PROBE_BYTES or not safe(decode_source(source)):
        return False  # libcst's native parser would crash on it (nesting inside PEP 701 f-strings)
    try:
        libcst.parse_module(source)
    except Exception:  # noqa: BLE001 - any failure means: not merely newer syntax
        return False
    return True


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
