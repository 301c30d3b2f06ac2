"""The objection register (issue 18): due dates, the CLI's add/reply/list, the compliance table's
column, objections sealed with their quarter (a late reply as the next link), a correction
linked to one, and what `verify` says when one is altered."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import run_zwgk
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from test_archive import LAYOUTS, sessions

from zwgk_desktop.archive import seal as seal_module
from zwgk_desktop.archive.seal import seal_quarter, verify
from zwgk_desktop.db.models import DisclosureItem, Objection, Seal, SealedObjection
from zwgk_desktop.domain import objections as rules
from zwgk_desktop.domain.periods import Quarter, is_working_day
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.objections import add_objection, list_objections, reply_objection

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(days)
def test_the_reply_is_due_ten_calendar_days_on_moved_past_rest_days(received: date) -> None:
    due = rules.due_date(received)
    assert due >= received + timedelta(days=10) and is_working_day(due)
    # Every day between the tenth and the due date is a rest day: the period only moves past them.
    assert not any(is_working_day(received + timedelta(days=n)) for n in range(10, (due - received).days))


@given(days, st.one_of(st.none(), st.integers(0, 40)), st.integers(0, 60))
def test_status_follows_the_due_date(received: date, replied_after: int | None, today_after: int) -> None:
    replied = received + timedelta(days=replied_after) if replied_after is not None else None
    today = received + timedelta(days=today_after)
    found = rules.status(received, replied, today)
    due = rules.due_date(received)
    if replied is None:
        assert found == (rules.OPEN if today <= due else rules.OVERDUE)
    else:
        assert found == (rules.REPLIED if replied <= due else rules.LATE)
    assert rules.is_overdue(received, replied, today) == (found in (rules.OVERDUE, rules.LATE))


def test_known_due_dates() -> None:
    # The tenth day falls in 国庆: due on the first working day after the holiday.
    due = rules.due_date(date(2026, 9, 24))
    assert due > date(2026, 10, 4) and is_working_day(due)
    assert not any(is_working_day(date(2026, 10, 4) + timedelta(days=n)) for n in range((due - date(2026, 10, 4)).days))
    # The tenth day a Sunday: due the Monday after.
    assert rules.due_date(date(2026, 7, 5)) == date(2026, 7, 15)  # a Wednesday: no move
    sunday = date(2026, 7, 19)
    assert sunday.weekday() == 6 and rules.due_date(sunday - timedelta(days=10)) == date(2026, 7, 20)


def _number(db: Path, period: str, category: str, village_id: int = 1) -> int:
    with sessions(db)() as session:
        return int(session.scalar(select(func.coalesce(DisclosureItem.number, DisclosureItem.id)).where(
            DisclosureItem.village_id == village_id, DisclosureItem.period == period,
            DisclosureItem.category == category, DisclosureItem.supersedes_id.is_(None))))


def _count(db: Path) -> int:
    with sessions(db)() as session:
        return int(session.scalar(select(func.count()).select_from(Objection)) or 0)


def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(demo_copy: Path, tmp_path: Path) -> None:
    env = {"ZWGK_DB": str(demo_copy)}
    item = _number(demo_copy, "2026Q2", "assistance")
    before = _count(demo_copy)
    base = ["objection", "add", "--village", "donggang", "--item", str(item), "--received", "2026-07-08"]
    for extra, said in (
        (["--channel", "传真", "--text", "名单有误"], "--channel"),
        (["--channel", "电话", "--text", "请回电 13912345678"], "异议内容"),
        (["--channel", "电话", "--text", "名单有误", "--row", "9999"], "--row"),
        (["--channel", "电话", "--text", ""], "异议内容"),
        (["--channel", "电话", "--text", "名单有误", "--by", "张三 110101199003077777"], "提出人"),
    ):
        done = run_zwgk(*base, *extra, cwd=tmp_path, env=env)
        assert done.code == 2 and said in done.err and "Traceback" not in done.err, (extra, done.err)
    future = run_zwgk("objection", "add", "--village", "donggang", "--item", str(item), "--received",
                      (date.today() + timedelta(days=3)).isoformat(), "--channel", "电话", "--text", "x",
                      cwd=tmp_path, env=env)
    assert future.code == 2 and "--received" in future.err
    assert _count(demo_copy) == before


@pytest.mark.slow
def test_an_objection_replied_late_through_the_command_line(demo_copy: Path, tmp_path: Path) -> None:
    """Added, sealed with its quarter open, replied late (sealed as the next link), shown overdue in
    the list and the compliance table, its 更正公告 linked, and an alteration named by verify."""
    env = {"ZWGK_DB": str(demo_copy)}
    item = _number(demo_copy, "2026Q2", "assistance")
    added = run_zwgk("objection", "add", "--village", "donggang", "--item", str(item), "--row", "3",
                     "--received", "2026-07-08", "--channel", "意见箱",
                     "--text", "第3户家中已有人务工，是否仍应享受低保",
                     "--by", "赵四海", cwd=tmp_path, env=env)
    assert added.code == 0, added.err
    objection_id = int(added.out.strip())
    assert "2026-07-20" in added.err  # 07-18 is the tenth day, a Saturday: due the Monday after
    listed = json.loads(run_zwgk("objection", "list", "--period", "2026Q2", "--json", cwd=tmp_path, env=env).out)
    assert [(e["id"], e["status"], e["row"], e["raised_by"]) for e in listed] == [
        (objection_id, rules.OVERDUE, 3, "赵四海")]
    number = listed[0]["number"]  # within the village (the demo registers some of its own)

    sealed = run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明", cwd=tmp_path, env=env)
    assert sealed.code == 0 and "异议及答复 1 件" in sealed.out, sealed.out + sealed.err
    overdue = run_zwgk("objection", "list", "--overdue", cwd=tmp_path, env=env)
    assert overdue.code == 0 and str(objection_id) in overdue.out and rules.OVERDUE in overdue.out
    status = json.loads(run_zwgk("status", "--period", "2026Q2", "--json", cwd=tmp_path, env=env).out)
    assert status["villages"][0]["objections"] == {"count": 1, "overdue": 1, "replied_late": 0}

    bad = run_zwgk("objection", "reply", str(objection_id), "--text", "维持", "--by", "李主任", "--on", "2026-07-01",
                   cwd=tmp_path, env=env)
    assert bad.code == 2 and "--on" in bad.err
    replied = run_zwgk("objection", "reply", str(objection_id), "--text", "经入户核实，应予更正", "--by", "李主任",
                       "--on", "2026-07-27", "--outcome", "更正", cwd=tmp_path, env=env)
    assert replied.code == 0 and rules.LATE in replied.out, replied.err
    assert run_zwgk("objection", "reply", str(objection_id), "--text", "再答", "--by", "李主任",
                    cwd=tmp_path, env=env).code == 2  # answered once
    overdue = run_zwgk("objection", "list", "--overdue", "--period", "2026Q2", "--json", cwd=tmp_path, env=env)
    assert [e["status"] for e in json.loads(overdue.out)] == [rules.LATE]
    table = run_zwgk("status", "--period", "2026Q2", cwd=tmp_path, env=env)
    assert "异议 1 件，逾期未答复 0 件，逾期答复 1 件" in table.out

    # The reply, given after the quarter was sealed, is sealed as the next link.
    again = run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明", cwd=tmp_path, env=env)
    assert again.code == 0 and "异议答复" in again.out, again.err
    with sessions(demo_copy)() as session:
        last = session.scalars(select(Seal).where(Seal.village_id == 1).order_by(Seal.id.desc())).first()
        assert last is not None and last.kind == "objection" and last.format == 5
        held = json.loads(session.scalars(select(SealedObjection.canonical_json)
                                          .where(SealedObjection.seal_id == last.id)).one())
        assert held["reply"] == "经入户核实，应予更正" and held["replied_on"] == "2026-07-27"
    assert run_zwgk("verify", cwd=tmp_path, env=env).code == 0
    nothing = run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明", cwd=tmp_path, env=env)
    assert nothing.code == 2  # nothing new to seal

    # The correction it led to, linked after the reply, and sealed with the correction.
    correction = run_zwgk("correct", "--item", str(item), "--reason", "村民异议：第3户已不符合条件",
                          "--set", "3.月保障金额=0", "--reviewer", "李秀英", "--json", cwd=tmp_path, env=env)
    assert correction.code == 0, correction.err
    corrected = json.loads(correction.out)["item"]
    wrong = run_zwgk("objection", "link", str(objection_id), "--correction", str(item), cwd=tmp_path, env=env)
    assert wrong.code == 2 and "不是对事项" in wrong.err
    linked = run_zwgk("objection", "link", str(objection_id), "--correction", str(corrected),
                      cwd=tmp_path, env=env)
    assert linked.code == 0 and f"更正公告 事项 {corrected}" in linked.out, linked.err
    assert run_zwgk("seal", "--village", "donggang", "--period", "2026Q2", "--by", "王德明",
                    cwd=tmp_path, env=env).code == 0
    with Archive.open(demo_copy) as archive:
        from zwgk_desktop.office.objections import behind_correction

        with archive.reading() as session:
            correction_id = session.scalar(select(DisclosureItem.id).where(DisclosureItem.supersedes_id.is_not(None)))
            assert [o.id for o in behind_correction(session, int(correction_id))] == [objection_id]
    assert run_zwgk("verify", cwd=tmp_path, env=env).code == 0

    # The database refuses to change a sealed objection; changed behind its back, verify names it.
    connection = sqlite3.connect(demo_copy)
    with pytest.raises(sqlite3.DatabaseError, match="sealed"):
        connection.execute("UPDATE objection SET reply = '改过' WHERE id = ?", (objection_id,))
    connection.execute("DROP TRIGGER objection_sealed_update")
    connection.execute("UPDATE objection SET replied_on = '2026-07-15' WHERE id = ?", (objection_id,))
    connection.commit()
    connection.close()
    found = run_zwgk("verify", cwd=tmp_path, env=env)
    said = found.out + found.err
    assert found.code == 1 and f"东岗村 异议 {number}" in said and "replied_on" in said


def test_a_seal_of_the_previous_format_still_verifies_beside_new_ones(demo_copy: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An honest archive sealed as format 4 (which held no objections) verifies exactly as before;
    an objection registered meanwhile is sealed by the next seal, of format 5."""
    with Archive.open(demo_copy) as archive:
        item = _number(demo_copy, "2026Q2", "bids")
        added = add_objection(archive, village="donggang", item=item, received=date(2026, 5, 1), channel="电话",
                              text="中标价高于预算", by="钱七")
    with monkeypatch.context() as patched:
        patched.setattr(seal_module, "SEAL_FORMAT", 4)
        with sessions(demo_copy)() as session, session.begin():
            seal_quarter(session, LAYOUTS, "donggang", Quarter(2026, 2), "王德明")
    with sessions(demo_copy)() as session:
        seals = list(session.scalars(select(Seal).where(Seal.village_id == 1, Seal.kind != "key")))
        assert [s.format for s in seals] == [4]
        assert session.scalar(select(func.count()).select_from(SealedObjection)) == 0
        assert verify(session) == (verify(session)[0], [])
    with sessions(demo_copy)() as session, session.begin():
        result = seal_quarter(session, LAYOUTS, "donggang", Quarter(2026, 2), "王德明")
    assert result.kind == "objection" and result.objections == 1
    with sessions(demo_copy)() as session:
        assert verify(session)[1] == []
    with Archive.open(demo_copy) as archive:
        [entry] = list_objections(archive, village="donggang", period=Quarter(2026, 2))
        assert entry.id == added.id and entry.sealed


