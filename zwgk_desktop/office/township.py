"""The township's work: the compliance table of a quarter (`zwgk status`, the dashboard), and
moving a village's sealed archive to the township and back in a checksummed bundle (`zwgk
bundle export/import`).

The table judges every village × category on time, late (by working days), missing or not
required, from what is sealed in the archive against the catalogue (公开目录). When an item went
to the public is judged from the product's own record of when it was first printed or exported
(sealed with it, archive.first_public), where none exists from its seal, never from the typed
公示开始 alone; a typed start earlier than that record is shown as 补登. At the township, each
village's row also says when its bundle arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.archive.backup import Backup
from zwgk_desktop.archive.bundle import SUFFIX as BUNDLE_SUFFIX
from zwgk_desktop.archive.bundle import (
    ExportResult,
    ImportResult,
    bundle_name,
    export_bundle,
    import_bundle,
    is_news,
    read_bundle,
)
from zwgk_desktop.archive.first_public import CHINA, HOW, impossible, local_day, moment_utc
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, ItemRow, Seal, SealArrival, SealedItem, Village
from zwgk_desktop.domain import objections as rules
from zwgk_desktop.domain.catalogue import (
    MISSING,
    NOT_REQUIRED,
    Catalogue,
    Cell,
    Compliance,
    Posted,
    Requirement,
    combined_months,
    judge,
    judge_month,
    load_catalogue,
    month_deadline,
    went_public,
)
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.items import CONFIRMED_BY, PUBLIC, entered
from zwgk_desktop.domain.periods import Period, Quarter, calendar_note, month_of, quarter_of
from zwgk_desktop.errors import BadInput
from zwgk_desktop.inputs import readable_file
from zwgk_desktop.io.status_sheet import write_xlsx
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.objections import objections_in


@dataclass(frozen=True)
class StatusTable:
    """A quarter's compliance table, with what a report on it says around the grid."""

    table: Compliance
    catalogue: Catalogue
    township: str
    publication_day: int
    village_ids: tuple[int, ...]  # the rows' villages, in order (the dashboard opens one)
    xlsx: Path | None = None  # the workbook written, if one was asked for


def status_table(archive: Archive, period: Period, *, xlsx: Path | None = None,
                 today: date | None = None) -> StatusTable:
    """Villages × categories for the quarter (a monthly category judged month by month), or for
    one month (the categories some village discloses monthly); with `xlsx`, also written as a workbook."""
    catalogue = load_catalogue(archive.layouts.folder)  # a township pack is checked before it is read
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise BadInput(f"输出文件 {xlsx} 应以 .xlsx 结尾")
    with archive.reading() as session:
        villages = store.villages(session)
        table = compliance_table(session, catalogue, period, villages, today)
        township = store.get_township(session)
        assert township is not None  # compliance_table refused an archive without one
        found = StatusTable(table, catalogue, township.name, township.publication_day,
                            tuple(v.id for v in villages), xlsx)
    if xlsx is not None:
        write_status_xlsx(found, xlsx)
    return found


def write_status_xlsx(status: StatusTable, out: Path) -> None:
    """The table shown (the dashboard's) as a workbook for the report upward."""
    write_xlsx(status.table, status.catalogue, status.township, status.publication_day, out)


