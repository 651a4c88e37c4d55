"""Each rule's own VALID / INVALID example projects (its documentation) hold."""

from __future__ import annotations

import pytest

from analyzer.checks import Example, Rule, all_rules

CASES = [
    pytest.param(rule, example, valid, id=f"{rule.id}-{'valid' if valid else 'invalid'}-{n}")
    for rule in all_rules()
    for valid, examples in ((True, rule.valid), (False, rule.invalid))
    for n, example in enumerate(examples)
]


def test_every_rule_documents_valid_and_invalid_examples() -> None:
    for rule in all_rules():
        assert rule.valid and rule.invalid, rule.id
        assert "## What it finds" in rule.doc and "## Blind spots" in rule.doc, rule.id


@pytest.mark.parametrize(("rule", "example", "valid"), CASES)
def test_rule_example(scan_tree, rule: Rule, example: Example, valid: bool) -> None:
    result = scan_tree(example.files, rules={rule.id})
    certain = sorted((f.path, f.line, f.symbol) for f in result.findings if f.confidence == "high")
    uncertain = sorted((f.path, f.line, f.symbol) for f in result.findings if f.confidence != "high")
    assert certain == sorted(example.expected), example.note
    assert uncertain == sorted(example.uncertain), example.note
    if valid:
        assert example.expected == ()
