"""The online copy (`zwgk site`, the app's 导出网上公开件): plan it from the archive, write it
incrementally into a folder, or check a written one against the archive.

Every reviewed 主动公开 item of every village and quarter gets a page at the URL its sheets' QR codes
carry (`{village}/{period}/{number}.html`), its sheets as a PDF and its public content as JSON;
each quarter and village gets an index, and each village its seals list (`seals.html`,
`seals.json`: archive/anchors.py), the anchor a later `zwgk verify --against` compares with.
Drafts and items that are not 主动公开 are never written. A sealed item is shown exactly as sealed
(same bytes, same 验证码), even if a layout has changed since. Writing is incremental: a file is
rewritten only when its content changed, and a manifest records what each file was made from
(render/site_folder.py: the folder's rules, pure of the database), so a sheet is not rendered
again for nothing and files this program wrote that are no longer wanted are removed; nothing else
in the folder is touched, nothing outside it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.archive.anchors import published_seals
from zwgk_desktop.archive.first_public import record_first_public
from zwgk_desktop.archive.versions import previous_versions
from zwgk_desktop.db import links, store
from zwgk_desktop.db.models import Attachment, DisclosureItem, SealedItem, public_number
from zwgk_desktop.domain.categories import ALL_CATEGORIES, CATEGORIES
from zwgk_desktop.domain.items import PUBLIC, REVIEWED, Item
from zwgk_desktop.domain.place import Place
from zwgk_desktop.domain.web_address import checked_base_url
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.outputs import cannot_write
from zwgk_desktop.render import open_data, seal_list, site
from zwgk_desktop.render.correction import Previous, code_of, public_item
from zwgk_desktop.render.layout import Layout, LayoutSet
from zwgk_desktop.render.pdf import write_pdf
from zwgk_desktop.render.posters import RenderResult, posters_for
from zwgk_desktop.render.public import PublicItem, item_url
from zwgk_desktop.render.site_folder import (
    MANIFEST,
    RETIRED,
    ROBOTS,
    SITE_FORMAT,
    Planned,
    inside,
    is_current,
    is_link,
    linked_folder,
    names_private_persons,
    read_manifest,
    refuse_links_and_foreign_robots,
    sha,
    unknown_files,
    write_atomically,
)


@dataclass
class SiteResult:
    folder: Path
    items: int = 0
    withdrawn: int = 0
    files: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    recorded: bool = True  # False: the archive is read-only, so when items went online was not noted


def plan_site(session: Session, layouts: LayoutSet, base_url: str, today: date,
              published: list[tuple[int, str]] | None = None) -> dict[str, Planned]:
    """Every file the online copy should hold, by its path under the site's folder; `published`
    collects the unsealed items whose pages go out (database id, content hash)."""
    township = store.get_township(session)
    if township is None:
        raise BadInput("数据库中还没有乡镇：请先运行 zwgk init 或 zwgk demo")
    licence = township.open_data_licence or ""
    files: dict[str, Planned] = {site.STYLESHEET: Planned("", site.stylesheet())}
    villages = []
    index: list[tuple[dict[str, Any], bool]] = []  # the township's open data index: (row, names persons)
    for village in store.villages(session):
        place = store.place_of(village)
        by_period = _village_items(session, layouts, village.id, place, base_url, today, files, published,
                                   licence, index)
        for retired in store.retired_numbers(session, village):  # a deleted item's QR leads here
            page = f"{village.code}/{retired.period}/{retired.number}"
            notice = site.withdrawn_page(township.name, village.name, retired.period, retired.number,
                                         place.supervision_phones, licence)
            files[f"{page}.html"] = Planned(f"{RETIRED}{sha(notice)}", notice)
            record = {"number": retired.number, "period": retired.period, "village_code": village.code,
                      "withdrawn": "该公告已撤回，不再公开"}
            files[f"{page}.json"] = Planned("", site.to_json({**record, "licence": licence}))
            files[f"{page}.csv"] = Planned("", open_data.csv_table(open_data.RETIRED_COLUMNS, [record]))
        for period, entries in by_period.items():
            folder = f"{village.code}/{period}"
            # An index listing such an item shows its title, which may name the household too.
            private = any(entry.private for entry in entries)
            # A photo of the board shows its lists: once a list naming households is taken down
            # (its 公示期 over), the quarter's photos go down with it; the archive keeps them.
            taken_down = any(entry.private and entry.withdrawn for entry in entries)
            pictures = [] if taken_down else _plan_pictures(session, village.code, period, folder, files)
            files[f"{folder}/index.html"] = Planned(
                "", site.quarter_page(township.name, village.name, period, entries, licence, pictures,
                                      photos_taken_down=taken_down and _has_photos(session, village.id, period)),
                private=private)
            listed = site.quarter_data(village.name, village.code, period, entries)
            files[f"{folder}/index.json"] = Planned("", site.to_json({**listed, "licence": licence}),
                                                    private=private)
            files[f"{folder}/index.csv"] = Planned(
                "", open_data.csv_table(open_data.QUARTER_COLUMNS, listed["items"]), private=private)
        periods = [(period, len(entries)) for period, entries in sorted(by_period.items(), reverse=True)]
        seals = published_seals(session, village)
        files[f"{village.code}/index.html"] = Planned("", site.village_page(township.name, village.name, periods,
                                                                             len(seals), licence))
        files[f"{village.code}/{seal_list.SEAL_PAGE}"] = Planned(
            "", site.seals_page(township.name, village.name, seals, licence))
        seal_document = seal_list.document(township.name, village.name, village.code, seals)
        files[f"{village.code}/{seal_list.SEAL_LIST}"] = Planned("", site.to_json({**seal_document,
                                                                                   "licence": licence}))
        files[f"{village.code}/{seal_list.SEAL_LIST.rpartition('.')[0]}.csv"] = Planned(
            "", open_data.csv_table(open_data.SEAL_COLUMNS, seal_document["seals"]))
        villages.append((village.name, village.code, len(periods)))
    files["index.html"] = Planned("", site.township_page(township.name, villages, licence))
    _plan_open_data(files, layouts, township.name, licence, index)
    files[ROBOTS] = Planned("", site.robots_txt(urlsplit(base_url).path, sorted(
        {name.rpartition(".")[0] + "." for name, planned in files.items() if planned.private})))
    for planned in files.values():
        if planned.data is not None and not planned.source:
            planned.source = sha(planned.data)
    return files


def _plan_pictures(session: Session, village_code: str, period: str, folder: str,
                   files: dict[str, Planned]) -> list[site.OnlinePicture]:
    """The quarter's photos of the posted board, and its public vouchers (images only: a PDF's
    metadata cannot be stripped as surely), each as a copy without metadata made when first written."""
    from zwgk_desktop.archive.seal_attachments import KIND_NAMES
    from zwgk_desktop.io.pictures import PDF_TYPE, PUBLIC_LONG_SIDE, public_copy, taken_at_shown
    from zwgk_desktop.office.attachments import attachments_of

    pictures = []
    for shown in attachments_of(session, village=village_code, period=period):
        if not shown.public or shown.media_type == PDF_TYPE:
            continue
        name = f"photos/{shown.sha256[:20]}.jpg"

        def make(attachment_id: int = shown.id) -> bytes:
            return public_copy(session.scalar(select(Attachment.data).where(Attachment.id == attachment_id)) or b"")

        files[f"{folder}/{name}"] = Planned(f"public-copy:{shown.sha256}:{PUBLIC_LONG_SIDE}", make=make)
        caption = KIND_NAMES[shown.kind] if shown.item is None else f"凭证：事项 {shown.item} 第 {shown.row} 行"
        pictures.append(site.OnlinePicture(name, caption, taken_at_shown(shown.taken_at)))
    return pictures


def _has_photos(session: Session, village_id: int, period: str) -> bool:
    return session.scalar(select(Attachment.id).where(Attachment.village_id == village_id,
                                                      Attachment.period == period).limit(1)) is not None


def _plan_open_data(files: dict[str, Planned], layouts: LayoutSet, township: str, licence: str,
                    index: list[tuple[dict[str, Any], bool]]) -> None:
    """The township's open data (render/open_data.py): its index of every published item, each
    category's schema, and the page that explains them. The index lists titles, which may name a
    household (as a quarter's index does): it is kept from search engines when any item is."""
    rows = [row for row, _ in index]
    private = any(names for _, names in index)
    files[f"{open_data.ITEMS}.json"] = Planned(
        "", open_data.to_json(open_data.index_document(township, licence, rows)), private=private)
    files[f"{open_data.ITEMS}.csv"] = Planned("", open_data.csv_table(open_data.INDEX_COLUMNS, rows),
                                              private=private)
    categories = []
    for code, category in ALL_CATEGORIES.items():
        try:
            layout = layouts.for_category(code)
        except BadInput:
            continue  # a format folder without this category's format publishes none of it
        categories.append(open_data.category_schema(category, layout))
    document = open_data.schema_document(categories, licence)
    files[f"{open_data.SCHEMA}.json"] = Planned("", open_data.to_json(document))
    files[f"{open_data.SCHEMA}.csv"] = Planned("", open_data.schema_csv(document))
    files[open_data.PAGE] = Planned("", site.data_page(
        township, len(rows), open_data.INDEX_COLUMNS,
        [(c["category"], c["category_name"], len(c["fields"])) for c in categories],
        open_data.TYPE_NAMES.items(), licence))


def _layout_of(layouts: LayoutSet, public: PublicItem) -> Layout | None:
    """The format the item's public content was made with, if the folder still holds it."""
    return next((layout for layout in layouts.layouts if layout.id == public.layout_id), None)


def _village_items(session: Session, layouts: LayoutSet, village_id: int, place: Place, base_url: str,
                   today: date, files: dict[str, Planned],
                   published: list[tuple[int, str]] | None = None, licence: str = "",
                   index: list[tuple[dict[str, Any], bool]] | None = None) -> dict[str, list[site.OnlineItem]]:
    records = list(session.scalars(select(DisclosureItem).where(
        DisclosureItem.village_id == village_id, DisclosureItem.status == REVIEWED,
        DisclosureItem.disclosure == PUBLIC).order_by(DisclosureItem.period, DisclosureItem.id)))
    rows = store.load_rows(session, [r.id for r in records])
    items = [store.to_domain(r, rows[r.id]) for r in records]
    numbers = {r.id: public_number(r) for r in records}
    sealed = {}
    for item_id, content, content_hash in session.execute(select(
            SealedItem.item_id, SealedItem.canonical_json, SealedItem.content_hash).where(
            SealedItem.item_id.in_(list(numbers)))):
        if not isinstance(content, str) or sha(content.encode("utf-8")) != content_hash:
            raise _tampered(numbers[item_id], place, "封存的公开内容与封存时的哈希不符")
        sealed[item_id] = content
    replaced = previous_versions(session, items, layouts, place)
    corrected_by = {i.supersedes: i.id for i in items if i.supersedes is not None}
    by_id = {i.id: i for i in items}
    rank = {code: index for index, code in enumerate(CATEGORIES)}
    items.sort(key=lambda i: (str(i.period), rank.get(i.category, len(rank)), i.id or 0))
    by_period: dict[str, list[site.OnlineItem]] = {}
    publics: dict[int, PublicItem] = {}
    for item in items:
        assert item.id is not None
        public = public_item(item, layouts, place, replaced.get(item.id))
        kept = sealed.get(item.id)
        if kept is None and published is not None:
            published.append((item.id, public.content_hash))
        if kept is not None and code_of(kept) != public.code:
            # The layout changed since sealing: the page shows what was sealed and printed.
            public = PublicItem.from_canonical(json.loads(kept), public.aligns)
        publics[item.id] = public
    chains = links.chains(session, village_id)
    township = store.get_township(session)
    objection_url = (township.objection_url or "") if township is not None else ""
    for item in items:
        assert item.id is not None
        public, kept = publics[item.id], sealed.get(item.id)
        layout = layouts.for_category(item.category)
        withdrawn = (layout.withdraw_online_after_publicity and item.publicity_end is not None
                     and item.publicity_end < today)
        newer = corrected_by.get(item.id)
        private = _private_in_any_version(session, item, by_id)
        entry = site.OnlineItem(
            public=public, phones=place.supervision_phones, withdrawn=withdrawn,
            corrected_by=numbers.get(newer) if newer is not None else None,
            corrects=numbers.get(item.supersedes) if item.supersedes is not None else None, private=private,
            chain=_chain(item.id, chains.get(item.id, []), publics, by_id), objection_url=objection_url)
        by_period.setdefault(str(item.period), []).append(entry)
        folder = f"{place.village_code}/{item.period}/{entry.number}"
        source = public.content_hash
        files[f"{folder}.html"] = Planned("", site.item_page(entry, place.township, base_url, licence),
                                          private=private)
        # Beside the public content (the 验证码's), outside it: the same cells typed, and the licence.
        layout_made = _layout_of(layouts, public)
        values = None if layout_made is None else open_data.item_values(public, layout_made, withdrawn=withdrawn)
        files[f"{folder}.json"] = Planned("", open_data.to_json(
            {**site.item_data(entry), "values": values, "licence": licence}), private=private)
        files[f"{folder}.csv"] = Planned("", open_data.item_csv(public, layout_made, values, withdrawn=withdrawn),
                                         private=private)
        if index is not None:
            index.append((open_data.index_row(
                public, item_url(base_url, place.village_code, public.period, entry.number, public.code),
                corrected_by=entry.corrected_by, corrects=entry.corrects, withdrawn=withdrawn), private))
        if not withdrawn:
            files[f"{folder}.pdf"] = Planned(
                f"{source}:{'sealed' if kept is not None else base_url}",
                make=_pdf_maker(session, item, kept is not None, layouts, place, base_url, replaced),
                private=private)
    return by_period


def _chain(item_id: int, members: list[int], publics: dict[int, PublicItem],
           by_id: dict[int | None, Item]) -> tuple[site.ChainLink, ...]:
    """The item's chain as its page lists it: the published items linked to it (db.links), oldest
    first, each with its 验证码; none when it links to no published item."""
    shown = [member for member in members if member in publics]
    if len(shown) < 2:
        return ()
    found = []
    for member in shown:
        public, item = publics[member], by_id[member]
        corrects = item.supersedes
        found.append(site.ChainLink(
            number=public.item_id, period=public.period, category_name=public.category_name,
            title=public.item_title or public.heading, code=public.code, here=member == item_id,
            corrects=publics[corrects].item_id if corrects in publics else None))
    return tuple(found)


def _private_in_any_version(session: Session, item: Item, by_id: dict[int | None, Item]) -> bool:
    """A correction's 更正公告 quotes what the replaced version said (原为), so it names whom
    any version it replaces named."""
    version: Item | None = item
    while version is not None:
        if names_private_persons(version):
            return True
        earlier = version.supersedes
        version = None if earlier is None else (by_id.get(earlier) or store.load_item(session, earlier)[0])
    return False


def _tampered(number: int, place: Place, what: str) -> BadInput:
    """A sealed item that no longer matches its seal is never published: the page would carry
    content the 验证码 does not vouch for."""
    return BadInput(f"{place.village} 事项 {number}：{what}（档案可能被改动），已停止导出。"
                    "请先运行 zwgk verify 查明")


def _pdf_maker(session: Session, item: Item, is_sealed: bool, layouts: LayoutSet, place: Place, base_url: str,
               replaced: dict[int, Previous]) -> Callable[[], bytes]:
    if is_sealed:
        # The sheets exactly as printed and sealed.
        def stored() -> bytes:
            from zwgk_desktop.archive.browse import sealed_pdf

            pdf = sealed_pdf(session, item.id or 0) or b""
            expected = session.scalar(select(SealedItem.pdf_hash).where(SealedItem.item_id == item.id))
            if sha(pdf) != expected:
                raise _tampered(item.public_number or 0, place, "封存的海报 PDF 与封存时的哈希不符")
            return pdf
        return stored

    def rendered() -> bytes:
        result = RenderResult(base_url=base_url)
        posters = posters_for([item], layouts, place, base_url, result, replaced)
        with tempfile.TemporaryDirectory(prefix="zwgk-site-") as folder:
            out = Path(folder) / "sheet.pdf"
            write_pdf(posters, out)
            return out.read_bytes()
    return rendered



# ---------------------------------------------------------------------------------------------
# Writing and checking.


def write_site(session: Session, layouts: LayoutSet, folder: Path, base_url: str, *, today: date | None = None,
               progress: Callable[[int, int], None] | None = None) -> SiteResult:
    """Write the online copy into `folder`, rewriting only what changed."""
    base_url = checked_base_url(base_url)
    published: list[tuple[int, str]] = []
    plan = plan_site(session, layouts, base_url, today or date.today(), published)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(f"无法创建目录 {folder}", exc) from None
    old = read_manifest(folder)
    refuse_links_and_foreign_robots(folder, plan, old)
    result = SiteResult(folder, files=len(plan))
    manifest: dict[str, dict[str, str]] = {}
    try:
        for done, (name, planned) in enumerate(sorted(plan.items()), start=1):
            if is_current(folder, name, planned, old):
                digest = old[name]["sha256"] if planned.data is None else sha(planned.data)
            else:
                data = planned.data if planned.data is not None else planned.make()  # type: ignore[misc]
                write_atomically(folder / name, data)  # replaces a link there, never writes through it
                result.written.append(name)
                digest = sha(data)
            manifest[name] = {"sha256": digest, "source": planned.source}
            if progress:
                progress(done, len(plan))
        for name in sorted(set(old) - set(plan)):
            stale = inside(folder, name)
            if stale is None or stale.suffix not in (".html", ".json", ".pdf", ".csv", ".jpg"):
                continue  # not a name this program writes, or reached through a link: not ours to delete
            if is_link(stale) or stale.is_file():  # a link itself is removed, never what it points at
                stale.unlink()
                result.removed.append(name)
        document = {"format": SITE_FORMAT, "base_url": base_url, "files": manifest}
        write_atomically(folder / MANIFEST, json.dumps(document, ensure_ascii=False, indent=1,
                                                        sort_keys=True).encode("utf-8"))
    except OSError as exc:
        raise cannot_write(f"无法写入 {folder}（已写出的文件完好，再次导出会补齐）", exc) from None
    pages = [name for name, planned in plan.items() if name.endswith(".html") and name.count("/") == 2
             and not name.endswith("index.html") and not planned.source.startswith(RETIRED)]
    result.items = len(pages)
    result.withdrawn = sum(1 for name in pages if f"{name[:-5]}.pdf" not in plan)
    result.recorded = record_first_public(session, published, "site")
    return result


def check_site(session: Session, layouts: LayoutSet, folder: Path, base_url: str, *,
               today: date | None = None) -> tuple[int, list[Problem]]:
    """Compare a written online copy with the archive: every file present and as it should be."""
    if not folder.is_dir():
        raise BadInput(f"{folder} 不是网上公开件的目录" + ("（这是一个文件）" if folder.exists() else "（不存在）"))
    if not (folder / MANIFEST).exists():
        raise BadInput(f"{folder} 中没有网上公开件（缺少 {MANIFEST}）：请先用 zwgk site -o {folder} 导出")
    base_url = checked_base_url(base_url)
    plan = plan_site(session, layouts, base_url, today or date.today())
    old = read_manifest(folder)
    problems = []
    for name, planned in sorted(plan.items()):
        path = folder / name
        if is_link(path) or linked_folder(folder, name) is not None:
            problems.append(Problem("是链接，不是导出的文件（重新导出会换成真正的文件）", where=name))
        elif not path.exists():
            problems.append(Problem("缺少此文件（请重新导出）", where=name))
        elif not is_current(folder, name, planned, old):
            if planned.data is None:
                expected = planned.make()  # type: ignore[misc]
                if path.read_bytes() == expected:
                    continue
            problems.append(Problem("内容与档案不符（被改动，或已过时需重新导出）", where=name))
    for name in sorted(set(old) - set(plan)):
        if (folder / name).exists():
            problems.append(Problem("档案中已没有此内容，应删除（重新导出会删除）", where=name))
    for name in unknown_files(folder, set(plan) | set(old)):
        problems.append(Problem("不是从档案导出的文件（可能是伪造的公告），请查明后删除", where=name))
    return len(plan), problems


def stored_base_url(session: Session) -> str:
    township = store.get_township(session)
    return township.base_url if township else ""


def summary(result: SiteResult) -> dict[str, Any]:
    return {"folder": str(result.folder), "items": result.items, "withdrawn": result.withdrawn,
            "files": result.files, "written": len(result.written), "removed": len(result.removed)}


# ---------------------------------------------------------------------------------------------
# The use cases.


@dataclass(frozen=True)
class SiteChecked:
    """A written online copy compared with the archive."""

    folder: Path
    base_url: str
    stored_base_url: str  # the address the printed QR codes carry
    files: int
    problems: tuple[Problem, ...]


def stored_address(archive: Archive) -> str:
    """The online copy's address the archive holds (what the printed QR codes carry), or ""."""
    with archive.reading() as session:
        return stored_base_url(session)


def _base_url(session: Session, given: str | None) -> tuple[str, str]:
    stored = stored_base_url(session)
    base_url = given or stored
    if not base_url:
        raise BadInput("还没有设置网上公开地址：请用 --base-url 给出，或 zwgk init --base-url …")
    return base_url, stored


def write_online_copy(archive: Archive, folder: Path, base_url: str | None = None, *,
                      progress: Callable[[int, int], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> tuple[SiteResult, str]:
    """Write the online copy into `folder` (the stored address unless `base_url`); returns what
    was written and the stored address (the QR codes' own, to warn when `base_url` differs).

    On an archive that can be written, when items first went online is noted, committed with the
    files written; on one that cannot (read-only media), the copy is written all the same.
    """
    def told(done: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise KeyboardInterrupt
        if progress is not None:
            progress(done, total)

    with archive.writing() if archive.may_write else archive.reading() as session:
        url, stored = _base_url(session, base_url)
        return write_site(session, archive.layouts, folder, url, progress=told), stored


def check_online_copy(archive: Archive, folder: Path, base_url: str | None = None) -> SiteChecked:
    """Compare the online copy in `folder` with the archive: every file present and as it should be."""
    with archive.reading() as session:
        url, stored = _base_url(session, base_url)
        checked, problems = check_site(session, archive.layouts, folder, url)
    return SiteChecked(folder, url, stored, checked, tuple(problems))
