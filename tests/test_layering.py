"""The rooms of the package and the one way imports run between them, checked by walking every
module's imports (all of them: at the top, inside functions, under TYPE_CHECKING).

    faces        cli.py, ui/, launch.py, __main__.py   parse and print, or show; call office/
    office/      the use cases: one function per thing a clerk, township or auditor does
    archive/ io/ seal, verify, bundles, backups / spreadsheets in and out
    db/ render/  the store (SQLAlchemy) / layouts, boards, PDF, the online copy's pages (pure)
    domain/      periods, money, identity, items, catalogue: pure values and rules
    base         errors, paths, inputs, incoming, outputs, logfile, children, choices, collector: used by every room
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import zwgk_desktop

PACKAGE = Path(zwgk_desktop.__file__).parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6")
DATABASE_LIBRARIES = ("sqlalchemy", "alembic", "sqlite3", "psycopg")
FACES = ("cli", "ui", "launch", "__main__")
BASE = ("errors", "paths", "inputs", "incoming", "outputs", "logfile", "children", "choices", "collector")

# Each room may import its own modules and those of rooms on a lower level, never a room on its
# own level or above: so the store (db) imports neither rendering nor the archive, and nothing
# below the faces imports them. The base modules are one room here (they only use each other).
LEVELS = {
    "base": 0,
    "domain": 1,
    "db": 2, "render": 2,
    "archive": 3, "io": 3,
    "office": 4,
    "cli": 5, "ui": 5,
    "launch": 6, "__main__": 7,
}


def room_of(module: str) -> str | None:
    """The room of one of our modules (`zwgk_desktop.db.store` → db), None for anyone else's
    and for the package itself (its `__version__`)."""
    parts = module.split(".")
    if parts[0] != "zwgk_desktop" or len(parts) == 1:
        return None
    return "base" if parts[1] in BASE else parts[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports; `from zwgk_desktop import paths` counts as `zwgk_desktop.paths`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "zwgk_desktop":
                names |= {f"zwgk_desktop.{alias.name}" for alias in node.names if not alias.name.startswith("__")}
    return names


def modules() -> Iterator[tuple[Path, str, str]]:
    """(path, module, room) of every module of the package but the package's own __init__."""
    for path in sorted(PACKAGE.rglob("*.py")):
        room = room_of(module_name(path))
        if room is not None:
            yield path, module_name(path), room


def imports_of(room: str) -> Iterator[tuple[str, str]]:
    """(importing module, imported module) for every import a room's modules make."""
    for path, module, found in modules():
        if found == room:
            for name in sorted(imported_modules(path)):
                yield module, name


def test_every_room_has_a_place() -> None:
    """A new package or top-level module is given its level here, so the rules below cover it."""
    assert {room for _, _, room in modules()} <= set(LEVELS)


@pytest.mark.parametrize("room", sorted(LEVELS))
def test_each_room_imports_only_rooms_below_it(room: str) -> None:
    wrong = [f"{module} imports {name}" for module, name in imports_of(room)
             if (other := room_of(name)) is not None and other != room and LEVELS[other] >= LEVELS[room]]
    assert not wrong, wrong


def test_the_store_imports_neither_rendering_nor_the_archive() -> None:
    wrong = [f"{module} imports {name}" for module, name in imports_of("db")
             if room_of(name) in ("render", "archive", "io", "office", *FACES)]
    assert not wrong, wrong


def test_the_domain_is_pure() -> None:
    """Values and rules only; `incoming` reads the catalogue, holiday and category files a township
    hands in, and `paths` says where the category files that ship with the program are."""
    wrong = [f"{module} imports {name}" for module, name in imports_of("domain")
             if room_of(name) not in (None, "domain", "base") or name.split(".")[0] in DATABASE_LIBRARIES
             or ((room_of(name) == "base" and name not in ("zwgk_desktop.errors", "zwgk_desktop.incoming"))
                 and (module, name) != ("zwgk_desktop.domain.categories", "zwgk_desktop.paths"))]
    assert not wrong, wrong


def test_nothing_below_the_faces_imports_them() -> None:
    wrong = [f"{module} imports {name}" for path, module, room in modules() if room not in FACES
             for name in imported_modules(path) if room_of(name) in FACES]
    assert not wrong, wrong


def test_the_faces_import_no_database_library() -> None:
    """cli.py and ui/ go through office/; what a database error is they ask office.handle."""
    wrong = [f"{module} imports {name}" for face in FACES for module, name in imports_of(face)
             if name.split(".")[0] in DATABASE_LIBRARIES]
    assert not wrong, wrong


def test_the_use_cases_know_no_face() -> None:
    """office/ takes values and returns values: no Qt, no argparse namespaces."""
    wrong = [f"{module} imports {name}" for module, name in imports_of("office")
             if name.split(".")[0] in (*QT_MODULES, "argparse")]
    assert not wrong, wrong


def test_only_ui_imports_qt() -> None:
    leaks = []
    for path, module, room in modules():
        if room in ("ui", "launch", "__main__"):
            continue  # the entry points start the desktop app (launch.py only when asked to)
        for name in imported_modules(path):
            if name.split(".")[0] in QT_MODULES:
                leaks.append(f"{module} imports {name}")
    assert not leaks, leaks


def room_graph() -> dict[str, set[str]]:
    """Which rooms each room imports, the base modules each a room of their own."""
    def own(name: str) -> str | None:
        parts = name.split(".")
        return parts[1] if parts[0] == "zwgk_desktop" and len(parts) > 1 else None

    graph: dict[str, set[str]] = {}
    for path, module, _ in modules():
        room = own(module)
        assert room is not None
        graph.setdefault(room, set()).update(
            other for name in imported_modules(path) if (other := own(name)) not in (None, room))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one room (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(room: str) -> None:
        index[room] = low[room] = len(index)
        stack.append(room)
        for other in sorted(graph.get(room, ())):
            if other not in index:
                visit(other)
                low[room] = min(low[room], low[other])
            elif other in stack:
                low[room] = min(low[room], index[other])
        if low[room] == index[room]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == room:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for room in sorted(graph):
        if room not in index:
            visit(room)
    return found


def test_no_cycles_between_rooms() -> None:
    assert cycles(room_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check above would see the cycle there once was (db.migrate ↔ archive.backup)."""
    graph = room_graph()
    graph["db"] = graph["db"] | {"archive"}
    assert any({"archive", "db"} <= set(group) for group in cycles(graph))


def test_every_module_says_what_it_is_for() -> None:
    missing = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
               if "versions" not in p.parts and not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert not missing, missing
