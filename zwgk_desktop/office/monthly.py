"""Which periods a village's items may be asked for: a quarter always, a month only for a category
the catalogue (公开目录) or the township's setting for the village has disclosed monthly; and the
quarter, never a month, is sealed. One place, so every `--period` and the app refuse alike."""

from __future__ import annotations

import re

from zwgk_desktop.db import store
from zwgk_desktop.db.models import Village
from zwgk_desktop.domain.catalogue import FILE_NAME, Catalogue, load_catalogue
from zwgk_desktop.domain.categories import CATEGORIES
from zwgk_desktop.domain.periods import Month, Period, Quarter, parse_period
from zwgk_desktop.errors import BadInput
from zwgk_desktop.render.layout import LayoutSet


def catalogue_of(layouts: LayoutSet) -> Catalogue:
    """The catalogue beside the formats in use: read again only when its file changed (the app
    lists the archive after every save, and each listing asks which villages are monthly)."""
    path = layouts.folder / FILE_NAME
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return load_catalogue(layouts.folder)  # none (every category quarterly), or told in words
    if _read.get("key") != key:
        _read.clear()
        _read.update(key=key, catalogue=load_catalogue(layouts.folder))
    found = _read["catalogue"]
    assert isinstance(found, Catalogue)
    return found


_read: dict[str, object] = {}


def monthly_categories(catalogue: Catalogue, village: Village, quarter: Quarter) -> tuple[str, ...]:
    """The categories this village discloses month by month in the quarter."""
    return catalogue.monthly(store.monthly_of(village, quarter))


def check_period(catalogue: Catalogue, village: Village, period: Period | str,
                 category: str | None = None) -> Period:
    """The period, if it may be used for the village (and category): a month only where the
    village discloses that category (or, with no category named, any) monthly; refused in words."""
    found = parse_period(period) if isinstance(period, str) else period
    if isinstance(found, Quarter):
        return found
    monthly = monthly_categories(catalogue, village, found.quarter)
    if category is not None and category not in monthly:
        name = CATEGORIES[category].name if category in CATEGORIES else category
        raise BadInput(f"{village.name}的{name}在 {found.quarter} 按季度公开，不能按月份 {found} 录入或打印：请用季度 "
                       f"{found.quarter}" + _how_to_set(village, category))
    if category is None and not monthly:
        raise BadInput(f"{village.name}在 {found.quarter} 没有按月公开的类别，不能用月份 {found}："
                       f"请用季度 {found.quarter}" + _how_to_set(village, "finance"))
    return found


def months_of(catalogue: Catalogue, village: Village, quarter: Quarter) -> tuple[Month, ...]:
    """The months of a quarter a village discloses something in (none if it discloses nothing monthly)."""
    if not monthly_categories(catalogue, village, quarter):
        return ()
    return tuple(Month(quarter.year, number) for number in quarter.months)


def sealed_period(period: Period) -> Quarter:
    """The period sealing takes: a quarter, never a month (its months are sealed with it)."""
    if isinstance(period, Month):
        raise BadInput(f"按季度封存：请封存 {period.quarter}，月份随季度一并封存")
    return period


def _how_to_set(village: Village, category: str) -> str:
    return (f"（乡镇如定该村按月公开，可在“设置”中填写，或运行 zwgk settings --monthly "
            f"{village.code}={category}@季度，如 {village.code}={category}@2026Q3）")


def monthly_words(entries: tuple[str, ...]) -> str:
    """`财务收支（2026Q3起）`: a village's monthly setting (`store.checked_monthly`) in words."""
    said = []
    for entry in entries:
        code, _, since = entry.partition("@")
        said.append(f"{CATEGORIES[code].name if code in CATEGORIES else code}（{since}起）" if since else code)
    return "、".join(said)


def monthly_text(entries: tuple[str, ...]) -> str:
    """The setting as the 设置 dialog shows it for editing: `财务收支@2026Q3`."""
    return "、".join(f"{CATEGORIES[code].name if code in CATEGORIES else code}{at}{since}"
                    for code, at, since in (entry.partition("@") for entry in entries))


def parse_monthly_text(text: str) -> tuple[str, ...]:
    """The dialog's text back as entries (`finance@2026Q3`): categories by name or code, each with
    the quarter it is monthly from (none: from this quarter), separated by 、，, or spaces. Whether
    a category may be monthly is `store.checked_monthly`'s to say, when the settings are saved."""
    names = {schema.name: code for code, schema in CATEGORIES.items()}
    entries = []
    for part in re.split(r"[、，,;；\s]+", text.strip()):
        if not part:
            continue
        name, at, since = part.partition("@")
        entries.append(f"{names.get(name.strip(), name.strip())}{at}{since.strip()}")
    return tuple(entries)
