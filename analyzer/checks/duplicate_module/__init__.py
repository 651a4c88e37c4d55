"""duplicate-module: a module that is a near-copy of another module.

## What it finds
A module whose code is, token for token, another module's code with some identifiers renamed
consistently (`SSEManager` for `StreamManager`, `get_sse_manager` for `get_stream_manager`).
Comments, docstrings and imports are ignored; changed messages count as small differences.
The copy is the module fewer modules import (then: the one whose names the other aliases, the
shorter one).

## Why is this bad?
Two copies drift: a fix lands in one and not the other, and readers cannot tell which is live.
A dead copy is pure cost.

## Policy
Whether a pair is a copy is judged by a structural score: the share of the copy's tokens that
equal the original's, a renamed identifier counting half (a copy renames its class and keeps
the rest; a parallel implementation, one module per model or per provider, renames most names).
The share with renaming counted in full is the `similarity` the message quotes.

- A copy that nothing the application runs imports is reported from 90% similarity (renamed
  names counting in full: a dead copy may rename as much as it likes).
- A copy the application still imports is reported when identical token for token, or from a
  score of 95% (high) or 85% (uncertain): the fix keeps the old names working (aliases) and
  points the imports at the survivor.
- A copy must cover at least 60% of both modules (`overlap`): a small module whose code is part
  of a larger one is not a copy of it, since replacing it by the larger one would do more.
- Modules under 20 logical lines are not compared when both are in use: short schema files look
  alike by nature. A copy nothing uses is compared from 6 logical lines if it has 20 lines of
  text (a graph of a few long statements, copied and forgotten).
- Uncertain, with the reason: two modules that differ by what they import (`XGBClassifier` for
  `XGBRFClassifier`: a parallel implementation), the same module in two version folders
  (`api/v1/users.py`, `api/v2/users.py`), copies that launchers run each by its own path (a
  script copied into each bundle), a copy only doubtful code reaches.
- Tests, `conftest.py` files, migrations, documentation snippets and examples (`docs/`,
  `docs_src/`, `examples/`) are not compared: pytest runs each file for its own directory,
  migrations are generated, and examples are copies of each other by design. Scripts are
  compared like any module.
- Copies of copies form one group with one survivor (the best reached, then the most imported);
  every other member is reported against it.

## Example
`app/core/sse_manager.py`, 340 lines, is `app/core/stream_manager.py` with `StreamManager`
renamed `SSEManager`; nothing imports it.

## Fix
Delete the copy and point every import of the copy at the survivor; when something used the
copy, make the survivor export the copy's public names under their old names
(`SSEManager = StreamManager`) so that nothing breaks.

## Blind spots
Copies that reorder whole functions still match (alignment finds the blocks) but copies that
were reformatted line by line (joined or split statements) score lower. Dynamic imports of the
copy by string are seen only when the string is a literal dotted path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from analyzer.checks import Rule
from analyzer.checks.duplicate_module import examples
from analyzer.checks.duplicate_module.details import RULE_ID, DeleteCopy, Settings
from analyzer.findings import Finding, fix_of
from analyzer.render.i18n import Text

if TYPE_CHECKING:
    from analyzer.fixes.context import PlanOptions
    from analyzer.options import Options
    from analyzer.reporting import RuleReport


_KEYS = {"threshold": "threshold", "live-threshold": "live_threshold", "min-lines": "min_lines"}


class DuplicateModule(Rule):
    id = RULE_ID
    summary = "A module that is a near-copy of another, with the identifier renaming between them."
    doc = __doc__ or ""
    valid = examples.VALID
    invalid = examples.INVALID
    module_rank = 0
    urgency = 20


    # ---- settings ------------------------------------------------------------------------------
    def configure(self, values: Mapping[str, Any], where: str) -> Settings | None:
        from analyzer.config import ConfigError, did_you_mean

        if self.id not in values:
            return None
        table = values[self.id]
        where = f"{where}.{self.id}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table")
        changes: dict[str, Any] = {}
        for key, value in table.items():
            if key not in _KEYS:
                raise ConfigError(
                    f"{where}: unknown key {key!r}{did_you_mean(key, _KEYS)}; known: {', '.join(sorted(_KEYS))}"
                )
            if key == "min-lines":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ConfigError(f"{where}: min-lines must be a positive integer")
            elif not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 1:
                raise ConfigError(f"{where}: {key} must be a number in (0, 1]")
            changes[_KEYS[key]] = value
        return Settings(**changes)

    def settings(self, options: Options) -> Settings:
        return options.settings_of(self.id, Settings)

    # ---- the fix -------------------------------------------------------------------------------

    def fix_summary(self, finding: Finding, options: PlanOptions) -> str:
        return f"delete {fix_of(finding, DeleteCopy).path}"

    def intended_deletions(self, finding: Finding, options: PlanOptions) -> list[str]:
        return [fix_of(finding, DeleteCopy).path]

    def describe_fix(self, finding: Finding) -> str:
        spec = fix_of(finding, DeleteCopy)
        text = f"delete {spec.path}"
        if spec.add_aliases:
            text += "; add to " + spec.survivor + ": " + ", ".join(f"{a.name} = {a.target}" for a in spec.add_aliases)
        if spec.rewrite_references:
            text += f"; rewrite {Text('en').n('reference', len(spec.rewrite_references))}"
        return text

    @property
    def report(self) -> RuleReport:
        from analyzer.checks.duplicate_module.report import Report

        return Report(self.id)


RULE = DuplicateModule()
