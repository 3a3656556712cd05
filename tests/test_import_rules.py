"""The package's import rules, checked on the source: no cycle, and one owner per heavy import.

- No import cycle among ``inspector`` modules, counting imports inside functions and under
  ``TYPE_CHECKING`` too: such a cycle does not fail at import time, but the two modules still
  cannot be understood, changed or tested one without the other.
- PySide6 only under ``inspector/ui/``, httpx only in the client, keyring only in the
  keychain module. ruff's banned-api rule (configured in ``pyproject.toml`` and run by
  ``.ci/run``) enforces this outside the owners; the tests here show that it fails on a
  violation, and check from the import graph what ruff cannot: that one owner does not
  import another owner's dependency.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "inspector"


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, and where."""

    importer: str
    target: str
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[Import]:
    """Every import in the module (module level, in a function, under TYPE_CHECKING), resolved.

    Relative imports are resolved against the module's package; ``from pkg import name``
    counts as importing ``pkg.name`` when that is a module, else as importing ``pkg``.
    Names outside ``inspector`` are returned as written (``PySide6.QtCore``, ``httpx``).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in known else base
                yield Import(name, target, node.lineno)


def import_graph() -> tuple[dict[str, set[str]], list[Import]]:
    """(edges between inspector modules, every import of anything)."""
    modules = package_modules()
    known = set(modules)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    every: list[Import] = []
    for name, path in modules.items():
        for found in imports_of(name, path, known):
            every.append(found)
            target = found.target
            while target and target not in known:  # inspector.core.x.attr -> inspector.core.x
                target = target.rpartition(".")[0]
            if target and target != name:
                edges[name].add(target)
    return edges, every


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has one (Tarjan, then a walk)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)

    cycles = []
    for component in components:
        members = set(component)
        start = component[0]
        path, seen = [start], {start}
        while True:  # follow edges inside the component until a node repeats
            nxt = sorted(edges[path[-1]] & members)[0]
            if nxt in seen:
                cycles.append([*path[path.index(nxt) :], nxt])
                break
            path.append(nxt)
            seen.add(nxt)
    return cycles


# -- the graph is built right (else the cycle test would pass vacuously) --------------------


def test_the_graph_sees_relative_function_level_and_submodule_imports() -> None:
    edges, _ = import_graph()
    assert "inspector.core.masking" in edges["inspector.__main__"]  # from .core.masking import
    assert "inspector.ui.launch" in edges["inspector.__main__"]  # inside main()
    assert "inspector.resources" in edges["inspector.selfcheck"]  # from . import resources
    assert "inspector.ui.selfcheck_qt" in edges["inspector.selfcheck"]  # inside a function
    assert "inspector.ui.main_window" in edges["inspector.ui"]  # from .main_window import


def test_cycle_finder_reports_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(edges) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


# -- the rules ---------------------------------------------------------------------------------


def test_no_import_cycle() -> None:
    edges, _ = import_graph()
    cycles = find_cycles(edges)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


OWNERS = {
    # dependency: module (or package) names allowed to import it
    "PySide6": ("inspector.ui",),
    "shiboken6": ("inspector.ui",),
    "httpx": ("inspector.core.client",),
    "keyring": ("inspector.core.keychain", "inspector.core.keychain_backend"),
}


def _owned_by(module: str, owners: tuple[str, ...]) -> bool:
    return any(module == owner or module.startswith(owner + ".") for owner in owners)


def test_heavy_dependencies_are_imported_by_their_owners_only() -> None:
    _, every = import_graph()
    wrong = [
        f"{found.importer} (line {found.line}) imports {found.target}"
        for found in every
        for dependency, owners in OWNERS.items()
        if (found.target == dependency or found.target.startswith(dependency + "."))
        and not _owned_by(found.importer, owners)
    ]
    assert wrong == []
    # The check really sees these imports (a parse that missed them would pass vacuously).
    seen = {found.target.partition(".")[0] for found in every}
    assert {"PySide6", "httpx", "keyring"} <= seen


# -- ruff's banned-api fails on a violation ------------------------------------------------


def ruff_codes(filename: str, source: str) -> list[str]:
    """The rule codes ruff reports for *source* as if it were *filename* in this project."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--output-format",
            "json",
            "--stdin-filename",
            filename,
            "-",
        ],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return [item["code"] for item in json.loads(done.stdout)]


VIOLATIONS = [
    ("inspector/core/model.py", "import PySide6\n"),
    ("inspector/cli.py", "from PySide6.QtCore import QTimer\n"),
    ("inspector/selfcheck.py", "def f() -> None:\n    from PySide6 import QtGui\n"),
    ("inspector/demo/portal.py", "import httpx\n"),
    ("inspector/core/model.py", "def f() -> None:\n    import httpx\n"),
    ("inspector/__main__.py", "import keyring\n"),
    ("inspector/core/masking.py", "from keyring.errors import KeyringError\n"),
]


@pytest.mark.parametrize(("filename", "source"), VIOLATIONS)
def test_ruff_fails_on_a_banned_import(filename: str, source: str) -> None:
    assert "TID251" in ruff_codes(filename, source)


ALLOWED = [
    ("inspector/ui/new_panel.py", "from PySide6.QtCore import QTimer\n"),
    ("inspector/core/client/transport.py", "import httpx\n"),
    ("inspector/core/keychain.py", "import keyring\n"),
    ("tests/test_new.py", "import httpx\nimport keyring\nimport PySide6\n"),
]


@pytest.mark.parametrize(("filename", "source"), ALLOWED)
def test_ruff_allows_the_owners(filename: str, source: str) -> None:
    assert "TID251" not in ruff_codes(filename, source)
