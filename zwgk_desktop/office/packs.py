"""Format packs (版式包): the township hands every village the same standard formats and
catalogue, versioned and checksummed (`zwgk pack export/import/show`).

A pack is made and installed without an archive at hand; where one is, it lends the township's
name (on export) and its publication day (on show)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop import paths
from zwgk_desktop.domain.catalogue import load_catalogue
from zwgk_desktop.domain.categories import ALL_CATEGORIES, CATEGORIES
from zwgk_desktop.errors import BadInput, ZwgkError
from zwgk_desktop.inputs import readable_file
from zwgk_desktop.office.browsing import township_of
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.render.packs import SUFFIX, PackInfo, export_pack, import_pack, load_pack_layouts, pack_info


def _township(target: str | None) -> tuple[str, int] | None:
    """`township_of` the archive at `target`, when an archive can be read there."""
    try:
        with Archive.open(target, read_only=True) as archive:
            return township_of(archive)
    except ZwgkError:
        return None  # a pack is made or shown without an archive at hand


@dataclass(frozen=True)
class PackExported:
    info: PackInfo
    folder: Path  # the formats it was made from


def export_formats(out: Path, *, name: str, version: str, layouts: Path | None = None,
                   archive: str | None = None) -> PackExported:
    """The formats folder (default: the standard ones) as a pack file, labelled with the
    township of the archive at `archive` if there is one."""
    if out.suffix != SUFFIX:
        raise BadInput(f"版式包文件 {out} 应以 {SUFFIX} 结尾")
    folder = layouts or paths.default_layouts_dir()
    township = _township(archive)
    info = export_pack(folder, out, name=name, version=version, township=township[0] if township else "")
    return PackExported(info, folder)


@dataclass(frozen=True)
class PackImported:
    info: PackInfo
    folder: Path  # where it is installed
    previous: PackInfo | None  # the pack used before
    overridden: bool  # ZWGK_LAYOUTS names a formats folder, which comes before any pack


def install_pack(pack_file: Path) -> PackImported:
    """Install the township's pack: every print from now on uses it."""
    paths.writable_folder(paths.packs_dir(), "版式包文件夹")  # said before the pack is unpacked
    before = paths.installed_pack()
    previous = pack_info(before) if before is not None else None
    if not pack_file.is_dir():  # a folder is told by import_pack, with what to give instead
        readable_file(pack_file, "版式包")
    info, folder = import_pack(pack_file, paths.packs_dir())
    return PackImported(info, folder, previous, bool(os.environ.get("ZWGK_LAYOUTS")))


@dataclass(frozen=True)
class PackShown:
    folder: Path
    formats: tuple[tuple[str, str, str], ...]  # (category's name, format's name, its label)
    catalogue: tuple[tuple[str, str], ...]  # (category's name, what the catalogue requires)


def show_formats(layouts: Path | None = None, archive: str | None = None) -> PackShown:
    """The formats and catalogue in use (checked: a changed pack is refused in words)."""
    loaded = load_pack_layouts(layouts or paths.default_layouts_dir())
    catalogue = load_catalogue(loaded.folder)
    township = _township(archive)
    day = township[1] if township else 10  # without an archive at hand the usual day is shown
    formats = tuple((ALL_CATEGORIES[f.category].name if f.category in ALL_CATEGORIES else f.category,
                     f.name, f.label or "未标明") for f in loaded.layouts)
    return PackShown(loaded.folder, formats,
                     tuple((CATEGORIES[r.category].name, r.describe(day)) for r in catalogue.requirements))
