"""The items' use cases through both faces: `zwgk review` (and `--undo`), `new`, `edit`, `settings`
and the app's 审核通过 / 退回草稿 take the same path (office/items.py) and refuse the same things in
the same words: an item with errors, a date not come yet, a sealed item, a read-only archive."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import run_zwgk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from zwgk_desktop import cli
from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem
from zwgk_desktop.domain.fields import FieldError
from zwgk_desktop.domain.items import DRAFT, REVIEWED, REVIEWER, today
from zwgk_desktop.errors import BadInput, Blocked
from zwgk_desktop.office import items, setup
from zwgk_desktop.office.handle import Archive


def zwgk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command's own parse → call → print, in this process (quicker than the installed script)."""
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def draft_notice(db: Path | str) -> int:
    """The demo's one draft of 东岗村 2026Q3: a notice not reviewed yet (its number is its id)."""
    with Archive.open(db) as archive, archive.reading() as session:
        return int(session.scalar(select(DisclosureItem.id).where(
            DisclosureItem.village_id == 1, DisclosureItem.period == "2026Q3",
            DisclosureItem.status == DRAFT, DisclosureItem.category == "notice")))


@contextmanager
def read_only_folder(tmp_path: Path, db: Path) -> Iterator[Path]:
    """A copy of the archive in a folder nothing may change: write-protected for an ordinary user,
    a read-only bind mount for root (who may write any file); skipped where neither can be made."""
    source, mounted = tmp_path / "source", tmp_path / "stick"
    source.mkdir()
    mounted.mkdir()
    shutil.copy(db, source / db.name)
    if os.geteuid() != 0:
        (source / db.name).chmod(stat.S_IRUSR)
        source.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield source / db.name
        finally:
            source.chmod(stat.S_IRWXU)
        return
    bound = subprocess.run(["mount", "--bind", str(source), str(mounted)], capture_output=True, check=False)
    if bound.returncode != 0:
        pytest.skip(f"a read-only bind mount cannot be made here: {bound.stderr.decode(errors='replace').strip()}")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(mounted)], capture_output=True).returncode != 0:
            pytest.skip("a bind mount cannot be made read-only here")
        yield mounted / db.name
    finally:
        subprocess.run(["umount", str(mounted)], check=False)


def stored(db: Path | str, item_id: int) -> tuple[str, str | None, date | None]:
    with Archive.open(db, read_only=True) as archive, archive.reading() as session:
        record = session.get(DisclosureItem, item_id)
        assert record is not None
        return record.status, record.reviewer, record.reviewed_on


def test_review_then_undo_from_the_command_line(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    item = draft_notice(demo_copy)
    # Taking back a review of a draft changes nothing, and --json says what is stored, inventing no date.
    code, out, err = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(item), "--undo", "--json")
    said, (status, reviewer, reviewed_on) = json.loads(out), stored(demo_copy, item)
    assert code == 0 and said["changed"] is False and status == DRAFT, err
    assert said["reviewed_on"] == (reviewed_on.isoformat() if reviewer and reviewed_on else None)
    code, out, err = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(item), "--village", "donggang",
                          "--reviewer", "王德明", "--on", "2026-10-05", "--json")
    assert code == 0, err
    said = json.loads(out)
    assert said["status"] == REVIEWED and said["reviewer"] == "王德明" and said["reviewed_on"] == "2026-10-05"
    assert stored(demo_copy, item) == (REVIEWED, "王德明", date(2026, 10, 5))
    code, _, err = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(item), "--reviewer", "赵建军")
    assert code == 2 and "已经审核过" in err and "王德明" in err  # a second review is not silently taken
    code, out, _ = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(item), "--undo")
    assert code == 0 and "退回草稿" in out
    assert stored(demo_copy, item) == (DRAFT, "王德明", date(2026, 10, 5))  # the names stay, as in the app
    code, out, _ = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(item), "--undo")
    assert code == 0 and "本来就是草稿" in out


