"""What checks produce and renderers format: findings and diagnostics.

A finding's `details` (what the rule saw) and `fix` (the fix it proposes) are frozen dataclasses
that each rule defines in its own package (`analyzer/checks/<rule>/details.py`); code outside the
rule never reads them. Their JSON form is the output contract of `--format json`: `Data.to_dict`
writes their fields in order, under the names the README documents.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

_A = TypeVar("_A")
_B = TypeVar("_B")
_C = TypeVar("_C")


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in agreement, in English (a finding's message and evidence are
    English; the reports' sentences come from the catalogues): "1 place", "2 places"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def key(name: str) -> dict[str, str]:
    """Field metadata naming its JSON key when the field's name cannot be it (`class`, `in`):
    `cls: str = field(metadata=key("class"))`."""
    return {"json": name}


class Data:
    """A frozen dataclass with a JSON form: its fields in order, each under its name (or the
    name its metadata gives, see `key`); nested `Data`, tuples, lists and dicts converted."""

    def to_dict(self) -> dict[str, Any]:
        return {
            f.metadata.get("json", f.name): to_json(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]  # subclasses are dataclasses
        }


def to_json(value: Any) -> Any:
    if isinstance(value, Data):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {name: to_json(item) for name, item in value.items()}
    return value


@dataclass(frozen=True)
class Details(Data):
    """What a rule saw: each rule subclasses it (an empty table by default)."""


@dataclass(frozen=True)
class FixSpec(Data):
    """The fix a rule proposes, as data (`action` first): each rule subclasses it."""

    action: str

    def adds_method(self) -> tuple[str, str] | None:
        """The method this fix adds, as (path, `Class.method`), when it adds one (a stub, when no
        better body is found: the verification looks for it)."""
        return None


@overload
def details_of(finding: Finding, kind: type[_A]) -> _A: ...
@overload
def details_of(finding: Finding, kind: tuple[type[_A], type[_B]]) -> _A | _B: ...
@overload
def details_of(finding: Finding, kind: tuple[type[_A], type[_B], type[_C]]) -> _A | _B | _C: ...
def details_of(finding: Finding, kind: type[Any] | tuple[type[Any], ...]) -> Any:
    """The finding's details, as the rule that made them knows them (one of `kind`)."""
    return _checked(finding, finding.details, kind, "details")


@overload
def fix_of(finding: Finding, kind: type[_A]) -> _A: ...
@overload
def fix_of(finding: Finding, kind: tuple[type[_A], type[_B]]) -> _A | _B: ...
def fix_of(finding: Finding, kind: type[Any] | tuple[type[Any], ...]) -> Any:
    """The finding's proposed fix, as the rule that made it knows it (one of `kind`)."""
    return _checked(finding, finding.fix, kind, "fix")


def _checked(finding: Finding, value: object, kind: type[Any] | tuple[type[Any], ...], what: str) -> object:
    if not isinstance(value, kind):
        raise TypeError(f"{finding.rule} finding with a {type(value).__name__} {what}, not {kind}")
    return value


@dataclass(frozen=True, slots=True)
class Related:
    path: str
    line: int
    end_line: int
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "end_line": self.end_line, "note": self.note}


@dataclass(frozen=True, slots=True)
class Folded:
    """A finding inside the files that a finding about whole modules covers, folded into it."""

    rule: str
    path: str
    line: int
    symbol: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "path": self.path, "line": self.line, "symbol": self.symbol, "message": self.message}


@dataclass(frozen=True)
class Finding:
    """One problem, with the evidence for it and the fix proposed.

    `confidence` is `high` (fails CI) or `uncertain` (listed apart, fails only with `--strict`).
    `details` and `fix` are the rule's own typed data; `to_dict()` is the JSON form (the folded
    findings are listed under `details.folded`).
    """

    rule: str
    path: str
    line: int
    end_line: int
    symbol: str | None
    message: str
    related: tuple[Related, ...] = ()
    details: Details = field(default_factory=Details)
    evidence: tuple[str, ...] = ()
    confidence: str = "high"
    fix: FixSpec | None = None
    covers: tuple[str, ...] = ()  # the files a finding about whole modules is about
    folded: tuple[Folded, ...] = ()  # findings inside those files, folded into this one

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line, self.rule, self.symbol or "")

    def to_dict(self) -> dict[str, Any]:
        details = self.details.to_dict()
        if self.folded:
            details["folded"] = [item.to_dict() for item in self.folded]
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "symbol": self.symbol,
            "message": self.message,
            "confidence": self.confidence,
            "related": [r.to_dict() for r in self.related],
            "details": details,
            "evidence": list(self.evidence),
            "fix": self.fix.to_dict() if self.fix is not None else None,
        }

    def with_folded(self, inner: list[Finding]) -> Finding:
        """This finding with `inner` findings (inside the files it covers) folded into it."""
        if not inner:
            return self
        folded = tuple(
            Folded(f.rule, f.path, f.line, f.symbol, f.message) for f in sorted(inner, key=lambda f: f.sort_key)
        )
        return dataclasses.replace(self, folded=folded)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something the analysis could not do or is unsure of (not a finding)."""

    path: str
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.line is not None:
            data["line"] = self.line
        return data
