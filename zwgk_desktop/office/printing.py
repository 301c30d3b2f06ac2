"""Printing: a village's board for a quarter (or one item) to PDF, and the township's batch
printing of many villages at once, each village in its own process; and noting when a reviewed
item first went out to the public (the app prints its preview itself and then says so here).

The paper (`Paper`): A3 as the formats set it; A4 tiled (each A3 sheet at 100 % on two A4 halves,
`render.tiling`); or the formats' A4 editions (`[a4]` in each format file), the same public
content and so the same 验证码, sealed items included: their content comes from the seal.

`zwgk render`, the app's 打印 / 另存为 PDF and the dashboard's 批量打印 call these. An archive
that cannot be written (opened read-only, a CD, a write-protected stick, a read-only mount) is
printed from all the same: workers reopen it in the same mode (`Archive.reopen`), and the result
says that when items went out could not be noted (`recorded`).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk_desktop import choices
from zwgk_desktop.archive.first_public import record_first_public
from zwgk_desktop.archive.versions import previous_versions
from zwgk_desktop.children import process_pool, starting_children
from zwgk_desktop.db import store
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.items import Item
from zwgk_desktop.domain.periods import Period, parse_period
from zwgk_desktop.domain.place import Place
from zwgk_desktop.domain.web_address import checked_base_url
from zwgk_desktop.errors import BadInput, Blocked, NotFound, Problem, ZwgkError
from zwgk_desktop.office.handle import Archive, Reopen
from zwgk_desktop.office.monthly import catalogue_of, check_period
from zwgk_desktop.outputs import check_target, replacing, why
from zwgk_desktop.render import fonts
from zwgk_desktop.render.board import layout_board
from zwgk_desktop.render.correction import Previous
from zwgk_desktop.render.layout import Layout, LayoutSet
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.pdfa import count_pages
from zwgk_desktop.render.posters import RenderResult, posters_for, render_item, write_with_sealed
from zwgk_desktop.render.public import PublicItem
from zwgk_desktop.render.sheet_papers import Papers, added, papers_of
from zwgk_desktop.render.sheet_papers import sheets_said as said_of
from zwgk_desktop.render.tiling import Frame, Half, frame_of, tile


@dataclass(frozen=True)
class Paper:
    """The paper a board is printed for: `zwgk render --paper A3|A4 [--fit]`, the app's choice."""

    size: str = "A3"  # the printer's paper: "A3" or "A4"
    fit: bool = False  # with A4: the formats' A4 editions, not A3 sheets tiled

    def __post_init__(self) -> None:
        # Paper is named as a clerk types it ("a4"), wherever it is read: held in PAPER_MM's spelling.
        object.__setattr__(self, "size", self.size.strip().upper())
        if self.size not in ("A3", "A4"):
            raise BadInput(f"纸张应为 A3 或 A4，不是“{self.size}”")
        if self.fit and self.size != "A4":
            raise BadInput("--fit 只能与 --paper A4 一起用（A3 纸按原版式打印）")

    @property
    def tiled(self) -> bool:
        return self.size == "A4" and not self.fit

    @property
    def name(self) -> str:
        """As the app's choice names it."""
        return "A4 两张拼一张" if self.tiled else "A4 版式" if self.fit else "A3"


A3 = Paper()
A4_TILED = Paper("A4")
A4_EDITION = Paper("A4", fit=True)
PAPERS = (A3, A4_TILED, A4_EDITION)


def sheets_said(counted: Papers, paper: Paper, split: int = 0) -> str:
    """How a message names what was printed, by the paper of the pages themselves (a format may
    be set on A4, a board may mix both): "共 17 张 A3", "共 30 张 A4", "共 34 张 A4（17 张 A3 拼贴）"."""
    return said_of(counted, split=split, edition=paper.fit)


