"""帮助 → 关于 and `zwgk about`: what a township's IT person asks on the phone (version, formats,
data folder, log file), the same text in the app and on the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import run_zwgk
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from zwgk_desktop import __version__, paths
from zwgk_desktop.office.about import about
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.main_window import MainWindow


def _fields(text: str) -> dict[str, str]:
    return dict(line.split("：", 1) for line in text.splitlines())


def test_about_names_version_formats_data_folder_and_log(demo_copy: Path, tmp_path: Path) -> None:
    log = tmp_path / "zwgk.log"
    with Archive.open(demo_copy) as archive:
        told = _fields(about(archive, log).text())
    assert __version__ in told["版本"] and "pip 安装" in told["版本"]  # these tests run a pip install
    assert told["版式"] == f"程序自带标准格式 {__version__}"
    assert told["版式文件夹"].startswith(str(paths.standard_layouts_dir())) and "随程序附带" in told["版式文件夹"]
    assert told["数据文件夹"] == os.environ["ZWGK_DATA_DIR"]
    assert told["档案数据库"] == str(demo_copy) and told["日志文件"] == str(log)


def test_about_names_the_townships_pack_once_imported(demo_copy: Path, tmp_path: Path) -> None:
    pack = tmp_path / "青山镇统一格式.zwgkpack"
    made = run_zwgk("pack", "export", "-o", str(pack), "--name", "青山镇统一格式", "--version", "2026.1",
                    cwd=tmp_path)
    assert made.code == 0, made.err
    assert run_zwgk("pack", "import", str(pack), cwd=tmp_path).code == 0
    shown = run_zwgk("about", "--db", str(demo_copy), "--json", cwd=tmp_path)
    assert shown.code == 0, shown.err
    told = json.loads(shown.out)
    assert told["formats"] == "青山镇统一格式 2026.1" and told["formats_from"] == "乡镇下发的版式包"
    assert Path(told["formats_folder"]).parent == paths.packs_dir()
    assert told["database"] == str(demo_copy) and told["packaged"] is False


def test_about_without_an_archive_still_tells_where_it_would_be(tmp_path: Path) -> None:
    """Before the first start (or with an archive a newer version made) the IT person still learns
    the folders: no archive is needed, none is made."""
    shown = run_zwgk("about", cwd=tmp_path)
    assert shown.code == 0, shown.err
    told = _fields(shown.out)
    data = Path(os.environ["ZWGK_DATA_DIR"])
    assert told["档案数据库"] == str(data / "archive.sqlite3") and not (data / "archive.sqlite3").exists()
    hidden = run_zwgk("about", "--db", "postgresql+psycopg://clerk:s3cret@township/zwgk", cwd=tmp_path)
    assert "s3cret" not in hidden.out and "township/zwgk" in hidden.out


def test_help_about_shows_copyable_text(qtbot, demo_copy: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    desktop.register_qt_font()
    log = tmp_path / "zwgk.log"
    window = MainWindow(desktop.open_archive(str(demo_copy)), log)
    qtbot.addWidget(window)
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    assert window.about_action in menus["帮助"].actions()  # type: ignore[union-attr]
    dialog = window.about_dialog()
    qtbot.addWidget(dialog)
    dialog.show()  # not exec(): a test never waits on a modal dialog
    text = dialog.details.toPlainText()
    assert dialog.details.isReadOnly() and str(log) in text and str(demo_copy) in text and "Qt 6." in text
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == dialog.about.text()
    assert dialog.copy_button.text() == "已复制"
    dialog.close()
