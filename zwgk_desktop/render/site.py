"""The online copy's pages (design §4.4): what a resident reaches by scanning a sheet's QR code.

Pure: public items in, file contents out. Every page is made from `PublicItem`s, the same
whitelisted, masked content the A3 sheets print, so the 验证码 on the page is the one on the
paper. Templates are Jinja2 with autoescaping; pages need no JavaScript and nothing from outside
the site (one stylesheet, the phone's own fonts). A page naming private persons says `noindex`;
`robots_txt` lists the same pages for crawlers that never open them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from zwgk_desktop.domain.periods import Quarter, chinese_moment
from zwgk_desktop.render.public import PublicItem
from zwgk_desktop.render.seal_list import SEAL_PAGE, PublishedSeal, short_fingerprint, signers

STYLESHEET = "site.css"
# Columns beyond which a table becomes cards on a phone: at 320 px even four short columns (a
# correction's 序号 / 位置 / 原为 / 更正为, a bid's 排名) leave the last one hidden off to the side.
_WIDE_COLUMNS = 2


@dataclass(frozen=True)
class ChainLink:
    """One item of a chain of linked items (决议 → 中标 → 进展 → 决算, db.links), as a page lists it."""

    number: int
    period: str
    category_name: str
    title: str
    code: str
    here: bool = False  # the page's own item
    corrects: int | None = None  # a correction: the number of the version it replaces

    def page(self, period: str) -> str:
        """Its page from the page of an item of `period` (the same village)."""
        return f"{self.number}.html" if self.period == period else f"../{self.period}/{self.number}.html"

    @property
    def quarter_name(self) -> str:
        return Quarter.parse(self.period).chinese

    def data(self) -> dict[str, Any]:
        return {"number": self.number, "period": self.period, "category_name": self.category_name,
                "title": self.title, "code": self.code, "corrects": self.corrects}


@dataclass(frozen=True)
class OnlineItem:
    """One item as the online copy shows it."""

    public: PublicItem
    phones: tuple[tuple[str, str], ...] = ()
    withdrawn: bool = False  # the publicity period ended and the layout takes the list down
    corrected_by: int | None = None  # number of the correction that replaces it
    corrects: int | None = None  # number of the item this one corrects
    has_pdf: bool = True
    private: bool = False  # names private persons: not for search engines
    # The items linked to it (关联事项) and it, oldest first: beside its content, not in it (each
    # item's own link is in its content, and so in its 验证码; the chain is made from them).
    chain: tuple[ChainLink, ...] = ()
    # The township's own online channel for objections (Settings), said beside the phones: the
    # online copy is static and takes no objection itself.
    objection_url: str = ""

    @property
    def number(self) -> int:
        return self.public.item_id


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("zwgk_desktop.render", "templates"),
                       autoescape=select_autoescape(default=True), undefined=StrictUndefined,
                       trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)


def _render(template: str, *, noindex: bool = False, licence: str = "", **values: Any) -> bytes:
    return _environment().get_template(template).render(noindex=noindex, licence=licence, **values).encode("utf-8")


def stylesheet() -> bytes:
    loader = _environment().loader
    assert loader is not None
    source, _, _ = loader.get_source(_environment(), STYLESHEET)
    return source.encode("utf-8")


def item_url(base_url: str, village_code: str, period: str, number: int) -> str:
    return f"{base_url.rstrip('/')}/{village_code}/{period}/{number}.html"


def item_page(entry: OnlineItem, township: str, base_url: str, licence: str = "") -> bytes:
    item = entry.public
    quarter = Quarter.parse(item.period).chinese
    return _render(
        "item.html", licence=licence, page_title=f"{item.heading} · 验证码 {item.code}", root="../../",
        township=township,
        crumbs=[(item.village, "../index.html"), (quarter, "index.html")],
        canonical=item_url(base_url, item.village_code, item.period, entry.number) if base_url else "",
        item=item, quarter_name=quarter, withdrawn=entry.withdrawn, corrected_by=entry.corrected_by,
        corrects=entry.corrects, phones=entry.phones, pdf=entry.has_pdf and not entry.withdrawn,
        number=entry.number, wide=len(item.headers) > _WIDE_COLUMNS, noindex=entry.private, chain=entry.chain,
        objection_url=entry.objection_url)


def item_data(entry: OnlineItem) -> dict[str, Any]:
    """Open data of one item: exactly its public content (or, once withdrawn, no names)."""
    data = entry.public.canonical()
    data["code"] = entry.public.code
    if entry.withdrawn:
        for key in ("rows", "totals", "summary", "body"):
            data.pop(key, None)
        data["withdrawn"] = "公示期已结束，名单不再在网上公开"
    if entry.corrected_by is not None:
        data["corrected_by"] = entry.corrected_by
    if entry.corrects is not None:
        data["corrects"] = entry.corrects
    if entry.chain:
        data["chain"] = [link.data() for link in entry.chain]
    return data


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _summary(entry: OnlineItem) -> dict[str, Any]:
    item = entry.public
    return {"number": entry.number, "category": item.category, "category_name": item.category_name,
            "heading": item.heading, "title": item.title, "code": item.code,
            "publicity_text": item.publicity_text, "corrected": entry.corrected_by is not None,
            "withdrawn": entry.withdrawn}


@dataclass(frozen=True)
class OnlinePicture:
    """A photo of the posted board (or a public voucher) as the quarter's page shows it: a copy
    without metadata (io.pictures.public_copy), under `photos/` beside the page."""

    file: str  # photos/NAME.jpg, relative to the quarter's folder
    caption: str  # 公开栏照片 / 凭证：事项 12 第 3 行
    taken: str  # the camera's time, in words


def quarter_page(township: str, village: str, period: str, entries: list[OnlineItem], licence: str = "",
                 pictures: Sequence[OnlinePicture] = (), *, photos_taken_down: bool = False) -> bytes:
    quarter = Quarter.parse(period).chinese
    return _render("quarter.html", licence=licence, page_title=f"{village}{quarter}村务公开", root="../../",
                   township=township,
                   crumbs=[(village, "../index.html")], canonical="", village=village, quarter_name=quarter,
                   entries=[_summary(e) for e in entries], noindex=any(e.private for e in entries),
                   pictures=list(pictures), photos_taken_down=photos_taken_down)


def quarter_data(village: str, village_code: str, period: str, entries: list[OnlineItem]) -> dict[str, Any]:
    return {"village": village, "village_code": village_code, "period": period,
            "items": [{**_summary(e), "page": f"{e.number}.html", "data": f"{e.number}.json"} for e in entries]}


def village_page(township: str, village: str, periods: list[tuple[str, int]], seals: int | None = None,
                 licence: str = "") -> bytes:
    """A village's index: its quarters, and (`seals`: how many) its published seals list."""
    links = [(Quarter.parse(p).chinese, f"{p}/index.html", f"{n} 个公开事项") for p, n in periods]
    if seals is not None:
        links.append(("档案封存记录", SEAL_PAGE, f"{seals} 次封存的链式哈希与签名，供日后核对档案是否被删改"))
    return _render("list.html", licence=licence, page_title=f"{village}村务公开", root="../", township=township,
                   crumbs=[],
                   canonical="", heading=f"{village}村务公开", links=links)


