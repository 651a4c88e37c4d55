"""shadowed-route beyond the rule's own examples: converters, prefixes, methods, mount order,
Flask's rules, the uncertain cases and the fixes that are skipped."""

from __future__ import annotations

import pytest

from analyzer.checks.shadowed_route.paths import covers, parse, same_rule
from analyzer.fixes.plan import PlanOptions, build_plan
from analyzer.scan import ScanResult

RULE = "shadowed-route"


def _router(prefix: str, *routes: tuple[str, str, str]) -> str:
    """A FastAPI router module with (verb, path, handler) routes, in this order."""
    text = f"from fastapi import APIRouter\n\nrouter = APIRouter(prefix={prefix!r})\n"
    for verb, path, handler in routes:
        text += f"\n\n@router.{verb}({path!r})\ndef {handler}():\n    return {{}}\n"
    return text


def _app(*includes: str, head: str = "") -> str:
    text = "from fastapi import FastAPI\n\nfrom app import a, b\n\napp = FastAPI()\n" + head
    return text + "".join(f"app.include_router({include})\n" for include in includes)


def _found(result: ScanResult) -> list[tuple[str, int, str | None, str]]:
    return sorted((f.path, f.line, f.symbol, f.confidence) for f in result.findings if f.rule == RULE)


_MAIN = "from fastapi import FastAPI\n\nfrom app.users import router\n\napp = FastAPI()\napp.include_router(router)\n"


def _two_routers(a: str, b: str, main: str, **more: str) -> dict[str, str]:
    return {"app/__init__.py": "", "app/a.py": a, "app/b.py": b, "app/main.py": main, **more}


# ---- paths --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("first", "later", "answer"),
    [
        ("/users/{user_id}", "/users/me", "yes"),
        ("/users/{user_id:int}", "/users/me", "no"),
        ("/users/{user_id:int}", "/users/42", "yes"),
        ("/users/{name}", "/users/{user_id:int}", "yes"),
        ("/users/{user_id:int}", "/users/{name}", "no"),
        ("/files/{p:path}", "/files/a/b", "yes"),
        ("/files/{name}", "/files/a/b", "no"),
        ("/files/{p:path}", "/files", "no"),
        ("/files/{name}.json", "/files/report.json", "yes"),
        ("/files/{name}.json", "/files/report.csv", "no"),
        ("/v/{x:float}", "/v/{y:int}", "yes"),
        ("/v/{x:uuid}", "/v/me", "no"),
        ("/users/{slug:slug}", "/users/me", "maybe"),
        ("/users/{name}", "/users/{slug:slug}", "maybe"),
        ("/users/", "/users", "no"),
    ],
)
def test_what_an_earlier_starlette_path_covers(first: str, later: str, answer: str) -> None:
    assert covers(parse(first, "fastapi"), parse(later, "fastapi")) == answer


def test_werkzeug_rules_are_the_same_whatever_their_parameters_are_called() -> None:
    assert same_rule(parse("/o/<int:order_id>", "flask"), parse("/o/<int:id>", "flask"))
    assert same_rule(parse("/o/<name>", "flask"), parse("/o/<string:key>", "flask"))
    assert not same_rule(parse("/o/<int:id>", "flask"), parse("/o/<id>", "flask"))
    assert not same_rule(parse("/o/<int:id>", "flask"), parse("/o/<int:id>/", "flask"))


# ---- FastAPI --------------------------------------------------------------------------------------
def test_a_route_on_the_application_after_an_included_router(scan_tree) -> None:
    result = scan_tree(_two_routers(
        _router("/users", ("get", "/{user_id}", "get_user")),
        _router(""),
        _app("a.router") + "\n\n@app.get('/users/me')\ndef me():\n    return {}\n",
    ), rules={RULE})
    assert _found(result) == [("app/main.py", 9, "me", "high")]
    (finding,) = result.findings
    assert finding.to_dict()["details"]["shadowed_by"]["path"] == "/users/{user_id}"
    assert "line 6 before line 9" in finding.evidence[0]


