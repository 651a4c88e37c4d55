"""From findings to a fix plan: what each fix changes, whether it fixes, and the files after.

Nothing here writes to disk. Each finding's `fix` becomes one `PlannedFix`: the operations it
makes on each file (anchored on the file's original syntax tree, see `transforms.py`), the files
it deletes, the notes a reviewer needs, and its status:

- `fixed`: applying it removes the problem;
- `stub`: it adds a method that raises `NotImplementedError` (no better fix was found); the
  call still fails, so a stub is never counted as a fix;
- `skipped`: nothing is applied, and `reason` says why.

Every edit to one file is computed in one pass over that file's original tree, whatever the
number of fixes touching it, so fixes compose: any subset of them applied together gives what
applying them one by one gives. Deletion follows liveness: deleting a router module deletes the
modules only it reached, and the comments that name a deleted module go with it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from analyzer.facts.cache import FactsCache, combined_key
from analyzer.facts.extract import decode_source
from analyzer.findings import Finding
from analyzer.fixes.context import Note, PlanOptions
from analyzer.scan import ScanResult

if TYPE_CHECKING:
    from analyzer.fixes.context import Edits
    from analyzer.fixes.transforms import Op

__all__ = ["FileChange", "FixPlan", "Note", "PlanOptions", "PlannedFix", "build_plan"]

Status = Literal["fixed", "stub", "skipped"]


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file before and after a fix; `after` None means deleted."""

    path: str
    before: bytes
    after: bytes | None

    @property
    def deleted(self) -> bool:
        return self.after is None

    def diff(self) -> str:
        """A unified diff; a deleted file is one line saying so."""
        old = _lines(self.before)
        if self.after is None:
            return f"delete {self.path} ({len(old)} lines)\n"
        return "".join(difflib.unified_diff(old, _lines(self.after), f"a/{self.path}", f"b/{self.path}"))


@dataclass
class PlannedFix:
    """One finding's fix. `status` is `fixed`, `stub` or `skipped`; `reason` says why it is not
    `fixed` (a `skipped.<key>` catalogue note for a skip, a `notes.<key>` one for a stub)."""

    finding: Finding
    summary: str
    changes: list[FileChange] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: Note | None = None  # why the fix is not applied
    stub: Note | None = None  # set when the fix only adds a stub
    ops: dict[str, list[Op]] = field(default_factory=dict, repr=False)
    deletes: list[str] = field(default_factory=list)
    cascade: bool = False  # deleting its modules deletes what only they reached
    planned_summary: str = field(default="", repr=False)  # the rule's summary before planning

    def __post_init__(self) -> None:
        self.planned_summary = self.planned_summary or self.summary

    @property
    def status(self) -> Status:
        if self.skipped is not None or not self.changes:
            return "skipped"
        return "stub" if self.stub is not None else "fixed"

    @property
    def reason(self) -> Note | None:
        if self.status == "skipped":
            return self.skipped or Note("nothing_to_change", {})
        return self.stub if self.status == "stub" else None

    def reason_text(self, lang: str = "en") -> str | None:
        """The reason in words, from the message catalogue."""
        from analyzer.render.i18n import Text

        reason = self.reason
        if reason is None:
            return None
        section = "notes" if self.status == "stub" else "skipped"
        return Text(lang)(reason.catalogue_key(section), **reason.params)

    @property
    def applies(self) -> bool:
        """Whether the plan writes this fix's changes (a fix or a stub)."""
        return self.status != "skipped"

    @property
    def uncertain(self) -> bool:
        return self.finding.confidence == "uncertain"

    def reset(self) -> None:
        self.notes, self.skipped, self.stub, self.ops, self.deletes = [], None, None, {}, []
        self.summary, self.cascade = self.planned_summary, False

    def take(self, edits: Edits) -> None:
        """A rule's edits become this fix's."""
        self.notes.extend(edits.notes)
        self.skipped, self.stub = edits.skipped, edits.stub
        self.summary = edits.summary or self.summary
        self.cascade = edits.cascade
        if edits.skipped is None:
            self.ops = {path: list(ops) for path, ops in edits.ops.items()}
            self.deletes = list(edits.deletes)


