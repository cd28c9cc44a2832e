"""The layers stay honest: no package imports from a layer above it (docs/architecture.md, "Map").

Every .py file under bot/, handlers/, storage/ and schedules/ is parsed, and every import in it
is checked — top-level or inside a function, under `if TYPE_CHECKING:` or not, `import x`,
`from x import y` and relative imports (resolved against the file's package). Nothing is
imported, so a broken module cannot hide a bad import.

Layers, lowest first, and what each must not import (`FORBIDDEN`):

- storage   — storage/: nothing from bot/, handlers/ or schedules/.
- ground    — bot/core, bot/understanding, bot/documents, bot/roster: not the shell, handlers/
              or schedules/.
- handlers  — handlers/: not the shell, not schedules/.
- schedules — schedules/: not the shell.
- shell     — bot/'s top-level modules, bot/channels, bot/cli: anything.

Allowed exceptions (`ALLOWED`): none today; an entry names the file, module and name, and
`test_every_exception_is_still_needed` fails once it is no longer used.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage", "schedules")

# bot/ is split between the ground (these packages) and the shell (everything else in it).
GROUND = ("bot.core", "bot.understanding", "bot.documents", "bot.roster")
SHELL = (
    "bot.__main__",
    "bot.app",
    "bot.channels",
    "bot.cli",
    "bot.config",
    "bot.demo",
    "bot.logs",
    "bot.outbox",
    "bot.ratelimit",
    "bot.router",
    "bot.run",
)

# layer -> module prefixes its files must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "storage": ("bot", "handlers", "schedules"),
    "ground": (*SHELL, "handlers", "schedules"),
    "handlers": (*SHELL, "schedules"),
    "schedules": SHELL,
    "shell": (),
}

# (file, module, name): one `from module import name` in one file, allowed despite FORBIDDEN.
ALLOWED: frozenset[tuple[str, str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    """One imported name: `import module` (name "") or `from module import name`."""

    file: str
    line: int
    module: str
    name: str

    @property
    def target(self) -> str:
        """What is reached: the module, or the submodule or attribute taken from it."""
        if self.name in ("", "*"):
            return self.module
        return f"{self.module}.{self.name}"

    def __str__(self) -> str:
        if self.name:
            return f"{self.file}:{self.line}: from {self.module} import {self.name}"
        return f"{self.file}:{self.line}: import {self.module}"


def _is_under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def module_name(file: str) -> str:
    """`bot/core/i18n.py` -> `bot.core.i18n`; a package's `__init__.py` -> the package."""
    parts = file.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(file: str) -> str | None:
    """The layer a file (path relative to the repository root) belongs to, None if unmapped."""
    module = module_name(file)
    if _is_under(module, "storage"):
        return "storage"
    if any(_is_under(module, p) for p in GROUND):
        return "ground"
    if _is_under(module, "handlers"):
        return "handlers"
    if _is_under(module, "schedules"):
        return "schedules"
    if module == "bot" or any(_is_under(module, p) for p in SHELL):
        return "shell"
    return None