def test_routers_included_in_order_across_modules_report_a_fix_that_is_skipped(scan_tree) -> None:
    result = scan_tree(_two_routers(
        _router("/users", ("get", "/{user_id}", "get_user")),
        _router("/users", ("get", "/me", "me")),
        _app("a.router", "b.router"),
    ), rules={RULE})
    assert _found(result) == [("app/b.py", 6, "me", "high")]
    (fix,) = build_plan(result, PlanOptions()).fixes
    assert fix.status == "skipped" and fix.skipped is not None and fix.skipped.key == "different_modules"


def test_the_right_include_order_is_silent(scan_tree) -> None:
    result = scan_tree(_two_routers(
        _router("/users", ("get", "/{user_id}", "get_user")),
        _router("/users", ("get", "/me", "me")),
        _app("b.router", "a.router"),
    ), rules={RULE})
    assert _found(result) == []


def test_a_path_parameter_hides_deeper_routes(scan_tree) -> None:
    files = _two_routers(
        _router("/files", ("get", "/{p:path}", "any_file"), ("get", "/a/b", "deep")),
        _router("/other", ("get", "/{name}", "named"), ("get", "/a/b", "deep_ok")),
        _app("a.router", "b.router"),
    )
    assert _found(scan_tree(files, rules={RULE})) == [("app/a.py", 11, "deep", "high")]


def test_prefixes_of_nested_routers_compose(scan_tree) -> None:
    """`/api` + `/users` + `/{user_id}` against a route declared as `/api/users/me` on the app."""
    files = _two_routers(
        _router("/users", ("get", "/{user_id}", "get_user")),
        "from fastapi import APIRouter\n\nfrom app import a\n\n"
        "api = APIRouter(prefix='/api')\napi.include_router(a.router)\n",
        "from fastapi import FastAPI\n\nfrom app.b import api\n\napp = FastAPI()\napp.include_router(api)\n\n\n"
        "@app.get('/api/users/me')\ndef me():\n    return {}\n\n\n"
        "@app.get('/users/me')\ndef plain_me():\n    return {}\n",
    )
    assert _found(scan_tree(files, rules={RULE})) == [("app/main.py", 9, "me", "high")]


def test_a_mount_prefix_that_differs_keeps_the_routes_apart(scan_tree) -> None:
    files = _two_routers(
        _router("", ("get", "/{user_id}", "get_user")),
        _router("", ("get", "/me", "me")),
        _app("a.router, prefix='/users'", "b.router, prefix='/accounts'"),
    )
    assert _found(scan_tree(files, rules={RULE})) == []


def test_a_handler_serving_several_methods_names_the_hidden_one(scan_tree) -> None:
    result = scan_tree({
        "app/__init__.py": "",
        "app/main.py": (
            "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
            "@app.get('/users/{user_id}')\ndef get_user(user_id: str):\n    return {}\n\n\n"
            "@app.api_route('/users/me', methods=['GET', 'POST'])\ndef me():\n    return {}\n"
        ),
    }, rules={RULE})
    (finding,) = result.findings
    assert finding.to_dict()["details"]["methods"] == ["GET"]


def test_a_sub_application_matches_its_routes_apart(scan_tree) -> None:
    """`app.mount("/v2", sub)`: the sub-application's routes are tried inside the mount only."""
    files = {
        "app/__init__.py": "",
        "app/main.py": (
            "from fastapi import FastAPI\n\napp = FastAPI()\nsub = FastAPI()\n\n\n"
            "@app.get('/v2/{name}')\ndef catch(name: str):\n    return {}\n\n\n"
            "@sub.get('/me')\ndef me():\n    return {}\n\n\napp.mount('/v2', sub)\n"
        ),
    }
    assert _found(scan_tree(files, rules={RULE})) == []


