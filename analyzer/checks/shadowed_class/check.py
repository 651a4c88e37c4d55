"""shadowed-class: the check (the rule's documentation is the package's docstring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from analyzer.checks.shadowed_class.details import RULE_ID, DeleteClass, Redefined, StaleCopy, UsedBetween
from analyzer.facts.model import ClassFact, ModuleFacts
from analyzer.findings import Finding, Related, counted
from analyzer.index import Symbol
from analyzer.knowledge import behaviour
from analyzer.liveness import Reach
from analyzer.project import (
    Project,
    Reference,
    is_example_module,
    is_migration,
    is_test_module,
    parallel_versions,
)

CONTAINED = 0.5  # share of the stale class's methods the live one still has
PLUGIN_SIBLINGS = 3


def check(project: Project) -> Iterator[Finding]:
    yield from _redefined_in_module(project)
    yield from _stale_copies(project)


def _eligible(facts: ModuleFacts) -> bool:
    return not is_test_module(facts) and not is_migration(facts) and not is_example_module(facts)


@dataclass(frozen=True)
class _Registration:
    """Whether defining a class may register it somewhere: `known` True (it does), False (it
    does not) or None (it may), with the reason."""

    known: bool | None
    reason: str = ""


def _registration(project: Project, module: str, cls: ClassFact) -> _Registration:
    """Whether defining `cls` may register it: by itself, or through any class it inherits
    from (walked once each, nearest first)."""
    found = _own_registration(project, module, cls)
    if found.known is not False:
        return found
    seen: set[Symbol] = set()
    for base in project.classes.bases(module, cls):
        for ancestor in project.classes.lineage(base) if base is not None and base.kind == "class" else ():
            if ancestor.kind != "class" or ancestor in seen:
                continue
            seen.add(ancestor)
            fact = project.index.class_fact(ancestor)
            if fact is None:
                return _Registration(None, f"its base `{ancestor.name}` is not a class the tool can read")
            if "__init_subclass__" in fact.methods:
                why = f"its base `{ancestor.name}` has an `__init_subclass__`, which may register it"
                return _Registration(None, why)
            found = _own_registration(project, ancestor.module, fact)
            if found.known is not False:
                return found
    return _Registration(False)


def _own_registration(project: Project, module: str, cls: ClassFact) -> _Registration:
    """What the class's own decorators, metaclass and library or run-time bases say."""
    known = behaviour()
    for decorator in cls.decorators:
        if decorator.rpartition(".")[2] in known.route_methods and "." in decorator:
            return _Registration(True, f"`@{decorator}` registers it as a route's view")
        if not known.decorator_is_inert(decorator):
            return _Registration(None, f"decorated with `@{decorator}`, which may register it")
    if cls.metaclass is not None:
        qualname = _external(project, module, cls.metaclass)
        if qualname not in {"abc.ABCMeta", "enum.EnumMeta", "enum.EnumType"}:
            return _Registration(None, f"its metaclass `{cls.metaclass}` may register it")
    keywords = dict(cls.keywords)
    for written, base in zip(cls.bases, project.classes.bases(module, cls), strict=True):
        if base is None:
            return _Registration(None, f"its base `{written}` cannot be resolved")
        if base.kind == "external":
            keyword = known.registering_with_keyword.get(base.qualname)
            if base.qualname in known.registering_bases or (keyword and keywords.get(keyword) == "True"):
                return _Registration(True, f"a `{base.qualname}` subclass is registered when defined")
            if base.qualname not in known.inert_bases:
                return _Registration(None, f"its library base `{base.qualname}` may register subclasses")
        elif base.kind == "binding":
            binding = project.index.binding(base)
            factory = project.index.resolve_class(base.module, binding.callee) if binding and binding.callee else None
            if factory is not None and factory.qualname in known.registering_factories:
                return _Registration(True, f"a subclass of `{written}` (a declarative base) is registered")
            return _Registration(None, f"its base `{written}` is a value made at run time")
    return _Registration(False)


