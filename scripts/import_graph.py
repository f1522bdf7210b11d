"""Report import circles in `emulator/` and upward imports out of `emulator/core/`.

Counts every import, including those inside functions (a deferred import still ties the two
modules together); only imports under `if TYPE_CHECKING:` are left out, since they never run.
Exits 1 when either list is non-empty, so `scripts/check` fails on a new circle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "emulator"
# Layers above the core: nothing under emulator/core may import these.
ABOVE_CORE = (
    "emulator.http",
    "emulator.providers",
    "emulator.app",
    "emulator.api",
    "emulator.control",
    "emulator.handle",
    "emulator.pytest_plugin",
    "emulator.pytest_support",
    "emulator.pytest_clients",
    "emulator.cli",
    "emulator.server",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, here: str, is_package: bool) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` ties us to `pkg.sub`, not to `pkg/__init__`; a name that is
            # not a module ties us to `base` itself (resolved in `graph`).
            found.update(f"{base}:{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in (ROOT / PACKAGE).rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        raw = _imports(tree, name, path.name == "__init__.py")
        resolved = set()
        for target in raw:
            base, _, attr = target.partition(":")
            resolved.add(f"{base}.{attr}" if attr and f"{base}.{attr}" in files else base)
        edges[name] = {m for m in resolved if m in files and m != name}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def upward(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (src, dst)
        for src, targets in edges.items()
        if src.startswith("emulator.core")
        for dst in targets
        if dst.startswith(ABOVE_CORE)
    )


def main() -> int:
    edges = graph()
    found_circles, found_upward = circles(edges), upward(edges)
    for component in found_circles:
        print(f"import circle ({len(component)} modules): {' -> '.join(component)}")
    for src, dst in found_upward:
        print(f"upward import from the core: {src} -> {dst}")
    print(f"{len(found_circles)} import circles, {len(found_upward)} upward imports from core")
    return 1 if found_circles or found_upward else 0


if __name__ == "__main__":
    sys.exit(main())