# ---- uncertain ----------------------------------------------------------------------------------
def test_mounts_in_two_modules_leave_the_order_unknown(scan_tree) -> None:
    result = scan_tree(_two_routers(
        _router("/users", ("get", "/{user_id}", "get_user")),
        _router("/users", ("get", "/me", "me")),
        _app("a.router"),
        **{"app/extra.py": "from app import b\nfrom app.main import app\n\napp.include_router(b.router)\n",
           "app/__main__.py": "import app.extra\nimport app.main\n"},
    ), rules={RULE})
    assert _found(result) == [("app/b.py", 6, "me", "uncertain")]
    assert any("different modules" in line for line in result.findings[0].evidence)


def test_mounts_in_two_functions_leave_the_order_unknown(scan_tree) -> None:
    main = (
        "from fastapi import FastAPI\n\nfrom app import a, b\n\napp = FastAPI()\n\n\n"
        "def first():\n    app.include_router(a.router)\n\n\n"
        "def second():\n    app.include_router(b.router)\n\n\nsecond()\nfirst()\n"
    )
    result = scan_tree(_two_routers(
        _router("/users", ("get", "/{user_id}", "get_user")), _router("/users", ("get", "/me", "me")), main,
    ), rules={RULE})
    assert _found(result) == [("app/b.py", 6, "me", "uncertain")]
    assert any("different functions" in line for line in result.findings[0].evidence)


def test_a_router_prefix_computed_at_run_time_is_a_doubt(scan_tree) -> None:
    a = _router("", ("get", "/{user_id}", "get_user")).replace(
        "APIRouter(prefix='')", "APIRouter(prefix=settings.USERS)"
    ).replace("from fastapi import APIRouter\n", "from fastapi import APIRouter\n\nfrom app import settings\n")
    result = scan_tree(_two_routers(
        a, _router("", ("get", "/me", "me")), _app("a.router", "b.router"),
        **{"app/settings.py": "import os\n\nUSERS = os.environ.get('USERS', '/users')\n"},
    ), rules={RULE})
    assert [f[3] for f in _found(result)] == ["uncertain"]
    assert any("computed at run time" in line for line in result.findings[0].evidence)


def test_a_router_prefix_built_from_constants_is_read(scan_tree) -> None:
    """`APIRouter(prefix=f"{BASE}/users")` with `BASE` a constant of the module: the prefixes are
    known, so routers under different prefixes do not shadow each other (no doubt either), and
    the same prefix written two ways still does."""
    head = "BASE = '/api'\n"
    a = _router("", ("get", "/{item_id}", "get_item")).replace(
        "APIRouter(prefix='')", "APIRouter(prefix=f'{BASE}/users')"
    ).replace("from fastapi import APIRouter\n", "from fastapi import APIRouter\n\n" + head)
    b = _router("", ("get", "/me", "me")).replace(
        "APIRouter(prefix='')", "APIRouter(prefix=BASE + '/teams')"
    ).replace("from fastapi import APIRouter\n", "from fastapi import APIRouter\n\n" + head)
    assert _found(scan_tree(_two_routers(a, b, _app("a.router", "b.router")), rules={RULE})) == []
    same = b.replace("BASE + '/teams'", "BASE + '/users'")
    assert [f[2:] for f in _found(scan_tree(_two_routers(a, same, _app("a.router", "b.router")), rules={RULE}))] == [
        ("me", "high")
    ]


def test_routers_mounted_in_the_two_branches_of_one_if_never_shadow_each_other(scan_tree) -> None:
    """`if V2: include a else: include b`: at most one is mounted, so neither hides the other;
    in a loop both branches may run (one iteration each), so the order counts again."""
    a, b = _router("/users", ("get", "/{user_id}", "get_user")), _router("/users", ("get", "/me", "me"))
    head = "from fastapi import FastAPI\n\nfrom app import a, b\n\napp = FastAPI()\nV2 = False\n"
    branches = head + "if V2:\n    app.include_router(a.router)\nelse:\n    app.include_router(b.router)\n"
    assert _found(scan_tree(_two_routers(a, b, branches), rules={RULE})) == []
    chained = head + (
        "if V2:\n    app.include_router(a.router)\nelif not V2:\n    app.include_router(b.router)\n"
    )
    assert _found(scan_tree(_two_routers(a, b, chained), rules={RULE})) == []
    looped = head + (
        "for first in (True, False):\n    if first:\n        app.include_router(a.router)\n"
        "    else:\n        app.include_router(b.router)\n"
    )
    assert [f[2] for f in _found(scan_tree(_two_routers(a, b, looped), rules={RULE}))] == ["me"]
    both = head + "if V2:\n    app.include_router(a.router)\napp.include_router(b.router)\n"
    assert [f[2] for f in _found(scan_tree(_two_routers(a, b, both), rules={RULE}))] == ["me"]


