"""The package's layers, read statically from the source (only the last test imports):

* no import cycle among ``src/genosynth`` modules (module-level and function-level imports);
* the library below the workflow steps never imports :mod:`genosynth.steps`;
* no function (method, nested function) is longer than :data:`MAX_FUNCTION_LINES`;
* every script imports what it calls from modules that define it.

An import ``genosynth.a.b`` is an edge to the module ``genosynth.a.b`` only, not to the
packages above it whose ``__init__`` Python runs first: a package re-exporting its
submodules (:mod:`genosynth.evaluate`) is no cycle, a submodule importing its own package
back is.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
PACKAGE = SRC / "genosynth"
STEPS = "genosynth.steps"
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_names(path: Path) -> set[str]:
    """Absolute dotted names ``path`` imports, at any depth (``from a import b`` gives ``a.b``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: up from this module's package
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            names |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    return names


def owning_module(dotted: str) -> str | None:
    """The longest prefix of ``dotted`` that is a genosynth module (``a.b.func`` -> ``a.b``)."""
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        found = set()
        for dotted in imported_names(path):
            if dotted == "genosynth" or dotted.startswith("genosynth."):
                found.add(owning_module(dotted))
        # ``from genosynth.x import name`` also yields ``genosynth.x``: one edge either way
        graph[name] = found - {None, name}
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest import cycle through the first module of a strongly connected component."""
    start, members = component[0], set(component)
    paths, queue = {start: [start]}, [start]
    for v in queue:
        for w in sorted(graph[v] & members):
            if w == start:
                return paths[v] + [start]
            if w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    raise AssertionError(f"no cycle through {start}")


def test_the_graph_sees_function_level_and_package_imports():
    graph = import_graph()
    assert "genosynth.repair" in graph["genosynth.steps.sample"]  # imported inside sample()
    assert "genosynth.formats" in graph["genosynth.steps.data"]  # from genosynth import formats
    assert "genosynth" in graph["genosynth.provenance"]  # from genosynth import __version__
    toy = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert strongly_connected(toy) == [["a", "b", "c"]]
    assert one_cycle(toy, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_import_cycles():
    graph = import_graph()
    cycles = [" -> ".join(one_cycle(graph, c)) for c in strongly_connected(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_only_steps_import_steps():
    inside = (STEPS, f"{STEPS}.")
    offenders = {
        name: sorted(d for d in deps if d.startswith(inside))
        for name, deps in import_graph().items()
        if not name.startswith(inside)
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"the library below the steps imports them: {offenders}"


def long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        f"{node.name} (line {node.lineno}: {node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.relative_to(PACKAGE).as_posix()) for p in MODULES.values()]
)
def test_functions_are_at_most_80_lines(path):
    assert not long_functions(path), f"{path.name}: {long_functions(path)}"


def script_calls(path: Path) -> list[tuple[str, str]]:
    """``(module, attribute)`` of each genosynth name a script imports or calls on a module."""
    tree = ast.parse(path.read_text(), str(path))
    bound, wanted = {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("genosynth"):
            for alias in node.names:
                wanted.append((node.module, alias.name))
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and bound.get(node.value.id) in MODULES
        ):
            wanted.append((bound[node.value.id], node.attr))
    return wanted


@pytest.mark.parametrize("path", sorted((REPO / "scripts").glob("*.py")), ids=lambda p: p.name)
def test_scripts_call_what_the_library_defines(path):
    missing = []
    for module, attr in script_calls(path):
        if f"{module}.{attr}" in MODULES:
            continue  # a submodule: `from genosynth.steps import data`
        if not hasattr(importlib.import_module(module), attr):
            missing.append(f"{module}.{attr}")
    assert not missing, f"{path.name} calls what does not exist: {missing}"
