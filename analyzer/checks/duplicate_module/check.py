"""duplicate-module: the check (the rule's documentation is the package's docstring)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.checks.duplicate_module.details import (
    RULE_ID,
    Alias,
    DeleteCopy,
    DuplicateDetails,
    NewAlias,
    Reference,
    Settings,
)
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding, Related, counted
from analyzer.index import Symbol
from analyzer.liveness import Reach
from analyzer.project import Project, is_example_module, is_migration, is_test_module, parallel_versions
from analyzer.similarity import Comparison, candidate_pairs, compare, verbatim_copy

SHORTEST_DEAD_COPY = 6  # logical lines
MIN_OVERLAP = 0.6
UNCERTAIN_LIVE_SCORE = 0.85


@dataclass(frozen=True)
class _Verdict:
    confidence: str
    doubts: tuple[str, ...] = ()


def check(project: Project) -> Iterator[Finding]:
    index = project.index
    texts = {name: facts.clone_text for name, facts in index.modules.items() if _compared(facts)}
    comparisons: dict[tuple[str, str], Comparison] = {}
    uses = _Uses(project)

    def compared(copy: ModuleFacts, original: ModuleFacts) -> Comparison:
        key = (copy.module, original.module)
        if key not in comparisons:
            if copy.clone_text.same_code_as(original.clone_text):
                comparisons[key] = verbatim_copy(copy.clone_text.line_count)
            else:
                comparisons[key] = compare(copy.normalized_lines, original.normalized_lines)
        return comparisons[key]

    pairs = []
    for a, b in candidate_pairs(texts, SHORTEST_DEAD_COPY):
        first, second = index.modules[a], index.modules[b]
        if not (_may_pass(compared(first, second)) or _may_pass(compared(second, first))):
            continue  # too different either way: no need to ask which one is the copy
        copy, original = _copy_and_original(project, first, second, uses)
        if _verdict(project, copy, original, compared(copy, original), uses) is not None:
            pairs.append((a, b))
    if not pairs:
        return
    import networkx as nx  # lazily: most projects have no copies

    similar: nx.Graph[str] = nx.Graph(pairs)
    # Copies of copies: every member of a group is compared with the group's one survivor.
    for group in sorted(nx.connected_components(similar), key=min):
        members = [index.modules[name] for name in sorted(group)]
        survivor = max(members, key=lambda facts: _rank(project, facts, members, uses))
        for copy in members:
            if copy is survivor:
                continue
            comparison = compared(copy, survivor)
            verdict = _verdict(project, copy, survivor, comparison, uses)
            if verdict is not None:
                yield _finding(project, copy, survivor, comparison, verdict)


def _compared(facts: ModuleFacts) -> bool:
    return not (is_test_module(facts) or is_migration(facts) or is_example_module(facts))


def score(comparison: Comparison) -> float:
    """Tokens equal as written, plus half of those equal only once renamed."""
    return (comparison.similarity + comparison.verbatim) / 2


def _may_pass(comparison: Comparison) -> bool:
    """Whether `_verdict` could accept the comparison, whichever module turns out to be live."""
    return comparison.overlap >= MIN_OVERLAP and comparison.similarity >= UNCERTAIN_LIVE_SCORE


def _verdict(
    project: Project, copy: ModuleFacts, original: ModuleFacts, comparison: Comparison, uses: _Uses
) -> _Verdict | None:
    settings = project.options.settings_of(RULE_ID, Settings)
    if comparison.overlap < MIN_OVERLAP:
        return None  # part of a larger module, not a copy of it
    reach = uses.in_use(copy)
    logical = min(copy.clone_text.line_count, original.clone_text.line_count)
    if logical < settings.min_lines and (
        reach in (Reach.APP, Reach.MAYBE) or min(copy.line_count, original.line_count) < settings.min_lines
    ):
        return None  # short modules look alike by nature
    identical = min(comparison.verbatim, comparison.overlap) >= 1.0  # both ways: a subset is no copy
    doubts = []
    if reach in (Reach.APP, Reach.MAYBE):
        structural = min(score(comparison), comparison.overlap)  # both in use: a subset is no copy
        if structural < UNCERTAIN_LIVE_SCORE and not identical:
            return None
        confidence = "high"
        if not identical and structural < settings.live_threshold:
            doubts.append(
                f"the application still runs it, and it is {structural * 100:.0f}% alike once renamed "
                f"names count half: close, but maybe a parallel implementation"
            )
        unaligned = comparison.copy_lines - comparison.aligned_lines
        if unaligned and not identical:
            doubts.append(
                f"{unaligned} of its {'line has' if unaligned == 1 else 'lines have'} no counterpart in "
                f"{original.path}: both in use, the two may do different things"
            )
        if reach is Reach.MAYBE:
            doubts.append(f"it may run: {project.liveness.reason(copy.module)}")
        if comparison.literal_differences and not identical:
            doubts.append(
                f"strings or numbers differ on {_lines(comparison.literal_differences)} (table names, paths, "
                "settings?): both in use, it may be the same code for another entity"
            )
        if _creates_an_application(project, copy) and _creates_an_application(project, original):
            doubts.append("each creates an application of its own: two programs, not one module twice")
    elif comparison.similarity >= settings.threshold:  # dead: however much it renamed
        confidence = "high"
    else:
        return None
    imported = {i.alias.split(".")[0] for i in copy.imports}
    swapped = sorted(old for old in comparison.renames if old in imported)
    if swapped:
        doubts.append(
            "it differs by what it imports ("
            + ", ".join(f"`{old}` for `{comparison.renames[old]}`" for old in swapped[:3])
            + "): a parallel implementation rather than a copy?"
        )
    if parallel_versions(copy.path, original.path):
        doubts.append("the same module in two version folders (one per API version?)")
    if _run_by_path(project, copy) and _run_by_path(project, original):
        doubts.append("launchers run each copy by its own path (a script copied into each bundle?)")
    return _Verdict("uncertain" if doubts else confidence, tuple(doubts))


class _Uses:
    """How each module is used, computed once per scan: pairs and groups ask about the same
    modules many times."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._in_use: dict[str, Reach] = {}
        self._users: dict[str, set[str]] = {}

    def in_use(self, facts: ModuleFacts) -> Reach:
        if facts.module not in self._in_use:
            self._in_use[facts.module] = _in_use(self.project, facts, self)
        return self._in_use[facts.module]

    def users(self, facts: ModuleFacts) -> set[str]:
        if facts.module not in self._users:
            self._users[facts.module] = _application_users(self.project, facts)
        return self._users[facts.module]


