"""Each libcst rewrite on its own: before and after source, formatting kept."""

from __future__ import annotations

import pytest

from analyzer.fixes import transforms


def test_append_aliases_adds_a_commented_block_at_the_end() -> None:
    before = b"class New:\n    pass\n\n\ndef get_new():\n    return New()\n"
    after = transforms.append_aliases(before, [("Old", "New"), ("get_old", "get_new")], "Old names")
    assert after == before + b"\n# Old names\nOld = New\nget_old = get_new\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("from app.core.old import Thing\n", "from app.core.new import Thing\n"),
        ("from app.core.old import get_old\n", "from app.core.new import get_new as get_old\n"),
        ("from .old import Thing\n", "from app.core.new import Thing\n"),
        ("from app.core import old\n", "from app.core import new as old\n"),
        ("from app.core import old as o, other\n", "from app.core import new as o, other\n"),
        ("import app.core.old as o\n", "import app.core.new as o\n"),
        ("import app.core.old\nx = app.core.old.Thing\n", "import app.core.new\nx = app.core.new.Thing\n"),
        ("patch('app.core.old.Thing')\n", "patch('app.core.new.Thing')\n"),
        ('patch("app.core.old")  # keep\n', 'patch("app.core.new")  # keep\n'),
        (
            "from app.core.older import X\nimport app.core.old_stuff\n",
            "from app.core.older import X\nimport app.core.old_stuff\n",
        ),
    ],
)
def test_rewrite_module_references(before: str, after: str) -> None:
    result = transforms.rewrite_module_references(
        before.encode(), "app.core", "app.core.old", "app.core.new",
        renames={"get_old": "get_new"}, exported={"Thing"},
    )
    assert result.decode() == after


def test_remove_module_imports_drops_the_name_and_its_dunder_all_entry() -> None:
    before = b'from app.routes import chat, sse, users\n\n__all__ = ["chat", "sse", "users"]\n'
    after = transforms.remove_module_imports(before, "app.routes", "app.routes.sse")
    assert after == b'from app.routes import chat, users\n\n__all__ = ["chat", "users"]\n'


def test_remove_module_imports_removes_a_whole_statement_and_relative_forms() -> None:
    before = b"from . import sse\nimport app.routes.sse\nfrom . import chat\n"
    assert transforms.remove_module_imports(before, "app.routes", "app.routes.sse") == b"from . import chat\n"


def test_remove_class_keeps_the_rest_and_drops_imports_only_it_used() -> None:
    before = (
        b"import shutil\nimport os\n\n\ndef keep():\n    return os.sep\n\n\n"
        b"class Stale:\n    def go(self):\n        shutil.rmtree('x')\n\n\nclass Live:\n    pass\n"
    )
    after = transforms.remove_class(before, "Stale", 9, "app.mod")
    assert after == b"import os\n\n\ndef keep():\n    return os.sep\n\n\nclass Live:\n    pass\n"


def test_remove_class_only_removes_the_definition_at_the_given_line() -> None:
    before = b"class A:\n    x = 1\n\n\nclass A:\n    x = 2\n"
    assert transforms.remove_class(before, "A", 1, "m") == b"class A:\n    x = 2\n"
    with pytest.raises(ValueError):
        transforms.remove_class(before, "A", 3, "m")


def test_add_method_indents_docstrings_and_keeps_crlf() -> None:
    before = b"class Event:\r\n    kind: str\r\n\r\n    def a(self):\r\n        return 1\r\n\r\n\r\nX = Event\r\n"
    method = 'def b(self) -> str:\n    """Doc.\n\n    More.\n    """\n    return "b"\n'
    after = transforms.add_method(before, "Event", 1, method)
    assert after == (
        b"class Event:\r\n    kind: str\r\n\r\n    def a(self):\r\n        return 1\r\n\r\n"
        b'    def b(self) -> str:\r\n        """Doc.\r\n\r\n        More.\r\n        """\r\n        return "b"\r\n'
        b"\r\n\r\nX = Event\r\n"
    )


def test_add_method_adds_the_imports_a_recipe_needs() -> None:
    before = b"from dataclasses import dataclass\n\n\n@dataclass\nclass P:\n    x: int\n"
    after = transforms.add_method(before, "P", 4, "def to_json(self):\n    return json.dumps(1)\n", ["json"])
    assert after.startswith(b"from dataclasses import dataclass\nimport json\n")
    assert b"    def to_json(self):\n        return json.dumps(1)\n" in after


def test_tab_indented_classes_get_tab_indented_methods() -> None:
    before = b"class T:\n\tdef a(self):\n\t\treturn 1\n"
    after = transforms.add_method(before, "T", 1, "def b(self):\n    return 2\n")
    assert after == b"class T:\n\tdef a(self):\n\t\treturn 1\n\n\tdef b(self):\n\t\treturn 2\n"


def test_rewrites_refuse_what_would_crash_the_native_parser() -> None:
    chain = ("x = " + "+".join(["a"] * 20000) + "\n").encode()
    with pytest.raises(ValueError, match="too deeply nested or chained"):
        transforms.append_aliases(chain, [("A", "B")], "x")