@dataclass(frozen=True)
class BoardPrinted:
    """What `print_board` wrote, and what a person should be told about it."""

    output: Path
    base_url: str
    sheets: int
    items: tuple[PublicItem, ...]
    drafts: tuple[int, ...]  # numbers of items printed with 草稿 across them
    withheld: tuple[Item, ...]  # 依申请公开 / 不予公开: never on a board
    warnings: tuple[Problem, ...]
    recorded: bool  # False: the archive is read-only, so when items went out was not noted
    paper: Paper = A3
    split: int = 0  # A3 sheets tiled onto two A4 each
    papers: Papers = ()  # the pages written, per paper (from the PDF)

    @property
    def said(self) -> str:
        return sheets_said(self.papers, self.paper, self.split)


def print_board(archive: Archive, village: str, period: Period, out: Path, *, category: str | None = None,
                item: int | None = None, base_url: str | None = None,
                progress: Callable[[int], None] | None = None, paper: Paper = A3) -> BoardPrinted:
    """A village's board for a quarter (or only a category, or one item by its number) into the
    PDF `out`, for `paper`; nothing is written on error."""
    if out.suffix.lower() != ".pdf":
        raise BadInput(f"输出文件 {out} 应以 .pdf 结尾")
    with _for_printing(archive) as session:
        result = render_board(session, archive.layouts, village, period, out, category=category, item_id=item,
                              base_url=base_url, progress=progress, paper=paper)
    return BoardPrinted(out, result.base_url, result.sheets, tuple(result.items), tuple(result.drafts),
                        tuple(result.withheld), tuple(result.warnings), result.recorded, paper, result.split,
                        papers_of(out.read_bytes()))


@dataclass(frozen=True)
class PaperCopy:
    """One item's sheets for a paper, as the app prints or saves them after the clerk chose it."""

    pdf: Path
    paper: Paper
    sheets: int
    split: int = 0  # A3 sheets tiled onto two A4 each
    halves: tuple[Half, ...] = ()  # tiled: each A4 page's part of its A3 sheet, in order
    papers: Papers = ()  # its pages per paper (from the PDF): a format may be set on A4

    @property
    def said(self) -> str:
        return sheets_said(self.papers, self.paper, self.split)


def paper_copy(item: Item, layouts: LayoutSet, place: Place, paper: Paper, preview: Path, out: Path, *,
               previous: Previous | None = None) -> PaperCopy:
    """The app's preview of `item` (`preview`, its A3 sheets as they will print) for `paper`: the
    preview itself on A3, its sheets tiled onto A4 (the very sheets: imposed, not drawn again),
    or the item laid out anew in its format's A4 edition (refused in words where there is none).
    Pure of Qt, so the app runs it in a worker."""
    if paper == A3:
        pdf = preview.read_bytes()
        return PaperCopy(preview, paper, count_pages(pdf), papers=papers_of(pdf))
    if paper.fit:
        result = render_item(item, layouts.a4_edition(), place, out, previous=previous)
        return PaperCopy(out, paper, result.sheets, papers=papers_of(out.read_bytes()))
    layout = layouts.for_category(item.category if item.supersedes is None else "correction")
    tiled = tile(preview.read_bytes(), [frame_of(layout)], out)
    return PaperCopy(out, paper, tiled.pages, tiled.split, tiled.halves, papers_of(out.read_bytes()))


def a4_edition_missing(item: Item, layouts: LayoutSet) -> str | None:
    """Why the item has no A4 edition (its format declares none), in words; None when it has."""
    try:
        layouts.a4_edition().for_category(item.category if item.supersedes is None else "correction")
    except BadInput as exc:
        return exc.message
    return None


def note_went_out(archive: Archive, printed: Iterable[tuple[int, str]], how: str) -> bool:
    """Note that reviewed items (database id, content hash) went out to the public now, where
    nothing earlier is noted: the app's print and 另存为 PDF of its preview. False when the
    archive cannot be written (nothing noted; the seal's time then bounds the record)."""
    printed = list(printed)
    if not printed:
        return True
    if not archive.may_write:
        return False
    with archive.writing() as session:
        return record_first_public(session, printed, how)


