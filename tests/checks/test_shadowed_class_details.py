"""shadowed-class beyond the rule's own examples: what the finding says in a library."""

from __future__ import annotations


def test_in_a_library_a_stale_copy_is_one_nothing_in_the_project_uses(scan_tree) -> None:
    """With no application (a library: everything is taken to run), the copy nobody refers to is
    still a stale copy, said as such: nothing in the project uses it, not "nothing the
    application runs"."""
    pool = (
        "class Pool:\n    def __init__(self, size):\n        self.size = size\n\n"
        "    def take(self):\n        return 1\n"
    )
    result = scan_tree({
        "lib/__init__.py": "", "lib/pool.py": pool, "lib/old_pool.py": pool,
        "lib/client.py": "from lib.pool import Pool\n\n\ndef connect():\n    return Pool(3).take()\n",
    }, rules={"shadowed-class"})
    [finding] = result.findings
    assert (finding.path, finding.symbol) == ("lib/old_pool.py", "Pool")
    assert "nothing in the project uses it" in finding.message
    assert finding.evidence[0].startswith("nothing in the project refers to this `Pool`")
