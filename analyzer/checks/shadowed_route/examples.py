"""shadowed-route's example projects: what it reports (INVALID, with the tree its fix leaves) and what it must not."""

from __future__ import annotations

from analyzer.checks import Example

_MAIN = "from fastapi import FastAPI\n\nfrom app.users import router\n\napp = FastAPI()\napp.include_router(router)\n"
_HEAD = "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/users')\n"
_BY_ID = "\n\n@router.get('/{user_id}')\ndef get_user(user_id: int):\n    return {'id': user_id}\n"
_ME = "\n\n# The user of the request.\n@router.get('/me')\ndef get_me():\n    return {'id': 0}\n"
_LIST = "\n\n@router.get('/')\ndef list_users():\n    return []\n"
_LIST_AGAIN = "\n\n@router.get('/')\ndef list_users_v2():\n    return ['v2']\n"

_FLASK_APP = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
    "@app.get('/orders/<int:order_id>')\ndef order(order_id):\n    return 'order'\n"
)
_FLASK_AGAIN = "\n\n@app.get('/orders/<int:id>')\ndef order_v2(id):\n    return 'v2'\n"

INVALID = (
    Example(
        files={"app/__init__.py": "", "app/users.py": _HEAD + _BY_ID + _ME, "app/main.py": _MAIN},
        expected=(("app/users.py", 12, "get_me"),),
        note="`/users/{user_id}` declared before `/users/me` answers `/users/me` itself (422)",
        fixed={"app/users.py": _HEAD + _ME + _BY_ID},
    ),
    Example(
        files={"app/__init__.py": "", "app/users.py": _HEAD + _LIST + _LIST_AGAIN, "app/main.py": _MAIN},
        expected=(("app/users.py", 11, "list_users_v2"),),
        note="the same method and path twice: the second handler never answers",
        fixed={"app/users.py": _HEAD + _LIST},
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/users.py": _HEAD + _LIST,
            "app/main.py": _MAIN + "app.include_router(router)\n",
        },
        expected=(("app/main.py", 7, "router"),),
        note="one router included twice under the same prefix",
        fixed={"app/main.py": _MAIN},
    ),
    Example(
        files={"shop/__init__.py": "", "shop/app.py": _FLASK_APP + _FLASK_AGAIN},
        expected=(("shop/app.py", 11, "order_v2"),),
        note="Flask: the same rule twice (converter names aside); werkzeug keeps the first",
        fixed={"shop/app.py": _FLASK_APP},
    ),
)

VALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/users.py": _HEAD + _ME + _BY_ID,
            "app/main.py": _MAIN,
        },
        note="the specific route first: the right order",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/users.py": _HEAD + _BY_ID.replace("{user_id}", "{user_id:int}") + _ME,
            "app/main.py": _MAIN,
        },
        note="an `int` convertor does not match `me`",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/users.py": _HEAD + _BY_ID + _ME.replace("router.get", "router.post"),
            "app/main.py": _MAIN,
        },
        note="another method on a matching path",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/users.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n" + _LIST,
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app.users import router\n\napp = FastAPI()\n"
                "app.include_router(router, prefix='/v1')\napp.include_router(router, prefix='/v2')\n"
            ),
        },
        note="one router mounted twice, under two prefixes",
    ),
    Example(
        files={
            "shop/__init__.py": "",
            "shop/app.py": (
                "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
                "@app.get('/users/<name>')\ndef user(name):\n    return name\n\n\n"
                "@app.get('/users/me')\ndef me():\n    return 'me'\n"
            ),
        },
        note="Flask: werkzeug tries static segments first, whatever the order",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/users.py": _HEAD + _BY_ID,
            "app/me.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n" + _ME.replace("/me", "/users/me"),
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app import me, users\n\napp = FastAPI()\n"
                "admin = FastAPI()\napp.include_router(users.router)\nadmin.include_router(me.router)\n"
            ),
        },
        note="two applications: their routes never compete",
    ),
)
