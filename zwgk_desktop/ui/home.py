"""The home view: what a village's quarter asks of the clerk now, or the same for every village of
the township (office.quarter). Each line is one click from its item, or from making it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.objections import LATE, OVERDUE, REPLIED
from zwgk_desktop.domain.periods import Quarter, chinese_date
from zwgk_desktop.office import quarter as home
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.objections import Entry as ObjectionEntry
from zwgk_desktop.ui.dialogs import show_error
from zwgk_desktop.ui.file_drops import PHOTO_FILES, dropped, offer
from zwgk_desktop.ui.workers import Task, run_in_background

# Colours of a line's state (text on white), and of what is late.
STATE_COLOURS = {home.TO_ENTER: "#8a5a00", home.NONE_NEEDED: "#666666", home.FIX: "#b3261e",
                 home.TO_REVIEW: "#8a5a00", home.TO_SEAL: "#1f5fa8", home.SEALED: "#2e7d32"}
LATE_COLOUR = "#b3261e"
TILE_COLOURS = {home.TO_ENTER: "#fff4dc", home.NONE_NEEDED: "#f3f3f3", home.FIX: "#fde2e1",
                home.TO_REVIEW: "#fff4dc", home.TO_SEAL: "#e3edf9", home.SEALED: "#e3f4e1"}


class HomeView(QScrollArea):
    """The app's home: a village's quarter (`show_village`) or the township's (`show_township`)."""

    itemRequested = Signal(int)  # item id: open it
    newRequested = Signal(int, str, str)  # village id, period, category: make a new item there
    importRequested = Signal(int, str, str)  # village id, period, category: import one there
    sealRequested = Signal(int, str)  # village id, period
    photosAdded = Signal(object)  # office.attachments.Added: photos dropped on the quarter or chosen
    shown = Signal(object)  # the VillageQuarter or TownshipQuarter now on screen
    failed = Signal(str)  # why it could not be read, in words

    def __init__(self, archive: Archive, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.archive = archive
        self.today = today
        self.may_change = archive.may_write
        self.township = False  # showing every village (else the village `village_id`, None: the first)
        self.village_id: int | None = None
        self.period: Quarter | None = None  # None: the quarter of today
        self.data: home.VillageQuarter | home.TownshipQuarter | None = None
        self._asked = 0  # the latest request; an older answer arriving late is dropped
        self.setAcceptDrops(self.may_change)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # everything wraps
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._put(_text("正在读取本季度的情况…"))

    # -- asking ----------------------------------------------------------------------------------
    def show_village(self, village_id: int | None = None, period: Quarter | None = None) -> Task:
        """A village's quarter (None: the first village; the quarter of today)."""
        self.township, self.village_id, self.period = False, village_id, period
        return self.refresh()

    def show_township(self, period: Quarter | None = None) -> Task:
        """Every village's quarter (None: the quarter of today)."""
        self.township, self.period = True, period
        return self.refresh()

    def refresh(self) -> Task:
        """Read again what is on screen (after a save, a review, a seal …), in the background."""
        self._asked += 1
        asked, archive, today = self._asked, self.archive, self.today()
        village_id, period, township = self.village_id, self.period, self.township

        def read() -> tuple[int, home.VillageQuarter | home.TownshipQuarter]:
            if township:
                return asked, home.township_quarter(archive, period, today)
            return asked, home.village_quarter(archive, village_id, period, today)

        # Bound methods, not lambdas: a view closed meanwhile is then not called at all.
        return run_in_background(read, on_done=self._on_read, on_error=self._on_failed)

    def _on_read(self, answer: tuple[int, home.VillageQuarter | home.TownshipQuarter]) -> None:
        asked, data = answer
        if asked != self._asked:
            return
        self.data = data
        if isinstance(data, home.VillageQuarter):
            self.village_id = data.village_id
            self._put(self._village_page(data))
        else:
            self._put(self._township_page(data))
        self.shown.emit(data)

    def _on_failed(self, error: BaseException) -> None:
        self.data = None
        self._put(_text(f"无法读取本季度的情况：{error}"))
        self.failed.emit(str(error))

    def _put(self, page: QWidget) -> None:
        old = self.takeWidget()
        if old is not None:
            old.deleteLater()
        self.setWidget(page)

    def _go(self, period: Quarter) -> None:
        self.period = period
        self.refresh()

    # -- a village's quarter -----------------------------------------------------------------------
    def _village_page(self, data: home.VillageQuarter) -> QWidget:
        page, layout = _page()
        layout.addLayout(self._heading(f"{data.village}　{data.period.chinese}", data.period, data.today))
        layout.addWidget(_text(f"今天 {chinese_date(data.today)}。{data.deadline_text}。{data.summary}。"
                               + _estimated(data.calendar)))

        layout.addWidget(_section("本季度应公开（公开目录）"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        for line in data.lines:
            self._add_line(grid, line, data)
        layout.addLayout(grid)

        layout.addWidget(_section("待村务监督委员会审核"))
        waiting = data.to_review
        if not waiting:
            layout.addWidget(_text("没有待审核的事项。"))
        else:
            layout.addWidget(_text("请监督委员会成员核对后签字；打开事项，填写审核人和审核日期，点“审核通过”。",
                                   muted=True))
            for entry in waiting:
                layout.addLayout(self._entry_row(entry, CATEGORIES[entry.category].name))

        self._add_objections(layout, data)
        layout.addWidget(_section("公开栏照片"))
        self._add_photos(layout, data)

        layout.addWidget(_section("封存"))
        self._add_seal(layout, data, data.period)

        late = data.late
        layout.addWidget(_section(f"逾期（{len(late)} 项）" if late else "逾期"))
        this = [line for line in data.lines if line.late]
        if not late:
            layout.addWidget(_text("没有逾期的事项。"))
        elif this:
            layout.addWidget(_text(f"本季度：{'、'.join(line.name for line in this)}（见上）。"))
        for before in data.earlier:
            layout.addLayout(self._earlier_heading(before))
            grid = QGridLayout()
            grid.setHorizontalSpacing(12)
            grid.setColumnStretch(1, 1)
            for line in before.open_lines:
                self._add_line(grid, line, before, compact=True)
            layout.addLayout(grid)
        layout.addStretch(1)
        return page

    def _heading(self, title: str, period: Quarter, today: date) -> QHBoxLayout:
        bar = QHBoxLayout()
        heading = QLabel(title)
        heading.setWordWrap(True)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        bar.addWidget(heading, 1)
        earlier = _button("上一季度", lambda: self._go(period.previous()))
        current = Quarter.containing(today)
        now = _button("本季度", lambda: self._go(current))
        now.setEnabled(period != current)
        later = _button("下一季度", lambda: self._go(period.next()))
        later.setEnabled(period < current)
        for button in (earlier, now, later):
            bar.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        if not self.township:
            bar.addWidget(_button("全乡镇", lambda: self.show_township(period)), 0, Qt.AlignmentFlag.AlignTop)
        return bar

    def _add_line(self, grid: QGridLayout, line: home.Line, quarter: home.VillageQuarter,
                  compact: bool = False) -> None:
        row = grid.rowCount()
        name = QLabel(line.name)
        name.setFont(_bold(name.font()))
        grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
        colour = LATE_COLOUR if line.late else STATE_COLOURS[line.state]
        state = _text(f'<span style="color:{colour}"><b>{line.state_text}</b></span>'
                      + (f"　{line.when_text}" if line.when_text else ""))
        grid.addWidget(state, row, 1)
        actions = QHBoxLayout()
        actions.setSpacing(6)
        period = str(line.period)
        target = line.first_open
        if line.state == home.TO_ENTER or (line.state == home.NONE_NEEDED and not compact):
            if self.may_change:
                where = (quarter.village_id, period, line.category)
                actions.addWidget(_button("新建", partial(self.newRequested.emit, *where), ("new", *where)))
                actions.addWidget(_button("从 Excel 导入", partial(self.importRequested.emit, *where),
                                          ("import", *where)))
        elif target is not None:
            actions.addWidget(_open(self, target.item_id))
        actions.addStretch(1)
        grid.addLayout(actions, row, 2, Qt.AlignmentFlag.AlignTop)
        if not compact:
            grid.addWidget(_text(line.requirement, muted=True), row + 1, 1)
        for entry in line.items if not compact else ():
            at = grid.rowCount()
            shown = _text(f"{entry.label}　{entry.state_text}"
                          + (f"：{entry.problem}" if entry.errors and entry.problem else ""), muted=entry.sealed)
            grid.addWidget(shown, at, 1)
            if len(line.items) > 1 or entry is not target:
                grid.addWidget(_open(self, entry.item_id), at, 2,
                               Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        grid.setRowMinimumHeight(grid.rowCount(), 8)

    def _add_objections(self, layout: QVBoxLayout, data: home.VillageQuarter) -> None:
        """The register of the quarter's objections: each with its due date and state, 答复… for
        those still open, and 登记异议… for a new one."""
        waiting = data.waiting_objections
        title = f"异议登记（{len(data.objections)} 件，待答复 {len(waiting)} 件）" if data.objections else "异议登记"
        bar = QHBoxLayout()
        bar.addWidget(_section(title), 1)
        items = [(e.number, e.title) for e in data.entries]
        if self.may_change and items:
            bar.addWidget(_button("登记异议…", partial(self._on_add_objection, data.code, items),
                                  ("objection-add", data.village_id, str(data.period))), 0,
                          Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(bar)
        if not data.objections:
            layout.addWidget(_text("本季度没有登记的异议。村民的异议应在收到后 10 日内答复。", muted=True))
        for entry in data.objections:
            shown = entry.objection
            colour = LATE_COLOUR if entry.status in (OVERDUE, LATE) else (
                STATE_COLOURS[home.SEALED] if entry.status == REPLIED else STATE_COLOURS[home.TO_REVIEW])
            row_words = f" 第 {shown.row} 行" if shown.row else ""
            answered = (f"，{shown.replied_on.isoformat()} 答复（{shown.outcome or '—'}"
                        + (f"，更正公告 事项 {shown.correction}" if shown.correction else "") + "）"
                        if shown.replied_on else f"，应于 {shown.due.isoformat()} 前答复")
            row = QHBoxLayout()
            row.addWidget(_text(f'异议 {entry.id}　事项 {shown.item_number}{row_words}：{shown.text}<br>'
                                f'<span style="color:#555555">{shown.received_on.isoformat()} {shown.channel}收到'
                                f'{answered}</span>　<span style="color:{colour}"><b>{entry.status}</b></span>'), 1)
            if self.may_change and shown.replied_on is None:
                row.addWidget(_button("答复…", partial(self._on_reply, entry), ("objection-reply", entry.id)), 0,
                              Qt.AlignmentFlag.AlignTop)
            layout.addLayout(row)

    def _on_add_objection(self, village: str, items: list[tuple[int, str]]) -> None:
        from zwgk_desktop.ui.objection_dialogs import AddObjectionDialog

        dialog = AddObjectionDialog(self.archive, village, items, self.today(), self)
        dialog.finished.connect(lambda _code: self.refresh() if dialog.entry else None)
        dialog.open()

    def _on_reply(self, entry: ObjectionEntry) -> None:
        from zwgk_desktop.ui.objection_dialogs import ReplyDialog

        dialog = ReplyDialog(self.archive, entry, self.today(), self)
        dialog.finished.connect(lambda _code: self.refresh() if dialog.entry else None)
        dialog.open()

    def _entry_row(self, entry: home.Entry, prefix: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(_text(f"{prefix}：{entry.label}"), 1)
        row.addWidget(_open(self, entry.item_id), 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _add_photos(self, layout: QVBoxLayout, data: home.VillageQuarter) -> None:
        held, waiting = data.photos
        said = (f"本季度有 {held} 张张贴后拍的照片" + (f"，其中 {waiting} 张待封存" if waiting else "，都已封存")
                if held else "还没有张贴后拍的照片（乡镇要求拍照留存的，张贴后拍下公开栏）")
        row = QHBoxLayout()
        row.addWidget(_text(said + "。照片随本季度封存；网上公开件中的照片去掉定位等全部拍摄信息。"
                            + ("可以把照片直接拖到这里。" if self.may_change else "")), 1)
        if self.may_change:
            row.addWidget(_button("添加照片…", self._on_add_photos), 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)

    def add_photos(self, files: list[Path]) -> Task | None:
        """Attach photos to the village's quarter shown (all of them or none, a bad one said in words)."""
        data = self.data
        if not files or not self.may_change or not isinstance(data, home.VillageQuarter):
            return None
        from zwgk_desktop.office.attachments import add_photos

        archive, village, period = self.archive, data.code, data.period
        return run_in_background(lambda: add_photos(archive, village, period, files), on_done=self._on_photos_added,
                                 on_error=lambda exc: show_error(self, "照片没有保存", exc))

    def _on_photos_added(self, added: object) -> None:
        self.photosAdded.emit(added)
        self.refresh()

    def _on_add_photos(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "选择张贴后拍的公开栏照片", "", PHOTO_FILES)
        self.add_photos([Path(name) for name in chosen])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        offer(event, self.may_change and isinstance(self.data, home.VillageQuarter))

    def dropEvent(self, event: QDropEvent) -> None:
        self.add_photos(dropped(event))

    def _add_seal(self, layout: QVBoxLayout, data: home.VillageQuarter, period: Quarter) -> None:
        if data.sealed and not data.seal_kind and not data.blockers:
            layout.addWidget(_text("本季度已封存。有错只能发更正（打开事项，“档案 → 发更正”）。"))
            return
        if data.sealable:
            what = {"correction": "待封存的更正", "objection": "封存后的异议答复",
                    "attachment": "封存后补充的照片和凭证"}.get(data.seal_kind, "本季度的全部事项")
            row = QHBoxLayout()
            row.addWidget(_text(f"没有阻止封存的问题：可以封存{what}。"
                                "封存后不能再修改，只能发更正；封存前会自动备份。"), 1)
            if self.may_change:
                where = (data.village_id, str(period))
                row.addWidget(_button("封存本季度…", partial(self.sealRequested.emit, *where), ("seal", *where)), 0,
                              Qt.AlignmentFlag.AlignTop)
            layout.addLayout(row)
            for warning in data.warnings:
                layout.addWidget(_text(f'<span style="color:{LATE_COLOUR}">注意：</span>{warning.text}'))
            return
        if not data.entries:
            layout.addWidget(_text("本季度还没有事项，没有可封存的。"))
            return
        layout.addWidget(_text("以下问题解决后才能封存："))
        for blocker in data.blockers:
            row = QHBoxLayout()
            row.addWidget(_text(f"· {blocker.text}"), 1)
            if blocker.item_id is not None:
                row.addWidget(_open(self, blocker.item_id), 0, Qt.AlignmentFlag.AlignTop)
            layout.addLayout(row)

    def _earlier_heading(self, before: home.VillageQuarter) -> QHBoxLayout:
        row = QHBoxLayout()
        label = _text(f"<b>{before.period.chinese}</b>　{before.deadline_text}")
        row.addWidget(label, 1)
        row.addWidget(_button("查看该季度", lambda: self._go(before.period)), 0, Qt.AlignmentFlag.AlignTop)
        if before.sealable and self.may_change:
            where = (before.village_id, str(before.period))
            row.addWidget(_button("封存该季度…", partial(self.sealRequested.emit, *where), ("seal", *where)), 0,
                          Qt.AlignmentFlag.AlignTop)
        return row

    # -- the township ---------------------------------------------------------------------------------
    def _township_page(self, data: home.TownshipQuarter) -> QWidget:
        page, layout = _page()
        layout.addLayout(self._heading(f"{data.township}　{data.period.chinese}", data.period, data.today))
        which = "本季度" if data.period == Quarter.containing(data.today) else data.period.chinese
        layout.addWidget(_text(f"今天 {chinese_date(data.today)}。{len(data.villages)} 个村{which}应公开的事项"
                               "做到了哪一步、何时截止（逾期与“公开情况”表的判断相同）。点一格打开该村该类的事项"
                               f"（还没有事项时打开该村{which}），点村名或右边一格看该村{which}。"
                               + _estimated(data.calendar)))
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(6)
        grid.addWidget(_header("村"), 0, 0)
        for column, code in enumerate(data.categories, start=1):
            grid.addWidget(_header(CATEGORIES[code].name), 0, column)
            grid.setColumnStretch(column, 1)
        last = len(data.categories) + 1
        grid.addWidget(_header("封存与逾期"), 0, last)
        grid.setColumnStretch(last, 1)
        names = [Tile(v.village, "", "#ffffff", bold=True, on_click=partial(self.show_village, v.village_id, v.period))
                 for v in data.villages]
        widest = max((tile.title.fontMetrics().horizontalAdvance(tile.title.text()) for tile in names), default=0)
        grid.setColumnMinimumWidth(0, widest + 20)  # a village's name is never wrapped or cut
        for row, (village, name) in enumerate(zip(data.villages, names, strict=True), start=1):
            grid.addWidget(name, row, 0)
            for column, line in enumerate(village.lines, start=1):
                grid.addWidget(self._tile(line, village), row, column)
            grid.addWidget(Tile(_seal_words(village), _late_words(village),
                                "#fde2e1" if village.late else "#ffffff",
                                on_click=partial(self.show_village, village.village_id, village.period)), row, last)
        layout.addLayout(grid)
        layout.addStretch(1)
        return page

    def _tile(self, line: home.Line, village: home.VillageQuarter) -> Tile:
        target = line.first_open

        def clicked() -> None:
            if target is not None:
                self.itemRequested.emit(target.item_id)
            else:
                self.show_village(village.village_id, village.period)

        colour = "#fde2e1" if line.late else TILE_COLOURS[line.state]
        tile = Tile(line.state_text, line.when_short, colour, on_click=clicked)
        tile.setProperty("action", f"open:{target.item_id}" if target is not None
                         else f"village:{village.village_id}:{village.period}:{line.category}")
        return tile


class Tile(QFrame):
    """A cell of the township's grid: words that wrap, one click (or Enter) to act."""

    clicked = Signal()

    def __init__(self, title: str, detail: str, colour: str, *, bold: bool = False,
                 on_click: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setStyleSheet(f"QFrame#tile {{ background: {colour}; border: 1px solid #d0d0d0; border-radius: 4px; }}"
                           "QFrame#tile:focus { border: 2px solid #1f5fa8; }")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.title = _text(title)
        if bold:
            self.title.setFont(_bold(self.title.font()))
        layout.addWidget(self.title)
        self.detail = _text(detail, muted=True) if detail else None
        if self.detail is not None:
            layout.addWidget(self.detail)
        layout.addStretch(1)
        self.setToolTip("\n".join(t for t in (title, detail) if t))
        if on_click is not None:
            self.clicked.connect(on_click)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


def _seal_words(village: home.VillageQuarter) -> str:
    if village.sealed and not village.seal_kind and not village.blockers:
        return "已封存"
    if village.sealable:
        return "可以封存"
    if not village.entries:
        return "还没有事项"
    waiting = len(village.to_review)
    return f"不能封存：{len(village.blockers)} 个问题" + (f"（{waiting} 个待审核）" if waiting else "")


def _late_words(village: home.VillageQuarter) -> str:
    late = village.late
    if not late:
        return "没有逾期"
    earlier = len([line for line in late if line.period != village.period])
    return f"逾期 {len(late)} 项" + (f"，其中以前季度 {earlier} 项" if earlier else "")


def _estimated(calendar: str) -> str:
    return f"标“估算”的截止日：{calendar.strip('（）')}。" if calendar else ""


def _page() -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    page.setObjectName("home")
    page.setStyleSheet("QWidget#home { background: white; }")
    layout = QVBoxLayout(page)
    layout.setContentsMargins(18, 14, 18, 14)
    layout.setSpacing(8)
    return page, layout


def _text(text: str, muted: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)  # nothing is cut off or elided: a narrow window wraps it
    label.setTextFormat(Qt.TextFormat.RichText if "<" in text else Qt.TextFormat.PlainText)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    if muted:
        label.setStyleSheet("color: #555555")
    return label


def _section(title: str) -> QLabel:
    label = QLabel(title)
    font = _bold(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    label.setStyleSheet("border-bottom: 1px solid #cccccc; padding-top: 10px; padding-bottom: 2px")
    return label


def _header(title: str) -> QLabel:
    label = _text(title)
    label.setFont(_bold(label.font()))
    return label


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def _open(view: HomeView, item_id: int) -> QPushButton:
    return _button("打开", partial(view.itemRequested.emit, item_id), ("open", item_id))


def _button(text: str, on_click: Callable[[], object], action: tuple[object, ...] = ()) -> QPushButton:
    """A button; `action` names what it does (`open:12`, `new:1:2026Q4:finance`, `seal:1:2026Q3`)
    for whoever looks for it by what it does rather than by its words (tests, accessibility)."""
    button = QPushButton(text)
    if action:
        button.setProperty("action", ":".join(map(str, action)))
        button.setAccessibleName(f"{text} {' '.join(map(str, action[1:]))}")
    button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # never narrower than its words
    button.clicked.connect(lambda _=False: on_click())
    return button
