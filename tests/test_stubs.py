"""The type stubs shipped for the native module cover exactly what it exports."""
from __future__ import annotations

import ast
from pathlib import Path

import edgeaudio
from edgeaudio import _core

STUB = Path(edgeaudio.__file__).with_name("_core.pyi")


def stub_names() -> set:
    tree = ast.parse(STUB.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_every_native_name_has_a_stub_and_no_stub_is_stale():
    native = {n for n in dir(_core) if not (n.startswith("__") and n.endswith("__"))}
    stubs = stub_names() - {"__version__"}
    assert sorted(native - stubs) == [], "native names without a stub"
    assert sorted(stubs - native) == [], "stubs for names the module does not export"
