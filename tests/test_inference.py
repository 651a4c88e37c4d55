"""Class members and receiver types, on small indexes."""

from __future__ import annotations

from analyzer.index import Symbol
from tests.unit import project_of


def members(files: dict[str, str], module: str, name: str) -> frozenset[str] | None:
    return project_of(files).classes.members(Symbol("class", module, name))


def test_members_come_from_project_bases_library_bases_and_the_standard_library() -> None:
    files = {
        "m.py": (
            "import json\nfrom pydantic import BaseModel\n\n\nclass Base:\n    def save(self):\n        pass\n\n\n"
            "class Child(Base):\n    kind = 'x'\n\n\nclass Model(BaseModel):\n    name: str\n\n\n"
            "class Encoder(json.JSONEncoder):\n    pass\n"
        ),
    }
    child = members(files, "m", "Child")
    assert child is not None and {"save", "kind", "__init__"} <= child
    model = members(files, "m", "Model")
    assert model is not None and {"name", "model_dump", "model_validate"} <= model and "to_sse_format" not in model
    encoder = members(files, "m", "Encoder")
    assert encoder is not None and {"default", "encode", "iterencode"} <= encoder


def test_unknown_bases_metaclasses_and_getattr_make_members_unknown() -> None:
    files = {
        "m.py": (
            "from vendor import Client\n\n\nclass A(Client):\n    pass\n\n\n"
            "class B(metaclass=Registry):\n    pass\n\n\n"
            "class C:\n    def __getattr__(self, name):\n        return name\n\n\n"
            "class D:\n    pass\n\n\nfor name in NAMES:\n    setattr(D, name, 1)\n\n\n"
            "class E:\n    pass\n\n\nsetattr(E, 'known', 1)\n"
        ),
    }
    project = project_of(files)
    for name in "ABCD":
        assert project.classes.members(Symbol("class", "m", name)) is None, name
    known = project.classes.members(Symbol("class", "m", "E"))
    assert known is not None and "known" in known  # a literal name is an attribute like any other


def test_a_class_handed_to_an_unknown_callee_is_doubtful_but_not_to_a_route_decorator() -> None:
    project = project_of({
        "m.py": (
            "from fastapi import APIRouter\nimport admin\n\nrouter = APIRouter()\n\n\n"
            "class Out:\n    pass\n\n\nclass Registered:\n    pass\n\n\n"
            "@router.get('/x', response_model=Out)\ndef x():\n    return Out()\n\n\n"
            "admin.register(Registered)\n"
        ),
    })
    assert project.classes.doubts(Symbol("class", "m", "Out")) == []
    (doubt,) = project.classes.doubts(Symbol("class", "m", "Registered"))
    assert "admin.register" in doubt


def test_a_project_function_that_does_not_change_its_parameter_is_no_doubt() -> None:
    project = project_of({
        "m.py": (
            "def describe(cls):\n    return cls.__name__\n\n\n"
            "def patch(cls):\n    cls.extra = 1\n\n\n"
            "class Kept:\n    pass\n\n\nclass Patched:\n    pass\n\n\n"
            "describe(Kept)\npatch(Patched)\n"
        ),
    })
    assert project.classes.doubts(Symbol("class", "m", "Kept")) == []
    assert len(project.classes.doubts(Symbol("class", "m", "Patched"))) == 1


def test_receivers_through_annotations_constructors_aliases_and_return_annotations() -> None:
    project = project_of({
        "m.py": (
            "class Event:\n    def copy(self) -> 'Event':\n        return self\n\n\nAlias = Event\n\n\n"
            "def make() -> Event:\n    return Event()\n\n\n"
            "def use(a: Alias, b: 'Event | None'):\n    c = Event()\n    d = make()\n    e = a.copy()\n"
            "    a.x()\n    b.x()\n    c.x()\n    d.x()\n    e.x()\n"
        ),
    })
    facts = project.index.modules["m"]
    found = {
        call.receiver: project.classes.receiver(facts, call)
        for call in facts.attr_calls if call.method == "x"
    }
    assert {name: r.cls.name if r else None for name, r in found.items()} == dict.fromkeys("abcde", "Event")
    assert found["a"] is not None and found["a"].alias_of == "Event"
