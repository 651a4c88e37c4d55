"""The message catalogues: complete in every language, plural forms by Babel's rules, and the
Russian report free of English and of number-agreement errors."""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter
from typing import Any

import pytest

from analyzer.render.i18n import LANGUAGES, Text, catalogue, is_plural, plural_categories

REPO = Path(__file__).resolve().parents[2]


def leaves(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every message by its dotted key: a string, or a plural table (a leaf too)."""
    found: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict) and not is_plural(value):
            found.update(leaves(value, f"{prefix}{key}."))
        else:
            found[prefix + key] = value
    return found


def placeholders(value: Any) -> set[str]:
    forms = value.values() if isinstance(value, dict) else [value]
    return {name for form in forms for _, name, _, _ in Formatter().parse(form) if name}


def test_every_language_has_every_key_with_the_same_placeholders() -> None:
    """A key missing in one language fails the build (not the reader's report)."""
    english = leaves(catalogue("en"))
    for lang in LANGUAGES:
        messages = leaves(catalogue(lang))
        assert sorted(set(english) - set(messages)) == [], f"{lang} lacks these keys"
        assert sorted(set(messages) - set(english)) == [], f"{lang} has keys English lacks"
        for key, value in messages.items():
            assert placeholders(value) <= placeholders(english[key]) | {"count"}, (lang, key)
            assert placeholders(english[key]) <= placeholders(value) | {"count"}, (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_message_has_exactly_the_forms_of_its_language(lang: str) -> None:
    needed = plural_categories(lang)
    for key, value in leaves(catalogue(lang)).items():
        if is_plural(value):
            assert set(value) == needed, (lang, key, sorted(set(value) ^ needed))


def test_the_plural_forms_are_babels() -> None:
    assert plural_categories("en") == {"one", "other"}
    assert plural_categories("ru") == {"one", "few", "many", "other"}


@pytest.mark.parametrize(
    ("count", "line", "file_in", "problem"),
    [
        (1, "1 строка", "в 1 файле", "1 проблема"),
        (2, "2 строки", "в 2 файлах", "2 проблемы"),
        (5, "5 строк", "в 5 файлах", "5 проблем"),
        (11, "11 строк", "в 11 файлах", "11 проблем"),
        (21, "21 строка", "в 21 файле", "21 проблема"),
        (22, "22 строки", "в 22 файлах", "22 проблемы"),
        (25, "25 строк", "в 25 файлах", "25 проблем"),
        (111, "111 строк", "в 111 файлах", "111 проблем"),
        (122, "122 строки", "в 122 файлах", "122 проблемы"),
        (42, "42 строки", "в 42 файлах", "42 проблемы"),
    ],
)
def test_russian_numbers_agree(count: int, line: str, file_in: str, problem: str) -> None:
    t = Text("ru")
    assert (t.n("line", count), t.n("file_in", count), t.n("problem", count)) == (line, file_in, problem)


@pytest.mark.parametrize(("count", "expected"), [(0, "0 lines"), (1, "1 line"), (2, "2 lines"), (21, "21 lines")])
def test_english_numbers_agree(count: int, expected: str) -> None:
    assert Text("en").n("line", count) == expected


def test_a_sentence_agrees_with_its_count_in_russian() -> None:
    t = Text("ru")
    where = t("intro.where", files=t.n("file_in", 32), lines=t.n("line", 4555))
    assert t("intro.found", count=1, where=where) == "Найдена 1 проблема в 32 файлах (4555 строк)."
    assert t("intro.found", count=4, where=where) == "Найдены 4 проблемы в 32 файлах (4555 строк)."
    assert t("intro.found", count=5, where=where) == "Найдено 5 проблем в 32 файлах (4555 строк)."
    key = "unrouted-router.skipped.not_deleted_unreplaced"
    assert t(key, count=21, include="x").startswith("не удалено: у 21 эндпоинта нет")
    assert t(key, count=2, include="x").startswith("не удалено: у 2 эндпоинтов нет")


def test_no_catalogue_says_s_in_parentheses() -> None:
    for lang in LANGUAGES:
        for key, value in leaves(catalogue(lang)).items():
            for form in value.values() if isinstance(value, dict) else [value]:
                assert "(s)" not in form and "(es)" not in form, (lang, key)


def test_russian_puts_a_comma_before_kotoryj() -> None:
    for key, value in leaves(catalogue("ru")).items():
        for form in value.values() if isinstance(value, dict) else [value]:
            for match in re.finditer(r"котор", form):
                before = re.sub(r"\s+(в|на|из|с|со|для|от|к|по|у|о)$", "", form[: match.start()].rstrip())
                assert before.endswith((",", "—", "(")) or not before, (key, form)


# Words that stay as they are in Russian technical prose: code, commands, names.
_UNTRANSLATED_OK = re.compile(r"`[^`]*`|\[[^\]]*\]\([^)]*\)|https?://\S+|--[a-z-]+|NotImplementedError|"
                              r"AttributeError|__all__|include_router|register_blueprint|deprecated|alias|"
                              r"runtime|mounts|Server-Sent|\bCMD\b")


@pytest.mark.parametrize("name", ["chat_app.ru.md"])
def test_the_russian_report_has_no_english_sentence(name: str) -> None:
    """Issue 13: 'all 129 project imports resolve' and '4 of 4 fixed finding(s) gone' were left in
    English, and 'у 6 endpoint(s)' mixed both."""
    text = (REPO / "reports" / name).read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks are code
    prose = re.sub(r"<!--.*?-->", "", prose)
    prose = _UNTRANSLATED_OK.sub("", prose)
    english = [line for line in prose.splitlines() if re.search(r"\b[a-zA-Z]{3,}\b(\s+\b[a-zA-Z]{3,}\b){2,}", line)]
    assert english == []
    checks = text[text.index("```text"):]
    assert "all " not in checks and "finding" not in checks and "gone" not in checks


def test_text_formats_a_plural_only_with_its_count() -> None:
    with pytest.raises(KeyError):
        Text("en")("n.line")


def test_every_note_and_reason_the_fixes_give_is_in_the_catalogues() -> None:
    """A plan's notes and skip reasons are catalogue keys: one missing would reach the report as
    'not applied automatically' (or fail the command line's output). Read from the code: every
    `Note("key", ...)` of the planner and of each rule's package (a third argument scopes it
    to the rule's own catalogue)."""
    import ast

    found: list[tuple[str, str]] = []  # (scope, key)
    sources = [*(REPO / "analyzer" / "fixes").glob("*.py"), *(REPO / "analyzer" / "checks").glob("*/*.py")]
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rule_id = ""
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "RULE_ID" for t in node.targets):
                rule_id = ast.literal_eval(node.value)
        if path.parent.name != "fixes" and not rule_id:
            details = path.parent / "details.py"
            rule_id = re.search(r'RULE_ID = "([^"]+)"', details.read_text(encoding="utf-8")).group(1)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Note" and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append((rule_id if len(node.args) >= 3 else "", node.args[0].value))
    assert len({scope for scope, _ in found}) > 3  # the common notes, and several rules'
    for lang in LANGUAGES:
        messages = catalogue(lang)
        missing = []
        for scope, key in found:
            table = messages[scope] if scope else messages
            if key not in table.get("notes", {}) and key not in table.get("skipped", {}):
                missing.append((scope, key))
        assert missing == [], lang
