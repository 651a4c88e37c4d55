"""Which files make up the project, and the module name of each.

The walk never follows symbolic links (no loops, nothing outside the root), skips virtual
environments, caches and VCS folders, honours the root's `.gitignore`, and reports what it skipped
and why as diagnostics instead of failing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.facts.launchers import MAX_LAUNCHER_BYTES, is_launcher, is_prose
from analyzer.findings import Diagnostic

if TYPE_CHECKING:
    import pathspec

    from analyzer.facts.model import ModuleFacts

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
    source_roots: tuple[str, ...] = ("",)  # relative to `root`; module names count from these
    package_prefix: str = ""
    distributions: tuple[str, ...] = ()  # nested projects (own pyproject.toml...), relative
    launchers: tuple[str, ...] = ()  # files that may run the code: Dockerfile, Procfile, README...


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
    launchers: list[str] = []
    diagnostics: list[Diagnostic] = []
    distributions: list[str] = []

    def on_error(path: str, error: OSError) -> None:
        where = _relative(Path(path), root)
        diagnostics.append(Diagnostic(where, f"cannot read directory: {error.strerror}"))

    def descend(entry: os.DirEntry[str], rel: str) -> bool:
        name = entry.name
        if name in SKIPPED_DIRS or name.endswith(".egg-info"):
            return False
        if entry.is_symlink():
            diagnostics.append(Diagnostic(rel, "symbolic link to a directory: not followed"))
            return False
        return ignore is None or not ignore.match_file(rel + "/")

    packages: set[str] = set()  # folders with an __init__.py, walked top-down
    for directory, here, entries in _walk(str(root), descend, on_error):
        names = {entry.name for entry in entries}
        if "__init__.py" in names:
            packages.add(here)
        inside_a_package = here.rpartition("/")[0] in packages if "/" in here else "" in packages and here != ""
        if here and "__init__.py" not in names and not inside_a_package and _is_nested_project(directory, names):
            # A nested project (`backend/` with its own pyproject.toml in a monorepo): its
            # modules are imported from there, not from the scanned root.
            roots.append(_source_root(Path(directory)))
            distributions.append(here)
        for entry in entries:
            name = entry.name
            if not name.endswith(".py"):
                if (is_launcher(name) or is_prose(name)) and not _is_directory(entry):
                    _add_launcher(entry, f"{here}/{name}" if here else name, ignore, launchers)
                continue
            if _is_directory(entry):
                continue
            if name == "setup.py":
                _add_launcher(entry, f"{here}/{name}" if here else name, ignore, launchers)
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
    source_roots = tuple(sorted({r.relative_to(root).as_posix() if r != root else "" for r in roots}))
    return Discovery(
        root=root,
        files=_named(found, source_roots, package_prefix),
        diagnostics=tuple(diagnostics),
        source_roots=source_roots,
        package_prefix=package_prefix,
        distributions=tuple(sorted(distributions)),
        launchers=tuple(sorted(set(launchers))),
    )


def _is_nested_project(directory: str, names: set[str]) -> bool:
    """A folder with its own packaging: a pyproject.toml or setup.cfg, or a setup.py that packages
    something (a module called `setup.py` inside a namespace package is just a module)."""
    if {"pyproject.toml", "setup.cfg"} & names:
        return True
    if "setup.py" not in names:
        return False
    try:
        with open(os.path.join(directory, "setup.py"), "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return False
    return b"setuptools" in head or b"distutils" in head


def _add_launcher(
    entry: os.DirEntry[str], rel: str, ignore: pathspec.GitIgnoreSpec | None, launchers: list[str]
) -> None:
    """A launcher of ordinary size, not ignored, not a link."""
    if ignore is not None and ignore.match_file(rel):
        return
    try:
        status = entry.stat(follow_symlinks=False)
    except OSError:
        return
    if stat.S_ISREG(status.st_mode) and status.st_size <= MAX_LAUNCHER_BYTES and _is_utf8(rel):
        launchers.append(rel)


NAMESPACE_SEPARATOR = "::"


def _named(paths: Iterable[str], source_roots: Iterable[str], prefix: str) -> tuple[SourceFile, ...]:
    """Module names, each counted from its source root. Two roots that both hold a module of one
    name (two services, each with its `main.py` and `utils.py`) are two programs: every root but
    the first (nearest the top, then by path) gets a namespace of its own, `services/b::main`, in
    which its imports resolve first."""
    bases = sorted(((base, base == "") for base in source_roots), key=lambda item: -len(item[0]))
    placed = [(_base_of(rel, bases), _source_file(rel, bases, prefix)) for rel in paths]
    roots_of: dict[str, set[str]] = {}
    for base, file in placed:
        roots_of.setdefault(file.module, set()).add(base)
    separate: set[str] = set()
    for roots in roots_of.values():
        if len(roots) > 1:
            separate.update(sorted(roots, key=lambda root: (root.count("/") if root else -1, root))[1:])
    files = sorted(
        (
            replace(file, module=f"{base}{NAMESPACE_SEPARATOR}{file.module}") if base in separate else file
            for base, file in placed
        ),
        key=lambda f: f.path,
    )
    return tuple(_scripts_beside_their_package(files))


def _base_of(rel: str, bases: list[tuple[str, bool]]) -> str:
    return next((b for b, _ in bases if not b or rel.startswith(b + "/")), "")


def with_import_roots(discovery: Discovery, modules: Mapping[str, ModuleFacts]) -> Discovery:
    """Source roots that only the code tells: a folder that is not a package, holding packages
    that the files below it import by their own name (`backend/onyx/...` importing `onyx.x`:
    the application runs from `backend/`, as a Dockerfile's WORKDIR or a script's own folder
    would have it). Module names are then counted from there. Read from the facts of the files
    (`modules`, by path), which name what each file imports and defines."""
    paths = {f.path for f in discovery.files}
    folders: dict[str, set[str]] = {}  # folder → the importable names directly inside it
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folders.setdefault("/".join(parts[: depth - 1]), set()).add(parts[depth - 1])
        folders.setdefault("/".join(parts[:-1]), set()).add(parts[-1].removesuffix(".py"))
    top_level = {f.module.partition(".")[0] for f in discovery.files}
    packages = {path.rpartition("/")[0] for path in paths if path.endswith("/__init__.py")}
    found = []
    for base, children in sorted(folders.items()):
        if not base or base in discovery.source_roots or _inside_a_package_or_tests(base, packages):
            continue
        names = {n for n in children if n.isidentifier() and n not in top_level and n != "__init__"}
        if names and _imported_below(base, names, paths, modules):
            found.append(base)
    if not found:
        return discovery
    source_roots = tuple(sorted({*discovery.source_roots, *found}))
    return replace(
        discovery,
        files=_named(paths, source_roots, discovery.package_prefix),
        source_roots=source_roots,
    )


def _inside_a_package_or_tests(folder: str, packages: set[str]) -> bool:
    """A package, or a folder right inside one, is reached through the package; test folders
    are run by pytest, which puts them on the path its own way."""
    parts = folder.split("/")
    return folder in packages or folder.rpartition("/")[0] in packages or any(
        part in {"tests", "test"} for part in parts
    )


def _imported_below(base: str, names: set[str], paths: set[str], modules: Mapping[str, ModuleFacts]) -> bool:
    """Whether a file below `base` imports one of `names` as a top-level module, in a way only
    the folder's own code satisfies (`from onyx.configs import x` where `base/onyx/configs`
    exists; `from tool import run` where `base/tool.py` defines `run`): a folder that happens
    to share a library's name (`contrib/alembic/`, while the code imports the library) is not
    taken for the library."""
    prefix = base + "/"
    for path in sorted(p for p in paths if p.startswith(prefix)):
        facts = modules.get(path)
        for imported in facts.imports if facts is not None else ():
            if imported.level or imported.module.partition(".")[0] not in names:
                continue
            name = imported.name if imported.name not in (None, "*") else ""
            target = prefix + imported.module.replace(".", "/")
            if _provided_by(target, "." in imported.module, name or "", paths, modules):
                return True
    return False


def _provided_by(target: str, dotted: bool, name: str, paths: set[str], modules: Mapping[str, ModuleFacts]) -> bool:
    """Whether the folder's code has module `target` (a path without `.py`; `dotted` when it
    is a submodule) and, for `from target import name`, a submodule or a definition `name`."""
    if f"{target}.py" in paths:
        facts = modules.get(f"{target}.py")
    elif f"{target}/__init__.py" in paths:
        facts = modules.get(f"{target}/__init__.py")
        if not dotted and not name:
            return False  # a bare `import pkg`: a library of that name would do too
    else:
        return False
    if not name:
        return True
    if f"{target}/{name}.py" in paths or f"{target}/{name}/__init__.py" in paths:
        return True
    return facts is not None and name in facts.defined_names()


def _scripts_beside_their_package(files: list[SourceFile]) -> list[SourceFile]:
    """`cps.py` beside the package `cps/`: `import cps` finds the package, so the file can only
    be run as a script; it is analysed as `__main__`, which is its name when it runs."""
    package_folders = {f.path.removesuffix("/__init__.py") for f in files if f.is_package}
    return [
        SourceFile(f.path, "__main__", False)
        if not f.is_package and f.path.removesuffix(".py") in package_folders
        else f
        for f in files
    ]


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
    descend: Callable[[os.DirEntry[str], str], bool],
    on_error: Callable[[str, OSError], None],
) -> Iterator[tuple[str, str, list[os.DirEntry[str]]]]:
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


def _is_directory(entry: os.DirEntry[str]) -> bool:
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


def _patterns(lines: list[str]) -> pathspec.GitIgnoreSpec | None:
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
