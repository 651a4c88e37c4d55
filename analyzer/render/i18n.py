"""Message catalogues: one TOML file per language in `render/messages/`; no prose in code.

Each rule's sentences live in its own package (`checks/<rule>/messages/<lang>.toml`) and are
the table named by its id: `Text("en")("<rule id>.report.result", ...)`.

A message is a string with `str.format` placeholders, or a plural message: a table of the
language's CLDR plural categories (`one`, `few`, `many`, `other` in Russian; `one`, `other` in
English), chosen by the `count` parameter through Babel's plural rules:

```toml
[n.line]
one = "{count} line"
other = "{count} lines"
```

`Text("ru")("n.line", count=22)` gives "22 строки". A sentence with several counted nouns takes
the counted phrases as parameters (`lines=t("n.line", count=...)`), so every noun agrees with its
own number.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("en", "ru")
# Every CLDR plural category; a table whose keys are among them, with `other`, is a plural message.
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """The language's messages: the common ones, and each rule's own (its package's
    `messages/<lang>.toml`) as the table named by the rule's id."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    text = resources.files("analyzer").joinpath(f"render/messages/{lang}.toml").read_text("utf-8")
    messages = tomllib.loads(text)
    from analyzer.checks import all_rules

    for rule in all_rules():
        own = rule.messages(lang)
        if own:
            if rule.id in messages:
                raise ValueError(f"{lang} catalogue: the table [{rule.id}] belongs to the rule's own messages")
            messages[rule.id] = own
    return messages


def is_plural(value: Any) -> bool:
    """A plural message: a table of plural categories, `other` among them."""
    return isinstance(value, dict) and "other" in value and set(value) <= PLURAL_CATEGORIES


@cache
def plural_rule(lang: str) -> Callable[[float], str]:
    """The CLDR plural category of a number in `lang` (Babel's data)."""
    from babel import Locale

    rule: Callable[[float], str] = Locale.parse(lang).plural_form
    return rule


def plural_categories(lang: str) -> frozenset[str]:
    """The categories a plural message of `lang` must define: Babel's tags and `other`."""
    from babel import Locale

    return frozenset(Locale.parse(lang).plural_form.tags) | {"other"}


class Text:
    """`Text("ru")("notes.uncertain")`: a catalogue string, formatted;
    `Text("ru")("n.line", count=5)`: a plural message, in the form of its count."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.strings = catalogue(lang)

    def __call__(self, key: str, **params: Any) -> str:
        value: Any = self.strings
        for part in key.split("."):
            value = value[part]
        if is_plural(value):
            if "count" not in params:
                raise KeyError(f"{key} is a plural message: give count=")
            value = value.get(plural_rule(self.lang)(params["count"]), value["other"])
        return str(value).format(**params)

    def has(self, key: str) -> bool:
        value: Any = self.strings
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                return False
            value = value[part]
        return True

    def n(self, noun: str, count: int) -> str:
        """`count` and the noun in agreement: `t.n("line", 22)` is "22 lines" ("22 строки")."""
        return self(f"n.{noun}", count=count)
