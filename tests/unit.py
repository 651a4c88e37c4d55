"""Small indexes built straight from source text, for unit tests of the models (no scan, no files)."""

from __future__ import annotations

from analyzer.facts.extract import extract
from analyzer.facts.launchers import launcher_mentions
from analyzer.index import ProjectIndex
from analyzer.options import Options
from analyzer.project import Project


def module_name(path: str) -> tuple[str, bool]:
    parts = path.removesuffix(".py").split("/")
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def project_of(files: dict[str, str], launchers: dict[str, str] | None = None, **options: object) -> Project:
    """A project of Python `files` (path → source; module names from the paths) and launcher
    files (path → text)."""
    facts = []
    for path, source in files.items():
        module, is_package = module_name(path)
        facts.append(extract(path, module, is_package, source.encode()))
    mentions = tuple(m for path, text in (launchers or {}).items() for m in launcher_mentions(path, text))
    return Project(ProjectIndex(facts), Options(**options), (), mentions)  # type: ignore[arg-type]
