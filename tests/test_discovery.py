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


def test_a_script_beside_its_same_named_package_runs_as_main(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"cps.py": "from cps import main\n", "cps/__init__.py": "", "cps/main.py": ""})
    assert modules(root) == {"cps.py": "__main__", "cps/__init__.py": "cps", "cps/main.py": "cps.main"}


def test_same_named_modules_of_two_projects_are_both_analysed_each_in_its_namespace(tmp_path: Path) -> None:
    from analyzer.scan import scan

    root = write_tree(tmp_path / "repo", {
        "one/pyproject.toml": "", "one/common.py": "VALUE = 1\n", "one/use.py": "from common import VALUE\n",
        "two/pyproject.toml": "", "two/common.py": "VALUE = 2\n", "two/use.py": "from common import VALUE\n",
    })
    result = scan(root)
    assert result.diagnostics == ()
    index = result.project.index
    assert {m: f.path for m, f in index.modules.items()} == {
        "common": "one/common.py", "use": "one/use.py", "two::common": "two/common.py", "two::use": "two/use.py",
    }
    # each `use` imports its own project's `common`
    assert index.resolve_name("use", "VALUE").module == "common"
    assert index.resolve_name("two::use", "VALUE").module == "two::common"


def test_a_folder_its_code_imports_from_is_a_source_root(tmp_path: Path) -> None:
    """Roots read from the facts: what each file imports and what the folder's modules define.
    A module whose facts depend on its own name (a relative import) is read again under the new
    name; the others are only renamed."""
    from analyzer.scan import scan

    root = write_tree(tmp_path / "repo", {
        "backend/Dockerfile": "WORKDIR /app\n",
        "backend/onyx/__init__.py": "",
        "backend/onyx/configs.py": "LIMIT = 3\n",
        "backend/onyx/redis/__init__.py": "",
        "backend/onyx/redis/sets.py": "from onyx.configs import LIMIT\n",
        "backend/onyx/redis/lists.py": "from ..configs import LIMIT\nNAME = __name__\n",
        "bin/stats.py": "class Count:\n    pass\n",
        "bin/report.py": "from stats import Count\n",
        "contrib/alembic/env.py": "from alembic import context\n",
        "contrib/alembic/versions/0001_init.py": "from alembic import op\n",
    })
    modules = scan(root).project.index.modules
    named = {facts.path: name for name, facts in modules.items()}
    assert named["backend/onyx/redis/sets.py"] == "onyx.redis.sets"
    assert named["bin/report.py"] == "report" and named["bin/stats.py"] == "stats"
    # `alembic` here is the library: the folder of that name does not provide `context`.
    assert named["contrib/alembic/env.py"] == "contrib.alembic.env"
    lists = modules["onyx.redis.lists"]
    assert lists.reads_own_name and [i.module for i in lists.imports] == ["onyx.configs"]
    assert not modules["onyx.redis.sets"].reads_own_name


def test_a_package_elsewhere_does_not_turn_a_module_into_a_script(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "admin/pyproject.toml": "", "admin/services.py": "",
        "worker/pyproject.toml": "", "worker/services/__init__.py": "",
    })
    assert modules(root) == {"admin/services.py": "services", "worker/services/__init__.py": "worker::services"}


def test_of_two_same_named_modules_the_one_nearer_the_root_keeps_the_plain_name(tmp_path: Path) -> None:
    from analyzer.scan import scan

    root = write_tree(tmp_path / "repo", {
        "api/__init__.py": "", "api/views.py": "",
        "agent/sandbox/pyproject.toml": "", "agent/sandbox/api/__init__.py": "",
    })
    result = scan(root)
    assert result.diagnostics == ()
    assert set(result.project.index.modules) == {"api", "api.views", "agent/sandbox::api"}
