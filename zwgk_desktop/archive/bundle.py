"""Moving a village's sealed archive to the township (and back) as one checksummed file.

A bundle is a zip laid out in the spirit of BagIt (RFC 8493): `bagit.txt`, `bag-info.txt`, the
payload under `data/` (`archive.json` with every seal, item and row; `pdf/` with the sheets as
printed), `manifest-sha256.txt` with the SHA-256 of every payload file and
`tagmanifest-sha256.txt` over the tag files. `data/seals.json` lists the seals as the online copy
publishes them (render/seal_list.py), so a bundle kept at the township is an anchor too
(`zwgk verify --against BUNDLE`). Importing checks all of it, and recomputes every
content, data, payload and chain hash, before one row is written; then writes in one
transaction and verifies the village again before committing. Importing the same bundle twice
changes nothing; a bundle that does not continue the chain already held is refused.

Items keep their village-wide numbers (the numbers in their posters' URLs), so the township's
copy is the village's copy: same URLs, same verification codes, same hashes.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from zwgk_desktop import __version__
from zwgk_desktop.archive import seal_attachments, seal_fields, seal_objections, signing
from zwgk_desktop.archive.first_public import HOW
from zwgk_desktop.archive.made_with import MadeWithError, parse_made_with, source_problem, store_sources
from zwgk_desktop.archive.seal import (
    RETENTIONS,
    canonical,
    chain_hash,
    hashed_record,
    next_archive_number,
    payload_hash,
    sha256,
    verify,
)
from zwgk_desktop.db import store
from zwgk_desktop.db.models import (
    Attachment,
    DisclosureItem,
    ItemNumber,
    ItemRow,
    Seal,
    SealArrival,
    SealedItem,
    SealSource,
    Village,
    public_number,
)
from zwgk_desktop.db.search_text import entries_for, write_entries
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.identity import find_personal_numbers
from zwgk_desktop.domain.items import REVIEWED, Item, validate
from zwgk_desktop.domain.periods import Month, Quarter
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.incoming import BoundedZip, ZipLimits, parse_json
from zwgk_desktop.outputs import replacing
from zwgk_desktop.render import seal_list
from zwgk_desktop.render.seal_list import SEAL_LIST, PublishedSeal

BUNDLE_FORMAT = 1
SUFFIX = ".zwgk"
ARCHIVE = "data/archive.json"
SEALS = f"data/{SEAL_LIST}"  # the seals as published (bundles made before it have none)
# A village's sheets and data are a few megabytes a year (an A3 sheet's PDF is under 200 KB, a
# quarter's data under a megabyte); its photos of the posted board are most of a bundle: a quarter
# with 20 phone photos of 5–8 MB is 160 MB, and a member is one photo (io.pictures MAX_FILE_BYTES,
# 64 MB) or archive.json. 4 GiB holds some 25 such quarters, six years of a village that photographs
# every board. `archive.json` deflates some 6 times, PDFs and photos are stored; a member inflating
# 100 times is a bomb.
BUNDLE_LIMITS = ZipLimits("档案包", member=256 * 1024**2, total=4 * 1024**3, members=100_000, ratio=100)
TAG_FILE_LIMIT = 16 * 1024**2  # bagit.txt, bag-info.txt and the manifests: a line per member


log = logging.getLogger(__name__)

@dataclass(frozen=True)
class ExportResult:
    path: Path
    seals: int  # of quarters and corrections (key records are counted apart)
    items: int
    size: int
    keys: int = 0  # key records (a key made, replaced or lost)


@dataclass(frozen=True)
class ImportResult:
    village: str
    seals: int  # newly imported, of quarters and corrections
    items: int
    already: int  # seals the database held before (key records apart)
    keys: int = 0  # key records newly imported


def export_bundle(session: Session, village_name: str, out: Path) -> ExportResult:
    """Every seal of the village, with its items, rows and PDFs, into one bundle file at `out`."""
    village = store.find_village(session, village_name)
    seals = list(session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id)))
    if not seals:
        raise BadInput(f"{village.name}还没有封存任何季度，没有可导出的档案")
    _, problems = verify(session, village.code)
    if problems:  # the township would refuse it; say so here, where it can be looked into
        raise BadInput(f"{village.name}的档案核验未通过，不能导出（{len(problems)} 处问题；"
                       "请先运行 zwgk verify 查明）：", problems)
    old = [s.period for s in seals if s.format < 2]
    if old:
        raise BadInput(f"{village.name} {'、'.join(old)} 是旧版程序封存的（以数据库内部编号计算哈希），"
                       "不能迁到别的数据库；请在本机继续保存")
    payload: dict[str, bytes] = {}
    entries = []
    items = 0
    for seal in seals:
        sealed_items = []
        records = {e.item_id: e for e in seal.items}
        rows = store.load_rows(session, list(records))
        for entry in seal.items:
            record = session.get(DisclosureItem, entry.item_id)
            if record is None:
                raise BadInput(f"封存的事项 {entry.item_id} 已不在档案中：请先运行 zwgk verify 查明")
            number = public_number(record)
            pdf_name = None
            if entry.pdf is not None:
                pdf_name = f"data/pdf/{seal.period}-{number}.pdf"
                payload[pdf_name] = entry.pdf
            sealed_items.append({
                "number": number, "title": entry.title, "canonical_json": entry.canonical_json,
                "content_hash": entry.content_hash, "data_hash": entry.data_hash, "pdf": pdf_name,
                "pdf_hash": entry.pdf_hash, "first_public": _first_public(entry),
                "archive_ref": entry.archive_ref, "retention": entry.retention,
                "record": json.loads(canonical(hashed_record(session, record, rows[entry.item_id], seal.format))),
            })
            items += 1
        payload.update(_attachment_files(session, seal))
        entries.append({"kind": seal.kind, "period": seal.period, "format": seal.format,
                        "sealed_at": seal.sealed_at, "sealed_by": seal.sealed_by,
                        "payload_hash": seal.payload_hash, "chain_hash": seal.chain_hash,
                        **{key: getattr(seal, key) for key in _SEAL_PROOFS}, "items": sealed_items,
                        **seal_objections.bundled(session, seal)})
    township = village.township
    document = {"bundle_format": BUNDLE_FORMAT, "township": township.name, "sources": _sources_of(session, seals),
                "village": {"name": village.name, "code": village.code, "phone": village.supervision_phone},
                "seals": entries,
                # Numbers of deleted items: sheets may carry them, so the township gives them to nothing.
                "retired": [{"number": n.number, "period": n.period, "retired_at": n.retired_at}
                            for n in store.retired_numbers(session, village)]}
    payload[ARCHIVE] = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    payload[SEALS] = json.dumps(seal_list.document(township.name, village.name, village.code, _listed(entries)),
                                ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    _write_bag(out, payload, {
        "Source-Organization": f"{township.name}{village.name}",
        "External-Identifier": f"zwgk:{village.code}",
        "Bagging-Date": date.today().isoformat(),
        "Bag-Software-Agent": f"zwgk_desktop {__version__}",
        "Zwgk-Seals": str(len(seals)),
        "Zwgk-Last-Chain-Hash": seals[-1].chain_hash,
    })
    held = sum(1 for seal in seals if seal.kind == "key")
    return ExportResult(out, len(seals) - held, items, out.stat().st_size, held)


def _attachment_files(session: Session, seal: Seal) -> dict[str, bytes]:
    """The bytes of the photos and vouchers the seal holds, by where the bundle carries them."""
    held = session.scalars(select(Attachment).where(Attachment.seal_id == seal.id))
    return {seal_attachments.member_name({"sha256": a.sha256}): a.data for a in held}


def _sources_of(session: Session, seals: list[Seal]) -> list[dict[str, str]]:
    """The texts the seals were made with (archive.made_with), each once, so the township can make
    every item's public content again as the village sealed it."""
    digests: set[str] = set()
    for seal in seals:
        if seal.format >= 4 and seal.made_with is not None:
            digests |= set(parse_made_with(seal.made_with).digests)
    found = session.scalars(select(SealSource).where(SealSource.digest.in_(sorted(digests)))).all()
    return [{"digest": s.digest, "kind": s.kind, "text": s.text} for s in sorted(found, key=lambda s: s.digest)]


