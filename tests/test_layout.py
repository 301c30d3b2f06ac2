"""Standard formats load; a bad layout file is refused naming the file, the key and the reason."""

from pathlib import Path

import pytest

from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layout, load_layouts

STANDARD = standard_layouts_dir()


def test_standard_formats_cover_every_category() -> None:
    layouts = load_layouts(STANDARD)
    assert {lay.category for lay in layouts.layouts} == {"finance", "assistance", "bids", "notice", "correction",
                                                             "assets", "resources", "contracts", "debts",
                                                             "distribution", "objections"}
    assistance = layouts.for_category("assistance")
    assert assistance.page_size_mm == (297.0, 420.0)
    shown = {c.field: c.format for c in assistance.columns}
    assert shown["id_number"] == "masked_id" and "phone" not in shown and "account" not in shown


def write_variant(tmp_path: Path, source: str, old: str, new: str) -> Path:
    text = (STANDARD / source).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "key", "reason"), [
    ('format = "masked_id"', 'format = "text"', "columns[2].format", "masked_id"),
    ('field = "group"', 'field = "phone"', "columns[0].format", "隐私字段"),
    ('field = "group"', 'field = "address"', "columns[0].format", "隐私字段"),  # 家庭住址: text, yet private
    ('field = "group"', 'field = "reason"', "columns[0].format", "隐私字段"),
    ('size = "A3"', 'size = "B5"', "paper.size", "B5"),
    ('size_mm = 34', 'size_mm = "big"', "qr.size_mm", "数字"),
    ('rows_per_sheet = "auto"', "rows_per_sheet = 0", "table.rows_per_sheet", "auto"),
    ("[totals]", "[totalz]", "totalz", "未知的设置项"),
    ('sum = ["household_size", "monthly_amount"]', 'sum = ["head_name"]', "totals.sum", "不能合计"),
    ('pattern = "{village}', 'pattern = "{villag}', "title.pattern", "占位符"),
    ('category = "assistance"', 'category = "loans"', "category", "loans"),
    ('value = "total.monthly_amount"', 'value = "total.kind"', "summary[0].value", "求和"),
])
def test_bad_layout_names_file_key_and_reason(tmp_path: Path, old: str, new: str, key: str, reason: str) -> None:
    path = write_variant(tmp_path, "assistance.toml", old, new)
    with pytest.raises(BadInput) as caught:
        load_layout(path)
    text = str(caught.value)
    assert str(path) in text and key in text and reason in text, text


def test_malformed_toml_gives_the_line(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "finance.toml", 'name = "', 'name = ')
    with pytest.raises(BadInput) as caught:
        load_layout(path)
    assert str(path) in str(caught.value) and "TOML 语法错误" in str(caught.value) and "第" in str(caught.value)
    assert "line" not in str(caught.value)  # in words, not tomllib's English


def test_missing_required_table(tmp_path: Path) -> None:
    text = (STANDARD / "notice.toml").read_text(encoding="utf-8")
    path = tmp_path / "notice.toml"
    path.write_text(text.split("[qr]")[0], encoding="utf-8")
    with pytest.raises(BadInput, match="qr"):
        load_layout(path)


def test_folder_problems(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="不存在"):
        load_layouts(tmp_path / "nope")
    with pytest.raises(BadInput, match=r"没有 \.toml"):
        load_layouts(tmp_path)
    for name in ("finance.toml", "notice.toml"):
        (tmp_path / name).write_text((STANDARD / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "copy.toml").write_text((STANDARD / "notice.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(BadInput, match="重复"):
        load_layouts(tmp_path)
    (tmp_path / "copy.toml").unlink()
    with pytest.raises(BadInput, match="没有“bids”类别"):
        load_layouts(tmp_path).for_category("bids")
