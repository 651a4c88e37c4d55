"""Each rule's own VALID / INVALID example projects (its documentation) hold, and each INVALID
example's fix leaves exactly the tree the example shows, which compiles and scans clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.checks import Example, Rule, all_rules
from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import PlanOptions, build_plan
from analyzer.options import Options
from analyzer.scan import scan
from tests.conftest import write_tree

CASES = [
    pytest.param(rule, example, valid, id=f"{rule.id}-{'valid' if valid else 'invalid'}-{n}")
    for rule in all_rules()
    for valid, examples in ((True, rule.valid), (False, rule.invalid))
    for n, example in enumerate(examples)
]
FIXES = [
    pytest.param(rule, example, id=f"{rule.id}-invalid-{n}")
    for rule in all_rules()
    for n, example in enumerate(rule.invalid)
]


def test_every_rule_documents_valid_and_invalid_examples() -> None:
    for rule in all_rules():
        assert rule.valid and rule.invalid, rule.id
        assert "## What it finds" in rule.doc and "## Blind spots" in rule.doc, rule.id
        for example in rule.invalid:
            assert example.fixed is not None, (rule.id, example.note)  # the tree its fix leaves
            assert example.fix_status in {"fixed", "stub", "skipped"}, (rule.id, example.note)
            assert bool(example.fixed) == (example.fix_status != "skipped"), (rule.id, example.note)


@pytest.mark.parametrize(("rule", "example", "valid"), CASES)
def test_rule_example(scan_tree, rule: Rule, example: Example, valid: bool) -> None:
    result = scan_tree(example.files, rules={rule.id})
    certain = sorted((f.path, f.line, f.symbol) for f in result.findings if f.confidence == "high")
    uncertain = sorted((f.path, f.line, f.symbol) for f in result.findings if f.confidence != "high")
    assert certain == sorted(example.expected), example.note
    assert uncertain == sorted(example.uncertain), example.note
    if valid:
        assert example.expected == ()


@pytest.mark.parametrize(("rule", "example"), FIXES)
def test_the_fix_of_an_invalid_example_leaves_the_tree_it_documents(
    tmp_path: Path, rule: Rule, example: Example
) -> None:
    """The rule's fix, applied to its example, gives the documented tree exactly (files changed,
    files deleted, nothing else); every changed file compiles; a re-scan finds none of the fixed
    findings and nothing new; and planning again on the fixed tree changes nothing."""
    assert example.fixed is not None
    options = Options(rules=frozenset({rule.id}))
    root = write_tree(tmp_path / "project", example.files)
    result = scan(root, options)
    plan = build_plan(result, PlanOptions())
    assert [fix.status for fix in plan.fixes] == [example.fix_status] * len(example.expected), example.note
    final = {path: None if data is None else data.decode("utf-8") for path, data in plan.final.items()}
    final = {path: data for path, data in final.items() if data is None or data != example.files.get(path)}
    assert final == example.fixed, example.note

    applied = apply_plan(plan, force=True)
    assert sorted(applied.deleted) == sorted(p for p, data in example.fixed.items() if data is None)
    for path in applied.changed:
        compile((root / path).read_text(encoding="utf-8"), path, "exec")
    after = scan(root, options)
    before = {(f.rule, f.path, f.symbol) for f in result.findings}
    for finding in after.findings:
        key = (finding.rule, finding.path, finding.symbol)
        assert key not in before or finding.confidence != "high", (example.note, key)  # fixed ones are gone
        assert key in before or finding.confidence != "high", (example.note, key)  # and nothing new
    again = build_plan(after, PlanOptions())
    assert again.changed == [] and again.deleted == [], example.note  # a fixed tree has nothing left to fix
