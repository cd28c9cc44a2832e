"""The storage contract covers every repository method, and every contract test runs on both
engines.

The contract files (tests/test_storage_contract_*.py) are read, not run, here: every public
async method of `storage.tx.Tx` must be called as `tx.<method>` in one of them, and every test
in them must take the `store` fixture (parametrized over SQLite and PostgreSQL). A repository
method added without a contract test fails this test and names it.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from storage.tx import Tx

HERE = Path(__file__).parent
CONTRACT = sorted(p for p in HERE.glob("test_storage_contract_*.py")
                  if p.name != Path(__file__).name)


def tx_methods() -> dict[str, str]:
    """Every public async method of Tx, with the repository mixin that defines it."""
    return {name: getattr(Tx, name).__qualname__.split(".")[0] for name in dir(Tx)
            if not name.startswith("_") and inspect.iscoroutinefunction(getattr(Tx, name))}


def called_on_tx(path: Path) -> set[str]:
    """The names called as `tx.<name>(…)` in a file."""
    return {node.func.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "tx"}


def test_the_contract_files_are_there() -> None:
    assert {p.stem.removeprefix("test_storage_contract_") for p in CONTRACT} >= {
        "members", "study", "runtime", "care", "life", "activities", "oversight", "instances"}


def test_every_repository_method_is_called_in_the_contract() -> None:
    called = set().union(*(called_on_tx(p) for p in CONTRACT))
    methods = tx_methods()
    missing = sorted(f"{repo}.{name}" for name, repo in methods.items() if name not in called)
    assert missing == [], f"repository methods without a contract test: {missing}"
    assert len(methods) > 150  # the list is the real one, not an empty introspection


def test_every_contract_test_runs_on_both_engines() -> None:
    for path in CONTRACT:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests = [node for node in tree.body
                 if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
                 and node.name.startswith("test_")]
        assert tests, path.name
        for node in tests:
            params = [a.arg for a in node.args.args]
            assert "store" in params, f"{path.name}::{node.name} does not take `store`"