@dataclass
class FixPlan:
    root: Path
    fixes: list[PlannedFix]
    originals: dict[str, bytes]
    final: dict[str, bytes | None]

    @property
    def changed(self) -> list[str]:
        return sorted(p for p, content in self.final.items() if content is not None and content != self.originals[p])

    @property
    def deleted(self) -> list[str]:
        return sorted(p for p, content in self.final.items() if content is None)

    @property
    def conflicts(self) -> list[PlannedFix]:
        return [fix for fix in self.fixes if fix.skipped is not None and fix.skipped.key == "conflict"]

    def count(self, status: Status) -> int:
        return sum(fix.status == status for fix in self.fixes)

    def of_status(self, status: Status) -> list[PlannedFix]:
        return [fix for fix in self.fixes if fix.status == status]

    def diff(self) -> str:
        """Each applied fix's changes, under a line naming it (for reading, not for `git apply`)."""
        parts = []
        for fix in self.fixes:
            if fix.applies:
                parts.append(f"# {fix.finding.rule}: {fix.summary}\n")
                parts.extend(change.diff() for change in fix.changes)
        return "".join(parts)

    def patch(self) -> bytes:
        """One git-style patch of every file, original → final, that `git apply` accepts
        (bytes: the files' own encodings and line endings are kept)."""
        parts = []
        for path in sorted(set(self.changed) | set(self.deleted)):
            parts.append(_file_patch(path, self.originals[path], self.final[path]))
        return b"".join(parts)


# The shape of a cached plan: bumped when FixPlan or what the fixes plan changes.
PLAN_VERSION = "1"


def build_plan(result: ScanResult, options: PlanOptions | None = None) -> FixPlan:
    """The fixes of the result's findings, as edits planned together. A scan made with the
    cache keeps its plans beside its result: the same findings of the same files, planned with
    the same options, are planned once."""
    options = options or PlanOptions()
    store = FactsCache(result.cache_dir) if result.cache_dir is not None and result.cache_key else None
    key = combined_key([result.cache_key or ""], _plan_key(result, options))
    cached = store.get(key) if store is not None else None
    if isinstance(cached, FixPlan) and cached.root == result.root:
        return cached
    from analyzer.fixes.planner import planned  # libcst and the transforms: only to plan

    plan = planned(result, options)
    if store is None:
        return plan
    for fix in plan.fixes:
        fix.ops = {}  # the edits' syntax, needed only while planning
    store.put(key, plan)
    return plan


def _plan_key(result: ScanResult, options: PlanOptions) -> str:
    """The findings (a baseline or a files list may have left out some) and the options, as
    text that is the same in every process."""
    findings = sorted((f.rule, f.path, f.line, f.symbol or "", f.confidence) for f in result.findings)
    settings = sorted((name, sorted(map(repr, value)) if isinstance(value, frozenset) else value)
                      for name, value in vars(options).items())
    return f"plan:{PLAN_VERSION}:{result.root}:{findings!r}:{settings!r}"


def _lines(data: bytes) -> list[str]:
    text = decode_source(data)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _file_patch(path: str, before: bytes, after: bytes | None) -> bytes:
    """A `diff --git` patch of one file, on its bytes."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True) if after is not None else []
    target = b"/dev/null" if after is None else f"b/{path}".encode()
    header = f"diff --git a/{path} b/{path}\n".encode()
    if after is None:
        header += b"deleted file mode 100644\n"
    body = list(difflib.diff_bytes(difflib.unified_diff, _marked(old), _marked(new), f"a/{path}".encode(), target))
    if not body:
        return b""
    body = [line if line.endswith(b"\n") else line + b"\n" for line in body]
    return header + b"".join(body)


def _marked(lines: list[bytes]) -> list[bytes]:
    """Lines for a patch: a last line without its end of line gets git's marker."""
    if lines and not lines[-1].endswith((b"\n", b"\r")):
        return [*lines[:-1], lines[-1] + b"\n\\ No newline at end of file\n"]
    return lines