def seals_page(township: str, village: str, seals: list[PublishedSeal], licence: str = "") -> bytes:
    """The page of a village's seals list (render/seal_list.py), beside its `seals.json`."""
    return _render("seals.html", licence=licence, page_title=f"{village}档案封存记录", root="../",
                   township=township,
                   crumbs=[(village, "index.html")], canonical="", village=village, seals=seals,
                   signers=[short_fingerprint(fingerprint) for fingerprint in signers(seals)],
                   times={seal.number: chinese_moment(seal.sealed_at) for seal in seals})


def township_page(township: str, villages: list[tuple[str, str, int]], licence: str = "") -> bytes:
    links = [(name, f"{code}/index.html", f"{quarters} 个季度") for name, code, quarters in villages]
    links.append(("开放数据", "data.html", "全部公开事项的索引、各类别的字段说明（JSON 和 CSV，可用 Excel 打开）"))
    return _render("list.html", licence=licence, page_title=f"{township}村务公开", root="", township=township,
                   crumbs=[],
                   canonical="", heading=f"{township}村务公开", links=links)


def data_page(township: str, count: int, columns: Iterable[tuple[str, str]],
              schemas: Iterable[tuple[str, str, int]], types: Iterable[tuple[str, str]], licence: str = "") -> bytes:
    """The open data's page (render/open_data.py): the licence, the index's files and columns, each
    category's schema. It names no item, so search engines may index it."""
    return _render("data.html", licence=licence, page_title=f"{township}开放数据", root="", township=township,
                   crumbs=[], canonical="", count=count, columns=list(columns), schemas=list(schemas),
                   types=list(types))


def withdrawn_page(township: str, village: str, period: str, number: int,
                   phones: tuple[tuple[str, str], ...], licence: str = "") -> bytes:
    """What a retired number's URL shows: the notice was withdrawn (a sheet may carry its QR code),
    never a 404 and never another item. Nothing of the withdrawn notice is shown: it may never
    have been reviewed."""
    return _render("withdrawn.html", licence=licence, page_title=f"{village}编号 {number} 的公告已撤回",
                   root="../../",
                   township=township, crumbs=[(village, "../index.html")], canonical="", village=village,
                   quarter_name=Quarter.parse(period).chinese, number=number, phones=phones)


def robots_txt(base_path: str, private: Iterable[str]) -> bytes:
    """robots.txt keeping crawlers off the files that name private persons.

    `private` are path prefixes under the site's folder (`donggang/2026Q1/3.` stands for the
    item's page, data and sheets). It names paths only: no village, title or category, nothing
    the indexes do not already show. `base_path` is where the site sits on its host (from the
    base URL), since crawlers read robots.txt at the host's root only.
    """
    root = quote(base_path.rstrip("/"), safe="/%:@!$&'()*+,;=-._~")
    lines = ["User-agent: *", *(f"Disallow: {root}/{prefix}" for prefix in private)]
    if len(lines) == 1:
        lines.append("Disallow:")  # nothing to keep off: an empty rule allows everything
    return ("\n".join(lines) + "\n").encode("ascii")
