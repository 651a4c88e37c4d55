from __future__ import annotations

from analyzer.facts.extract import extract, route_paths


def facts_of(source: str, module: str = "app.routes.sse", is_package: bool = False):
    return extract(module.replace(".", "/") + ".py", module, is_package, source.encode())


def test_relative_imports_resolve_against_the_package() -> None:
    facts = facts_of("from . import chat\nfrom ..core.x import Y as Z\nfrom .. import *\n")
    got = [(i.module, i.name, i.alias, i.level, i.is_star) for i in facts.imports]
    assert got == [
        ("app.routes", "chat", "chat", 1, False),
        ("app.core.x", "Y", "Z", 2, False),
        ("app", "*", "*", 2, True),
    ]


def test_relative_import_in_a_package_init_is_relative_to_the_package_itself() -> None:
    facts = facts_of("from . import sse\n", module="app.routes", is_package=True)
    assert facts.imports[0].module == "app.routes"


def test_plain_imports_bind_the_top_name_or_the_alias() -> None:
    facts = facts_of("import a.b.c\nimport d.e as f\n")
    assert [(i.module, i.name, i.alias) for i in facts.imports] == [("a.b.c", None, "a"), ("d.e", None, "f")]


def test_type_checking_and_conditional_imports_are_marked() -> None:
    facts = facts_of(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import A\n"
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
    )
    flags = {i.alias: (i.type_checking, i.conditional) for i in facts.imports}
    assert flags["A"] == (True, True)
    assert flags["json"] == (False, True)
    assert flags["TYPE_CHECKING"] == (False, False)


def test_dunder_all_is_read_from_assignment_and_extension() -> None:
    facts = facts_of("__all__ = ['a', 'b']\n__all__ += ['c']\n__all__.extend(['d'])\n")
    assert facts.dunder_all == ("a", "b", "c", "d")


def test_class_facts_include_span_bases_members_and_self_attributes() -> None:
    facts = facts_of(
        "@dataclass\nclass A(Base, Generic[T], metaclass=Meta):\n    x: int = 1\n\n"
        "    def __init__(self):\n        self.repo = Repo()\n\n    def m(self):\n        return 1\n"
    )
    (cls,) = facts.classes
    assert (cls.span.line, cls.span.end_line, cls.last_statement_line) == (1, 9, 9)
    assert cls.bases == ("Base", "Generic") and cls.metaclass == "Meta"
    assert cls.decorators == ("dataclass",)
    assert cls.methods == ("__init__", "m")
    assert set(cls.attributes) == {"x", "repo"}
    assert [(name, ev.kind, ev.expr) for name, ev in cls.attribute_types] == [("repo", "call", "Repo")]


def test_getattr_and_setattr_on_self_make_a_class_dynamic() -> None:
    assert facts_of("class A:\n    def __getattr__(self, n):\n        return n\n").classes[0].dynamic_attributes
    assert facts_of("class A:\n    def f(self, n):\n        setattr(self, n, 1)\n").classes[0].dynamic_attributes
    assert not facts_of("class A:\n    def f(self):\n        return 1\n").classes[0].dynamic_attributes
    # a name written out, or a constant of the module, is an attribute like any other
    known = facts_of(
        "KEY = 'y'\n\n\nclass A:\n    def f(self):\n        setattr(self, 'x', 1)\n        setattr(self, KEY, 2)\n"
    )
    assert not known.classes[0].dynamic_attributes and {"x", "y"} <= set(known.classes[0].attributes)


def test_receiver_evidence_from_annotation_constructor_and_return() -> None:
    facts = facts_of(
        "def f(a: Optional['Ev'], b):\n    c = Ev()\n    d = await load()\n"
        "    a.x(); b.x(); c.x(); d.x(); e.x()\n"
    )
    evidence = {
        c.receiver: (c.evidence and (c.evidence.kind, c.evidence.expr), c.bound_locally) for c in facts.attr_calls
    }
    assert evidence["a"] == (("annotation", "Optional['Ev']"), True)
    assert evidence["b"] == (None, True)
    assert evidence["c"] == (("call", "Ev"), True)
    assert evidence["d"] == (("await", "load"), True)
    assert evidence["e"] == (None, False)


