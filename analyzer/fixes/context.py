"""What a rule's fix is given and what it gives back.

`Rule.fix(finding, context)` returns `Edits`: the operations it makes on each file (anchored on
the file's original syntax tree, see `transforms.py`), the files it deletes and the notes a
reviewer needs; or why it is skipped, or that it only adds a stub. `FixContext` is the plan
around it: the project, the files read once, the plan's options, the files the whole plan
deletes. The helpers below are the pieces several fixes share (star imports that block a
rewrite, comments that name a deleted module).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.facts.extract import decode_source
from analyzer.facts.model import ModuleFacts
from analyzer.index import ProjectIndex
from analyzer.liveness import Liveness
from analyzer.project import Project

if TYPE_CHECKING:
    from analyzer.fixes.transforms import Op, SourceFile

# A method a fix adds when nothing better fits starts its docstring with this: it raises
# NotImplementedError, and verification finds it in the tree and never counts it as a fix.
STUB_MARKER = "Stub added by hygiene"


@dataclass(frozen=True)
class Note:
    """A remark on a fix, as a catalogue key and parameters. `scope` is the rule whose own
    catalogue holds the key (its `[<rule id>]` table); "" for the notes every rule shares."""

    key: str
    params: dict[str, Any]
    scope: str = ""

    def catalogue_key(self, section: str) -> str:
        """`notes.<key>` or `skipped.<key>` (`section`), under the rule's table when scoped."""
        return f"{self.scope}.{section}.{self.key}" if self.scope else f"{section}.{self.key}"


@dataclass
class Edits:
    """A rule's fix of one finding. `skipped` says why nothing is applied; `stub` that what is
    applied only adds a stub (a method that still raises: not a fix). `summary` replaces the
    one-line summary the rule gave before planning. With `cascade`, deleting these modules also
    deletes the modules only they reached (a router module and what it alone mounted)."""

    ops: dict[str, list[Op]] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: Note | None = None
    stub: Note | None = None
    summary: str | None = None
    cascade: bool = False

    def edit(self, path: str, *ops: Op) -> None:
        self.ops.setdefault(path, []).extend(ops)


@dataclass(frozen=True)
class PlanOptions:
    rules: frozenset[str] | None = None
    only: frozenset[str] | None = None
    drop_unrouted: bool = False
    skip_orphan_methods: bool = False
    findings: frozenset[tuple[str, str, str | None]] | None = None  # (rule, path, symbol) keys chosen one by one
    include_uncertain: bool = False


class Files:
    """The project's files as read once, and their syntax trees."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data: dict[str, bytes] = {}
        self._sources: dict[str, SourceFile] = {}

    def read(self, path: str) -> bytes:
        if path not in self.data:
            self.data[path] = (self.root / path).read_bytes()
        return self.data[path]

    def source(self, path: str) -> SourceFile:
        if path not in self._sources:
            from analyzer.fixes.transforms import SourceFile  # libcst: only to plan

            self._sources[path] = SourceFile(path, self.read(path))
        return self._sources[path]


@dataclass
class FixContext:
    project: Project
    files: Files
    options: PlanOptions
    deleted: set[str]  # paths the plan deletes
    what_if: dict[frozenset[str], Liveness] = field(default_factory=dict)  # liveness without modules

    def liveness_without(self, modules: set[str]) -> Liveness:
        """The liveness of the project without these modules (what the application would still
        reach once they are deleted)."""
        key = frozenset(modules)
        if key not in self.what_if:
            project = self.project
            remaining = [facts for module, facts in project.index.modules.items() if module not in modules]
            self.what_if[key] = Project(
                ProjectIndex(remaining), project.options, project.distributions, project.mentions
            ).liveness
        return self.what_if[key]


# ---- shared by several fixes ---------------------------------------------------------------------
def star_import(index: ProjectIndex, paths: Iterable[str], modules: set[str]) -> Note | None:
    """A star import of one of `modules` in one of the files: never rewritten nor dropped."""
    for path in paths:
        facts = index.by_path.get(path)
        for imported in facts.imports if facts else ():
            if imported.is_star and imported.module in modules:
                return Note("star_import", {"where": f"{path}:{imported.line}", "module": imported.module})
    return None


def package_of(facts: ModuleFacts) -> str:
    """The package a module's relative imports start from."""
    return facts.module if facts.is_package else facts.module.rpartition(".")[0]


