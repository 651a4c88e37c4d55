"""duplicate-module: a module that is a near-copy of another module.

## What it finds
A module whose code is, token for token, another module's code with some identifiers renamed
consistently (`SSEManager` for `StreamManager`, `get_sse_manager` for `get_stream_manager`).
Comments, docstrings and imports are ignored; changed messages count as small differences.
The copy is the module fewer modules import (then: the one whose names the other aliases, the
shorter one).

## Why is this bad?
Two copies drift: a fix lands in one and not the other, and readers cannot tell which is live.
A dead copy is pure cost.

## Policy
Whether a pair is a copy is judged by a structural score: the share of the copy's tokens that
equal the original's, a renamed identifier counting half (a copy renames its class and keeps
the rest; a parallel implementation, one module per model or per provider, renames most names).
The share with renaming counted in full is the `similarity` the message quotes.

- A copy that nothing the application runs imports is reported from 90% similarity (renamed
  names counting in full: a dead copy may rename as much as it likes).
- A copy the application still imports is reported when identical token for token, or from a
  score of 95% (high) or 85% (uncertain): the fix keeps the old names working (aliases) and
  points the imports at the survivor.
- A copy must cover at least 60% of both modules (`overlap`): a small module whose code is part
  of a larger one is not a copy of it, since replacing it by the larger one would do more.
- Modules under 20 logical lines are not compared when both are in use: short schema files look
  alike by nature. A copy nothing uses is compared from 6 logical lines if it has 20 lines of
  text (a graph of a few long statements, copied and forgotten).
- Uncertain, with the reason: two modules that differ by what they import (`XGBClassifier` for
  `XGBRFClassifier`: a parallel implementation), the same module in two version folders
  (`api/v1/users.py`, `api/v2/users.py`), copies that launchers run each by its own path (a
  script copied into each bundle), a copy only doubtful code reaches.
- Tests, `conftest.py` files, migrations, documentation snippets and examples (`docs/`,
  `docs_src/`, `examples/`) are not compared: pytest runs each file for its own directory,
  migrations are generated, and examples are copies of each other by design. Scripts are
  compared like any module.
- Copies of copies form one group with one survivor (the best reached, then the most imported);
  every other member is reported against it.

## Example
`app/core/sse_manager.py`, 340 lines, is `app/core/stream_manager.py` with `StreamManager`
renamed `SSEManager`; nothing imports it.

## Fix
Delete the copy and point every import of the copy at the survivor; when something used the
copy, make the survivor export the copy's public names under their old names
(`SSEManager = StreamManager`) so that nothing breaks.

## Blind spots
Copies that reorder whole functions still match (alignment finds the blocks) but copies that
were reformatted line by line (joined or split statements) score lower. Dynamic imports of the
copy by string are seen only when the string is a literal dotted path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from analyzer.checks import Example, Rule
from analyzer.facts.model import ModuleFacts
from analyzer.findings import Finding, Related
from analyzer.index import Symbol
from analyzer.liveness import Reach
from analyzer.project import Project, is_example_module, is_migration, is_test_module, parallel_versions
from analyzer.similarity import Comparison, candidate_pairs, compare, verbatim_copy

RULE_ID = "duplicate-module"
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
    options = project.options
    if comparison.overlap < MIN_OVERLAP:
        return None  # part of a larger module, not a copy of it
    reach = uses.in_use(copy)
    logical = min(copy.clone_text.line_count, original.clone_text.line_count)
    if logical < options.duplicate_min_lines and (
        reach in (Reach.APP, Reach.MAYBE) or min(copy.line_count, original.line_count) < options.duplicate_min_lines
    ):
        return None  # short modules look alike by nature
    identical = min(comparison.verbatim, comparison.overlap) >= 1.0  # both ways: a subset is no copy
    doubts = []
    if reach in (Reach.APP, Reach.MAYBE):
        structural = min(score(comparison), comparison.overlap)  # both in use: a subset is no copy
        if structural < UNCERTAIN_LIVE_SCORE and not identical:
            return None
        confidence = "high"
        if not identical and structural < options.duplicate_live_threshold:
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
    elif comparison.similarity >= options.duplicate_threshold:  # dead: however much it renamed
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
    aliases: list[dict[str, Any]] = []
    for old, new in comparison.renames.items():
        if old not in public:
            continue
        present = next(
            (b for b in original.bindings if not b.scope and b.name == old and b.value == new), None
        )
        aliases.append(
            {"name": old, "target": new, "present": present is not None,
             "line": present.line if present else None}
        )
    percent = f"{comparison.similarity * 100:.1f}".removesuffix(".0")
    rename_text = ", ".join(f"{old} → {new}" for old, new in comparison.renames.items())
    used = (
        f"imported by {len(copy_refs)} place(s)" if copy_refs else "nothing imports it"
    )
    message = (
        f"{copy.path} is a {percent}% copy of {original.path}"
        + (f" ({rename_text})" if rename_text else "")
        + f"; {used}."
    )
    evidence = [
        f"{comparison.aligned_lines} of {comparison.copy_lines} logical lines align with "
        f"{original.path}; {percent}% of the tokens are equal after renaming",
        f"{original.path} is referenced from {len(original_refs)} place(s); "
        f"{copy.path} from {len(copy_refs)}",
    ]
    if aliases and all(alias["present"] for alias in aliases):
        lines = [alias["line"] for alias in aliases]
        evidence.append(f"{original.path} already aliases the old names (lines {min(lines)}-{max(lines)})")
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
        details={
            "similarity": round(comparison.similarity, 3),
            "score": round(score(comparison), 3),
            "overlap": round(comparison.overlap, 3),
            "renames": dict(comparison.renames),
            "aliases": aliases,
            "aliases_present": all(alias["present"] for alias in aliases),
            "copy_lines": copy.line_count,
            "original_lines": original.line_count,
            "copy_referenced_by": [{"path": r.path, "line": r.line, "how": r.how} for r in copy_refs],
            "original_referenced_by": [
                {"path": r.path, "line": r.line, "how": r.how} for r in original_refs
            ],
        },
        evidence=(*evidence, *verdict.doubts),
        confidence=verdict.confidence,
        covers=(copy.path,),
        fix={
            "action": "delete-module",
            "path": copy.path,
            "module": copy.module,
            "survivor": original.path,
            "survivor_module": original.module,
            # Old names are kept only for code that used them: an alias nothing needs would only
            # put a second, unrelated name beside the survivor's.
            "add_aliases": [
                {"name": a["name"], "target": a["target"]} for a in aliases if not a["present"]
            ] if copy_refs else [],
            "rewrite_references": [{"path": r.path, "line": r.line, "how": r.how} for r in copy_refs],
        },
    )


_MANAGER = '''"""Keeps one queue per session."""
import asyncio


class {cls}:
    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue] = {{}}
        self._closed = False

    def queue(self, session_id: str) -> asyncio.Queue:
        if session_id not in self._queues:
            self._queues[session_id] = asyncio.Queue(maxsize=100)
        return self._queues[session_id]

    async def publish(self, session_id: str, event: dict) -> None:
        if self._closed:
            raise RuntimeError("manager is closed")
        await self.queue(session_id).put(event)

    async def drain(self, session_id: str) -> list[dict]:
        items = []
        queue = self.queue(session_id)
        while not queue.empty():
            items.append(queue.get_nowait())
        return items

    def close(self) -> None:
        self._closed = True
        self._queues.clear()

    def stats(self) -> dict[str, int]:
        return {{name: queue.qsize() for name, queue in self._queues.items()}}


_{var}: {cls} | None = None


def {getter}() -> {cls}:
    global _{var}
    if _{var} is None:
        _{var} = {cls}()
    return _{var}
'''

_PROVIDER = '''"""OAuth login with {name}."""
import httpx

AUTHORIZE_URL = "{url}/authorize"
TOKEN_URL = "{url}/token"
SCOPE = "{scope}"
TIMEOUT = 10


def authorize_url(client_id: str, state: str) -> str:
    return f"{{AUTHORIZE_URL}}?client_id={{client_id}}&state={{state}}&scope={{SCOPE}}"


async def exchange(client_id: str, secret: str, code: str) -> dict:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        response = await client.post(
            TOKEN_URL,
            data={{"client_id": client_id, "client_secret": secret, "code": code}},
            headers={{"Accept": "application/json"}},
        )
        response.raise_for_status()
        return response.json()


def profile_name(payload: dict) -> str:
    return payload.get("login") or payload.get("username") or "{name}-user"


def display(payload: dict) -> str:
    return "{name}: " + profile_name(payload)


def is_expired(payload: dict) -> bool:
    return payload.get("expires_in", 0) <= 0


def avatar(payload: dict) -> str | None:
    return payload.get("avatar_url")


def email(payload: dict) -> str | None:
    return payload.get("email")
'''

RULE = Rule(
    id=RULE_ID,
    summary="A module that is a near-copy of another, with the identifier renaming between them.",
    check=check,
    doc=__doc__ or "",
    module_rank=0,
    invalid=(
        Example(
            files={
                "app/__init__.py": "",
                "app/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream"),
                "app/sse.py": _MANAGER.format(cls="SSEManager", var="sse", getter="get_sse"),
                "app/main.py": "from app.stream import get_stream\n\nmanager = get_stream()\n",
            },
            expected=(("app/sse.py", 1, None),),
            note="a renamed copy that nothing imports",
        ),
    ),
    valid=(
        Example(
            files={
                "app/__init__.py": "",
                "app/github.py": _PROVIDER.format(
                    name="github", url="https://github.com/login/oauth", scope="read:user"
                ),
                "app/gitlab.py": _PROVIDER.format(name="gitlab", url="https://gitlab.com/oauth", scope="read_user"),
                "app/main.py": "from app import github, gitlab\n\nPROVIDERS = [github, gitlab]\n",
            },
            uncertain=(("app/github.py", 1, None),),
            note="live per-provider look-alikes that differ in their literals: uncertain",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/a.py": "from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    x: int\n    y: str\n",
                "app/b.py": "from pydantic import BaseModel\n\n\nclass B(BaseModel):\n    x: int\n    y: str\n",
            },
            note="short schema modules look alike by nature",
        ),
        Example(
            files={
                "app/__init__.py": "",
                "app/api/__init__.py": "",
                "app/api/v1/__init__.py": "",
                "app/api/v2/__init__.py": "",
                "app/api/v1/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream"),
                "app/api/v2/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream"),
                "app/main.py": "from app.api.v1 import stream as v1\nfrom app.api.v2 import stream as v2\n",
            },
            uncertain=(("app/api/v1/stream.py", 1, None),),
            note="the same module in two live versions of an API: uncertain",
        ),
    ),
)
