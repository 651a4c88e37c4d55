"""A content-hash cache of module facts, and of whole scan results.

Entries live in `.hygiene_cache/` at the project root, one file per entry, named by a hash of
the tool version, the facts schema and what the entry depends on (a file's path, module name and
content; for a result, every file's key and the options). Writes go to a temporary file that is
renamed into place, so concurrent scans never see half an entry; an entry that cannot be read
(truncated, corrupted, from another Python) is treated as missing and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from analyzer.facts.model import ModuleFacts

# Bump when ModuleFacts or what the extractor records changes.
FACTS_VERSION = "5"
DIRECTORY = ".hygiene_cache"


def _tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("code-hygiene")
    except Exception:  # not installed (run from a checkout)
        return "dev"


class FactsCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / f"v{FACTS_VERSION}-{_tool_version()}"

    def key(self, path: str, module: str, is_package: bool, content: bytes) -> str:
        digest = hashlib.blake2b(digest_size=20)
        for part in (path, module, str(is_package)):
            digest.update(part.encode() + b"\0")
        digest.update(content)
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        try:
            with open(self._file(key), "rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError,
                ImportError, IndexError):
            return None

    def put(self, key: str, value: Any) -> None:
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, target)
        except OSError:
            return  # a read-only or full disk only costs speed

    def get_facts(self, key: str) -> ModuleFacts | None:
        value = self.get(key)
        return value if isinstance(value, ModuleFacts) else None

    def _file(self, key: str) -> Path:
        return self.directory / key[:2] / key


def combined_key(keys: list[str], extra: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for key in keys:
        digest.update(key.encode())
    digest.update(extra.encode())
    return "result-" + digest.hexdigest()
