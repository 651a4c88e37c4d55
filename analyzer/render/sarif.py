"""SARIF 2.1.0 output (`--format sarif`): for GitHub code scanning and other SARIF viewers.

Pure formatting of a `ScanResult`: one run, every rule's metadata from its docstring, one
result per finding with its locations, a line-independent fingerprint and, where the fix can be
expressed as text edits, a SARIF fix. Diagnostics become tool execution notifications.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import quote

from analyzer import __version__
from analyzer.checks import Rule, all_rules
from analyzer.findings import Diagnostic, Finding, Related
from analyzer.render.text import describe_fix
from analyzer.scan import ScanResult

__all__ = ["render"]

_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_TOOL_NAME = "code-hygiene"
_INFORMATION_URI = "https://github.com/code-hygiene/code-hygiene"
_SRCROOT = "%SRCROOT%"
_FINGERPRINT_KEY = "hygiene/v1"
_ERROR_RULES = frozenset({"missing-method"})
_METHOD_STUB = "(method stub; run `hygiene fix` for the exact code)"


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
                "results": _results(result.findings, rule_index),
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
        "defaultConfiguration": {"level": _default_level(rule.id)},
    }


def _default_level(rule_id: str) -> str:
    return "error" if rule_id in _ERROR_RULES else "warning"


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


def _results(findings: tuple[Finding, ...], rule_index: dict[str, int]) -> list[dict[str, Any]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for finding in findings:
        key = (finding.rule, finding.path, finding.symbol or "")
        occurrence = seen[key]
        seen[key] += 1
        results.append(_result(finding, rule_index, _fingerprint(key, occurrence)))
    return results


def _result(finding: Finding, rule_index: dict[str, int], fingerprint: str) -> dict[str, Any]:
    data: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        data["ruleIndex"] = rule_index[finding.rule]
    data["level"] = _level(finding)
    data["message"] = {"text": finding.message}
    data["locations"] = [{"physicalLocation": _physical(finding.path, finding.line, finding.end_line)}]
    if finding.related:
        data["relatedLocations"] = [_related(index, related) for index, related in enumerate(finding.related, 1)]
    data["partialFingerprints"] = {_FINGERPRINT_KEY: fingerprint}
    fix = _fix(finding)
    if fix is not None:
        data["fixes"] = [fix]
    data["properties"] = {
        "confidence": finding.confidence,
        "details": finding.details,
        "evidence": list(finding.evidence),
    }
    return data


def _level(finding: Finding) -> str:
    """The rule's level for a confident finding; an uncertain one is only a note."""
    return _default_level(finding.rule) if finding.confidence == "high" else "note"


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


def _fix(finding: Finding) -> dict[str, Any] | None:
    """A SARIF fix, or None when the fix cannot be written as non-empty text edits."""
    if not finding.fix:
        return None
    changes = _artifact_changes(finding)
    if not changes:
        return None
    return {"description": {"text": describe_fix(finding.fix)}, "artifactChanges": changes}


def _artifact_changes(finding: Finding) -> list[dict[str, Any]]:
    fix = finding.fix or {}
    action = fix.get("action")
    path = fix.get("path")
    if not isinstance(path, str) or not path:
        return []
    if action == "delete-module":
        # The whole file is only known when the finding itself spans it (duplicate-module);
        # for other rules the finding's span is a part of the file, so no edit is given.
        if path != finding.path or finding.line != 1 or finding.end_line < 1:
            return []
        return [_change(path, {"startLine": 1, "endLine": finding.end_line}, "")]
    if action == "delete-class":
        line, end_line = fix.get("line"), fix.get("end_line")
        if not _positive(line) or not _positive(end_line) or end_line < line:
            return []
        return [_change(path, {"startLine": line, "endLine": end_line}, "")]
    if action == "add-method":
        after = fix.get("after_line")
        if not isinstance(after, int) or after < 0:
            return []
        insertion = {"startLine": after + 1, "startColumn": 1, "endColumn": 1}
        return [_change(path, insertion, _METHOD_STUB)]
    return []  # mount-router and unknown actions: described only, which SARIF cannot carry


def _change(path: str, region: dict[str, int], inserted: str) -> dict[str, Any]:
    return {
        "artifactLocation": _artifact(path),
        "replacements": [{"deletedRegion": region, "insertedContent": {"text": inserted}}],
    }


def _positive(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and value >= 1


# --- diagnostics -------------------------------------------------------------------------------


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    data: dict[str, Any] = {"level": "note", "message": {"text": diagnostic.message}}
    if diagnostic.path:
        data["locations"] = [{"physicalLocation": _physical(diagnostic.path, diagnostic.line)}]
    return data
