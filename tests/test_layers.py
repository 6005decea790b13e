"""The import contract of ``simulation/``: no cycles, no user-interface imports.

Each module of the engine has one owner per concept (docs/reference/layout.md); an
import cycle is the first sign that two modules own parts of the same rule.
The check reads the source (AST), so it sees every import: module level and
function level (lazy) alike. Imports under ``if TYPE_CHECKING:`` are left out:
they never run and exist only for annotations. Importing ``a.b.c`` also runs
the packages ``a`` and ``a.b``, so those count as edges too (unless the
importer is inside that package: a package's own ``__init__`` importing its
modules is how a package is built).
"""

from __future__ import annotations

import ast
from collections.abc import Container
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "simulation"
#: Names the engine must never import: it is a plain library under any front end.
FORBIDDEN = ("streamlit", "dashboard", "altair")


def module_name(path: Path, root: Path) -> str:
    """Dotted module name of a file under ``root`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(
    tree: ast.AST, module: str, is_package: bool, modules: Container[str] = ()
) -> set[str]:
    """Every module ``module`` imports (absolute names), at any depth of its code.

    ``from pkg import a, b`` imports ``pkg`` itself unless every name is one of
    ``modules`` (then it only loads those submodules, and ``pkg`` runs as their parent).
    """
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if _type_checking_block(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not all(f"{target}.{alias.name}" in modules for alias in node.names):
                found.add(target)
            for alias in node.names:  # ``from . import x`` may name a module
                found.add(f"{target}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (with the parent packages they run)."""
    files = sorted((root / package).rglob("*.py"))
    modules = {module_name(f, root): f for f in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        raw = imports_of(tree, name, path.name == "__init__.py", modules)
        edges: set[str] = set()
        for target in raw:
            parts = target.split(".")
            for k in range(1, len(parts) + 1):
                prefix = ".".join(parts[:k])
                # Inside a package, its parents run already; naming one outright
                # (``import simulation``, ``from simulation import run``) still counts.
                inside = name.startswith(prefix + ".") and prefix != target
                if prefix in modules and prefix != name and not inside:
                    edges.add(prefix)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_simulation_has_no_import_cycle():
    """No module of simulation/ imports, directly or through others, itself."""
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle in simulation/: " + " -> ".join(cycle)


def test_simulation_never_imports_the_user_interface():
    """simulation/ is a plain library: no Streamlit, Altair or dashboard import anywhere."""
    bad = []
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        name = module_name(path, ROOT)
        for target in imports_of(ast.parse(path.read_text()), name, path.name == "__init__.py"):
            if target.split(".")[0] in FORBIDDEN:
                bad.append(f"{name} imports {target}")
    assert not bad, "; ".join(bad)


@pytest.mark.parametrize("lazy", [False, True])
def test_the_check_finds_a_planted_cycle(tmp_path, lazy):
    """The contract bites: a cycle through a function-level import is found too."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import g\n")
    body = "def f():\n    from .a import g\n" if lazy else "from . import a\n"
    (pkg / "b.py").write_text(body)
    cycle = find_cycle(import_graph(tmp_path, "pkg"))
    assert cycle in (["pkg.a", "pkg.b", "pkg.a"], ["pkg.b", "pkg.a", "pkg.b"]), cycle


def test_the_check_counts_parent_packages(tmp_path):
    """Importing ``pkg.sub.x`` runs ``pkg/sub/__init__.py``: a cycle through it counts."""
    sub = tmp_path / "pkg" / "sub"
    sub.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (sub / "__init__.py").write_text("from ..loader import load\n")
    (sub / "x.py").write_text("X = 1\n")
    (tmp_path / "pkg" / "loader.py").write_text("from .sub.x import X\n")
    cycle = find_cycle(import_graph(tmp_path, "pkg"))
    assert cycle is not None and "pkg.sub" in cycle and "pkg.loader" in cycle, cycle


#: The layers of ``simulation/``, lowest first (``docs/reference/layout.md``). A
#: module may import its own layer and the layers below it, never one above.
#: ``simulation`` itself (``__init__``, the public API) and ``__main__`` stand
#: on top of everything.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("simulation.scenario",),
    ("simulation.engine",),
    ("simulation.present",),
    (
        "simulation.decide",
        "simulation.train",
        "simulation.history",
        "simulation.track",
        "simulation.portfolio",
    ),
    ("simulation.store",),
    ("simulation.report",),
    ("simulation.cli",),
)


def layer_of(module: str) -> int | None:
    """Index of ``module``'s layer in :data:`LAYERS` (None: the package's top)."""
    for level, packages in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in packages):
            return level
    return None


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a higher layer (or of the public API) from inside a layer."""
    bad = []
    for module, targets in sorted(graph.items()):
        level = layer_of(module)
        if level is None:
            continue
        for target in sorted(targets):
            up = layer_of(target)
            if up is None or up > level:
                bad.append(f"{module} imports {target}")
    return bad


