from __future__ import annotations

from pathlib import Path

from analyzer.discovery import discover
from tests.conftest import write_tree


def modules(root: Path) -> dict[str, str]:
    return {f.path: f.module for f in discover(root).files}


def test_module_names_count_from_the_root_or_its_src_layout(tmp_path: Path) -> None:
    flat = write_tree(tmp_path / "flat", {"app/__init__.py": "", "app/main.py": ""})
    assert modules(flat) == {"app/__init__.py": "app", "app/main.py": "app.main"}
    src = write_tree(tmp_path / "srclayout", {"src/pkg/__init__.py": "", "src/pkg/x.py": "", "tests/test_x.py": ""})
    assert modules(src) == {"src/pkg/__init__.py": "pkg", "src/pkg/x.py": "pkg.x", "tests/test_x.py": "tests.test_x"}


def test_a_nested_project_of_a_monorepo_is_its_own_source_root(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "backend/pyproject.toml": "[project]\nname = 'backend'\n",
        "backend/app/__init__.py": "",
        "backend/app/main.py": "from app import routes\n",
        "backend/tests/test_main.py": "",
        "scripts/tool.py": "",
    })
    assert modules(root) == {
        "backend/app/__init__.py": "app",
        "backend/app/main.py": "app.main",
        "backend/tests/test_main.py": "tests.test_main",
        "scripts/tool.py": "scripts.tool",
    }


def test_a_package_root_keeps_its_package_name(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "outer", {"pkg/__init__.py": "", "pkg/a.py": ""})
    assert modules(root / "pkg") == {"__init__.py": "pkg", "a.py": "pkg.a"}
