"""Which column is which: the header spellings clerks and other systems use (each row field's
`headers` in its category file), and saved mappings for sources that spell them their own way
(a county 三资 platform export)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from zwgk_desktop.domain.categories import category as category_of
from zwgk_desktop.domain.items import Category
from zwgk_desktop.errors import BadInput
from zwgk_desktop.incoming import load_toml

_UNIT = re.compile(r"[（(]\s*(万元|元|人|户|亩)(/[^)）]*)?\s*[)）]$")


def normalize_header(text: str) -> tuple[str, str]:
    """A header cell as compared, and its unit: `月保障金额（元）*` → (`月保障金额`, `元`)."""
    plain = unicodedata.normalize("NFKC", text or "")
    plain = re.sub(r"\s+", "", plain).strip("*：:")
    unit = ""
    match = _UNIT.search(plain)
    if match:
        unit = match.group(1)
        plain = plain[: match.start()]
    return plain.strip("*"), unit


def spellings(category: Category) -> dict[str, str]:
    """Every header spelling this category understands, to its field key."""
    found: dict[str, str] = {}
    for spec in category.row_fields:
        for name in (spec.label, spec.key, *category.aliases(spec.key)):
            found.setdefault(normalize_header(name)[0], spec.key)
    return found


def load_mapping(name_or_path: str, folder: Path, category: Category) -> dict[str, str]:
    """A saved mapping (`[columns]` source header = field label or key), by path or by name."""
    path = Path(name_or_path)
    if not path.suffix:
        path = folder / f"{name_or_path}.toml"
    if not path.is_file():
        known = "、".join(p.stem for p in sorted(folder.glob("*.toml"))) or "（还没有保存过）"
        raise BadInput(f"找不到列对应关系“{name_or_path}”。已保存的：{known}")
    data = load_toml(path, "列对应关系文件")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise BadInput(f"列对应关系文件 {path} 应有 [columns] 一节，如：\"借方发生额\" = \"收入\"")
    by_name = {f.label: f.key for f in category.row_fields} | {f.key: f.key for f in category.row_fields}
    mapping = {}
    for source, target in columns.items():
        key = by_name.get(str(target))
        if key is None:
            raise BadInput(f"列对应关系 {path.name} 中“{source}”对应的“{target}”不是{category.name}的栏目；"
                           f"可用：{'、'.join(f.label for f in category.row_fields)}")
        mapping[normalize_header(str(source))[0]] = key
    return mapping


def check_mapping_name(name: str) -> None:
    if not re.fullmatch(r"[\w\-\u4e00-\u9fff]{1,40}", name):
        raise BadInput(f"列对应关系的名称“{name}”不合适：请用 1–40 个字母、数字或汉字（不要空格）")


def save_mapping(name: str, folder: Path, mapping: dict[str, str], category_code: str) -> Path:
    """Keep a mapping under a name, so the next export from the same source imports at once."""
    check_mapping_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    schema = category_of(category_code)
    labels = {f.key: f.label for f in schema.row_fields}
    lines = [f"# {schema.name}：来源表头 = 本程序的栏目", f'category = "{category_code}"',
             "", "[columns]"]
    lines += [f'"{source}" = "{labels[key]}"' for source, key in mapping.items()]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
