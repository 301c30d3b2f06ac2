"""Corrections (更正): a sealed item is never changed; a new version with a reason replaces it, both are
kept, and the correction prints as its own 更正公告 with its own verification code."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pypdf
import pytest
from conftest import run_zwgk
from factories import old_schema_notice
from sqlalchemy import select, text
from test_archive import LAYOUTS, seal, sessions
from test_posters import decode_qr

from zwgk_desktop.archive.seal import verify
from zwgk_desktop.db import migrate, store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import DisclosureItem, Seal
from zwgk_desktop.domain.categories import category, new_item
from zwgk_desktop.domain.fields import FieldError
from zwgk_desktop.domain.items import REVIEWED, assign
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office.printing import render_board
from zwgk_desktop.render.correction import Change, changes, code_of


def _public(rows: list[list[str]], **extra: object) -> dict[str, object]:
    return {"heading": "东岗村公示", "title": "", "body": "", "info": [], "summary": [],
            "headers": ["序号", "户主姓名", "金额"], "rows": rows, "totals": None, **extra}


def test_changes_name_the_row_the_column_and_both_values() -> None:
    before = _public([["1", "张*明", "100.00"], ["2", "李*华", "200.00"], ["3", "王*国", "300.00"]])
    after = _public([["1", "张*明", "100.00"], ["2", "李*华", "250.00"], ["3", "王*国", "300.00"]])
    assert changes(before, after) == [Change("第2行（李*华）·金额", "200.00", "250.00")]


def test_an_inserted_or_deleted_row_does_not_shift_every_later_row() -> None:
    before = _public([["1", "张*明", "100.00"], ["2", "李*华", "200.00"], ["3", "王*国", "300.00"]])
    inserted = _public([["1", "张*明", "100.00"], ["2", "赵*云", "50.00"], ["3", "李*华", "200.00"],
                        ["4", "王*国", "300.00"]])
    assert changes(before, inserted) == [Change("新增第2行", "", "户主姓名：赵*云；金额：50.00")]
    deleted = _public([["1", "张*明", "100.00"], ["2", "王*国", "300.00"]])
    assert changes(before, deleted) == [Change("删除原第2行", "户主姓名：李*华；金额：200.00", "（删除）")]
    assert changes(before, before) == []


def test_assign_reads_values_as_typed_and_names_bad_targets() -> None:
    item = new_item("assistance", Quarter(2026, 3))
    item.rows = [{"monthly_amount": 100}]
    schema = category("assistance")
    assign(item, schema, "1.月保障金额", "1,234.50")
    assign(item, schema, "标题", "新标题")
    assign(item, schema, "公示开始", "2026年11月23日")
    assert item.rows[0]["monthly_amount"] == 123450 and item.title == "新标题"
    assert item.publicity_start == date(2026, 11, 23)
    with pytest.raises(FieldError, match="共 1 行"):
        assign(item, schema, "2.月保障金额", "1")
    with pytest.raises(FieldError, match="没有“工资”这一栏"):
        assign(item, schema, "1.工资", "1")


def _assistance_id(session, period: str = "2026Q2") -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(DisclosureItem.id).where(
        DisclosureItem.village_id == 1, DisclosureItem.period == period,
        DisclosureItem.category == "assistance")))


def _correct(db: Path, item_id: int) -> int:
    """Correct one household's amount, review the correction and seal it; the new version's id."""
    with sessions(db)() as session, session.begin():
        item = store.start_correction(session, item_id, "第3户月保障金额录入有误")
        assign(item, category("assistance"), "3.monthly_amount", "888")
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", date.today()
        store.save_item(session, item)
        assert item.id is not None
        return item.id


def test_a_correction_is_a_new_sealed_version_and_the_old_one_stays(demo_copy: Path, tmp_path: Path) -> None:
    seal(demo_copy, "donggang", "2026Q2")
    with sessions(demo_copy)() as session:
        old_id = _assistance_id(session)
        old_rows = [dict(r) for r in store.load_item(session, old_id)[0].rows]
    new_id = _correct(demo_copy, old_id)
    seal(demo_copy, "donggang", "2026Q2")  # the quarter is sealed: only the correction is sealed now
    with sessions(demo_copy)() as session:
        seals = list(session.scalars(select(Seal).where(Seal.village_id == 1, Seal.kind != "key").order_by(Seal.id)))
        assert [s.kind for s in seals] == ["quarter", "correction"] and seals[1].previous_id == seals[0].id
        old, _ = store.load_item(session, old_id)
        new, _ = store.load_item(session, new_id)
        assert old.rows == old_rows  # the sealed version is untouched
        assert new.supersedes == old_id and new.correction_reason == "第3户月保障金额录入有误"
        assert new.rows[2]["monthly_amount"] == 88800 and old.rows[2]["monthly_amount"] != 88800
        assert store.versions_of(session, old_id) == store.versions_of(session, new_id) == [old_id, new_id]
        checked, problems = verify(session)
        # The quarter's items (the correction among them, the 三资 tables' too), each sealed once.
        quarter = store.list_items(session, store.find_village(session, "donggang"), Quarter.parse("2026Q2"))
        assert problems == [] and checked == len(quarter) >= 5
        original = store.sealed_content(session, old_id)
        assert original is not None
        with pytest.raises(BadInput, match="已有更正"):
            store.start_correction(session, old_id, "再改一次")
        out = tmp_path / "correction.pdf"
        result = render_board(session, LAYOUTS, "donggang", Quarter(2026, 2), out, item_id=new_id)
    # The notice prints as its own sheet, with its own code, naming the old code and both values.
    page = pypdf.PdfReader(out).pages[0].extract_text()
    assert "东岗村更正公告" in page and "原为" in page and "更正为" in page and "888.00" in page
    assert code_of(original) in page
    (notice,) = result.items
    assert notice.category == "correction" and notice.code != code_of(original)
    assert re.search(rf"验证码 {notice.code}", page)
    assert decode_qr(out, 0) == [f"https://qingshan.example/zwgk/donggang/2026Q2/{new_id}.html?v={notice.code}"]
    # The database refuses changes to the sealed correction too.
    raw = sqlite3.connect(demo_copy)
    with pytest.raises(sqlite3.IntegrityError, match="sealed"):
        raw.execute("UPDATE disclosure_item SET title = 'x' WHERE id = ?", (new_id,))
    raw.close()


def test_a_sealed_quarter_takes_no_new_items(demo_copy: Path) -> None:
    seal(demo_copy, "donggang", "2026Q2")
    with pytest.raises(BadInput, match="已封存，不能再添加"), sessions(demo_copy)() as session, session.begin():
        village = store.find_village(session, "donggang")
        store.save_item(session, new_item("notice", Quarter(2026, 2)), village)
    with pytest.raises(BadInput, match="没有待封存的更正"):
        seal(demo_copy, "donggang", "2026Q2")


def test_correct_from_the_command_line(demo_copy: Path, tmp_path: Path) -> None:
    env = {"ZWGK_DB": str(demo_copy)}
    assert run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明",
                    cwd=tmp_path, env=env).code == 0
    with sessions(demo_copy)() as session:
        old_id = _assistance_id(session)
        count = session.scalar(text("SELECT count(*) FROM disclosure_item"))
    bad = run_zwgk("correct", "--item", str(old_id), "--reason", "金额有误", "--set", "3.工资=1",
                   "--set", "999.月保障金额=1", "--set", "3.月保障金额=-5", cwd=tmp_path, env=env)
    assert bad.code == 2 and "Traceback" not in bad.err
    assert "--set 3.工资=1" in bad.err and "共 320 行" in bad.err and "--set 3.月保障金额=-5" in bad.err
    with sessions(demo_copy)() as session:
        assert session.scalar(text("SELECT count(*) FROM disclosure_item")) == count  # nothing half-stored
    done = run_zwgk("correct", "--item", str(old_id), "--reason", "第3户金额有误", "--set", "3.月保障金额=888",
                    "--json", cwd=tmp_path, env=env)
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert report["supersedes"] == old_id and report["status"] == "draft"
    assert any(c["after"] == "888.00" for c in report["changes"])
    refused = run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明", cwd=tmp_path, env=env)
    assert refused.code == 2 and "未审核" in refused.err
    reviewed = run_zwgk("correct", "--item", str(report["item"]), "--reviewer", "李秀英", cwd=tmp_path, env=env)
    assert reviewed.code == 0 and "已审核" in reviewed.out
    sealed = run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明", cwd=tmp_path, env=env)
    assert sealed.code == 0 and "1 个更正" in sealed.out
    assert run_zwgk("verify", cwd=tmp_path, env=env).code == 0


def test_seals_made_before_corrections_existed_still_verify(tmp_path: Path) -> None:
    """An archive sealed by the previous schema (format 1 hashes) upgrades and verifies unchanged."""
    from zwgk_desktop.archive.seal import canonical as canonical_bytes
    from zwgk_desktop.archive.seal import chain_hash, payload_hash, sha256

    path = tmp_path / "old.sqlite3"
    engine = open_engine(str(path), create=True)
    migrate.upgrade(engine, "0004")
    rows = [{"matter": "修路", "detail": "村北路", "amount": 150000}]
    fields = {"kind": "其他", "body": "正文", "contact": None}
    data_hash = sha256(canonical_bytes({
        "id": 1, "village_id": 1, "period": "2026Q2", "category": "notice", "title": "公告", "disclosure": "主动公开",
        "status": "reviewed", "publicity": ["2026-07-01", "2026-07-07"], "clerk": None,
        "review": ["李秀英", "2026-06-30"], "fields": fields, "rows": rows}))
    public = '{"v":1}'
    with engine.begin() as connection:
        old_schema_notice(connection, fields, period="2026Q2", status="reviewed", publicity_start="2026-07-01",
                          publicity_end="2026-07-07", reviewer="李秀英", reviewed_on="2026-06-30")
        connection.execute(text("INSERT INTO item_row (item_id, seq, data) VALUES (1, 1, :d)"),
                           {"d": json.dumps(rows)[1:-1]})
        seal_row = Seal(period="2026Q2", sealed_at="2026-07-10T00:00:00+00:00", sealed_by="王德明", format=1)

        class Entry:
            item_id, content_hash, pdf_hash = 1, sha256(public.encode()), None
            data_hash = ""

        Entry.data_hash = data_hash
        payload = payload_hash(seal_row, "donggang", "", [Entry])  # type: ignore[list-item]
        connection.execute(text(
            "INSERT INTO seal (id, village_id, period, sealed_at, sealed_by, payload_hash, chain_hash) VALUES "
            "(1, 1, '2026Q2', '2026-07-10T00:00:00+00:00', '王德明', :p, :c)"),
            {"p": payload, "c": chain_hash("", payload)})
        connection.execute(text(
            "INSERT INTO sealed_item (seal_id, item_id, title, canonical_json, content_hash, data_hash) VALUES "
            "(1, 1, '公告', :j, :h, :d)"), {"j": public, "h": sha256(public.encode()), "d": data_hash})
    migrate.upgrade(engine)
    with session_factory(engine)() as session:
        assert verify(session) == (1, [])
    engine.dispose()


def test_a_correction_of_a_correction_lists_only_its_own_change(demo_copy: Path) -> None:
    seal(demo_copy, "donggang", "2026Q2")
    with sessions(demo_copy)() as session:
        first = _assistance_id(session)
    second = _correct(demo_copy, first)
    seal(demo_copy, "donggang", "2026Q2")
    with sessions(demo_copy)() as session, session.begin():
        item = store.start_correction(session, second, "第4户月保障金额也有误")
        assign(item, category("assistance"), "4.monthly_amount", "555")
        item.status, item.reviewer, item.reviewed_on = REVIEWED, "李秀英", date.today()
        store.save_item(session, item)
        third = item.id
    seal(demo_copy, "donggang", "2026Q2")
    with sessions(demo_copy)() as session:
        assert store.versions_of(session, first) == [first, second, third]
        notice = json.loads(store.sealed_content(session, third or 0) or "")
        first_notice = store.sealed_content(session, second) or ""
        assert verify(session)[1] == []
    places = [row[1] for row in notice["rows"]]
    assert len(places) <= 4 and any(p.startswith("第4行") for p in places), places  # 第4行 and the totals
    assert not any(p.startswith("第3行") for p in places)  # the first correction's change is not repeated
    assert notice["info"][1][1] == code_of(first_notice)  # it names the sheet posted last: the first notice


def test_editing_a_reviewed_correction_sends_it_back_to_draft(demo_copy: Path, tmp_path: Path) -> None:
    env = {"ZWGK_DB": str(demo_copy)}
    seal(demo_copy, "donggang", "2026Q2")
    with sessions(demo_copy)() as session:
        old = _assistance_id(session)
    made = run_zwgk("correct", "--item", str(old), "--reason", "金额有误", "--set", "3.月保障金额=888",
                    "--reviewer", "李秀英", "--json", cwd=tmp_path, env=env)
    new = json.loads(made.out)["item"]
    edited = run_zwgk("correct", "--item", str(new), "--set", "标题=悄悄改了的标题", cwd=tmp_path, env=env)
    assert edited.code == 0 and "退回草稿" in edited.err and "草稿" in edited.out
    refused = run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", cwd=tmp_path, env=env)
    assert refused.code == 2 and "未审核" in refused.err


def test_a_draft_correction_with_a_mistake_is_told_and_not_saved_again(demo_copy: Path, tmp_path: Path) -> None:
    seal(demo_copy, "donggang", "2026Q2")
    with sessions(demo_copy)() as session, session.begin():
        item = store.start_correction(session, _assistance_id(session), "金额有误")
        item.rows[2]["monthly_amount"] = "12abc"  # kept as typed in a draft, as the app does
        store.save_item(session, item)
    done = run_zwgk("correct", "--item", str(item.id), "--reason", "再看看", cwd=tmp_path,
                    env={"ZWGK_DB": str(demo_copy)})
    # Told with every mistake, exit 2, and nothing stored (as import): the reason stays as it was.
    assert done.code == 2 and "错误" in done.err and "第3行" in done.err and "Traceback" not in done.err
    with sessions(demo_copy)() as session:
        assert store.load_item(session, item.id)[0].correction_reason == "金额有误"