def _external(project: Project, module: str, dotted: str) -> str | None:
    symbol = project.index.resolve_class(module, dotted)
    return symbol.qualname if symbol is not None and symbol.kind == "external" else None


def _redefined_in_module(project: Project) -> Iterator[Finding]:
    for facts in project.index.modules.values():
        if not _eligible(facts):
            continue
        by_name: dict[str, list[ClassFact]] = defaultdict(list)
        for cls in facts.classes:
            if not cls.conditional:
                by_name[cls.name].append(cls)
        for name, definitions in sorted(by_name.items()):
            definitions.sort(key=lambda c: c.span.line)
            for stale, later in pairwise(definitions):
                between = [
                    line for line in facts.name_lines(name)
                    if stale.span.end_line < line < later.span.line
                ]
                if between:
                    # Used before it is rebound: not dead, but two classes under one name (code
                    # above the second sees the first); worth a look when they are alike.
                    if _containment(stale, later) >= CONTAINED:
                        yield _used_between(facts, name, stale, later, between)
                    continue
                registration = _registration(project, facts.module, stale)
                if registration.known:
                    continue  # registered when defined: rebinding the name does not undo that
                evidence = [
                    f"`{name}` is rebound at line {later.span.line} and nothing between "
                    f"lines {stale.span.end_line} and {later.span.line} uses it"
                ]
                if registration.known is None:
                    evidence.append(registration.reason)
                yield Finding(
                    rule=RULE_ID,
                    path=facts.path,
                    line=stale.span.line,
                    end_line=stale.span.end_line,
                    symbol=name,
                    message=(
                        f"class `{name}` is defined again at line {later.span.line} of the same "
                        "module; this first definition is never used."
                    ),
                    related=(Related(facts.path, later.span.line, later.span.end_line, "the definition that wins"),),
                    details=Redefined("redefined", stale.span.length),
                    evidence=tuple(evidence),
                    confidence="high" if registration.known is False else "uncertain",
                    fix=_delete_fix(facts, stale),
                )


def _used_between(facts: ModuleFacts, name: str, stale: ClassFact, later: ClassFact, between: list[int]) -> Finding:
    return Finding(
        rule=RULE_ID,
        path=facts.path,
        line=stale.span.line,
        end_line=stale.span.end_line,
        symbol=name,
        message=(
            f"class `{name}` is defined again at line {later.span.line} of the same module; the code "
            f"between the two definitions uses this first one, the code after them the second."
        ),
        related=(Related(facts.path, later.span.line, later.span.end_line, "the second definition"),),
        details=UsedBetween("redefined-used-between", stale.span.length, tuple(between)),
        evidence=(
            f"`{name}` is used at {'line' if len(between) == 1 else 'lines'} {', '.join(map(str, between[:5]))}, "
            "between its two definitions",
            "the two definitions are alike: one class was meant, and two exist (isinstance and "
            "validation tell them apart)",
        ),
        confidence="uncertain",
        fix=None,
    )


def _stale_copies(project: Project) -> Iterator[Finding]:
    index = project.index
    by_name: dict[str, list[tuple[ModuleFacts, ClassFact]]] = defaultdict(list)
    for facts, cls in index.classes():
        if _eligible(facts) and not cls.conditional:
            by_name[cls.name].append((facts, cls))
    for definitions in by_name.values():
        if len({facts.module for facts, _ in definitions}) < 2:
            continue
        used = _UseMemo(project)
        for facts, cls in definitions:
            reach, _ = used(facts, cls)
            if reach is Reach.APP:
                continue
            live = [
                (other_facts, other, other_use[1], other_use[0])
                for other_facts, other in definitions
                if other_facts.module != facts.module
                and (other_use := used(other_facts, other))[0] in (Reach.APP, Reach.MAYBE)
                and other_use[0] < reach
                and not _related_by_inheritance(project, facts, cls, other_facts, other)
            ]
            if not live:
                continue
            live.sort(key=lambda item: (item[3], -_containment(cls, item[1]), -len(item[2]), item[0].path))
            live_facts, live_cls, live_uses, live_reach = live[0]
            doubts = _doubts(project, facts, cls, live_facts, live_cls, reach, definitions)
            if live_reach is Reach.MAYBE:
                doubts.append(f"the other `{cls.name}` is used by code that may run (not certainly)")
            yield _finding(facts, cls, live_facts, live_cls, live_uses, doubts, project.liveness.judged)


