"""missing-method details beyond the rule's own examples."""

from __future__ import annotations


def test_a_method_defined_on_a_same_named_class_elsewhere_suggests_importing_it(scan_tree) -> None:
    result = scan_tree({
        "app/__init__.py": "",
        "app/old.py": "class Manager:\n    def start(self):\n        return 1\n",
        "app/new.py": "class Manager:\n    def start(self):\n        return 1\n\n    def stop(self):\n        return 0\n",
        "app/main.py": "from app.old import Manager\nfrom app.new import Manager as Live\n\nm = Manager()\nm.stop()\nLive().stop()\n",
    }, rules={"missing-method"})
    (finding,) = result.findings
    assert finding.symbol == "Manager.stop" and finding.path == "app/main.py" and finding.line == 5
    assert finding.fix["alternatives"] == [
        {"action": "import-from", "class": "Manager", "module": "app.new", "path": "app/new.py", "line": 1}
    ]
    assert any("stale copy" in line for line in finding.evidence)


def test_did_you_mean_offers_close_names(scan_tree) -> None:
    result = scan_tree({
        "app/__init__.py": "",
        "app/repo.py": "class Repo:\n    def get_by_sku(self, sku):\n        return sku\n",
        "app/use.py": "from app.repo import Repo\n\n\ndef f(r: Repo):\n    return r.get_by_skus('x')\n",
    }, rules={"missing-method"})
    (finding,) = result.findings
    assert finding.details["did_you_mean"] == ["get_by_sku"]
    assert finding.fix["alternatives"] == []