def test_a_mount_prefix_computed_at_run_time_is_a_doubt(scan_tree) -> None:
    head = "import os\n\nPREFIX = os.environ['PREFIX']\n"
    result = scan_tree(_two_routers(
        _router("", ("get", "/{user_id}", "get_user")), _router("", ("get", "/me", "me")),
        _app("a.router, prefix=PREFIX", "b.router", head=head),
    ), rules={RULE})
    assert [f[3] for f in _found(result)] == ["uncertain"]


def test_a_computed_prefix_shared_by_both_routes_is_no_doubt(scan_tree) -> None:
    result = scan_tree(_two_routers(
        _router("/users", ("get", "/{user_id}", "get_user"), ("get", "/me", "me")),
        _router(""),
        _app("a.router, prefix=PREFIX", head="import os\n\nPREFIX = os.environ['PREFIX']\n"),
    ), rules={RULE})
    assert [f[3] for f in _found(result)] == ["high"]


def test_flask_rules_that_differ_by_a_custom_converter_are_a_doubt(scan_tree) -> None:
    """Werkzeug orders converters by weight; a custom one's is not read (equal weights: the first
    registered wins). The same custom converter under another name is the same rule."""
    files = {
        "shop/__init__.py": "",
        "shop/app.py": (
            "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
            "@app.get('/p/<slug:name>')\ndef by_slug(name):\n    return name\n\n\n"
            "@app.get('/p/<slug:key>')\ndef again(key):\n    return key\n\n\n"
            "@app.get('/q/<name>')\ndef by_name(name):\n    return name\n\n\n"
            "@app.get('/q/<slug:key>')\ndef by_key(key):\n    return key\n\n\n"
            "@app.get('/r/<int:id>')\ndef by_id(id):\n    return id\n\n\n"
            "@app.get('/r/<name>')\ndef by_text(name):\n    return name\n"
        ),
    }
    result = scan_tree(files, rules={RULE})
    assert _found(result) == [("shop/app.py", 11, "again", "high"), ("shop/app.py", 21, "by_key", "uncertain")]
    assert any("custom converter `slug`" in line for line in result.findings[1].evidence)


# ---- Flask ----------------------------------------------------------------------------------------
def test_flask_blueprints_registered_under_one_prefix_share_their_rules(scan_tree) -> None:
    blueprint = "from flask import Blueprint\n\n{name} = Blueprint({name!r}, __name__)\n\n\n"
    files = {
        "shop/__init__.py": "",
        "shop/a.py": blueprint.format(name="a") + "@a.route('/<int:id>')\ndef one(id):\n    return ''\n",
        "shop/b.py": blueprint.format(name="b") + "@b.route('/<int:pk>')\ndef other(pk):\n    return ''\n",
        "shop/app.py": (
            "from flask import Flask\n\nfrom shop.a import a\nfrom shop.b import b\n\napp = Flask(__name__)\n"
            "app.register_blueprint(a, url_prefix='/items')\napp.register_blueprint(b, url_prefix='/items')\n"
        ),
    }
    result = scan_tree(files, rules={RULE})
    assert _found(result) == [("shop/b.py", 6, "other", "high")]
    assert result.findings[0].to_dict()["details"]["kind"] == "duplicate"


def test_flask_rules_are_ordered_by_specificity_not_declaration(scan_tree) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/app.py": (
            "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
            "@app.route('/files/<path:p>')\ndef any_file(p):\n    return p\n\n\n"
            "@app.route('/files/a/b')\ndef deep():\n    return ''\n\n\n"
            "@app.route('/users/<int:id>')\ndef user(id):\n    return ''\n\n\n"
            "@app.route('/users/<id>')\ndef user_by_name(id):\n    return ''\n"
        ),
    }
    assert _found(scan_tree(files, rules={RULE})) == []


