"""Looking into the archive: what it holds (`zwgk list`, the app's navigator), full-text search
(`zwgk search`, the app's 查找), and the sealed archive with each item's versions (the app's
archive browser). All only read: an auditor's read-only copy answers them."""

from __future__ import annotations

from dataclasses import dataclass

from zwgk_desktop.archive import browse
from zwgk_desktop.archive.browse import SealedEntry, Version
from zwgk_desktop.db import store
from zwgk_desktop.db.models import Village
from zwgk_desktop.db.store import ItemSummary, SearchHit
from zwgk_desktop.domain.catalogue import Catalogue
from zwgk_desktop.domain.periods import Month, Period, Quarter, quarter_of
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.monthly import catalogue_of, check_period, months_of
from zwgk_desktop.render.correction import Change


@dataclass(frozen=True)
class VillageShown:
    id: int
    name: str
    code: str
    periods: tuple[str, ...]
    # The months (2026-07 …) of those quarters in which the village discloses something monthly.
    months: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listing:
    township: str | None
    base_url: str | None
    villages: tuple[VillageShown, ...]
    items: tuple[ItemSummary, ...]
    corrects: dict[int, int]  # a correction's database id → the number of the version it corrects


def list_archive(archive: Archive, village: str | None = None, period: Period | None = None) -> Listing:
    """Villages (with their quarters) and items, of one village or period if given: a quarter's
    items include its months'; a month only of a village that discloses something monthly."""
    # A month asked for is judged by the catalogue; the listing itself is never stopped by a broken
    # one (the village's own setting still shows its months).
    catalogue = catalogue_of(archive.layouts) if isinstance(period, Month) else _catalogue_or_none(archive)
    with archive.reading() as session:
        found = store.find_village(session, village) if village else None
        township = store.get_township(session)
        villages = [found] if found else store.villages(session)
        if isinstance(period, Month):
            _month_of_some(catalogue, villages, period)
        items = store.list_items(session, found, period)
        corrects = {i.id: store.number_of(session, i.corrects) for i in items if i.corrects is not None}
        return Listing(township.name if township else None, township.base_url if township else None,
                       tuple(_shown(catalogue, v, tuple(store.periods_of(session, v))) for v in villages),
                       tuple(items), corrects)


def _catalogue_or_none(archive: Archive) -> Catalogue:
    try:
        return catalogue_of(archive.layouts)
    except BadInput:
        return Catalogue(())


def _shown(catalogue: Catalogue, village: Village, periods: tuple[str, ...]) -> VillageShown:
    months = tuple(str(m) for p in periods for m in months_of(catalogue, village, Quarter.parse(p)))
    return VillageShown(village.id, village.name, village.code, periods, months)


def _month_of_some(catalogue: Catalogue, villages: list[Village], period: Period) -> None:
    """A month is asked of villages that disclose monthly: of one, it must; of all, one must."""
    problems: list[BadInput] = []
    for village in villages:
        try:
            check_period(catalogue, village, period)
            return
        except BadInput as exc:
            problems.append(exc)
    if problems:
        raise problems[0] if len(villages) == 1 else BadInput(
            f"没有哪个村按月公开，不能用月份 {period}：请用季度 {quarter_of(period)}")


def search_archive(archive: Archive, text: str, *, village: str | None = None, period: Period | None = None,
                   category: str | None = None, limit: int = 100) -> list[SearchHit]:
    """Items and rows whose public text holds `text` (any part of a word), newest first."""
    with archive.reading() as session:
        found = store.find_village(session, village) if village else None
        return store.search(session, text, village=found, period=period, category=category, limit=max(1, limit))


def township_of(archive: Archive) -> tuple[str, int] | None:
    """The archive's township name and publication day (None before `zwgk init` sets them)."""
    with archive.reading() as session:
        township = store.get_township(session)
        return (township.name, township.publication_day) if township else None


# ---------------------------------------------------------------------------------------------
# The sealed archive (what an auditor browses).


@dataclass(frozen=True)
class SealedFilters:
    villages: tuple[tuple[int, str], ...]  # (database id, name)
    periods: tuple[str, ...]  # quarters that hold a seal


def sealed_filters(archive: Archive) -> SealedFilters:
    with archive.reading() as session:
        return SealedFilters(tuple((v.id, v.name) for v in store.villages(session)),
                             tuple(browse.sealed_periods(session)))


def sealed_items(archive: Archive, *, village_id: int | None = None, period: str | None = None,
                 category: str | None = None, text: str | None = None) -> list[SealedEntry]:
    """The sealed items that match (every one, when nothing is given)."""
    with archive.reading() as session:
        return browse.sealed_entries(session, village_id=village_id, period=period, category=category, text=text)


@dataclass(frozen=True)
class SealedItem:
    """One sealed item as the browser shows it."""

    pdf: bytes | None  # its sheets, as sealed
    versions: tuple[Version, ...]
    changes: tuple[Change, ...]  # what the correction changed (of it, or of the one correcting it)
    compared: int | None  # the number, as printed, of the correction whose changes those are


def sealed_item(archive: Archive, entry: SealedEntry) -> SealedItem:
    with archive.reading() as session:
        versions = browse.history(session, entry.item_id)
        # A correction shows what it changed; an original that was corrected shows its correction's.
        compared = entry.item_id if entry.correction else entry.superseded_by
        changes = browse.correction_changes(session, compared) if compared is not None else []
        shown = entry.number if entry.correction else entry.superseded_by_number  # as printed
        return SealedItem(browse.sealed_pdf(session, entry.item_id), tuple(versions), tuple(changes), shown)
