"""A mermaid graph of the modules a cleanup involves: imports, mounts, what is removed.

GitHub renders it in place in the markdown report.
"""

from __future__ import annotations

import re

from analyzer.checks import rule_of
from analyzer.fixes.plan import FixPlan
from analyzer.project import Project


def module_graph(project: Project, plan: FixPlan) -> str:
    index = project.index
    involved: set[str] = set()
    for fix in plan.fixes:
        involved |= rule_of(fix.finding).report.involved(fix.finding)
        for change in fix.changes:
            involved.add(change.path)
    modules = {index.by_path[p].module: p for p in involved if p in index.by_path}
    for path in plan.deleted:
        for importer in index.importers(index.by_path[path].module):
            modules.setdefault(importer, index.modules[importer].path)
    edges: set[tuple[str, str, str]] = set()
    graph = index.import_graph
    for source in modules:
        for target in graph.successors(source):
            if target in modules:
                edges.add((modules[source], modules[target], "imports"))
    mounts = project.mounts
    for mounter, mounted, _ in mounts.graph.edges(keys=True):
        source_node, target_node = mounts.nodes.get(mounter), mounts.nodes.get(mounted)
        shown = set(modules.values())
        if source_node and target_node and source_node.path in shown and target_node.path in shown:
            edges.add((source_node.path, target_node.path, "mounts"))
    removed = set(plan.deleted)
    changed = set(plan.changed)
    paths = sorted(set(modules.values()) | {p for e in edges for p in e[:2]})
    lines = ["graph LR"]
    for path in paths:
        style = ":::removed" if path in removed else ":::changed" if path in changed else ""
        lines.append(f'    {_node_id(path)}["{path}"]{style}')
    for source, target, label in sorted(edges):
        arrow = "==>" if label == "mounts" else "-->"
        lines.append(f"    {_node_id(source)} {arrow}|{label}| {_node_id(target)}")
    lines.append("    classDef removed fill:#fdd,stroke:#c00,stroke-dasharray:5 5")
    lines.append("    classDef changed fill:#ffd,stroke:#a80")
    return "\n".join(lines)


def _node_id(path: str) -> str:
    return re.sub(r"\W", "_", path)
