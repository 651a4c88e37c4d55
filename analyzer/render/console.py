"""The console every command prints through.

Like ruff, hygiene never hard-wraps its output: a line is written as it is, and a terminal wraps
it for display. Rich would otherwise break lines at the terminal's width, or at 80 columns when
the output is a pipe or a file, which turns `hygiene fix . > p.patch` into a corrupt patch.
Colors and styles are used on a terminal only (rich drops them for pipes and files, and honours
NO_COLOR).
"""

from __future__ import annotations

import sys
from typing import IO

from rich.console import Console


def make_console(file: IO[str] | None = None, stderr: bool = False, no_color: bool | None = None) -> Console:
    """A console that prints each line whole (`soft_wrap`), with no automatic highlighting."""
    return Console(file=file, stderr=stderr, soft_wrap=True, highlight=False, no_color=no_color)


def warn(message: str) -> None:
    """`hygiene: warning: ...` on stderr: something the user asked for looks wrong."""
    print(f"hygiene: warning: {message}", file=sys.stderr)
