"""What checks produce and renderers format: findings and diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Related:
    path: str
    line: int
    end_line: int
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "end_line": self.end_line, "note": self.note}


@dataclass(frozen=True)
class Finding:
    """One problem, with the evidence for it and the fix proposed.

    `confidence` is `high` (fails CI) or `uncertain` (listed apart, fails only with `--strict`).
    `details`, `evidence` and `fix` are plain JSON-ready data.
    """

    rule: str
    path: str
    line: int
    end_line: int
    symbol: str | None
    message: str
    related: tuple[Related, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    confidence: str = "high"
    fix: dict[str, Any] | None = None
    covers: tuple[str, ...] = ()  # the files a finding about whole modules is about

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line, self.rule, self.symbol or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "symbol": self.symbol,
            "message": self.message,
            "confidence": self.confidence,
            "related": [r.to_dict() for r in self.related],
            "details": self.details,
            "evidence": list(self.evidence),
            "fix": self.fix,
        }

    def folded(self, inner: list[Finding]) -> Finding:
        """This finding with `inner` findings (inside the files it covers) as its details."""
        if not inner:
            return self
        folded = [
            {"rule": f.rule, "path": f.path, "line": f.line, "symbol": f.symbol, "message": f.message}
            for f in sorted(inner, key=lambda f: f.sort_key)
        ]
        return replace(self, details={**self.details, "folded": folded})


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
