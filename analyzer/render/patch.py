"""A fix plan as one patch in git's format (`hygiene fix --diff`): what `git apply` takes.

One diff per file, from the content the plan read to the content it would write, in bytes (a
file keeps its encoding and line endings); a deleted file is a deletion git understands
(`+++ /dev/null`, every line removed). Nothing else is printed, so the output can be piped.
"""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path
from typing import Protocol

__all__ = ["plan_patch"]


class _Plan(Protocol):
    root: Path
    originals: dict[str, bytes]
    final: dict[str, bytes | None]


def plan_patch(plan: _Plan) -> bytes:
    parts = []
    for path in sorted(plan.final):
        before, after = plan.originals.get(path, b""), plan.final[path]
        if after == before:
            continue
        parts.append(_file_patch(path, before, after, _mode(plan.root / path)))
    return b"".join(parts)


def _file_patch(path: str, before: bytes, after: bytes | None, mode: str) -> bytes:
    name = path.encode("utf-8", "surrogateescape")
    header = b"diff --git a/" + name + b" b/" + name + b"\n"
    old = _lines(before)
    if after is None:
        header += f"deleted file mode {mode}\n".encode()
        body = difflib.diff_bytes(difflib.unified_diff, old, [], b"a/" + name, b"/dev/null")
    else:
        body = difflib.diff_bytes(difflib.unified_diff, old, _lines(after), b"a/" + name, b"b/" + name)
    return header + b"".join(body)


def _lines(data: bytes) -> list[bytes]:
    """Lines with their endings; a last line without one is marked as `diff` marks it."""
    lines = data.splitlines(keepends=True)
    if lines and not lines[-1].endswith((b"\n", b"\r")):
        lines[-1] += b"\n\\ No newline at end of file\n"
    return lines


def _mode(path: Path) -> str:
    try:
        executable = os.stat(path).st_mode & stat.S_IXUSR
    except OSError:
        executable = 0
    return "100755" if executable else "100644"
