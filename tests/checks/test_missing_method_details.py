"""missing-method details beyond the rule's own examples."""

from __future__ import annotations


def test_a_method_defined_on_a_same_named_class_elsewhere_suggests_importing_it(scan_tree) -> None:
    result = scan_tree({
        "app/__init__.py": "",
        "app/old.py": "class Manager:\n    def start(self):\n        return 1\n",
        "app/new.py": (
            "class Manager:\n    def start(self):\n        return 1\n\n    def stop(self):\n        return 0\n"
        ),
        "app/main.py": (
            "from app.old import Manager\nfrom app.new import Manager as Live\n\n"
            "m = Manager()\nm.stop()\nLive().stop()\n"
        ),
    }, rules={"missing-method"})
    (finding,) = result.findings
    assert finding.symbol == "Manager.stop" and finding.path == "app/main.py" and finding.line == 5
    assert finding.to_dict()["fix"]["alternatives"] == [
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
    assert finding.to_dict()["details"]["did_you_mean"] == ["get_by_sku"]
    assert finding.to_dict()["fix"]["alternatives"] == []


def test_the_result_of_a_method_is_typed_by_its_return_annotation(scan_tree) -> None:
    result = scan_tree({
        "app/__init__.py": "",
        "app/models.py": (
            "class Session:\n    def close(self):\n        return None\n\n\n"
            "class Pool:\n    def acquire(self) -> 'Session':\n        return Session()\n\n"
            "    async def acquire_async(self) -> Session:\n        return Session()\n"
        ),
        "app/use.py": (
            "from app.models import Pool\n\npool = Pool()\n\n\n"
            "def f():\n    session = pool.acquire()\n    session.close()\n    session.commit()\n\n\n"
            "async def g(p: Pool):\n    session = await p.acquire_async()\n    session.rollback()\n"
            "    other = p.acquire_async()\n    other.whatever()\n"
        ),
    }, rules={"missing-method"})
    assert sorted((f.symbol, f.line) for f in result.findings) == [
        ("Session.commit", 9), ("Session.rollback", 14)
    ]


def test_self_referencing_method_chains_end(scan_tree) -> None:
    """`node = node.parent()` refers to itself: inference ends, and a name bound several ways is
    not claimed; the same chain through distinct names is followed to the end."""
    tree = "class Node:\n    def parent(self) -> 'Node':\n        return self\n\n\n"
    looping = tree + (
        "def root(node: Node):\n    node = node.parent()\n    while node:\n        node = node.parent()\n"
        "    return node.missing()\n"
    )
    chained = tree + (
        "def grand(node: Node):\n    parent = node.parent()\n    grandparent = parent.parent()\n"
        "    return grandparent.missing()\n"
    )
    assert scan_tree({"app/__init__.py": "", "app/tree.py": looping}, rules={"missing-method"}).findings == ()
    result = scan_tree({"app/__init__.py": "", "app/tree.py": chained}, rules={"missing-method"})
    assert [(f.symbol, f.line) for f in result.findings] == [("Node.missing", 9)]


def test_calls_on_self_are_checked_against_the_class_and_its_subclasses(scan_tree) -> None:
    """`self.m()` is a call on the class itself; a subclass (or a class a mixin is mixed into)
    that has `m` makes it fine; a class nested in a method has its own `self`."""
    source = (
        "class Manager:\n    def get_async(self):\n        return 1\n\n"
        "    def get(self):\n        return self.get_sync()\n\n"
        "    @classmethod\n    def make(cls):\n        return cls.build()\n\n\n"
        "class Hook:\n    def run(self):\n        return self.handle()\n\n\n"
        "class Impl(Hook):\n    def handle(self):\n        return 2\n\n\n"
        "class Mixin:\n    def run(self):\n        return self.dispatch()\n\n\n"
        "class Base:\n    def dispatch(self):\n        return 3\n\n\n"
        "class View(Mixin, Base):\n    pass\n\n\n"
        "class Server:\n    def handler(self):\n        class Handler:\n"
        "            def do(self):\n                return self.send()\n        return Handler\n"
    )
    result = scan_tree({"app/__init__.py": "", "app/m.py": source}, rules={"missing-method"})
    assert sorted((f.symbol, f.line) for f in result.findings) == [("Manager.build", 10), ("Manager.get_sync", 6)]


def test_an_abc_base_alone_does_not_make_a_class_abstract(scan_tree) -> None:
    """`class Ops(Component, ABC)` with no abstract method of its own is concrete: its missing
    `self.m()` is certain. A class that declares abstract methods leaves `m` to its subclasses
    (none in the project): uncertain. A protocol is always meant for other classes."""
    source = (
        "from abc import ABC, abstractmethod\nfrom typing import Protocol\n\n\n"
        "class Ops(ABC):\n    def run(self):\n        return self.evaluate()\n\n\n"
        "class Step(ABC):\n    @abstractmethod\n    def name(self):\n        ...\n\n"
        "    def run(self):\n        return self.evaluate()\n\n\n"
        "class Runner(Protocol):\n    def run(self):\n        return self.evaluate()\n"
    )
    findings = scan_tree({"app/__init__.py": "", "app/m.py": source}, rules={"missing-method"}).findings
    assert sorted((f.symbol, f.confidence) for f in findings) == [
        ("Ops.evaluate", "high"), ("Step.evaluate", "uncertain")
    ]
