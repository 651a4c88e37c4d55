"""missing-method's example projects: what it reports (INVALID, with the tree its fix leaves) and what it must not."""

from __future__ import annotations

from analyzer.checks import Example

_EVENT = (
    "from enum import Enum\n\nfrom pydantic import BaseModel\n\n\n"
    "class Kind(str, Enum):\n    MESSAGE = 'message'\n    DONE = 'done'\n\n\n"
    "class Event(BaseModel):\n    event_type: Kind\n    text: str = ''\n"
)

INVALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/event.py": (
                "from pydantic import BaseModel\n\n\nclass Event(BaseModel):\n    kind: str\n\n"
                "    def is_final(self) -> bool:\n        return self.kind == 'done'\n\n\nAlias = Event\n"
            ),
            "app/use.py": (
                "from app.event import Alias, Event\n\n\ndef render(event: Alias) -> str:\n"
                "    return event.to_text()\n\n\ndef build() -> str:\n    e = Event(kind='x')\n"
                "    return e.to_text() + e.model_dump_json()\n"
            ),
        },
        expected=(("app/use.py", 5, "Event.to_text"),),
        note="through an alias annotation and a constructor; model_dump_json is inherited; no method "
        "fits and no recipe either: the fix is only a stub, which says so (and is not counted as a fix)",
        fix_status="stub",
        fixed={
            "app/event.py": (
                "from typing import Any\n\nfrom pydantic import BaseModel\n\n\n"
                "class Event(BaseModel):\n    kind: str\n\n"
                "    def is_final(self) -> bool:\n        return self.kind == 'done'\n\n"
                "    def to_text(self) -> Any:\n"
                '        """Stub added by hygiene, NOT implemented: called at app/use.py:5, app/use.py:10."""\n'
                '        raise NotImplementedError("Event.to_text is a stub added by hygiene")\n\n\nAlias = Event\n'
            ),
        },
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/event.py": _EVENT,
            "app/stream.py": (
                "from app.event import Event, Kind\n\n\ndef frame(text: str) -> str:\n"
                "    event = Event(event_type=Kind.MESSAGE, text=text)\n    return event.to_sse_format()\n"
            ),
        },
        expected=(("app/stream.py", 6, "Event.to_sse_format"),),
        note="a recipe fits (a pydantic event with an Enum field): the method is added with its body",
        fixed={
            "app/event.py": _EVENT + (
                "\n    def to_sse_format(self) -> str:\n"
                '        """Serialize this event as a Server-Sent Events message.\n\n'
                "        An ``event:`` line with the event_type value, a ``data:`` line with the model as JSON.\n"
                '        """\n'
                "        event_type = self.event_type.value\n"
                "        json_data = self.model_dump_json()\n"
                '        return f"event: {event_type}\\ndata: {json_data}\\n\\n"\n'
            ),
        },
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/repo.py": "class Repo:\n    def get_by_sku(self, sku: str) -> str:\n        return sku\n",
            "app/use.py": (
                "from app.repo import Repo\n\n\ndef find(repo: Repo, sku: str) -> str:\n"
                "    return repo.get_by_skus(sku)\n"
            ),
        },
        expected=(("app/use.py", 5, "Repo.get_by_skus"),),
        note="a typo of an existing method whose signature fits: the call is corrected",
        fixed={
            "app/use.py": (
                "from app.repo import Repo\n\n\ndef find(repo: Repo, sku: str) -> str:\n"
                "    return repo.get_by_sku(sku)\n"
            ),
        },
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/old.py": "class Manager:\n    def start(self):\n        return 1\n",
            "app/new.py": (
                "class Manager:\n    def start(self):\n        return 1\n\n    def stop(self):\n        return 0\n"
            ),
            "app/main.py": "from app.old import Manager\n\nmanager = Manager()\nmanager.start()\nmanager.stop()\n",
        },
        expected=(("app/main.py", 5, "Manager.stop"),),
        note="the caller imports a stale copy of the class; the live one has the method: the import is switched",
        fixed={"app/main.py": "from app.new import Manager\n\nmanager = Manager()\nmanager.start()\nmanager.stop()\n"},
    ),
)

VALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/proxy.py": (
                "class Proxy:\n    def __getattr__(self, name):\n        return lambda: name\n\n\n"
                "def use(p: Proxy):\n    return p.anything()\n"
            ),
        },
        note="__getattr__ makes every attribute possible",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/vendor.py": (
                "from somevendor import Client\n\n\nclass Mine(Client):\n    pass\n\n\n"
                "def use(c: Mine):\n    return c.fetch()\n"
            ),
        },
        note="an unknown third-party base may define anything",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/shapes.py": (
                "class Shape:\n    pass\n\n\nclass Square(Shape):\n    def area(self):\n        return 1\n\n\n"
                "def total(s: Shape, x: object):\n"
                "    if isinstance(x, Shape):\n        x.area()\n    return s.area()\n"
            ),
        },
        note="defined on a subclass; narrowed by isinstance",
    ),
)