def _absolute(file: str, node: ast.ImportFrom) -> str:
    """The module a `from ... import` names, relative imports resolved against `file`."""
    if node.level == 0:
        return node.module or ""
    package = module_name(file).split(".")
    if not file.endswith("__init__.py"):
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(file: str, source: str) -> Iterator[Import]:
    """Every import in `source`, at any depth."""
    for node in ast.walk(ast.parse(source, filename=file)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(file, node.lineno, alias.name, "")
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(file, node)
            for alias in node.names:
                yield Import(file, node.lineno, module, alias.name)


def violations(file: str, source: str) -> list[str]:
    """One line per import in `source` that breaks the rule of `file`'s layer."""
    layer = layer_of(file)
    if layer is None:
        return []
    found = []
    for imp in imports(file, source):
        if (imp.file, imp.module, imp.name) in ALLOWED:
            continue
        for prefix in FORBIDDEN[layer]:
            if _is_under(imp.target, prefix):
                found.append(f"{imp}  ({layer} must not import {prefix})")
                break
    return found


def project_files() -> list[str]:
    """Every .py file of the four packages, as a path relative to the repository root."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    )


def _source(file: str) -> str:
    return (ROOT / file).read_text(encoding="utf-8")


# --- the tree ----------------------------------------------------------------------------


def test_no_layer_imports_from_above() -> None:
    found = [v for file in project_files() for v in violations(file, _source(file))]
    assert not found, "imports that break the layers (docs/architecture.md, Map):\n" + "\n".join(
        found
    )


def test_every_file_has_a_layer() -> None:
    unmapped = [file for file in project_files() if layer_of(file) is None]
    assert not unmapped, (
        "files in no layer — add their package to GROUND or SHELL in tests/test_layers.py "
        "and to the Map in docs/architecture.md:\n" + "\n".join(unmapped)
    )


def test_the_map_names_real_modules() -> None:
    missing = [
        name
        for name in (*GROUND, *SHELL)
        if not (ROOT / name.replace(".", "/")).is_dir()
        and not (ROOT / (name.replace(".", "/") + ".py")).is_file()
    ]
    assert not missing, f"GROUND/SHELL name modules that do not exist: {missing}"


def test_every_exception_is_still_needed() -> None:
    used = {
        (imp.file, imp.module, imp.name)
        for file in project_files()
        for imp in imports(file, _source(file))
    }
    stale = sorted(ALLOWED - used)
    assert not stale, f"exceptions no longer used — delete them from ALLOWED: {stale}"


# --- the checker itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "source", "offending"),
    [
        # the acceptance case: the ground reaching up into handlers
        ("bot/core/i18n.py", "import handlers\n", "bot/core/i18n.py:1: import handlers"),
        (
            "bot/core/i18n.py",
            "def late() -> None:\n    from handlers.context import Context\n",
            "bot/core/i18n.py:2: from handlers.context import Context",
        ),
        (
            "bot/understanding/keywords.py",
            "from bot import router\n",
            "bot/understanding/keywords.py:1: from bot import router",
        ),
        (
            "handlers/care/record.py",
            "from ...bot.outbox import Dispatcher\n",
            "handlers/care/record.py:1: from bot.outbox import Dispatcher",
        ),
        (
            "handlers/study/member.py",
            "from schedules.plan import occurrences\n",
            "handlers/study/member.py:1: from schedules.plan import occurrences",
        ),
        (
            "storage/repo_care.py",
            "from bot.core.clock import Clock\n",
            "storage/repo_care.py:1: from bot.core.clock import Clock",
        ),
        (
            "schedules/scheduler.py",
            "from bot.app import App\n",
            "schedules/scheduler.py:1: from bot.app import App",
        ),
        (
            "schedules/jobs.py",
            "from bot.app import App\n",
            "schedules/jobs.py:1: from bot.app import App",
        ),
    ],
)
def test_the_checker_reports_an_import_from_above(file: str, source: str, offending: str) -> None:
    found = violations(file, source)
    assert len(found) == 1
    assert found[0].startswith(offending + "  ("), found


@pytest.mark.parametrize(
    ("file", "source"),
    [
        ("bot/core/i18n.py", "from bot.core.script import convert\nimport storage\n"),
        ("bot/roster/importer.py", "from storage import SqliteStore\n"),
        ("bot/documents/report.py", "from .fonts import cjk_font_path\n"),
        ("handlers/care/jobs.py", "from bot.roster.parse import Birthday\n"),
        ("handlers/__init__.py", "from . import care\nfrom .context import Context\n"),
        ("schedules/scheduler.py", "from handlers.sessions import branch_rule\n"),
        ("bot/router.py", "from handlers import FLOWS\nfrom schedules.plan import occurrences\n"),
        ("bot/cli/commands.py", "from bot.run import run_service\n"),
    ],
)
def test_the_checker_lets_a_layer_import_below_it(file: str, source: str) -> None:
    assert violations(file, source) == []


def test_relative_imports_resolve_against_the_package() -> None:
    source = "from . import report\nfrom .. import common\n"
    found = list(imports("handlers/care/__init__.py", source))
    assert [imp.target for imp in found] == ["handlers.care.report", "handlers.common"]
    found = list(imports("bot/documents/report.py", "from .fonts import cjk_font_path\n"))
    assert [imp.target for imp in found] == ["bot.documents.fonts.cjk_font_path"]