def test_review_refuses_in_words_and_changes_nothing(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    item = draft_notice(demo_copy)
    before = stored(demo_copy, item)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    for args, words in (
        (("--reviewer", "王德明", "--on", tomorrow), "还没有到"),
        (("--reviewer", "王德明", "--on", "2026-13-40"), "--on"),
        (("--reviewer", "410122199001011234"), "审核人"),  # an ID number is no name
        ((), "--reviewer"),
        (("--reviewer", "王德明", "--undo"), "--undo"),
    ):
        code, _, err = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(item), *args)
        assert code == 2 and words in err and "Traceback" not in err, (args, err)
    code, _, err = zwgk(capsys, "review", "--db", str(demo_copy), "--item", "99999", "--reviewer", "王德明")
    assert code == 2 and "没有编号为 99999 的事项" in err
    assert stored(demo_copy, item) == before


def test_an_incomplete_item_is_refused_with_every_error(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = zwgk(capsys, "new", "--db", str(demo_copy), "--village", "东岗村", "--period", "2026Q3",
                          "--category", "notice", "--title", "关于召开村民代表会议的公告")
    assert code == 0, err
    made = int(out)
    code, _, err = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(made), "--reviewer", "王德明",
                        "--on", "2026-08-31")
    assert code == 2 and "处错误，不能审核" in err and "公示" in err
    assert stored(demo_copy, made)[0] == DRAFT
    # Filled in by `zwgk edit` as the form would be, it is reviewed like any other.
    code, out, err = zwgk(capsys, "edit", "--db", str(demo_copy), "--item", str(made),
                          "--set", "正文=定于下周召开村民代表会议。", "--set", "公示开始=2026-09-01",
                          "--set", "公示结束=2026-09-07", "--set", "经办人=李秀芬")
    assert code == 0 and "已修改" in out, err
    code, _, err = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(made), "--reviewer", "王德明",
                        "--on", "2026-08-31")
    assert code == 0, err
    with Archive.open(demo_copy) as archive, archive.reading() as session:
        item, _ = store.load_item(session, made)
    assert (item.status, item.clerk, item.fields["body"]) == (REVIEWED, "李秀芬", "定于下周召开村民代表会议。")
    # Edited again, it goes back to draft: what was signed is no longer what it holds.
    code, out, err = zwgk(capsys, "edit", "--db", str(demo_copy), "--item", str(made), "--set", "标题=村民代表会议公告")
    assert code == 0 and "退回草稿" in err and stored(demo_copy, made)[0] == DRAFT
    code, _, err = zwgk(capsys, "edit", "--db", str(demo_copy), "--item", str(made), "--set", "1.金额=abc")
    assert code == 2 and "修改未保存" in err


def test_a_sealed_item_and_a_read_only_archive_are_refused(demo_copy: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from test_archive import seal

    seal(demo_copy, "donggang", "2026Q2")
    with Archive.open(demo_copy) as archive, archive.reading() as session:
        sealed = int(session.scalar(select(DisclosureItem.id).where(
            DisclosureItem.village_id == 1, DisclosureItem.period == "2026Q2", DisclosureItem.category == "notice")))
    for args in (("--reviewer", "王德明", "--on", "2026-07-02"), ("--undo",)):
        code, _, err = zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(sealed), *args)
        assert code == 2 and "已封存" in err and "更正" in err, err
    code, _, err = zwgk(capsys, "edit", "--db", str(demo_copy), "--item", str(sealed), "--set", "标题=改")
    assert code == 2 and "已封存" in err
    # On read-only media (an auditor's stick, here a read-only bind mount): refused before anything, in words.
    item = draft_notice(demo_copy)
    with read_only_folder(tmp_path, demo_copy) as copy:
        code, _, err = zwgk(capsys, "review", "--db", str(copy), "--item", str(item), "--reviewer", "王德明")
        assert code == Blocked.exit_code and "只读" in err and "Traceback" not in err, err
        assert stored(copy, item)[0] == DRAFT
    # Opened read-only (as `zwgk-desktop --read-only` opens it), the use case itself refuses.
    with Archive.open(demo_copy, read_only=True) as archive, pytest.raises(Blocked, match="只读"):
        items.review(archive, item, "王德明", date(2026, 10, 5))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=-800, max_value=800))
def test_any_date_up_to_today_is_taken_and_none_later(demo_copy: Path, offset: int) -> None:
    day = today() + timedelta(days=offset)
    with Archive.open(demo_copy) as archive:
        item = draft_notice(demo_copy)
        if day > today():
            with pytest.raises(BadInput, match="还没有到"):
                items.review(archive, item, "王德明", day)
            assert stored(demo_copy, item)[0] == DRAFT
            return
        done = items.review(archive, item, "王德明", day)
        assert done.reviewed_on == day and stored(demo_copy, item) == (REVIEWED, "王德明", day)
        items.unreview(archive, item)