def _write_bag(out: Path, payload: dict[str, bytes], info: dict[str, str]) -> None:
    """Write the zip next to `out` and move it into place: a half-written bundle never exists."""
    manifest = "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(payload.items()))
    oxum = f"{sum(len(d) for d in payload.values())}.{len(payload)}"
    tags = {
        "bagit.txt": "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": "".join(f"{k}: {v}\n" for k, v in {**info, "Payload-Oxum": oxum}.items()),
        "manifest-sha256.txt": manifest,
    }
    tag_manifest = "".join(f"{sha256(body.encode('utf-8'))}  {name}\n" for name, body in tags.items())
    with replacing(out, "档案包") as partial, zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as bag:
        for name, body in tags.items():
            bag.writestr(name, body)
        bag.writestr("tagmanifest-sha256.txt", tag_manifest)
        for name, data in sorted(payload.items()):
            # PDFs are compressed already; storing them keeps export and import fast.
            stored = name.endswith(".pdf") or name.startswith(seal_attachments.member_name({"sha256": ""}))
            bag.writestr(name, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)


# ---------------------------------------------------------------------------------------------
# Reading a bundle: every check before anything is written.


def read_bundle(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The bundle's archive document and PDFs, after every checksum is confirmed.

    Members are measured as they inflate (BUNDLE_LIMITS), and `archive.json` is held once as
    bytes, once as text, then only as the parsed document."""
    shown = path.name
    if not path.is_file():
        raise BadInput(f"找不到档案包 {path}")
    with BoundedZip(path, shown, BUNDLE_LIMITS) as bag:
        members = {info.filename: info for info in bag.entries}
        for name in members:
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or "\\" in name:
                raise BadInput(f"{shown} 含有不安全的路径“{name}”，拒绝导入")
        for required in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt", ARCHIVE):
            if required not in members:
                raise BadInput(f"{shown} 缺少 {required}：不是本程序导出的档案包，或已被改动")

        problems: list[Problem] = []
        tag_manifest = _manifest(bag.read(members["tagmanifest-sha256.txt"], TAG_FILE_LIMIT)[0], shown,
                                 "tagmanifest-sha256.txt")
        tags = {name: bag.read(members[name], TAG_FILE_LIMIT)
                for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")}
        for name, (_, digest) in tags.items():
            if tag_manifest.get(name) != digest:
                problems.append(Problem("校验值不符（文件被改动）", where=f"{shown} {name}"))
        manifest = _manifest(tags["manifest-sha256.txt"][0], shown, "manifest-sha256.txt")
        payload_names = {n for n in members if n.startswith("data/")}
        for name in sorted(payload_names - set(manifest)):
            problems.append(Problem("清单中没有这个文件（被加入）", where=f"{shown} {name}"))
        for name in sorted(set(manifest) - payload_names):
            problems.append(Problem("清单中的文件不见了（被删除）", where=f"{shown} {name}"))
        contents: dict[str, bytes] = {}
        archive = b""
        for name in sorted(payload_names & set(manifest)):
            data, digest = bag.read(members[name])
            if digest != manifest[name]:
                problems.append(Problem("SHA-256 与清单不符（文件被改动）", where=f"{shown} {name}"))
            if name == ARCHIVE:
                archive = data  # parsed below, not kept beside the document
            else:
                contents[name] = data
            del data
        if problems:
            raise BadInput(f"档案包 {shown} 已损坏或被改动，拒绝导入：", problems[:50])
    try:
        text = archive.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{shown} 中的 {ARCHIVE} 不是 UTF-8 文本") from None
    del archive
    document = parse_json(text, f"{shown} 中的 {ARCHIVE}")
    del text
    if not isinstance(document, dict) or document.get("bundle_format") != BUNDLE_FORMAT:
        raise BadInput(f"{shown} 的格式版本不是本程序能读的（{BUNDLE_FORMAT}）")
    problems = check_document(document, contents, shown)
    if problems:
        raise BadInput(f"档案包 {shown} 的内容不合规定，拒绝导入：", problems[:50])
    return document, contents


def _listed(seals: list[dict[str, Any]]) -> list[PublishedSeal]:
    """The seals of `archive.json` as the online copy publishes them."""
    return [PublishedSeal(number, entry["period"], entry["kind"], entry["sealed_at"], entry["chain_hash"],
                          **_proofs(entry, ("signature", "signer")))
            for number, entry in enumerate(seals, start=1)]


def _check_seal_list(document: dict[str, Any], contents: dict[str, bytes], shown: str) -> list[Problem]:
    """The bundle's `data/seals.json`, if it has one, lists exactly the seals it holds."""
    if SEALS not in contents:
        return []
    try:
        seal_list_of(document, contents, shown)
    except BadInput as exc:
        return [Problem(exc.message, where=f"{shown} {SEALS}")]
    return []


def seal_list_of(document: dict[str, Any], contents: dict[str, bytes], shown: str) -> list[PublishedSeal]:
    """The seals of a bundle `read_bundle` accepted, as published: its `data/seals.json`, which
    must list exactly the seals `archive.json` holds (a bundle made before it: from those)."""
    held = _listed(document["seals"])
    if SEALS not in contents:
        return held
    try:
        text = contents[SEALS].decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{shown} 中的 {SEALS} 不是 UTF-8 文本") from None
    code, listed = seal_list.parse(parse_json(text, f"{shown} 中的 {SEALS}"), f"{shown} 中的 {SEALS}")
    if code != document["village"]["code"] or listed != held:
        raise BadInput(f"{shown} 中的 {SEALS} 与档案包中的封存不一致：档案包被改动过")
    return listed


# The shape of `archive.json`: every value the import reads, with its type. A bundle is checked
# against it before any hash is recomputed, so a crafted file is refused in words, never crashes.
_HASH = re.compile(r"^[0-9a-f]{64}$")
_TEXT, _INT, _OPTIONAL_TEXT = (str,), (int,), (str, type(None))
_SEAL_KEYS = {"kind": _TEXT, "period": _TEXT, "format": _INT, "sealed_at": _TEXT, "sealed_by": _TEXT,
              "payload_hash": _TEXT, "chain_hash": _TEXT, "items": (list,)}
_ITEM_KEYS = {"number": _INT, "title": _TEXT, "canonical_json": _TEXT, "content_hash": _TEXT, "data_hash": _TEXT,
              "pdf": _OPTIONAL_TEXT, "pdf_hash": _OPTIONAL_TEXT, "record": (dict,)}
# Seal format 4's values (seal.py `payload_hash`), carried as they are; older bundles have none.
_SEAL_PROOFS = ("made_with", "signer", "signature", "event", "attachments")  # and format 5's
_ITEM_PROOFS = ("archive_ref", "retention")
_RECORD_KEYS = {"village": _TEXT, "number": _INT, "period": _TEXT, "category": _TEXT, "title": _TEXT,
                "disclosure": _TEXT, "status": _TEXT, "publicity": (list,), "clerk": _OPTIONAL_TEXT,
                "review": (list,), "fields": (dict,), "rows": (list,), "supersedes": (int, type(None)),
                "reason": _OPTIONAL_TEXT}


def _typed(value: Any, keys: Mapping[str, tuple[type, ...]], where: str, problems: list[Problem]) -> bool:
    if not isinstance(value, dict):
        problems.append(Problem("应是一个对象", where=where))
        return False
    ok = True
    for key, types in keys.items():
        if key not in value:
            problems.append(Problem(f"缺少“{key}”", where=where))
            ok = False
        elif not isinstance(value[key], types) or (int in types and isinstance(value[key], bool)):
            problems.append(Problem(f"“{key}”的类型不对", where=where))
            ok = False
    return ok


def check_document(document: dict[str, Any], contents: dict[str, bytes], shown: str) -> list[Problem]:
    """Everything in `archive.json` is of the right shape and obeys the domain's rules."""
    problems: list[Problem] = []
    village = document.get("village")
    if not _typed(village, {"name": _TEXT, "code": _TEXT, "phone": _TEXT}, f"{shown} 村", problems):
        return problems
    seals = document.get("seals")
    if not isinstance(seals, list) or not seals:
        return [Problem("没有封存", where=shown)]
    retired = document.get("retired", [])
    if not isinstance(retired, list):
        retired = [None]
    for index, entry in enumerate(retired, start=1):
        where = f"{shown} 第{index}个作废编号"
        if _typed(entry, {"number": _INT, "period": _TEXT, "retired_at": _OPTIONAL_TEXT}, where, problems) and (
                not 1 <= entry["number"] < 2**31 or not re.fullmatch(r"\d{4}Q[1-4]", entry["period"])
                or len(entry["retired_at"] or "") > 40):
            problems.append(Problem("编号、季度或作废时间不对", where=where))
    sources = _check_sources(document.get("sources", []), shown, problems)
    quarters: set[str] = set()
    previous_sealed_at: Any = None
    for index, entry in enumerate(seals, start=1):
        where = f"{shown} 第{index}个封存"
        if not _typed(entry, _SEAL_KEYS, where, problems):
            continue
        if entry["kind"] == "key" and (entry["items"] or signing.parse_event(entry.get("event")) is None):
            problems.append(Problem("密钥记录不对（含有事项，或内容无法读取）", where=where))
        if entry["format"] == 1:
            problems.append(Problem("封存格式 1 以数据库内部编号计算哈希，不能迁到别的数据库", where=where))
        problems += [Problem(reason, where=where) for reason in seal_fields.seal_problems(
            kind=entry["kind"], format=entry["format"], period=entry["period"], sealed_at=entry["sealed_at"],
            sealed_by=entry["sealed_by"], payload_hash=entry["payload_hash"], chain_hash=entry["chain_hash"],
            made_with=entry.get("made_with"), holds_items=bool(entry["items"] or entry.get("objections")),
            signer=entry.get("signer"),
            event=entry.get("event"), previous_sealed_at=previous_sealed_at)]
        previous_sealed_at = entry["sealed_at"]
        problems += _sources_named(entry, sources, where)
        if entry["kind"] == "quarter":
            if entry["period"] in quarters:
                problems.append(Problem(f"{entry['period']} 被封存了两次", where=where))
            quarters.add(entry["period"])
        for item in entry["items"]:
            at = f"{where} 事项 {item.get('number') if isinstance(item, dict) else '?'}"
            if _typed(item, _ITEM_KEYS, at, problems) and _typed(item["record"], _RECORD_KEYS, at, problems):
                problems += _check_item(item, contents, at)
                problems += [Problem(reason, where=at) for reason in seal_fields.sealed_item_problems(
                    format=entry["format"], **_sealed_first_public(item), **_proofs(item, _ITEM_PROOFS),
                    retentions=RETENTIONS, hows=HOW)]
    return problems


def _check_sources(value: Any, shown: str, problems: list[Problem]) -> set[str]:
    """The texts the bundle's seals were made with, each what its digest names; their digests."""
    if not isinstance(value, list):
        problems.append(Problem("封存所用的版式和类别定义（sources）不是清单", where=shown))
        return set()
    found = set()
    for index, source in enumerate(value, start=1):
        where = f"{shown} 第{index}个封存依据"
        if not _typed(source, {"digest": _TEXT, "kind": _TEXT, "text": _TEXT}, where, problems):
            continue
        if reason := source_problem(source["digest"], source["kind"], source["text"]):
            problems.append(Problem(f"封存所用的版式或类别定义不对：{reason}", where=where))
        else:
            found.add(source["digest"])
    return found


def _sources_named(entry: dict[str, Any], sources: set[str], where: str) -> list[Problem]:
    """A seal of format 4 names the texts it was made with: the bundle must carry each."""
    if not isinstance(entry["format"], int) or entry["format"] < 4 or entry["kind"] == "key":
        return []
    try:
        named = parse_made_with(entry.get("made_with")).digests
    except MadeWithError:
        return []  # said by seal_problems
    missing = sorted(set(named) - sources)
    return [Problem(f"档案包缺少封存时所用的{'版式文件' if named[d] == 'layout' else '类别定义'}"
                    f"（摘要 {d[:12]}…）", where=where) for d in missing]


def _month(record: dict[str, Any]) -> Month | None:
    """The month of its quarter a carried item covers (absent: the whole quarter); a month that is
    not one of the quarter's is refused as a damaged record."""
    number = record.get("month")
    if number is None:
        return None
    quarter = Quarter.parse(record["period"])
    if type(number) is not int or number not in quarter.months:
        raise ValueError(f"month {number!r} is not one of {quarter}")
    return Month(quarter.year, number)


def _check_item(item: dict[str, Any], contents: dict[str, bytes], at: str) -> list[Problem]:
    found = []
    record = item["record"]
    if not 1 <= item["number"] < 2**31 or (item["pdf"] is not None and item["pdf"] not in contents):
        found.append(Problem("编号或 PDF 文件名不对", where=at))
    if record["category"] not in CATEGORIES or record["status"] != REVIEWED:
        return [*found, Problem("类别不对，或不是已审核的事项", where=at)]
    try:
        schema = CATEGORIES[record["category"]]
        start, end = (_day(day) for day in record["publicity"])
        reviewer, reviewed_on = record["review"]
        item_ = Item(
            category=record["category"], period=Quarter.parse(record["period"]), title=record["title"],
            disclosure=record["disclosure"], publicity_start=start, publicity_end=end, clerk=record["clerk"],
            reviewer=reviewer, reviewed_on=_day(reviewed_on), status=record["status"],
            fields={f.key: f.from_json(record["fields"].get(f.key)) for f in schema.item_fields},
            rows=[{f.key: f.from_json(row.get(f.key)) for f in schema.row_fields} for row in record["rows"]],
            supersedes=record["supersedes"], correction_reason=record["reason"],
            month=_month(record))
        report = validate(item_, schema)
    except (TypeError, ValueError, AttributeError, BadInput) as exc:
        log.info("reading %s: %r", at, exc)
        said = f"（{exc.message}）" if isinstance(exc, BadInput) else "：内容被改动或损坏"
        return [*found, Problem(f"数据无法读取{said}", where=at)]
    found += [Problem(f"{p}", where=at) for p in report.errors[:5]]
    found += _private_numbers(item["canonical_json"], at)
    return found


def _private_numbers(canonical_json: str, at: str) -> list[Problem]:
    """A sealed public content may never hold a full ID or account; a mobile only as a public
    contact (an info or summary line such as 异议渠道), as the layouts allow."""
    try:
        public = parse_json(canonical_json, at)
        contacts = " ".join(str(pair[1]) for key in ("info", "summary") for pair in public.get(key) or [])
        others = json.dumps({k: v for k, v in public.items() if k not in ("info", "summary")}, ensure_ascii=False)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, BadInput):
        return [Problem("公开内容无法读取", where=at)]
    kinds = {f.kind for f in find_personal_numbers(others)} | {f.kind for f in find_personal_numbers(contacts)
                                                               if f.kind != "mobile"}
    if kinds:
        return [Problem("公开内容中含有完整的个人号码（身份证号、手机号或账号），拒绝导入", where=at)]
    return []


