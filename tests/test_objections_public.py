"""The 异议处理情况 in public: its sheet read back with an independent PDF reader, and the online
copy (HTML, JSON, CSV), never show who raised an objection or who answered it, whatever their
names (property test); and the sheet says what the register holds."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.office import items
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.objections import add_objection, publish, reply_objection
from zwgk_desktop.office.online import write_online_copy
from zwgk_desktop.office.printing import print_board

SURNAMES = ("诸葛", "欧阳", "司马", "上官", "慕容", "皇甫")
GIVEN = ("铁柱", "翠花", "金凤", "玉兰", "满仓", "春妮", "二虎", "秋菊")
names = st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES), st.sampled_from(GIVEN))


def _public_text(site: Path, pdf: Path) -> str:
    found = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    for path in site.rglob("*"):
        if path.suffix in (".html", ".json", ".csv"):
            found.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".pdf":
            found += [page.extract_text() for page in pypdf.PdfReader(path).pages]
    return "\n".join(found)


@pytest.mark.slow  # the whole online copy written for each example
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raised=st.lists(names, min_size=2, max_size=2, unique=True), handler=names)
def test_no_public_output_names_the_person_or_the_handler(  # type: ignore[no-untyped-def]
        demo_db: Path, tmp_path_factory, raised: list[str], handler: str) -> None:
    folder = tmp_path_factory.mktemp("public")
    db = folder / "demo.sqlite3"
    shutil.copy(demo_db, db)
    with Archive.open(db) as archive:
        first = add_objection(archive, village="liushuwan", item=_bids(archive), received=date(2026, 8, 20),
                              channel="来信", text="投标人资格条件是否设置过高？", by=raised[0])
        add_objection(archive, village="liushuwan", item=_bids(archive), received=date(2026, 8, 21), channel="当面",
                      text="工期写得太短，请说明依据。", by=raised[1])
        reply_objection(archive, first.id, text="资格条件按县招标办范本设置，维持。", by=handler,
                        on=date(2026, 9, 10), outcome="维持")
        quarter = Quarter.parse(first.objection.period)
        done = publish(archive, "liushuwan", quarter)
        items.review(archive, done.item_id, "吴监督", date(2026, 11, 2))
        pdf = folder / "board.pdf"
        print_board(archive, "liushuwan", quarter, pdf, item=done.number)
        site = folder / "site"
        write_online_copy(archive, site, "https://qingshan.example/zwgk")
    said = _public_text(site, pdf)
    joined = said.replace("\n", "")
    assert "投标人资格条件是否设置过高" in joined and "资格条件按县招标办范本设置" in joined  # the sheet is there
    for name in (*raised, handler):
        assert name not in joined, name


def _bids(archive: Archive) -> int:
    from sqlalchemy import func, select

    from zwgk_desktop.db.models import DisclosureItem, Village

    with archive.reading() as session:
        return int(session.scalar(select(func.coalesce(DisclosureItem.number, DisclosureItem.id)).join(Village).where(
            Village.code == "liushuwan", DisclosureItem.period == "2026Q3", DisclosureItem.category == "bids")))


def test_each_item_page_says_how_to_object_and_the_townships_channel(demo_copy: Path, tmp_path: Path) -> None:
    from conftest import run_zwgk

    env = {"ZWGK_DB": str(demo_copy)}
    refused = run_zwgk("settings", "--objection-url", "ftp://qingshan.example/xf", cwd=tmp_path, env=env)
    assert refused.code == 2 and "网上异议渠道" in refused.err
    site = tmp_path / "before"
    assert run_zwgk("site", "-o", str(site), cwd=tmp_path, env=env).code == 0
    page = next((site / "donggang" / "2026Q3").glob("*.html"))
    text = page.read_text(encoding="utf-8")
    assert "如何提出异议" in text and "0371-62341101" in text and "网上渠道" not in text
    url = "https://www.qingshan.example.gov.cn/xinfang"
    assert run_zwgk("settings", "--objection-url", url, cwd=tmp_path, env=env).code == 0
    shown = run_zwgk("settings", "--json", cwd=tmp_path, env=env)
    assert json.loads(shown.out)["objection_url"] == url
    site = tmp_path / "after"
    assert run_zwgk("site", "-o", str(site), cwd=tmp_path, env=env).code == 0
    pages = [p for p in site.rglob("*.html") if p.stem.isdigit()]
    assert pages and all(f'href="{url}"' in p.read_text(encoding="utf-8") for p in pages)
