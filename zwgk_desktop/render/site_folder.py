"""The online copy's folder, pure of the database: what a planned file is, the manifest that
records what each file was made from, writing each file whole, never through a symbolic link or
junction out of the folder, and finding files of the site's shape this program did not write.
Which pages name private persons (kept out of search engines) is decided here too, once.

office/online.py plans the site from the archive and writes or checks it with these."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop.domain.categories import ALL_CATEGORIES
from zwgk_desktop.domain.items import Item
from zwgk_desktop.errors import BadInput
from zwgk_desktop.outputs import readable_by_others

MANIFEST = "zwgk-site.json"
RETIRED = "retired:"  # the source of a retired number's page (its item was deleted)
ROBOTS = "robots.txt"
SITE_FORMAT = 1

# What may be indexed by search engines is each category file's `search_engines`: public money
# (财务收支), companies' bids and the committee's own resolutions. Everything else may name
# private persons (a 低保 household, a family's 宅基地 or 征地补偿, who got which 惠农补贴, who pays
# what for an 一事一议 project), and a category nobody knows counts as naming them: a page missing
# from a search engine costs a resident nothing (the QR code and the index lead to it), a
# household's name on one does.


@dataclass
class Planned:
    """A file of the site: its bytes now, or how to make them (a PDF), and what it is made from."""

    source: str  # a hash of what the file is made from
    data: bytes | None = None
    make: Callable[[], bytes] | None = None
    private: bool = False  # names private persons: kept out of search engines (robots.txt)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def names_private_persons(item: Item) -> bool:
    """Whether the item's public content may name private persons (its category's `search_engines`)."""
    schema = ALL_CATEGORIES.get(item.category)
    return schema is None or not schema.may_be_indexed(item)


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return dict(data["files"]) if data.get("format") == SITE_FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        readable_by_others(temporary)  # a web server serves these files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def file_sha(path: Path) -> str | None:
    data = file_bytes(path)
    return None if data is None else sha(data)


# A name this program writes or removes: plain parts, no `..`, no drive or backslash (a manifest
# is a file in a folder others may write to, and it names what gets deleted).
SAFE_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def is_link(path: Path) -> bool:
    """A symbolic link, or on Windows a junction (which `is_symlink` does not see)."""
    try:
        status = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISLNK(status.st_mode) or bool(
        getattr(status, "st_file_attributes", 0) & stat.FILE_ATTRIBUTE_REPARSE_POINT)


def linked_folder(folder: Path, name: str) -> Path | None:
    """The first folder on the way to `name` that is a link (it could lead out of the site)."""
    path = folder
    for part in name.split("/")[:-1]:
        path = path / part
        if is_link(path):
            return path
    return None


def inside(folder: Path, name: str) -> Path | None:
    """`folder / name` when writing or removing it cannot touch anything outside the folder."""
    parts = name.split("/")
    if not all(SAFE_PART.fullmatch(part) for part in parts) or linked_folder(folder, name) is not None:
        return None
    return folder.joinpath(*parts)


def is_current(folder: Path, name: str, planned: Planned, old: dict[str, dict[str, str]]) -> bool:
    """Whether the file on disk already is what the plan wants (a PDF: made from the same source).
    A link never is: whatever it points at, the export puts the real file in its place."""
    path = folder / name
    if is_link(path) or linked_folder(folder, name) is not None:
        return False
    if planned.data is not None:
        try:
            return path.read_bytes() == planned.data
        except OSError:
            return False
    before = old.get(name) or {}
    return before.get("source") == planned.source and file_sha(path) == before.get("sha256")


def refuse_links_and_foreign_robots(folder: Path, plan: dict[str, Planned], old: dict[str, dict[str, str]]) -> None:
    """Stop before writing anything where the export would write through a link out of the
    folder, or over a robots.txt the web host put there."""
    for name in sorted(plan):
        linked = linked_folder(folder, name)
        if linked is not None:
            raise BadInput(f"{linked} 是指向 {os.path.realpath(linked)} 的链接：网上公开件只写在 {folder} "
                           "之内，不经链接写到别处。请把它换成真正的文件夹后再导出")
    robots = folder / ROBOTS
    ours = ROBOTS in old or (not is_link(robots) and file_bytes(robots) == plan[ROBOTS].data)
    if not ours and (robots.exists() or is_link(robots)):
        raise BadInput(f"{robots} 不是本程序写的：网上公开件要写入自己的 robots.txt（不让搜索引擎收录"
                       "低保等含有个人姓名的页面）。请把原文件改名或删除，导出后再把其中需要的内容并入")


# Where an export writes a village's pages: {village}/index.*, {village}/seals.*, {village}/{period}/… A file of that
# shape the export did not write is what a forger would plant; anything else in the folder (the web
# host's 404.html, robots.txt, .well-known/…) is not ours to judge.
OURS = re.compile(r"[a-z0-9-]+/((index|seals)\.(html|json)|\d{4}Q[1-4]/[^/]+\.(html|json|pdf))")


def unknown_files(folder: Path, known: set[str]) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if OURS.fullmatch(name) and path.is_file() and name not in known:
            found.append(name)
    return found
