"""Settings of a scan, from `[tool.hygiene]` (see config.py) and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.fixes.recipes import Recipe


@dataclass(frozen=True)
class Options:
    duplicate_threshold: float = 0.90
    duplicate_live_threshold: float = 0.95
    duplicate_min_lines: int = 20
    rules: frozenset[str] | None = None
    entrypoints: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    baseline: str | None = None
    recipes: tuple[Recipe, ...] = ()
    warn_unused_ignores: bool = False
    cache_dir: str | None = None
