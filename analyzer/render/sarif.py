"""SARIF 2.1.0 output (`--format sarif`): for GitHub code scanning and other SARIF viewers.

One run, every rule's metadata from its docstring, one result per finding with its locations
(every call site of a missing method is one), a line-independent fingerprint and the fix as the
real text edits the fix plan makes (`hygiene fix` would write the same), or no fix at all: never
a description passed off as an edit, never a stub that does not fix. Each result's fix is planned
on its own, from the files as they are, so a consumer can apply any one of them. A file the fix
deletes cannot be deleted in SARIF: its content is removed, and the description says so.
Diagnostics become tool execution notifications.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from analyzer import __version__
from analyzer.checks import Rule, all_rules, rule_of
from analyzer.facts.extract import decode_source
from analyzer.findings import Diagnostic, Finding, Related
from analyzer.scan import ScanResult

__all__ = ["render"]

_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_TOOL_NAME = "code-hygiene"
_INFORMATION_URI = "https://github.com/code-hygiene/code-hygiene"
_SRCROOT = "%SRCROOT%"
_FINGERPRINT_KEY = "hygiene/v1"


def render(result: ScanResult) -> str:
    return json.dumps(_log(result), indent=2, ensure_ascii=False) + "\n"


def _log(result: ScanResult) -> dict[str, Any]:
    rules = all_rules()
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    return {
        "$schema": _SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": _TOOL_NAME,
                        "informationUri": _INFORMATION_URI,
                        "version": __version__,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [_notification(d) for d in result.diagnostics],
                    }
                ],
                "originalUriBaseIds": {_SRCROOT: {"uri": _root_uri(result.root)}},
                "results": _results(result, rule_index),
                "properties": {"files": result.files, "lines": result.lines},
            }
        ],
    }


# --- rules -------------------------------------------------------------------------------------


def _rule(rule: Rule) -> dict[str, Any]:
    doc = rule.doc.strip()
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule.id) if part),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _section(doc, "What it finds") or rule.summary},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": _default_level(rule)},
    }


def _default_level(rule: Rule) -> str:
    return "error" if rule.severity == "error" else "warning"


def _section(doc: str, title: str) -> str:
    """The text under `## title` up to the next `## ` heading, stripped."""
    lines: list[str] = []
    inside = False
    for line in doc.splitlines():
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip().lower() == title.lower()
            continue
        if inside:
            lines.append(line)
    return "\n".join(lines).strip()


# --- results -----------------------------------------------------------------------------------


def _results(result: ScanResult, rule_index: dict[str, int]) -> list[dict[str, Any]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    fixes = _Fixes(result)
    for finding in result.findings:
        key = (finding.rule, finding.path, finding.symbol or "")
        occurrence = seen[key]
        seen[key] += 1
        results.append(_result(finding, rule_index, _fingerprint(key, occurrence), fixes))
    return results


def _result(finding: Finding, rule_index: dict[str, int], fingerprint: str, fixes: _Fixes) -> dict[str, Any]:
    data: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        data["ruleIndex"] = rule_index[finding.rule]
    data["level"] = _level(finding)
    data["message"] = {"text": finding.message}
    rule = rule_of(finding)
    sites = rule.locations(finding)
    data["locations"] = [{"physicalLocation": _physical(finding.path, finding.line, finding.end_line)}]
    data["locations"] += [{"physicalLocation": _physical(path, line, line)} for path, line in sites[1:]]
    related = [_related(index, r) for index, r in enumerate(finding.related, 1)]
    related += [
        _related(index, Related(path, line, line, rule.location_note))
        for index, (path, line) in enumerate(sites[1:], len(related) + 1)
    ]
    if related:
        data["relatedLocations"] = related
    data["partialFingerprints"] = {_FINGERPRINT_KEY: fingerprint}
    fix = fixes.sarif_fix(finding)
    if fix is not None:
        data["fixes"] = [fix]
    data["properties"] = {
        "confidence": finding.confidence,
        "details": finding.to_dict()["details"],
        "evidence": list(finding.evidence),
    }
    return data


def _level(finding: Finding) -> str:
    """The rule's level for a confident finding; an uncertain one is only a note."""
    return _default_level(rule_of(finding)) if finding.confidence == "high" else "note"


