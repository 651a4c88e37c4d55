"""The cleanup report as markdown, in the structure of the seed report, in English or Russian.

Only formatting happens here: every figure comes from `analyzer.reporting.CleanupReport`, and
every sentence from the language's catalogue in `render/messages/<lang>.toml`.
"""

from __future__ import annotations

from typing import Any

from analyzer.render.i18n import Text as _Text
from analyzer.reporting import Action, CleanupReport


def render(report: CleanupReport, lang: str = "en", command: str | None = None) -> str:
    t = _Text(lang)
    out: list[str] = []
    status = report.status
    audit = not report.applied
    title = t("title_clean") if status == "clean" else t("title_audit") if audit else t("title")
    if command:
        out.append(f"<!-- {t('generated_by')}: {command} -->\n")
    out.append(f"# {title}\n")
    out.append(f"## {t('status_heading')}: {t('status.' + status)}\n")
    scan = report.scan
    applied = sum(1 for a in report.actions if a.fix.applies)
    out.append(
        t("intro." + status, findings=len(scan.findings), files=scan.files, lines=scan.lines, applied=applied)
        + "\n"
    )
    if status == "clean":
        return "\n".join(out)
    out.append("---\n")
    out.append(f"## {t('actions_heading_audit' if audit else 'actions_heading')}\n")
    number = 0
    for action in report.actions:
        number += 1
        out.extend(_action(t, report, action, number))
    number += 1
    out.extend(_imports_section(t, report, number))
    number += 1
    out.extend(_tests_section(t, report, number))
    out.extend(_stats_section(t, report))
    out.extend(_touched_section(t, report))
    out.extend(_checklist(t, report))
    return "\n".join(out)


def _marker(report: CleanupReport, action: Action) -> str:
    if not action.fix.applies:
        return "⚠️"
    if not report.checks_ok:
        return "❌"
    return "📝" if not report.applied else "✅"


def _link(path: str, start: int | None = None, end: int | None = None) -> str:
    if start is None:
        return f"[`{path}`]({path})"
    anchor = f"{start}-{end}" if end is not None and end != start else f"{start}"
    return f"[`{path}`]({path}:{anchor})"


def _title_name(action: Action) -> str:
    finding = action.finding
    if finding.rule in {"duplicate-module", "unrouted-router"}:
        return finding.path.rpartition("/")[2]
    if finding.rule == "missing-method":
        return (finding.symbol or "").rpartition(".")[2] + "()"
    return finding.symbol or ""


def _action(t: _Text, report: CleanupReport, action: Action, number: int) -> list[str]:
    finding = action.finding
    state = "skipped" if not action.fix.applies else ("proposed" if not report.applied else "done")
    title = t(f"action_title.{state}.{finding.rule}", name=_title_name(action))
    out = [f"### {number}. {_marker(report, action)} {title}\n"]
    body = {
        "missing-method": _missing_method,
        "duplicate-module": _duplicate,
        "unrouted-router": _unrouted,
        "shadowed-class": _shadowed,
    }[finding.rule]
    out.extend(body(t, report, action))
    if action.fix.notes:
        out.append(f"**{t('labels.notes')}**:")
        out.extend(f"- {t('notes.' + note.key, **note.params)}" for note in action.fix.notes)
        out.append("")
    if action.fix.skipped:
        reason = t("skipped." + action.fix.skipped.key, **action.fix.skipped.params)
        out.append(f"**{t('labels.skipped')}**: {reason}\n")
    if not report.applied and action.fix.applies:
        diffs = [change.diff() for change in action.fix.changes if not change.deleted]
        if diffs:
            out.append(f"<details><summary>{t('labels.diff')}</summary>\n")
            out.append("```diff\n" + "".join(diffs).rstrip("\n") + "\n```\n")
            out.append("</details>\n")
    out.append("---\n")
    return out


def _result(t: _Text, report: CleanupReport, key: str, **params: Any) -> str:
    return f"**{t('labels.result')}**: " + t(f"{key}{'' if report.applied else '_audit'}", **params) + "\n"