def _for_printing(archive: Archive) -> AbstractContextManager[Session]:
    """Printing reads; on an archive that can be written it also notes what went out, committed
    with the file written."""
    return archive.writing() if archive.may_write else archive.reading()


def render_board(session: Session, layouts: LayoutSet, village_name: str, period: Period, out: Path, *,
                 category: str | None = None, item_id: int | None = None, base_url: str | None = None,
                 progress: Callable[[int], None] | None = None, how: str = "render",
                 paper: Paper = A3) -> RenderResult:
    """Posters of a village's quarter (or one item) into `out`, for `paper`; nothing is written on
    error.

    Reviewed items printed for the first time are noted as gone out to the public (`how`), in the
    session's transaction: the caller commits it with the file written.
    """
    if not paper.tiled:
        return _render_board(session, layouts.a4_edition() if paper.fit else layouts, village_name, period,
                             out, category=category, item_id=item_id, base_url=base_url, progress=progress,
                             how=how, fit=paper.fit)
    check_target(out, "拼贴的 A4 海报")  # said now, not after the A3 sheets are drawn
    with tempfile.TemporaryDirectory(prefix="zwgk-tile-") as folder:
        whole = Path(folder) / "a3.pdf"
        result = _render_board(session, layouts, village_name, period, whole, category=category,
                               item_id=item_id, base_url=base_url, progress=progress, how=how)
        tiled = tile(whole.read_bytes(), result.frames, out)
    result.sheets, result.split = tiled.pages, tiled.split
    # A seam that had to cross text (no gap in a sheet's overlap) is said, never left to be found.
    result.warnings += [Problem(warning) for warning in tiled.warnings]
    return result


def _render_board(session: Session, layouts: LayoutSet, village_name: str, period: Period, out: Path, *,
                  category: str | None, item_id: int | None, base_url: str | None,
                  progress: Callable[[int], None] | None, how: str, fit: bool = False) -> RenderResult:
    if category is not None:
        category_of(category)  # an unknown category is named before anything else is read
    village = store.find_village(session, village_name)
    period = check_period(catalogue_of(layouts), village, period, category)  # a month only if monthly
    url = (base_url or village.township.base_url or "").rstrip("/")
    if not url:
        raise BadInput(f"还没有设置网上公开地址，二维码无处可指：请先{choices.BASE_URL}")
    url = checked_base_url(url)  # the check `zwgk init` makes: what the QR codes carry
    items = store.selected_items(session, village, period, category, item_id)
    public, withheld = store.public_only(items)
    result = RenderResult(base_url=url, withheld=withheld)
    if not public:
        which = f"事项 {item_id} 的" if item_id is not None else "这些事项的"
        raise BadInput(f"{which}公开属性不是“主动公开”，不能上公开栏")
    problems = store.check_stored(public)
    if problems:
        raise BadInput(f"有 {len(problems)} 处错误，不能打印（请先改正）：", problems)
    place = store.place_of(village)
    # A sealed item reprints exactly as sealed, unless the QR codes are to lead elsewhere
    # (`--base-url`): its sealed sheets carry the stored address.
    as_sealed = url == (village.township.base_url or "").rstrip("/")
    sealed = _sealed_sheets(session, public) if as_sealed else {}
    fresh = [item for item in public if item.id not in sealed]
    posters = posters_for(fresh, layouts, place, url, result, previous_versions(session, fresh, layouts, place))
    if fit and sealed:
        # The A4 edition of a sealed item is laid out again from the content its seal holds (not
        # from its rows today), so it prints the sealed 验证码; its sealed A3 sheets stay as sealed.
        posters = _relaid(public, sealed, posters, layouts, place, url, result, _SealedFrames(session, layouts))
        sealed = {}
    if not sealed:
        result.sheets = write_pdf(posters, out, progress=progress)
        result.frames = [frame_of(p.board.layout) for p in posters for _ in p.board.sheets]
        result.recorded = record_first_public(session, result.printed, how)
        return result
    # With today's formats (a new pack, say) a sealed item's sheet would carry another 验证码
    # than the archive and the online copy hold.
    made = iter(zip(result.items, posters, strict=True))
    result.items = []
    parts: list[Poster | bytes] = []
    for item in public:
        if item.id in sealed:
            content, pdf = sealed[item.id]
            result.items.append(PublicItem.from_canonical(json.loads(content)))
            parts.append(pdf)
        else:
            shown, poster = next(made)
            result.items.append(shown)
            parts.append(poster)
    result.sheets = write_with_sealed(parts, out, progress, result.items)
    framing = _SealedFrames(session, layouts)
    result.frames = [frame for item, part, shown in zip(public, parts, result.items, strict=True)
                     for frame in ([frame_of(part.board.layout)] * len(part.board.sheets) if isinstance(part, Poster)
                                   else [framing.of(item, shown.category)] * count_pages(part))]
    result.recorded = record_first_public(session, result.printed, how)
    return result


