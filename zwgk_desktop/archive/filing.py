"""Filing sealed items: each gets its 件号, 档号 and 保管期限 as it is sealed (`seal_quarter` calls
`file_items` once, before the seal's payload hash, which covers the 档号 and 保管期限)."""

from __future__ import annotations

from collections.abc import Sequence

from zwgk_desktop.db.models import DisclosureItem, SealedItem, Village
from zwgk_desktop.domain.catalogue import load_catalogue
from zwgk_desktop.domain.filing import DEFAULT_RETENTION, Filing, filing_for
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.render.layout import LayoutSet


def filing_of(village: Village) -> Filing:
    """The village's filing from the settings: the township's pattern and the village's 全宗号."""
    return filing_for(village.township.archive_pattern or "", village.fonds_code or "", village.code)


def file_items(village: Village, layouts: LayoutSet, period: Quarter, records: Sequence[DisclosureItem],
               entries: Sequence[SealedItem], first_number: int, *, with_reference: bool = True) -> None:
    """Give each sealed entry (in the order of `records`) its 件号 from `first_number` on, its
    保管期限 from the catalogue and its 档号 from the village's filing (`with_reference`: seals of
    format 4 on; an older format's hash covers neither)."""
    filing = filing_of(village)
    catalogue = load_catalogue(layouts.folder)
    for offset, (record, entry) in enumerate(zip(records, entries, strict=True)):
        requirement = catalogue.for_category(record.category)
        retention = requirement.retention if requirement else DEFAULT_RETENTION
        entry.archive_number = first_number + offset
        if not with_reference:
            continue
        entry.retention = retention
        entry.archive_ref = filing.reference(year=period.year, period=str(period), retention=retention,
                                             number=entry.archive_number, category=record.category)