def test_the_office_functions_refuse_what_the_cli_refuses(demo_copy: Path) -> None:
    with Archive.open(demo_copy) as archive:
        item = _number(demo_copy, "2026Q3", "bids")
        with pytest.raises(BadInput, match=r"柳树湾村没有编号"):
            add_objection(archive, village="liushuwan", item=item, received=date(2026, 8, 20), channel="电话",
                          text="x")
        entry = add_objection(archive, village="donggang", item=item, received=date(2026, 8, 20), channel="网上",
                              text="路灯型号与招标文件不一致", today=date(2026, 8, 25))
        assert entry.status == rules.OPEN and entry.due == date(2026, 8, 31)  # 08-30 a Sunday
        with pytest.raises(BadInput, match="--outcome"):
            reply_objection(archive, entry.id, text="维持", by="李主任", outcome="驳回", today=date(2026, 8, 25))
        with pytest.raises(BadInput, match="--correction"):
            reply_objection(archive, entry.id, text="维持", by="李主任", outcome="维持", correction=item,
                            today=date(2026, 8, 25))
        done = reply_objection(archive, entry.id, text="经核对一致，维持", by="李主任", on=date(2026, 8, 28),
                               outcome="维持", today=date(2026, 9, 1))
        assert done.status == rules.REPLIED and done.objection.handler == "李主任"


