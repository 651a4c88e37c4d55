"""Files in syntax newer than the running Python get their facts through libcst
(`analyzer/facts/downlevel.py`): every line stays where it was, every name stays referenced, and
libcst is never given what could crash it."""

from __future__ import annotations

import ast
import re
import shutil
import sys
import time
from dataclasses import fields
from pathlib import Path

import libcst as cst
import pytest

from analyzer.facts import downlevel
from analyzer.facts.extract import extract
from analyzer.facts.model import ModuleFacts
from analyzer.facts.tokens import lex, nesting
from analyzer.scan import scan
from tests.conftest import FIXTURES

OLD_PYTHON = sys.version_info < (3, 12)  # its own parser refuses PEP 695 and PEP 701


def facts_of(source: str, module: str = "app.api") -> ModuleFacts:
    return extract(module.replace(".", "/") + ".py", module, False, source.encode())


def refused_here(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return True
    return False


def read(source: str) -> downlevel.Downlevelled:
    result = downlevel.read(source)
    assert result is not None
    return result


def sentinels(tree: ast.Module) -> dict[str, int]:
    """`line_N = N` statements: where the tree puts each of them."""
    return {
        node.targets[0].id: node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.startswith("line_")
    }


def numbered(source: str) -> str:
    """Turn each `line_? = ?` into `line_N = N`, N being its line."""
    return "".join(
        text.replace("line_? = ?", f"line_{n} = {n}") for n, text in enumerate(source.splitlines(True), 1)
    )


# Every construct newer than 3.11 that the rewrite handles, on one line and across lines.
NEW_SYNTAX = numbered('''\
from typing import Callable
from app.bases import Bound, Default, Other, Spec
line_? = ?
type Alias = list[int]
type Handler[T: Bound = Default] = Callable[[T], None]; line_? = ?
type Wide[
    K,
    V: Other,
] = dict[K, V]
line_? = ?


def first[T: Bound](items: list[T]) -> T:
    line_? = ?
    return items[0]


class Box[T: (Bound, Other) = Default, *Ts = *tuple[int], **P = Spec](Base):
    line_? = ?

    async def get[U](self, key: U) -> T:
        line_? = ?
        return f"{self.items[key]["name"]!r:>{width}} {"\\n".join(names)} {
            total  # a comment in a field
            + tax
        }"


def generic[
    T: Bound,
](x: T) -> T:
    return x
line_? = ?
label = f"{f"{f"{deep}"}"}" "plain" f"""{
    multi["line"]
}""" ; line_? = ?
template = t"hello {name=}"; line_? = ?
try:
    pass
except ValueError, TypeError:
    line_? = ?
line_? = ?
''')


def test_every_statement_keeps_its_line() -> None:
    assert refused_here(NEW_SYNTAX) == OLD_PYTHON
    result = read(NEW_SYNTAX)
    expected = {name: int(name[5:]) for name in re.findall(r"line_\d+", NEW_SYNTAX)}
    assert len(expected) == 11
    assert sentinels(result.tree) == expected
    assert result.text.count("\n") == NEW_SYNTAX.count("\n")


def test_type_parameter_bounds_and_defaults_are_references_at_their_own_lines() -> None:
    facts = facts_of(NEW_SYNTAX)
    lines = dict(facts.name_refs)
    assert lines["Bound"] == (5, 13, 18, 30)  # the alias, first, Box, and generic on line 30 of 29-31
    assert lines["Default"] == (5, 18)
    assert lines["Other"] == (8, 18)
    assert lines["Spec"] == (18,)
    assert lines["tuple"] == (18,)  # the default of *Ts
    assert lines["Callable"] == (5,)


def test_a_generic_function_or_class_has_the_facts_of_its_plain_spelling() -> None:
    plain = facts_of(
        "class Box(Base):\n    async def get(self, key: U) -> T:\n        return key\n\n\n"
        "def first(items: list[T]) -> T:\n    return items[0]\n"
    )
    generic = facts_of(
        "class Box[T: Bound](Base):\n    async def get[U](self, key: U) -> T:\n        return key\n\n\n"
        "def first[T](items: list[T]) -> T:\n    return items[0]\n"
    )
    assert generic.classes == plain.classes
    assert generic.functions == plain.functions
    assert generic.attr_calls == plain.attr_calls


def test_a_type_alias_binds_its_name_on_its_line() -> None:
    facts = facts_of(NEW_SYNTAX)
    bound = {(b.name, b.line, b.end_line) for b in facts.bindings if not b.scope}
    assert {("Alias", 4, 4), ("Handler", 5, 5), ("Wide", 6, 9)} <= bound, bound
    assert "Wide" in facts.defined_names()


def test_pep_701_fields_are_read_at_their_lines() -> None:
    facts = facts_of(NEW_SYNTAX)
    lines = dict(facts.name_refs)
    assert lines["width"] == (23,) and lines["names"] == (23,)
    assert lines["total"] == (24,) and lines["tax"] == (25,)
    assert lines["deep"] == (34,) and lines["multi"] == (35,)
    assert lines["name"] == (23, 37)  # the string "name" on line 23 (a name for `getattr`), the t-string
    assert lines["key"] == (23,)
    tree = read(NEW_SYNTAX).tree
    joined = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Return) and isinstance(n.value, ast.JoinedStr))
    assert isinstance(joined, ast.JoinedStr)
    fields = [v for v in joined.values if isinstance(v, ast.FormattedValue)]
    assert [ast.unparse(v.value) for v in fields] == ["self.items[key]['name']", "'\\n'.join(names)", "total + tax"]
    assert fields[0].conversion == ord("r") and ast.unparse(fields[0].format_spec) == "f'>{width}'"


