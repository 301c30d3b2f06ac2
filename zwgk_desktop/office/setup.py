"""Setting an archive up and keeping its shared settings: create or upgrade it, name the township and
its villages (`zwgk init`, the app's first run), load the demo township, read and change the
settings the whole office shares (the online copy's address, supervision phones, the publication
day: the app's 设置 and `zwgk settings`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk_desktop.db import store
from zwgk_desktop.db.store import Settings, VillageSettings
from zwgk_desktop.domain.filing import check_pattern
from zwgk_desktop.domain.web_address import checked_objection_url
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.office.handle import Archive


def open_or_create(target: str | os.PathLike[str], layouts: Path | str | None = None) -> Archive:
    """The archive at `target`, made if it is missing and brought to this program's schema (an
    existing file is backed up first). A new file that could not be made whole (a full disk) is
    not left behind half-made."""
    from zwgk_desktop.archive.backup import sqlite_path

    new_file = sqlite_path(str(target))
    new_file = new_file if new_file is not None and not new_file.exists() else None
    try:
        return Archive.open(target, create=True, upgrade=True, layouts=layouts)
    except BaseException:
        if new_file is not None:
            for made in (new_file, new_file.with_name(new_file.name + "-wal"),
                         new_file.with_name(new_file.name + "-shm")):
                made.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Office:
    """What an archive says about its office: the township (None: not set up yet) and villages."""

    township: str | None
    base_url: str
    villages: tuple[tuple[str, str], ...]  # (name, code)
    periods: tuple[str, ...] = ()
    # What the online address does to the sheets' QR codes (`qr_notes`), when it was just set.
    notes: tuple[str, ...] = ()


def office(archive: Archive) -> Office:
    with archive.reading() as session:
        township = store.get_township(session)
        return Office(township.name if township else None, township.base_url if township else "",
                      tuple((v.name, v.code) for v in store.villages(session)), tuple(store.periods_of(session)))


def init(archive: Archive, *, township: str | None = None, villages: Sequence[str] = (),
         base_url: str | None = None, township_phone: str | None = None, archive_pattern: str | None = None,
         objection_url: str | None = None) -> Office:
    """Name the township (or rename it), add villages (`东岗村` or `东岗村=donggang`), set the online
    copy's address, the township's supervision phone and the 档号 pattern; all of it or nothing."""
    notes: list[str] = []
    with archive.writing() as session:
        found = store.get_township(session)
        if township or (found is None and (villages or base_url or township_phone or archive_pattern
                                           or objection_url)):
            if not township:
                raise BadInput("数据库中还没有乡镇：请同时用 --township 指定乡镇名称")
            found = store.ensure_township(session, township)
        if found is not None:
            if base_url:
                store.set_base_url(found, base_url)
            if township_phone:
                store.set_phone(found, township_phone)
            if archive_pattern is not None:
                found.archive_pattern = check_pattern(archive_pattern)
            if objection_url is not None:
                found.objection_url = checked_objection_url(objection_url) if objection_url.strip() else ""
            for spec in villages:
                store.add_village(session, found, spec)
            # An address no format can print a readable code for is refused before it is stored.
            notes = _qr_notes(archive, session) if base_url or villages else []
    done = office(archive)
    return replace(done, notes=tuple(notes))


def needs_first_run(archive: Archive) -> bool:
    """An archive with no township yet: the app then offers the demo or to create one."""
    with archive.reading() as session:
        return store.get_township(session) is None


def create_township(archive: Archive, township: str, villages: Sequence[str]) -> Office:
    """The first run's 建立本乡镇: the township and its villages, all of them or none."""
    if not township.strip() or not [v for v in villages if v.strip()]:
        raise BadInput("请填写乡镇名称，并至少写一个村。")
    return init(archive, township=township, villages=[v.strip() for v in villages if v.strip()])


@dataclass(frozen=True)
class Demo:
    loaded: bool  # False: the demo was in the archive already
    items: int
    office: Office


def load_demo(archive: Archive, progress: Callable[[str], None] | None = None) -> Demo:
    """The demo township 青山镇 (3 villages, 4 quarters, every category) into an empty archive;
    an archive holding it already is left as it is. One holding other villages is refused."""
    from zwgk_desktop.office.demo import has_demo
    from zwgk_desktop.office.demo import load_demo as fill

    with archive.writing() as session:
        if has_demo(session):
            ids: list[int] | None = None
        else:
            ids = fill(session, progress)
    return Demo(ids is not None, len(ids or ()), office(archive))