def compliance_table(session: Session, catalogue: Catalogue, period: Period,
                     villages: list[Village] | None = None, today: date | None = None) -> Compliance:
    """Villages × categories for the quarter, or for one month of it. One query for the whole township."""
    township = store.get_township(session)
    if township is None:
        raise BadInput("数据库中还没有乡镇：请先运行 zwgk init 或 zwgk demo")
    villages = villages if villages is not None else store.villages(session)
    month, quarter = month_of(period), quarter_of(period)
    monthly_by_village = {v.id: catalogue.monthly(store.monthly_of(v, quarter)) for v in villages}
    categories = tuple(code for code in CATEGORIES if catalogue.for_category(code) is not None)
    if month is not None:  # a month's table: the categories some village discloses monthly
        categories = tuple(c for c in categories if any(c in m for m in monthly_by_village.values()))
        if not categories:
            raise BadInput(f"没有哪个村按月公开，不能用月份 {month}：请用季度 {quarter}"
                           "（乡镇可在“设置”中定某村按月公开财务，或 zwgk settings --monthly 村=finance）")
    # An item is reported by the number printed on its sheets (a township's own ids differ).
    number = func.coalesce(DisclosureItem.number, DisclosureItem.id)
    query = (select(DisclosureItem.id, number, DisclosureItem.village_id, DisclosureItem.category,
                    DisclosureItem.publicity_start, DisclosureItem.reviewed_on, DisclosureItem.created_at,
                    SealedItem.id, SealedItem.first_public_at, SealedItem.first_public_how, Seal.sealed_at,
                    DisclosureItem.month)
             .outerjoin(SealedItem, SealedItem.item_id == DisclosureItem.id)
             .outerjoin(Seal, Seal.id == SealedItem.seal_id)
             .where(DisclosureItem.period == str(quarter), DisclosureItem.disclosure == PUBLIC,
                    DisclosureItem.supersedes_id.is_(None))  # a correction is not a disclosure of its own
             .order_by(DisclosureItem.id))
    posted: dict[tuple[int, str], list[Posted]] = {}
    unsealed: set[tuple[int, str]] = set()
    unsealed_months: set[tuple[int, str, int]] = set()
    monthly = {code for codes in monthly_by_village.values() for code in codes}
    # An item of a monthly category stored without its month (made before months were kept) is
    # taken to cover the month of its last dated line.
    months = _months(session, quarter, monthly) if monthly else {}
    for (item_id, shown, village_id, code, start, reviewed, created, entry, first, how, sealed_at,
         own_month) in session.execute(query):
        covered = own_month or months.get(item_id)
        if month is not None and covered != month.number:
            continue
        if entry is None and covered:
            unsealed_months.add((village_id, code, covered))
        if entry is not None:
            # A record that cannot be true (earlier than the item was entered or reviewed) is judged
            # as no record: the seal's time bounds it.
            doubted = impossible(first, created, reviewed, sealed_at)
            printed, sealed = None if doubted else local_day(first), local_day(sealed_at)
            made = moment_utc(created)
            posted.setdefault((village_id, code), []).append(Posted(
                shown, went_public(start, printed, sealed), reviewed, covered,
                typed=start, printed=printed, sealed=sealed, how="" if doubted else HOW.get(how or "", ""),
                created=made.astimezone(CHINA).date() if made else None, doubted=doubted))
        else:
            unsealed.add((village_id, code))
    table = Compliance(period, categories, arrived=_arrivals(session, quarter),
                       objections=_objections(session, quarter, today or date.today()))
    # Deadlines, and the working days counted up to when items went out, in years of unknown arrangement.
    deadlines = [month_deadline(period.last_day.year, period.last_day.month, r, township.publication_day)
                 for r in catalogue.requirements]
    table.calendar = calendar_note([*deadlines, *(p.published for ps in posted.values() for p in ps if p.published)])
    for village in villages:
        cells = {}
        for code in categories:
            requirement = catalogue.for_village(code, monthly_by_village[village.id])
            assert requirement is not None
            found = posted.get((village.id, code), [])
            if month is None:
                cell = judge(requirement, quarter, found, township.publication_day, today)
            elif requirement.frequency == "monthly":
                cell = judge_month(requirement, month, found, township.publication_day, today)
            else:
                cell = Cell(NOT_REQUIRED, note=f"{village.name}的{CATEGORIES[code].name}按季度公开：见 {quarter}")
            if cell.months:
                cell = _unsealed_months(cell, requirement, found, village.id, code, unsealed_months)
            elif cell.status in (MISSING, NOT_REQUIRED) and not cell.items and (village.id, code) in unsealed \
                    and (month is None or requirement.frequency == "monthly"):
                cell = Cell(MISSING, note="有事项，但还没有审核封存")
            cells[code] = cell
        table.rows.append((village.name, village.code, cells))
    return table