def test_the_text_of_a_self_documenting_field_is_the_expression_as_written() -> None:
    tree = read('x = f"{d["k"] = }"\n').tree
    assert ast.unparse(tree) == "x = f\"\"\"d[\"k\"] = {d['k']!r}\"\"\""


def test_except_without_parentheses_and_t_strings() -> None:
    source = "try:\n    pass\nexcept* A, B:\n    pass\nlabel = t'{user.name}!'\n"
    tree = read(source).tree
    assert ast.unparse(tree).splitlines()[2:] == ["except* (A, B):", "    pass", "label = f'{user.name}!'"]


# ---- the same facts as the spelling this Python knows ---------------------------------------------
# Real-looking code in 3.11 f-strings whose fields hold strings in the other quote.
FSTRINGS_311 = '''\
import importlib


def describe(order, width=10):
    header = f"{order['id']:>{width}} {order['customer']['name']!r}"
    items = f"{', '.join(item['sku'] for item in order['items'])}"
    plugin = importlib.import_module(f"app.plugins.{order['kind']}")
    return f"""
{header}
{items} {plugin.render(order, style='compact')}
{f"{order['total']:.2f}"} {order.get('note', 'none')=}
"""


class Report:
    def render(self, rows):
        return [f"{row['name']}: {self.format(row['value'], unit='ms')}" for row in rows]
'''


class _SameQuotes(cst.CSTTransformer):
    """Give the strings in each single-quoted f-string's fields the f-string's own quote."""

    def __init__(self) -> None:
        self.quotes: list[str] = []
        self.changed = 0

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.quotes.append(node.quote)

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.BaseExpression:
        self.quotes.pop()
        return updated

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        quote = self.quotes[-1] if self.quotes else ""
        if len(quote) != 1 or updated.quote == quote or quote in updated.raw_value or "\\" in updated.raw_value:
            return updated
        self.changed += 1
        return updated.with_changes(value=f"{updated.prefix}{quote}{updated.raw_value}{quote}")


def same_quotes(source: str, required: bool = True) -> str:
    transformer = _SameQuotes()
    rewritten = cst.parse_module(source).visit(transformer).code
    assert transformer.changed or not required
    return rewritten


def without_clone_text(facts: ModuleFacts) -> dict[str, object]:
    return {f.name: getattr(facts, f.name) for f in fields(facts) if f.name != "clone_text"}


@pytest.mark.parametrize(
    "path", [None, "fixtures/chat_app/gradio_ui.py", "fixtures/chat_app/app/routes/sse.py", "analyzer/render/text.py"]
)
def test_pep_701_quotes_give_the_facts_of_the_311_spelling(path: str | None) -> None:
    """The same program with its f-strings' inner quotes made the same as the outer ones (PEP
    701): the same facts, line for line; this Python refuses it."""
    source = FSTRINGS_311 if path is None else (Path(__file__).parents[2] / path).read_text(encoding="utf-8")
    newer = same_quotes(source)
    assert refused_here(newer) == OLD_PYTHON
    expected, got = facts_of(source), facts_of(newer)
    assert got.error is None
    assert without_clone_text(got) == without_clone_text(expected)