def test_a_name_bound_twice_or_narrowed_has_no_evidence() -> None:
    facts = facts_of(
        "def f(flag):\n    x = A()\n    if flag:\n        x = B()\n    x.run()\n"
        "def g(y: A):\n    if isinstance(y, B):\n        y.run()\n"
    )
    assert [(c.receiver, c.evidence) for c in facts.attr_calls] == [("x", None), ("y", None)]


def test_closures_see_the_enclosing_function_bindings() -> None:
    facts = facts_of("def f():\n    x = A()\n    def g():\n        return x.run()\n    return g\n")
    (call,) = facts.attr_calls
    assert call.evidence is not None and call.evidence.expr == "A" and call.scope == "f.g"


def test_routes_from_decorators_and_registration_calls() -> None:
    facts = facts_of(
        "router = APIRouter(prefix='/my/chat')\n\n@router.get('/{id}/events/', deprecated=True)\n"
        "async def events(id): ...\n\n@bp.route('/x', methods=['GET', 'POST'])\ndef x(): ...\n"
        "bp.add_url_rule('/v', view_func=View.as_view('v'), methods=['PUT'])\n"
    )
    got = [(r.receiver, r.methods, r.path, r.handler, r.deprecated) for r in facts.routes]
    assert got == [
        ("router", ("GET",), "/{id}/events/", "events", True),
        ("bp", ("GET", "POST"), "/x", "x", False),
        ("bp", ("PUT",), "/v", "View.as_view", False),
    ]
    (binding,) = [b for b in facts.bindings if b.name == "router"]
    assert binding.callee == "APIRouter" and dict(binding.keywords) == {"prefix": "/my/chat"}


def _mounted(facts) -> list[tuple]:
    return [
        (m.method, tuple((t.expr, t.prefix, t.called, t.module, t.collection) for t in m.targets), m.dynamic,
         m.dynamic_attr, m.dynamic_package)
        for m in facts.mounts
    ]


def test_mounts_expand_loops_over_literal_lists_and_defer_named_lists() -> None:
    facts = facts_of(
        "for m in (a, b):\n    app.include_router(m.router, prefix='/x')\n"
        "for r in ROUTERS:\n    app.include_router(r)\n"
        "app.include_router(getattr(mod, 'router'))\n"
        "app.register_blueprint(bp, url_prefix='/y')\napp.mount('/v2', sub)\n"
        "# app.include_router(commented.router)\nx = 'app.include_router(in_string.router)'\n"
    )
    assert _mounted(facts) == [
        ("include_router", (("a.router", "/x", False, None, None), ("b.router", "/x", False, None, None)),
         False, None, None),
        ("include_router", (("", None, False, None, "ROUTERS"),), False, None, None),
        ("include_router", (("mod.router", None, False, None, None),), False, None, None),
        ("register_blueprint", (("bp", "/y", False, None, None),), False, None, None),
        ("mount", (("sub", "/v2", False, None, None),), False, None, None),
    ]


def test_loops_over_literal_tuples_bind_every_target_shape() -> None:
    facts = facts_of(
        "for bp, prefix in ((billing_bp, '/billing'), (search_bp, '/search')):\n"
        "    app.register_blueprint(bp, url_prefix=prefix)\n"
        "ROUTES = {'/a': a.router, '/b': b.router}\n"
        "for prefix, router in ROUTES.items():\n    app.include_router(router, prefix=prefix)\n"
        "for (module, prefix), *_ in [((users, '/u'), 1)]:\n    app.include_router(module.router, prefix=prefix)\n"
        "[app.include_router(r) for r in [x.router, y.router]]\n"
    )
    targets = [tuple((t.expr, t.prefix) for t in m.targets) for m in facts.mounts]
    assert targets == [
        (("billing_bp", "/billing"), ("search_bp", "/search")),
        (("a.router", "/a"), ("b.router", "/b")),
        (("users.router", "/u"),),
        (("x.router", None), ("y.router", None)),
    ]


def test_a_collection_changed_in_place_is_not_read_literally() -> None:
    facts = facts_of(
        "routers = [a.router]\nrouters.append(b.router)\nfor r in routers:\n    app.include_router(r)\n"
    )
    assert _mounted(facts) == [("include_router", (("", None, False, None, "routers"),), False, None, None)]


