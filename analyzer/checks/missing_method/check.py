"""missing-method: the check (the rule's documentation is the package's docstring)."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator

from analyzer.checks.missing_method.details import (
    RULE_ID,
    CallSite,
    Evidence,
    ImportFrom,
    MethodFix,
    MissingDetails,
    Place,
)
from analyzer.facts.model import AttrCall, ModuleFacts
from analyzer.findings import Finding, Related
from analyzer.index import Symbol
from analyzer.inference import Receiver, metaclass_members
from analyzer.project import Project


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
                members = members | frozenset(dir(type)) | metaclass_members()
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
        CallSite(
            path=site_facts.path,
            line=call.line,
            receiver=call.receiver,
            inferred=receiver.how,
            evidence=Evidence(receiver.evidence.kind, receiver.evidence.expr, receiver.evidence.line),
            alias_of=receiver.alias_of,
            args=call.arg_count,
            keywords=tuple(call.keywords),
            result_used=call.result_used,
        )
        for site_facts, call, receiver in sites
    ]
    places = ", ".join(f"{c.path}:{c.line}" for c in call_sites[:3])
    if len(call_sites) > 3:
        places += f" and {len(call_sites) - 3} more"
    message = f"`{cls.name}` has no method `{method}`, called at {places}."
    evidence = [f"`{call.receiver}` at {call.path}:{call.line} is {call.inferred}" for call in call_sites]
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
        details=MissingDetails(
            cls=cls.name,
            class_path=class_path,
            method=method,
            call_sites=tuple(call_sites),
            did_you_mean=tuple(suggestions),
            defined_on_namesakes=tuple(Place(p, line) for p, line in elsewhere),
            bases=tuple(cls_fact.bases),
        ),
        evidence=tuple(evidence),
        confidence="uncertain" if doubts else "high",
        fix=MethodFix(
            action="add-method",
            path=class_path,
            cls=cls.name,
            method=method,
            after_line=cls_fact.last_statement_line,
            call_sites=tuple(Place(c.path, c.line) for c in call_sites),
            alternatives=tuple(
                ImportFrom("import-from", cls.name, project.index.by_path[p].module, p, line)
                for p, line in elsewhere
            ),
        ),
    )


def _meant_to_be_mixed_in(project: Project, cls: Symbol) -> bool:
    """A mixin or an abstract base with no subclass in the project: its `self.m()` calls are
    answered by classes elsewhere. An `ABC` base alone does not make a class abstract: it must
    declare abstract methods of its own (a protocol is always meant for others)."""
    fact = project.index.class_fact(cls)
    name = cls.name.lower()
    bases = {b.rpartition(".")[2] for b in fact.bases} if fact is not None else set()
    abstract = fact is not None and ("Protocol" in bases or fact.declares_abstract)
    return not project.classes.subclasses(cls) and (
        "mixin" in name or name.startswith(("base", "abstract")) or name.endswith("base") or abstract
    )


def _defined_on_namesakes(project: Project, cls: Symbol, method: str) -> list[tuple[str, int]]:
    found = []
    for facts, other in project.index.classes():
        if other.name == cls.name and facts.module != cls.module and method in other.methods:
            found.append((facts.path, other.span.line))
    return sorted(found)
