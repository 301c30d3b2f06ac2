"""Where things live: the user's data directory, the default database, the shipped layouts and font.

One module so that tests and the `--db` / `ZWGK_DB` / `ZWGK_DATA_DIR` overrides have one place to act.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from zwgk_desktop.errors import Blocked
from zwgk_desktop.outputs import cannot_make_files_in, why

APP_NAME = "zwgk_desktop"
_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The user's data directory (database, logs, backups); `ZWGK_DATA_DIR` overrides it.

    Made if missing; a place where no folder can be made (a file of that name, no permission) is
    `Blocked`, in words naming it. Whether it can be written is found out by what writes there.
    """
    override = os.environ.get("ZWGK_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        named = "（由环境变量 ZWGK_DATA_DIR 指定）" if override else ""
        reason = "那里是一个文件，不是文件夹" if path.exists() and not path.is_dir() else why(exc)
        raise Blocked(f"用户数据文件夹 {path}{named or ' '}无法使用：{reason}。"
                      "请删除或改名那个文件，或用 ZWGK_DATA_DIR 指定另一个文件夹") from None
    return path


def writable_folder(path: Path, what: str) -> Path:
    """`path`, made if missing, once a file could be made in it; else `Blocked`, naming it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        refused = cannot_make_files_in(path)
    except OSError as exc:
        refused = exc
    if refused is not None:
        raise Blocked(f"{what} {path} 无法写入：{why(refused)}")
    return path


def default_db() -> str:
    """The database named by `ZWGK_DB`, else `archive.sqlite3` in the data directory."""
    return os.environ.get("ZWGK_DB") or str(data_dir() / "archive.sqlite3")


def log_file() -> Path:
    return data_dir() / "zwgk.log"


def _shipped(name: str) -> Path:
    # In a wheel the folders are copied into the package (see pyproject's force-include);
    # in a source checkout or an editable install they sit at the top of the repository.
    inside = _PACKAGE_DIR / "_data" / name
    return inside if inside.is_dir() else _PACKAGE_DIR.parent / name


def standard_layouts_dir() -> Path:
    """The standard formats that ship with the package."""
    return _shipped("layouts")


def mappings_dir() -> Path:
    """Saved column mappings for spreadsheets from other systems (`zwgk import --save-mapping`)."""
    return data_dir() / "mappings"


def packs_dir() -> Path:
    """Where format packs from the township are installed (`zwgk pack import`)."""
    return data_dir() / "packs"


def installed_pack() -> Path | None:
    """The township's format pack this computer uses, if one was imported."""
    folder = packs_dir()
    try:
        name = (folder / "current").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    chosen = folder / name
    return chosen if name and "/" not in name and "\\" not in name and chosen.is_dir() else None


def default_layouts_dir() -> Path:
    """`ZWGK_LAYOUTS` if set, else the township's pack if one was imported, else the standard formats."""
    override = os.environ.get("ZWGK_LAYOUTS")
    if override:
        return Path(override)
    return installed_pack() or standard_layouts_dir()


def font_file() -> Path:
    """The bundled CJK font (TrueType outlines, so reportlab can embed it)."""
    return _shipped("assets") / "fonts" / "wqy-microhei.ttc"


def fallback_font_file() -> Path:
    """The fallback font for the ideographs the main font lacks (Extension A and B: 生僻字 in names)."""
    return _shipped("assets") / "fonts" / "zwgk-fallback.ttf"


def sans_font_file() -> Path:
    """The fallback for the Latin letters and symbols the main font lacks or draws empty (ǎ, ℃, Ⅴ)."""
    return _shipped("assets") / "fonts" / "zwgk-fallback-sans.ttf"
