"""No import circle among core's modules, counting imports inside functions too.

import-linter sees module-level imports; a circle hidden behind a function-level
import is still a circle (the two modules still need each other), so this
scan reads every ``import`` statement in the syntax tree, wherever it stands.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, name: str, is_package: bool, known: set[str]) -> set[str]:
    """Every project module ``name`` imports, at any depth of its syntax tree."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(package: str = "core") -> dict[str, set[str]]:
    files = sorted((ROOT / package).rglob("*.py"))
    known = {module_name(f) for f in files}
    return {module_name(f): imported(ast.parse(f.read_text()), module_name(f),
                                     f.name == "__init__.py", known) for f in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_scan_sees_a_circle_behind_a_function_level_import():
    code_a = "def f():\n    from core.b import g\n"
    code_b = "from . import a\n"
    known = {"core", "core.a", "core.b"}
    graph = {"core.a": imported(ast.parse(code_a), "core.a", False, known),
             "core.b": imported(ast.parse(code_b), "core.b", False, known)}
    assert cycles(graph) == [["core.a", "core.b"]]


@pytest.mark.parametrize("package", ["core", "cli"])
def test_no_import_cycles(package):
    graph = import_graph(package)
    assert len(graph) > 10
    assert cycles(graph) == []
