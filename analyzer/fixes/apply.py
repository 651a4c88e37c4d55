"""Write a fix plan to disk, all or nothing.

Every new content is first written to a temporary file beside its target; then each target is
moved into a backup folder and its replacement renamed into place (deletions are moves into the
backup folder). Any failure restores every moved file from the backup, so the tree is left
byte-identical to before. Refused outright: a target outside the root or behind a symbolic link,
a file changed since the plan read it, and (without `force`) files with uncommitted changes or a
tree outside any git work tree (nothing to undo the fix with). Folders left empty by deleted
files (a dead package) are removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analyzer.fixes.plan import FixPlan


class ApplyError(Exception):
    """The plan was not applied; the tree is unchanged."""


@dataclass(frozen=True)
class Applied:
    changed: tuple[str, ...]
    deleted: tuple[str, ...]


def apply_plan(plan: FixPlan, force: bool = False) -> Applied:
    root = plan.root.resolve()
    targets = sorted(set(plan.changed) | set(plan.deleted))
    for path in targets:
        _check_target(root, path)
    if not force:
        if not in_git_work_tree(root):
            raise ApplyError(
                f"{root} is not in a git repository: there is no VCS safety net to undo the changes; "
                "commit it to git first, or rerun with --force"
            )
        dirty = uncommitted_changes(root, targets)
        if dirty:
            raise ApplyError(
                "uncommitted changes in " + ", ".join(dirty) + " (commit them, or use --force)"
            )
    for path in targets:
        if (root / path).read_bytes() != plan.originals[path]:
            raise ApplyError(f"{path} changed since it was scanned; scan again")
    _write_atomically(root, {path: plan.final[path] for path in targets})
    _remove_empty_folders(root, plan.deleted)
    return Applied(tuple(plan.changed), tuple(plan.deleted))


def in_git_work_tree(root: Path) -> bool:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True, text=True,
            timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == "true"


def _remove_empty_folders(root: Path, deleted: list[str]) -> None:
    """Folders that held deleted files and hold nothing else now (their `__pycache__` aside)."""
    folders = sorted({(root / path).parent for path in deleted}, key=lambda p: len(p.parts), reverse=True)
    for folder in folders:
        while folder != root and folder.is_relative_to(root) and folder.is_dir():
            entries = list(folder.iterdir())
            cache = folder / "__pycache__"
            if any(entry != cache for entry in entries):
                break  # not empty: it stays, and so do its parents
            if cache in entries and all(p.suffix == ".pyc" for p in cache.iterdir()):
                shutil.rmtree(cache, ignore_errors=True)
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent


def _check_target(root: Path, path: str) -> None:
    full = root / path
    if full.is_symlink() or any(parent.is_symlink() for parent in full.parents if parent.is_relative_to(root)):
        raise ApplyError(f"{path} is behind a symbolic link; not writing through it")
    if not full.resolve().is_relative_to(root):
        raise ApplyError(f"{path} is outside {root}")


def uncommitted_changes(root: Path, paths: list[str]) -> list[str]:
    """The paths git reports as modified, staged or untracked (none when not in a git work tree)."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--", *paths],
            cwd=root, capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if done.returncode != 0:
        return []
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = []
    for line in done.stdout.splitlines():
        name = line[3:].split(" -> ")[-1].strip('"')
        full = (Path(top) / name).resolve()
        dirty.append(full.relative_to(root).as_posix() if full.is_relative_to(root) else name)
    return sorted(dirty)


def _replace(source: Path, target: Path) -> None:
    """The one filesystem step every move goes through (tests inject failures here)."""
    os.replace(source, target)


def _write_atomically(root: Path, contents: dict[str, bytes | None]) -> None:
    backup = Path(tempfile.mkdtemp(prefix=".hygiene-backup-", dir=root))
    staged: dict[str, Path] = {}
    moved: list[tuple[Path, Path]] = []  # (backup copy, original location)
    placed: list[Path] = []
    try:
        for path, content in contents.items():
            if content is None:
                continue
            target = root / path
            handle, temp = tempfile.mkstemp(prefix=".hygiene-", dir=target.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            shutil.copymode(target, temp)
            staged[path] = Path(temp)
        for number, (path, content) in enumerate(contents.items()):
            target = root / path
            saved = backup / str(number)
            _replace(target, saved)
            moved.append((saved, target))
            if content is not None:
                _replace(staged[path], target)
                del staged[path]
                placed.append(target)
    except BaseException as error:
        for target in placed:
            target.unlink(missing_ok=True)
        for saved, target in reversed(moved):
            os.replace(saved, target)
        for staged_file in staged.values():
            staged_file.unlink(missing_ok=True)
        shutil.rmtree(backup, ignore_errors=True)
        if isinstance(error, OSError):
            raise ApplyError(f"writing failed, nothing changed: {error}") from error
        raise
    shutil.rmtree(backup, ignore_errors=True)
