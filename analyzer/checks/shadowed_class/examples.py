"""shadowed-class's example projects: what it reports (INVALID, with the tree its fix leaves) and what it must not."""

from __future__ import annotations

from analyzer.checks import Example

_LIVE = '''import asyncio


class Pool:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def acquire(self):
        return 1

    def release(self, item):
        return None
'''
_STALE = '''class Pool:
    def __init__(self):
        self.items = []

    def acquire(self):
        return self.items.pop()

    def release(self, item):
        self.items.append(item)


def helper():
    return 2
'''

_LIVE_AND_STALE = {
    "app/__init__.py": "",
    "app/pool.py": _LIVE,
    "app/legacy.py": _STALE,
    "app/main.py": "from app.pool import Pool\n",
}

INVALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/pool.py": _LIVE,
            "app/legacy.py": _STALE,
            "app/main.py": "from app.pool import Pool\nfrom app.legacy import helper\n\npool = Pool()\n",
        },
        expected=(("app/legacy.py", 1, "Pool"),),
        note="an old copy left in a module that is still imported for something else",
        fixed={"app/legacy.py": "def helper():\n    return 2\n"},
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/models.py": (
                "class Discount:\n    rate = 0\n\n\nclass Discount:\n    rate = 1\n\n"
                "    def apply(self, price):\n        return price\n"
            ),
            "app/main.py": "from app.models import Discount\n\nDiscount().apply(3)\n",
        },
        expected=(("app/models.py", 1, "Discount"),),
        note="the first of two definitions in one module",
        fixed={"app/models.py": "class Discount:\n    rate = 1\n\n    def apply(self, price):\n        return price\n"},
    ),
)

VALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/pool.py": _LIVE,
            "app/legacy.py": _STALE,
            "app/main.py": "from app.pool import Pool\nfrom app.legacy import Pool as OldPool\n",
        },
        note="both copies are imported",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/base.py": "class Store:\n    def get(self, key):\n        raise NotImplementedError\n",
            "app/impl.py": (
                "from app import base\n\n\nclass Store(base.Store):\n"
                "    def get(self, key):\n        return key\n"
            ),
            "app/main.py": "from app.impl import Store\n",
        },
        note="a base class and its same-named implementation",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/base.py": "class Store:\n    def get(self, key):\n        raise NotImplementedError\n",
            "app/cached.py": (
                "from app.base import Store as BaseStore\n\n\nclass Cached(BaseStore):\n"
                "    def get(self, key):\n        return None\n"
            ),
            "app/impl.py": (
                "from app.cached import Cached\n\n\nclass Store(Cached):\n"
                "    def get(self, key):\n        return key\n"
            ),
            "app/main.py": "from app.base import Store\n",
        },
        note="an unused subclass of the live class, through an intermediate base",
    ),
    Example(
        files={
            **_LIVE_AND_STALE,
            "app/loader.py": (
                "import importlib\n\n\ndef pool_class(module):\n"
                "    return getattr(importlib.import_module(module), 'Pool')\n"
            ),
        },
        uncertain=(("app/legacy.py", 1, "Pool"),),
        note="the class name is read with getattr: any module may provide it (uncertain)",
    ),
    Example(
        files={
            **_LIVE_AND_STALE,
            "app/loader.py": (
                "import importlib\n\n\ndef make_pool(module):\n"
                "    backend = importlib.import_module(module)\n    return backend.Pool()\n"
            ),
        },
        uncertain=(("app/legacy.py", 1, "Pool"),),
        note="the class is read from a module loaded at run time (uncertain)",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/pool.py": _LIVE,
            "app/legacy.py": _STALE,
            "tests/test_pool.py": "from app.pool import Pool\n",
        },
        note="only tests use the other copy: nothing says which one the application runs",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/pool.py": _LIVE,
            "app/legacy.py": _STALE,
            "tests/test_pool.py": "from app.pool import Pool\n",
            "app/main.py": "from app.legacy import helper\nimport mock\n\nmock.patch('app.legacy.Pool')\n",
        },
        uncertain=(("app/pool.py", 4, "Pool"),),
        note="the legacy copy is named by a dotted string (a mock.patch target) and the other is "
        "used only by tests: which one is stale is uncertain",
    ),
)