def _unsealed_months(cell: Cell, requirement: Requirement, found: list[Posted], village_id: int, code: str,
                     unsealed: set[tuple[int, str, int]]) -> Cell:
    """A monthly cell whose months with items not yet sealed say so (not 未公开 with nothing said)."""
    months = tuple((key, Cell(MISSING, note="有事项，但还没有审核封存")
                    if month.status in (MISSING, NOT_REQUIRED) and not month.items
                    and (village_id, code, int(key[5:])) in unsealed else month)
                   for key, month in cell.months)
    return combined_months(requirement, months, found) if months != cell.months else cell


def _objections(session: Session, period: Quarter, today: date) -> dict[str, tuple[int, int, int]]:
    """Each village's objections to the quarter's items: how many, how many past due unreplied,
    how many replied late."""
    by_village: dict[str, list[rules.Objection]] = {}
    for entry in objections_in(session, period=period, today=today):
        by_village.setdefault(entry.objection.village, []).append(entry.objection)
    return {code: rules.counted(found, today) for code, found in by_village.items()}


def _arrivals(session: Session, period: Quarter) -> dict[str, datetime]:
    """When each village's bundle first brought this quarter's seal here (by village code)."""
    found: dict[str, datetime] = {}
    rows = session.execute(select(Village.code, func.min(SealArrival.arrived_at))
                           .join(Seal, Seal.village_id == Village.id)
                           .join(SealArrival, SealArrival.seal_id == Seal.id)
                           .where(Seal.period == str(period), Seal.kind == "quarter").group_by(Village.code))
    for code, moment in rows:
        try:
            found[code] = datetime.fromisoformat(moment).astimezone(CHINA)
        except (TypeError, ValueError):
            continue  # an arrival that cannot be read is shown as none
    return found


def _months(session: Session, period: Quarter, categories: set[str]) -> dict[int, int]:
    """The month each item of a monthly category covers: that of its last dated line."""
    found: dict[int, int] = {}
    rows = session.execute(select(ItemRow.item_id, ItemRow.data).join(DisclosureItem).where(
        DisclosureItem.period == str(period), DisclosureItem.category.in_(categories)))
    for item_id, data in rows:
        day = data.get("date") if isinstance(data, dict) else None
        if isinstance(day, str) and len(day) >= 7 and day[5:7].isdigit():
            found[item_id] = max(found.get(item_id, 0), int(day[5:7]))
    return found



# ---------------------------------------------------------------------------------------------
# Bundles: a village's archive carried to the township and back.


def export_village_bundle(archive: Archive, village: str, out: Path | None = None) -> ExportResult:
    """Every seal of the village into one bundle file (default: `{code}-{date}.zwgk` here)."""
    with archive.reading() as session:
        target = out or Path(bundle_name(store.find_village(session, village).code))
        if target.suffix != BUNDLE_SUFFIX:
            raise BadInput(f"档案包文件 {target} 应以 {BUNDLE_SUFFIX} 结尾")
        return export_bundle(session, village, target)


@dataclass(frozen=True)
class BundleImported:
    result: ImportResult
    backup: Backup | None  # taken only when the import changed something


def import_village_bundle(archive: Archive, path: Path, *, trust: Sequence[str] = (),
                          confirmed_by: str = "") -> BundleImported:
    """Read a bundle, refuse a damaged one before the archive is touched, and bring in the
    seals it holds that this archive lacks (backed up first; a second import changes nothing).
    Its seals must be signed by the village's key registered here, or by one whose fingerprint
    `confirmed_by` (a person's name, required with `trust`) confirmed now (`trust`, as read over the phone)."""
    if trust and not confirmed_by.strip():
        raise BadInput("给出 --trust-fingerprint 时须写明是谁核对了指纹：--confirmed-by 姓名（记入本库的密钥登记）")
    if confirmed_by.strip():
        confirmed_by = entered(CONFIRMED_BY, confirmed_by)  # kept in the key register, shown by zwgk key list
    bundle = read_bundle(readable_file(path, "档案包"))
    with archive.reading() as session:
        news = is_news(session, bundle[0])
    if not news:
        with archive.writing() as session:
            return BundleImported(import_bundle(session, path, read=bundle, trust=trust,
                                                confirmed_by=confirmed_by), None)
    with archive.changing("before-import") as (session, backup):
        return BundleImported(import_bundle(session, path, read=bundle, trust=trust,  # read once, not held twice
                                            confirmed_by=confirmed_by), backup)