def test_an_app_with_pep_701_quotes_has_the_findings_of_its_311_spelling(tmp_path: Path) -> None:
    """`fixtures/chat_app` with the f-strings of its modules in PEP 701 quotes: the same findings,
    at the same lines (its duplicate-module finding compares clone fingerprints too)."""
    copy = tmp_path / "chat_app"
    shutil.copytree(FIXTURES / "chat_app", copy)
    switched = []
    for path in copy.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if re.search(r"""\bf['"]""", source) and (newer := same_quotes(source, required=False)) != source:
            path.write_text(newer, encoding="utf-8")
            switched.append(path.name)
    assert len(switched) >= 5

    def found(root: Path) -> list[tuple[object, ...]]:
        result = scan(root)
        assert result.diagnostics == ()
        return sorted((f.rule, f.path, f.symbol, f.line, f.end_line) for f in result.findings)

    assert found(copy) == found(FIXTURES / "chat_app")
    assert len(found(copy)) == 4


# f-strings of every shape this Python knows; rewritten anyway, they must give the very same tree.
FSTRING_SHAPES = '''\
a = f"{x!r} {y!s:>10} {z!a:{w}.{p}f} {{literal}} {v=} {v = !s:^5}"
b = rf"\\d{x}\\{y}" F'{x}' fR"{x:{'>'}{w}}"
c = (f"one {x}"
     "two"
     f"three {y + 1:{z}}")
d = f"""
first {x}
second {
y['k']}
"""
e = f"\\N{EM DASH} {x:%Y-%m-%d} {f'{y}'} {(lambda q: q)(1)} {(v := 3)} {x if y else z}"
f = f"{ {'a': 1}['a'] } {[i for i in range(3)]} {*xs,} {x!r:{y}{z}}"
'''


def tree_and_lines(tree: ast.AST) -> tuple[str, list[tuple[str, int, int | None]]]:
    located = [n for n in ast.walk(tree) if isinstance(n, (ast.expr, ast.stmt))]
    return ast.dump(tree), sorted((type(n).__name__, n.lineno, n.end_lineno) for n in located)


WITH_F_STRINGS = sorted(
    path.relative_to(FIXTURES).as_posix()
    for app in ("flask_shop", "chat_app")
    for path in (FIXTURES / app).rglob("*.py")
    if re.search(r"""\bf['"]""", path.read_text(encoding="utf-8"))
)


@pytest.mark.parametrize("path", [None, *WITH_F_STRINGS])
def test_every_f_string_rewritten_gives_the_same_tree(path: str | None) -> None:
    """Placeholders in, expressions spliced back: on code this Python parses, rewriting every
    f-string anyway must give exactly its own tree, with every node's lines."""
    source = FSTRING_SHAPES if path is None else (FIXTURES / path).read_text(encoding="utf-8")
    result = downlevel.read(source, every_string=True)
    assert result is not None and result.text != source
    assert tree_and_lines(result.tree) == tree_and_lines(ast.parse(source))


# ---- clone fingerprints and comments --------------------------------------------------------------
def test_clone_text_and_comments_come_from_the_original_when_the_lexer_copes() -> None:
    source = 'def f[T](x: T) -> T:  # hygiene: ignore\n    return f"{x["a"]}"\n\n\ny = 1\n'
    result = read(source)
    assert result.lexed_from == "original" and result.lexed == lex(source)
    assert facts_of(source).suppressions == ((1, ()),)


def test_clone_text_comes_from_the_rewrite_when_a_field_misleads_the_lexer() -> None:
    """A `"("` inside a PEP 701 field hides from the regular-expression lexer the quotes around
    it: it sees a bracket open to the end of the file, so one logical line."""
    source = 'x = f"{a + "(" + b}"\n\n\ndef g():\n    return 1\n\n\ny = 2\n'
    assert [line[0] for line in lex(source)[0]] == [1]
    result = read(source)
    assert result.lexed_from == "downlevelled"
    assert [line[0] for line in result.lexed[0]] == [1, 4, 5, 8]