def _relaid(public: list[Item], sealed: dict[int, tuple[str, bytes]], fresh: list[Poster], layouts: LayoutSet,
            place: Place, url: str, result: RenderResult, recorded: _SealedFrames) -> list[Poster]:
    """Every item's posters in order, the sealed ones laid out anew from their sealed content in
    the A4 edition of the format their seal recorded (its `[a4]` table, kept in the archive with
    the layout text), or where that format had none, in today's (`layouts`, the A4 editions). A
    format that no longer fits the sealed content (other columns) is refused in words: its
    sheets would not be the sealed item's."""
    made = iter(zip(result.items, fresh, strict=True))
    result.items = []
    posters = []
    for item in public:
        if item.id not in sealed:
            shown, poster = next(made)
            result.items.append(shown)
            posters.append(poster)
            continue
        content = PublicItem.from_canonical(json.loads(sealed[item.id][0]))
        layout = recorded.a4_of(item, content.category) or layouts.for_category(content.category)
        headers = ((layout.number_header,) if layout.number_header else ()) + tuple(c.header for c in layout.columns)
        if content.layout_id != layout.id or (content.headers and content.headers != headers):
            raise BadInput(f"事项 {content.item_id}“{content.heading}”封存时用的版式（{content.layout_id}）与现行的"
                           f"“{layout.name}”不同，不能按 A4 版式重排；请用{choices.TILED}")
        aligns = (("center",) if layout.number_header else ()) + tuple(c.align for c in layout.columns)
        content = PublicItem.from_canonical(json.loads(sealed[item.id][0]), aligns)
        board = layout_board(content, layout, fonts.text_width, place.supervision_phones)
        result.items.append(content)
        posters.append(Poster(board, content.url(url)))
    return posters


class _SealedFrames:
    """Where a sealed sheet's margins and QR code are, for tiling it: from the format its seal
    recorded (the sheets were drawn with it, whatever the township's formats are now); from the
    format in force for a seal that recorded none (seals before format 4)."""

    def __init__(self, session: Session, layouts: LayoutSet) -> None:
        from zwgk_desktop.archive.rederive import Rederiver

        self.session, self.layouts, self.rederiver = session, layouts, Rederiver(session)

    def recorded_layout(self, item: Item, category: str) -> Layout | None:
        """The format (A3, with its `[a4]` if it had one) the item's seal recorded, labelled as its
        sheets print; None for a seal that recorded none."""
        from sqlalchemy import select

        from zwgk_desktop.db.models import Seal, SealedItem

        made_with = self.session.scalar(select(Seal.made_with).join(SealedItem, SealedItem.seal_id == Seal.id)
                                        .where(SealedItem.item_id == item.id))
        recorded = self.rederiver.recorded(made_with) if made_with else None
        if recorded is None or isinstance(recorded, str) or category not in recorded.made.layouts:
            return None
        return recorded.layouts.for_category(category).labelled(recorded.made.labels.get(category, ""))

    def of(self, item: Item, category: str) -> Frame:
        layout = self.recorded_layout(item, category)
        return frame_of(layout if layout is not None else self.layouts.for_category(category))

    def a4_of(self, item: Item, category: str) -> Layout | None:
        """The A4 edition the seal's own format declared; None where it declared none (today's then)."""
        layout = self.recorded_layout(item, category)
        return layout.a4 if layout is not None else None