def _fingerprint(key: tuple[str, str, str], occurrence: int) -> str:
    """A hash of (rule, path, symbol): lines do not enter it, so it survives edits above.

    `occurrence` separates findings that share the key (a class defined three times in one
    module); it is the rank among them, so it too is independent of line numbers.
    """
    text = "\0".join(key) if occurrence == 0 else "\0".join((*key, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _related(index: int, related: Related) -> dict[str, Any]:
    return {
        "id": index,
        "physicalLocation": _physical(related.path, related.line, related.end_line),
        "message": {"text": related.note},
    }


def _physical(path: str, line: int | None, end_line: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"artifactLocation": _artifact(path)}
    if line is not None and line >= 1:
        region = {"startLine": line}
        if end_line is not None and end_line >= line:
            region["endLine"] = end_line
        data["region"] = region
    return data


def _artifact(path: str) -> dict[str, str]:
    return {"uri": quote(path, safe="/"), "uriBaseId": _SRCROOT}


def _root_uri(root: Path) -> str:
    uri = Path(root).absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# --- fixes -------------------------------------------------------------------------------------


class _Fixes:
    """The SARIF fix of each finding, from the fix plan: the whole plan is made once, and a fix
    whose files no other fix touches is taken from it as it is; the others are planned alone,
    from the files as they are, so that any one fix applies to the tree it was found in."""

    def __init__(self, scan: ScanResult) -> None:
        self.scan = scan
        self._plan: Any = None
        self._owners: Counter[str] = Counter()

    def _whole(self) -> Any:
        if self._plan is None:
            from analyzer.fixes.plan import build_plan

            self._plan = build_plan(self.scan)
            for fix in self._plan.fixes:
                self._owners.update({change.path for change in fix.changes})
        return self._plan

    def sarif_fix(self, finding: Finding) -> dict[str, Any] | None:
        """None for no fix, a fix the plan skips, or a stub (a method that raises
        NotImplementedError is not a fix)."""
        if not finding.fix:
            return None
        from analyzer.reporting import fix_status

        try:
            planned = [f for f in self._whole().fixes if f.finding is finding]
            if len(planned) == 1 and all(self._owners[c.path] == 1 for c in planned[0].changes):
                fix = planned[0]
                if fix_status(fix)[0] != "fixed":
                    return None
                edits = [(c.path, c.before, c.after) for c in fix.changes]
            else:
                edits = self._alone(finding)
        except Exception:  # noqa: BLE001 - a fix that cannot be planned is left out; the result stays
            return None
        if not edits:
            return None
        changes = [_artifact_change(path, before, after or b"") for path, before, after in sorted(edits)]
        deleted = [path for path, _, after in sorted(edits) if after is None]
        description = rule_of(finding).describe_fix(finding)
        if deleted:
            description += f" (SARIF cannot delete a file: the content of {', '.join(deleted)} is removed)"
        return {"description": {"text": description}, "artifactChanges": changes}

    def _alone(self, finding: Finding) -> list[tuple[str, bytes, bytes | None]]:
        from analyzer.fixes.plan import PlanOptions, build_plan
        from analyzer.reporting import fix_status

        plan = build_plan(self.scan, PlanOptions(findings=frozenset({(finding.rule, finding.path, finding.symbol)})))
        if len(plan.fixes) != 1 or fix_status(plan.fixes[0])[0] != "fixed":
            return []
        return [
            (path, plan.originals[path], after)
            for path, after in plan.final.items()
            if path in plan.originals and after != plan.originals[path]
        ]


def _artifact_change(path: str, before: bytes, after: bytes) -> dict[str, Any]:
    """The edits from `before` to `after` as SARIF replacements of whole lines, each region as a
    character offset and length in the file's text (exact, at the end of a file too)."""
    old = decode_source(before).splitlines(keepends=True)
    new = decode_source(after).splitlines(keepends=True)
    starts = [0]
    for line in old:
        starts.append(starts[-1] + len(line))
    replacements = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        replacements.append({
            "deletedRegion": {"charOffset": starts[i1], "charLength": starts[i2] - starts[i1]},
            "insertedContent": {"text": "".join(new[j1:j2])},
        })
    return {"artifactLocation": _artifact(path), "replacements": replacements}


# --- diagnostics -------------------------------------------------------------------------------


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    data: dict[str, Any] = {"level": "note", "message": {"text": diagnostic.message}}
    if diagnostic.path:
        data["locations"] = [{"physicalLocation": _physical(diagnostic.path, diagnostic.line)}]
    return data
