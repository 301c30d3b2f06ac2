"""Finding things in the archive: a search box over titles, summaries, names and projects."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from zwgk_desktop.db.store import SearchHit
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.office.browsing import search_archive
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.ui.dialogs import show_error
from zwgk_desktop.ui.workers import run_in_background


class SearchPanel(QWidget):
    """A search box; results appear under it, and choosing one opens the item at that row."""

    itemRequested = Signal(int, int)  # item id, row (0: the item itself)
    searched = Signal(int)  # number of hits shown

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self._asked = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.box = QLineEdit()
        self.box.setPlaceholderText("查找：姓名、摘要、项目、单位……（回车）")
        self.box.setClearButtonEnabled(True)
        self.summary = QLabel("")
        self.results = QListWidget()
        self.results.setVisible(False)
        self.summary.setVisible(False)
        layout.addWidget(self.box)
        layout.addWidget(self.summary)
        layout.addWidget(self.results)
        self.box.returnPressed.connect(self._on_search)
        self.box.textChanged.connect(self._on_text_changed)
        self.results.itemActivated.connect(self._on_chosen)
        self.results.itemClicked.connect(self._on_chosen)

    def search(self, text: str) -> None:
        self.box.setText(text)
        self._on_search()

    def _on_search(self) -> None:
        query = self.box.text().strip()
        if not query:
            return
        self._asked = query
        archive = self.archive

        def find() -> list[SearchHit]:
            return search_archive(archive, query, limit=200)

        self.summary.setText("正在查找…")
        self.summary.setVisible(True)
        run_in_background(find, on_done=lambda hits: self._on_found(query, hits),
                          on_error=lambda exc: show_error(self, "查找出错", exc))

    def _on_found(self, query: str, hits: list[SearchHit]) -> None:
        if query != self._asked:
            return  # an older search finished after a newer one was asked
        self.results.clear()
        for hit in hits:
            where = "" if hit.row == 0 else f" 第{hit.row}行"
            text = " ".join(hit.text.split())
            entry = QListWidgetItem(f"{hit.village} {hit.period} {CATEGORIES[hit.category].name}{where}：{text[:60]}")
            entry.setToolTip(f"{hit.title}\n{text}")
            entry.setData(Qt.ItemDataRole.UserRole, (hit.item_id, hit.row))
            self.results.addItem(entry)
        more = "（只列出前 200 条）" if len(hits) >= 200 else ""
        self.summary.setText(f"“{query}”：找到 {len(hits)} 条{more}" if hits else f"没有找到“{query}”")
        self.results.setVisible(bool(hits))
        self.searched.emit(len(hits))

    def _on_text_changed(self, text: str) -> None:
        if not text.strip():
            self.results.clear()
            self.results.setVisible(False)
            self.summary.setVisible(False)

    def _on_chosen(self, entry: QListWidgetItem) -> None:
        item_id, row = entry.data(Qt.ItemDataRole.UserRole)
        self.itemRequested.emit(int(item_id), int(row))
