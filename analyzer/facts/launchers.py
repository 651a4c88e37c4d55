"""What runs the project's code from outside Python: mentions of modules and files in launchers.

A module nothing imports may still run: a Dockerfile's `CMD ["uvicorn", "app.main:app"]`, a
Procfile's `worker: celery -A app.worker worker`, `[project.scripts]` in pyproject.toml, a
Makefile target `python scripts/seed.py`, a CI step `python -m app.cli check`, a README that
says `python tools/export.py`. Those texts are the roots of the program that Python code does not
show. This module finds them: which files are launchers, and what each one mentions.

Two kinds of text, read two ways:
- launchers proper (container, process, build, CI and packaging files): every mention of a
  Python file, of a `module:object` pair, of a module after `-m`, `-A`, `--app` or `FLASK_APP`,
  and of a quoted dotted name counts;
- prose (README and documentation files, and the docstrings and comments of Python modules): only
  a command that runs something (`python x.py`, `python -m pkg.mod`, `uvicorn main:app`,
  `celery -A pkg worker`...) counts, since prose names modules for many other reasons.

Mentions are kept as written; the project index matches them to modules (a mention may be
relative to a container's working directory, so it matches any module or file it ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import translate

MAX_LAUNCHER_BYTES = 512 * 1024

# File names (matched without case) whose every mention of a module or file runs it.
LAUNCHER_NAMES = (
    "dockerfile", "dockerfile.*", "*.dockerfile", "containerfile", "procfile", "procfile.*",
    "docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml",
    "*.sh", "*.bash", "*.zsh", "*.ps1", "*.bat", "*.cmd", "makefile", "gnumakefile", "*.mk",
    "justfile", "taskfile.yml", "taskfile.yaml", "jenkinsfile", "pyproject.toml", "setup.cfg",
    "setup.py", "tox.ini", "*.ini", "*.cfg", "*.conf", "*.service", "*.toml", "*.yml", "*.yaml",
    ".env", ".env.*", "*.env", ".flaskenv", "package.json", "vercel.json", "now.json",
    "zappa_settings.json", "app.json", "cdk.json", "serverless.json", "*.spec", "supervisord*",
    "*.tf", "*.tfvars", "*.hcl", "*.nomad", "*.j2", "*.jinja", "*.tpl", "*.tmpl",
)
# File names whose mentions count only as commands.
PROSE_NAMES = ("*.md", "*.rst", "*.txt", "*.adoc")

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_IDENT}(?:\.{_IDENT})*"
_BOUNDARY = r"(?<![\w.\-/:$])"
# `app.main:app`, `pkg.cli:main`, `wsgi:application`, `app:create_app()`.
_OBJECT = re.compile(rf"{_BOUNDARY}({_DOTTED}):({_IDENT})(?![\w/])")
# `scripts/seed.py`, `./manage.py`, `backend/app/main.py`.
# `scripts/seed.py`, `./manage.py`, and in containers `/app/app/x.py`, `$APP_DIR/x.py` (kept
# without the absolute or variable prefix: matched to the project's files by their ends).
_PATH = re.compile(
    r"(?<![\w\-/.:@])(?:\$\{?\w+\}?/|/)?((?:\.{1,2}/)?(?:[\w.\-]+/)*[\w\-]+\.py)(?![\w/])"
)
# A module after an option that names one: `-m pkg.mod`, `celery -A proj`, `--app pkg.app`.
_MODULE_OPTION = re.compile(rf"(?:^|[\s\"'\[,])(?:-m|-A|--app|--module)[=\s\"',]+({_DOTTED})")
# Task-queue workers given their module bare: `dramatiq app.worker`, `arq app.jobs.Settings`.
_WORKER = re.compile(
    rf"\b(?:dramatiq|rq\s+worker|arq|faust(?:\s+-A)?|huey_consumer(?:\.py)?|taskiq\s+worker)\s+(?:-\S+\s+)*({_DOTTED})"
)
_ENV_APP = re.compile(
    rf"\b(?:FLASK_APP|APP_MODULE|MODULE_NAME|DJANGO_SETTINGS_MODULE)\s*[=:]\s*[\"']?({_DOTTED}(?::{_IDENT})?)"
)
_QUOTED_DOTTED = re.compile(rf"[\"']({_IDENT}(?:\.{_IDENT})+)[\"']")
# `build-backend = "backend"`, `module: worker`, `app = "main"`: keys that name a module.
_KEYED_MODULE = re.compile(
    rf"\b(?:build-backend|module|app|application|entrypoint|entry_point|entry-point|main|wsgi|asgi|worker)"
    rf"[\"']?\s*[=:]\s*[\"']?({_DOTTED})[\"']?\s*(?:$|[,#}}])",
    re.IGNORECASE,
)
# Prose: only a command that runs Python code.
_RUNNER = (
    r"(?:python[0-9.]*|py|pypy[0-9.]*|uv\s+run(?:\s+python)?|poetry\s+run(?:\s+python)?|pipenv\s+run(?:\s+python)?"
    r"|uvicorn|gunicorn|hypercorn|daphne|granian|celery|flask|fastapi\s+(?:run|dev)|streamlit\s+run|dramatiq|rq|arq"
    r"|huey_consumer|faust|pytest)"
)
_COMMAND = re.compile(rf"(?<![\w\-]){_RUNNER}\b((?:[^\n`|;&,).]|\.(?!\s|$))*)")


@dataclass(frozen=True, slots=True)
class Mention:
    """A module, file or object a launcher names: `kind` is `path` (`scripts/seed.py`), `module`
    (`app.worker`) or `object` (`app.main:app`, held as `module:name`)."""

    source: str  # the launcher's path, relative to the root
    line: int
    kind: str
    value: str


_LAUNCHER = re.compile("|".join(translate(pattern) for pattern in LAUNCHER_NAMES))
_PROSE = re.compile("|".join(translate(pattern) for pattern in PROSE_NAMES))


def is_launcher(name: str) -> bool:
    return _LAUNCHER.match(name.lower()) is not None


def is_prose(name: str) -> bool:
    return _PROSE.match(name.lower()) is not None


def launcher_mentions(source: str, text: str) -> tuple[Mention, ...]:
    """Everything a launcher file names that may be a module, file or object of the project."""
    found: dict[tuple[str, str], Mention] = {}
    sectioned = source.lower().endswith((".toml", ".cfg", ".ini"))
    counts = True
    for number, line in enumerate(text.splitlines(), start=1):
        if sectioned and (header := _SECTION.match(line)):
            counts = _section_runs_code(header.group(1).strip().lower())
            continue
        if not counts and not _PLUGINS_KEY.match(line):  # a checker's plugins do run (`[tool.mypy] plugins`)
            continue
        for mention in _mentions_in(line):
            found.setdefault(mention, Mention(source, number, *mention))
    return tuple(found.values())


_SECTION = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*(?:#.*)?$")
# Sections of configuration files that configure a checker rather than run or package the code:
# a linter's per-file ignores or a coverage `omit` names files without running them (in
# pyproject.toml as `[tool.<name>...]`, in setup.cfg and tox.ini as `[<name>]`).
_CHECKER_SECTIONS = re.compile(
    r"^(?:tool[.:])?(?:flake8|pycodestyle|pydocstyle|isort|mypy|coverage|pylint|yapf|bumpversion|codespell|pep8"
    r"|ruff|black|pyright|basedpyright|bandit|vulture|hygiene|codehygiene|code-hygiene|deptry|pyupgrade|autoflake"
    r"|docformatter|interrogate|pydoclint|darglint|commitizen|towncrier|semantic_release|tbump|typos|djlint"
    r"|sqlfluff|yamllint|check-manifest|setuptools_scm|pylsp|jedi|rope|importlinter|tach)\b"
)


_PLUGINS_KEY = re.compile(r"^\s*[\"']?(?:plugins|load-plugins)[\"']?\s*[=:]")


def _section_runs_code(section: str) -> bool:
    return _CHECKER_SECTIONS.match(section) is None


def command_mentions(source: str, text: str, first_line: int = 1) -> tuple[Mention, ...]:
    """What the commands written in prose run (`python tools/export.py`, `uvicorn main:app`)."""
    found: dict[tuple[str, str], Mention] = {}
    for number, line in enumerate(text.splitlines(), start=first_line):
        for command in _COMMAND.finditer(line):
            for mention in _mentions_in(" " + command.group(0), quoted=False):
                found.setdefault(mention, Mention(source, number, *mention))
    return tuple(found.values())


def _mentions_in(line: str, quoted: bool = True) -> list[tuple[str, str]]:
    mentions: list[tuple[str, str]] = []
    for match in _PATH.finditer(line):
        if not _EXCLUDING.search(line[: match.start()]):
            mentions.append(("path", match.group(1).removeprefix("./")))
    for match in _OBJECT.finditer(line):
        mentions.append(("object", f"{match.group(1)}:{match.group(2)}"))
    for match in _MODULE_OPTION.finditer(line):
        mentions.append(("module", match.group(1)))
    for match in _WORKER.finditer(line):
        mentions.append(("module", match.group(1)))
    for match in _ENV_APP.finditer(line):
        value = match.group(1)
        if not value.endswith(".py"):  # a path is found as one already
            mentions.append(("object" if ":" in value else "module", value))
    if quoted:
        for match in _QUOTED_DOTTED.finditer(line):
            if not match.group(1).endswith(".py"):
                mentions.append(("module", match.group(1)))
        for match in _KEYED_MODULE.finditer(line):
            mentions.append(("module", match.group(1)))
    return [(kind, value) for kind, value in mentions if not _is_noise(kind, value)]


# An option that names files to leave out (`--exclude=__init__.py`, `--omit tests/x.py`).
_EXCLUDING = re.compile(r"(?:--exclude|--omit|--ignore|--skip|--extend-exclude)[=\s]+\S*$")


def _is_noise(kind: str, value: str) -> bool:
    """Mentions that cannot name project code: file extensions, versions, URLs' hosts, a bare
    `__init__.py` (every package has one)."""
    if kind == "path":
        return (value.startswith("../") and value.count("/") > 3) or value in {"__init__.py", "conftest.py"}
    module = value.partition(":")[0]
    return module.replace(".", "").isdigit()
