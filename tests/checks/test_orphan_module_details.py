"""orphan-module beyond the rule's own examples: how sure a dead module of constants is."""

from __future__ import annotations

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"


def test_constants_under_a_configurations_name_are_doubtful_other_constants_are_dead(scan_tree) -> None:
    """A module of constants named like a configuration (`config.py`, `prod_settings.py`,
    `legacy.conf.py`) may be loaded by a tool given its name outside the code: uncertain. The
    same constants under another name (`static.py`, `agent_configs.py`) are dead: high, and so is
    a settings module with code."""
    constants = "LIMIT = 3\nNAME = 'x'\n"
    result = scan_tree({
        "app/__init__.py": "", "app/main.py": APP,
        "app/config.py": constants, "app/prod_settings.py": constants, "app/legacy.conf.py": constants,
        "app/static.py": constants, "app/agent_configs.py": constants,
        "app/settings_helpers.py": constants + "\n\ndef read():\n    return LIMIT\n",
    }, rules={"orphan-module"})
    found = {f.path: f.confidence for f in result.findings}
    assert found == {
        "app/config.py": "uncertain", "app/prod_settings.py": "uncertain", "app/legacy.conf.py": "uncertain",
        "app/static.py": "high", "app/agent_configs.py": "high", "app/settings_helpers.py": "high",
    }
    doubt = next(f for f in result.findings if f.path == "app/config.py").evidence
    assert any("configuration's name" in line for line in doubt)


def test_a_module_that_says_it_is_deprecated_is_doubtful_not_one_with_such_a_comment_inside(scan_tree) -> None:
    """Its docstring or a comment above its code calling it deprecated: kept for callers outside
    the repository? A comment about backward compatibility inside one of its functions says
    nothing of the module."""
    inside = "def load(data):\n    # TODO: remove, just for backwards compatibility\n    return data\n"
    result = scan_tree({
        "app/__init__.py": "", "app/main.py": APP,
        "app/shim.py": "# Deprecated: import from app.core instead.\n\nLIMIT = 3\n\n\ndef load():\n    return 1\n",
        "app/old.py": '"""Kept for backwards compatibility."""\n\n\ndef load():\n    return 1\n',
        "app/storage.py": inside,
    }, rules={"orphan-module"})
    found = {f.path: f.confidence for f in result.findings}
    assert found == {"app/shim.py": "uncertain", "app/old.py": "uncertain", "app/storage.py": "high"}