def _manifest(raw: bytes, shown: str, name: str) -> dict[str, str]:
    entries = {}
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        digest, _, member = line.partition("  ")
        if len(digest) != 64 or not member:
            raise BadInput(f"{shown} 的 {name} 第{number}行格式不对：“{line[:80]}”")
        entries[member] = digest
    return entries


def check_chain(document: dict[str, Any], contents: dict[str, bytes], shown: str) -> list[Problem]:
    """Recompute every hash the bundle carries, as `verify` does for a database."""
    problems: list[Problem] = []
    try:
        code = document["village"]["code"]
        previous = ""
        for index, entry in enumerate(document["seals"], start=1):
            where = f"{shown} 第{index}个封存（{entry['period']}）"
            probe = Seal(period=entry["period"], kind=entry["kind"], format=entry["format"],
                         sealed_at=entry["sealed_at"], sealed_by=entry["sealed_by"], **_proofs(entry, _SEAL_PROOFS))
            sealed = []
            for item in entry["items"]:
                at = f"{where} 事项 {item['number']}“{item['title']}”"
                if sha256(item["canonical_json"].encode("utf-8")) != item["content_hash"]:
                    problems.append(Problem("公开内容与验证码不符", where=at))
                if sha256(canonical(item["record"])) != item["data_hash"]:
                    problems.append(Problem("数据与封存时不符", where=at))
                record = item["record"]
                if record.get("village") != code or record.get("number") != item["number"] \
                        or record.get("period") != entry["period"] or record.get("title") != item["title"]:
                    problems.append(Problem("事项的村、编号或季度与封存不符", where=at))
                if item["pdf"] is not None:
                    pdf = contents.get(item["pdf"])
                    if pdf is None or sha256(pdf) != item["pdf_hash"]:
                        problems.append(Problem("封存的 PDF 缺失或被改动", where=at))
                sealed.append(SealedItem(content_hash=item["content_hash"], data_hash=item["data_hash"],
                                         pdf_hash=item["pdf_hash"], **_sealed_first_public(item),
                                         **_proofs(item, _ITEM_PROOFS)))
            problems += _attachments_carried(entry, contents, where)
            payload = payload_hash(probe, code, previous, sealed, seal_objections.bundle_hashes(entry, where, problems))
            if payload != entry["payload_hash"] or chain_hash(previous, payload) != entry["chain_hash"]:
                problems.append(Problem("封存记录或封存链被改动", where=where))
            previous = entry["chain_hash"]
    except (KeyError, TypeError, AttributeError) as exc:
        problems.append(Problem(f"内容不完整（缺少 {exc}）", where=f"{shown} {ARCHIVE}"))
    return problems


