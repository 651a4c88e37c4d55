"""Silencing findings: inline comments, per-file ignores from the configuration, and baselines.

- `# hygiene: ignore[rule]` (or `# hygiene: ignore` for every rule) on a finding's first line
  silences it; for module-level findings (a duplicate module) the module's first line.
- `per-file-ignores` in `[tool.hygiene]` silences rules for paths matching a pattern.
- A baseline records the findings of an old codebase by a fingerprint that survives line shifts
  (rule, path, symbol, related paths, and the normalised code of the finding's lines), so that
  only new findings are reported; entries that no longer match anything are reported as stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.config import did_you_mean
from analyzer.facts.model import LINE, LITERALS, NAMES, SHAPE
from analyzer.findings import Diagnostic, Finding
from analyzer.index import ProjectIndex
from analyzer.options import Options

if TYPE_CHECKING:
    import pathspec

BASELINE_VERSION = 1


@dataclass(frozen=True)
class Silenced:
    kept: tuple[Finding, ...]
    suppressed: int
    unused: tuple[Diagnostic, ...]
    unknown: tuple[Diagnostic, ...]


def apply_suppressions(
    findings: tuple[Finding, ...], index: ProjectIndex, options: Options, rule_ids: frozenset[str]
) -> Silenced:
    """The findings no comment or per-file ignore silences; the comments that silenced nothing;
    and the comments naming a rule that does not exist (a typo silences nothing, always said)."""
    used: set[tuple[str, int]] = set()
    kept = []
    per_file = [(_spec([pattern]), set(rules)) for pattern, rules in options.per_file_ignores]
    for finding in findings:
        if any(spec.match_file(finding.path) and finding.rule in rules for spec, rules in per_file):
            continue
        facts = index.by_path.get(finding.path)
        hit = None
        if facts is not None:
            for line, rules in facts.suppressions:
                if line == finding.line and (not rules or finding.rule in rules):
                    hit = (facts.path, line)
                    break
        if hit is None:
            kept.append(finding)
        else:
            used.add(hit)
    unused = tuple(
        Diagnostic(facts.path, f"unused suppression `# hygiene: ignore{_rules_text(rules)}`", line)
        for facts in index.modules.values()
        for line, rules in facts.suppressions
        if (facts.path, line) not in used
    )
    unknown = tuple(
        Diagnostic(facts.path, f"unknown rule {rule!r} in `# hygiene: ignore{_rules_text(rules)}`"
                   f"{did_you_mean(rule, rule_ids)}", line)
        for facts in index.modules.values()
        for line, rules in facts.suppressions
        for rule in rules
        if rule not in rule_ids
    )
    return Silenced(tuple(kept), len(findings) - len(kept), unused, unknown)


def _rules_text(rules: tuple[str, ...]) -> str:
    return f"[{', '.join(rules)}]" if rules else ""


def _spec(patterns: list[str]) -> pathspec.GitIgnoreSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def fingerprint(finding: Finding, index: ProjectIndex) -> str:
    """Stable across line shifts: who, what, and the normalised code of the finding's lines."""
    parts = [finding.rule, finding.path, finding.symbol or "", *sorted(r.path for r in finding.related)]
    facts = index.by_path.get(finding.path)
    whole_file = finding.line == 1 and facts is not None and finding.end_line == facts.line_count
    if facts is not None and not whole_file:
        for line in facts.normalized_lines:
            if finding.line <= line[LINE] <= finding.end_line:
                parts.append(f"{line[SHAPE]}:{','.join(line[NAMES])}:{line[LITERALS]}")
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def write_baseline(path: Path, findings: tuple[Finding, ...], index: ProjectIndex) -> int:
    entries = sorted(
        ({"fingerprint": fingerprint(f, index), "rule": f.rule, "path": f.path, "symbol": f.symbol}
         for f in findings),
        key=lambda e: (e["path"], e["rule"], e["symbol"] or "", e["fingerprint"]),
    )
    path.write_text(json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n", encoding="utf-8")
    return len(entries)


class BaselineError(Exception):
    """The baseline file cannot be read."""


def apply_baseline(
    findings: tuple[Finding, ...], path: Path, index: ProjectIndex
) -> tuple[tuple[Finding, ...], tuple[Diagnostic, ...]]:
    """The findings not in the baseline, and a diagnostic per stale baseline entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["findings"]
        known = {entry["fingerprint"]: entry for entry in entries}
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist (create it with --write-baseline)") from None
    except (ValueError, KeyError, TypeError) as error:
        raise BaselineError(f"baseline {path} is not a hygiene baseline: {error}") from None
    kept = []
    matched: set[str] = set()
    for finding in findings:
        print_ = fingerprint(finding, index)
        if print_ in known:
            matched.add(print_)
        else:
            kept.append(finding)
    stale = tuple(
        Diagnostic(entry["path"], f"stale baseline entry: {entry['rule']} {entry.get('symbol') or ''}".rstrip())
        for print_, entry in sorted(known.items(), key=lambda item: item[1]["path"])
        if print_ not in matched
    )
    return tuple(kept), stale
