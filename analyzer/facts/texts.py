"""What strings and comments say: references written as strings, commands that run Python,
route paths called deprecated, folder names written in paths, and inline suppressions.

The core visitor hands every string constant to `Strings.constant` and every path-like call's
arguments to `Strings.path_words`; the comments (which `ast` drops) come from the token pass.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from analyzer.facts.launchers import command_mentions
from analyzer.facts.model import DeprecationNote

# Strings that may hold a command running Python code (checked before the costlier pattern).
_RUN_HINT = re.compile(
    r"python|py\s|uvicorn|gunicorn|hypercorn|daphne|granian|celery|flask|fastapi|streamlit|dramatiq"
    r"|\brq\b|\barq\b|huey|faust|uv run|poetry run|pipenv run"
)
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_VARIABLE_PREFIX = re.compile(r"^\$\{?\w+\}?/")
_MODULE_TEMPLATE = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\.(?:%s|%\(\w+\)s|\{\w*\})")
_OBJECT_STRING = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")
_WORD = re.compile(r"^[\w\-]{1,64}$")
_PY_PATH = re.compile(r"^(?:\$\{?\w+\}?)?/?(?:[\w.\-]+/)*[\w\-]+\.py$")
_ROUTE_PATH = re.compile(r"(?<![\w.:/])/[\w{}<>:./-]*[\w}>/]")
_SUPPRESSION = re.compile(r"#\s*hygiene:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
DEPRECATED = re.compile(
    r"deprecat|backwards?[ -]compat|kept for compat|for compatibility|no longer used|legacy alias", re.IGNORECASE
)
# Calls whose string arguments are parts of file paths.
PATH_CALLS = frozenset(
    {"join", "joinpath", "Path", "PurePath", "copytree", "copy", "copy2", "copyfile", "glob", "rglob", "iglob",
     "listdir", "scandir", "walk", "iterdir", "resource_filename", "files", "spec_from_file_location",
     "load_source", "run_path", "SourceFileLoader", "PluginLoader"}
)


def suppressions(comments: tuple[tuple[int, str], ...]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """`# hygiene: ignore` (every rule) and `# hygiene: ignore[rule-a, rule-b]` comments."""
    found = []
    for line, text in comments:
        match = _SUPPRESSION.search(text)
        if match:
            rules = tuple(r.strip() for r in (match.group(1) or "").split(",") if r.strip())
            found.append((line, rules))
    return tuple(found)


def route_paths(text: str) -> tuple[str, ...]:
    """The URL-path-like words in a piece of prose (`/my/chat/{id}/events/`)."""
    return tuple(dict.fromkeys(match.group(0) for match in _ROUTE_PATH.finditer(text)))


def deprecation_note(line: int, end_line: int, text: str) -> DeprecationNote | None:
    if "deprecat" not in text.lower():
        return None
    paths = route_paths(text)
    return DeprecationNote(line, end_line, paths) if paths else None


def comment_notes(comments: tuple[tuple[int, str], ...]) -> tuple[DeprecationNote, ...]:
    """Deprecation notes in blocks of consecutive comment lines."""
    notes = []
    block: list[tuple[int, str]] = []
    for line, text in [*comments, (-1, "")]:
        if block and line != block[-1][0] + 1:
            note = deprecation_note(block[0][0], block[-1][0], "\n".join(t for _, t in block))
            if note is not None:
                notes.append(note)
            block = []
        block.append((line, text))
    return tuple(notes)


@dataclass
class Strings:
    """What the string constants of a module say (`name_refs` is shared with the visitor, which
    adds the names it reads)."""

    name_refs: dict[str, list[int]]
    string_refs: dict[str, int] = field(default_factory=dict)
    string_words: set[str] = field(default_factory=set)
    run_mentions: dict[tuple[str, str], int] = field(default_factory=dict)
    deprecation_notes: list[DeprecationNote] = field(default_factory=list)
    module_templates: dict[str, int] = field(default_factory=dict)

    def constant(self, node: ast.Constant) -> None:
        value = node.value
        if not isinstance(value, str):
            return
        if len(value) > 12 and _RUN_HINT.search(value):
            self._run_mentions(value, node.lineno)
        elif _PY_PATH.match(value):  # `subprocess.call(["/config.py"])`, `runpy.run_path("tools/x.py")`
            path = _VARIABLE_PREFIX.sub("", value).lstrip("/").removeprefix("./")
            self.run_mentions.setdefault(("launch", path), node.lineno)
        template = _MODULE_TEMPLATE.match(value)
        if template:  # `"django.conf.locale.%s"`: module names made from it (if the module loads any)
            self.module_templates.setdefault(template.group(1), node.lineno)
        if ":" in value and _OBJECT_STRING.match(value):  # `"app.plugins.defaults:is_enabled"`
            self.string_refs.setdefault(value.replace(":", "."), node.lineno)
            return
        if len(value) > 200 or not _DOTTED.match(value):
            if "deprecat" in value.lower():
                note = deprecation_note(node.lineno, node.end_lineno or node.lineno, value)
                if note is not None:
                    self.deprecation_notes.append(note)
            return
        if "." in value:
            self.string_refs.setdefault(value, node.lineno)
        else:
            self.name_refs.setdefault(value, []).append(node.lineno)

    def path_words(self, nodes: list[ast.expr]) -> None:
        """Folder names written as parts of a path: what the code copies or loads by path."""
        for argument in nodes:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                self.string_words.update(part for part in argument.value.split("/") if _WORD.match(part))

    def comments(self, comments: tuple[tuple[int, str], ...]) -> tuple[DeprecationNote, ...]:
        """Read the comments: the commands they mention; returns their deprecation notes."""
        for line, text in comments:
            if _RUN_HINT.search(text):
                self._run_mentions(text, line)
        return comment_notes(comments)

    def _run_mentions(self, text: str, line: int) -> None:
        """Commands written in docstrings and comments (`python gradio_ui.py --port 80`)."""
        for mention in command_mentions("", text, line):
            self.run_mentions.setdefault((mention.kind, mention.value), mention.line)
