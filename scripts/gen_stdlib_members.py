"""Regenerate analyzer/data/stdlib/pyX.Y.json: what standard-library classes give their subclasses.

Run it with each Python the tool supports (standard library only):

    python3.11 scripts/gen_stdlib_members.py
    python3.12 scripts/gen_stdlib_members.py

The scan never imports a standard-library module: results must not depend on the interpreter
that runs the scan (nor on a project file named like a stdlib module that `sys.path` would find
first). This script imports them once, here, and records for every public class:

- `classes`: canonical name (`module.Qualname`) → its direct `bases` (canonical names) and the
  attributes it adds to theirs (`own`: of its instances and, through its metaclass, of the class
  object; `object`'s are left out), or `null` when a custom metaclass may add attributes per
  subclass (ctypes);
- `names`: every public dotted name a class is reachable under (`json.JSONEncoder` for
  `json.encoder.JSONEncoder`) → its canonical name.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import sys
import warnings
from pathlib import Path

# Importing these does something visible (a browser, a print, a GUI) or is a test suite.
SKIPPED = {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "test", "lib2to3",
           "ensurepip", "pydoc_data", "__main__", "__phello__"}
PLAIN_METACLASSES = ("type", "ABCMeta", "EnumMeta", "EnumType")


def modules() -> list[str]:
    found = []
    for name in sorted(sys.stdlib_module_names):
        if name.startswith("_") or name in SKIPPED:
            continue
        found.append(name)
        try:
            package = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - optional on this platform
            continue
        path = getattr(package, "__path__", None)
        if path is None:
            continue
        for info in pkgutil.walk_packages(path, prefix=name + "."):
            parts = info.name.split(".")
            if any(part.startswith("_") or part in SKIPPED or part == "tests" for part in parts):
                continue
            found.append(info.name)
    return found


def record(value: type, base: set[str], classes: dict[str, dict[str, object] | None]) -> str:
    """Record a class and, first, its bases; return its canonical name."""
    canonical = f"{value.__module__}.{value.__qualname__}"
    if canonical in classes:
        return canonical
    if type(value).__name__ not in PLAIN_METACLASSES:
        classes[canonical] = None
        return canonical
    classes[canonical] = None  # while its bases are recorded (cycles cannot happen, but be safe)
    bases = [record(parent, base, classes) for parent in value.__bases__ if parent is not object]
    inherited: set[str] = set()
    for parent in value.__bases__:
        if parent is not object:
            inherited |= (set(dir(parent)) | set(dir(type(parent)))) - base
    members = (set(dir(value)) | set(dir(type(value)))) - base
    classes[canonical] = {"bases": bases, "own": sorted(members - inherited)}
    return canonical


def main() -> None:
    warnings.simplefilter("ignore")
    base = set(dir(object))
    classes: dict[str, dict[str, object] | None] = {}
    names: dict[str, str] = {}
    for module_name in modules():
        try:
            module = importlib.import_module(module_name)
        except BaseException:  # noqa: BLE001 - optional modules, platform-specific ones
            continue
        for attribute, value in sorted(vars(module).items()):
            if attribute.startswith("_") or not inspect.isclass(value):
                continue
            names[f"{module_name}.{attribute}"] = record(value, base, classes)
    version = f"py{sys.version_info[0]}.{sys.version_info[1]}"
    target = Path(__file__).resolve().parents[1] / "analyzer" / "data" / "stdlib" / f"{version}.json"
    target.parent.mkdir(exist_ok=True)
    data = {"python": version, "classes": classes, "names": names}
    target.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(classes)} classes, {len(names)} names to {target}")


if __name__ == "__main__":
    main()
