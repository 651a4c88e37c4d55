"""Name resolution across modules, on small indexes."""

from __future__ import annotations

from analyzer.index import Symbol
from tests.unit import project_of


def test_relative_aliased_and_re_exported_imports_resolve_to_the_definition() -> None:
    index = project_of({
        "app/__init__.py": "",
        "app/core/__init__.py": "from .models import User as Person\n",
        "app/core/models.py": "class User:\n    pass\n\n\nAccount = User\n",
        "app/api.py": "from app.core import Person\nfrom .core import models as m\nimport app.core.models\n",
    }).index
    assert index.resolve_name("app.api", "Person") == Symbol("class", "app.core.models", "User")
    assert index.resolve_dotted("app.api", "m.User") == Symbol("class", "app.core.models", "User")
    assert index.resolve_dotted("app.api", "app.core.models.Account") == Symbol("binding", "app.core.models", "Account")
    assert index.resolve_class("app.api", "m.Account") == Symbol("class", "app.core.models", "User")


def test_star_imports_follow_dunder_all_and_skip_private_names() -> None:
    index = project_of({
        "lib.py": "__all__ = ['Public']\n\n\nclass Public:\n    pass\n\n\nclass Hidden:\n    pass\n",
        "other.py": "class _Private:\n    pass\n\n\nclass Shown:\n    pass\n",
        "use.py": "from lib import *\nfrom other import *\n",
    }).index
    assert index.resolve_name("use", "Public") == Symbol("class", "lib", "Public")
    assert index.resolve_name("use", "Hidden") is None
    assert index.resolve_name("use", "Shown") == Symbol("class", "other", "Shown")
    assert index.resolve_name("use", "_Private") is None


def test_a_function_scope_import_and_an_optional_import_fallback() -> None:
    index = project_of({
        "a.py": "class A:\n    pass\n",
        "b.py": (
            "def f():\n    from a import A\n    return A\n\n\n"
            "try:\n    from a import A as Maybe\nexcept ImportError:\n    Maybe = None\n"
        ),
    }).index
    assert index.resolve_name("b", "A", scope="f") == Symbol("class", "a", "A")
    assert index.resolve_name("b", "A") is None  # only the function imports it
    assert index.resolve_name("b", "Maybe") == Symbol("class", "a", "A")  # the fallback is not the value


def test_cycles_of_imports_and_aliases_end() -> None:
    index = project_of({
        "x.py": "from y import Thing\n",
        "y.py": "from x import Thing\n",
        "z.py": "A = B\nB = A\n",
    }).index
    assert index.resolve_name("x", "Thing") in {Symbol("external", "x", "Thing"), Symbol("external", "y", "Thing")}
    assert index.follow_alias(Symbol("binding", "z", "A")) in {Symbol("binding", "z", "A"), Symbol("binding", "z", "B")}


def test_external_names_and_the_import_graph() -> None:
    index = project_of({
        "app/__init__.py": "",
        "app/a.py": "import os.path\nfrom fastapi import APIRouter\nfrom app import b\n",
        "app/b.py": "",
    }).index
    assert index.resolve_dotted("app.a", "os.path.join") == Symbol("external", "os.path", "join")
    assert index.resolve_name("app.a", "APIRouter") == Symbol("external", "fastapi", "APIRouter")
    assert index.importers("app.b") == ["app.a"]
    assert index.is_module("app") and index.is_module("app.b") and not index.is_module("app.c")
