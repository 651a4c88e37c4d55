"""GitHub Actions workflow commands (`--format github`): one annotation line per finding.

Confident findings are `::error`, uncertain ones `::warning`; diagnostics are `::notice`.
Values are escaped as the Actions runner expects: `%`, CR and LF everywhere, and also `:` and
`,` inside the `key=value` properties.
"""

from __future__ import annotations

from analyzer.findings import Diagnostic, Finding
from analyzer.scan import ScanResult

__all__ = ["render"]


def render(result: ScanResult) -> str:
    lines = [_finding(finding) for finding in result.findings]
    lines += [_diagnostic(diagnostic) for diagnostic in result.diagnostics]
    return "".join(line + "\n" for line in lines)


def _finding(finding: Finding) -> str:
    command = "error" if finding.confidence == "high" else "warning"
    properties = {
        "file": finding.path,
        "line": finding.line,
        "endLine": finding.end_line,
        "title": finding.rule,
    }
    return _command(command, properties, finding.message)


def _diagnostic(diagnostic: Diagnostic) -> str:
    properties: dict[str, object] = {}
    if diagnostic.path:
        properties["file"] = diagnostic.path
        if diagnostic.line is not None:
            properties["line"] = diagnostic.line
    return _command("notice", properties, diagnostic.message)


def _command(name: str, properties: dict[str, object], message: str) -> str:
    rendered = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + rendered if rendered else ''}::{_escape_data(message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")
