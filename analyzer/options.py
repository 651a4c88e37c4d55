"""Settings of a scan, from `[tool.hygiene]` (see config.py) and the command line.

A rule's own settings (`[tool.hygiene.<rule>]`, and any other key the rule owns) are parsed by
the rule and kept, by rule id, in `rule_settings`; the rule reads them back with `settings_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

_S = TypeVar("_S")


@dataclass(frozen=True)
class Options:
    rules: frozenset[str] | None = None
    entrypoints: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    baseline: str | None = None
    warn_unused_ignores: bool = False
    cache_dir: str | None = None
    rule_settings: tuple[tuple[str, object], ...] = ()  # (rule id, the rule's settings object)

    def settings_of(self, rule_id: str, kind: type[_S]) -> _S:
        """The rule's settings, or its defaults (`kind()`) when none are configured."""
        found = dict(self.rule_settings).get(rule_id)
        return found if isinstance(found, kind) else kind()