def test_modules_loaded_by_name_are_read_when_their_names_are_literal() -> None:
    facts = facts_of(
        "import importlib\nfor name in ['users', 'items']:\n"
        "    module = importlib.import_module(f'app.routes.{name}')\n    app.include_router(module.router)\n"
        "def load(app, names):\n    for name in names:\n"
        "        plugin = importlib.import_module('app.plugins.' + name)\n        app.include_router(plugin.router)\n"
    )
    assert _mounted(facts) == [
        ("include_router", (("router", None, False, "app.routes.users", None),
                            ("router", None, False, "app.routes.items", None)), False, None, None),
        ("include_router", (), True, "router", "app.plugins"),
    ]
    assert [(d.names, d.package) for d in facts.dynamic_imports] == [
        (("app.routes.users", "app.routes.items"), None),
        ((), "app.plugins"),
    ]


def test_a_package_walk_names_the_package_it_walks() -> None:
    facts = facts_of(
        "import pkgutil, importlib\nfrom app import plugins\n"
        "for info in pkgutil.iter_modules(plugins.__path__):\n"
        "    importlib.import_module(f'{plugins.__name__}.{info.name}')\n"
        "for info in pkgutil.iter_modules(__path__):\n    pass\n",
        module="app.routes",
        is_package=True,
    )
    assert [(d.names, d.package) for d in facts.dynamic_imports] == [
        ((), "app.plugins"), ((), "app.plugins"), ((), "app.routes"),
    ]


def test_names_and_dotted_and_string_references() -> None:
    facts = facts_of(
        "import app.core.x as x\nclass A:\n    pass\n"
        "y = x.B\nz: 'A'\npatch('app.core.x.C')\n"
    )
    assert facts.name_lines("A") == (5,)
    assert ("x.B", 4, "") in facts.dotted_refs
    assert ("app.core.x.C", 6) in facts.string_refs


def test_deprecation_notes_in_docstrings_and_comment_blocks() -> None:
    facts = facts_of(
        '"""UI.\n\nDeprecated endpoints: /my/chat/{id}/events/ use /my/projects/{p}/events/.\n"""\n'
        "x = 1\n# Deprecated:\n#   GET /old/stats/\n#   see http://example.com/docs\n"
    )
    notes = [(n.line, n.end_line, n.paths) for n in facts.deprecation_notes]
    assert notes == [
        (1, 4, ("/my/chat/{id}/events/", "/my/projects/{p}/events/")),
        (6, 8, ("/old/stats/",)),
    ]


def test_unparsable_sources_give_an_error_not_an_exception() -> None:
    assert facts_of("def f(:\n").error.startswith("syntax error")
    assert extract("x.py", "x", False, b"print 'py2'\n").error is not None
    assert extract("x.py", "x", False, b"x = '\xff\xfe'\n").error is not None
    assert extract("x.py", "x", False, b"x = 1\x00\n").error == "contains NUL bytes"


def test_pathological_nesting_and_chains_give_an_error_or_facts_never_a_crash() -> None:
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    assert "too many nested parentheses" in extract("x.py", "x", False, deep.encode()).error
    chain = "x = " + "+".join(["a"] * 20000) + "\n"
    facts = extract("x.py", "x", False, chain.encode())
    assert facts.error is None or "too deeply nested" in facts.error
    flat = "x = [" + ", ".join(["f(1) + 2"] * 3000) + "]\n"
    assert extract("x.py", "x", False, flat.encode()).error is None


def test_encoding_cookie_bom_crlf_and_new_syntax_parse() -> None:
    latin = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1")
    assert extract("x.py", "x", False, latin).error is None
    assert extract("x.py", "x", False, b"\xef\xbb\xbfx = 1\r\ny = 2\r\n").error is None
    match = "def f(x):\n    match x:\n        case [a, *rest]:\n            return a\n    return x\n"
    assert extract("x.py", "x", False, match.encode()).error is None
    modern = "type Alias = list[int]\ndef f[T](x: T) -> T:\n    return x\n"
    error = extract("x.py", "x", False, modern.encode()).error
    assert error is None


def test_route_paths_ignore_urls() -> None:
    assert route_paths("see https://x.org/a/b and /api/v1/{id}/") == ("/api/v1/{id}/",)
