"""The registry and the `Rule` base class: a rule package's `check.py` and `fix.py` are found by
convention, and a rule with no fix says so."""

from __future__ import annotations

from analyzer.checks import Rule, all_rules
from analyzer.findings import Finding


class _NoFix(Rule):
    """A rule defined outside a package: it has neither `check.py` nor `fix.py`."""

    id = "no-fix"
    summary = "A rule with no fix."


def test_every_rule_package_has_its_check_and_each_rule_id_once() -> None:
    ids = [rule.id for rule in all_rules()]
    assert len(ids) == len(set(ids)) and "shadowed-route" in ids
    for rule in all_rules():
        assert type(rule).check is Rule.check, rule  # the package's check.py, by convention


def test_a_rule_without_a_fix_module_skips_with_a_reason() -> None:
    finding = Finding(rule="no-fix", path="app/a.py", line=1, end_line=1, symbol=None, message="m")
    edits = _NoFix().fix(finding, context=None)  # type: ignore[arg-type]
    assert edits.skipped is not None and edits.skipped.key == "no_fix"
