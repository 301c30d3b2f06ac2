"""A sealed item's A4 edition is set by the `[a4]` of the format its seal recorded (the archive keeps
the layout text), and by today's pack only where the recorded format had none (issue 15, fixa 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_tiling import _font_sizes_of, render

from zwgk_desktop.archive.seal import seal_quarter
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.office.printing import A4_EDITION
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import LayoutSet
from zwgk_desktop.render.packs import load_pack_layouts

Q4 = Quarter(2025, 4)


def _pack(folder: Path, a4: str | None) -> LayoutSet:
    """The standard formats with finance's `[a4]` replaced by `a4` (None: without one)."""
    shutil.copytree(standard_layouts_dir(), folder)
    finance = folder / "finance.toml"
    text = finance.read_text("utf-8")
    start = text.index("\n[a4]")
    end = text.find("\n[", start + 1)
    rest = text[end:] if end != -1 else ""
    finance.write_text(text[:start] + "\n" + (a4 + "\n" if a4 else "") + rest, "utf-8")
    return load_pack_layouts(folder)


def _seal(db: Path, layouts: LayoutSet) -> None:
    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session, session.begin():
            seal_quarter(session, layouts, "donggang", Q4, "王德明")
    finally:
        engine.dispose()


def _finance_body_sizes(db: Path, out: Path, layouts: LayoutSet) -> set[float]:
    result = render(db, out, layouts, period=Q4, paper=A4_EDITION)
    (finance,) = [item for item in result.items if item.category == "finance"]
    # The summary (摘要): a cell without digits, which no column wraps at its hyphen.
    cell = max((c for c in finance.rows[0] if c and not any(ch.isdigit() for ch in c)), key=len)
    return _font_sizes_of(out, cell)


def test_the_recorded_a4_table_sets_a_sealed_items_a4_edition(demo_copy: Path, tmp_path: Path) -> None:
    recorded = _pack(tmp_path / "then", "[a4]\nfonts = { body = 12, header = 12 }")
    _seal(demo_copy, recorded)
    today = _pack(tmp_path / "now", "[a4]\nfonts = { body = 15, header = 15 }")
    assert _finance_body_sizes(demo_copy, tmp_path / "a4.pdf", today) == {12.0}
    # Today's pack without an [a4] for finance: the sealed item still has the one it was sealed with.
    bare = _pack(tmp_path / "bare", None)
    assert _finance_body_sizes(demo_copy, tmp_path / "a4-bare.pdf", bare) == {12.0}


def test_todays_a4_table_serves_a_seal_whose_format_had_none(demo_copy: Path, tmp_path: Path) -> None:
    _seal(demo_copy, _pack(tmp_path / "then", None))
    today = _pack(tmp_path / "now", "[a4]\nfonts = { body = 14, header = 14 }")
    assert _finance_body_sizes(demo_copy, tmp_path / "a4.pdf", today) == {14.0}
