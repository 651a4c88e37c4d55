"""Method bodies for missing-method fixes, chosen from a table of recipes (data, not code).

The built-in table is `analyzer/data/recipes.toml`; a project can add recipes of its own. When
none fits, the method raises `NotImplementedError` with a TODO naming its call sites, and its
signature follows the calls (positional arguments, keywords).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from analyzer.facts.model import ClassFact


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
    recipe: str | None
    imports: tuple[str, ...]


@cache
def builtin_recipes() -> tuple[Recipe, ...]:
    text = resources.files("analyzer").joinpath("data/recipes.toml").read_text("utf-8")
    return tuple(Recipe.from_table(table) for table in tomllib.loads(text)["recipe"])


def plan_method(
    method: str,
    cls: ClassFact,
    kind: str | None,
    enum_fields: list[str],
    call_sites: list[dict[str, Any]],
    recipes: tuple[Recipe, ...],
) -> MethodPlan:
    """The source of the method to add. `kind` is "pydantic", "dataclass" or None; `enum_fields`
    are the class's fields typed with an Enum, best candidate first."""
    takes_arguments = any(site["args"] or site["keywords"] for site in call_sites)
    for recipe in recipes:
        if method not in recipe.methods or recipe.kind != kind or takes_arguments:
            continue
        if recipe.needs_enum_field and not enum_fields:
            continue
        source = Template(recipe.source).safe_substitute(
            method=method, enum_field=enum_fields[0] if enum_fields else ""
        )
        return MethodPlan(source.strip("\n") + "\n", recipe.name, recipe.imports)
    return MethodPlan(_stub(cls.name, method, call_sites), None, ())


def _stub(class_name: str, method: str, call_sites: list[dict[str, Any]]) -> str:
    positional = max((site["args"] for site in call_sites), default=0)
    keywords = sorted({k for site in call_sites for k in site["keywords"]})
    params = ["self", *(f"arg{i}" for i in range(1, positional + 1))]
    if keywords:
        params += ["*", *(f"{k}=None" for k in keywords)]
    where = ", ".join(f"{site['path']}:{site['line']}" for site in call_sites)
    return (
        f"def {method}({', '.join(params)}):\n"
        f'    """TODO: implement. Called from {where}."""\n'
        f'    raise NotImplementedError("{class_name}.{method}")\n'
    )
