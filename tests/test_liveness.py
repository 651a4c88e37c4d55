"""What the program reaches, on small indexes."""

from __future__ import annotations

from analyzer.liveness import Reach
from tests.unit import project_of

APP = "from fastapi import FastAPI\n\nfrom app import used\n\napp = FastAPI()\n"


def test_imports_from_the_application_reach_and_the_rest_does_not() -> None:
    liveness = project_of({
        "app/__init__.py": "",
        "app/main.py": APP,
        "app/used.py": "from app import helper\n",
        "app/helper.py": "",
        "app/dead.py": "from app import helper\n",
        "tests/test_dead.py": "from app import dead\n",
    }).liveness
    assert liveness.judged
    assert [liveness.module(m) for m in ("app.main", "app.used", "app.helper")] == [Reach.APP] * 3
    assert liveness.module("app.dead") is Reach.TESTS
    assert liveness.module("tests.test_dead") is Reach.TESTS


def test_a_function_nothing_calls_reaches_nothing() -> None:
    liveness = project_of({
        "app/__init__.py": "",
        "app/main.py": APP,
        "app/used.py": (
            "def called():\n    from app import a\n\n\ndef uncalled():\n    from app import b\n\n\ncalled()\n"
        ),
        "app/a.py": "",
        "app/b.py": "",
    }).liveness
    assert liveness.definition("app.used", "called") is Reach.APP
    assert liveness.definition("app.used", "uncalled") is Reach.NONE
    assert liveness.module("app.a") is Reach.APP and liveness.module("app.b") is Reach.NONE


def test_launchers_and_documented_commands_are_roots() -> None:
    project = project_of(
        {
            "app/__init__.py": "",
            "app/worker.py": "",
            "app/cli.py": "def main():\n    pass\n",
            "tools/export.py": '"""Run with `python tools/export.py --all`."""\n',
            "app/lonely.py": "",
        },
        launchers={
            "Procfile": "worker: celery -A app.worker worker\n",
            "pyproject.toml": "[project.scripts]\nshop = 'app.cli:main'\n[tool.ruff]\nexclude = ['app/lonely.py']\n",
        },
    )
    liveness = project.liveness
    assert liveness.module("app.worker") is Reach.APP
    assert liveness.definition("app.cli", "main") is Reach.APP
    assert liveness.module("app.lonely") is Reach.NONE  # a linter's configuration runs nothing


def test_dotted_strings_and_literal_imports_reach_modules() -> None:
    liveness = project_of({
        "app/__init__.py": "",
        "app/main.py": APP + "import importlib\n\nfor name in ['app.plugins.a']:\n    importlib.import_module(name)\n",
        "app/used.py": "TASKS = ['app.tasks.send']\n",
        "app/tasks.py": "def send():\n    pass\n",
        "app/plugins/__init__.py": "",
        "app/plugins/a.py": "",
        "app/plugins/b.py": "",
    }).liveness
    assert liveness.definition("app.tasks", "send") is Reach.APP
    assert liveness.module("app.plugins.a") is Reach.APP
    assert liveness.module("app.plugins.b") is Reach.NONE


def test_a_package_walk_makes_its_modules_doubtful_not_dead() -> None:
    liveness = project_of({
        "app/__init__.py": "",
        "app/main.py": APP + (
            "import pkgutil\nfrom app import plugins\n\nfor info in pkgutil.iter_modules(plugins.__path__):\n    pass\n"
        ),
        "app/used.py": "",
        "app/plugins/__init__.py": "",
        "app/plugins/a.py": "class Tool:\n    def run(self):\n        return 1\n",
        "app/other.py": "class Unused:\n    pass\n",
    }).liveness
    assert liveness.module("app.plugins.a") is Reach.MAYBE
    assert "app.plugins" in (liveness.reason("app.plugins.a") or "")
    assert liveness.module("app.other") is Reach.NONE
    # What a loader finds by name in a module it loads by name (`getattr(module, "Tool")`) may
    # run: its classes are doubtful too, not dead; a module nothing loads keeps dead classes.
    assert liveness.definition("app.plugins.a", "Tool") is Reach.MAYBE
    assert "looked up" in (liveness.reason("app.plugins.a", "Tool") or "")
    assert liveness.definition("app.other", "Unused") is Reach.NONE


def test_without_an_anchoring_root_everything_is_taken_to_run() -> None:
    liveness = project_of({"lib/__init__.py": "", "lib/a.py": "def f():\n    pass\n"}).liveness
    assert not liveness.judged
    assert liveness.module("lib.a") is Reach.APP and liveness.definition("lib.a", "f") is Reach.APP


def test_packages_a_task_discovery_names_and_their_tasks_modules_are_reached() -> None:
    """Celery's `autodiscover_tasks([...])` imports each package it is given and the package's
    `tasks` module (or the `related_name` one), also through a filter call."""
    liveness = project_of({
        "app/__init__.py": "",
        "app/main.py": APP + "from app import worker\n",
        "app/worker.py": (
            "from celery import Celery\n\nfrom app.util import keep\n\ncelery_app = Celery()\n"
            "celery_app.autodiscover_tasks(keep(['app.billing', 'app.mail']))\n"
            "celery_app.autodiscover_tasks(['app.reports'], related_name='jobs')\n"
        ),
        "app/util.py": "def keep(names):\n    return names\n",
        "app/billing/__init__.py": "", "app/billing/tasks.py": "from app.billing import helpers\n",
        "app/billing/helpers.py": "",
        "app/mail/__init__.py": "", "app/mail/tasks.py": "",
        "app/reports/__init__.py": "", "app/reports/jobs.py": "", "app/reports/tasks.py": "",
    }).liveness
    reached = ("app.billing.tasks", "app.billing.helpers", "app.mail.tasks", "app.reports.jobs")
    assert [liveness.module(m) for m in reached] == [Reach.APP] * 4
    assert liveness.module("app.reports.tasks") is not Reach.APP


def test_code_that_loads_the_files_of_its_folder_makes_them_doubtful_a_test_that_does_does_not() -> None:
    """`spec_from_file_location` over its own folder: each module there may run. A test doing
    the same runs them as tests do, and what its folder's tests import stays test-only."""
    loader = (
        "import importlib.util\nfrom pathlib import Path\n\n"
        "for path in Path(__file__).parent.glob('*.py'):\n"
        "    spec = importlib.util.spec_from_file_location(path.stem, path)\n"
    )
    liveness = project_of({
        "app/__init__.py": "",
        "app/main.py": APP,
        "app/used.py": "",
        "app/tasks/__init__.py": "",
        "app/tasks/load.py": loader,
        "app/tasks/cleanup.py": "",
        "app/helpers.py": "",
        "tests/test_scripts.py": loader,
        "tests/test_helpers.py": "from app import helpers\n",
    }).liveness
    assert liveness.module("app.tasks.cleanup") is Reach.MAYBE
    assert liveness.module("app.helpers") is Reach.TESTS
    assert liveness.module("tests.test_helpers") is Reach.TESTS
