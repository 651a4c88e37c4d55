"""Method bodies for the added methods, chosen from a table of recipes (data, not code).

The built-in table is `recipes.toml` beside this module; a project can add recipes of its own
(`[[tool.hygiene.recipes]]`). When
none fits, the plan falls back to a stub (`methods.py`), which is not a fix.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from analyzer.checks.missing_method.details import CallSite


@dataclass(frozen=True)
class Recipe:
    name: str
    methods: tuple[str, ...]
    kind: str
    source: str
    needs_enum_field: bool = False
    imports: tuple[str, ...] = ()

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> Recipe:
        return cls(
            name=str(table["name"]),
            methods=tuple(table["methods"]),
            kind=str(table["kind"]),
            source=str(table["source"]),
            needs_enum_field=bool(table.get("needs_enum_field", False)),
            imports=tuple(table.get("imports", ())),
        )


@dataclass(frozen=True)
class MethodPlan:
    source: str
    recipe: str
    imports: tuple[str, ...]


@cache
def builtin_recipes() -> tuple[Recipe, ...]:
    text = resources.files("analyzer.checks.missing_method").joinpath("recipes.toml").read_text("utf-8")
    return tuple(Recipe.from_table(table) for table in tomllib.loads(text)["recipe"])


def plan_method(
    method: str,
    kind: str | None,
    enum_fields: list[str],
    call_sites: list[CallSite],
    recipes: tuple[Recipe, ...],
) -> MethodPlan | None:
    """The source of the method to add, from the first recipe that fits (None if none does).
    `kind` is "pydantic", "dataclass" or None; `enum_fields` are the class's fields typed with
    an Enum, best candidate first."""
    takes_arguments = any(site.args or site.keywords for site in call_sites)
    for recipe in recipes:
        if method not in recipe.methods or recipe.kind != kind or takes_arguments:
            continue
        if recipe.needs_enum_field and not enum_fields:
            continue
        source = Template(recipe.source).safe_substitute(
            method=method, enum_field=enum_fields[0] if enum_fields else ""
        )
        return MethodPlan(source.strip("\n") + "\n", recipe.name, recipe.imports)
    return None
