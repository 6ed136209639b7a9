"""The layers of the code, read from the imports: a lower layer never imports a higher one, and
`departments` (who belongs where, every permission rule), `accounts` (sign-ins, sessions, the
accounts' changes) and `jobs` (background jobs; evaluation registers its kinds) import nothing of `evaluation`.

Lowest first. A module belongs to the first layer one of whose prefixes it starts with; every
other module of the two apps (views, admin, forms, tables, filters, commands, mail) is at the top.
Imports inside functions count as much as those at the top of a file."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("evaluation", "departments", "accounts", "jobs")

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("domain", ("evaluation.domain", "departments.enums", "accounts.enums")),
    (
        "models",
        ("evaluation.models", "departments.models", "departments.admin_log", "accounts.models", "accounts.sessions"),
    ),
    ("services", ("evaluation.services", "departments.permissions", "departments.services", "accounts.services")),
    ("queries", ("evaluation.queries",)),
    ("workbook, report and display", ("evaluation.workbook", "evaluation.report", "evaluation.display")),
]
TOP = len(LAYERS)


def layer_of(module: str) -> int:
    for index, (_name, prefixes) in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return index
    return TOP


def layer_name(index: int) -> str:
    return LAYERS[index][0] if index < TOP else "views, admin and commands"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, module: str) -> set[str]:
    """Every module of the two apps that the file imports (`from x import y` counts x and x.y)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from departments import permissions` imports the module; `from x.y import z`, x.y.
            found.update(f"{base}.{alias.name}" for alias in node.names) if base in APPS else found.add(base)
    return {name for name in found if name.split(".")[0] in APPS}


def source_files() -> list[Path]:
    return sorted(
        path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts
    )


def import_violations() -> list[str]:
    problems = []
    for path in source_files():
        module = module_name(path)
        own = layer_of(module)
        for imported in sorted(imported_modules(path, module)):
            if module.split(".")[0] in ("departments", "accounts", "jobs") and imported.startswith("evaluation"):
                problems.append(f"{module} imports {imported}: {module.split('.')[0]} imports nothing of evaluation")
            elif layer_of(imported) > own:
                problems.append(f"{module} ({layer_name(own)}) imports {imported} ({layer_name(layer_of(imported))})")
    return problems


def test_no_lower_layer_imports_a_higher_one():
    assert import_violations() == []


def test_the_layers_cover_real_packages():
    """A renamed package would otherwise leave its layer empty and the test above blind to it."""
    modules = {module_name(path) for path in source_files()}
    for _name, prefixes in LAYERS:
        for prefix in prefixes:
            assert any(module == prefix or module.startswith(prefix + ".") for module in modules), prefix


@pytest.mark.parametrize(
    ("module", "imported", "expected"),
    [
        ("evaluation.domain.grading", "evaluation.models", True),
        ("evaluation.services.results", "evaluation.queries.entry", True),
        ("evaluation.queries.home", "evaluation.workbook.reader", True),
        ("evaluation.workbook.reader", "evaluation.views.entry", True),
        ("evaluation.views.entry", "evaluation.workbook.reader", False),
        ("evaluation.services.results", "evaluation.domain.grading", False),
    ],
)
def test_layer_order(module, imported, expected):
    assert (layer_of(imported) > layer_of(module)) is expected
