"""The 四性检测 report (`zwgk verify --report`) and the archival metadata it checks: 档号, 保管期限."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pytest
from conftest import ArchiveCache, run_zwgk
from factories import changed_behind_the_back
from forgery import restore_triggers
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk_desktop.archive.four_checks import gather, read_sheet
from zwgk_desktop.archive.seal import seal_quarter, verify
from zwgk_desktop.db import store
from zwgk_desktop.db.engine import open_engine, session_factory
from zwgk_desktop.db.models import SealedItem
from zwgk_desktop.domain.catalogue import load_catalogue
from zwgk_desktop.domain.filing import LONGEST, MAX_REF, PLACEHOLDERS, check_pattern, filing_for
from zwgk_desktop.domain.four_checks import AUTHENTIC, COMPLETE, FAIL, NOT_CHECKED, PASS, SECURE, USABLE, Anchored
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render.layout import load_layouts

LAYOUTS = load_layouts(standard_layouts_dir())
PATTERN = "{全宗号}-{年度}-{保管期限}-{件号}"


@contextmanager
def _session(db: str | Path) -> Iterator[Session]:
    engine = open_engine(str(db))
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _file_and_seal(db: str | Path, quarters: tuple[str, ...] = ("2025Q4", "2026Q1")) -> None:
    with _session(db) as session, session.begin():
        settings = store.load_settings(session)
        settings.archive_pattern = PATTERN
        settings.villages[0].fonds = "Z012"  # 东岗村
        store.save_settings(session, settings)
    for period in quarters:
        with _session(db) as session, session.begin():
            seal_quarter(session, LAYOUTS, "donggang", Quarter.parse(period), "王德明")


@pytest.fixture
def filed(archive_cache: ArchiveCache, tmp_path: Path) -> Path:
    """The demo with 东岗村's 2025Q4 and 2026Q1 sealed under 全宗号 Z012 (made once a session)."""
    return archive_cache.copy("four-checks-filed", _file_and_seal, tmp_path / "demo.sqlite3")


