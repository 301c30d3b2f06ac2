"""Posters for the board, pure of the database: lay out items (a correction as its 更正公告), draw
them to A3 PDF, and put sheets drawn now and sheets kept from a seal into one file in order.
The printing use cases (office/printing.py), the seal and the app's preview call these."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zwgk_desktop.domain.items import REVIEWED, Item
from zwgk_desktop.domain.place import Place
from zwgk_desktop.errors import Problem
from zwgk_desktop.render import fonts, pdfa
from zwgk_desktop.render.board import layout_board
from zwgk_desktop.render.correction import Previous, public_item
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.public import PublicItem
from zwgk_desktop.render.qr import qr_too_small
from zwgk_desktop.render.tiling import Frame


@dataclass
class RenderResult:
    base_url: str
    sheets: int = 0
    items: list[PublicItem] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    withheld: list[Item] = field(default_factory=list)  # 依申请公开 / 不予公开: never on a board
    warnings: list[Problem] = field(default_factory=list)
    # Reviewed items laid out for the public: (database id, content hash), for the record of when
    # each first went out (archive.first_public); `recorded` False if the archive could not note it.
    printed: list[tuple[int, str]] = field(default_factory=list)
    recorded: bool = True
    # Per sheet drawn, what tiling it onto A4 needs to know (its margins, its QR code's place).
    frames: list[Frame] = field(default_factory=list)
    split: int = 0  # tiled: the A3 sheets split onto two A4 each


def posters_for(items: list[Item], layouts: LayoutSet, place: Place, base_url: str,
                result: RenderResult, previous: Mapping[int, Previous] | None = None) -> list[Poster]:
    """Lay out each item (a correction as its 更正公告, `previous` holding what each replaces);
    collect what a person should know (drafts, characters the font lacks)."""
    posters = []
    for item in items:
        public = public_item(item, layouts, place, (previous or {}).get(item.id or 0))
        url = public.url(base_url)
        board = layout_board(public, layouts.for_category(public.category), fonts.text_width,
                             place.supervision_phones, url)
        draft = item.status != REVIEWED
        posters.append(Poster(board, url, draft=draft))
        if board.qr is not None and not board.qr.readable:
            result.warnings.append(Problem(qr_too_small(board.qr), where=f"事项 {public.item_id}“{item.title}”"))
        result.items.append(public)
        if draft:
            result.drafts.append(public.item_id)
        elif item.id is not None:
            result.printed.append((item.id, public.content_hash))
        missing = fonts.missing_glyphs(public.canonical_json().decode("utf-8"))
        if missing:
            result.warnings.append(Problem(
                f"字体中没有这些字，打印出来会是“□”：{''.join(sorted(missing))}（未封存的请改写这些字；已封存的，印出后请手写补上）",
                where=f"事项 {public.item_id}“{item.title}”"))
    return posters


def write_with_sealed(parts: list[Poster | bytes], out: Path, progress: Callable[[int], None] | None,
                      items: list[PublicItem] | None = None) -> int:
    """The board in order: posters drawn now, sealed sheets copied as they are; whole or nothing.

    `items`: the public items of `parts`, in order, to describe the file by. The file is PDF/A
    when every sealed part is (sealed since sheets are PDF/A); otherwise it claims nothing.
    """
    from zwgk_desktop.outputs import replacing

    if len(parts) == 1 and isinstance(parts[0], bytes):
        # One sealed item reprinted: the very file sealed (a join would write another one).
        with replacing(out, "公开栏海报") as partial:
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(parts[0])
        sheets = pdfa.count_pages(parts[0])
        if progress:
            progress(sheets)
        return sheets
    with tempfile.TemporaryDirectory(prefix="zwgk-board-") as folder:
        drawn = [part for part in parts if isinstance(part, Poster)]
        fresh = b""
        if drawn:
            write_pdf(drawn, Path(folder) / "drawn.pdf")
            fresh = (Path(folder) / "drawn.pdf").read_bytes()
        pieces: list[tuple[bytes, range | None]] = []
        page = 0
        for part in parts:
            if isinstance(part, Poster):
                pieces.append((fresh, range(page, page + len(part.board.sheets))))
                page += len(part.board.sheets)
            else:
                pieces.append((part, None))
        described = None
        if items is not None:
            drafts = [isinstance(part, Poster) and part.draft for part in parts]
            described = pdfa.describe(zip(items, drafts, strict=True))
        with replacing(out, "公开栏海报") as partial:
            partial.parent.mkdir(parents=True, exist_ok=True)
            return pdfa.join(pieces, described, partial, progress)


def render_item(item: Item, layouts: LayoutSet, place: Place, out: Path, *, previous: Previous | None = None,
                progress: Callable[[int], None] | None = None) -> RenderResult:
    """One item, as it stands in an editor (saved or not), to the PDF that would print.

    Pure of the database, so the desktop app can call it in a worker thread with a copy of the
    item. The base URL is the place's; without one the QR code points at a placeholder and the
    caller is told. A correction needs `previous`: the version it replaces (`previous_versions`).
    """
    base_url = place.base_url or "https://（未设置网上公开地址）"
    result = RenderResult(base_url=base_url)
    if not place.base_url:
        result.warnings.append(Problem("还没有设置网上公开地址：二维码暂时无效，请在“设置”中填写"))
    replaced = {item.id: previous} if previous is not None and item.id is not None else {}
    posters = posters_for([item], layouts, place, base_url, result, replaced)
    result.sheets = write_pdf(posters, out, progress=progress)
    return result


def warm_up() -> None:
    """Load the font and what rendering needs (in a render process, before its first job)."""
    fonts.register()
    pdfa.warm_up()
