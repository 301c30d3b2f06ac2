"""Putting a quarter on the board: choose the printable items, check them, lay them out and
write the A3 posters. The CLI and the desktop app both call `render_board`."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk_desktop.archive.first_public import record_first_public
from zwgk_desktop.db import store
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.items import REVIEWED, Item
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.render import fonts
from zwgk_desktop.render.board import layout_board
from zwgk_desktop.render.correction import Previous, code_of, public_item
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.public import Place, PublicItem, build_public_item, listed_names
from zwgk_desktop.render.web_address import checked_base_url


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


def posters_for(items: list[Item], layouts: LayoutSet, place: Place, base_url: str,
                result: RenderResult, previous: Mapping[int, Previous] | None = None) -> list[Poster]:
    """Lay out each item (a correction as its 更正公告, `previous` holding what each replaces);
    collect what a person should know (drafts, characters the font lacks)."""
    posters = []
    for item in items:
        public = public_item(item, layouts, place, (previous or {}).get(item.id or 0))
        board = layout_board(public, layouts.for_category(public.category), fonts.text_width,
                             place.supervision_phones)
        draft = item.status != REVIEWED
        posters.append(Poster(board, public.url(base_url), draft=draft))
        result.items.append(public)
        if draft:
            result.drafts.append(public.item_id)
        elif item.id is not None:
            result.printed.append((item.id, public.content_hash))
        missing = fonts.missing_glyphs(public.canonical_json().decode("utf-8"))
        if missing:
            result.warnings.append(Problem(
                f"字体中没有这些字，打印出来会是空白：{''.join(sorted(missing))}（请手写补上）",
                where=f"事项 {public.item_id}“{item.title}”"))
    return posters


def render_board(session: Session, layouts: LayoutSet, village_name: str, period: Quarter, out: Path, *,
                 category: str | None = None, item_id: int | None = None, base_url: str | None = None,
                 progress: Callable[[int], None] | None = None, how: str = "render") -> RenderResult:
    """A3 posters of a village's quarter (or one item) into `out`; nothing is written on error.

    Reviewed items printed for the first time are noted as gone out to the public (`how`), in the
    session's transaction: the caller commits it with the file written.
    """
    if category is not None:
        category_of(category)  # an unknown category is named before anything else is read
    village = store.find_village(session, village_name)
    url = (base_url or village.township.base_url or "").rstrip("/")
    if not url:
        raise BadInput("还没有设置网上公开地址，二维码无处可指：请运行 zwgk init --base-url https://… "
                       "或在 render 时加 --base-url")
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
    if not sealed:
        result.sheets = write_pdf(posters, out, progress=progress)
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
    result.sheets = _write_with_sealed(parts, out, progress)
    result.recorded = record_first_public(session, result.printed, how)
    return result


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


def _write_with_sealed(parts: list[Poster | bytes], out: Path, progress: Callable[[int], None] | None) -> int:
    """The board in order: posters drawn now, sealed sheets copied as they are; whole or nothing."""
    from pypdf import PdfReader, PdfWriter

    from zwgk_desktop.outputs import replacing

    drawn = [part for part in parts if isinstance(part, Poster)]
    writer = PdfWriter()
    with tempfile.TemporaryDirectory(prefix="zwgk-board-") as folder:
        fresh = None
        if drawn:
            write_pdf(drawn, Path(folder) / "drawn.pdf")
            fresh = PdfReader(Path(folder) / "drawn.pdf")
        page = 0
        for part in parts:
            if isinstance(part, Poster):
                assert fresh is not None
                count = len(part.board.sheets)
                for index in range(page, page + count):
                    writer.add_page(fresh.pages[index])
                page += count
            else:
                for sheet in PdfReader(io.BytesIO(part)).pages:
                    writer.add_page(sheet)
            if progress:
                progress(len(writer.pages))
        with replacing(out, "公开栏海报") as partial:
            partial.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as handle:
                writer.write(handle)
    return len(writer.pages)



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


def previous_versions(session: Session, items: list[Item], layouts: LayoutSet, place: Place) -> dict[int, Previous]:
    """For each correction among `items`, the sealed version it replaces, as the public knows it."""
    found = {}
    for item in items:
        if item.supersedes is None or item.id is None:
            continue
        sealed = store.sealed_content(session, item.supersedes)
        if sealed is None:
            continue
        earlier, _ = store.load_item(session, item.supersedes)
        if earlier.supersedes is None:
            content = sealed  # its sheet showed its own content
        else:
            # An earlier correction was sealed as its notice; what it made the item say is its own content.
            own = build_public_item(earlier, layouts.for_category(earlier.category), place)
            content = own.canonical_json().decode("utf-8")
        names = listed_names(earlier, layouts.for_category(earlier.category))
        found[item.id] = Previous(content, code_of(sealed), names)
    return found


def warm_up() -> None:
    """Load the font and what rendering needs (in a render process, before its first job)."""
    fonts.register()
