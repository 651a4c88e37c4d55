"""A content-hash cache of module facts, and of whole scan results.

Entries live in `.hygiene_cache/` at the project root, one file per entry, in a folder per tool
version, facts schema and Python version, named by a hash of what the entry depends on (a file's
path, module name and content; for a result, every file's key and the options). Writes go to a temporary file that is
renamed into place, so concurrent scans never see half an entry; an entry that cannot be read
(truncated, corrupted, from another Python) is treated as missing and rewritten.

Entries the current tree no longer uses (older versions of files, other branches, other options)
are pruned at most once a day, when they have not been written for a week; so are the folders of
other tool or Python versions. `hygiene clean` removes the whole cache.

The cache sits inside the scanned tree, so it is input like the rest: a repository could ship a
crafted `.hygiene_cache/`. Every entry is therefore signed with a key kept outside the tree, in
the user's cache folder, and an entry whose signature does not match is never unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.facts.model import ModuleFacts

# Bump when ModuleFacts or what the extractor records changes.
FACTS_VERSION = "36"
DIRECTORY = ".hygiene_cache"
PRUNE_INTERVAL_SECONDS = 24 * 3600
UNUSED_LIFETIME_SECONDS = 7 * 24 * 3600
_PRUNE_STAMP = ".last-pruned"
# One folder per facts schema, tool version and Python version: the only folders ever deleted.
_VERSION_FOLDER = re.compile(r"v\d+-[\w.+-]+-py\d+\.\d+")


class FactsCache:
    def __init__(self, directory: Path) -> None:
        # Facts depend on this Python's parser (and the encoding of clone text on its marshal).
        python = f"py{sys.version_info[0]}.{sys.version_info[1]}"
        self._root = str(directory)
        self._directory = os.path.join(self._root, f"v{FACTS_VERSION}-{__version__}-{python}")

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

    def prune(self, in_use: Iterable[str], now: float | None = None) -> int:
        """At most once per `PRUNE_INTERVAL_SECONDS`: delete the entries not in `in_use` that
        were written more than `UNUSED_LIFETIME_SECONDS` ago, and the folders of other versions
        unused for as long. Returns how many entries and folders went."""
        now = time.time() if now is None else now
        stamp = os.path.join(self._directory, _PRUNE_STAMP)
        try:
            if now - os.stat(stamp).st_mtime < PRUNE_INTERVAL_SECONDS:
                return 0
        except FileNotFoundError:
            pass
        except OSError:
            return 0
        try:
            os.makedirs(self._directory, exist_ok=True)
            with open(stamp, "w"):
                pass
            os.utime(stamp, (now, now))
        except OSError:
            return 0
        keep = set(in_use)
        expired = now - UNUSED_LIFETIME_SECONDS
        removed = 0
        for shard in _folders(self._directory):
            for entry in _entries(shard):
                if entry.name not in keep and _written_before(entry.path, expired):
                    removed += _remove(entry.path)
        for folder in _version_folders(self._root):
            if folder != self._directory:
                last_used = os.path.join(folder, _PRUNE_STAMP)
                if _written_before(last_used if os.path.exists(last_used) else folder, expired):
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
        return removed


GITIGNORE_HEADER = "# Created by code-hygiene: a cache, never commit it."


def prepare_directory(directory: Path) -> Path:
    """Create the cache folder with a .gitignore that keeps it out of version control."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        marker = directory / ".gitignore"
        if not marker.exists():
            marker.write_text(f"{GITIGNORE_HEADER}\n*\n", encoding="utf-8")
    except OSError:
        pass  # unwritable: every write is then skipped and only speed is lost
    return directory


def clear(directory: Path) -> int:
    """Delete every cache folder in `directory` (only folders this tool writes; the directory
    itself goes when nothing else is left in it). Returns how many entries went."""
    removed = 0
    for folder in _version_folders(str(directory)):
        removed += sum(len(_entries(shard)) for shard in _folders(folder))
        shutil.rmtree(folder, ignore_errors=True)
    marker = directory / ".gitignore"
    try:
        if marker.is_file() and marker.read_text(encoding="utf-8").startswith(GITIGNORE_HEADER):
            marker.unlink()
        directory.rmdir()
    except OSError:
        pass  # not empty (something of the user's is there) or already gone
    return removed


def _folders(path: str) -> list[str]:
    try:
        with os.scandir(path) as listing:
            return [entry.path for entry in listing if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _version_folders(path: str) -> list[str]:
    return [folder for folder in _folders(path) if _VERSION_FOLDER.fullmatch(os.path.basename(folder))]


def _entries(path: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as listing:
            return [entry for entry in listing if entry.is_file(follow_symlinks=False)]
    except OSError:
        return []


def _written_before(path: str, moment: float) -> bool:
    try:
        return os.stat(path, follow_symlinks=False).st_mtime < moment
    except OSError:
        return False


def _remove(path: str) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return 1


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
