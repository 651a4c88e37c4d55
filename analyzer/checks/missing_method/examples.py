"""missing-method's example projects: what it reports (INVALID, with the tree its fix leaves) and what it must not."""

from __future__ import annotations

from analyzer.checks import Example

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
        note="through an alias annotation and a constructor; model_dump_json is inherited",
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
