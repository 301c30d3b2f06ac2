"""Which periods a village's items may be asked for: a quarter always, a month only for a category
the catalogue (公开目录) or the township's setting for the village has disclosed monthly; and the
quarter, never a month, is sealed. One place, so every `--period` and the app refuse alike."""

from __future__ import annotations

from zwgk_desktop.db import store
from zwgk_desktop.db.models import Village
from zwgk_desktop.domain.catalogue import Catalogue, load_catalogue
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.periods import Month, Period, Quarter, parse_period
from zwgk_desktop.errors import BadInput
from zwgk_desktop.render.layout import LayoutSet


def catalogue_of(layouts: LayoutSet) -> Catalogue:
    """The catalogue beside the formats in use."""
    return load_catalogue(layouts.folder)


def monthly_categories(catalogue: Catalogue, village: Village) -> tuple[str, ...]:
    """The categories this village discloses month by month."""
    return catalogue.monthly(store.monthly_of(village))


def check_period(catalogue: Catalogue, village: Village, period: Period | str,
                 category: str | None = None) -> Period:
    """The period, if it may be used for the village (and category): a month only where the
    village discloses that category (or, with no category named, any) monthly; refused in words."""
    found = parse_period(period) if isinstance(period, str) else period
    if isinstance(found, Quarter):
        return found
    monthly = monthly_categories(catalogue, village)
    if category is not None and category not in monthly:
        name = CATEGORIES[category].name if category in CATEGORIES else category
        raise BadInput(f"{village.name}的{name}按季度公开，不能按月份 {found} 录入或打印：请用季度 "
                       f"{found.quarter}" + _how_to_set(village, category))
    if category is None and not monthly:
        raise BadInput(f"{village.name}没有按月公开的类别，不能用月份 {found}：请用季度 {found.quarter}"
                       + _how_to_set(village, "finance"))
    return found


def months_of(catalogue: Catalogue, village: Village, quarter: Quarter) -> tuple[Month, ...]:
    """The months of a quarter a village discloses something in (none if it discloses nothing monthly)."""
    if not monthly_categories(catalogue, village):
        return ()
    return tuple(Month(quarter.year, number) for number in quarter.months)


def sealed_period(period: Period) -> Quarter:
    """The period sealing takes: a quarter, never a month (its months are sealed with it)."""
    if isinstance(period, Month):
        raise BadInput(f"按季度封存：请封存 {period.quarter}，月份随季度一并封存")
    return period


def _how_to_set(village: Village, category: str) -> str:
    return (f"（乡镇如定该村按月公开，可在“设置”中勾选，或运行 zwgk settings --monthly "
            f"{village.code}={category}）")