def drop_comments(context: FixContext, edits: Edits, gone: list[ModuleFacts]) -> None:
    """Comments that name a deleted module go with it: in the modules that imported it, any
    mention (`# api_router.include_router(admin.admin_router)`, a commented-out import, a
    name imported from it); elsewhere, its dotted name, its path, or `leaf.name` for a name it
    defined."""
    index = context.project.index
    deleted = context.deleted | set(edits.deletes)
    strict = [p for facts in gone for p in _strict_patterns(facts)]
    if not strict:
        return
    strict_pattern = _combined(tuple(strict))
    # Every pattern holds a module's last part, its path or a name it was imported as: a comment
    # with none of these words needs no regular expression.
    leaves = {facts.module.rpartition(".")[2] for facts in gone} | {facts.path for facts in gone}
    touched = []
    for facts in sorted(index.modules.values(), key=lambda f: f.path):
        if facts.path in deleted:
            continue
        loose_by_alias = [found for gone_facts in gone for found in _importer_patterns(facts, gone_facts)]
        loose = [pattern for pattern, _ in loose_by_alias]
        pattern = _combined(tuple(strict + loose)) if loose else strict_pattern
        needles = leaves | {alias for _, alias in loose_by_alias}
        if _comment_matches(context.files.read(facts.path), pattern, needles):
            from analyzer.fixes.transforms import RemoveComments  # libcst: only to plan

            edits.edit(facts.path, RemoveComments(tuple(strict + loose)))
            touched.append(facts.path)
    if touched:
        edits.notes.append(Note("comments_removed", {
            "module": ", ".join(f.module for f in gone[:3]), "paths": ", ".join(touched)}))


@lru_cache(maxsize=1024)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _strict_patterns(facts: ModuleFacts) -> list[str]:
    leaf = facts.module.rpartition(".")[2]
    names = sorted(facts.defined_names())
    patterns = [rf"(?<![\w.]){re.escape(facts.module)}(?!\w)", re.escape(facts.path)]
    if names and leaf != "__init__":
        patterns.append(rf"(?<![\w./-]){re.escape(leaf)}\.(?:{'|'.join(map(re.escape, names))})\b")
    return patterns


def _importer_patterns(importer: ModuleFacts, gone: ModuleFacts) -> list[tuple[str, str]]:
    """How a module that imported `gone` may name it in a comment: (pattern, the word in it)."""
    patterns = []
    for imported in importer.imports:
        whole = imported.name is None and imported.module == gone.module
        module_itself = imported.name is not None and f"{imported.module}.{imported.name}" == gone.module
        if whole or module_itself:
            patterns.append((rf"(?<![\w./-]){re.escape(imported.alias)}\.\w", imported.alias))
        elif imported.name is not None and imported.module == gone.module and not imported.is_star:
            patterns.append((rf"\b{re.escape(imported.alias)}\b", imported.alias))
    if patterns:
        leaf = gone.module.rpartition(".")[2]
        patterns.append((rf"\bimport\b.*\b{re.escape(leaf)}\b", leaf))
    return patterns


def _comment_matches(data: bytes, pattern: re.Pattern[str], needles: set[str]) -> bool:
    """Whether a comment of the file may match (a quick look at the text after each `#`; the
    rewrite then looks at real comments only). `needles`: a match contains one of them."""
    text = _comment_text(data)
    return text is not None and any(needle in text for needle in needles) and pattern.search(text) is not None


@lru_cache(maxsize=4096)
def _comment_text(data: bytes) -> str | None:
    """The text after the first `#` of each line that has one, one line each: read once per
    file, however many deleted modules are looked for in it."""
    if b"#" not in data:
        return None
    try:
        text = decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    return "\n".join(line[line.index("#"):] for line in text.splitlines() if "#" in line)
