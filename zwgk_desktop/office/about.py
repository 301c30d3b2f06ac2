"""What a township's IT person asks a village on the phone: which version, which formats, where the
data and the log are (the app's 帮助 → 关于, `zwgk about`). One text, the same in both."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from zwgk_desktop import __version__, paths
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.render.layout import LayoutSet


@dataclass(frozen=True)
class About:
    version: str
    formats: str  # the formats' label(s) as the sheets print them: a pack's name and version
    formats_folder: str
    formats_from: str  # why that folder: --layouts / ZWGK_LAYOUTS, an imported pack, the shipped one
    data_folder: str
    database: str  # its address without a password
    log_file: str
    program: str  # the folder the program runs from
    packaged: bool  # a frozen bundle (the installer's), not a pip install
    system: str

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("版本", f"村务公开栏 {self.version}（{'安装包' if self.packaged else 'pip 安装'}）"),
            ("版式", self.formats),
            ("版式文件夹", f"{self.formats_folder}（{self.formats_from}）"),
            ("数据文件夹", self.data_folder),
            ("档案数据库", self.database),
            ("日志文件", self.log_file),
            ("程序位置", self.program),
            ("系统", self.system),
        ]

    def text(self) -> str:
        """Plain text to copy into a message to the township (one `名称：值` a line)."""
        return "\n".join(f"{name}：{value}" for name, value in self.lines()) + "\n"


def about(archive: Archive | None, log_file: Path | None, *, layouts: Path | None = None,
          database: str | None = None, extra_system: str = "") -> About:
    """What this program is and uses. `archive`, if open, names the database and its formats;
    without one (none made yet, or it cannot be opened) `database` and `layouts` are what was asked
    for, else the defaults."""
    folder, why = _formats_folder(archive.layouts_folder if archive is not None else layouts)
    try:
        labels = _labels(archive.layouts if archive is not None else None, folder)
    except ZwgkError as exc:  # a changed pack, say: the about box still opens, and says so
        labels = f"无法读取：{exc}"
    try:
        data = str(paths.data_dir())
    except ZwgkError as exc:
        data = str(exc)
    if archive is not None:
        url = archive.engine.url
        sqlite_file = url.database if url.get_backend_name() == "sqlite" else None
        database = sqlite_file or url.render_as_string(hide_password=True)
    elif database is None:
        database = os.environ.get("ZWGK_DB") or str(Path(data) / "archive.sqlite3")
    if "://" in database:  # a server's address: never its password
        try:
            database = make_url(database).render_as_string(hide_password=True)
        except ArgumentError:
            database = "（无法识别的数据库网址）"
    packaged = bool(getattr(sys, "frozen", False))
    program = Path(sys.executable).parent if packaged else Path(__file__).resolve().parent.parent
    system = f"{platform.system()} {platform.release()} {platform.machine()}，Python {platform.python_version()}"
    return About(__version__, labels, str(folder), why, data, database,
                 str(log_file) if log_file is not None else "（未写日志：数据文件夹和临时文件夹都不能写入）",
                 str(program), packaged, f"{system}{'，' + extra_system if extra_system else ''}")


def _formats_folder(asked: Path | None) -> tuple[Path, str]:
    if asked is not None:
        return asked, "由 --layouts 指定"
    if os.environ.get("ZWGK_LAYOUTS"):
        return Path(os.environ["ZWGK_LAYOUTS"]), "由环境变量 ZWGK_LAYOUTS 指定"
    pack = paths.installed_pack()
    if pack is not None:
        return pack, "乡镇下发的版式包"
    return paths.standard_layouts_dir(), "随程序附带"


def _labels(layouts: LayoutSet | None, folder: Path) -> str:
    from zwgk_desktop.render.packs import load_pack_layouts

    loaded = layouts if layouts is not None else load_pack_layouts(folder)
    labels = dict.fromkeys(lay.label or "未标明" for lay in loaded.layouts)
    return "，".join(labels) or "（没有版式）"