def _sealed_sheets(session: Session, items: list[Item]) -> dict[int, tuple[str, bytes]]:
    """For each sealed item among `items`: its public content and its sheets, as sealed."""
    from zwgk_desktop.archive.browse import sealed_pdf

    found = {}
    for item in items:
        content = store.sealed_content(session, item.id) if item.id is not None else None
        pdf = sealed_pdf(session, item.id) if content is not None and item.id is not None else None
        if content is not None and pdf is not None and item.id is not None:
            found[item.id] = (content, pdf)
    return found




# ---------------------------------------------------------------------------------------------
# Batch printing for the township office.


@dataclass(frozen=True)
class VillageResult:
    village: str
    code: str
    path: Path | None  # None: nothing printed (no items, or a problem)
    sheets: int = 0
    items: int = 0
    drafts: int = 0
    problem: str = ""
    blocked: bool = False  # the problem is the computer's (a full disk), not the village's
    recorded: bool = True  # False: printed from an archive that cannot note what went out
    split: int = 0  # A3 sheets tiled onto two A4 each
    papers: Papers = ()  # the pages written, per paper (from the PDF)
    # What the village's render warned of (a seam that crosses text, a small QR code): said by the
    # batch as by `zwgk render`, not dropped.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchResult:
    output: Path
    villages: tuple[VillageResult, ...] = field(default=())
    cancelled: bool = False
    paper: Paper = A3

    @property
    def sheets(self) -> int:
        return sum(v.sheets for v in self.villages)

    @property
    def said(self) -> str:
        return sheets_said(added(*(v.papers for v in self.villages)), self.paper, sum(v.split for v in self.villages))

    @property
    def printed(self) -> list[VillageResult]:
        return [v for v in self.villages if v.path is not None]

    @property
    def recorded(self) -> bool:
        return all(v.recorded for v in self.printed)


