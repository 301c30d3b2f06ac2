"""The README's map of the code matches the tree: everything it names exists, it names every room
(package) and every module at the top of the package, and the docs it points to are in the
repository (not in a folder beside it)."""

from __future__ import annotations

import re
from pathlib import Path

import zwgk_desktop

PACKAGE = Path(zwgk_desktop.__file__).resolve().parent
ROOT = PACKAGE.parent
README = ROOT / "README.md"
NAME = re.compile(r"(?<![\w./-])([A-Za-z_][\w]*(?:/[\w]+)*(?:\.py|/))(?![\w/])")


def code_map() -> list[str]:
    """The lines of the code block under "Layout of the code"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Layout of the code", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block is not None, "the README's code map has no code block"
    return block.group(1).splitlines()


def named_paths() -> dict[Path, str]:
    """Every file or folder the map names, resolved the way a reader reads it: a line at the left
    margin is a path from the repository's root; an indented entry is in zwgk_desktop/; a name in
    an entry's description (and its continuation lines) is inside that entry's folder."""
    named: dict[Path, str] = {}
    entry = ROOT
    for line in code_map():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        names = NAME.findall(line)
        if indent == 0:
            for name in names:
                named[ROOT / name] = line
            entry = ROOT
            continue
        if indent == 2:  # an entry of zwgk_desktop/: its first name, then what it holds
            first, *rest = names
            entry = PACKAGE / first
            named[entry] = line
            names = rest
        base = entry if entry.is_dir() else PACKAGE
        for name in names:
            named[base / name] = line
    return named


def test_every_name_in_the_code_map_exists() -> None:
    missing = [f"{path.relative_to(ROOT)} (in “{line.strip()}”)" for path, line in named_paths().items()
               if not path.exists()]
    assert not missing, missing


def test_the_code_map_names_every_room_and_top_level_module() -> None:
    named = set(named_paths())
    rooms = sorted(p.parent for p in PACKAGE.glob("*/__init__.py"))
    modules = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    unnamed = [str(p.relative_to(ROOT)) for p in [*rooms, *modules] if p not in named]
    assert not unnamed, f"the README's code map does not name {unnamed}"


def test_the_readme_points_inside_the_repository() -> None:
    """The design and everything else a reader is sent to is in the repository itself."""
    text = README.read_text(encoding="utf-8")
    assert "../" not in text
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [link for link in links if "://" not in link]
    assert "docs/design.md" in local
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, missing


def test_the_design_links_resolve() -> None:
    design = ROOT / "docs" / "design.md"
    text = design.read_text(encoding="utf-8")
    assert "../shared" not in text
    links = [link for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text) if "://" not in link]
    missing = [link for link in links if not (design.parent / link).exists()]
    assert not missing, missing
    # The README's links into the design name headings that are there.
    anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}
    wanted = re.findall(r"docs/design\.md#([^)\s]+)", README.read_text(encoding="utf-8"))
    assert set(wanted) <= anchors, set(wanted) - anchors


def _anchor(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
