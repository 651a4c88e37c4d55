"""Message catalogues: one TOML file per language in `render/messages/`; no prose in code."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("en", "ru")


@cache
def catalogue(lang: str) -> dict[str, Any]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    text = resources.files("analyzer").joinpath(f"render/messages/{lang}.toml").read_text("utf-8")
    return tomllib.loads(text)


class Text:
    """`Text("ru")("notes.recipe", recipe="sse-event")`: a catalogue string, formatted."""

    def __init__(self, lang: str) -> None:
        self.strings = catalogue(lang)

    def __call__(self, key: str, **params: Any) -> str:
        value: Any = self.strings
        for part in key.split("."):
            value = value[part]
        return str(value).format(**params)