def chosen_villages(archive: Archive, villages: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(name, code) of the villages named (by name or code), or of every village when none is."""
    wanted = list(villages)
    with archive.reading() as session:
        found = [store.find_village(session, v) for v in wanted] if wanted else store.villages(session)
        return [(v.name, v.code) for v in found]


def print_villages(archive: Archive, period: Period, villages: list[tuple[str, str]], out: Path, *,
                   one_file: bool, base_url: str | None = None, workers: int | None = None,
                   progress: Callable[[int, int, VillageResult], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False, paper: Paper = A3) -> BatchResult:
    """Each village's board (name, code) into `out/{code}-{period}.pdf`, or all of them into the
    one file `out` for one print job; in separate processes, so both cores work. Cancelled (or
    Ctrl-C), the villages already printed stay in the folder; the one file is not written."""
    if not villages:
        raise BadInput("没有选中任何村")
    if base_url:
        checked_base_url(base_url)
    if one_file and not out.parent.is_dir():  # said now, not after twenty villages are printed
        raise BadInput(f"无法写出 {out}：文件夹 {out.parent} 不存在")
    if one_file and not os.access(out.parent, os.W_OK):
        raise BadInput(f"无法写出 {out}：文件夹 {out.parent} 没有写入权限")
    folder = Path(tempfile.mkdtemp(prefix="zwgk-batch-")) if one_file else out
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"无法创建目录 {folder}：{why(exc)}") from None
    spec = archive.spec
    count = workers or min(len(villages), os.cpu_count() or 1)
    finished: dict[int, VillageResult] = {}
    stopped = False
    try:
        with process_pool(count, initializer=_warm_up) as pool:
            with starting_children():  # submitting starts the workers
                jobs: dict[Future[VillageResult], int] = {
                    pool.submit(_render_one, spec, village, str(period), str(folder / f"{village[1]}-{period}.pdf"),
                                base_url, paper): index
                    for index, village in enumerate(villages)}
            pending = dict(jobs)
            while pending:
                try:
                    done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    stop = cancelled()
                except KeyboardInterrupt:  # Ctrl-C: stop as 取消 does (the workers leave it to us)
                    done, stop = set(), True
                for future in done:
                    index = pending.pop(future)
                    finished[index] = future.result()
                    if progress:
                        progress(len(finished), len(villages), finished[index])
                if stop:
                    stopped = True
                    for future in pending:
                        future.cancel()  # not started: never will be
                    break
        # Leaving the pool waited for the villages already being printed: they are on disk now,
        # so they are counted, and the summary says what the folder holds.
        for future, index in jobs.items():
            if index not in finished and future.done() and not future.cancelled() and future.exception() is None:
                finished[index] = future.result()
        results = [finished[i] for i in sorted(finished)]
        if one_file and not stopped and any(v.path is not None for v in results):
            _merge([v.path for v in results if v.path is not None], out)
    finally:
        if one_file:
            shutil.rmtree(folder, ignore_errors=True)  # the parts: in the one file, or of no use
    if one_file:
        # One file for one print job: cancelled, nothing was written, and nothing is said printed.
        results = [replace(v, path=out) if v.path is not None and not stopped
                   else replace(v, path=None, sheets=0, papers=(), problem=v.problem or "已取消")
                   for v in results]
    return BatchResult(out, tuple(results), stopped, paper)


# In a worker process: the archive reopened once (its engine and formats) for all its jobs.
_reopened: dict[Reopen, Archive] = {}


def _render_one(spec: Reopen, village: tuple[str, str], period: str, out: str,
                base_url: str | None, paper: Paper = A3) -> VillageResult:
    """In a worker process: one village's board, on the archive reopened in the parent's mode."""
    name, code = village
    try:
        archive = _reopened.get(spec)
        if archive is None:
            archive = _reopened[spec] = Archive.reopen(spec)
        with _for_printing(archive) as session:
            result = render_board(session, archive.layouts, code, parse_period(period), Path(out),
                                  base_url=base_url, how="batch", paper=paper)
        return VillageResult(name, code, Path(out), result.sheets, len(result.items), len(result.drafts),
                             recorded=result.recorded, split=result.split, papers=papers_of(Path(out).read_bytes()),
                             warnings=tuple(str(w) for w in result.warnings))
    except NotFound as exc:
        return VillageResult(name, code, None, problem=f"没有可打印的事项（{exc.message}）")
    except ZwgkError as exc:
        return VillageResult(name, code, None, problem=str(exc), blocked=isinstance(exc, Blocked))


def _warm_up() -> None:
    """A worker's start: load what rendering needs, then keep it out of the garbage collector's
    scans, as the programs themselves start (zwgk_desktop/launch.py).

    Ctrl-C in a terminal reaches every process of the job: the workers leave it to the parent,
    which stops the batch and says so, instead of each printing a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from zwgk_desktop.render.packs import load_pack_layouts  # noqa: F401  (loaded now, used by every job)
    from zwgk_desktop.render.posters import warm_up

    warm_up()
    gc.freeze()


def _merge(parts: list[Path], out: Path) -> None:
    """One file for one print job, in the order the villages were chosen."""
    from pypdf import PdfWriter

    if not parts:
        raise BadInput("所选的村在这个季度都没有可打印的事项")
    writer = PdfWriter()
    for part in parts:
        writer.append(str(part))
    with replacing(out) as partial, partial.open("wb") as handle:
        writer.write(handle)