# ---- what libcst is never given -------------------------------------------------------------------
# Nesting and chains hidden inside PEP 701 fields: before 3.12, `tokenize` cuts the f-string at the
# first inner quote, so what follows reads as strings and names. libcst dies (SIGSEGV) on the
# first from about 5000 levels, and takes seconds on the others.
HIDDEN = {
    "brackets": 'x = f"{' + '"".join(' * 1000 + "a" + ")" * 1000 + '}"\n',
    "operators": 'x = f"{a' + ' + "b"' * 3000 + '}"\n',
    "subscripts": 'x = f"{a' + '["b"]' * 3000 + '}"\n',
}


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_nesting_hidden_in_pep_701_fields_keeps_libcst_away(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = HIDDEN[name]
    if OLD_PYTHON:
        assert max(nesting(source)) < 10  # what this Python's tokenizer sees
    assert max(downlevel.measure(source)) >= 1000
    assert not downlevel.safe(source)

    def must_not_run(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("libcst was given a file that may crash it")

    monkeypatch.setattr(downlevel.cst, "parse_module", must_not_run)
    started = time.perf_counter()
    facts = facts_of(source)
    assert time.perf_counter() - started < 5
    assert facts.error is not None if OLD_PYTHON else True


def test_the_measure_is_the_tokenizers_on_code_without_f_strings() -> None:
    source = (FIXTURES / "flask_shop" / "shop" / "repository.py").read_text(encoding="utf-8")
    source = "\n".join(line for line in source.splitlines() if 'f"' not in line and "f'" not in line)
    assert downlevel.measure(source) == nesting(source)
    assert downlevel.measure("x = a + b + c\ny = ((d))\nz = [e, f(g.h)]\n...\n") == (2, 2)
    # Fields nest (2 here), what is in plain strings does not.
    assert downlevel.measure('x = f"{a + (b * c)!r:>{d.e}}" + "{(((("\n') == (2, 2)


# ---- what stays a diagnostic ----------------------------------------------------------------------
def test_a_syntax_error_stays_a_syntax_error() -> None:
    assert facts_of("def f[T](x: T:\n    pass\n").error == "syntax error at line 1: expected '('"
    assert downlevel.read("def f(:\n    pass\n") is None


@pytest.mark.skipif(not OLD_PYTHON, reason="a newer Python parses it itself (or refuses it itself)")
def test_what_libcst_accepts_but_cannot_be_rewritten_is_explained() -> None:
    """Format specs nested three deep: libcst accepts them, no Python does."""
    error = facts_of('x = f"{a:{b:{c["k"]}}}"\n').error
    assert error is not None
    assert error.startswith("uses syntax newer than Python 3.11 that could not be rewritten for it (line 1:")


def test_a_field_this_pythons_unparse_refuses_is_kept_unparsable() -> None:
    """`ast.unparse` before 3.12 refuses a backslash in a field; the visitor unparses class
    keywords and annotations."""
    facts = facts_of('class Config(Base, label=f"{"\\\\".join(parts)}"):\n    pass\n')
    assert facts.error is None
    assert facts.classes[0].keywords == (("label", "f\"{'?'.join(parts)}\""),)
    assert dict(facts.name_refs)["parts"] == (1,)


@pytest.mark.parametrize("path", ["app/api/users.py", "app/api/items.py", "app/models.py"])
def test_truncated_new_syntax_never_raises(path: str) -> None:
    source = (FIXTURES / "new_syntax_app" / path).read_bytes()
    for end in range(0, len(source), 37):
        facts = extract("m.py", "m", False, source[:end])
        assert facts.error is None or facts.error.startswith(("syntax error", "uses syntax newer")), facts.error


@pytest.mark.skipif(not OLD_PYTHON, reason="a newer Python parses them itself")
def test_the_fixture_api_modules_are_newer_syntax_than_this_python() -> None:
    app = FIXTURES / "new_syntax_app" / "app"
    newer = sorted(p.relative_to(app).as_posix() for p in app.rglob("*.py") if refused_here(p.read_text("utf-8")))
    assert newer == ["api/items.py", "api/reports.py", "api/users.py", "models.py", "repositories.py"]


def test_the_newer_syntax_probe_keeps_libcst_away_from_hidden_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `hygiene verify` calls it on every file compile() refuses; it crashed libcst."""
    from analyzer.facts.extract import newer_syntax

    given: list[str] = []
    monkeypatch.setattr(cst, "parse_module", lambda source, *_args, **_kwargs: given.append(source))
    newer_syntax(HIDDEN["brackets"].encode())
    assert given == []
