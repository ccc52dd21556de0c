"""Who imports whom among the project's own files, read from their source (no import runs).

Counted strictly, so a circle cannot hide: every ``import`` statement is an edge, wherever it
stands (inside a function, under ``if TYPE_CHECKING:``, in a ``try``), because a lazy import
is still a dependency the two modules share. ``from pkg import name`` is an edge to
``pkg/__init__.py`` (and, when ``name`` is a submodule, to that module too): a package's
``__init__`` runs whenever anything is imported from it by its name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ImportGraph:
    """Modules (dotted names) and, for each, the project modules it imports with the line."""

    files: dict[str, Path] = field(default_factory=dict)
    edges: dict[str, dict[str, int]] = field(default_factory=dict)

    def tangles(self) -> list[list[str]]:
        """The groups of modules that can each reach the others through imports (a module
        importing itself too): every module of a group is on some circle with every other."""
        groups = [
            sorted(group)
            for group in _strongly_connected(self.edges)
            if len(group) > 1 or min(group) in self.edges.get(min(group), {})
        ]
        return sorted(groups)

    def cycles(self) -> list[list[str]]:
        """One shortest circle per tangle, as a path that starts and ends on its first module
        (``[a, b, a]``)."""
        return [_shortest_cycle(self.edges, group[0], set(group)) for group in self.tangles()]

    def describe(self, cycle: list[str]) -> str:
        """A circle as a reader follows it: ``a (line 3) → b (line 9) → a``."""
        steps = [
            f"{here} (line {self.edges[here][there]})"
            for here, there in zip(cycle, cycle[1:], strict=False)
        ]
        return " → ".join([*steps, cycle[-1]])


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def build_graph(root: Path, folders: list[str]) -> ImportGraph:
    graph = ImportGraph()
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            graph.files[module_name(path, root)] = path
    for name, path in graph.files.items():
        is_package = path.name == "__init__.py"
        targets: dict[str, int] = {}
        for node in _statements(ast.parse(path.read_text(encoding="utf-8"), str(path)).body):
            for target in _targets(node, name, is_package, graph.files):
                targets.setdefault(target, node.lineno)
        graph.edges[name] = targets
    return graph


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Every statement, nested ones too (function and class bodies, ``if``, ``try``, ``with``,
    ``match``): an import is a statement, so expressions need no visit."""
    found = []
    pending = list(body)
    while pending:
        statement = pending.pop()
        found.append(statement)
        for attribute in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(statement, attribute, ()):
                pending.extend(child.body if isinstance(child, ast.match_case) else [child])
    return found


def _targets(node: ast.AST, module: str, is_package: bool, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in known]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    found = [source] if source in known else []
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        if submodule in known:
            found.append(submodule)
    return found


def _strongly_connected(edges: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (a deep import chain must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[set[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _shortest_cycle(edges: dict[str, dict[str, int]], start: str, group: set[str]) -> list[str]:
    """Breadth-first from ``start`` back to itself, staying inside its group."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges.get(node, {})):
                if child == start:
                    chain = [node]
                    while chain[-1] != start:
                        chain.append(came_from[chain[-1]])
                    return [*reversed(chain), start]
                if child in group and child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{start} is in a circle but none was found")