def _missing_method(t: _Text, report: CleanupReport, action: Action) -> list[str]:
    finding = action.finding
    details = finding.details
    method, cls, path = details["method"], details["class"], details["class_path"]
    sites = details["call_sites"]
    by_file: dict[str, list[int]] = {}
    for site in sites:
        by_file.setdefault(site["path"], []).append(site["line"])
    places = ", ".join(
        f"{_link(file)} ({t('lines_word' if len(lines) > 1 else 'line_word')} {', '.join(map(str, lines))})"
        for file, lines in by_file.items()
    )
    anchor = action.anchor
    out = [
        f"**{t('labels.file')}**: " + (_link(path, *anchor) if anchor else _link(path)) + "\n",
        f"**{t('labels.problem')}**: " + t("missing.problem", method=method, sites=places) + "\n",
    ]
    out.extend(
        "- "
        + t("missing.inferred", receiver=site["receiver"], where=f"{site['path']}:{site['line']}", how=_how(t, site))
        for site in sites
    )
    deleted = set(report.plan.deleted)
    others = [f"{s['path']}:{s['line']}" for s in sites if s["path"] not in deleted]
    if others and deleted & set(by_file):
        callers = t("missing.other_callers", places=", ".join(others))
    else:
        callers = t("missing.no_other_callers", method=method)
    out.append("- " + callers + "\n")
    if action.fix.applies and action.kept_code and anchor:
        key = "missing.solution" if report.applied else "missing.solution_audit"
        out.append(f"**{t('labels.solution')}**: " + t(key, method=method, cls=cls))
        out.append("```python\n" + action.kept_code.rstrip("\n") + "\n```\n")
        out.append(_result(t, report, "missing.result", method=method, path=path, start=anchor[0], end=anchor[1]))
    return out


def _how(t: _Text, site: dict[str, Any]) -> str:
    evidence = site["evidence"]
    text = t("evidence." + evidence["kind"], expr=evidence["expr"], line=evidence["line"])
    if site.get("alias_of"):
        text += t("evidence.alias", cls=site["alias_of"])
    return text


def _duplicate(t: _Text, report: CleanupReport, action: Action) -> list[str]:
    finding = action.finding
    details = finding.details
    original = finding.related[0].path
    renames = ", ".join(f"{old} → {new}" for old, new in details["renames"].items()) or "—"
    percent = f"{details['similarity'] * 100:.1f}".rstrip("0").rstrip(".")
    out = [
        f"**{t('labels.file')}**: " + t("duplicate.file", path=finding.path, lines=details["copy_lines"]) + "\n",
        f"**{t('labels.reasons')}**:",
        "- " + t("duplicate.copy_of", original=original, percent=percent, renames=renames),
    ]
    users = details["copy_referenced_by"]
    if users:
        places = ", ".join(f"{u['path']}:{u['line']}" for u in users)
        out.append("- " + t("duplicate.used", places=places, original=original))
    else:
        out.append("- " + t("duplicate.unused", modules=report.scan.files))
    aliases = "duplicate.aliases_present" if details["aliases_present"] else "duplicate.aliases_added"
    out.append("- " + t(aliases, original=original))
    out.append("")
    if action.anchor and action.kept_code:
        start, end = action.anchor
        out.append(f"**{t('labels.replaced_by')}**: " + t("duplicate.replaced_by", path=original, start=start, end=end))
        out.append("```python\n" + action.kept_code.rstrip("\n") + "\n```\n")
    if action.fix.applies:
        out.append(_result(t, report, "duplicate.result", lines=action.lines_removed))
    return out


def _unrouted(t: _Text, report: CleanupReport, action: Action) -> list[str]:
    finding = action.finding
    details = finding.details
    router = f"{finding.path.rpartition('/')[2].removesuffix('.py')}.{finding.symbol}"
    mounts = ", ".join(_link(r.path, r.line, r.end_line) for r in finding.related) or "—"
    lines = action.lines_removed
    out = [
        f"**{t('labels.file')}**: " + t("unrouted.file", path=finding.path, lines=lines) + "\n",
        f"**{t('labels.reasons')}**:",
        "- " + t("unrouted.not_mounted", mounts=mounts, name=router),
    ]
    deprecated = sorted({e["deprecated_in"] for e in details["endpoints"] if e["deprecated_in"]})
    if deprecated:
        out.append("- " + t("unrouted.deprecated", where=", ".join(deprecated)))
    replacement_files = sorted({e["replacement"]["file"] for e in details["endpoints"] if e["replacement"]})
    if replacement_files:
        out.append("- " + t("unrouted.moved", files=", ".join(_link(f) for f in replacement_files)))
    if details["imported_by"]:
        out.append("- " + t("unrouted.imported_by", places=", ".join(f"`{p}`" for p in details["imported_by"])))
    out.append("")
    out.append(f"**{t('labels.endpoints_removed' if report.applied else 'labels.endpoints_removed_audit')}**:")
    for endpoint in details["endpoints"]:
        replacement = endpoint["replacement"]
        if replacement:
            out.append("- " + t("unrouted.endpoint_replaced", method=endpoint["method"], path=endpoint["path"],
                                new_method=replacement["method"], new_path=replacement["path"]))
        elif endpoint["deprecated_in"]:
            out.append("- " + t("unrouted.endpoint_deprecated", method=endpoint["method"], path=endpoint["path"],
                                where=endpoint["deprecated_in"]))
        else:
            out.append("- " + t("unrouted.endpoint_orphan", method=endpoint["method"], path=endpoint["path"]))
    out.append("")
    if action.fix.applies:
        out.append(_result(t, report, "unrouted.result", lines=lines))
    return out


