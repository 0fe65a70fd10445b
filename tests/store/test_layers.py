"""Layers import one way: the store is below the domain (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import posapp.store


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_store_imports_nothing_of_the_domain_nor_qt():
    folder = Path(posapp.store.__file__).parent
    offenders = {
        path.name: sorted(n for n in _imports(path)
                          if n.startswith(("posapp.domain", "posapp.ui", "PySide6")))
        for path in folder.glob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}