def _in_use(project: Project, facts: ModuleFacts, uses: _Uses) -> Reach:
    """How the application uses the module: run by itself, or imported or named by code that is
    not a test (a module nothing uses is dead, even in a project with no known entry point)."""
    liveness = project.liveness
    reach = liveness.module(facts.module)
    if reach not in (Reach.APP, Reach.MAYBE) or liveness.is_root(facts.module):
        return reach
    if (reach is Reach.MAYBE and facts.module not in liveness.scripts) or facts.module in liveness.loaded_by_name:
        return reach  # loaded by a computed name, perhaps: perhaps in use
    if uses.users(facts):
        return reach
    return Reach.NONE  # a script nothing runs, a module nothing imports: a dead copy


def _application_users(project: Project, facts: ModuleFacts) -> set[str]:
    """Modules (not tests) that import the module or use one of its definitions (through a
    package's re-export too)."""
    paths = {r.path for r in project.module_references(facts.module)}
    for cls in facts.classes:
        paths.update(r.path for r in project.references_to(Symbol("class", facts.module, cls.name)))
    for function in facts.functions:
        paths.update(r.path for r in project.references_to(Symbol("function", facts.module, function.name)))
    return {path for path in paths if not is_test_module(project.index.by_path[path])}


def _lines(count: int) -> str:
    return "1 aligned line" if count == 1 else f"{count} aligned lines"


def _creates_an_application(project: Project, facts: ModuleFacts) -> bool:
    return project.has_web_code and any(node.path == facts.path for node in project.routers.apps)


def _run_by_path(project: Project, facts: ModuleFacts) -> bool:
    return any(
        mention.kind == "path" and (facts.path == mention.value or facts.path.endswith("/" + mention.value))
        for mention in project.mentions
    )


