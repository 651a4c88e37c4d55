"""Which files make up the project, and the module name of each.

The walk never follows symbolic links (no loops, nothing outside the root), skips virtual
environments, caches and VCS folders, honours the root's `.gitignore`, and reports what it skipped
and why as diagnostics instead of failing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analyzer.findings import Diagnostic

_PROJECT_MARKERS = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hygiene_cache",
        "__pycache__",
        "node_modules",
        "site-packages",
        "build",
        "dist",
        ".eggs",
    }
)
DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # posix, relative to the project root
    module: str
    is_package: bool


@dataclass(frozen=True, slots=True)
class Discovery:
    root: Path
    files: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def discover(
    root: Path,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    respect_gitignore: bool = True,
) -> Discovery:
    """Every Python source file below `root`, sorted by path. `include` and `exclude` are
    gitignore-style patterns relative to the root; the root's `.gitignore` applies too."""
    root = root.resolve()
    ignore = _patterns([*(_gitignore_lines(root) if respect_gitignore else []), *exclude])
    only = _patterns(list(include))
    package_prefix = _package_prefix(root)
    roots = [_source_root(root)]
    found: list[str] = []
    diagnostics: list[Diagnostic] = []

    def on_error(path: str, error: OSError) -> None:
        where = _relative(Path(path), root)
        diagnostics.append(Diagnostic(where, f"cannot read directory: {error.strerror}"))

    def descend(entry: os.DirEntry, rel: str) -> bool:
        name = entry.name
        if name in SKIPPED_DIRS or name.endswith(".egg-info"):
            return False
        if entry.is_symlink():
            diagnostics.append(Diagnostic(rel, "symbolic link to a directory: not followed"))
            return False
        return ignore is None or not ignore.match_file(rel + "/")

    for directory, here, entries in _walk(str(root), descend, on_error):
        names = {entry.name for entry in entries}
        if here and _PROJECT_MARKERS & names and "__init__.py" not in names:
            # A nested project (`backend/` with its own pyproject.toml in a monorepo): its
            # modules are imported from there, not from the scanned root.
            roots.append(_source_root(Path(directory)))
        for entry in entries:
            name = entry.name
            if not name.endswith(".py") or _is_directory(entry):
                continue
            rel = f"{here}/{name}" if here else name
            if ignore is not None and ignore.match_file(rel):
                continue
            if only is not None and not only.match_file(rel):
                continue
            if not _is_utf8(rel):
                diagnostics.append(Diagnostic(_printable(rel), "file name is not valid UTF-8: skipped"))
                continue
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError as error:
                diagnostics.append(Diagnostic(rel, f"cannot read: {error.strerror}"))
                continue
            if stat.S_ISLNK(status.st_mode):
                diagnostics.append(Diagnostic(rel, "symbolic link: not followed"))
                continue
            if not stat.S_ISREG(status.st_mode):
                diagnostics.append(Diagnostic(rel, "not a regular file: skipped"))
                continue
            if status.st_size > max_file_bytes:
                diagnostics.append(
                    Diagnostic(rel, f"skipped: {status.st_size} bytes is over the {max_file_bytes}-byte limit")
                )
                continue
            found.append(rel)
    bases = sorted(
        ((r.relative_to(root).as_posix() if r != root else "", r == root) for r in roots),
        key=lambda item: -len(item[0]),
    )
    files = sorted((_source_file(rel, bases, package_prefix) for rel in found), key=lambda f: f.path)
    return Discovery(root=root, files=tuple(files), diagnostics=tuple(diagnostics))


def _source_file(rel: str, bases: list[tuple[str, bool]], prefix: str) -> SourceFile:
    """Module names count from the deepest source root holding the file (`bases` are relative
    source roots, deepest first, each flagged when it is the scanned root itself)."""
    base, is_root = next(
        ((b, r) for b, r in bases if not b or rel.startswith(b + "/")), ("", True)
    )
    parts = (rel[len(base) + 1:] if base else rel).removesuffix(".py").split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    module = ".".join(([prefix] if prefix and is_root else []) + parts)
    return SourceFile(path=rel, module=module or prefix, is_package=is_package)


def _walk(
    root: str,
    descend: Callable[[os.DirEntry, str], bool],
    on_error: Callable[[str, OSError], None],
) -> Iterator[tuple[str, str, list[os.DirEntry]]]:
    """(directory, its path relative to `root`, its entries sorted by name), top-down.

    `os.scandir` rather than `os.walk`: the entries' types come with the listing, so telling
    folders, files and links apart costs no system call. A subdirectory is entered when
    `descend(entry, relative path)` agrees and it is not a virtual environment (`pyvenv.cfg`).
    """
    pending = [(root, "")]
    while pending:
        directory, here = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            on_error(directory, error)
            continue
        if here and any(entry.name == "pyvenv.cfg" for entry in entries):
            continue
        yield directory, here, entries
        subdirectories = []
        for entry in entries:
            if _is_directory(entry):
                rel = f"{here}/{entry.name}" if here else entry.name
                if descend(entry, rel):
                    subdirectories.append((entry.path, rel))
        pending.extend(reversed(subdirectories))


def _is_directory(entry: os.DirEntry) -> bool:
    """A folder, or a link to one (links are reported by the caller, never followed)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _source_root(root: Path) -> Path:
    """`root/src` for a src layout, else the root itself (the same for a nested project)."""
    src = root / "src"
    if src.is_dir() and not (src / "__init__.py").exists():
        return src
    return root


def _package_prefix(root: Path) -> str:
    """When the root is itself a package, the dotted name it is imported under."""
    parts: list[str] = []
    current = root
    while (current / "__init__.py").exists() and current.parent != current:
        parts.insert(0, current.name)
        current = current.parent
    return ".".join(parts)


def _gitignore_lines(root: Path) -> list[str]:
    path = root / ".gitignore"
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.is_file() else []
    except OSError:
        return []


def _patterns(lines: list[str]):
    """A gitignore matcher; lines that git tolerates but pathspec rejects are left out."""
    if not lines:
        return None
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # noqa: BLE001 - pathspec raises several kinds on odd lines
        kept = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except Exception:  # noqa: BLE001
                continue
            kept.append(line)
        return pathspec.GitIgnoreSpec.from_lines(kept) if kept else None


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
