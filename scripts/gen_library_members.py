"""Regenerate analyzer/data/library_members.json from the installed libraries.

The missing-method rule needs to know which attributes well-known third-party base classes give
their subclasses. Reading them from the real libraries (here, once) keeps the list exact; shipping
the snapshot keeps scans deterministic whatever the scanned project has installed.

    python scripts/gen_library_members.py
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

# qualified name to import -> other names the same class is imported under
CLASSES: dict[str, list[str]] = {
    "pydantic.BaseModel": ["pydantic.main.BaseModel"],
    "pydantic.RootModel": ["pydantic.root_model.RootModel"],
    "pydantic_settings.BaseSettings": ["pydantic_settings.main.BaseSettings"],
    "sqlmodel.SQLModel": ["sqlmodel.main.SQLModel"],
    "fastapi.APIRouter": ["fastapi.routing.APIRouter"],
    "fastapi.FastAPI": ["fastapi.applications.FastAPI"],
    "fastapi.HTTPException": ["fastapi.exceptions.HTTPException"],
    "starlette.exceptions.HTTPException": [],
    "flask.Blueprint": ["flask.blueprints.Blueprint"],
    "flask.Flask": ["flask.app.Flask"],
    "flask.views.MethodView": [],
    "flask.views.View": [],
    "flask_login.UserMixin": ["flask_login.mixins.UserMixin"],
    "flask_login.AnonymousUserMixin": ["flask_login.mixins.AnonymousUserMixin"],
    "flask_restful.Resource": [],
    "flask_restx.Resource": ["flask_restx.resource.Resource"],
    "msgspec.Struct": [],
}
# Classes made by a library object at run time (`db = SQLAlchemy()`, then `db.Model`), read from
# a fresh instance: qualified name of the factory → {attribute: name the class is recorded under}.
MADE_BY_INSTANCES: dict[str, dict[str, str]] = {
    "flask_sqlalchemy.SQLAlchemy": {"Model": "flask_sqlalchemy.model.Model"},
}
# Special forms whose runtime object is not the class the subclass gets.
SPECIAL = {
    "typing.NamedTuple": (tuple, ["_asdict", "_replace", "_fields", "_field_defaults", "_make"]),
    "typing.TypedDict": (dict, []),
    "typing_extensions.TypedDict": (dict, []),
    "typing_extensions.NamedTuple": (tuple, ["_asdict", "_replace", "_fields", "_field_defaults", "_make"]),
}


def main() -> None:
    members: dict[str, list[str]] = {}
    for qualname, aliases in CLASSES.items():
        module, _, name = qualname.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module), name)
        except ImportError as error:
            raise SystemExit(f"install {module} to generate its members: {error}") from None
        names = sorted(set(dir(cls)))
        for key in [qualname, *aliases]:
            members[key] = names
    for qualname, (base, extra) in SPECIAL.items():
        members[qualname] = sorted(set(dir(base)) | set(extra))
    for factory, attributes in MADE_BY_INSTANCES.items():
        module, _, name = factory.rpartition(".")
        instance = getattr(importlib.import_module(module), name)()
        for attribute, recorded in attributes.items():
            members[recorded] = sorted(set(dir(getattr(instance, attribute))))
    target = Path(__file__).resolve().parents[1] / "analyzer" / "data" / "library_members.json"
    target.write_text(json.dumps(members, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(members)} classes to {target}")


if __name__ == "__main__":
    main()