def qr_notes(archive: Archive, base_url: str | None = None) -> list[str]:
    """What the online address (the stored one, or `base_url`) does to the QR codes of every
    format and village: [] when each keeps its size; a warning when a format cannot keep its
    modules at 0.8 mm; BadInput when one could not print a readable code at all."""
    with archive.reading() as session:
        return _qr_notes(archive, session, base_url)


def _qr_notes(archive: Archive, session: Session, base_url: str | None = None) -> list[str]:
    from zwgk_desktop.render.qr_address import address_notes

    township = store.get_township(session)
    address = base_url if base_url is not None else (township.base_url if township else "")
    if not address:
        return []
    try:
        layouts = archive.layouts.layouts
    except BadInput:
        return []  # a broken formats folder is told where it is used (printing), not here
    return address_notes(address, [v.code for v in store.villages(session)], layouts)


# -- the shared settings ----------------------------------------------------------------------------

def settings(archive: Archive) -> Settings:
    with archive.reading() as session:
        return store.load_settings(session)


def save_settings(archive: Archive, wanted: Settings) -> Settings:
    """Apply the settings (the app's 设置 dialog, `zwgk settings`); every problem is told at once and
    nothing is changed on any error."""
    with archive.writing() as session:
        store.save_settings(session, wanted)
        _qr_notes(archive, session)  # an address no format prints a readable code for: nothing saved
    return settings(archive)


def change_settings(archive: Archive, *, township: str | None = None, base_url: str | None = None,
                    township_phone: str | None = None, publication_day: int | None = None,
                    village_phones: Sequence[tuple[str, str]] = (),
                    village_names: Sequence[tuple[str, str]] = (), archive_pattern: str | None = None,
                    village_fonds: Sequence[tuple[str, str]] = (), licence: str | None = None,
                    village_monthly: Sequence[tuple[str, Sequence[str]]] = (),
                    objection_url: str | None = None) -> Settings:
    """Change some settings, keeping the rest: what `zwgk settings --…` does. Villages are named
    by name or code; `village_phones` gives each its 村务监督委员会 phone ("" clears it),
    `village_names` a new name (its code, in every printed URL, stays), `village_fonds` its
    全宗号; `archive_pattern` is the 档号 pattern ("" for the default); `licence` the open data's
    licence line ("" states none); `village_monthly` the categories a village discloses monthly
    (财务收支 where transactions are many; none: back to quarterly)."""
    current = settings(archive)
    if not current.township and not township:
        raise BadInput("数据库中还没有乡镇：请先 zwgk init --township 名称 --village 村名（或 zwgk demo）")
    villages = list(current.villages)
    problems: list[Problem] = []

    def index_of(wanted: str) -> int | None:
        for number, entry in enumerate(villages):
            if wanted.strip() in (entry.name, entry.code) or wanted.strip().lower() == entry.code:
                return number
        problems.append(Problem(f"没有名为或代码为“{wanted}”的村。现有："
                                + "、".join(f"{v.name}（{v.code}）" for v in villages), field="村"))
        return None

    for wanted, phone in village_phones:
        at = index_of(wanted)
        if at is not None:
            villages[at] = replace(villages[at], phone=phone)
    for wanted, name in village_names:
        at = index_of(wanted)
        if at is not None:
            villages[at] = replace(villages[at], name=name)
    for wanted, fonds in village_fonds:
        at = index_of(wanted)
        if at is not None:
            villages[at] = replace(villages[at], fonds=fonds)
    for wanted, codes in village_monthly:
        at = index_of(wanted)
        if at is not None:
            villages[at] = replace(villages[at], monthly=tuple(codes))
    if problems:
        raise BadInput("设置有误，未保存：", problems)
    return save_settings(archive, Settings(
        township if township is not None else current.township,
        base_url if base_url is not None else current.base_url,
        township_phone if township_phone is not None else current.township_phone,
        publication_day if publication_day is not None else current.publication_day,
        [VillageSettings(v.name, v.code, v.phone, v.id, v.fonds, v.monthly) for v in villages],
        archive_pattern if archive_pattern is not None else current.archive_pattern,
        licence if licence is not None else current.licence,
        objection_url if objection_url is not None else current.objection_url))
