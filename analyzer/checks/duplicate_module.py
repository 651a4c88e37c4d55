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
- A copy that nothing imports (and that is not a test, script or migration) is reported from
  90% similarity.
- A copy the application still uses (imported or named by a module that is not a test, or run as
  a script) is reported only when identical token for token (100% *verbatim*, comments and
  formatting aside): renamed look-alikes used side by side (a model per table, a client per
  provider) are legitimate, and so are modules that differ by one setting or one imported
  constant (an entry module per worker), and so is the same module in two version folders
  (`api/v1/users.py`, `api/v2/users.py`, a generated SDK per API version). References from
  tests alone do not make a copy live.
- A copy must cover at least 60% of both modules (`overlap`): a small module whose code is part
  of a larger one is not a copy of it, since replacing it by the larger one would do more.
- Modules under 20 logical lines and renamings that touch more than 15% of a module's names are
  never reported: short schema files look alike by nature.
- The renaming may only touch names the copy defines, never names it imports: two modules that
  differ by what they import (`XGBClassifier` for `XGBRFClassifier`, one model for another) are
  parallel implementations, not a copy.
- Tests, `conftest.py` files, migrations, scripts (a `__main__` guard, `setup.py`...),
  documentation snippets and examples (`docs/`, `docs_src/`, `examples/`) are never reported:
  pytest runs each file for its own directory, migrations are generated, a script may be
  copied on purpose into each bundle that runs it by path, and examples are copies of each
  other by design.
- Copies of copies form one group with one survivor (the most imported); every other member is
  reported against it.

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

import re
from collections.abc import Iterator
from typing import Any

from analyzer.checks import Example, Rule
from analyzer.facts.model import NAMES, ModuleFacts
from analyzer.findings import Finding, Related
from analyzer.options import Options
from analyzer.project import Project, is_example_module, is_run_directly, is_test_module
from analyzer.similarity import Comparison, candidate_pairs, compare, verbatim_copy

RULE_ID = "duplicate-module"
MIN_OVERLAP = 0.6


def check(project: Project) -> Iterator[Finding]:
    index = project.index
    options = project.options
    texts = {
        name: facts.clone_text
        for name, facts in index.modules.items()
        if not is_run_directly(facts) and not is_example_module(facts)
    }
    comparisons: dict[tuple[str, str], Comparison] = {}

    def compared(copy: ModuleFacts, original: ModuleFacts) -> Comparison:
        key = (copy.module, original.module)
        if key not in comparisons:
            if copy.clone_text.same_code_as(original.clone_text):
                comparisons[key] = verbatim_copy(copy.clone_text.line_count)
            else:
                comparisons[key] = compare(copy.normalized_lines, original.normalized_lines)
        return comparisons[key]

    pairs = []
    for a, b in candidate_pairs(texts, options.duplicate_min_lines):
        first, second = index.modules[a], index.modules[b]
        if not (_may_pass(options, compared(first, second)) or _may_pass(options, compared(second, first))):
            continue  # too different either way: no need to ask which one is the copy
        copy, original = _copy_and_original(project, first, second)
        if _passes(project, copy, original, compared(copy, original)):
            pairs.append((a, b))
    if not pairs:
        return
    import networkx as nx  # lazily: most projects have no copies

    similar: nx.Graph[str] = nx.Graph(pairs)
    # Copies of copies: every member of a group is compared with the group's one survivor.
    for group in sorted(nx.connected_components(similar), key=min):
        members = [index.modules[name] for name in sorted(group)]
        survivor = max(members, key=lambda facts: _rank(project, facts, members))
        for copy in members:
            if copy is survivor:
                continue
            comparison = compared(copy, survivor)
            if _passes(project, copy, survivor, comparison):
                yield _finding(project, copy, survivor, comparison)


def _may_pass(options: Options, comparison: Comparison) -> bool:
    """Whether `_passes` could accept the comparison, whichever module turns out to be live."""
    lowest = min(options.duplicate_threshold, options.duplicate_live_threshold)
    return comparison.overlap >= MIN_OVERLAP and max(comparison.similarity, comparison.verbatim) >= lowest


_VERSION = re.compile(r"v?\d+(?:[._-]\d+)*")


def _parallel_versions(path: str, other: str) -> bool:
    """The same file in two version folders: `api/v1/users.py` and `api/v2/users.py`."""
    mine, theirs = path.split("/"), other.split("/")
    differing = [(a, b) for a, b in zip(mine, theirs, strict=False) if a != b]
    return len(mine) == len(theirs) and len(differing) == 1 and all(
        _VERSION.fullmatch(part) for part in differing[0]
    )


def _passes(project: Project, copy: ModuleFacts, original: ModuleFacts, comparison: Comparison) -> bool:
    options = project.options
    if comparison.overlap < MIN_OVERLAP:
        return False  # part of a larger module, not a copy of it
    if _is_live(project, copy):
        # Both in use: only a verbatim copy is a duplicate; renamed look-alikes that the
        # application uses side by side (a model per table, a client per provider) are not,
        # nor are the same module in two versions of an API (`v1/users.py`, `v2/users.py`).
        verbatim = min(comparison.verbatim, comparison.overlap)  # both ways: a subset is no copy
        return verbatim >= options.duplicate_live_threshold and not _parallel_versions(
            copy.path, original.path
        )
    return comparison.similarity >= options.duplicate_threshold and not _renames_too_much(
        copy, comparison, options
    )


def _is_live(project: Project, facts: ModuleFacts) -> bool:
    """Used by the application: imported or named by a module that is not a test, or run."""
    index = project.index
    users = [r for r in project.module_references(facts.module) if not is_test_module(index.by_path[r.path])]
    return bool(users) or project.is_entry_point(facts)


def _renames_too_much(copy: ModuleFacts, comparison: Comparison, options: Options) -> bool:
    """A copy renames what it defines; a parallel implementation also swaps what it uses (an
    imported class for another, a base, a library call): that is a look-alike, not a copy."""
    if len(comparison.renames) > 4:  # few renames never count as too many: skip decoding the lines
        names = {name for line in copy.normalized_lines for name in line[NAMES]}
        if len(comparison.renames) > options.max_renamed_share * len(names):
            return True
    imported = {i.alias.split(".")[0] for i in copy.imports}
    return any(old in imported for old in comparison.renames)


def _copy_and_original(project: Project, a: ModuleFacts, b: ModuleFacts) -> tuple[ModuleFacts, ModuleFacts]:
    return (a, b) if _rank(project, a, [b]) < _rank(project, b, [a]) else (b, a)


def _rank(project: Project, facts: ModuleFacts, others: list[ModuleFacts]) -> tuple[bool, int, int, int, str]:
    """Higher survives: used by the application, then by more modules, then aliasing the
    others' names, then longer."""
    users = {r.path for r in project.module_references(facts.module)}
    return (
        _is_live(project, facts),
        len(users) + project.is_entry_point(facts),
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


def _finding(project: Project, copy: ModuleFacts, original: ModuleFacts, comparison: Comparison) -> Finding:
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
        evidence=tuple(evidence),
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
            note="live per-provider look-alikes that differ in their literals",
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
            note="the same module in two live versions of an API",
        ),
    ),
)