def _shadowed(t: _Text, report: CleanupReport, action: Action) -> list[str]:
    finding = action.finding
    details = finding.details
    live = finding.related[0]
    out = [
        f"**{t('labels.file')}**: " + t("shadowed.file", path=finding.path, start=finding.line,
                                           end=finding.end_line, lines=details["lines"]) + "\n",
        f"**{t('labels.reasons')}**:",
    ]
    if details["kind"] == "redefined":
        out.append("- " + t("shadowed.redefined", line=live.line))
    else:
        places = ", ".join(details["live_used_by"][:5]) + (" …" if len(details["live_used_by"]) > 5 else "")
        out.append("- " + t("shadowed.stale_copy", live=live.path, start=live.line, end=live.end_line))
        out.append("- " + t("shadowed.live_used", live=live.path, places=places))
        out.append("- " + t("shadowed.unused", path=finding.path.rpartition("/")[2]))
    out.append("")
    if action.kept_code and action.kept_anchor:
        start, end = action.kept_anchor
        out.append(f"**{t('labels.kept_version')}**:")
        out.append(f"```python\n# {live.path}:{start}-{end}\n" + action.kept_code.rstrip("\n") + "\n```\n")
    if action.fix.applies:
        out.append(_result(t, report, "shadowed.result", lines=action.lines_removed))
    return out


def _imports_section(t: _Text, report: CleanupReport, number: int) -> list[str]:
    verification = report.verification
    assert verification is not None
    ok = report.checks_ok
    heading = t("imports.heading" if report.applied else "imports.heading_audit")
    out = [f"### {number}. {'✅' if ok else '❌'} {heading}\n", f"**{t('labels.check_results')}**:", "```text"]
    for search in report.searches:
        if search.ok:
            out.append(t("imports.search_ok", what=search.what, searched=search.searched))
        else:
            out.append(t("imports.search_bad", what=search.what, found=", ".join(search.found)))
    for check in verification.of_kind("imports"):
        out.append(t("imports.imports_ok" if check.ok else "imports.imports_bad", detail=check.detail))
        if not check.ok:
            out.extend("  " + line for line in check.output.splitlines())
    for check in verification.of_kind("rescan"):
        out.append(t("imports.rescan_ok" if check.ok else "imports.rescan_bad", detail=check.detail))
        if check.output:
            out.extend("  " + line for line in check.output.splitlines())
    out.append("```\n")
    out.append(f"**{t('labels.compile_check')}**:")
    out.append("```text")
    for check in verification.of_kind("compile"):
        key = "imports.compile_ok" if check.ok else "imports.compile_bad"
        out.append(t(key, path=check.subject, detail=check.detail))
    out.append("```\n")
    out.append(f"**{t('labels.result')}**: " + t("imports.result_ok" if ok else "imports.result_bad") + "\n")
    out.append("---\n")
    return out


def _tests_section(t: _Text, report: CleanupReport, number: int) -> list[str]:
    check = report.tests
    mark = "⚠️" if check is None else ("✅" if check.ok else "❌")
    out = [f"### {number}. {mark} {t('tests.heading')}\n"]
    if check is None:
        out.append(t("tests.not_run") + "\n")
    else:
        summary = check.detail
        out.append(t("tests.ran_ok" if check.ok else "tests.ran_bad", command=check.subject, summary=summary) + "\n")
        if not check.ok and check.output:
            tail = "\n".join(check.output.splitlines()[-30:])
            out.append(f"**{t('labels.test_output')}**:\n```text\n{tail}\n```\n")
    out.append("---\n")
    return out


