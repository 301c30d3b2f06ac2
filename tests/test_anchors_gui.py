"""与公布件核对 in the archive browser: the archive verified, then compared with an online copy
exported before the last seal was deleted behind the app's back, the difference named."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import ArchiveCache
from forgery import delete_last_seal
from PySide6.QtWidgets import QMessageBox
from test_anchors import write_site
from test_archive import _seal_three_quarters

from zwgk_desktop.render import fonts
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.archive_browser import ArchiveBrowser


def test_the_archive_browser_compares_with_a_chosen_online_copy(  # type: ignore[no-untyped-def]
        qtbot, archive_cache: ArchiveCache, tmp_path: Path, monkeypatch) -> None:
    sealed = archive_cache.copy("sealed-three-quarters", _seal_three_quarters, tmp_path / "demo.sqlite3")
    site = write_site(sealed, tmp_path / "www")
    desktop.register_qt_font()
    fonts.register()
    browser = ArchiveBrowser(desktop.open_read_only(str(sealed)))
    qtbot.addWidget(browser)
    browser.show()
    assert [a.text() for a in browser.against_button.menu().actions()] == [
        "网上公开件的文件夹…", "封存记录文件（seals.json）或档案包（.zwgk）…"]
    with qtbot.waitSignal(browser.verified, timeout=60000) as verified:
        browser.verify_against(site)
    assert verified.args == [[]] and "核验通过" in browser.verdict.text()
    assert "公布的 8 次封存也都一致" in browser.verdict.text()
    browser.close()

    delete_last_seal(sealed)
    browser = ArchiveBrowser(desktop.open_read_only(str(sealed)))
    qtbot.addWidget(browser)
    browser.show()
    with qtbot.waitSignal(browser.verified, timeout=60000) as verified:
        browser.verify_against(site / "donggang" / "seals.json")
    shown = [browser.problems.item(r).text() for r in range(browser.problems.count())]
    assert len(verified.args[0]) == 1 and "核验未通过" in browser.verdict.text()
    assert "档案自身：" in browser.verdict.text() and "1 处不同" in browser.verdict.text()
    assert shown == ["· 东岗村 第4个封存（2026Q2 季度封存）：已经公布，本档案中却没有这次封存："
                     "封存被删除（档案被截断），它封存的事项可能已被改动"]
    if shot := os.environ.get("ZWGK_SCREENSHOT"):
        browser.resize(1366, 768)
        browser.grab().save(shot)
    # A source that is not one is said in words, and the buttons come back.
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(f"{title}：{text}"))
    task = browser.verify_against(tmp_path / "nothing")
    qtbot.waitUntil(lambda: bool(said), timeout=60000)
    assert task is not None and "找不到" in said[0] and browser.against_button.isEnabled()
    browser.close()
