"""The navigator: township → village → quarter → category → item, each item's status and
publicity dates visible at a glance; a village that discloses monthly also has the quarter's
months (quarter → month → category → item), where a new item of the month is made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from zwgk_desktop.db.store import ItemSummary
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.items import REVIEWED, STATUS_NAMES
from zwgk_desktop.domain.periods import Month, Quarter

ITEM_ROLE = Qt.ItemDataRole.UserRole
PLACE_ROLE = Qt.ItemDataRole.UserRole + 1
DRAFT_BRUSH = QBrush(QColor(160, 90, 0))


@dataclass(frozen=True)
class VillageEntry:
    id: int
    name: str
    code: str
    periods: tuple[str, ...]
    months: tuple[str, ...] = ()  # of those quarters, the months it discloses monthly (2026-07 …)


class Navigator(QTreeWidget):
    itemChosen = Signal(int)  # item id
    placeChosen = Signal(int, str)  # village id, period ("" for the village itself)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(["名称", "状态", "公示期"])
        # The names take what the status and the dates leave, so nothing needs scrolling sideways;
        # the rows above the items (township, village, quarter, category) have no status or dates
        # and run across all three columns, so their names show whole.
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Five levels deep, an item's title still has room at 1024×768: narrower steps, and none
        # for the township itself (it is the one root, always open).
        self.setIndentation(14)
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.currentItemChanged.connect(self._on_current_changed)

    def reload(self, township: str, villages: Sequence[VillageEntry], items: Sequence[ItemSummary],
               select_item: int | None = None) -> None:
        expanded = self._expanded_keys()
        self.blockSignals(True)
        self.clear()
        root = QTreeWidgetItem(self, [township or "（未设置乡镇）"])
        by_place: dict[tuple[str, str], list[ItemSummary]] = {}
        for summary in items:
            by_place.setdefault((summary.village, summary.month or summary.period), []).append(summary)
        chosen = None
        for village in villages:
            node = QTreeWidgetItem(root, [f"{village.name}（{village.code}）"])
            node.setData(0, PLACE_ROLE, (village.id, ""))
            for period in sorted(village.periods, reverse=True):
                quarter = QTreeWidgetItem(node, [period])
                quarter.setData(0, PLACE_ROLE, (village.id, period))
                found = self._add_groups(quarter, village.id, period, by_place.get((village.name, period), []),
                                         select_item)
                chosen = found or chosen
                # The months of a quarter the village discloses monthly, each a place of its own.
                # (and any month holding items, should the setting have changed since)
                months = sorted(m for m in {*village.months, *(key[1] for key in by_place if key[0] == village.name)}
                                if "-" in m and str(Month.parse(m).quarter) == period)
                for month in months:
                    month_node = QTreeWidgetItem(quarter, [Month.parse(month).chinese])
                    month_node.setData(0, PLACE_ROLE, (village.id, month))
                    found = self._add_groups(month_node, village.id, month, by_place.get((village.name, month), []),
                                             select_item)
                    chosen = found or chosen
        root.setExpanded(True)
        for node in [root, *_walk(root)]:
            if node.data(0, ITEM_ROLE) is None:
                node.setFirstColumnSpanned(True)
        self.setMinimumWidth(self._width_for_names(root))
        self._fit_columns()
        for node in _walk(root):
            if _key(node) in expanded:
                node.setExpanded(True)
        if chosen is not None:
            self._make_current(chosen)
        self.blockSignals(False)

    def _add_groups(self, parent: QTreeWidgetItem, village_id: int, period: str, entries: list[ItemSummary],
                    select_item: int | None) -> QTreeWidgetItem | None:
        """The category groups of a quarter's (or a month's) items under `parent`; the leaf of
        `select_item`, if it is among them."""
        chosen = None
        for code, category in CATEGORIES.items():
            members = [s for s in entries if s.category == code]
            if not members:
                continue
            group = QTreeWidgetItem(parent, [f"{category.name}（{len(members)}）"])
            group.setData(0, PLACE_ROLE, (village_id, period))
            for summary in members:
                status = "已封存" if summary.sealed else STATUS_NAMES.get(summary.status, summary.status)
                leaf = QTreeWidgetItem(group, [_short_title(summary), status, _dates(summary)])
                leaf.setData(0, ITEM_ROLE, summary.id)
                leaf.setToolTip(0, f"{summary.title}\n{status}　公示期 {_dates(summary)}\n"
                                   f"{summary.rows} 行　{summary.disclosure}")
                if summary.status != REVIEWED:
                    leaf.setForeground(1, DRAFT_BRUSH)
                if summary.id == select_item:
                    chosen = leaf
        return chosen

    def _width_for_names(self, root: QTreeWidgetItem) -> int:
        """Wide enough that every township, village, quarter and category name shows whole at its
        depth, and an item's title keeps its first words beside its status (the window's splitter
        never makes the navigator narrower than this). Where that leaves the title too little,
        the 公示期 column gives way (see `_fit_columns`)."""
        metrics = self.fontMetrics()
        margin = 2 * (self.style().pixelMetric(self.style().PixelMetric.PM_FocusFrameHMargin, None, self) + 1)
        nodes = [root, *_walk(root)]
        items = [n for n in nodes if n.data(0, ITEM_ROLE) is not None]
        status, self._dates_width = (max((metrics.horizontalAdvance(n.text(c)) + margin for n in items), default=0)
                                     for c in (1, 2))
        self._title_left = max((_depth(n) * self.indentation() for n in items), default=0)
        widest = 0
        for node in nodes:
            if node.data(0, ITEM_ROLE) is None:
                widest = max(widest, _depth(node) * self.indentation() + metrics.horizontalAdvance(node.text(0))
                             + margin)
        widest = max(widest, self._title_left + self._title_room(4) + status)
        scroll_bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent, None, self)
        return widest + scroll_bar + 2 * self.frameWidth()

    _dates_width = 0
    _title_left = 0

    def _title_room(self, characters: int) -> int:
        return self.fontMetrics().horizontalAdvance("关" * characters) + 2 * (
            self.style().pixelMetric(self.style().PixelMetric.PM_FocusFrameHMargin, None, self) + 1)

    def _fit_columns(self) -> None:
        """On a narrow screen (1024×768) an item's title matters more than its dates: the
        公示期 column is shown only while the deepest titles keep six characters beside it
        (the tooltip always has the dates)."""
        status = self.header().sectionSize(1) if not self.isColumnHidden(1) else 0
        room = self.viewport().width() - self._title_left - status - self._dates_width
        self.setColumnHidden(2, room < self._title_room(6))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def select(self, item_id: int | None) -> None:
        """Show this item as the current one, without announcing it (the app already knows)."""
        node = self.find_item(item_id) if item_id is not None else None
        self.blockSignals(True)
        if node is not None:
            self._make_current(node)
        self.blockSignals(False)

    def _make_current(self, node: QTreeWidgetItem) -> None:
        parent = node.parent()
        while parent is not None:
            parent.setExpanded(True)
            parent = parent.parent()
        self.setCurrentItem(node)

    def select_place(self, village_id: int, period: str) -> bool:
        """Make a village's quarter current, as if the clerk had clicked it; False if the tree has
        no such quarter (nothing entered for it yet)."""
        node = next((n for n in _walk(self.invisibleRootItem()) if n.data(0, PLACE_ROLE) == (village_id, period)),
                    None)
        if node is not None:
            self._make_current(node)
        return node is not None

    def find_item(self, item_id: int) -> QTreeWidgetItem | None:
        return next((n for n in _walk(self.invisibleRootItem()) if n.data(0, ITEM_ROLE) == item_id), None)

    def _expanded_keys(self) -> set[str]:
        return {_key(n) for n in _walk(self.invisibleRootItem()) if n.isExpanded()}

    # True while the tree is telling that its current row changed: whoever answers (saving the
    # item being left, which lists the archive again) must not rebuild the tree then, since that
    # deletes the very row Qt is making current (the app crashed when switching items after an edit).
    choosing = False

    def _on_current_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if current is None:
            return
        self.choosing = True
        try:
            item_id = current.data(0, ITEM_ROLE)
            if item_id is not None:
                self.itemChosen.emit(int(item_id))
                return
            place = current.data(0, PLACE_ROLE)
            if place:
                self.placeChosen.emit(int(place[0]), str(place[1]))
        finally:
            self.choosing = False


def _short_title(summary: ItemSummary) -> str:
    """The title without the quarter (or month) it starts with: the tree already says which."""
    quarter = Month.parse(summary.month).chinese if summary.month else Quarter.parse(summary.period).chinese
    short = summary.title.removeprefix(quarter).removeprefix(quarter.replace("第", "")) or summary.title
    return f"【更正】{short}" if summary.corrects is not None else short


def _dates(summary: ItemSummary) -> str:
    if not summary.publicity_start:
        return "未定"
    return f"{summary.publicity_start[5:]}～{summary.publicity_end[5:] if summary.publicity_end else '长期'}"


def _depth(node: QTreeWidgetItem) -> int:
    depth, parent = 0, node.parent()
    while parent is not None:
        depth, parent = depth + 1, parent.parent()
    return depth


def _walk(node: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    nodes: list[QTreeWidgetItem] = []
    for index in range(node.childCount()):
        child = node.child(index)
        if child is not None:
            nodes.append(child)
            nodes += _walk(child)
    return nodes


def _key(node: QTreeWidgetItem) -> str:
    parts = []
    current: QTreeWidgetItem | None = node
    while current is not None:
        parts.append(current.text(0))
        current = current.parent()
    return "/".join(reversed(parts))