def _stats_section(t: _Text, report: CleanupReport) -> list[str]:
    totals = report.totals()
    mark = "✅" if report.applied and report.checks_ok else ("❌" if not report.checks_ok else "📝")
    out = [
        f"## {t('stats.heading')}\n",
        f"### {t('stats.table_heading')}:\n",
        f"| {t('stats.category')} | {t('stats.count')} | {t('stats.lines')} | {t('stats.status')} |",
        "|---|---|---|---|",
        f"| {t('stats.files')} | {totals['files']} | {totals['file_lines']} | {mark} |",
        f"| {t('stats.classes')} | {totals['classes']} | {totals['class_lines']} | {mark} |",
        f"| {t('stats.methods')} | {totals['methods']} | {totals['method_lines']} | {mark} |",
        f"| {t('stats.total')} "
        f"| {t('stats.total_count', files=totals['files'], classes=totals['classes'], methods=totals['methods'])}"
        f" | {t('stats.total_lines', removed=totals['removed_lines'], added=totals['method_lines'])} | {mark} |",
        "",
    ]
    if report.graph:
        out.append(f"### {t('stats.graph_heading')}:\n")
        out.append("```mermaid\n" + report.graph + "\n```\n")
        out.append(t("stats.graph_legend") + "\n")
    out.append("---\n")
    return out


def _touched_section(t: _Text, report: CleanupReport) -> list[str]:
    plan = report.plan
    audit = not report.applied
    what: dict[str, list[str]] = {}
    for action in report.actions:
        if not action.fix.applies:
            continue
        finding = action.finding
        spec = finding.fix or {}
        for change in action.fix.changes:
            if change.deleted:
                if finding.rule == "unrouted-router":
                    note = t("touched.unused_route")
                else:
                    note = t("touched.duplicated_module", original=spec.get("survivor", ""))
            elif finding.rule == "missing-method":
                note = t("touched.method_added", method=spec["method"], cls=spec["class"])
            elif finding.rule == "shadowed-class":
                note = t("touched.class_removed", cls=spec["class"])
            elif finding.rule == "unrouted-router":
                note = t("touched.import_removed", module=spec["module"])
            elif change.path == spec.get("survivor"):
                note = t("touched.aliases_added")
            else:
                note = t("touched.imports_rewritten", module=spec.get("module", ""))
            what.setdefault(change.path, []).append(note)
    mark = "📝" if audit else "✅"
    out = [f"## {t('touched.heading')}\n", f"### {t('touched.changed_audit' if audit else 'touched.changed')}:"]
    out.extend(f"- {mark} `{path}` - {'; '.join(what.get(path, []))}" for path in plan.changed)
    if not plan.changed:
        out.append(f"- {t('touched.none')}")
    out.append(f"\n### {t('touched.removed_audit' if audit else 'touched.removed')}:")
    out.extend(f"- {mark} `{path}` - {'; '.join(what.get(path, []))}" for path in plan.deleted)
    if not plan.deleted:
        out.append(f"- {t('touched.none')}")
    out.append(f"\n### {t('touched.unchanged')}:")
    out.extend(f"- ✅ `{path}` - {t('roles.' + role)}" for path, role in report.unchanged)
    if not report.unchanged:
        out.append(f"- {t('touched.none')}")
    out.append("\n---\n")
    return out


def _checklist(t: _Text, report: CleanupReport) -> list[str]:
    done = report.applied and report.checks_ok
    counts: dict[str, int] = {}
    fixed: dict[str, int] = {}
    for action in report.actions:
        counts[action.finding.rule] = counts.get(action.finding.rule, 0) + 1
        fixed[action.finding.rule] = fixed.get(action.finding.rule, 0) + action.fix.applies
    heading = t("checklist.heading") if done and report.status == "done" else t("checklist.heading_audit")
    out = [
        f"## {heading}\n",
        f"- [x] {t('checklist.scan', findings=len(report.scan.findings), files=report.scan.files)}",
    ]
    for rule, count in counts.items():
        box = "x" if done and fixed[rule] == count else " "
        out.append(f"- [{box}] {t('checklist.' + rule, count=count)}")
    out.append(f"- [{'x' if done else ' '}] {t('checklist.imports')}")
    tests = report.tests
    out.append(f"- [{'x' if done and tests is not None and tests.ok else ' '}] {t('checklist.tests')}")
    out.append("")
    return out
