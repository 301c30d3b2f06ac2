"""The kinds of disclosure this process knows, as their category files declare them.

The program ships one `CODE.category.toml` per category in its standard formats folder (财务收支
finance, 低保/社会救助名单 assistance, 工程项目招投标 bids, 公告 notice, and the internal 更正公告
correction, made from a correction, never typed). A township's format pack may replace one or
add new ones: loading the pack (`render.packs.load_pack_layouts`) installs them here, as it does
the pack's holiday arrangements, so every code path (template, import, editor, checks, sheets,
online copy, seal, compliance) serves them alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from zwgk_desktop.domain.category_file import SUFFIX, VOCABULARY_SUFFIX, category_from_toml, vocabulary_text
from zwgk_desktop.domain.fields import Kind
from zwgk_desktop.domain.items import Category, Item
from zwgk_desktop.domain.periods import Month, Quarter, quarter_of
from zwgk_desktop.errors import BadInput
from zwgk_desktop.incoming import toml_text

# What a clerk files, in the township's order (menus, filters, the board's order), and every kind
# a layout may be written for, including those made from other items: kept up to date in place by
# `install`, so a module that imported them sees the categories in use.
CATEGORIES: dict[str, Category] = {}
ALL_CATEGORIES: dict[str, Category] = {}
_generation = [0]  # counts installs: what the checks' version (`items.rules_version`) depends on


def read_folder(folder: Path, base: dict[str, Category] | None = None) -> dict[str, Category]:
    """Every category file of a folder, each checked; a file named for another code is refused. A
    vocabulary file (`CODE.vocabulary.toml`) adds its words to that category's closed lists: the
    folder's own file of it, or else `base`'s or the shipped one; the words become part of the
    category's text, as a seal records it."""
    found: dict[str, Category] = {}
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        schema = _checked(toml_text(path, "类别文件"), str(path))
        if path.name != f"{schema.code}{SUFFIX}":
            raise BadInput(f"类别文件 {path} 声明的类别代码是“{schema.code}”：文件名应为 {schema.code}{SUFFIX}")
        found[schema.code] = schema
    for path in sorted(folder.glob(f"*{VOCABULARY_SUFFIX}")):
        code = path.name.removesuffix(VOCABULARY_SUFFIX)
        known = {**globals().get("SHIPPED", {}), **(base or {}), **found}
        if code not in known:
            raise BadInput(f"选项扩充文件 {path}：没有“{code}”这个类别（文件名应为 类别代码{VOCABULARY_SUFFIX}）")
        words = vocabulary_text(toml_text(path, "选项扩充文件"), str(path))
        found[code] = _checked(f"{known[code].text.rstrip()}\n\n# {path.name}\n{words}", str(path))
    return found


@lru_cache(maxsize=256)
def _checked(text: str, shown: str) -> Category:
    """`category_from_toml`, once per text and file in a process: a command loads the formats in
    use for its command line and again when it opens the archive, the app at each refresh. Keyed
    by the text itself, so a changed file is read anew (a refused one is not kept: checked again)."""
    return category_from_toml(text, shown)


def _shipped() -> dict[str, Category]:
    from zwgk_desktop.paths import standard_layouts_dir

    found = read_folder(standard_layouts_dir())
    if not found:
        raise BadInput(f"程序自带的类别文件不见了：{standard_layouts_dir()} 中没有 *{SUFFIX}")
    return found


SHIPPED: dict[str, Category] = _shipped()


def combined(own: dict[str, Category]) -> dict[str, Category]:
    """The shipped categories with a folder's own (replacing or adding), in their order."""
    merged = {**SHIPPED, **own}
    return dict(sorted(merged.items(), key=lambda pair: (pair[1].order, pair[0])))


def install(categories: dict[str, Category]) -> None:
    """Use these categories (the shipped ones and a folder's: `combined`) from now on."""
    chosen = combined(categories)
    if chosen == ALL_CATEGORIES and all(chosen[c].text == ALL_CATEGORIES[c].text for c in chosen):
        return
    ALL_CATEGORIES.clear()
    ALL_CATEGORIES.update(chosen)
    CATEGORIES.clear()
    CATEGORIES.update((code, c) for code, c in chosen.items() if not c.internal)
    _generation[0] += 1


def generation() -> int:
    return _generation[0]


def definitions() -> Iterable[str]:
    """The text of every category in use, for the checks' version."""
    return [schema.text for _, schema in sorted(ALL_CATEGORIES.items())]


install(SHIPPED)


def category(code: str) -> Category:
    try:
        return ALL_CATEGORIES[code]
    except KeyError:
        raise BadInput(f"没有“{code}”这个类别：可用的有 {', '.join(CATEGORIES)}") from None


def new_item(code: str, period: Quarter | Month) -> Item:
    """A blank draft of a category for a quarter or one of its months, titled as its category file
    says: `{period}` the period in Chinese (2026年第三季度, 2026年7月), `{year}` 2026年, `{month}`
    7月 (nothing for an item of the whole quarter)."""
    schema = category(code)
    month = period if isinstance(period, Month) else None
    title = (schema.new_title.replace("{period}", period.chinese).replace("{year}", f"{period.year}年")
             .replace("{month}", f"{month.number}月" if month else ""))
    fields: dict[str, Any] = {f.key: None for f in schema.item_fields}
    for spec in schema.item_fields:
        if spec.kind is Kind.CHOICE:
            fields[spec.key] = spec.choices[0]
    return Item(category=code, period=quarter_of(period), title=title or schema.name, fields=fields, month=month)


# The shipped categories by name, and their vocabularies, as code and tests refer to them.
FINANCE, ASSISTANCE, BIDS, NOTICE = (SHIPPED[c] for c in ("finance", "assistance", "bids", "notice"))
CORRECTION = SHIPPED["correction"]
ASSISTANCE_KINDS = ASSISTANCE.row_field("kind").choices
PROCUREMENT_METHODS = BIDS.item_field("method").choices
NOTICE_KINDS = NOTICE.item_field("kind").choices
