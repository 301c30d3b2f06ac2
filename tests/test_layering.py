"""The pure parts never import Qt: domain, db, render and the CLI run on a machine with no GUI."""

import ast
from pathlib import Path

import zwgk_desktop

PACKAGE = Path(zwgk_desktop.__file__).parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_ui_imports_qt() -> None:
    leaks = []
    for path in PACKAGE.rglob("*.py"):
        if "ui" in path.relative_to(PACKAGE).parts or path.name in ("__main__.py", "launch.py"):
            continue  # the entry points start the desktop app (launch.py only when asked to)
        for name in imported_modules(path):
            if name.split(".")[0] in QT_MODULES or name.startswith("zwgk_desktop.ui"):
                leaks.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not leaks, leaks


def test_every_module_says_what_it_is_for() -> None:
    missing = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
               if "versions" not in p.parts and not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert not missing, missing