def _attachments_carried(entry: dict[str, Any], contents: dict[str, bytes], where: str) -> list[Problem]:
    """Each photo and voucher a seal lists is in the bundle, with the bytes it was sealed with."""
    try:
        listed = seal_attachments.parse(entry.get("attachments"))
    except (ValueError, TypeError):
        return [Problem("封存的照片和凭证清单无法读取：被改动或损坏", where=where)]
    found = []
    for attachment in listed:
        data = contents.get(seal_attachments.member_name(attachment))
        if data is None or sha256(data) != attachment["sha256"]:
            found.append(Problem(f"封存的{seal_attachments.named(attachment)}缺失或被改动", where=where))
    return found


# ---------------------------------------------------------------------------------------------
# Writing it: in the caller's transaction, all or nothing.


def import_bundle(session: Session, path: Path, progress: Callable[[int, int], None] | None = None,
                  read: tuple[dict[str, Any], dict[str, bytes]] | None = None, *,
                  trust: Sequence[str] = (), confirmed_by: str = "") -> ImportResult:
    """Add the bundle's seals the database does not hold yet; refuse anything that does not fit.
    `read` is what `read_bundle(path)` gave, if the caller has read it already (read it once).
    Seals must be signed by keys registered here for the village (`signing.admit_chain`);
    `trust` names fingerprints confirmed now (by `confirmed_by`, over the phone)."""
    shown = path.name
    document, contents = read or read_bundle(path)
    # A chain rewritten and the list with it shows in the chain first; the list alone changed, here.
    problems = check_chain(document, contents, shown) or _check_seal_list(document, contents, shown)
    if problems:
        raise BadInput(f"档案包 {shown} 中的封存与其哈希不符，拒绝导入：", problems)
    township = store.get_township(session)
    if township is None:
        raise BadInput("本数据库还没有乡镇：请先运行 zwgk init --township 名称")
    info = document["village"]
    village = session.scalar(select(Village).where(Village.code == info["code"]))
    if village is None:
        if session.scalar(select(Village).where(Village.name == info["name"])):
            raise BadInput(f"本库已有名为{info['name']}的村，但代码不是 {info['code']}：请先在设置中统一村代码")
        village = store.add_village(session, township, f"{info['name']}={info['code']}")
        if info.get("phone"):
            store.set_phone(village, info["phone"])
    elif village.name != info["name"]:
        raise BadInput(f"档案包是{info['name']}（{info['code']}）的，"
                       f"本库中代码 {info['code']} 是{village.name}：拒绝导入")
    signing.admit_chain(session, village, signing.bundle_links(document["seals"], shown), trust, confirmed_by, shown)
    held = list(session.scalars(select(Seal).where(Seal.village_id == village.id).order_by(Seal.id)))
    bundle_seals = document["seals"]
    for index, (mine, theirs) in enumerate(zip(held, bundle_seals, strict=False), start=1):
        if mine.chain_hash != theirs["chain_hash"]:
            raise BadInput(f"档案包与本库中{village.name}已有的封存不一致（第{index}个封存 {mine.period} 不同）："
                           "两边的档案已各自改变，拒绝导入，请与村里核对")
    if len(held) > len(bundle_seals):
        raise BadInput(f"本库中{village.name}的封存（{len(held)} 个）比档案包（{len(bundle_seals)} 个）还新，无需导入")
    new = bundle_seals[len(held):]
    previous = held[-1] if held else None
    store_sources(session, {source["digest"]: (source["kind"], source["text"])
                            for source in document.get("sources", [])})
    items = 0
    for done, entry in enumerate(new, start=1):
        previous = _import_seal(session, village, entry, contents, previous, shown)
        items += len(entry["items"])
        if progress:
            progress(done, len(new))
    _retire_numbers(session, village, document.get("retired", []))
    session.flush()
    _, found = verify(session, village.code)
    if found:  # cannot happen if the checks above are right; never commit an archive that does not verify
        raise BadInput(f"导入后核验未通过，已撤销：{found[0]}", found)
    keys = sum(1 for entry in new if entry["kind"] == "key")
    return ImportResult(village.name, len(new) - keys, items, sum(1 for s in held if s.kind != "key"), keys)


