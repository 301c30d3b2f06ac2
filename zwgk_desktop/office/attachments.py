"""Photos of the posted board (公开栏照片) and vouchers of finance lines (凭证): what `zwgk photo`
and `zwgk voucher` do, and the app's 添加照片 / drag and drop, its row's 凭证 and the archive
browser's photos.

Every file of a batch is read and checked before anything is stored: one bad file (not an image,
cut short, a HEIC, a bomb) and none of them is kept. Photos are sealed with their quarter; one
added after the quarter was sealed waits for the next `zwgk seal`, which seals it as the next link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.archive.first_public import HOW
from zwgk_desktop.archive.seal_attachments import KIND_NAMES
from zwgk_desktop.archive.seal_fields import utc_now_text
from zwgk_desktop.db import store
from zwgk_desktop.db.models import Attachment, DisclosureItem, FirstPublic, ItemRow, SealedItem, Village, public_number
from zwgk_desktop.domain.periods import Period, quarter_of
from zwgk_desktop.errors import BadInput, NotFound, Problem
from zwgk_desktop.io.pictures import Picture, read_picture
from zwgk_desktop.office.handle import Archive

# A camera's clock is set by whoever holds the phone: said wherever a photo's time is shown.
CLOCK_CAVEAT = ("照片的拍摄时间来自相机或手机自己的时钟，可以被随意调整，单独不能证明公开栏何时张贴；"
                "请与本程序记录的首次打印/导出时间对照")
MOST_FILES = 60  # one batch: a quarter's photos are a few, 20 at most in practice


@dataclass(frozen=True)
class Shown:
    """An attachment as lists and the archive browser show it (never its bytes)."""

    id: int
    kind: str  # photo / voucher
    village: str  # its name
    village_code: str
    period: str
    name: str
    media_type: str
    sha256: str
    size: int
    taken_at: str | None
    added_at: str
    sealed: bool
    item: int | None = None  # a voucher's item, by its number
    row: int | None = None
    public: bool = True  # shown online (photos: always, as a stripped copy; vouchers: as the format says)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


@dataclass(frozen=True)
class Added:
    attachments: tuple[Shown, ...]
    quarter_sealed: bool  # the quarter was sealed before: they wait for the next seal


@dataclass(frozen=True)
class WentOut:
    """The product's own record of an item of the quarter first printed or exported."""

    item: int  # its number
    title: str
    at: str  # ISO 8601, UTC
    how: str  # in words (archive.first_public.HOW)


def add_photos(archive: Archive, village: str, period: Period, files: Sequence[Path]) -> Added:
    """Attach photos of the posted board to the village's quarter: all of them, or (one file bad)
    none, each refusal naming its file. A month's board is photographed for its quarter, with which
    it is sealed."""
    quarter = quarter_of(period)
    pictures = _read_all(files, allow_pdf=False)
    with archive.writing() as session:
        found = store.find_village(session, village)
        store.hold_village(session, found.id)
        _refuse_twice(session, found, str(quarter), "photo", None, None, pictures)
        made = [_stored(session, found, str(quarter), "photo", None, None, p) for p in pictures]
        session.flush()
        return Added(tuple(_shown(session, a) for a in made), store.quarter_sealed(session, found, str(quarter)))


def add_vouchers(archive: Archive, item_id: int, row: int, files: Sequence[Path]) -> Added:
    """Attach vouchers (images or PDFs) to row `row` (1-based, as the editor numbers its rows) of
    a finance item; all of them or none."""
    pictures = _read_all(files, allow_pdf=True)
    with archive.writing() as session:
        record = session.get(DisclosureItem, item_id)
        if record is None:
            raise NotFound(f"没有编号为 {item_id} 的事项（可能已被删除）")
        store.hold_village(session, record.village_id)
        category = archive.layouts.categories.get(record.category)
        if category is None or not category.vouchers:
            raise BadInput(f"事项 {public_number(record)}“{record.title}”不是财务类事项，不能附凭证"
                           "（类别文件中没有 vouchers_public 一项）")
        rows = session.scalar(select(func.count()).select_from(ItemRow).where(ItemRow.item_id == record.id)) or 0
        if not 1 <= row <= rows:
            raise BadInput(f"事项 {public_number(record)}“{record.title}”没有第 {row} 行（共 {rows} 行）")
        _refuse_twice(session, record.village, record.period, "voucher", record.id, row, pictures)
        made = [_stored(session, record.village, record.period, "voucher", record.id, row, p) for p in pictures]
        session.flush()
        return Added(tuple(_shown(session, a, category.vouchers == "public") for a in made),
                     store.quarter_sealed(session, record.village, record.period))


