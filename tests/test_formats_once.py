"""The formats and category files are checked once per process for the same text
(`render.layout.load_layout`, `domain.categories.read_folder`): loading a folder again gives the
same formats without parsing them again, and a file edited in between is read and checked anew,
refused in words if it is now bad, never served from what was kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_desktop import incoming
from zwgk_desktop.domain import categories
from zwgk_desktop.domain.category_file import category_from_toml
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import layout
from zwgk_desktop.render.layout import layout_from_text, load_layout, load_layouts
from zwgk_desktop.render.packs import load_pack_layouts

STANDARD = standard_layouts_dir()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "formats"
    shutil.copytree(STANDARD, copy)
    return copy


@pytest.fixture(autouse=True)
def _shipped_categories_after() -> object:
    yield
    categories.install({})


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the TOML texts parsed from now on."""
    seen: list[str] = []
    original = incoming.parse_toml

    def counting(text: str, name: str) -> object:
        seen.append(name)
        return original(text, name)

    for module in (layout, incoming):
        monkeypatch.setattr(module, "parse_toml", counting)
    import zwgk_desktop.domain.category_file as category_file
    monkeypatch.setattr(category_file, "parse_toml", counting)
    return seen


def test_a_folder_loaded_again_is_not_parsed_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_pack_layouts(folder)
    seen = parses(monkeypatch)
    again = load_pack_layouts(folder)
    assert again == first
    assert not [name for name in seen if name.startswith(("版式文件", "类别文件"))]


def test_what_is_kept_is_what_checking_the_text_gives(folder: Path) -> None:
    """For every standard format: the kept one equals one made from its text afresh."""
    for path in sorted(folder.glob("*.toml")):
        if path.name.endswith(".category.toml") or path.name in layout.NOT_LAYOUTS or path.name.startswith("holidays"):
            continue
        kept = load_layout(path)
        assert kept == layout_from_text(path.read_text(encoding="utf-8"), path)
        assert load_layout(path) is kept


def test_an_edited_format_is_read_anew(folder: Path) -> None:
    path = folder / "assistance.toml"
    before = load_layout(path)
    text = path.read_text(encoding="utf-8")
    assert f'name = "{before.name}"' in text
    path.write_text(text.replace(f'name = "{before.name}"', 'name = "本乡低保名单"', 1), encoding="utf-8")
    assert load_layout(path).name == "本乡低保名单"
    assert load_layouts(folder).for_category("assistance").name == "本乡低保名单"


def test_a_format_edited_into_a_bad_one_is_refused_not_served_from_memory(folder: Path) -> None:
    path = folder / "assistance.toml"
    load_layouts(folder)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('format = "masked_id"', 'format = "text"', 1), encoding="utf-8")
    for _ in range(2):  # a refused one is not kept either
        with pytest.raises(BadInput) as told:
            load_layouts(folder)
        assert str(path) in told.value.message or any(str(path) in p.where for p in told.value.problems)


def test_a_format_is_checked_again_against_other_categories(folder: Path) -> None:
    """The same text against a category that lacks a field it prints: refused, though it loaded before."""
    path = folder / "assistance.toml"
    shown = {c.field for c in load_layout(path).columns}
    assert "group" in shown
    narrower = categories.SHIPPED["assistance"].text.replace('"group"', '"team"')
    assert narrower != categories.SHIPPED["assistance"].text
    other = {**categories.SHIPPED, "assistance": category_from_toml(narrower, "narrower.category.toml")}
    with pytest.raises(BadInput):
        load_layout(path, other)


def test_an_edited_category_file_is_read_anew(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    source = (STANDARD / "notice.category.toml").read_text(encoding="utf-8")
    path = own / "notice.category.toml"
    path.write_text(source, encoding="utf-8")
    name = categories.read_folder(own)["notice"].name
    path.write_text(source.replace(f'name = "{name}"', 'name = "村务通知"', 1), encoding="utf-8")
    assert categories.read_folder(own)["notice"].name == "村务通知"
    path.write_text(source.replace(f'name = "{name}"', "name = 3", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(BadInput) as told:
            categories.read_folder(own)
        assert str(path) in told.value.message


@settings(max_examples=30, deadline=None)
@given(title=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30))
def test_any_text_edit_gives_what_checking_it_afresh_gives(title: str) -> None:
    """Whatever a township writes as a format's name, loading it through what is kept refuses or
    accepts it exactly as checking the text afresh does."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "assistance.toml"
        text = (STANDARD / "assistance.toml").read_text(encoding="utf-8")
        old = load_layout(STANDARD / "assistance.toml").name
        escaped = title.replace("\\", "\\\\").replace('"', '\\"')
        path.write_text(text.replace(f'name = "{old}"', f'name = "{escaped}"', 1), encoding="utf-8")
        try:
            fresh: object = layout_from_text(path.read_text(encoding="utf-8"), path)
        except BadInput as exc:
            fresh = exc.message
        try:
            kept: object = load_layout(path)
        except BadInput as exc:
            kept = exc.message
        assert kept == fresh