class _UseMemo:
    """`_use` of each class, computed once (a class with several namesakes is asked often)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.known: dict[tuple[str, int], tuple[Reach, list[Reference]]] = {}

    def __call__(self, facts: ModuleFacts, cls: ClassFact) -> tuple[Reach, list[Reference]]:
        key = (facts.module, cls.span.line)
        if key not in self.known:
            self.known[key] = _use(self.project, facts, cls)
        return self.known[key]


def _use(project: Project, facts: ModuleFacts, cls: ClassFact) -> tuple[Reach, list[Reference]]:
    """How the best-reached use of the class is reached (NONE when unused), and the uses."""
    symbol = Symbol("class", facts.module, cls.name)
    references = project.references_to(symbol)
    if facts.dunder_all is not None and cls.name in facts.dunder_all:
        references.append(Reference(facts.path, 1, "__all__"))
    references += [
        Reference(facts.path, line, "name")
        for line in facts.name_lines(cls.name)
        if not cls.span.contains(line)
    ]
    liveness = project.liveness
    best = Reach.NONE
    kept = []
    for reference in references:
        module = project.index.by_path[reference.path].module
        reach = liveness.site(module, reference.line)
        if reach is not Reach.NONE:
            kept.append(reference)
            best = min(best, reach)
    return best, kept


def _doubts(
    project: Project,
    facts: ModuleFacts,
    cls: ClassFact,
    live_facts: ModuleFacts,
    live: ClassFact,
    reach: Reach,
    definitions: list[tuple[ModuleFacts, ClassFact]],
) -> list[str]:
    """Why the class may not be a dead copy after all (no doubt, high confidence)."""
    doubts = []
    if reach is Reach.TESTS:
        doubts.append("only tests use it")
    elif reach is Reach.MAYBE:
        doubts.append("only code that may not run uses it")
    if _containment(cls, live) < CONTAINED:
        doubts.append(f"only the name matches: the live `{cls.name}` has little of its code")
    if project.distribution_of(facts) != project.distribution_of(live_facts) and not _share_methods(cls, live):
        doubts.append("the two classes belong to different distributions of the repository")
    for mention in project.dynamic_mentions(cls.name, facts.module)[:2]:
        doubts.append(
            f"`{cls.name}` may be looked up by name at run time ({mention.path}:{mention.line}, {mention.how})"
        )
    if _plugin_layout(facts, definitions) or _parallel_plugins(facts.path, live_facts.path):
        doubts.append("one of several same-named classes in a plugin layout, looked up by module")
    kinds, live_kinds = _library_families(project, facts, cls), _library_families(project, live_facts, live)
    if kinds != live_kinds:
        mine, theirs = ", ".join(sorted(kinds)) or "plain", ", ".join(sorted(live_kinds)) or "plain"
        doubts.append(f"a {mine} class and a {theirs} class that share a name: two kinds of class, not a copy?")
    if parallel_versions(facts.path, live_facts.path):
        doubts.append("the same module in two version folders: one class per version of an API?")
    registration = _registration(project, facts.module, cls)
    if registration.known is not False:
        doubts.append(registration.reason)
    return doubts


def _library_families(project: Project, facts: ModuleFacts, cls: ClassFact) -> frozenset[str]:
    """The libraries a class builds on (`pydantic`, `sqlalchemy`...), through its project bases:
    a schema and an ORM model named alike are two kinds of class."""
    found: set[str] = set()
    pending = [(facts.module, cls)]
    seen = 0
    while pending and seen < 32:
        module, current = pending.pop()
        seen += 1
        for base in project.classes.bases(module, current):
            if base is None:
                continue
            if base.kind == "external" and base.module != "builtins":
                found.add(base.module.split(".")[0])
            elif base.kind == "binding":
                made = project.index.binding(base)
                factory = project.index.resolve_class(base.module, made.callee) if made and made.callee else None
                if factory is not None and factory.kind == "external":
                    found.add(factory.module.split(".")[0])
            elif (fact := project.index.class_fact(base)) is not None:
                pending.append((base.module, fact))
    return frozenset(found)


def _plugin_layout(facts: ModuleFacts, definitions: list[tuple[ModuleFacts, ClassFact]]) -> bool:
    """The class name is defined in `PLUGIN_SIBLINGS` or more modules of this module's package."""
    package = facts.path.rpartition("/")[0]
    siblings = {other.path for other, _ in definitions if other.path.rpartition("/")[0] == package}
    return len(siblings) >= PLUGIN_SIBLINGS


