"""Fix plans compose: any subset of the findings in one file, fixed together, gives the tree that
fixing them one at a time (scan, fix one, scan again) gives, in any order."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import PlanOptions, build_plan
from analyzer.scan import scan
from tests.conftest import write_tree

EXAMPLES = int(os.environ.get("HYGIENE_FUZZ_EXAMPLES", "25"))

# Pieces of app/models.py, each bringing findings; `{comment}` is an optional comment line.
PIECES = {
    "alpha": (  # a stale first definition, the only user of `shutil`
        "{comment}class Alpha:\n    def one(self):\n        shutil.rmtree('x')\n\n    def two(self):\n"
        "        return 2\n\n\nclass Alpha:\n    def one(self):\n        return 1\n\n    def two(self):\n"
        "        return 2\n"
    ),
    "beta": (  # another one, sharing `json` with the live Beta
        "{comment}class Beta:\n    def one(self):\n        return json.dumps(1)\n\n    def two(self):\n"
        "        return 2\n\n\nclass Beta:\n    def one(self):\n        return json.dumps(2)\n\n"
        "    def two(self):\n        return 2\n"
    ),
    "gamma": (  # a method called by a misspelt name: the call is renamed (in main.py)
        "{comment}class Gamma:\n    def get_item(self, key: str) -> str:\n        return key\n"
    ),
    "delta": "{comment}class Delta:\n    def run(self) -> int:\n        return 1\n",  # a stub is added
    "epsilon": (  # a recipe (dataclass-to-dict) adds a method and an import
        "{comment}@dataclass\nclass Epsilon:\n    name: str\n"
    ),
    "zeta": (  # a stale first definition right before another one, the only user of `csv`, the
        # first import after `from __future__ import annotations`
        "{comment}class Zeta:\n    def one(self):\n        return csv.reader([])\n\n    def two(self):\n"
        "        return 2\n\n\nclass Eta:\n    def one(self):\n        return 1\n\n    def two(self):\n"
        "        return 2\n\n\nclass Zeta:\n    def one(self):\n        return 1\n\n    def two(self):\n"
        "        return 2\n\n\nclass Eta:\n    def one(self):\n        return 3\n\n    def two(self):\n"
        "        return 2\n"
    ),
}
CALLS = {
    "alpha": "    Alpha().one()\n",
    "beta": "    Beta().two()\n",
    "gamma": "    g.get_itme(sku)\n",
    "delta": "    d.walk(sku, limit=3)\n",
    "epsilon": "    e.to_dict()\n",
    "zeta": "    Zeta().one()\n    Eta().one()\n",
}
PARAMETERS = {"gamma": "g: Gamma", "delta": "d: Delta", "epsilon": "e: Epsilon"}


def project(pieces: list[str], comments: list[bool]) -> dict[str, str]:
    header = (
        "from __future__ import annotations\n\nimport csv\nimport json\nimport shutil\n"
        "from dataclasses import dataclass\n"
    )
    body = "\n\n".join(
        PIECES[name].format(comment=f"# {name} lives here\n" if comment else "")
        for name, comment in zip(pieces, comments, strict=True)
    )
    params = ", ".join([PARAMETERS[n] for n in pieces if n in PARAMETERS] + ["sku: str"])
    names = ", ".join(sorted({n.capitalize() for n in pieces} | ({"Eta"} if "zeta" in pieces else set())))
    main = f"from app.models import {names}\n\n\ndef use({params}) -> None:\n" + "".join(CALLS[n] for n in pieces)
    return {"app/__init__.py": "", "app/models.py": f"{header}\n\n{body}", "app/main.py": main}


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def key(finding) -> tuple[str, str, str | None]:
    return finding.rule, finding.path, finding.symbol


def fix_only(root: Path, keys: set[tuple[str, str, str | None]]) -> None:
    plan = build_plan(scan(root), PlanOptions(findings=frozenset(keys), include_uncertain=True))
    assert not plan.conflicts, [f.skipped for f in plan.conflicts]
    assert all(f.applies for f in plan.fixes), [(f.summary, f.reason) for f in plan.fixes]
    apply_plan(plan, force=True)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(sorted(PIECES)), min_size=2, max_size=6, unique=True),
    data=st.data(),
)
def test_fixes_applied_together_equal_fixes_applied_one_by_one(pieces: list[str], data: st.DataObject) -> None:
    comments = data.draw(st.lists(st.booleans(), min_size=len(pieces), max_size=len(pieces)))
    files = project(pieces, comments)
    with tempfile.TemporaryDirectory() as temp:
        together, one_by_one = Path(temp) / "together", Path(temp) / "one_by_one"
        write_tree(together, files)
        write_tree(one_by_one, files)
        findings = sorted({key(f) for f in scan(together).findings if f.path in {"app/main.py", "app/models.py"}})
        assert len(findings) >= len(pieces)  # every piece brings at least one finding
        chosen = data.draw(st.lists(st.sampled_from(findings), min_size=1, unique=True))
        fix_only(together, set(chosen))
        for one in chosen:  # in the drawn order: any order
            fix_only(one_by_one, {one})
        assert snapshot(together) == snapshot(one_by_one)


def test_two_stale_classes_and_a_method_in_one_file_all_apply(tmp_path: Path) -> None:
    """The defect: the second edit to a file used line numbers from before the first and was
    dropped ("class X not found at line 45"); each later run removed one more class."""
    root = write_tree(tmp_path / "p", project(["alpha", "beta", "delta"], [True, False, False]))
    plan = build_plan(scan(root), PlanOptions(include_uncertain=True))
    assert [f.status for f in plan.fixes if f.finding.path == "app/models.py"] == ["fixed", "fixed"]
    assert not plan.conflicts and all(f.applies for f in plan.fixes)
    apply_plan(plan, force=True)
    models = (root / "app/models.py").read_text()
    assert models.count("class Alpha") == 1 and models.count("class Beta") == 1 and "def walk(" in models
    assert "import shutil" not in models and "import json" in models and "# alpha lives here" not in models
    assert build_plan(scan(root)).fixes == []
