"""A content-hash cache of module facts, and of whole scan results.

Entries live in `.hygiene_cache/` at the project root, one file per entry, in a folder per tool
version, facts schema and Python version, named by a hash of what the entry depends on (a file's
path, module name and content; for a result, every file's key and the options). Writes go to a temporary file that is
renamed into place, so concurrent scans never see half an entry; an entry that cannot be read
(truncated, corrupted, from another Python) is treated as missing and rewritten.

The cache sits inside the scanned tree, so it is input like the rest: a repository could ship a
crafted `.hygiene_cache/`. Every entry is therefore signed with a key kept outside the tree, in
the user's cache folder, and an entry whose signature does not match is never unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.facts.model import ModuleFacts

# Bump when ModuleFacts or what the extractor records changes.
FACTS_VERSION = "10"
DIRECTORY = ".hygiene_cache"


class FactsCache:
    def __init__(self, directory: Path) -> None:
        # Facts depend on this Python's parser (and the encoding of clone text on its marshal).
        python = f"py{sys.version_info[0]}.{sys.version_info[1]}"
        self._directory = str(directory / f"v{FACTS_VERSION}-{__version__}-{python}")

    def key(self, path: str, module: str, is_package: bool, content: bytes) -> str:
        digest = hashlib.blake2b(digest_size=20)
        for part in (path, module, str(is_package)):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(content)
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        secret = _signing_key()
        if secret is None:
            return None
        try:
            with open(self._file(key), "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        signature, payload = data[:_SIGNATURE_BYTES], data[_SIGNATURE_BYTES:]
        if not hmac.compare_digest(signature, _sign(secret, key, payload)):
            return None
        try:
            return pickle.loads(payload)
        except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError,
                ImportError, IndexError):
            return None

    def put(self, key: str, value: Any) -> None:
        secret = _signing_key()
        if secret is None:
            return
        target = self._file(key)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            folder = os.path.dirname(target)
            os.makedirs(folder, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(_sign(secret, key, payload) + payload)
            os.replace(temp, target)
        except OSError:
            return  # a read-only or full disk only costs speed

    def get_facts(self, key: str) -> ModuleFacts | None:
        value = self.get(key)
        return value if isinstance(value, ModuleFacts) else None

    def _file(self, key: str) -> str:
        return os.path.join(self._directory, key[:2], key)


_SIGNATURE_BYTES = 32


def _sign(secret: bytes, key: str, payload: bytes) -> bytes:
    return hmac.new(secret, key.encode() + b"\0" + payload, hashlib.sha256).digest()


@cache
def _signing_key() -> bytes | None:
    """The user's secret for signing cache entries, created on first use (None: no cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "code-hygiene" / "signing-key"
    try:
        return path.read_bytes()
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(secrets.token_bytes(32))
        os.replace(temp, path)  # 0600 from mkstemp
        return path.read_bytes()
    except OSError:
        return None


def combined_key(keys: list[str], extra: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for key in keys:
        digest.update(key.encode())
    digest.update(extra.encode())
    return "result-" + digest.hexdigest()
