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
