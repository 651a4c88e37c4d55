"""`[tool.hygiene]` in the project's pyproject.toml, validated into `Options`.

Found by walking up from the scanned path (`--config FILE` overrides). Every key is checked:
an unknown key or a value of the wrong type is a `ConfigError` naming the key.

```toml
[tool.hygiene]
entrypoints = ["app.main:app"]          # application objects, when auto-detection is not enough
exclude = ["legacy/**", "scripts/*.py"] # gitignore-style patterns (the root .gitignore applies too)
include = ["app/**"]                    # only these files (default: all)
respect-gitignore = true
select = ["some-rule"]                 # only these rules
ignore = ["other-rule"]                 # never these rules
baseline = "hygiene-baseline.json"
cache-dir = ".cache/hygiene"            # default: .hygiene_cache/ at the project root
per-file-ignores = { "app/legacy/*.py" = ["some-rule"] }

[tool.hygiene.some-rule]                # a rule's own settings: the rule reads them
```

A rule's settings (`[tool.hygiene.<rule id>]`, and the keys it lists in `Rule.config_keys`)
are parsed by the rule (`Rule.configure`) and kept by rule id in `Options.rule_settings`; see
each rule's documentation for its keys.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from analyzer.checks import all_rules
from analyzer.options import Options


class ConfigError(Exception):
    """The configuration is invalid; the message names the file and the key."""


_TOP_KEYS = {
    "entrypoints", "include", "exclude", "respect-gitignore", "select", "ignore", "baseline",
    "per-file-ignores", "cache-dir",
}


def _rule_keys() -> dict[str, set[str]]:
    """The keys of `[tool.hygiene]` each rule owns: its own table, and its `config_keys`."""
    return {rule.id: {rule.id, *rule.config_keys} for rule in all_rules()}


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the known name closest to a misspelled one, else ``."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_rule(name: str, where: str) -> str:
    """The error for a rule name that no rule has, with the closest one and the list."""
    known = sorted(rule.id for rule in all_rules())
    return f"{where}: unknown rule {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}"


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.hygiene] table, walking up from `start`."""
    current = start.resolve()
    if current.is_file():
        current = current.parent
    for directory in (current, *current.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                raise ConfigError(f"{candidate}: not valid TOML: {error}") from None
            except OSError:
                continue
            if "hygiene" in data.get("tool", {}):
                return candidate
    return None


def load_options(path: Path | None, base: Options | None = None, warnings: list[str] | None = None) -> Options:
    """Options from `path` (a pyproject.toml or a TOML file with a [tool.hygiene] table).
    What is valid but looks wrong (a rule both selected and ignored) is added to `warnings`."""
    options = base or Options()
    if path is None:
        return options
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    table = data.get("tool", {}).get("hygiene")
    if table is None:
        return options
    return _parse(path, table, options, warnings if warnings is not None else [])


def _parse(path: Path, table: Any, options: Options, warnings: list[str]) -> Options:
    where = f"{path}: [tool.hygiene]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    owned = _rule_keys()
    known_keys = _TOP_KEYS.union(*owned.values())
    unknown = sorted(set(table) - known_keys)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}{did_you_mean(unknown[0], known_keys)}; "
            f"known: {', '.join(sorted(known_keys))}"
        )
    known_rules = {rule.id for rule in all_rules()}
    changes: dict[str, Any] = {}
    if "entrypoints" in table:
        entrypoints = _strings(where, "entrypoints", table["entrypoints"])
        for entry in entrypoints:
            if entry.count(":") != 1:
                raise ConfigError(f"{where}: entrypoints: {entry!r} is not of the form 'module:object'")
        changes["entrypoints"] = tuple(entrypoints)
    for key, field in (("include", "include"), ("exclude", "exclude")):
        if key in table:
            changes[field] = tuple(_strings(where, key, table[key]))
    if "respect-gitignore" in table:
        if not isinstance(table["respect-gitignore"], bool):
            raise ConfigError(f"{where}: respect-gitignore must be true or false")
        changes["respect_gitignore"] = table["respect-gitignore"]
    rules = set(options.rules) if options.rules is not None else set(known_rules)
    if "select" in table:
        rules = set(_rules(where, "select", table["select"], known_rules))
    if "ignore" in table:
        ignored = set(_rules(where, "ignore", table["ignore"], known_rules))
        if "select" in table:
            warnings.extend(
                f"{where}: rule {name!r} is both in select and in ignore: it is ignored"
                for name in sorted(ignored & rules)
            )
        rules -= ignored
    changes["rules"] = frozenset(rules)
    if "baseline" in table:
        if not isinstance(table["baseline"], str):
            raise ConfigError(f"{where}: baseline must be a path")
        changes["baseline"] = str(path.parent / table["baseline"])
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str) or not table["cache-dir"]:
            raise ConfigError(f"{where}: cache-dir must be a path")
        changes["cache_dir"] = str(path.parent / table["cache-dir"])
    if "per-file-ignores" in table:
        ignores = table["per-file-ignores"]
        if not isinstance(ignores, dict):
            raise ConfigError(f"{where}: per-file-ignores must be a table of pattern = [rules]")
        changes["per_file_ignores"] = tuple(
            (pattern, tuple(_rules(where, f"per-file-ignores.{pattern}", value, known_rules)))
            for pattern, value in sorted(ignores.items())
        )
    settings = dict(options.rule_settings)
    for rule in all_rules():
        values = {key: table[key] for key in sorted(owned[rule.id]) if key in table}
        if values:
            configured = rule.configure(values, where)
            if configured is not None:
                settings[rule.id] = configured
    changes["rule_settings"] = tuple(sorted(settings.items()))
    return replace(options, **changes)


def _strings(where: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return value


def _rules(where: str, key: str, value: Any, known: set[str]) -> list[str]:
    names = _strings(where, key, value)
    for name in names:
        if name not in known:
            raise ConfigError(unknown_rule(name, f"{where}: {key}"))
    return names
