from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.options import Options
from analyzer.scan import ScanResult, scan

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def scan_tree(tmp_path: Path):
    """Write a mini project and scan it: `scan_tree({"app/x.py": "..."}, rules={"..."})`."""

    def run(files: dict[str, str | bytes], rules: set[str] | None = None, **options) -> ScanResult:
        root = write_tree(tmp_path / "project", files)
        return scan(root, Options(rules=frozenset(rules) if rules else None, **options))

    return run