def _retire_numbers(session: Session, village: Village, retired: list[dict[str, Any]]) -> None:
    """The village's retired numbers (bundles from before the register have none), held here too."""
    for entry in retired:
        if store.number_taken(session, village.id, entry["number"]) is None:
            session.add(ItemNumber(village_id=village.id, number=entry["number"], item_id=None,
                                   period=entry["period"], retired_at=entry["retired_at"]))


def is_news(session: Session, document: dict[str, Any]) -> bool:
    """Whether the bundle holds seals this database does not (so importing it would change it)."""
    village = session.scalar(select(Village).where(Village.code == document["village"]["code"]))
    if village is None:
        return True
    held = session.scalar(select(func.count()).select_from(Seal).where(Seal.village_id == village.id)) or 0
    return len(document["seals"]) > held or any(
        store.number_taken(session, village.id, entry["number"]) is None for entry in document.get("retired", []))


def _import_seal(session: Session, village: Village, entry: dict[str, Any], contents: dict[str, bytes],
                 previous: Seal | None, shown: str) -> Seal:
    records = []
    for item in entry["items"]:
        record = item["record"]
        number = item["number"]
        clash = store.number_taken(session, village.id, number)
        if clash is not None:
            raise BadInput(f"本库中{village.name}的{clash}，与档案包中的"
                           f"“{item['title']}”冲突：同一个村的事项只能在一处录入")
        supersedes = None
        if record.get("supersedes") is not None:
            supersedes = session.scalar(select(DisclosureItem.id).where(
                DisclosureItem.village_id == village.id,
                func.coalesce(DisclosureItem.number, DisclosureItem.id) == record["supersedes"]))
            if supersedes is None:
                raise BadInput(f"{shown}：更正所对应的原事项 {record['supersedes']} 不在本库中")
        start, end = record["publicity"]
        reviewer, reviewed_on = record["review"]
        month = _month(record)
        row = DisclosureItem(
            village_id=village.id, number=number, period=record["period"], category=record["category"],
            title=record["title"], disclosure=record["disclosure"], status=record["status"], clerk=record["clerk"],
            publicity_start=_day(start), publicity_end=_day(end), reviewer=reviewer, reviewed_on=_day(reviewed_on),
            fields=record["fields"], supersedes_id=supersedes, correction_reason=record["reason"],
            month=month.number if month else None)
        session.add(row)
        store.register_number(session, village.id, number, row)
        session.flush()
        if record["rows"]:
            session.execute(insert(ItemRow), [{"item_id": row.id, "seq": seq, "data": data}
                                              for seq, data in enumerate(record["rows"], start=1)])
        write_entries(session.connection(), row.id,
                      entries_for(record["category"], record["title"], record["rows"], record["fields"]))
        records.append((row, item))
    seal = Seal(village_id=village.id, period=entry["period"], kind=entry["kind"], format=entry["format"],
                sealed_at=entry["sealed_at"], sealed_by=entry["sealed_by"],
                previous_id=previous.id if previous else None, payload_hash=entry["payload_hash"],
                chain_hash=entry["chain_hash"], **_proofs(entry, _SEAL_PROOFS))
    session.add(seal)
    session.flush()
    # 件号 given in the village's sealing order, as the village gave them: the bundle holds every seal.
    first = next_archive_number(session, village.id)
    for offset, (row, item) in enumerate(records):
        session.add(SealedItem(
            seal_id=seal.id, item_id=row.id, archive_number=first + offset, title=item["title"],
            canonical_json=item["canonical_json"],
            content_hash=item["content_hash"], data_hash=item["data_hash"],
            pdf=contents[item["pdf"]] if item["pdf"] else None, pdf_hash=item["pdf_hash"],
            **_sealed_first_public(item), **_proofs(item, _ITEM_PROOFS)))
    seal_objections.import_bundled(session, village, seal, entry, shown)
    for attachment in seal_attachments.parse(entry.get("attachments")):
        item_id = None
        if attachment["item"] is not None:
            item_id = session.scalar(select(DisclosureItem.id).where(
                DisclosureItem.village_id == village.id,
                func.coalesce(DisclosureItem.number, DisclosureItem.id) == attachment["item"]))
        session.add(Attachment(
            village_id=village.id, period=entry["period"], kind=attachment["kind"], item_id=item_id,
            row=attachment["row"], name=attachment["name"], media_type=attachment["media_type"],
            sha256=attachment["sha256"], size=attachment["size"], taken_at=attachment["taken_at"],
            added_at=attachment["added_at"], data=contents[seal_attachments.member_name(attachment)],
            seal_id=seal.id))
    session.add(SealArrival(seal_id=seal.id, arrived_at=datetime.now(UTC).isoformat(timespec="seconds"),
                            bundle=shown[:200]))
    session.flush()
    return seal


