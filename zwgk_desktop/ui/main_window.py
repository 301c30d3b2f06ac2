"""The main window: navigator on the left, the item's editor in the middle, the A3 preview on the
right; saving, review, printing and settings from the toolbar."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QUndoGroup
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
)

from zwgk_desktop.archive.backup import (
    RestorePlan,
    backup_folder,
)
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.four_checks import ASPECTS, conclusion
from zwgk_desktop.domain.items import DRAFT, REVIEWED, Checker, Item
from zwgk_desktop.domain.periods import Month, Quarter, parse_period, quarter_of
from zwgk_desktop.domain.place import Place
from zwgk_desktop.errors import BadInput, ZwgkError
from zwgk_desktop.office import importing, items, online, sealing, setup
from zwgk_desktop.office.backups import check_restore, database_file, restore
from zwgk_desktop.office.browsing import Listing, VillageShown, list_archive
from zwgk_desktop.office.handle import DATABASE_ERRORS, TOLD_ERRORS, Archive
from zwgk_desktop.office.printing import A3, Paper, PaperCopy, a4_edition_missing, note_went_out, paper_copy
from zwgk_desktop.office.spooling import Spooled
from zwgk_desktop.outputs import why
from zwgk_desktop.render.correction import Previous
from zwgk_desktop.render.sheet_papers import counted_words, sheet_paper_words
from zwgk_desktop.ui.about_dialog import AboutDialog
from zwgk_desktop.ui.archive_browser import ArchiveBrowser
from zwgk_desktop.ui.dashboard import Dashboard
from zwgk_desktop.ui.dialogs import SettingsDialog, ask_correction_reason, cancellable_progress, show_error
from zwgk_desktop.ui.home import HomeView
from zwgk_desktop.ui.import_wizard import ImportWizard
from zwgk_desktop.ui.item_editor import ItemEditor
from zwgk_desktop.ui.key_dialog import KeyDialog
from zwgk_desktop.ui.navigator import Navigator, VillageEntry
from zwgk_desktop.ui.paper_choice import PaperDialog
from zwgk_desktop.ui.preview import PreviewPane
from zwgk_desktop.ui.printing import PrintJob, paper_of, printer_for
from zwgk_desktop.ui.row_model import PreparedRows, prepare_rows
from zwgk_desktop.ui.search_panel import SearchPanel
from zwgk_desktop.ui.toolbar import build_toolbar, steady_undo_actions
from zwgk_desktop.ui.workers import Cancelled, Task, run_in_background, wait_for_all

log = logging.getLogger(__name__)
AUTOSAVE_MS = 1200


class MainWindow(QMainWindow):
    """One window for the quarterly job: pick, edit, check, preview, print."""

    saved = Signal(int)  # item id, after a save reached the database
    sealed = Signal(int)  # seal id
    verified = Signal(object)  # the problems found (empty: all is well)
    four_checks_written = Signal(object)  # the 四性检测 report's `Reported`
    site_exported = Signal(object)  # the online copy's SiteResult
    rows_exported = Signal(object)  # the workbook's path
    restore_ended = Signal(bool)  # whether a backup was put in place (refused or declined: False)

    def __init__(self, archive: Archive, log_path: Path | None = None) -> None:
        super().__init__()
        self.archive = archive
        self.read_only = archive.read_only  # the auditor's view: the database is opened read-only too
        self.layouts = archive.layouts
        self.log_path = log_path
        self.key_question: QMessageBox | None = None  # asking for copies of a key just made, while shown
        self.editor: ItemEditor | None = None
        self.place: Place | None = None
        self.previous: Previous | None = None  # for a correction: the version it replaces
        self.browser: ArchiveBrowser | None = None
        self.dashboard: Dashboard | None = None
        self.village_id: int | None = None
        self.chosen_place: tuple[int, str] | None = None
        self._village_codes: dict[int, str] = {}  # the navigator's villages: database id → code
        self._last_sealer = ""  # asked once per session, not guessed from the computer's login name
        self._saving = 0
        self._opening: int | None = None
        self._pending_row = 0  # a row a search found, selected once its item is shown
        # The sheets on the paper chosen before printing or saving (ui/paper_choice), in a folder
        # of the window's own, removed when it closes.
        self._papers: Path | None = None
        self._paper_copies = 0
        self._listed: Listing | None = None  # what the navigator shows
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        # Saves go one at a time, so an older autosave can never overwrite a newer save.
        self.save_pool = QThreadPool(self)
        self.save_pool.setMaxThreadCount(1)
        self.undo_group = QUndoGroup(self)
        self.setWindowTitle("村务公开栏（只读：审计查看）" if self.read_only else "村务公开栏")
        self.resize(1366, 768)
        self._build()
        self._connect_signals()
        self.reload_tree()
        self._build_home()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.navigator = Navigator()
        self.home = HomeView(self.archive)  # the centre when no item is open (see _build_home)
        self.center = QStackedWidget()
        self.center.addWidget(self.home)
        self.preview = PreviewPane(self.layouts)
        self.search_panel = SearchPanel(self.archive)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.search_panel)
        left.addWidget(self.navigator)
        left.setStretchFactor(1, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.center)
        splitter.addWidget(self.preview)
        splitter.setSizes([330, 596, 440])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

        self.new_menu = self.menuBar().addMenu("新建事项")
        self.new_actions = {code: self.new_menu.addAction(c.name) for code, c in CATEGORIES.items()}
        file_menu = self.menuBar().addMenu("文件")
        self.save_action = _action("保存", self, QKeySequence.StandardKey.Save)
        self.print_action = _action("打印…", self, QKeySequence.StandardKey.Print)
        self.pdf_action = _action("另存为 PDF…", self)
        self.import_action = _action("从 Excel 导入…", self)
        self.import_action.setStatusTip("把 Excel/WPS 表格导入为左侧所选季度的新事项（草稿）；"
                                        "有错误的表格什么也不会导入")
        self.export_action = _action("导出为 Excel…", self)
        self.export_action.setStatusTip("把当前事项的明细导出为 Excel，可以原样再导入")
        self.site_action = _action("导出网上公开件…", self)
        self.site_action.setStatusTip("写出网上公开的静态网站（二维码指向的网页），交乡镇上传到网站；再次导出只改写有变化的文件")
        self.settings_action = _action("设置…", self)
        self.quit_action = _action("退出", self, QKeySequence.StandardKey.Quit)
        for action in (self.save_action, self.print_action, self.pdf_action, self.import_action, self.export_action,
                       self.site_action, self.settings_action, self.quit_action):
            file_menu.addAction(action)
        edit_menu = self.menuBar().addMenu("编辑")
        self.undo_action = self.undo_group.createUndoAction(self, "撤销")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, "重做")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        self.delete_action = _action("删除此事项…", self)
        self.delete_action.setStatusTip("删除误建或重复导入的事项（已封存的事项不能删除，有错只能发更正）")
        edit_menu.addAction(self.delete_action)
        review_menu = self.menuBar().addMenu("审核")
        self.review_action = _action("审核通过（村务监督委员会已签字）", self)
        self.unreview_action = _action("退回草稿", self)
        review_menu.addActions([self.review_action, self.unreview_action])
        archive_menu = self.menuBar().addMenu("档案")
        self.seal_action = _action("封存本季度…", self)
        self.correct_action = _action("发更正…", self)
        self.correct_action.setStatusTip("已封存的事项有错：新建一个更正版本（原事项保持不变），审核后封存并张贴更正公告")
        self.browse_action = _action("档案浏览…", self)
        self.dashboard_action = _action("公开情况（乡镇）…", self)
        self.dashboard_action.setStatusTip("各村各类事项按时、逾期、未公开的情况；导出 Excel；批量打印各村公开栏")
        self.verify_action = _action("核验档案", self)
        self.report_action = _action("导出四性检测报告…", self)
        self.report_action.setStatusTip("按 DA/T 70-2018 检测档案的真实性、完整性、可用性和安全性，写成 Excel 报告")
        self.against_action = _action("与公布件核对…", self)
        self.against_action.setStatusTip("核验档案，并与以前导出的网上公开件或档案包中的封存记录核对（在档案浏览中选择）")
        self.key_action = _action("密钥…", self)
        self.key_action.setStatusTip("本村签名密钥的指纹；复制到U盘、打印密钥恢复单；在新电脑上恢复")
        self.restore_action = _action("从备份恢复…", self)
        self.restore_action.setStatusTip("用以前的备份替换当前档案：先核验备份，列出会丢失的封存，确认后才恢复")
        archive_menu.addActions([self.seal_action, self.correct_action, self.browse_action, self.verify_action,
                                 self.against_action, self.report_action, self.key_action])
        archive_menu.addSeparator()
        archive_menu.addAction(self.restore_action)
        township_menu = self.menuBar().addMenu("乡镇")
        township_menu.addAction(self.dashboard_action)
        help_menu = self.menuBar().addMenu("帮助")
        self.about_action = _action("关于村务公开栏…", self)
        self.about_action.setStatusTip("版本、正在使用的版式、数据文件夹和日志文件：乡镇技术人员电话支持时要问的")
        help_menu.addAction(self.about_action)

        # Fixed texts on the toolbar, so no button moves under the mouse (ui/toolbar.py says why).
        self.toolbar_undo, self.toolbar_redo = steady_undo_actions(self.undo_group, self)
        self.toolbar = build_toolbar(self, (self.save_action, self.toolbar_undo, self.toolbar_redo,
                                            self.review_action, self.print_action, self.pdf_action,
                                            self.settings_action))
        self.save_state = QLabel("")
        self.statusBar().addPermanentWidget(self.save_state)
        self._update_actions()

    def _connect_signals(self) -> None:
        self.navigator.itemChosen.connect(self._on_item_chosen)
        self.navigator.placeChosen.connect(self._on_place_chosen)
        self.search_panel.itemRequested.connect(self._on_search_result)
        for code, action in self.new_actions.items():
            action.triggered.connect(lambda _=False, code=code: self.new_item(code))
        self.save_action.triggered.connect(self.save_current)
        self.delete_action.triggered.connect(self._on_delete)
        self.print_action.triggered.connect(self._on_print)
        self.pdf_action.triggered.connect(self._on_save_pdf)
        self.settings_action.triggered.connect(self._on_settings)
        self.site_action.triggered.connect(self._on_export_site)
        self.import_action.triggered.connect(self._on_import)
        self.export_action.triggered.connect(self._on_export_rows)
        self.quit_action.triggered.connect(self.close)
        self.review_action.triggered.connect(self.mark_reviewed)
        self.seal_action.triggered.connect(self._on_seal)
        self.verify_action.triggered.connect(self._on_verify)
        self.report_action.triggered.connect(self._on_four_checks)
        self.key_action.triggered.connect(lambda: self.key_dialog().exec())
        self.about_action.triggered.connect(lambda: self.about_dialog().exec())
        self.against_action.triggered.connect(self._on_against)
        self.restore_action.triggered.connect(self._on_restore)
        self.correct_action.triggered.connect(self._on_correct)
        self.browse_action.triggered.connect(self.open_archive_browser)
        self.dashboard_action.triggered.connect(self.open_dashboard)
        self.unreview_action.triggered.connect(self._on_unreview)
        self._autosave.timeout.connect(self.save_current)
        self.preview.rendered.connect(lambda _result: self._update_actions())
        self.preview.failed.connect(lambda message: self.statusBar().showMessage(f"预览失败：{message}", 8000))

    # -- the tree --------------------------------------------------------------------------------
    def reload_tree(self, select: int | None = None) -> None:
        """Rebuild the navigator; it keeps showing the item on screen unless told otherwise."""
        if self.navigator.choosing:  # asked from inside the tree's own signal: rebuilt right after it
            QTimer.singleShot(0, lambda: self.reload_tree(select))
            return
        if select is None:
            select = self._opening if self._opening is not None else self._current_id()
        self._show_listing(list_archive(self.archive), select)

    def _show_listing(self, listing: Listing, select: int | None) -> None:
        """The navigator rebuilt for `listing`, unless it already shows exactly that (a save that
        changed a cell changes nothing in the tree, and rebuilding it cost the editor 15–80 ms)."""
        if listing == self._listed and select == self._current_id():
            return
        self._listed = listing
        villages = [VillageEntry(v.id, v.name, v.code, v.periods, v.months) for v in listing.villages]
        self._village_codes = {v.id: v.code for v in listing.villages}
        self.navigator.reload(listing.township or "", villages, list(listing.items), select_item=select)

    def _current_id(self) -> int | None:
        return self.editor.item.id if self.editor is not None and self.editor.item is not None else None

    # -- choosing and editing --------------------------------------------------------------------
    def _on_search_result(self, item_id: int, row: int) -> None:
        """Open the item a search found, at the row it found."""
        self._pending_row = row
        if item_id == self._current_id() and self._opening is None:
            self._select_pending_row()
            return
        self._on_item_chosen(item_id)

    def _select_pending_row(self) -> None:
        row, self._pending_row = self._pending_row, 0
        if row and self.editor is not None and row <= self.editor.model.rowCount():
            self.editor.table.selectRow(row - 1)
            self.editor.table.scrollTo(self.editor.model.index(row - 1, 0))

    def _on_place_chosen(self, village_id: int, period: str) -> None:
        self.chosen_place = (village_id, period)
        self._update_actions()

    def _on_item_chosen(self, item_id: int) -> None:
        shown = self._opening if self._opening is not None else self._current_id()
        if item_id == shown:
            return
        if not self.save_current(wait=True):
            self.navigator.select(shown)  # stay on the item whose edits are not saved yet
            return
        self.open_item(item_id)

    def open_item(self, item_id: int, *, wait: bool = False) -> None:
        """Read the item in a worker (a 10,000-row list takes a while), then show it."""
        self._opening = item_id
        if self.editor is not None:
            self.editor.stop()
            self.editor.setEnabled(False)  # nothing typed from now on could be saved
        self.preview.clear()
        self._update_actions()
        archive = self.archive
        preview = self.preview

        def read() -> tuple[Item, Place, int, PreparedRows, Checker, bool, Previous | None,
                            dict[str, list[tuple[int, str]]]]:
            opened = items.open_item(archive, item_id)
            item, place, previous = opened.item, opened.place, opened.previous
            # Its first sheet is drawn (in its process) while the editor is made: as stored, which is
            # what the editor will hold before any edit (revision 0); the editor then asks for the whole.
            preview.request_soon(item, place, tag=(item_id, 0), previous=previous,
                                 wanted=lambda: self._opening == item_id)
            schema = category_of(item.category)
            prepared = prepare_rows(schema.row_fields, item.rows)
            # Checked as the editor will hold it: rows as parsed from their texts.
            shown = item.snapshot()
            shown.rows = [dict(row) for row in prepared.values]
            checker = Checker(schema)  # kept by the editor: an edit then re-checks only what it changed
            checker.check(shown)
            return item, place, opened.village_id, prepared, checker, opened.sealed, previous, opened.link_choices

        if wait:
            self._show_item(read())
        else:
            self.save_state.setText("正在打开…")
            run_in_background(read, on_done=self._show_item,
                              on_error=lambda exc: self._on_open_failed(item_id, exc))

    def _on_open_failed(self, item_id: int, error: BaseException) -> None:
        if item_id != self._opening:
            return
        self._opening = None
        if self.editor is not None:
            self.editor.setEnabled(True)
        self.save_state.setText("")
        show_error(self, "无法打开事项", error, self.log_path)

    def _on_vouchers(self, editor: ItemEditor, row: int) -> None:
        """The current row's vouchers, in a window of their own (not modal: editing goes on)."""
        from zwgk_desktop.ui.voucher_dialog import VoucherDialog

        item = editor.item
        if item is None or item.id is None:
            return
        if editor.is_dirty:
            self.statusBar().showMessage("凭证按已保存的行号附在行上：请先保存再添加凭证", 6000)
        self.voucher_dialog = VoucherDialog(self.archive, item.id, item.number or item.id, row,
                                            may_add=not editor.is_dirty, parent=self)
        self.voucher_dialog.open()

    def _show_item(self, loaded: tuple[Item, Place, int, PreparedRows, Checker, bool, Previous | None,
                                       dict[str, list[tuple[int, str]]]]) -> None:
        item, place, village_id, prepared, checked, sealed, previous, link_choices = loaded
        if item.id != self._opening:
            return  # the clerk has already chosen another item
        self._opening = None
        self.place, self.village_id, self.previous = place, village_id, previous
        self.chosen_place = (village_id, str(item.covered))
        editor = ItemEditor(category_of(item.category))
        editor.set_link_choices(link_choices)
        editor.load(item, prepared, checked)
        if previous is not None and previous.number is not None:  # as printed, not the database's id
            editor.corrects.setText(f"事项 {previous.number}（已封存的原公告，保持不变）")
        if sealed:
            editor.set_sealed()
        elif self.read_only:
            editor.set_sealed("只读（审计查看）")
        editor.changed.connect(lambda: self._on_editor_changed(editor))
        editor.problemsChanged.connect(lambda errors, warnings: self._update_actions())
        editor.vouchersAsked.connect(lambda row: self._on_vouchers(editor, row))
        old = self.editor
        if old is not None:
            old.stop()
            self.undo_group.removeStack(old.undo)
            self.center.removeWidget(old)
            old.deleteLater()
        self.editor = editor
        self.undo_group.addStack(editor.undo)
        self.undo_group.setActiveStack(editor.undo)
        self.center.addWidget(editor)
        self.center.setCurrentWidget(editor)
        self.save_state.setText("")
        self.navigator.select(item.id)
        self._select_pending_row()
        self._request_preview(at_once=True)

    def _on_editor_changed(self, editor: ItemEditor) -> None:
        if editor is not self.editor or self.place is None:
            return  # a pause that ended after its editor was replaced
        if editor.item is not None and editor.item.status == REVIEWED:
            # What the 村务监督委员会 signed is no longer what is on screen.
            editor.set_status(DRAFT)
            self.statusBar().showMessage("内容已修改，事项退回草稿，需重新审核", 8000)
        self.save_state.setText("有未保存的修改")
        self._request_preview()
        self._autosave.start()
        self._update_actions()

    def _request_preview(self, at_once: bool = False) -> None:
        editor = self.editor
        if editor is None or editor.item is None or self.place is None:
            return
        self.preview.request(editor.current_item(), self.place, at_once=at_once, tag=(editor.item.id, editor.revision),
                             previous=self.previous)
        self._update_actions()

    def _preview_is_current(self) -> bool:
        """The preview shows exactly what is on screen now (so it may be printed)."""
        editor = self.editor
        return (editor is not None and editor.item is not None and self.preview.pdf_path is not None
                and self.preview.rendered_tag == (editor.item.id, editor.revision))

    def _update_actions(self) -> None:
        editor = self.editor
        has_item = editor is not None and editor.item is not None and self._opening is None
        ok = has_item and editor is not None and editor.report.ok
        changeable = has_item and editor is not None and not editor.sealed
        self.new_menu.setEnabled(not self.read_only)
        self.settings_action.setEnabled(not self.read_only)
        self.seal_action.setEnabled(not self.read_only)
        self.restore_action.setEnabled(not self.read_only and self._database_file() is not None)
        self.import_action.setEnabled(not self.read_only and bool(self.chosen_place and self.chosen_place[1]))
        self.export_action.setEnabled(has_item)
        self.delete_action.setEnabled(changeable and not self.read_only)
        self.correct_action.setEnabled(has_item and not self.read_only and editor is not None and editor.sealed)
        for action in (self.save_action, self.unreview_action):
            action.setEnabled(changeable)
        self.review_action.setEnabled(bool(ok) and changeable and editor is not None and editor.item is not None
                                      and editor.item.status != REVIEWED)
        printable = bool(ok) and self._preview_is_current()
        self.print_action.setEnabled(printable)
        self.pdf_action.setEnabled(printable)
        why = "" if ok or not has_item else "事项还有错误，改正后才能审核和打印"
        for action in (self.print_action, self.pdf_action, self.review_action):
            action.setStatusTip(why)

    # -- saving ----------------------------------------------------------------------------------
    def save_current(self, wait: bool = False) -> bool:
        """Save the item being edited; a draft keeps its mistakes. Saves run one after another,
        in the order they were asked for. With `wait`, return once it is in the database.

        Returns False when a save failed: the edits are still on screen, to be saved again.
        """
        self._autosave.stop()
        editor = self.editor
        if editor is None or editor.item is None or self._opening is not None or self.read_only:
            return True
        editor.flush()
        if wait:
            self.save_pool.waitForDone()  # an autosave still running goes first
        if not editor.is_dirty:
            return True
        item, revision, state = editor.current_item(), editor.revision, editor.state
        archive = self.archive

        def store_item() -> int:
            item_id = items.save_item(archive, item)
            state.saved = max(state.saved, revision)  # recorded by whoever stored it, in any thread
            return item_id

        self.save_state.setText("正在保存…")
        if not wait:
            run_in_background(store_item, on_done=self._on_saved,
                              on_error=lambda exc: self._on_save_failed(exc), pool=self.save_pool)
            return True
        try:
            item_id = store_item()
        except Exception as exc:  # the database locked or full: say so, keep the edits on screen
            self._on_save_failed(exc)
            return False
        self._on_saved(item_id, at_once=True)
        return True

    def _on_saved(self, item_id: int, at_once: bool = False) -> None:
        """After a save the tree shows what was stored (rebuilt only if that changed: see
        `_show_listing`). `at_once` is kept for the callers that wait for their save."""
        del at_once  # listing is quick; rebuilding the tree was the cost, and is skipped when idle
        self.save_state.setText(f"已保存（{datetime.now():%H:%M:%S}）")
        self.reload_tree()
        self.saved.emit(item_id)

    def _on_save_failed(self, error: BaseException) -> None:
        self.save_state.setText("保存失败")
        if isinstance(error, DATABASE_ERRORS):
            error = BadInput(f"数据库暂时无法写入（{getattr(error, 'orig', error)}）。修改仍在屏幕上，"
                             "请稍后再点“保存”；如果一直失败，请检查磁盘空间或是否有其他程序打开了档案。")
        show_error(self, "保存失败", error, self.log_path)

    # -- review ----------------------------------------------------------------------------------
    def mark_reviewed(self) -> bool:
        """审核通过: what `zwgk review` does, with the edits on screen stored with it."""
        return self._set_review(REVIEWED)

    def _on_unreview(self) -> None:
        self.unreview()

    def unreview(self) -> bool:
        """退回草稿 (撤销审核): what `zwgk review --undo` does, with the edits on screen stored with it."""
        return self._set_review(DRAFT)

    def _set_review(self, status: str) -> bool:
        editor = self.editor
        if editor is None or editor.item is None or editor.item.id is None or self._opening is not None:
            return False
        item_id = editor.item.id
        editor.flush()
        self.save_pool.waitForDone()  # a save under way goes first, never after this
        item = editor.current_item()
        try:
            done = (items.review(self.archive, item_id, item.reviewer or "", item.reviewed_on, edited=item)
                    if status == REVIEWED else items.unreview(self.archive, item_id, edited=item))
        except ZwgkError as exc:
            QMessageBox.warning(self, "不能审核" if status == REVIEWED else "不能退回草稿", str(exc))
            return False
        except DATABASE_ERRORS as exc:
            self._on_save_failed(exc)
            return False
        editor.set_status(status)
        editor.state.saved = editor.state.revision  # what is on screen is what was stored
        self._on_saved(item_id, at_once=True)  # the tree shows the new state before this returns
        self._request_preview(at_once=True)
        for warning in done.warnings:
            self.statusBar().showMessage(f"已审核；注意：{warning}", 10000)
        return True

    # -- new items -------------------------------------------------------------------------------
    def new_item(self, code: str) -> int | None:
        villages = list_archive(self.archive).villages
        if not villages:
            QMessageBox.information(self, "还没有村", "请先在“设置”中添加村。")
            return None
        village_id, period = self.chosen_place or (villages[0].id, "")
        if not period:
            last = Quarter.containing(date.today()).previous()
            text, ok = QInputDialog.getText(self, "新建事项",
                                            "属于哪个季度？（如 2026Q3；按月公开的可写月份，如 2026-07）",
                                            text=str(last))
            if not ok:
                return None
            try:
                period = str(parse_period(text))
            except BadInput as exc:
                show_error(self, "季度有误", exc)
                return None
        chosen = self._month_for(village_id, period, code, villages)
        if chosen is None:
            return None
        period = chosen
        if not self.save_current(wait=True):
            return None
        try:
            item_id = items.new_item(self.archive, village_id, code, period).id
        except TOLD_ERRORS as exc:
            show_error(self, "未能新建事项", exc, self.log_path)
            return None
        self.open_item(item_id, wait=True)
        self.reload_tree(select=item_id)
        return item_id

    def _month_for(self, village_id: int, period: str, code: str, villages: Sequence[VillageShown]) -> str | None:
        """The period a new item of `code` goes in: a quarter chosen for a category the village
        discloses monthly asks which month (or the whole quarter); None if the clerk cancels."""
        village = next((v for v in villages if v.id == village_id), None)
        if village is None:
            return period
        quarter = str(quarter_of(parse_period(period)))
        months = items.monthly_periods(self.archive, village_id, quarter, code)
        if "-" in period or not months:  # a month's place: there, if the category is monthly; else its quarter
            return period if period in months else quarter
        choices = [*(f"{Month.parse(m).chinese}（按月公开）" for m in months),
                   f"{Quarter.parse(quarter).chinese}（整个季度）"]
        asked = f"{village.name}按月公开{CATEGORIES[code].name}：属于哪个月？"
        text, ok = QInputDialog.getItem(self, "新建事项", asked, choices, 0, False)
        if not ok:
            return None
        return [*months, quarter][choices.index(text)]

    # -- printing --------------------------------------------------------------------------------
    def _printable(self) -> bool:
        if self.editor is None:
            return False
        self.editor.flush()
        if not self._preview_is_current():
            self._request_preview(at_once=True)
            QMessageBox.information(self, "请稍候", "预览正在按最新内容重新生成，生成后再打印。")
            return False
        if not self.editor.report.ok:
            QMessageBox.warning(self, "不能打印", "事项还有错误，改正后才能打印：\n"
                                + "\n".join(str(p) for p in self.editor.report.errors[:12]))
            return False
        if self.place is not None and not self.place.base_url:
            QMessageBox.warning(self, "不能打印", "还没有设置网上公开地址，二维码无处可指。请先在“设置”中填写。")
            return False
        return True

    def _on_print(self) -> None:
        if not self._printable():
            return
        self.choose_paper("打印", self._print_copy)

    def choose_paper(self, purpose: str, then: Callable[[PaperCopy], None]) -> PaperDialog:
        """Ask which paper the sheets go on (A3 / A4 两张拼一张 / A4 版式), showing them on it; the
        copy chosen goes to `then`. The dialog is window-modal and opened, never exec'd."""
        item, place = self.current_item(), self.place
        assert item is not None and place is not None and self.preview.pdf_path is not None
        layouts, previous, preview = self.preview.layouts, self.previous, self.preview.pdf_path
        if self._papers is None:
            self._papers = Path(tempfile.mkdtemp(prefix="zwgk-paper-"))
        self._paper_copies += 1
        out = self._papers / f"sheets-{self._paper_copies}.pdf"

        def make(paper: Paper) -> PaperCopy:
            return paper_copy(item, layouts, place, paper, preview, out.with_stem(f"{out.stem}-{paper.size}"
                              f"{'-fit' if paper.fit else ''}"), previous=previous)

        dialog = PaperDialog(make, purpose=purpose, no_a4_edition=a4_edition_missing(item, layouts),
                             sheets_paper=sheet_paper_words(self.preview.papers), parent=self)
        dialog.chosen.connect(then)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        dialog.choose(A3)
        return dialog

    def _print_copy(self, copy: PaperCopy) -> None:
        printer = printer_for(copy.pdf)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"打印公开栏海报（{paper_of(printer.pageLayout().pageSize()).name}）")
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer, pdf=copy.pdf)

    def print_to(self, printer: QPrinter, pdf: Path | None = None) -> PrintJob | None:
        """Hand a PDF (the preview's, or one made for the paper: tiled halves, the A4 edition) to
        a printer already set up (the dialog's, or a PDF file), as the PDF itself, never a picture.

        A printer whose paper is smaller than the PDF's pages would shrink them: the clerk is
        told by how much (and what to choose instead) before anything prints, and prints only
        if they agree (the question is window-modal, opened, not run: nothing waits on it).
        None if the PDF cannot be read (the clerk is told why). Set the printer up for the PDF
        that will print (`printer_for(pdf)`) before the dialog, so the dialog shows its paper.
        """
        pdf = pdf or self.preview.pdf_path
        assert pdf is not None
        title, body_pt = self._print_title_and_body()
        try:
            job = PrintJob(pdf, printer, title, body_pt, self)
        except (ZwgkError, OSError, ValueError) as exc:  # pypdf's errors are ValueErrors
            told = exc if isinstance(exc, ZwgkError) else BadInput(f"读不了要打印的 {pdf}：{exc}")
            show_error(self, "不能打印", told)
            return None
        job.finished.connect(self._on_printed)
        job.failed.connect(self._on_print_failed)
        job.waiting.connect(self._on_print_waiting)
        declined = "没有打印（没有同意缩小）。" if job.shrinking else "没有打印。"
        job.cancelled.connect(lambda: self.statusBar().showMessage(declined, 8000))
        self._print_job = job  # kept alive until it is done
        if job.shrinking is not None:
            self._ask_to_shrink(job)
        elif job.roomier is not None:
            self._note_roomier(job)
        else:
            self.statusBar().showMessage(f"正在送往打印机 {job.request.queue or job.to_file}…")
            job.start()
        return job

    def _print_title_and_body(self) -> tuple[str, float | None]:
        """The job's title in the printer's queue, and the item's body type (for the shrink warning)."""
        if self.editor is None:
            return "村务公开栏", None
        title = self.editor.title.text() or "村务公开栏"
        if self.editor.item is None:
            return title, None
        try:
            return title, self.layouts.for_category(self.editor.item.category).font_sizes.get("body")
        except ZwgkError:
            return title, None

    def _ask_to_shrink(self, job: PrintJob) -> None:
        """Ask before a sheet prints smaller than it was set; nothing goes out until the answer."""
        assert job.shrinking is not None
        self._ask_before_printing(job, QMessageBox.Icon.Warning, "打印会缩小海报", str(job.shrinking),
                                  f"缩小打印在 {job.shrinking.paper.name} 上", lambda: job.start(shrink=True))

    def _note_roomier(self, job: PrintJob) -> None:
        """Before sheets smaller than the paper print centred on it (A4 halves on A3): a note in
        the shrink question's place, the clerk printing on with one click (not a block)."""
        assert job.roomier is not None

        def go_on() -> None:
            self.statusBar().showMessage(f"正在送往打印机 {job.request.queue}…")
            job.start()

        self._ask_before_printing(job, QMessageBox.Icon.Information, "纸张比海报大", str(job.roomier),
                                  f"照样印在 {job.roomier.paper.name} 上", go_on)

    def _ask_before_printing(self, job: PrintJob, icon: QMessageBox.Icon, title: str, words: str, agree: str,
                             then: Callable[[], None]) -> None:
        """A window-modal question before anything prints (opened, not run: nothing waits on it)."""
        question = QMessageBox(icon, title, words, QMessageBox.StandardButton.NoButton, self)
        agreed = question.addButton(agree, QMessageBox.ButtonRole.AcceptRole)
        question.addButton("取消，不打印", QMessageBox.ButtonRole.RejectRole)
        question.setWindowModality(Qt.WindowModality.WindowModal)

        def answered() -> None:
            if question.clickedButton() is agreed:
                then()
            else:
                job.cancel()

        question.finished.connect(answered)
        self._shrink_question = question  # the tests answer it
        question.open()

    def _on_printed(self, spooled: Spooled) -> None:
        self._went_out("print")
        self.statusBar().showMessage(str(spooled), 15000)
        if spooled.waiting:  # sent, but it will not come out until someone sees to the printer
            QMessageBox.warning(self, "打印机已暂停", str(spooled))

    def _on_print_waiting(self, words: str) -> None:
        self.statusBar().showMessage(words, 30000)
        QMessageBox.warning(self, "海报还没有印出", words)

    def _went_out(self, how: str) -> None:
        """Note that the reviewed item on the preview went out to the public (the first time only)."""
        result = self.preview.result
        if result is None or not result.printed:
            return
        try:
            note_went_out(self.archive, result.printed, how)
        except DATABASE_ERRORS:
            # The sheet is printed all the same; without the record the seal's time bounds it.
            log.warning("could not note when the item first went out", exc_info=True)

    def _on_print_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage("没有打印：见提示。", 8000)
        show_error(self, "打印没有送出", error, self.log_path)

    def _on_save_pdf(self) -> None:
        if not self._printable() or self.preview.pdf_path is None or self.editor is None:
            return
        self.choose_paper("另存为 PDF", self._save_copy)

    def _save_copy(self, copy: PaperCopy) -> None:
        assert self.editor is not None
        kind = "" if copy.paper == A3 else f"（{copy.paper.name}）"
        suggested = f"{self.editor.title.text() or '公开栏'}{kind}.pdf"
        target, _ = QFileDialog.getSaveFileName(self, "另存为 PDF", suggested, "PDF 文件 (*.pdf)")
        if target:
            self.save_pdf(Path(target), copy)

    def save_pdf(self, target: Path, copy: PaperCopy | None = None) -> None:
        """Save the preview's sheets (or the paper copy chosen) as the PDF `target`."""
        assert self.preview.pdf_path is not None
        try:
            shutil.copyfile(copy.pdf if copy else self.preview.pdf_path, target)
        except OSError as exc:
            show_error(self, "无法保存", BadInput(f"无法写入 {target}：{why(exc)}"))
            return
        self._went_out("pdf")
        said = f"，{copy.said}" if copy else ""
        self.statusBar().showMessage(f"已保存到 {target}{said}", 8000)

    # -- the archive -----------------------------------------------------------------------------
    def _on_seal(self) -> None:
        if self.chosen_place is None or not self.chosen_place[1]:
            QMessageBox.information(self, "封存", "请先在左侧选中要封存的季度（或其中的一个事项）。")
            return
        if not self.save_current(wait=True):
            return
        village_id, period = self.chosen_place
        period = str(quarter_of(parse_period(period)))  # a month's place: its quarter is sealed, months and all
        try:  # what would stop it is said now, before anyone is asked to confirm or sign
            seals = sealing.what_seals(self.archive, self._village_codes[village_id], Quarter.parse(period))
        except ZwgkError as exc:
            show_error(self, "不能封存", exc)
            return
        answer = QMessageBox.question(self, "封存本季度", f"封存 {seals.village} {period} 的{seals.what}？\n"
                                      "封存后不能再修改，只能发更正公告。封存前会自动备份。")
        if answer != QMessageBox.StandardButton.Yes:
            return
        by, ok = QInputDialog.getText(self, "封存人", "封存人姓名（村务公开经办人）：", text=self._last_sealer)
        if ok and by.strip():
            self._last_sealer = by.strip()
            self.seal(village_id, period, by)

    def seal(self, village_id: int, period: str, by: str) -> Task:
        """Seal a village's quarter in the background (the use case backs up first)."""
        archive, code = self.archive, self._village_codes[village_id]
        self.statusBar().showMessage(f"正在封存 {period}…")
        return run_in_background(lambda: sealing.seal(archive, code, Quarter.parse(period), by),
                                 on_done=self._on_sealed, on_error=self._on_seal_failed)

    def _on_seal_failed(self, error: BaseException) -> None:
        self.statusBar().clearMessage()  # not "正在封存…" for ever
        show_error(self, "未能封存", error, self.log_path)

    def _on_sealed(self, sealed: sealing.Sealed) -> None:
        result = sealed.result
        photos = f"，{result.attachments} 张照片或凭证" if result.attachments else ""
        said = (f"已封存补充的 {result.attachments} 张照片或凭证" if result.kind == "attachment"
                else f"已封存：{result.items} 个事项{photos}，{counted_words(result.papers)} 海报存档")
        self.statusBar().showMessage(said, 10000)
        self.reload_tree()  # the quarter's items now show 已封存
        current = self._current_id()
        if current is not None:
            self.open_item(current)  # shown again, now read-only
        self.sealed.emit(result.seal_id)
        if sealed.key_made:
            self._on_key_made(sealed)

    def _on_key_made(self, sealed: sealing.Sealed) -> None:
        """The village's key was made by this seal: ask for the copies off the PC now. The question
        is window-modal but does not block (`open`, not `exec`): the seal's other listeners, and
        the event loop, carry on while the clerk reads it."""
        box = QMessageBox(QMessageBox.Icon.Question, "请保存签名密钥",
                          f"{sealed.key_words}\n\n现在就复制到U盘、打印恢复单吗？",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        village = sealed.village

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.key_dialog(village).open()

        box.finished.connect(answered)
        self.key_question = box  # for tests and for whoever wants to know it is showing
        box.open()

    def key_dialog(self, village: str | None = None) -> KeyDialog:
        """The 密钥 dialog, on the village given (by code), else the one chosen on the left."""
        if village is None and self.chosen_place is not None:
            village = self._village_codes.get(self.chosen_place[0])
        return KeyDialog(self.archive, village, self)

    def about_dialog(self) -> AboutDialog:
        """帮助 → 关于: what this program is and uses, to copy for the township's IT person."""
        return AboutDialog(self.archive, self.log_path, self)

    def _on_import(self) -> None:
        if self.chosen_place is None or not self.chosen_place[1]:
            QMessageBox.information(self, "从 Excel 导入", "请先在左侧选中要导入到的村和季度。")
            return
        if not self.save_current(wait=True):
            return
        wizard = self.import_wizard()
        wizard.exec()

    def import_wizard(self) -> ImportWizard:
        assert self.chosen_place is not None
        wizard = ImportWizard(self.archive, *self.chosen_place, parent=self)
        wizard.imported.connect(self._on_imported)
        return wizard

    def _on_imported(self, item_id: int) -> None:
        self.reload_tree(select=item_id)
        self.open_item(item_id)
        number = items.describe(self.archive, item_id).number
        self.statusBar().showMessage(f"已导入为新事项 {number}（草稿）：补全事项信息后请审核", 10000)

    def _on_export_rows(self) -> None:
        item = self.current_item()
        if item is None or item.id is None:
            return
        if not self.save_current(wait=True):
            return
        target, _ = QFileDialog.getSaveFileName(self, "导出为 Excel", f"{item.title}.xlsx", "Excel 工作簿 (*.xlsx)")
        if target:
            self.export_rows(Path(target if target.endswith(".xlsx") else target + ".xlsx"))

    def export_rows(self, target: Path) -> Task:
        """Write the item on screen (saved first) to a workbook in the background, as `zwgk export`
        does (a long list takes a second)."""
        item_id = self._current_id()
        assert item_id is not None
        archive = self.archive

        def done(exported: importing.Exported) -> None:
            private = exported.private
            note = f"；文件含完整的{'、'.join(private)}，只供核对和再导入，不得张贴或外传" if private else ""
            self.statusBar().showMessage(f"已导出 {exported.rows} 行到 {target}{note}", 15000)
            self.rows_exported.emit(target)

        self.statusBar().showMessage(f"正在导出到 {target}…")
        return run_in_background(lambda: importing.export_rows(archive, item_id, target), on_done=done,
                                 on_error=lambda exc: show_error(self, "未能导出", exc, self.log_path))

    def _on_export_site(self) -> None:
        if not self.save_current(wait=True):
            return
        base_url = online.stored_address(self.archive)
        if not base_url:
            QMessageBox.information(self, "导出网上公开件",
                                    "还没有设置网上公开地址（二维码指向的网址）：请先在“设置”中填写。")
            return
        folder = QFileDialog.getExistingDirectory(self, "网上公开件写到哪个文件夹", str(Path.home()))
        if folder:
            self.export_site(Path(folder), base_url)

    def export_site(self, folder: Path, base_url: str) -> Task:
        """Write the online copy in the background, with progress and 取消."""
        archive = self.archive
        progress, dialog = cancellable_progress(self, "正在导出网上公开件…", "导出网上公开件")

        def work() -> online.SiteResult:
            return online.write_online_copy(archive, folder, base_url, progress=progress.report)[0]

        def done(result: online.SiteResult) -> None:
            dialog.reset()
            self.site_exported.emit(result)
            self.statusBar().showMessage(f"已导出到 {folder}：{result.items} 个事项，"
                                         f"改写 {len(result.written)} 个文件、删除 {len(result.removed)} 个", 12000)

        def failed(error: BaseException) -> None:
            dialog.reset()
            if isinstance(error, Cancelled):
                self.statusBar().showMessage("已取消导出：已写出的文件完好，再次导出会补齐", 10000)
            else:
                show_error(self, "未能导出网上公开件", error, self.log_path)

        return run_in_background(work, on_done=done, on_error=failed)

    def _on_correct(self) -> None:
        item_id = self._current_id()
        if item_id is None or self.editor is None or not self.editor.sealed:
            return
        reason = ask_correction_reason(self)
        if reason:
            self.start_correction(item_id, reason)

    def start_correction(self, item_id: int, reason: str) -> Task:
        """Make the new version in the background, then open it for editing."""
        archive = self.archive

        def work() -> int:
            return items.start_correction(archive, item_id, reason).id  # 经办人 as on the original

        def opened(new_id: int) -> None:
            self.reload_tree(select=new_id)
            self.open_item(new_id)
            self.statusBar().showMessage("已新建更正稿：改正错误后请审核，再封存并打印更正公告", 10000)

        return run_in_background(work, on_done=opened, on_error=lambda exc: show_error(self, "未能新建更正", exc))

    def open_dashboard(self) -> Dashboard:
        if self.dashboard is None:
            self.dashboard = Dashboard(self.archive)
            self.dashboard.placeRequested.connect(self._show_place)
        self.dashboard.show()
        self.dashboard.raise_()
        return self.dashboard

    def _show_place(self, village_id: int, period: str) -> None:
        self.raise_()
        self.activateWindow()
        if not self.navigator.select_place(village_id, period):
            # Nothing entered for that quarter yet (a 未公开 row): it becomes the place new items go.
            self.chosen_place = (village_id, period)
            self._update_actions()
            place = items.place_of_village(self.archive, village_id)
            self.statusBar().showMessage(f"{place.village if place else ''} {parse_period(period).chinese}"
                                         "还没有任何事项：可用“新建事项”或“从 Excel 导入”添加", 12000)

    def open_archive_browser(self) -> ArchiveBrowser:
        if self.browser is None:
            self.browser = ArchiveBrowser(self.archive)
        self.browser.show()
        self.browser.raise_()
        return self.browser

    def _on_verify(self) -> None:
        self.verify_archive()

    def _on_against(self) -> None:
        """与公布件核对 lives in the archive browser, beside 核验档案: open it there."""
        browser = self.open_archive_browser()
        browser.against_button.showMenu()

    def verify_archive(self) -> Task:
        archive = self.archive
        return run_in_background(lambda: sealing.verify_archive(archive), on_done=self._on_verified,
                                 on_error=lambda exc: show_error(self, "核验出错", exc))

    def _on_verified(self, verified: sealing.Verified) -> None:
        checked, problems = verified.checked, list(verified.problems)
        self.verified.emit(problems)
        if not problems:
            QMessageBox.information(self, "核验通过", f"{checked} 个封存事项的内容、海报和封存链都与封存时一致。")
            return
        QMessageBox.warning(self, "核验未通过", f"检查了 {checked} 个封存事项，发现 {len(problems)} 处问题：\n"
                            + "\n".join(f"· {p}" for p in problems[:20]))

    def _on_four_checks(self) -> None:
        suggested = f"四性检测报告-{date.today().isoformat()}.xlsx"
        target, _ = QFileDialog.getSaveFileName(self, "导出四性检测报告", suggested, "Excel 工作簿 (*.xlsx)")
        if target:
            self.export_four_checks(Path(target))

    def export_four_checks(self, target: Path) -> Task:
        """Check the archive and write the 四性检测 report off the GUI thread; then say its verdicts."""
        archive = self.archive
        target = target if target.suffix.lower() == ".xlsx" else target.with_name(target.name + ".xlsx")
        self.statusBar().showMessage("正在检测档案的真实性、完整性、可用性和安全性…")
        return run_in_background(lambda: sealing.four_checks_report(archive, target),
                                 on_done=self._on_four_checks_written, on_error=self._on_four_checks_failed)

    def _on_four_checks_failed(self, error: BaseException) -> None:
        self.statusBar().clearMessage()
        show_error(self, "四性检测报告没有写出", error)

    def _on_four_checks_written(self, done: sealing.Reported) -> None:
        self.statusBar().clearMessage()
        report = done.report
        verdicts = "　".join(f"{aspect}：{report.verdict(aspect)}" for aspect in ASPECTS)
        text = f"报告已写出：{done.path}\n检测了 {len(report.items)} 个封存事项。\n{conclusion(report)}\n{verdicts}"
        self.four_checks_written.emit(done)
        box = QMessageBox(QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning,
                          "四性检测", text, QMessageBox.StandardButton.Close, self)
        opening = box.addButton("打开报告", QMessageBox.ButtonRole.AcceptRole)
        box.setModal(False)
        box.buttonClicked.connect(lambda button: button is opening and QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(done.path))))
        box.show()

    # -- restore ---------------------------------------------------------------------------------
    def _database_file(self) -> Path | None:
        return database_file(self.archive) if self.archive.is_sqlite_file else None

    def _on_restore(self) -> None:
        database = self._database_file()
        if database is None:
            return
        chosen, _ = QFileDialog.getOpenFileName(self, "选择要恢复的备份", str(backup_folder(database)),
                                                "档案备份 (*.sqlite3);;所有文件 (*)")
        if chosen:
            self.check_restore(Path(chosen))

    def check_restore(self, backup: Path) -> Task:
        """Check the backup in the background; then say what restoring it would lose, and ask."""
        archive = self.archive
        self.statusBar().showMessage("正在核验备份…")
        return run_in_background(lambda: check_restore(archive, backup), on_done=self._on_restore_checked,
                                 on_error=self._on_restore_refused)

    def _on_restore_refused(self, error: BaseException) -> None:
        self.statusBar().clearMessage()
        show_error(self, "不能用此备份恢复", error)
        self.restore_ended.emit(False)

    def _on_restore_checked(self, plan: RestorePlan) -> None:
        self.statusBar().clearMessage()
        try:
            answer = QMessageBox.question(self, "从备份恢复", "\n".join(plan.summary())
                                          + "\n\n确认用此备份替换当前档案？",
                                          defaultButton=QMessageBox.StandardButton.No)
            done = answer == QMessageBox.StandardButton.Yes and self.restore(plan)
        finally:
            plan.discard()
        self.restore_ended.emit(done)

    def restore(self, plan: RestorePlan) -> bool:
        """Put the checked backup in place; the window then shows the restored archive."""
        if not self.save_current(wait=True):
            return False
        self._autosave.stop()
        if self.editor is not None:
            self.editor.stop()
        self.save_pool.waitForDone()
        try:
            before = restore(self.archive, plan)  # no connection keeps reading the archive as it was
        except ZwgkError as exc:
            show_error(self, "未能恢复", exc, self.log_path)
            return False
        self._drop_editor()
        self.statusBar().showMessage(f"已用 {plan.backup.name} 恢复档案"
                                     + (f"（恢复前的档案已备份为 {before.path.name}）" if before else ""), 15000)
        return True

    # -- settings --------------------------------------------------------------------------------
    def _on_settings(self) -> None:
        dialog = SettingsDialog(setup.settings(self.archive), self)
        while dialog.exec() == SettingsDialog.DialogCode.Accepted:
            try:
                setup.save_settings(self.archive, dialog.settings())  # what `zwgk settings` does
            except TOLD_ERRORS as exc:
                show_error(self, "设置未保存", exc)
                continue
            self._refresh_place()
            self.reload_tree()
            self._tell_qr_notes()
            break

    def _tell_qr_notes(self) -> None:
        """What the online address does to the sheets' QR codes, said after 设置 is saved: in the
        status bar, and a warning (window-modal, not blocking) when codes would be hard to scan."""
        try:
            notes = setup.qr_notes(self.archive)
        except TOLD_ERRORS as exc:  # cannot happen after a save that checked it; said all the same
            notes = [str(exc)]
        if not notes:
            return
        self.statusBar().showMessage(notes[-1], 20000)
        if any(note.startswith("注意") for note in notes):
            box = QMessageBox(QMessageBox.Icon.Warning, "二维码可能扫不出", "\n\n".join(notes), parent=self)
            box.open()

    def _refresh_place(self) -> None:
        if self.village_id is None:
            return
        self.place = items.place_of_village(self.archive, self.village_id) or self.place
        self._request_preview(at_once=True)

    # -- deleting --------------------------------------------------------------------------------
    def _on_delete(self) -> None:
        editor = self.editor
        if editor is None or editor.item is None or editor.item.id is None:
            return
        rows = editor.model.rowCount()
        answer = QMessageBox.question(
            self, "删除事项", f"删除“{editor.title.text() or editor.item.title}”（共 {rows} 行）？\n"
            "删除后不能撤销（删除前会自动备份数据库）。")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_current()

    def delete_current(self) -> bool:
        """Delete the item on screen (never a sealed one); the tree then shows its quarter."""
        editor = self.editor
        if editor is None or editor.item is None or editor.item.id is None:
            return False
        item_id = editor.item.id
        editor.stop()
        self._autosave.stop()
        self.save_pool.waitForDone()
        try:
            items.delete_item(self.archive, item_id)  # backed up first
        except Exception as exc:  # sealed meanwhile, or the database locked: say so, keep the item
            show_error(self, "未能删除", exc, self.log_path)
            return False
        self._drop_editor()
        self.statusBar().showMessage("已删除事项", 8000)
        return True

    def _drop_editor(self) -> None:
        """Close the item on screen (deleted, or the archive replaced) and show the tree anew."""
        editor = self.editor
        if editor is not None:
            self.undo_group.removeStack(editor.undo)
            self.center.removeWidget(editor)
            editor.deleteLater()
            self.editor = None
        self._show_home_page()
        self.preview.clear()
        self.reload_tree()
        self._update_actions()

    # -- the home view ---------------------------------------------------------------------------
    def _build_home(self) -> None:
        """The home (office.quarter) fills the centre while no item is open: the app opens on it,
        and 首页 or the navigator's township, village and quarter lead back to it."""
        self.home_action = _action("首页", self)
        self.home_action.setShortcut(QKeySequence("Alt+Home"))
        self.home_action.setStatusTip("本村本季度：应公开什么、何时截止、已录入什么、待审核、能否封存、逾期")
        self.menuBar().insertAction(self.menuBar().actions()[0], self.home_action)
        self.home_action.triggered.connect(lambda: self.show_home(self.chosen_place[0] if self.chosen_place else None))
        self.home.itemRequested.connect(self._on_item_chosen)
        self.home.newRequested.connect(self._on_home_new)
        self.home.importRequested.connect(self._on_home_import)
        self.home.sealRequested.connect(self._on_home_seal)
        self.navigator.placeChosen.connect(lambda village_id, period: self.show_home(village_id, period))
        self.navigator.currentItemChanged.connect(self._on_navigator_node)
        for signal in (self.saved, self.sealed, self.settings_action.triggered):
            signal.connect(lambda *_: self._refresh_home())
        self.center.currentChanged.connect(lambda _=0: self._fit_centre())
        splitter = self.centralWidget()
        assert isinstance(splitter, QSplitter)
        for index, stretch in enumerate((0, 1, 0)):  # a wider window widens the centre, not the tree
            splitter.setStretchFactor(index, stretch)
        self.home.show_village()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._fit_centre()  # once the splitter has its real width (before, it is Qt's default)

    def _fit_centre(self) -> None:
        """The home takes the preview's room (nothing to preview); an item brings the preview back."""
        splitter = self.centralWidget()
        assert isinstance(splitter, QSplitter)
        home = self.center.currentWidget() is self.home
        if home == self.preview.isHidden():
            return
        left, middle, right = splitter.sizes()
        self.preview.setVisible(not home)
        if home:
            splitter.setSizes([left, middle + right, 0])
        else:
            right = right or 440
            splitter.setSizes([left, max(middle - right, 300), right])

    def show_home(self, village_id: int | None = None, period: str = "", *, township: bool = False) -> bool:
        """Close the item on screen (saved first) and show a village's quarter (None: the first
        village; "": the quarter of today) or, with `township`, every village's."""
        if not self.save_current(wait=True):
            self.navigator.select(self._current_id())  # stay on the item whose edits are not saved
            return False
        self._opening = None  # an item still being read is not shown after all
        editor, self.editor = self.editor, None
        if editor is not None:
            editor.stop()
            self.undo_group.removeStack(editor.undo)
            self.center.removeWidget(editor)
            editor.deleteLater()
            self.preview.clear()
        self._update_actions()
        wanted = quarter_of(parse_period(period)) if period else None  # a month's place: its quarter's home
        if township:
            self.home.show_township(wanted)
        else:
            self.home.show_village(village_id, wanted)
        self.center.setCurrentWidget(self.home)
        return True

    def _show_home_page(self) -> None:
        self.center.setCurrentWidget(self.home)
        self.home.refresh()

    def _refresh_home(self) -> None:
        if self.center.currentWidget() is self.home:  # else it is read again when shown
            self.home.refresh()

    def _on_navigator_node(self, node: Any, _previous: Any) -> None:
        if node is not None and node.parent() is None:  # the township at the tree's root
            self.navigator.choosing = True  # as in Navigator._on_current_changed
            try:
                self.show_home(township=True)
            finally:
                self.navigator.choosing = False

    def _on_home_new(self, village_id: int, period: str, code: str) -> None:
        self.chosen_place = (village_id, period)
        self.new_item(code)

    def _on_home_import(self, village_id: int, period: str, code: str) -> None:
        self.chosen_place = (village_id, period)
        wizard = self.import_wizard()
        wizard.choose_category(code)
        wizard.exec()

    def _on_home_seal(self, village_id: int, period: str) -> None:
        self.chosen_place = (village_id, period)
        self._on_seal()

    # -- closing ---------------------------------------------------------------------------------
    def closeEvent(self, event: Any) -> None:
        if not self.save_current(wait=True):
            answer = QMessageBox.question(self, "修改没有保存",
                                          "最后的修改没有保存成功。仍要退出吗？（这些修改会丢失）")
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.save_pool.waitForDone()
        self.preview.stop()
        for window in (self.browser, self.dashboard):
            if window is not None:
                window.close()
        wait_for_all()
        if self._papers is not None:
            shutil.rmtree(self._papers, ignore_errors=True)
        super().closeEvent(event)

    def current_item(self) -> Item | None:
        return self.editor.current_item() if self.editor is not None and self.editor.item is not None else None



def _action(text: str, parent: QMainWindow, shortcut: QKeySequence.StandardKey | None = None) -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(shortcut)
    return action
