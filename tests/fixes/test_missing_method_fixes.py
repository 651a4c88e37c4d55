"""missing-method fixes that fix: a close existing method, the live class, a recipe; else a stub
that says it is one and is never counted as a fix."""

from __future__ import annotations

import ast
from pathlib import Path

from analyzer.fixes.apply import apply_plan
from analyzer.fixes.plan import PlanOptions, build_plan
from analyzer.scan import scan
from analyzer.verify import verify
from tests.conftest import write_tree

REPOSITORY = '''from typing import Optional


class Product:
    sku: str


class ProductRepository:
    def __init__(self) -> None:
        self.items: dict[str, Product] = {}
        self.find_by_skus = None

    def get_by_sku(self, sku: str) -> Optional[Product]:
        return self.items.get(sku)

    def add(self, product: Product) -> Product:
        return product
'''


def method_fix(root: Path, **options):
    result = scan(root)
    plan = build_plan(result, PlanOptions(**options))
    (fix,) = [f for f in plan.fixes if f.finding.rule == "missing-method"]
    return result, plan, fix


def test_a_close_existing_method_whose_signature_fits_is_called_instead(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "shop/__init__.py": "",
        "shop/repository.py": REPOSITORY,
        "shop/catalog.py": (
            "from shop.repository import ProductRepository\n\n\nclass Catalog:\n"
            "    def __init__(self) -> None:\n        self.repo = ProductRepository()\n\n"
            "    def lookup(self, sku: str):\n        return self.repo.find_by_sku(sku.strip().upper())\n"
        ),
    })
    result, plan, fix = method_fix(root)
    assert fix.status == "fixed" and fix.reason is None
    assert plan.changed == ["shop/catalog.py"]  # the class is not touched
    assert [n.key for n in fix.notes] == ["renamed_call"] and fix.notes[0].params["new"] == "get_by_sku"
    apply_plan(plan, force=True)
    assert "self.repo.get_by_sku(sku.strip().upper())" in (root / "shop/catalog.py").read_text()
    checks = verify(root, plan.changed, before=list(result.findings), fixed=[fix.finding], baseline=result)
    assert checks.complete, [(c.kind, c.detail, c.output) for c in checks.checks]


def test_a_close_method_whose_signature_does_not_fit_is_not_used(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "shop/__init__.py": "",
        "shop/repository.py": REPOSITORY,
        "shop/use.py": (
            "from shop.repository import ProductRepository\n\n\ndef f(repo: ProductRepository):\n"
            "    return repo.find_by_sku('a', 'b', 'c')\n"
        ),
    })
    _, _, fix = method_fix(root)
    assert fix.status == "stub" and not any(n.key == "renamed_call" for n in fix.notes)


def test_did_you_mean_prefers_methods_to_fields(tmp_path: Path) -> None:
    """`find_by_skus` is a field (closest by spelling); `get_by_sku` is the method to call."""
    root = write_tree(tmp_path / "p", {
        "shop/__init__.py": "",
        "shop/repository.py": REPOSITORY,
        "shop/use.py": (
            "from shop.repository import ProductRepository\n\n\ndef f(repo: ProductRepository, sku: str):\n"
            "    return repo.find_by_sku(sku)\n"
        ),
    })
    _, _, fix = method_fix(root)
    assert "find_by_skus" in fix.finding.to_dict()["details"]["did_you_mean"]
    assert fix.status == "fixed" and fix.notes[0].params["new"] == "get_by_sku"


def test_the_import_switches_to_the_live_class_when_a_stale_copy_is_in_use(tmp_path: Path) -> None:
    event = "class Event:\n    def __init__(self, kind: str) -> None:\n        self.kind = kind\n\n"
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/schemas/__init__.py": "",
        "app/schemas/event.py": event + "    def to_sse(self) -> str:\n        return self.kind\n",
        "app/legacy/__init__.py": "",
        "app/legacy/event.py": event,
        "app/main.py": (
            "from app.legacy.event import Event\n\n\ndef stream(kind: str) -> str:\n"
            "    e = Event(kind)\n    return e.to_sse()\n"
        ),
    })
    _, plan, fix = method_fix(root)
    assert fix.finding.to_dict()["fix"]["alternatives"]
    assert fix.status == "fixed" and plan.changed == ["app/main.py"]
    assert [n.key for n in fix.notes] == ["import_switched"]
    apply_plan(plan, force=True)
    assert (root / "app/main.py").read_text().startswith("from app.schemas.event import Event\n")
    assert not [f for f in scan(root).findings if f.rule == "missing-method"]


def test_a_stub_is_typed_named_from_the_calls_short_and_never_a_fix(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class Order:\n    def total(self) -> int:\n        return 1\n",
        "app/views.py": (
            "from app.models import Order\n\n\n"
            "def checkout(order: Order, request: dict, sku: str, quantity: int) -> None:\n"
            "    order.reserve_items_for_checkout(request, sku, note='x', quantity=quantity)\n"
            "    order.reserve_items_for_checkout(request, sku, 3)\n"
        ),
    })
    result, plan, fix = method_fix(root)
    assert fix.status == "stub" and fix.reason is not None and fix.reason.key == "stub_not_fixed"
    assert "NOT fixed" in (fix.reason_text() or "")
    assert plan.count("fixed") == 0 and plan.count("stub") == 1
    apply_plan(plan, force=True)
    text = (root / "app/models.py").read_text()
    tree = ast.parse(text)
    (method,) = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("reserve")]
    assert [a.arg for a in method.args.args] == ["self", "request", "sku", "value"]
    assert [ast.unparse(a.annotation) for a in method.args.args[1:]] == ["dict", "str", "Optional[int]"]
    assert [a.arg for a in method.args.kwonlyargs] == ["note", "quantity"]
    assert "arg1" not in text and all(len(line) < 100 for line in text.splitlines())
    assert (ast.get_docstring(method) or "").startswith("Stub added by hygiene, NOT implemented")
    checks = verify(root, plan.changed, before=list(result.findings), fixed=[fix.finding], baseline=result)
    assert checks.ok and not checks.complete  # nothing got worse, and a stub is not a fix
    assert [s.name for s in checks.stubs] == ["Order.reserve_items_for_checkout"]
    assert "0 of 0 fixed findings gone" in checks.of_kind("rescan")[0].detail


def test_a_stub_docstring_with_many_call_sites_stays_under_100_columns(tmp_path: Path) -> None:
    calls = "".join(f"    order.reserve_items_for_the_checkout_of_a_long_name(x{i})\n" for i in range(12))
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "class Order:\n    def total(self) -> int:\n        return 1\n",
        "app/views.py": (
            "from app.models import Order\n\n\ndef f(order: Order, " + ", ".join(f"x{i}" for i in range(12))
            + "):\n" + calls
        ),
    })
    _, plan, fix = method_fix(root)
    final = plan.final["app/models.py"]
    assert final is not None and fix.status == "stub"
    assert max(len(line) for line in final.decode().splitlines()) < 100
    assert b"called at app/views.py:5 and 11 more." in final


def test_a_recipe_is_a_fix(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/models.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Point:\n    x: int\n",
        "app/use.py": "from app.models import Point\n\n\ndef f(p: Point) -> dict:\n    return p.to_dict()\n",
    })
    _, _, fix = method_fix(root)
    assert fix.status == "fixed" and fix.notes[0].key == "recipe"