def _first_public(entry: SealedItem) -> list[str] | None:
    """The sealed record of when the item first went out ([moment, how]), as a bundle carries it."""
    if entry.first_public_at is None and entry.first_public_how is None:
        return None
    return [entry.first_public_at or "", entry.first_public_how or ""]


def _sealed_first_public(item: dict[str, Any]) -> dict[str, str | None]:
    """A bundle item's first-public record as SealedItem columns (bundles of older versions have none;
    a malformed one is left out, and the seal's hash then says the bundle was altered)."""
    value = item.get("first_public")
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value) \
            and len(value[0]) <= 40 and len(value[1]) <= 12:
        return {"first_public_at": value[0] or None, "first_public_how": value[1] or None}
    return {"first_public_at": None, "first_public_how": None}


def _proofs(entry: dict[str, Any], keys: tuple[str, ...]) -> dict[str, str | None]:
    """Seal format 4's values of a bundle entry as columns: text or None; anything else is left
    out, and the seal's payload hash then says the bundle was altered."""
    return {key: value if isinstance(value := entry.get(key), str) else None for key in keys}


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"日期“{value}”不对")
    return date.fromisoformat(value)


def bundle_name(village_code: str) -> str:
    return f"{village_code}-{datetime.now(UTC):%Y%m%d}{SUFFIX}"


