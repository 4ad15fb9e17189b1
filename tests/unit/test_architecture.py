"""The folder layout shows how data flows (descriptor -> read -> checks ->
report), and the imports follow it: no module imports from a layer above
its own, and no group of modules imports itself round in a cycle. Both
module-level and function-level (lazy) imports count."""

from __future__ import annotations

import ast
from pathlib import Path

import jakdata

ROOT = Path(jakdata.__file__).parent

#: lowest first; a module may import its own layer and those below
LAYERS = [
    ("ground", ["jakdata.errors", "jakdata.catalogue", "jakdata.findings"]),
    ("package", ["jakdata.package"]),
    ("table", ["jakdata.table"]),
    ("validate", ["jakdata.validate"]),
    ("report", ["jakdata.report"]),
    (
        "data",
        ["jakdata.dataset", "jakdata.lookup", "jakdata.views", "jakdata.frames", "jakdata.excluded", "jakdata.meta"],
    ),
    ("tools", ["jakdata.tools"]),
    ("cli", ["jakdata.cli", "jakdata.__main__"]),
    ("api", ["jakdata"]),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best = (-1, -1)  # (length of the matching prefix, layer)
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            inside = module == p or (module.startswith(p + ".") and p != "jakdata")  # the api is __init__ alone
            if inside and len(p) > best[0]:
                best = (len(p), i)
    assert best[1] >= 0, f"{module} is in no layer: add it to LAYERS"
    return best[1]


def imports() -> dict[str, set[str]]:
    """Each jakdata module and the jakdata modules it imports."""
    modules = {module_name(p): p for p in ROOT.rglob("*.py") if "_package" not in p.parts}
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join([*parts[: len(parts) - node.level + 1], base]).strip(".")
                for a in node.names:
                    full = f"{base}.{a.name}"
                    found.add(full if full in modules else base)
        out[name] = {m for m in found if m in modules and m != name}
    return out


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [
        f"{src} ({LAYERS[layer_of(src)][0]}) imports {dst} ({LAYERS[layer_of(dst)][0]})"
        for src, dsts in imports().items()
        for dst in dsts
        if layer_of(dst) > layer_of(src) and dst != "jakdata"
    ]
    assert not upward, "\n".join(sorted(upward))


def test_no_import_cycle():
    graph = imports()
    # a package's __init__ is imported by every module under it: only its own imports count
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if nxt == "jakdata":
                continue
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_layer_map_knows_every_module():
    for module in imports():
        layer_of(module)
