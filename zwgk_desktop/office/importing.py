"""Spreadsheets in and out: plan an import (read, check, and check against the archive), store it
(after a backup), export an item's rows, write a category's blank template.

`zwgk import` and the app's import wizard call the same two steps, so a file the one refuses the
other refuses too, in the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop.db.models import Village
from zwgk_desktop.db.store import load_item, number_of
from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.periods import Period
from zwgk_desktop.errors import BadInput, NotFound
from zwgk_desktop.io.importer import ImportPlan, check_against_archive, plan_import
from zwgk_desktop.io.importer import store_import as _store_import
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.monthly import catalogue_of, check_period


def plan(archive: Archive, path: Path, category: str, period: Period, village_id: int, *,
         mapping: dict[str, str] | None = None,
         progress: Callable[[int, int], None] | None = None,
         fixed: dict[str, str] | None = None) -> ImportPlan:
    """What importing the file would store, with every error and warning (the file's own, and what
    the archive already holds: the same file imported twice, a household drawing in two villages).
    Nothing is stored."""
    with archive.reading() as session:
        village = session.get(Village, village_id)
        if village is None:  # told before the file is read
            raise NotFound("这个村已不存在")
        check_period(catalogue_of(archive.layouts), village, period, category)  # a month only if monthly
    found = plan_import(path, category, period, mapping=mapping, progress=progress, fixed=fixed)
    if found.ok:
        with archive.reading() as session:
            village = session.get(Village, village_id)
            assert village is not None
            check_against_archive(session, found, village)
    return found


@dataclass(frozen=True)
class Imported:
    item_id: int  # the database's
    number: int  # as printed on its sheets, what --item takes
    rows: int
    backup: Path | None
    plan: ImportPlan


def store(archive: Archive, planned: ImportPlan, village_id: int, *, title: str | None = None,
          warnings_accepted: bool = False) -> Imported:
    """Store a planned import as a new draft item of the village, after a backup. A plan with any
    error imports nothing; its warnings must have been shown and accepted."""
    if not planned.ok:
        raise BadInput(f"{planned.file} 有 {len(planned.errors)} 处错误，什么也没有导入。请改正后再导入：",
                       planned.errors[:200])
    if planned.warnings and not warnings_accepted:
        raise BadInput(f"{planned.file} 没有错误，但有 {len(planned.warnings)} 条提醒，核对并接受后才能导入：",
                       planned.warnings[:200])
    with archive.changing("before-import") as (session, backup):
        village = session.get(Village, village_id)
        if village is None:
            raise NotFound("这个村已不存在")
        item_id = _store_import(session, planned, village, title=title)
        number = number_of(session, item_id)
    return Imported(item_id, number, len(planned.item.rows), backup.path if backup else None, planned)


@dataclass(frozen=True)
class Exported:
    number: int
    title: str
    rows: int
    path: Path
    private: tuple[str, ...]  # the full personal numbers the file holds (身份证号, 电话 …): to be said


def export_rows(archive: Archive, item_id: int, target: Path) -> Exported:
    """Write an item's rows to a workbook in the import template's form (importing it gives the
    same rows). The file may hold full personal numbers, which the result names."""
    from zwgk_desktop.io.workbook import write_workbook

    with archive.reading() as session:
        item, _ = load_item(session, item_id)
        number = number_of(session, item_id)
    rows = write_workbook(item.category, xlsx(target), item)
    return Exported(number, item.title, rows, target, tuple(category_of(item.category).private_in(item)))


def template(category: str, target: Path) -> Path:
    """The blank import template of a category (no archive needed): headers, an example line,
    drop-down lists and a 填写说明 sheet."""
    from zwgk_desktop.io.workbook import write_workbook

    write_workbook(category, xlsx(target))
    return target


def xlsx(path: Path) -> Path:
    if path.suffix.lower() != ".xlsx":
        raise BadInput(f"输出文件 {path} 应以 .xlsx 结尾")
    return path