def test_a_bundle_carries_the_objections_and_their_replies(demo_copy: Path, tmp_path: Path) -> None:
    """The township receives the objections sealed with the quarter and the reply sealed later,
    verifies them, and refuses a bundle whose objection was altered."""
    from test_bundle import _rewrite, export, fingerprints, township_db

    from zwgk_desktop.archive.bundle import import_bundle

    with Archive.open(demo_copy) as archive:
        item = _number(demo_copy, "2026Q2", "finance")
        added = add_objection(archive, village="donggang", item=item, received=date(2026, 7, 10), channel="来信",
                              text="5月份的招待费是否合规？", by="冯六")
    with sessions(demo_copy)() as session, session.begin():
        seal_quarter(session, LAYOUTS, "donggang", Quarter(2026, 2), "王德明")
    with Archive.open(demo_copy) as archive:
        reply_objection(archive, added.id, text="系上级检查组工作餐，按标准列支，维持。", by="刘建国",
                        on=date(2026, 7, 30), outcome="维持")
    with sessions(demo_copy)() as session, session.begin():
        seal_quarter(session, LAYOUTS, "donggang", Quarter(2026, 2), "王德明")
    bundle = export(demo_copy, tmp_path / "donggang.zwgk")
    township = township_db(tmp_path)
    with sessions(township)() as session, session.begin():
        import_bundle(session, bundle, trust=fingerprints(demo_copy))
    with sessions(township)() as session:
        assert verify(session)[1] == []
    with Archive.open(township) as archive:
        [there] = list_objections(archive, village="donggang")
    assert there.objection.reply == "系上级检查组工作餐，按标准列支，维持。" and there.status == rules.LATE
    assert there.objection.raised_by == "冯六" and there.sealed  # the archive, not a public output

    def altered(members: dict[str, bytes]) -> None:
        document = json.loads(members["data/archive.json"])
        for entry in document["seals"]:
            for held in entry.get("objections", []):
                held["canonical_json"] = held["canonical_json"].replace("维持", "更正")
        members["data/archive.json"] = json.dumps(document, ensure_ascii=False).encode("utf-8")

    _rewrite(bundle, altered, fix_manifests=True)
    other = township_db(tmp_path / "other")
    with sessions(other)() as session, session.begin(), pytest.raises(BadInput, match="异议"):
        import_bundle(session, bundle, trust=fingerprints(demo_copy))


def test_the_compliance_workbook_has_the_objections_column(demo_copy: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from zwgk_desktop.office.township import status_table

    out = tmp_path / "status.xlsx"
    with Archive.open(demo_copy) as archive:
        status = status_table(archive, Quarter(2026, 3), xlsx=out, today=date(2026, 12, 1))
    assert status.table.objections["donggang"] == (3, 1, 1)  # the demo's: open past due, late, in time
    sheet = load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[2]]
    column = header.index("异议")
    rows = {r[0].value: r[column].value for r in sheet.iter_rows(min_row=3) if r[0].value in ("东岗村", "石桥村")}
    assert rows == {"东岗村": "异议 3 件，逾期未答复 1 件，逾期答复 1 件", "石桥村": "异议 0 件，逾期未答复 0 件"}