ODD = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=24) | st.sampled_from([
    "王德明", " 王德明 ", "王\u200b德明", "王\u202e德明", "e\u0301mile", "ｗａｎｇ", "王德明\n", "王\t德明", "\u3000",
    "张*明", "李" * 21, "Ａ\u0000", "王德明ー", "\ufeff王德明", "𠀀𠀁", "王·德明"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=ODD)
def test_a_reviewer_name_is_taken_as_the_form_takes_it_or_refused_in_words(demo_copy: Path, name: str) -> None:
    item = draft_notice(demo_copy)
    try:
        expected = REVIEWER.parse(name)
    except FieldError:
        expected = None
    with Archive.open(demo_copy) as archive:
        if not expected:
            with pytest.raises(BadInput) as refused:
                items.review(archive, item, name, date(2026, 10, 5))
            assert "审核人" in refused.value.message
            assert stored(demo_copy, item)[0] == DRAFT
            return
        items.review(archive, item, name, date(2026, 10, 5))
        status, reviewer, _ = stored(demo_copy, item)
        assert status == REVIEWED and reviewer == expected == unicodedata.normalize("NFC", expected).strip()
        items.unreview(archive, item)


def test_settings_from_the_command_line(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = zwgk(capsys, "settings", "--db", str(demo_copy), "--village-phone", "donggang=0371-62341109",
                          "--publication-day", "20", "--rename-village", "石桥村=石桥头村", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["publication_day"] == 20
    first = shown["villages"][0]
    assert (first["name"], first["code"], first["phone"]) == ("东岗村", "donggang", "0371-62341109")
    assert shown["villages"][2]["name"] == "石桥头村" and shown["villages"][2]["code"] == "shiqiao"
    code, _, err = zwgk(capsys, "settings", "--db", str(demo_copy), "--village-phone", "donggang=13912345678x",
                        "--township-phone", "abc", "--village-phone", "无此村=0371-1")
    assert code == 2 and "未保存" in err and "无此村" in err
    code, out, _ = zwgk(capsys, "settings", "--db", str(demo_copy))
    assert code == 0 and "0371-62341109" in out and "次月 20 日" in out  # the refused change left all as it was


def test_init_and_demo_go_through_setup(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    with setup.open_or_create(db) as archive:
        assert setup.needs_first_run(archive)
        with pytest.raises(BadInput, match="至少写一个村"):
            setup.create_township(archive, "红旗镇", ["  "])
        made = setup.create_township(archive, "红旗镇", ["前进村", "胜利村=shengli"])
        assert made.villages == (("前进村", "qianjin"), ("胜利村", "shengli")) and not setup.needs_first_run(archive)
        with pytest.raises(BadInput, match="空数据库"):
            setup.load_demo(archive)


@pytest.mark.slow
def test_the_installed_command_reviews(demo_copy: Path, tmp_path: Path) -> None:
    item = draft_notice(demo_copy)
    done = run_zwgk("review", "--db", str(demo_copy), "--item", str(item), "--reviewer", "王德明", cwd=tmp_path)
    assert done.code == 0 and "已审核" in done.out, done.err
    assert stored(demo_copy, item)[:2] == (REVIEWED, "王德明")


def test_the_app_reviews_through_the_same_path_and_words(qtbot, demo_copy: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    """审核通过 and 退回草稿 in the app, and `zwgk review` on a copy of the same archive: the same
    refusal in the same words, and the same record once done."""
    from PySide6.QtWidgets import QMessageBox

    from zwgk_desktop.render import fonts
    from zwgk_desktop.ui import app as desktop
    from zwgk_desktop.ui.main_window import MainWindow
    from zwgk_desktop.ui.workers import wait_for_all

    other = tmp_path / "cli.sqlite3"
    shutil.copy(demo_copy, other)
    item = draft_notice(demo_copy)
    desktop.register_qt_font()
    fonts.register()
    window = MainWindow(desktop.open_archive(str(demo_copy)))
    qtbot.addWidget(window)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warned.append(args[2]))
    try:
        window.open_item(item, wait=True)
        editor = window.editor
        assert editor is not None

        def typed(day: str) -> None:
            for edit, text in ((editor.reviewer, "王德明"), (editor.reviewed_on, day)):
                edit.setText(text)
                edit.textEdited.emit(text)
            editor.flush()

        tomorrow = (today() + timedelta(days=1)).isoformat()
        typed(tomorrow)
        assert window.mark_reviewed() is False
        code, _, err = zwgk(capsys, "review", "--db", str(other), "--item", str(item), "--reviewer", "王德明",
                            "--on", tomorrow)
        assert code == 2 and err.strip() == f"zwgk review：{warned[-1]}"
        assert stored(demo_copy, item)[0] == stored(other, item)[0] == DRAFT
        typed("2026-10-05")
        assert window.mark_reviewed() is True and not editor.is_dirty
        assert zwgk(capsys, "review", "--db", str(other), "--item", str(item), "--reviewer", "王德明",
                    "--on", "2026-10-05")[0] == 0
        assert stored(demo_copy, item) == stored(other, item) == (REVIEWED, "王德明", date(2026, 10, 5))
        assert window.mark_reviewed() is False and "已经审核过" in warned[-1]  # as the command refuses it
        assert window.unreview() is True
        assert zwgk(capsys, "review", "--db", str(other), "--item", str(item), "--undo")[0] == 0
        assert stored(demo_copy, item) == stored(other, item) == (DRAFT, "王德明", date(2026, 10, 5))
    finally:
        window._autosave.stop()
        wait_for_all()
        window.preview.stop()


def test_a_finance_sheet_typed_row_by_row_from_the_command_line(demo_copy: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = zwgk(capsys, "new", "--db", str(demo_copy), "--village", "shiqiao", "--period", "2026Q3",
                          "--category", "finance", "--json")
    assert code == 0, err
    made = json.loads(out)["item"]
    code, out, err = zwgk(capsys, "edit", "--db", str(demo_copy), "--item", str(made), "--add-rows", "3",
                          "--set", "期初余额=1,000.00", "--set", "1.日期=2026-07-03", "--set", "1.凭证号=记-001",
                          "--set", "1.摘要=土地承包费收入", "--set", "1.收入=500", "--json")
    assert code == 0, err
    errors = json.loads(out)["errors"]
    assert any("第2行" in e for e in errors) and any("期末余额" in e for e in errors)  # what is left to fill in
    code, out, err = zwgk(capsys, "edit", "--db", str(demo_copy), "--item", str(made), "--delete-row", "2",
                          "--delete-row", "3", "--set", "期末余额=1500", "--set", "公示开始=2026-10-10",
                          "--set", "公示结束=2026-11-08", "--json")
    assert code == 0 and json.loads(out)["errors"] == [], out
    code, _, err = zwgk(capsys, "edit", "--db", str(demo_copy), "--item", str(made), "--delete-row", "9")
    assert code == 2 and "没有第9行" in err
    assert zwgk(capsys, "review", "--db", str(demo_copy), "--item", str(made), "--reviewer", "孙玉兰",
                "--on", "2026-10-09")[0] == 0


def test_an_import_with_warnings_not_accepted_stores_nothing(demo_copy: Path, tmp_path: Path) -> None:
    """The wizard and `zwgk import` both store through `importing.store`: warnings unaccepted, nothing."""
    from zwgk_desktop.domain.periods import Quarter
    from zwgk_desktop.office import importing

    with Archive.open(demo_copy) as archive:
        village = items.find_village(archive, "donggang")
        existing = next(i for i in (items.find_item(archive, n) for n in range(1, 20))
                        if items.describe(archive, i).category == "assistance" and
                        items.describe(archive, i).period == "2026Q3")
        sheet = importing.export_rows(archive, existing, tmp_path / "again.xlsx").path
        plan = importing.plan(archive, sheet, "assistance", Quarter.parse("2026Q3"), village)
        assert plan.ok and any("导入了两次" in str(w) for w in plan.warnings)
        with archive.reading() as session:
            count = len(store.list_items(session))
        with pytest.raises(BadInput, match="核对并接受后才能导入"):
            importing.store(archive, plan, village)
        with archive.reading() as session:
            assert len(store.list_items(session)) == count
        done = importing.store(archive, plan, village, warnings_accepted=True)
        assert done.rows == len(plan.item.rows) and done.backup is not None and done.backup.exists()
        with archive.reading() as session:
            assert len(store.list_items(session)) == count + 1