def _read_all(files: Sequence[Path], *, allow_pdf: bool) -> list[Picture]:
    if not files:
        raise BadInput("没有给出文件")
    if len(files) > MOST_FILES:
        raise BadInput(f"一次最多添加 {MOST_FILES} 个文件，这里有 {len(files)} 个")
    pictures, problems = [], []
    for path in files:
        try:
            pictures.append(read_picture(Path(path), allow_pdf=allow_pdf))
        except BadInput as exc:
            problems.append(Problem(exc.message))  # it names the file
    if problems:
        raise BadInput(f"{len(problems)} 个文件不能保存，所有文件都没有保存：", problems)
    return pictures


def _refuse_twice(session: Session, village: Village, period: str, kind: str, item_id: int | None,
                  row: int | None, pictures: list[Picture]) -> None:
    """The same file twice for one quarter (or row) is a slip, refused before anything is kept."""
    held = set(session.scalars(select(Attachment.sha256).where(
        Attachment.village_id == village.id, Attachment.period == period, Attachment.kind == kind,
        Attachment.item_id.is_(None) if item_id is None else Attachment.item_id == item_id,
        Attachment.row.is_(None) if row is None else Attachment.row == row)))
    seen: set[str] = set()
    for picture in pictures:
        if picture.sha256 in held or picture.sha256 in seen:
            raise BadInput(f"{picture.name} 已经添加过了（内容完全相同）：所有文件都没有保存")
        seen.add(picture.sha256)


def _stored(session: Session, village: Village, period: str, kind: str, item_id: int | None, row: int | None,
            picture: Picture) -> Attachment:
    attachment = Attachment(
        village_id=village.id, period=period, kind=kind, item_id=item_id, row=row, name=picture.name[:200],
        media_type=picture.media_type, sha256=picture.sha256, size=len(picture.data), taken_at=picture.taken_at,
        added_at=utc_now_text(), data=picture.data)
    session.add(attachment)
    return attachment


def _shown(session: Session, a: Attachment, public: bool | None = None) -> Shown:
    village = session.get(Village, a.village_id)
    assert village is not None
    item = session.get(DisclosureItem, a.item_id) if a.item_id is not None else None
    if public is None:
        public = a.kind == "photo" or _vouchers_public(item)
    return Shown(a.id, a.kind, village.name, village.code, a.period, a.name, a.media_type, a.sha256, a.size,
                 a.taken_at, a.added_at, a.seal_id is not None, public_number(item) if item else None, a.row, public)


def _vouchers_public(item: DisclosureItem | None) -> bool:
    from zwgk_desktop.domain.categories import CATEGORIES

    if item is None:
        return False
    category = CATEGORIES.get(item.category)
    return category is not None and category.vouchers == "public"


def listed(archive: Archive, *, village: str | None = None, period: Period | None = None, kind: str | None = None,
           item_id: int | None = None, row: int | None = None) -> list[Shown]:
    """The attachments held, newest quarter first, in the order they were added."""
    with archive.reading() as session:
        return attachments_of(session, village=village, period=str(quarter_of(period)) if period else None,
                              kind=kind, item_id=item_id, row=row)


def attachments_of(session: Session, *, village: str | None = None, period: str | None = None,
                   kind: str | None = None, item_id: int | None = None, row: int | None = None) -> list[Shown]:
    query = select(Attachment)
    if village is not None:
        query = query.where(Attachment.village_id == store.find_village(session, village).id)
    if period is not None:
        query = query.where(Attachment.period == period)
    if kind is not None:
        query = query.where(Attachment.kind == kind)
    if item_id is not None:
        query = query.where(Attachment.item_id == item_id)
    if row is not None:
        query = query.where(Attachment.row == row)
    return [_shown(session, a) for a in session.scalars(query.order_by(Attachment.period.desc(), Attachment.id))]