def _parallel_plugins(path: str, other: str) -> bool:
    """`processors/a/forms.py` and `processors/b/forms.py`: one module per plugin package."""
    *mine, name = path.split("/")
    *theirs, other_name = other.split("/")
    return name == other_name and len(mine) == len(theirs) >= 2 and mine[:-1] == theirs[:-1]


def _containment(cls: ClassFact, live: ClassFact) -> float:
    """How much of the stale class the live one still has (methods; attributes when none)."""
    mine, theirs = set(cls.methods), set(live.methods)
    if not mine:
        mine, theirs = set(cls.attributes), set(live.attributes)
    if not mine:
        return 0.0  # an empty class: only the name can match
    return len(mine & theirs) / len(mine)


def _share_methods(cls: ClassFact, other: ClassFact) -> bool:
    return len(set(cls.methods) & set(other.methods)) >= 2


def _related_by_inheritance(
    project: Project, facts: ModuleFacts, cls: ClassFact, other_facts: ModuleFacts, other: ClassFact
) -> bool:
    a = Symbol("class", facts.module, cls.name)
    b = Symbol("class", other_facts.module, other.name)
    classes = project.classes
    return a in classes.ancestors(b) or b in classes.ancestors(a)


def _finding(
    facts: ModuleFacts,
    cls: ClassFact,
    live_facts: ModuleFacts,
    live: ClassFact,
    live_uses: list[Reference],
    doubts: list[str],
    application: bool = True,
) -> Finding:
    """`application`: the project has one (its roots are known); a library's code is all taken
    to run, and its dead copies are unused by the rest of the project."""
    users = sorted({f"{use.path}:{use.line}" for use in live_uses})
    nothing = "nothing the application runs" if application else "nothing in the project"
    shared = sorted(set(cls.methods) & set(live.methods))
    return Finding(
        rule=RULE_ID,
        path=facts.path,
        line=cls.span.line,
        end_line=cls.span.end_line,
        symbol=cls.name,
        message=(
            f"class `{cls.name}` here is a stale copy: {nothing} uses it, while the "
            f"`{cls.name}` in {live_facts.path} is used in {counted(len(users), 'place')}."
        ),
        related=(
            Related(live_facts.path, live.span.line, live.span.end_line, "the live definition"),
        ),
        details=StaleCopy(
            kind="stale-copy",
            lines=cls.span.length,
            live_used_by=tuple(users),
            shared_methods=tuple(shared),
            only_in_stale=tuple(sorted(set(cls.methods) - set(live.methods))),
            only_in_live=tuple(sorted(set(live.methods) - set(cls.methods))),
            containment=round(_containment(cls, live), 3),
        ),
        evidence=(
            f"{nothing} refers to this `{cls.name}` (imports, attributes, strings, names)",
            f"the live `{cls.name}` is used at " + ", ".join(users[:5])
            + (f" and {len(users) - 5} more" if len(users) > 5 else ""),
            f"the live class still has {len(shared)} of its {counted(len(cls.methods), 'method')}",
            *doubts,
        ),
        confidence="uncertain" if doubts else "high",
        fix=_delete_fix(facts, cls),
    )


def _delete_fix(facts: ModuleFacts, cls: ClassFact) -> DeleteClass:
    return DeleteClass("delete-class", facts.path, cls.name, cls.span.line, cls.span.end_line)