# ---- fixes ----------------------------------------------------------------------------------------
def _plan(scan_tree, files: dict[str, str]):  # type: ignore[no-untyped-def]
    return build_plan(scan_tree(files, rules={RULE}), PlanOptions())


def test_a_move_that_would_read_a_name_defined_between_the_routes_is_skipped(scan_tree) -> None:
    users = (
        "from fastapi import APIRouter, Depends\n\nrouter = APIRouter(prefix='/users')\n\n\n"
        "@router.get('/{user_id}')\ndef get_user(user_id: str):\n    return {}\n\n\n"
        "def current():\n    return 1\n\n\n"
        "@router.get('/me')\ndef me(user=Depends(current)):\n    return {}\n"
    )
    main = _MAIN
    (fix,) = _plan(scan_tree, {"app/__init__.py": "", "app/users.py": users, "app/main.py": main}).fixes
    assert fix.skipped is not None and fix.skipped.key == "needs_names" and "`current`" in fix.skipped.params["names"]


def test_two_routes_hidden_by_one_move_before_it_in_their_order(scan_tree) -> None:
    users = _router("/users", ("get", "/{user_id}", "get_user"), ("get", "/me", "me"), ("get", "/self", "myself"))
    main = _MAIN
    plan = _plan(scan_tree, {"app/__init__.py": "", "app/users.py": users, "app/main.py": main})
    assert [fix.status for fix in plan.fixes] == ["fixed", "fixed"]
    final = plan.final["app/users.py"]
    assert final is not None
    text = final.decode()
    assert text.index("def me") < text.index("def myself") < text.index("def get_user")


def test_a_duplicate_handler_that_is_used_elsewhere_is_not_deleted(scan_tree) -> None:
    main = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@app.get('/ping')\ndef ping():\n    return 1\n\n\n"
        "@app.get('/ping')\ndef pong():\n    return 2\n\n\nPONG = pong\n"
    )
    (fix,) = _plan(scan_tree, {"app/__init__.py": "", "app/main.py": main}).fixes
    assert fix.skipped is not None and fix.skipped.key == "handler_used"


def test_a_second_mount_inside_a_loop_is_not_deleted(scan_tree) -> None:
    main = (
        "from fastapi import FastAPI\n\nfrom app import a\n\napp = FastAPI()\napp.include_router(a.router)\n"
        "for router in [a.router]:\n    app.include_router(router)\n"
    )
    files = {"app/__init__.py": "", "app/a.py": _router("/x", ("get", "/", "index")), "app/main.py": main}
    result = scan_tree(files, rules={RULE})
    assert _found(result) == [("app/main.py", 8, "router", "high")]
    (fix,) = build_plan(result, PlanOptions()).fixes
    assert fix.skipped is not None and fix.skipped.key == "mount_in_loop"


def test_a_duplicate_view_named_by_url_for_elsewhere_is_not_deleted(scan_tree) -> None:
    """`url_for("views.old")` builds URLs from the endpoint name even if no request reaches it."""
    files = {
        "shop/__init__.py": "",
        "shop/views.py": (
            "from flask import Blueprint\n\nviews = Blueprint('views', __name__)\n\n\n"
            "@views.route('/a')\ndef new():\n    return ''\n\n\n"
            "@views.route('/a')\ndef old():\n    return ''\n"
        ),
        "shop/app.py": (
            "from flask import Flask, url_for\n\nfrom shop.views import views\n\napp = Flask(__name__)\n"
            "app.register_blueprint(views)\n\n\ndef link():\n    return url_for('views.old')\n"
        ),
    }
    (fix,) = _plan(scan_tree, files).fixes
    assert fix.skipped is not None and fix.skipped.key == "handler_used"
    assert fix.skipped.params["where"] == "shop/app.py:10"
