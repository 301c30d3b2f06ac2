"""Gathering the 四性检测 of the archive in the terms of DA/T 70-2018: 真实性, 完整性, 可用性, 安全性
(what the report holds is `domain/four_checks.py`).

Every check reads the archive (and, for 真实性, what `verify` finds and what a
comparison with the published seals found) and says what it found, item by item, so that the
report (`io/four_checks_sheet.py`) only lays it out. Sheets are opened with readers independent
of the one that wrote them: PDFium (pypdfium2) renders every page and extracts its text, pikepdf
reads the PDF's structure (encryption, actions, the PDF/A markers).
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop import __version__
from zwgk_desktop.archive import protection
from zwgk_desktop.archive.browse import sealed_pdf
from zwgk_desktop.archive.seal import verify
from zwgk_desktop.archive.seal_fields import stored_text
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, ItemRow, Seal, SealedItem, Village, public_number
from zwgk_desktop.domain.filing import RETENTIONS
from zwgk_desktop.domain.four_checks import (
    AUTHENTIC,
    COMPLETE,
    FAIL,
    NOT_CHECKED,
    PASS,
    SECURE,
    USABLE,
    WARN,
    Check,
    FiledItem,
    FourChecks,
    Published,
    SheetFacts,
    Tally,
)
from zwgk_desktop.domain.identity import find_personal_numbers
from zwgk_desktop.errors import Problem
from zwgk_desktop.render.correction import code_of
from zwgk_desktop.render.pdfa import pdfa_markers

# ---------------------------------------------------------------------------------------------
# Reading a sheet.

_ACTIVE = {"/JavaScript": "JavaScript 脚本", "/JS": "JavaScript 脚本", "/Launch": "启动外部程序的动作",
           "/EmbeddedFiles": "嵌入的文件", "/RichMedia": "多媒体内容", "/SubmitForm": "提交表单的动作",
           "/ImportData": "导入数据的动作", "/GoToR": "打开其他文件的动作", "/URI": None}


def read_sheet(pdf: bytes, code: str) -> SheetFacts:
    """What PDFium and pikepdf see in a sealed PDF; never raises for a damaged file."""
    facts: dict[str, Any] = {"size": len(pdf)}
    try:
        facts.update(_pdfium_facts(pdf, code))
    except Exception as exc:  # a damaged file is a finding, not a crash
        return SheetFacts(size=len(pdf), error=f"PDFium 打不开：{type(exc).__name__}")
    try:
        facts.update(_structure_facts(pdf))
    except Exception as exc:
        facts["error"] = f"pikepdf 读不出结构：{type(exc).__name__}"
    return SheetFacts(**facts)


def _pdfium_facts(pdf: bytes, code: str) -> dict[str, Any]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        rendered = text_pages = code_pages = 0
        for index in range(len(document)):
            page = document[index]
            try:
                bitmap = page.render(scale=0.15)  # small: that it renders is the check, not how it looks
                rendered += bitmap.width > 0 and bitmap.height > 0
                textpage = page.get_textpage()
                text = textpage.get_text_bounded()
                textpage.close()
                text_pages += bool(text.strip())
                code_pages += bool(code) and code in text.replace(" ", "")
            finally:
                page.close()
        return {"opens": True, "pages": len(document), "rendered": rendered, "text_pages": text_pages,
                "code_pages": code_pages}
    finally:
        document.close()


def _structure_facts(pdf: bytes) -> dict[str, Any]:
    """The PDF/A markers as `render.pdfa` reads them (the one reader of them), and active content."""
    import pikepdf

    markers = pdfa_markers(pdf)
    found: dict[str, Any] = {
        "encrypted": markers.encrypted,
        # What the file claims, even where something contradicts it: the sheet's own problems
        # are listed beside it.
        "pdfa": f"PDF/A-{markers.part}{markers.conformance.lower()}" if markers.part else "",
        "lang": markers.lang, "output_intent": bool(markers.output_intent),
        "fonts_embedded": bool(markers.fonts) and not markers.unembedded_fonts}
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            found["active"] = tuple(sorted(_active_content(document)))
    except pikepdf.PasswordError:  # what it holds cannot be read: its encryption is the finding
        found["active"] = ()
    return found


def _active_content(document: Any) -> set[str]:
    """Names of anything in the PDF that could act when it is opened (scripts, launches, files)."""
    found: set[str] = set()
    for obj in document.objects:
        if not hasattr(obj, "keys"):
            continue
        try:
            keys = set(obj.keys())
        except Exception:
            continue
        for key in keys:
            what = _ACTIVE.get(key)
            if what:
                found.add(what)
        if str(obj.get("/S", "")) in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
            found.add(_ACTIVE.get(str(obj.get("/S")), "") or "动作")
    return found


# ---------------------------------------------------------------------------------------------
# Gathering.

_SIGNATURE_WORDS = ("签名", "密钥", "签署")
_MISSING_WORDS = ("删除", "不在任何封存", "件号", "缺失", "没有封存的季度")


def gather(session: Session, *, village: str | None = None, anchors: Published | None = None,
           database: str = "", now: datetime | None = None,
           progress: Callable[[int, int], None] | None = None) -> FourChecks:
    """Every check of the archive (one village, or all), item by item."""
    villages = [store.find_village(session, village)] if village else store.villages(session)
    township = store.get_township(session)
    _, found = verify(session, village)
    # The archive's protection removed (its triggers, a table) is 安全性's; all else 真实性's.
    guarded = [p for p in found if p.where == protection.WHERE]
    verified = [p for p in found if p.where != protection.WHERE]
    entries = [(v, entry) for v in villages for seal in _seals(session, v) for entry in seal.items]
    items: list[FiledItem] = []
    for done, (found_village, entry) in enumerate(entries, start=1):
        items.append(_filed_item(session, found_village, entry, verified))
        if progress:
            progress(done, len(entries))
    seals = [seal for v in villages for seal in _seals(session, v)]
    checks = [
        *_authenticity(verified, seals, items, anchors),
        *_completeness(verified, items),
        *_usability(items),
        *_security(items, database, guarded),
    ]
    return FourChecks(township.name if township else "", villages[0].name if village else "全部村",
                      (now or datetime.now(UTC)).isoformat(timespec="seconds"), f"村务公开栏 zwgk {__version__}",
                      database, tuple(checks), tuple(items), tuple(_tallies(session, villages, items)))


def _seals(session: Session, village: Village) -> list[Seal]:
    return list(session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id)))


def _filed_item(session: Session, village: Village, entry: SealedItem, verified: list[Problem]) -> FiledItem:
    record = session.get(DisclosureItem, entry.item_id)
    number = public_number(record) if record is not None else entry.item_id
    seal = entry.seal
    content = stored_text(entry.canonical_json)
    code = code_of(content) if content else ""
    rows = len(session.scalars(select(ItemRow.id).where(ItemRow.item_id == entry.item_id)).all())
    pdf = sealed_pdf(session, entry.item_id)
    sheet = read_sheet(pdf, code) if pdf is not None else None
    problems: dict[str, list[str]] = defaultdict(list)
    said = f"事项 {number}“"
    for problem in verified:
        if said in problem.where and village.name in problem.where:
            problems[AUTHENTIC].append(problem.message)
            if any(word in problem.message for word in _MISSING_WORDS):
                problems[COMPLETE].append(problem.message)
    format_ = seal.format if isinstance(seal.format, int) else 0
    if format_ >= 4:
        if not stored_text(entry.archive_ref):
            problems[AUTHENTIC].append("没有档号")
        if stored_text(entry.retention) not in RETENTIONS:
            problems[AUTHENTIC].append(f"保管期限“{stored_text(entry.retention)}”不是 {' / '.join(RETENTIONS)}")
    if sheet is not None:
        if sheet.opens and sheet.code_pages < sheet.pages:
            problems[AUTHENTIC].append(f"{sheet.pages - sheet.code_pages} 页上印的验证码不是封存内容的 {code}")
        problems[USABLE] += _unusable(sheet)
        if sheet.encrypted:
            problems[SECURE].append("PDF 被加密")
        if sheet.active:
            problems[SECURE].append(f"PDF 含有{'、'.join(sheet.active)}")
    try:
        parsed = json.loads(content)
    except ValueError:
        problems[USABLE].append("封存的公开内容不是可读的 JSON")
        parsed = content
    numbers = [found for text in _strings(parsed) for found in find_personal_numbers(text, label="公开内容")]
    if numbers:
        kinds = "、".join(sorted({f.label for f in numbers}))
        problems[SECURE].append(f"公开内容中有 {len(numbers)} 处完整的个人号码（{kinds}）")
    return FiledItem(village.name, stored_text(seal.period), entry.archive_number, stored_text(entry.archive_ref),
                     stored_text(entry.retention), number, record.category if record is not None else "",
                     stored_text(entry.title), bool(record is not None and record.supersedes_id is not None), format_,
                     stored_text(seal.sealed_at), stored_text(seal.sealed_by), rows, code, sheet,
                     {aspect: tuple(found) for aspect, found in problems.items() if found})


def _strings(value: object) -> Iterable[str]:
    """Every text of the public content, one by one as they were shown (a cell is never read on
    into the next), leaving out those with too few digits to hold a phone, ID or card number."""
    if isinstance(value, str):
        if sum(c.isdigit() for c in value) >= _FEWEST_DIGITS:
            yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


_FEWEST_DIGITS = 11  # a mobile number's; an ID has 15 or 18, a card 16–19


def _unusable(sheet: SheetFacts) -> list[str]:
    if not sheet.opens:
        return [sheet.error or "PDF 打不开"]
    found = []
    if sheet.rendered < sheet.pages:
        found.append(f"{sheet.pages - sheet.rendered} 页不能显示")
    if sheet.text_pages < sheet.pages:
        found.append(f"{sheet.pages - sheet.text_pages} 页的文字不能提取")
    if sheet.error:
        found.append(sheet.error)
    return found


def _where(items: Iterable[FiledItem]) -> str:
    return "、".join(f"{i.village}{i.period} 事项 {i.number}" for i in items)


def _named(items: Sequence[FiledItem], aspect: str) -> tuple[str, ...]:
    return tuple(f"{i.village} {i.period} 事项 {i.number}“{i.title}”：{p}"
                 for i in items for p in i.problems.get(aspect, ()))


def _check(aspect: str, name: str, method: str, problems: Sequence[str], passed: str, failed: str = "") -> Check:
    if problems:
        return Check(aspect, name, method, FAIL, failed or f"发现 {len(problems)} 处问题", tuple(problems))
    return Check(aspect, name, method, PASS, passed)


def _authenticity(verified: list[Problem], seals: list[Seal], items: list[FiledItem],
                  anchors: Published | None) -> list[Check]:
    signature_problems = [str(p) for p in verified if any(w in p.message for w in _SIGNATURE_WORDS)]
    fixed = [str(p) for p in verified if str(p) not in signature_problems]
    checks = [_check(
        AUTHENTIC, "固化信息有效性（数字摘要与封存链）",
        "重算每个封存事项的公开内容、数据和 PDF 的 SHA-256，每次封存的载荷哈希和链式哈希（zwgk verify）",
        fixed, f"{len(seals)} 次封存、{len(items)} 个事项的哈希和封存链都与封存时一致")]
    new = [s for s in seals if isinstance(s.format, int) and s.format >= 4]
    signed = [s for s in new if stored_text(s.signature)]
    if signature_problems:
        checks.append(Check(AUTHENTIC, "电子签名", "用登记的村密钥（Ed25519）验证每次封存的签名", FAIL,
                            f"发现 {len(signature_problems)} 处问题", tuple(signature_problems)))
    elif len(signed) == len(seals) and seals:
        checks.append(Check(AUTHENTIC, "电子签名", "用登记的村密钥（Ed25519）验证每次封存的签名", PASS,
                            f"{len(signed)} 次封存都有签名，签名有效"))
    else:
        older = len(seals) - len(new)
        checks.append(Check(AUTHENTIC, "电子签名", "用登记的村密钥（Ed25519）验证每次封存的签名", WARN,
                            f"{len(seals)} 次封存中 {len(signed)} 次有签名"
                            + (f"，{older} 次是签名之前的封存格式" if older else "")
                            + (f"，{len(new) - len(signed)} 次没有签名" if len(new) > len(signed) else "")
                            + "：没有签名的只能由哈希链和与公布件比对来证明"))
    codes = [p for i in items for p in _named([i], AUTHENTIC) if "验证码" in p]
    checks.append(_check(AUTHENTIC, "内容与验证码关联一致",
                         "用 PDFium 提取每张封存 PDF 的文字，核对印在每页上的验证码就是封存内容的验证码",
                         codes, f"{sum(i.sheet.pages for i in items if i.sheet)} 页上印的验证码都与封存内容一致"))
    metadata = [p for i in items for p in _named([i], AUTHENTIC) if "档号" in p or "保管期限" in p]
    old = [i for i in items if i.seal_format < 4]
    refs = [i.archive_ref for i in items if i.archive_ref]
    duplicated = sorted({r for r in refs if refs.count(r) > 1})
    metadata += [f"档号 {r} 重复" for r in duplicated]
    checks.append(Check(
        AUTHENTIC, "元数据准确性（档号、保管期限、件号）",
        "每个封存事项有档号、保管期限（永久 / 30年 / 10年）和件号，档号在档案中唯一，且都在封存哈希之内",
        FAIL if metadata else (WARN if old else PASS),
        f"发现 {len(metadata)} 处问题" if metadata else
        (f"{len(items) - len(old)} 个事项有档号和保管期限；{len(old)} 个事项封存于档号功能之前，没有档号"
         if old else f"{len(items)} 个事项的档号、保管期限和件号都齐全且唯一"), tuple(metadata)))
    method = "把档案的封存链与在别处公布的封存记录（网上公开件、档案包）逐次比对（zwgk verify --against）"
    if anchors is None:
        checks.append(Check(AUTHENTIC, "与公布的封存记录比对", method, NOT_CHECKED,
                            "这次没有比对：只凭档案文件本身，查不出整体删去最后几次封存或重写整条链；"
                            "用 zwgk verify --against 网上公开件文件夹 --report … 再检测"))
    else:
        checks.append(_check(AUTHENTIC, "与公布的封存记录比对", method, [str(p) for p in anchors.differences],
                             f"与 {anchors.source} 公布的 {anchors.published} 次封存一致",
                             f"与 {anchors.source} 有 {len(anchors.differences)} 处不同"))
    return checks


def _completeness(verified: list[Problem], items: list[FiledItem]) -> list[Check]:
    # What verify finds missing: items and seals deleted, items taken out of their seal, 件号
    # with gaps, sheets gone (an item's own problems are those of its line in the 归档清单).
    missing = [str(p) for p in verified if any(w in p.message for w in _MISSING_WORDS)]
    sheets = sum(i.sheet.pages for i in items if i.sheet)
    with_sheets = [i for i in items if i.sheet is not None]
    return [
        _check(COMPLETE, "总件数相符性",
               "每次封存的事项都在档案中；已封存季度的每个事项都在封存中；件号依封存先后为 1 起连续",
               [p for p in missing if "PDF" not in p],
               f"{len(items)} 个封存事项齐全，件号连续"),
        _check(COMPLETE, "内容数据完整性（明细行与页面）",
               "每个事项的明细行都在（行数与内容由数据哈希核对），每个公开事项的 PDF 都在且每页可读出",
               [p for p in missing if "PDF" in p],
               f"{sum(i.rows for i in items)} 行明细、{len(with_sheets)} 份 PDF 共 {sheets} 页都在"),
        Check(COMPLETE, "各村各季度数量", "按村和季度统计事项、明细行、页数和字节数（见“数量统计”表）", PASS,
              f"{len({(i.village, i.period) for i in items})} 个村季度，共 {len(items)} 个封存事项"),
    ]


def _usability(items: list[FiledItem]) -> list[Check]:
    sheets = [i for i in items if i.sheet is not None]
    pages = sum(i.sheet.pages for i in sheets if i.sheet)
    unusable = _named(items, USABLE)
    pdfa = [i for i in sheets if i.sheet and i.sheet.pdfa]
    not_pdfa = [i for i in sheets if i.sheet and not i.sheet.pdfa]
    incomplete = [f"{i.village} {i.period} 事项 {i.number}：{what}" for i in pdfa if i.sheet
                  for what, ok in (("缺 sRGB 输出意图", i.sheet.output_intent), ("缺 /Lang", i.sheet.lang),
                                   ("有字体未嵌入", i.sheet.fonts_embedded)) if not ok]
    seals_pdfa = sorted({(i.village, i.period, i.sealed_at) for i in pdfa})
    formats = Check(
        USABLE, "长期保存格式（PDF/A-2）",
        "用 pikepdf 读每份 PDF 的 XMP（pdfaid:part、conformance）、sRGB 输出意图、/Lang 和字体嵌入",
        FAIL if incomplete else (WARN if not_pdfa else PASS),
        (f"发现 {len(incomplete)} 处问题" if incomplete else
         (f"{len(pdfa)} 份是 PDF/A（{'；'.join(f'{v}{p}' for v, p, _ in seals_pdfa)} 的封存）" if pdfa
          else "没有 PDF/A 的封存")
         + (f"；{len(not_pdfa)} 份封存于 PDF/A 之前，是普通 PDF，按封存原样保存（其哈希在封存链中）"
            if not_pdfa else "")), tuple(incomplete))
    return [
        _check(USABLE, "内容数据可读性",
               "用独立的阅读器 PDFium（pypdfium2）打开每份封存的 PDF，显示每一页，提取每一页的文字；"
               "公开内容可作为 JSON 读出", unusable,
               f"{len(sheets)} 份 PDF 共 {pages} 页都能打开、显示，文字都能提取"),
        formats,
    ]


def _security(items: list[FiledItem], database: str, guarded: list[Problem]) -> list[Check]:
    encrypted = [p for p in _named(items, SECURE) if "加密" in p]
    active = [p for p in _named(items, SECURE) if "含有" in p]
    numbers = [p for p in _named(items, SECURE) if "个人号码" in p]
    sheets = sum(1 for i in items if i.sheet is not None)
    checks = [
        _check(SECURE, "档案的防改动保护", "检查档案数据库中拒绝改动或删除已封存记录的触发器和各数据表都在"
               "（SQLite 的 sqlite_master，PostgreSQL 的 pg_trigger）", [p.message for p in guarded],
               "防改动的触发器和数据表都在", f"发现 {len(guarded)} 处保护被去掉"),
        _check(SECURE, "无加密、无口令", "用 pikepdf 检查每份 PDF 是否加密（加密的文件日后可能无法打开）",
               encrypted, f"{sheets} 份 PDF 都没有加密"),
        _check(SECURE, "无可执行内容", "检查每份 PDF 中有无脚本、启动程序、嵌入文件、表单提交等动作",
               active, f"{sheets} 份 PDF 都不含脚本或嵌入文件"),
        _check(SECURE, "公开内容中无完整个人号码",
               "在每个事项的公开内容中查找完整的身份证号、手机号和银行卡号（无论数字怎样分隔）",
               numbers, f"{len(items)} 个事项的公开内容中没有完整的身份证号、手机号或银行卡号"),
    ]
    where, result = _private_data(database)
    checks.append(Check(SECURE, "个人信息存放位置", "说明完整个人信息存放在哪里、随什么流转", result, where))
    return checks


def _private_data(database: str) -> tuple[str, str]:
    said = ("完整的身份证号、电话和一卡通账号只存于档案数据库（及其备份）中；档案包（.zwgk）也含有它们，"
            "只交乡镇，不要上网或外传；网上公开件和海报只有打码后的公开内容")
    path = Path(database) if database and "://" not in database else None
    if path is None or not path.exists() or os.name != "posix":
        return said, PASS
    mode = path.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        return f"{said}。注意：数据库文件 {path.name} 本机所有用户都能读取（权限 {stat.filemode(mode)}）", WARN
    return f"{said}。数据库文件 {path.name} 只有本用户（及其组）能读取", PASS


def _tallies(session: Session, villages: list[Village], items: list[FiledItem]) -> list[Tally]:
    by_quarter: dict[tuple[str, str], list[FiledItem]] = defaultdict(list)
    for item in items:
        by_quarter[(item.village, item.period)].append(item)
    tallies = []
    for village in villages:
        sealed_periods = set(session.scalars(select(Seal.period).where(Seal.village_id == village.id)))
        for period in store.periods_of(session, village):
            filed = by_quarter.get((village.name, period), [])
            count = len(session.scalars(select(DisclosureItem.id).where(
                DisclosureItem.village_id == village.id, DisclosureItem.period == period)).all())
            tallies.append(Tally(village.name, period, period in sealed_periods, count, len(filed),
                                 sum(i.correction for i in filed), sum(i.rows for i in filed),
                                 sum(i.sheet.pages for i in filed if i.sheet),
                                 sum(i.sheet.size for i in filed if i.sheet)))
    return tallies