def _copy_and_original(
    project: Project, a: ModuleFacts, b: ModuleFacts, uses: _Uses
) -> tuple[ModuleFacts, ModuleFacts]:
    return (a, b) if _rank(project, a, [b], uses) < _rank(project, b, [a], uses) else (b, a)


def _rank(
    project: Project, facts: ModuleFacts, others: list[ModuleFacts], uses: _Uses
) -> tuple[int, int, int, int, int, str]:
    """Higher survives: better reached, then used by more modules, then aliasing the others'
    names, then longer."""
    users = {r.path for r in project.module_references(facts.module)}
    return (
        -int(uses.in_use(facts)),
        len(uses.users(facts)),
        len(users),
        sum(_aliases_names_of(facts, other) for other in others if other is not facts),
        facts.line_count,
        facts.path,
    )


def _aliases_names_of(facts: ModuleFacts, other: ModuleFacts) -> int:
    """How many of `other`'s top-level names `facts` re-creates as aliases."""
    defined = _public_names(other)
    return sum(1 for binding in facts.bindings if not binding.scope and binding.value and binding.name in defined)


def _public_names(facts: ModuleFacts) -> set[str]:
    return {name for name in facts.defined_names() if not name.startswith("_")}


def _finding(
    project: Project, copy: ModuleFacts, original: ModuleFacts, comparison: Comparison, verdict: _Verdict
) -> Finding:
    copy_refs = project.module_references(copy.module)
    original_refs = project.module_references(original.module)
    public = _public_names(copy)
    aliases: list[Alias] = []
    for old, new in comparison.renames.items():
        if old not in public:
            continue
        present = next(
            (b for b in original.bindings if not b.scope and b.name == old and b.value == new), None
        )
        aliases.append(Alias(old, new, present is not None, present.line if present else None))
    percent = f"{comparison.similarity * 100:.1f}".removesuffix(".0")
    rename_text = ", ".join(f"{old} → {new}" for old, new in comparison.renames.items())
    used = f"imported by {counted(len(copy_refs), 'place')}" if copy_refs else "nothing imports it"
    message = (
        f"{copy.path} is a {percent}% copy of {original.path}"
        + (f" ({rename_text})" if rename_text else "")
        + f"; {used}."
    )
    evidence = [
        f"{comparison.aligned_lines} of {comparison.copy_lines} logical lines align with "
        f"{original.path}; {percent}% of the tokens are equal after renaming",
        f"{original.path} is referenced from {counted(len(original_refs), 'place')}; "
        f"{copy.path} from {len(copy_refs)}",
    ]
    if aliases and all(alias.present for alias in aliases):
        lines = [alias.line for alias in aliases if alias.line is not None]
        evidence.append(f"{original.path} already aliases the old names (lines {min(lines)}-{max(lines)})")
    copy_references = tuple(Reference(r.path, r.line, r.how) for r in copy_refs)
    return Finding(
        rule=RULE_ID,
        path=copy.path,
        line=1,
        end_line=copy.line_count,
        symbol=None,
        message=message,
        related=(
            Related(original.path, 1, original.line_count, "the original, kept"),
        ),
        details=DuplicateDetails(
            similarity=round(comparison.similarity, 3),
            score=round(score(comparison), 3),
            overlap=round(comparison.overlap, 3),
            renames=dict(comparison.renames),
            aliases=tuple(aliases),
            aliases_present=all(alias.present for alias in aliases),
            copy_lines=copy.line_count,
            original_lines=original.line_count,
            copy_referenced_by=copy_references,
            original_referenced_by=tuple(Reference(r.path, r.line, r.how) for r in original_refs),
        ),
        evidence=(*evidence, *verdict.doubts),
        confidence=verdict.confidence,
        covers=(copy.path,),
        fix=DeleteCopy(
            action="delete-module",
            path=copy.path,
            module=copy.module,
            survivor=original.path,
            survivor_module=original.module,
            # Old names are kept only for code that used them: an alias nothing needs would only
            # put a second, unrelated name beside the survivor's.
            add_aliases=tuple(NewAlias(a.name, a.target) for a in aliases if not a.present) if copy_refs else (),
            rewrite_references=copy_references,
        ),
    )