def test_every_module_belongs_to_a_layer():
    """A new package of ``simulation/`` must be placed in :data:`LAYERS` before it is used."""
    loose = [
        m
        for m in import_graph()
        if layer_of(m) is None and m not in ("simulation", "simulation.__main__")
    ]
    assert not loose, f"modules in no layer: {loose}"


def test_lower_layers_never_import_higher_ones():
    """scenario imports nothing above it; engine nothing of the jobs, store, CLI or UI."""
    bad = upward_imports(import_graph())
    assert not bad, "upward imports: " + "; ".join(bad)


@pytest.mark.parametrize(
    ("importer", "target"),
    [
        ("scenario/schema.py", "simulation.engine.plan"),
        ("engine/runner.py", "simulation.decide.prioritise"),
        ("engine/plan.py", "simulation"),
    ],
)
def test_the_layer_check_finds_a_planted_upward_import(tmp_path, importer, target):
    """The contract bites: a copy of the package with one upward import fails it,
    at module level or inside a function."""
    import shutil

    shutil.copytree(ROOT / PACKAGE, tmp_path / PACKAGE)
    path = tmp_path / PACKAGE / importer
    line = (
        f"import {target}"
        if target == PACKAGE
        else "from {} import {}".format(*target.rsplit(".", 1))
    )
    path.write_text(path.read_text() + f"\n\ndef _planted():\n    {line}\n")
    module = module_name(path, tmp_path)
    bad = upward_imports(import_graph(tmp_path, PACKAGE))
    assert any(b.startswith(f"{module} imports ") for b in bad), bad


def test_the_layout_page_lists_every_module():
    """``docs/reference/layout.md`` names every module of ``simulation/`` and ``dashboard/``,
    and names no file that is gone."""
    import re

    page = (ROOT / "docs" / "reference" / "layout.md").read_text()
    named = set(re.findall(r"`((?:simulation|dashboard)/[\w/]+\.py)`", page))
    files = {
        str(p.relative_to(ROOT))
        for folder in (PACKAGE, "dashboard")
        for p in (ROOT / folder).rglob("*.py")
    }
    assert not files - named, f"modules missing from layout.md: {sorted(files - named)}"
    assert not named - files, f"layout.md names files that do not exist: {sorted(named - files)}"


#: Packages whose names are imported on first use (PEP 562): ``_OWNERS`` maps each
#: public name to the module that owns it, and the ``TYPE_CHECKING`` block imports
#: the same names for type checkers and the API docs.
LAZY_PACKAGES = ("simulation", "simulation.history")


def _type_checking_imports(package: str) -> dict[str, str]:
    """Name -> owner module of every import under ``if TYPE_CHECKING:`` in ``package``."""
    path = ROOT / Path(*package.split(".")) / "__init__.py"
    found: dict[str, str] = {}
    for node in ast.parse(path.read_text()).body:
        if _type_checking_block(node):
            for imp in node.body:
                if isinstance(imp, ast.ImportFrom):
                    owner = "." * imp.level and package + "."
                    for alias in imp.names:
                        found[alias.asname or alias.name] = owner + (imp.module or "")
    return found


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_the_lazy_api_names_each_owner_once(package):
    """Every name of ``__all__`` is in ``_OWNERS`` and in the ``TYPE_CHECKING``
    imports with the same owner, and resolves to the owner's own object. Catches
    a name added to one list and not the others, or pointed at the wrong module."""
    import importlib

    module = importlib.import_module(package)
    owners = module._OWNERS
    assert sorted(module.__all__) == sorted(owners), "__all__ and _OWNERS differ"
    assert _type_checking_imports(package) == owners, "TYPE_CHECKING imports and _OWNERS differ"
    for name, owner in owners.items():
        assert getattr(module, name) is getattr(importlib.import_module(owner), name), name
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        module.nothing_here  # noqa: B018


def test_importing_the_package_loads_no_job_and_no_table_library():
    """``import simulation`` (what ``python -m simulation`` runs first) loads none of
    the jobs, pandas or Dask; ``from simulation import run`` loads the engine and
    still no pandas. Catches the public API importing its names eagerly again."""
    import subprocess
    import sys

    code = (
        "import sys, simulation\n"
        "first = set(sys.modules)\n"
        "from simulation import run\n"
        "print(' '.join(sorted(first)))\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    first, then = set(out[0].split()), set(out[1].split())
    jobs = ("simulation.decide", "simulation.portfolio", "simulation.history", "simulation.train")
    assert not {m for m in first if m.startswith(jobs) or m.startswith("simulation.engine")}
    assert "simulation.engine.runner" in then
    heavy = {m for m in then if m.split(".")[0] in ("pandas", "dask", "distributed", "pyarrow")}
    assert not heavy, f"from simulation import run loaded {sorted(heavy)}"
