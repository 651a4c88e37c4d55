"""missing-method: a call of a method the receiver's class does not define.

## What it finds
`x.m(...)` where the class of `x` is statically certain and is a project class that neither
defines `m` nor inherits it, and no subclass has it (`self.m()` in a method is a call on the
class: a subclass, or a class a mixin is mixed into, may define `m`). The class is known from
`self`/`cls` in a method, a parameter or variable annotation
(`Optional[X]`, `X | None`, string annotations included), a constructor call `x = X(...)`, a
project function's return annotation, an alias (`SSEEvent = StreamEvent`), or
`self.attr = X(...)` in the class. Inherited members come from project bases and from the real
attributes of library bases (pydantic `BaseModel` and `BaseSettings`, SQLModel, dataclasses,
`Enum`, exceptions, builtins).

## Why is this bad?
It is an `AttributeError` waiting for the first request that reaches the line.

## Example
`app/routes/sse.py` calls `event.to_sse_format()` where `event: SSEEvent` and
`SSEEvent = StreamEvent`, a pydantic model with no such method.

## Fix
Add the method to the class, after its last method, with a signature read from the call sites
and a body from the recipe table when one fits; or correct the call (see "did you mean").

## Confidence
A class handed at module level to a callee that may set attributes on it (`admin.register(Model)`,
a project function that sets attributes on its parameter, a library function the tool does not
know) is reported as `uncertain`, with the call as evidence. Callees known to only read what they
get are no reason for doubt: route declarations and their `response_model`, `Depends`,
`isinstance`, typing constructs, pydantic `TypeAdapter`, logging (`data/library_behaviour.toml`).

## Blind spots
Never reported, because they cannot be known: classes with an unknown base, metaclass or class
decorator, `__getattr__`/`__getattribute__`, attributes set through `setattr`, `Protocol`s,
receivers narrowed by `isinstance`/`hasattr` or assigned more than one way, names bound both to
a class and to an import (`if NEW: class X: ...` / `else: from lib import X`), annotations that
name a class with only static and class methods (a factory: the value is what it makes), and
methods that a subclass defines (the receiver may be that subclass).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator

from analyzer.checks import Example, Rule
from analyzer.facts.model import AttrCall, ModuleFacts
from analyzer.findings import Finding, Related
from analyzer.index import Symbol
from analyzer.inference import METACLASS_MEMBERS, Receiver
from analyzer.project import Project

RULE_ID = "missing-method"
_TYPE_MEMBERS = frozenset(dir(type)) | METACLASS_MEMBERS


def check(project: Project) -> Iterator[Finding]:
    classes = project.classes
    groups: dict[tuple[Symbol, str], list[tuple[ModuleFacts, AttrCall, Receiver]]] = defaultdict(list)
    for facts in project.index.modules.values():
        for call in facts.attr_calls:
            receiver = classes.receiver(facts, call)
            if receiver is None:
                continue
            members = classes.members(receiver.cls)
            if members is None:
                continue
            if receiver.is_class_object:
                members = members | _TYPE_MEMBERS
            if call.method in members or _defined_in_subclass(project, receiver.cls, call.method):
                continue
            groups[(receiver.cls, call.method)].append((facts, call, receiver))
    for (cls, method), sites in sorted(groups.items(), key=lambda item: _first_site(item[1])):
        yield _finding(project, cls, method, sites)


def _first_site(sites: list[tuple[ModuleFacts, AttrCall, Receiver]]) -> tuple[str, int]:
    facts, call, _ = min(sites, key=lambda s: (s[0].path, s[1].line))
    return facts.path, call.line


def _defined_in_subclass(project: Project, cls: Symbol, method: str) -> bool:
    """Whether a subclass has the method, from itself or from another of its bases (a mixin's
    `self.m()` is the class it is mixed into's `m`)."""
    for subclass in project.classes.subclasses(cls):
        members = project.classes.members(subclass)
        if members is None or method in members:
            return True
    return False


def _finding(
    project: Project, cls: Symbol, method: str, sites: list[tuple[ModuleFacts, AttrCall, Receiver]]
) -> Finding:
    index = project.index
    sites = sorted(sites, key=lambda s: (s[0].path, s[1].line))
    facts, first, _ = sites[0]
    cls_fact = index.class_fact(cls)
    assert cls_fact is not None
    class_path = index.modules[cls.module].path
    members = project.classes.members(cls) or frozenset()
    suggestions = difflib.get_close_matches(
        method, sorted(m for m in members if not m.startswith("__")), n=3, cutoff=0.75
    )
    elsewhere = _defined_on_namesakes(project, cls, method)
    call_sites = [
        {
            "path": site_facts.path,
            "line": call.line,
            "receiver": call.receiver,
            "inferred": receiver.how,
            "evidence": {
                "kind": receiver.evidence.kind,
                "expr": receiver.evidence.expr,
                "line": receiver.evidence.line,
            },
            "alias_of": receiver.alias_of,
            "args": call.arg_count,
            "keywords": list(call.keywords),
            "result_used": call.result_used,
        }
        for site_facts, call, receiver in sites
    ]
    places = ", ".join(f"{c['path']}:{c['line']}" for c in call_sites[:3])
    if len(call_sites) > 3:
        places += f" and {len(call_sites) - 3} more"
    message = f"`{cls.name}` has no method `{method}`, called at {places}."
    evidence = [f"`{call['receiver']}` at {call['path']}:{call['line']} is {call['inferred']}" for call in call_sites]
    evidence.append(f"`{cls.name}` and its bases define no `{method}`")
    if suggestions:
        evidence.append("did you mean: " + ", ".join(f"`{s}`" for s in suggestions))
    doubts = project.classes.doubts(cls)
    if all(receiver.evidence.kind in {"self", "cls"} for _, _, receiver in sites) and _meant_to_be_mixed_in(
        project, cls
    ):
        doubts.append(
            f"`{cls.name}` looks meant to be combined with other classes (a mixin or an abstract base): "
            f"the class it is mixed into may define `{method}`"
        )
    evidence += doubts[:3]
    for path, line in elsewhere:
        module = project.index.by_path[path].module
        evidence.append(
            f"a same-named `{cls.name}` at {path}:{line} defines `{method}`: the callers may use a "
            f"stale copy; importing `{cls.name}` from `{module}` may be the fix"
        )
    return Finding(
        rule=RULE_ID,
        path=facts.path,
        line=first.line,
        end_line=first.line,
        symbol=f"{cls.name}.{method}",
        message=message,
        related=(Related(class_path, cls_fact.span.line, cls_fact.span.end_line, f"class `{cls.name}`"),),
        details={
            "class": cls.name,
            "class_path": class_path,
            "method": method,
            "call_sites": call_sites,
            "did_you_mean": suggestions,
            "defined_on_namesakes": [{"path": p, "line": line} for p, line in elsewhere],
            "bases": list(cls_fact.bases),
        },
        evidence=tuple(evidence),
        confidence="uncertain" if doubts else "high",
        fix={
            "action": "add-method",
            "path": class_path,
            "class": cls.name,
            "method": method,
            "after_line": cls_fact.last_statement_line,
            "call_sites": [{"path": c["path"], "line": c["line"]} for c in call_sites],
            "alternatives": [
                {"action": "import-from", "class": cls.name, "module": project.index.by_path[p].module,
                 "path": p, "line": line}
                for p, line in elsewhere
            ],
        },
    )


def _meant_to_be_mixed_in(project: Project, cls: Symbol) -> bool:
    """A mixin or an abstract base with no subclass in the project: its `self.m()` calls are
    answered by classes elsewhere."""
    fact = project.index.class_fact(cls)
    name = cls.name.lower()
    abstract = fact is not None and any(b.rpartition(".")[2] in {"ABC", "Protocol"} for b in fact.bases)
    return not project.classes.subclasses(cls) and (
        "mixin" in name or name.startswith(("base", "abstract")) or name.endswith("base") or abstract
    )


def _defined_on_namesakes(project: Project, cls: Symbol, method: str) -> list[tuple[str, int]]:
    found = []
    for facts, other in project.index.classes():
        if other.name == cls.name and facts.module != cls.module and method in other.methods:
            found.append((facts.path, other.span.line))
    return sorted(found)


RULE = Rule(
    id=RULE_ID,
    summary="A call of a method that the statically known class of the receiver does not define.",
    check=check,
    doc=__doc__ or "",
    invalid=(
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
    ),
    valid=(
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
    ),
)