def _report(db: Path, tmp_path: Path, *extra: str) -> tuple[int, str, dict[str, list[list[object]]]]:
    out = tmp_path / "四性检测报告.xlsx"
    run = run_zwgk("verify", "--db", str(db), "--report", str(out), *extra, cwd=tmp_path)
    assert "Traceback" not in run.err, run.err
    book = load_workbook(out, read_only=True)
    sheets = {name: [list(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    return run.code, run.out + run.err, sheets


# ---------------------------------------------------------------------------------------------
# 档号 and 保管期限.


def test_sealing_files_each_item_under_its_archive_reference_and_retention(filed: Path) -> None:
    with _session(filed) as session:
        entries = list(session.scalars(select(SealedItem).order_by(SealedItem.archive_number)))
        assert verify(session)[1] == []
        periods = {e.id: e.seal.period for e in entries}
    kept = {"finance": "30年", "assistance": "30年", "bids": "永久", "notice": "永久", "assets": "永久",
            "resources": "永久", "contracts": "永久", "debts": "30年", "distribution": "永久"}
    catalogue = load_catalogue(standard_layouts_dir())
    assert {r.category: r.retention for r in catalogue.requirements} == kept
    codes = {"30年": "D30", "永久": "Y"}
    assert [e.archive_number for e in entries] == list(range(1, len(entries) + 1))
    for entry in entries:
        year = periods[entry.id][:4]
        assert entry.archive_ref == f"Z012-{year}-{codes[entry.retention]}-{entry.archive_number:04d}"
    assert {e.retention for e in entries} == {"30年", "永久"}


def test_an_archive_reference_changed_behind_the_apps_back_fails_verify(filed: Path, tmp_path: Path) -> None:
    copy = tmp_path / "changed.sqlite3"
    changed_behind_the_back(filed, copy, "DROP TRIGGER sealed_item_append_only_update",
                            "UPDATE sealed_item SET archive_ref = 'Z012-2025-Y-0001', retention = '永久' "
                            "WHERE archive_number = 1")
    run = run_zwgk("verify", "--db", str(copy), cwd=tmp_path)
    assert run.code == 1 and "封存记录被改动" in run.out, run.out


@given(st.lists(st.sampled_from([*"{}-_.·/()（）AZaz09 \t中；", *(f"{{{p}}}" for p in PLACEHOLDERS),
                                 "{x}", "{件号"]), max_size=16).map("".join) | st.text(max_size=70))
def test_any_pattern_is_refused_in_words_or_gives_a_short_unique_reference(text: str) -> None:
    try:
        pattern = check_pattern(text)
    except BadInput as exc:
        assert "档号格式" in exc.message
        return
    filing = filing_for(pattern, "", "a" * 40)  # the longest village code there can be
    refs = {filing.reference(year=2026, period="2026Q3", retention="30年", number=n, category="distribution")
            for n in (1, 2, 2**31 - 1)}
    assert len(refs) == 3  # the 件号 is always in it
    for ref in refs:
        assert len(ref) <= MAX_REF and "{" not in ref and "}" not in ref


def test_the_longest_placeholder_values_are_what_the_store_allows() -> None:
    assert LONGEST["村代码"] == 40 and LONGEST["全宗号"] >= 20
    assert set(LONGEST) == set(PLACEHOLDERS)


@pytest.mark.parametrize(("text", "said"), [
    ("{全宗号}-{年度}", "必须含有 {件号}"), ("{甲}-{件号}", "不认识"), ("{件号}；{年度}", "不能用"),
    ("{村代码}{村代码}-{件号}", "最长可达"), ("{件号} ", None),
])
def test_bad_patterns_are_refused_naming_why(text: str, said: str | None) -> None:
    if said is None:
        assert check_pattern(text) == "{件号}"
        return
    with pytest.raises(BadInput, match=said.replace("{", r"\{").replace("}", r"\}")):
        check_pattern(text)


def test_a_catalogue_with_a_wrong_retention_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "catalogue.toml").write_text('[[requirements]]\ncategory = "finance"\nretention = "5年"\n',
                                             encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        load_catalogue(tmp_path)
    assert any(p.field == "retention" and "永久 / 30年 / 10年" in p.message for p in caught.value.problems)


def test_settings_take_the_pattern_and_each_villages_fonds(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    bad = run_zwgk("settings", "--db", db, "--archive-pattern", "{年度}", "--fonds", "donggang=Z 1", cwd=tmp_path)
    assert bad.code == 2 and "档号格式" in bad.err and "全宗号" in bad.err, bad.err
    good = run_zwgk("settings", "--db", db, "--archive-pattern", "{全宗号}-WS·{年度}-{保管期限}-{件号}",
                    "--fonds", "donggang=Z012", "--json", cwd=tmp_path)
    assert good.code == 0, good.err
    shown = json.loads(good.out)
    assert shown["archive_pattern"] == "{全宗号}-WS·{年度}-{保管期限}-{件号}"
    assert [v["fonds"] for v in shown["villages"]] == ["Z012", "", ""]
    words = run_zwgk("settings", "--db", db, cwd=tmp_path).out
    assert "全宗号：Z012" in words and "未设置，档号中用 LIUSHUWAN" in words


# ---------------------------------------------------------------------------------------------
# The report.


def test_the_report_of_an_honest_archive(filed: Path, tmp_path: Path) -> None:
    code, said, sheets = _report(filed, tmp_path)
    assert code == 0, said
    assert "四性检测报告已写出" in said and "真实性：" in said
    assert list(sheets) == ["检测报告", "问题清单", "归档清单", "数量统计"]
    summary = sheets["检测报告"]
    assert summary[0][0] == "青山镇村务公开电子档案四性检测报告"
    facts = {row[0]: row[1] for row in summary if row and row[0]}
    assert str(facts["检测结论"]).startswith("通过") and "DA/T 70-2018" in str(facts["检测依据"])
    checks = {row[1]: row[3] for row in summary if row and row[0] in ("真实性", "完整性", "可用性", "安全性")
              and row[2]}
    assert checks["固化信息有效性（数字摘要与封存链）"] == PASS
    assert checks["内容与验证码关联一致"] == PASS
    assert checks["与公布的封存记录比对"] == NOT_CHECKED  # no --against: said, not passed
    assert checks["内容数据可读性"] == PASS and checks["无加密、无口令"] == PASS
    assert checks["公开内容中无完整个人号码"] == PASS
    header, *items = sheets["归档清单"]
    assert header[:3] == ["件号", "档号", "保管期限"]
    assert [row[0] for row in items] == list(range(1, len(items) + 1))
    assert items[0][1] == "Z012-2025-D30-0001" and items[0][2] == "30年"
    assert all(row[15:19] == [PASS] * 4 for row in items)
    tallies = sheets["数量统计"]
    sealed = [row for row in tallies[1:] if row[0] == "东岗村" and row[2] == "已封存"]
    assert [row[1] for row in sealed] == ["2025Q4", "2026Q1"]
    assert tallies[-1][0] == "合计" and tallies[-1][4] == len(items)
    assert sheets["问题清单"][1][2] == "没有发现问题"


def _replace_pdf(db: Path, copy: Path, change) -> str:  # type: ignore[no-untyped-def]
    """A copy whose first sealed PDF is `change(pdf)`; the item's title."""
    changed_behind_the_back(db, copy, "DROP TRIGGER sealed_item_append_only_update")
    raw = sqlite3.connect(copy)
    entry_id, title, pdf = raw.execute("SELECT id, title, pdf FROM sealed_item WHERE pdf IS NOT NULL "
                                       "ORDER BY archive_number LIMIT 1").fetchone()
    raw.execute("UPDATE sealed_item SET pdf = ? WHERE id = ?", (change(pdf), entry_id))
    raw.commit()
    raw.close()
    restore_triggers(copy)  # as a careful tamperer would (a missing trigger is 安全性's finding)
    return str(title)


def _encrypted(pdf: bytes) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.save(out, encryption=pikepdf.Encryption(owner="secret", user="", R=6))
    return out.getvalue()


def _with_script(pdf: bytes) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        action = document.make_indirect(script)
        document.Root.OpenAction = action
        document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("change", "aspects"), [
    (lambda pdf: pdf[: len(pdf) // 3], {AUTHENTIC, USABLE}),  # cut short: it no longer opens
    (lambda pdf: b"not a pdf at all", {AUTHENTIC, USABLE}),
    (_encrypted, {AUTHENTIC, SECURE}),
    (_with_script, {AUTHENTIC, SECURE}),
])
def test_a_sheet_changed_behind_the_apps_back_fails_the_aspects_it_breaks(  # type: ignore[no-untyped-def]
        filed: Path, tmp_path: Path, change, aspects: set[str]) -> None:
    copy = tmp_path / "changed.sqlite3"
    title = _replace_pdf(filed, copy, change)
    code, said, sheets = _report(copy, tmp_path)
    assert code == 1, said
    verdicts = {row[0]: row[1] for row in sheets["检测报告"][8:13] if row and row[0]}
    assert {a for a, v in verdicts.items() if v == FAIL} == aspects, verdicts
    problems = [row[2] for row in sheets["问题清单"][1:]]
    assert any(title in str(p) for p in problems), problems
    first = sheets["归档清单"][1]
    assert [first[15 + i] for i, a in enumerate((AUTHENTIC, COMPLETE, USABLE, SECURE)) if a in aspects] \
        == [FAIL] * len(aspects)


def test_a_full_id_in_sealed_public_content_fails_security_naming_the_item(filed: Path, tmp_path: Path) -> None:
    copy = tmp_path / "changed.sqlite3"
    changed_behind_the_back(filed, copy, "DROP TRIGGER sealed_item_append_only_update")
    raw = sqlite3.connect(copy)
    entry_id, text = raw.execute("SELECT id, canonical_json FROM sealed_item WHERE canonical_json LIKE '%****%' "
                                 "LIMIT 1").fetchone()
    content = json.loads(text)
    content["rows"][0] = [cell.replace("********", "19800101") if "****" in cell else cell
                          for cell in content["rows"][0]]
    full = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    raw.execute("UPDATE sealed_item SET canonical_json = ? WHERE id = ?", (full, entry_id))
    raw.commit()
    raw.close()
    with _session(copy) as session:
        report = gather(session)
    security = {c.name: c for c in report.checks if c.aspect == SECURE}
    assert security["公开内容中无完整个人号码"].result == FAIL
    assert "身份证号" in security["公开内容中无完整个人号码"].problems[0]
    assert "19800101" not in " ".join(report.failures)  # the report never repeats the number
    assert report.verdict(AUTHENTIC) == FAIL  # and the content no longer matches its hash


def test_the_comparison_with_published_seals_is_part_of_authenticity(filed: Path) -> None:
    with _session(filed) as session:
        agreed = gather(session, anchors=Anchored("site/", 2))
        differed = gather(session, anchors=Anchored("site/", 3, (Problem("公布过，档案中却没有：封存被删除",
                                                                          where="东岗村 第3次封存"),)))
    named = {c.name: c for c in agreed.checks}["与公布的封存记录比对"]
    assert named.result == PASS and "site/ 公布的 2 次封存一致" in named.found
    assert not differed.ok and differed.verdict(AUTHENTIC) == FAIL
    assert any("封存被删除" in failure for failure in differed.failures)


def test_a_sheet_is_read_by_independent_readers(filed: Path) -> None:
    with _session(filed) as session:
        entry = session.scalars(select(SealedItem).where(SealedItem.pdf.is_not(None))).first()
        assert entry is not None and entry.pdf is not None
        from zwgk_desktop.render.correction import code_of

        facts = read_sheet(entry.pdf, code_of(entry.canonical_json))
    assert facts.opens and facts.pages >= 1 and facts.rendered == facts.text_pages == facts.code_pages == facts.pages
    assert facts.fonts_embedded and not facts.encrypted and not facts.active


def test_the_report_refuses_what_is_not_a_workbook(filed: Path, tmp_path: Path) -> None:
    run = run_zwgk("verify", "--db", str(filed), "--report", str(tmp_path / "报告.pdf"), cwd=tmp_path)
    assert run.code == 2 and ".xlsx" in run.err
    run = run_zwgk("verify", "--db", str(filed), "--report", str(tmp_path / "无此文件夹" / "报告.xlsx"), cwd=tmp_path)
    assert run.code == 2 and "无法写出" in run.err


def test_filing_and_the_report_on_either_backend(demo_any: str) -> None:
    _file_and_seal(demo_any, ("2026Q2",))
    with _session(demo_any) as session:
        report = gather(session, village="donggang")
    assert report.ok, report.failures
    assert [i.archive_ref for i in report.items][:1] == ["Z012-2026-D30-0001"]


def test_the_app_exports_the_report_from_a_read_only_archive(qtbot, filed: Path,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from zwgk_desktop.ui import app as desktop
    from zwgk_desktop.ui.main_window import MainWindow

    before = filed.read_bytes()
    archive = desktop.open_read_only(str(filed))
    main = MainWindow(archive)
    qtbot.addWidget(main)
    try:
        assert main.report_action.text() == "导出四性检测报告…"
        with qtbot.waitSignal(main.four_checks_written, timeout=60000) as written:
            main.export_four_checks(tmp_path / "报告")  # the suffix is added
        done = written.args[0]
        assert done.ok and done.path == tmp_path / "报告.xlsx" and done.path.is_file()
        told = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert told and "结论：" not in told[-1].text() and "通过" in told[-1].text()
        assert "真实性：" in told[-1].text() and [b.text() for b in told[-1].buttons()].count("打开报告") == 1
        told[-1].close()
    finally:
        main.close()
        archive.close()
    assert filed.read_bytes() == before
