"""The JSON contract (`--format json`): stable, sorted, the source for every other format."""

from __future__ import annotations

import json

from analyzer.scan import ScanResult


def render(result: ScanResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