def attachment_bytes(archive: Archive, attachment_id: int) -> bytes:
    """The attachment exactly as it was given."""
    with archive.reading() as session:
        data = session.scalar(select(Attachment.data).where(Attachment.id == attachment_id))
        if data is None:
            raise NotFound(f"没有第 {attachment_id} 号照片或凭证")
        return bytes(data)


def went_out(session: Session, village_id: int, period: str) -> list[WentOut]:
    """When the product itself first printed or exported each item of the quarter (its own
    record, or as sealed), earliest first: what a photo's camera time is set beside."""
    found: dict[int, WentOut] = {}
    items = {r.id: r for r in session.scalars(select(DisclosureItem).where(
        DisclosureItem.village_id == village_id, DisclosureItem.period == period))}
    records = session.execute(select(FirstPublic.item_id, func.min(FirstPublic.at)).where(
        FirstPublic.item_id.in_(list(items))).group_by(FirstPublic.item_id)).all()
    hows = {(r.item_id, r.at): r.how for r in session.scalars(select(FirstPublic).where(
        FirstPublic.item_id.in_(list(items))))}
    for item_id, at in records:
        record = items[item_id]
        found[item_id] = WentOut(public_number(record), record.title, at, HOW.get(hows.get((item_id, at), ""), "打印"))
    for entry in session.scalars(select(SealedItem).where(SealedItem.item_id.in_(list(items)),
                                                          SealedItem.first_public_at.is_not(None))):
        if entry.item_id not in found and entry.first_public_at:
            record = items[entry.item_id]
            found[entry.item_id] = WentOut(public_number(record), record.title, entry.first_public_at,
                                           HOW.get(entry.first_public_how or "", "打印"))
    return sorted(found.values(), key=lambda w: w.at)


@dataclass(frozen=True)
class QuarterAttachments:
    """What the archive browser shows of a quarter: its photos and vouchers, each with a small
    upright thumbnail (JPEG bytes, no metadata), beside the product's own record of printing."""

    village: str
    period: str
    photos: tuple[tuple[Shown, bytes | None], ...]
    vouchers: tuple[tuple[Shown, bytes | None], ...]
    went_out: tuple[WentOut, ...]


def quarter_attachments(archive: Archive, village: str, period: str, thumbnail: int = 240) -> QuarterAttachments:
    """The village's (by name or code) quarter as the archive browser's 照片和凭证 tab shows it."""
    with archive.reading() as session:
        found = store.find_village(session, village)
        shown = _with_thumbnails(session, attachments_of(session, village=found.code, period=period), thumbnail)
        return QuarterAttachments(found.name, period, tuple(s for s in shown if s[0].kind == "photo"),
                                  tuple(s for s in shown if s[0].kind == "voucher"),
                                  tuple(went_out(session, found.id, period)))


def row_vouchers(archive: Archive, item_id: int, row: int, thumbnail: int = 160) -> list[tuple[Shown, bytes | None]]:
    """The vouchers of one row of an item (the editor's 凭证…), each with a thumbnail."""
    with archive.reading() as session:
        return _with_thumbnails(session, attachments_of(session, kind="voucher", item_id=item_id, row=row), thumbnail)


def _with_thumbnails(session: Session, shown: list[Shown], size: int) -> list[tuple[Shown, bytes | None]]:
    """Each attachment with a small upright copy of it (no metadata); None for a PDF, or bytes
    that no longer read (verify says why)."""
    from zwgk_desktop.io.pictures import PDF_TYPE, public_copy

    found = []
    for a in shown:
        data = session.scalar(select(Attachment.data).where(Attachment.id == a.id))
        try:
            thumb = public_copy(data, size) if data and a.media_type != PDF_TYPE else None
        except (OSError, ValueError):
            thumb = None
        found.append((a, thumb))
    return found
