"""Every corpus spreadsheet under tests/data/sheets/ (found by its `NAME.expect.json` sidecar, in
any folder: shapes/, formats/ …) imported twice, as a clerk would: with `zwgk import --json` and
with the app's import wizard. Both must read the same rows, the same values and the same
problems, or refuse in the same words, and match the sidecar."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import run_zwgk
from sqlalchemy import func, select

from zwgk_desktop.db import store
from zwgk_desktop.db.models import DisclosureItem, Village
from zwgk_desktop.domain.categories import category
from zwgk_desktop.io.importer import ImportPlan
from zwgk_desktop.ui import app as desktop
from zwgk_desktop.ui.import_wizard import ImportWizard

SHEETS = Path(__file__).resolve().parent / "data" / "sheets"
CASES = sorted(SHEETS.rglob("*.expect.json"))


def sheet_of(expect: Path) -> Path:
    name = expect.name.removesuffix(".expect.json")
    if (expect.parent / name).is_file():  # NAME.xlsx.expect.json beside NAME.xlsx (the formats corpus)
        return expect.parent / name
    found = [p for p in expect.parent.glob(f"{name}.*") if not p.name.endswith(".json")]
    assert len(found) == 1, f"{expect}: no one spreadsheet beside it ({found})"
    return found[0]


def first_village(db: Path) -> tuple[int, str]:
    archive = desktop.open_archive(str(db))
    try:
        with archive.sessions() as session:
            village = session.scalars(select(Village).order_by(Village.id)).first()
            assert village is not None
            return village.id, village.code
    finally:
        archive.engine.dispose()


def stored_rows(db: Path) -> list[dict[str, Any]]:
    """The rows of the newest item (the one just imported), as the store keeps them (JSON)."""
    archive = desktop.open_archive(str(db))
    try:
        with archive.sessions() as session:
            newest = session.scalar(select(func.max(DisclosureItem.id)))
            return store.load_rows(session, [newest])[newest]
    finally:
        archive.engine.dispose()


def as_json(code: str, row: dict[str, Any]) -> dict[str, Any]:
    schema = category(code)
    return {key: schema.row_field(key).to_json(value) if key in {f.key for f in schema.row_fields} else value
            for key, value in row.items()}


def filled(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value is not None}


def matches(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(found.get(key) == value for key, value in wanted.items())


@pytest.mark.parametrize("expect_path", CASES, ids=[str(p.relative_to(SHEETS)) for p in CASES])
def test_the_cli_and_the_wizard_read_every_corpus_file_alike(qtbot, expect_path: Path, demo_db: Path,  # type: ignore[no-untyped-def]
                                                             tmp_path: Path) -> None:
    expect = json.loads(expect_path.read_text(encoding="utf-8"))
    sheet = sheet_of(expect_path)
    code, period, given = expect["category"], expect["period"], expect.get("set", {})
    cli_db, gui_db = tmp_path / "cli.sqlite3", tmp_path / "gui.sqlite3"
    shutil.copy(demo_db, cli_db)
    shutil.copy(demo_db, gui_db)
    village_id, village = first_village(cli_db)

    # -- the command line ---------------------------------------------------------------------------
    sets = [part for field, value in given.items() for part in ("--set", f"{field}={value}")]
    run = run_zwgk("import", str(sheet), "--db", str(cli_db), "--village", village, "--period", period,
                   "--category", code, *sets, "--accept-warnings", "--json", cwd=tmp_path)
    assert "Traceback" not in run.err
    told = json.loads(run.out)

    # -- the wizard, over a copy of the same archive --------------------------------------------------
    archive = desktop.open_archive(str(gui_db))
    try:
        wizard = ImportWizard(archive, village_id, period)
        qtbot.addWidget(wizard)
        wizard.choose_category(code)
        for field, value in given.items():
            wizard.set_whole_file(field, value)  # no file yet: nothing read
        with qtbot.waitSignal(wizard.planned, timeout=60_000) as planned:
            wizard.read(sheet)
        plan: ImportPlan | None = planned.args[0]
        shown = [wizard.problems.item(i).text() for i in range(wizard.problems.count())]
        errors = [t.removeprefix("错误：") for t in shown if t.startswith("错误：")]
        warnings = [t.removeprefix("提醒：") for t in shown if t.startswith("提醒：")]

        if "refused" in expect:
            assert run.code == 2, run.err
            assert told["ok"] is False
            for words in expect["refused"]:
                assert words in run.err, (words, run.err)
                if words != sheet.name:  # the wizard names the file above its list, not in each line
                    assert any(words in text for text in errors), (words, errors)
            if plan is None:  # refused before any row was read: the same message, the same lines
                assert errors == [f"{told['message']}" + "".join(f"\n  - {p['text']}" for p in told["problems"])]
            else:  # rows with errors: the same problems, each naming the sheet's row and the editor's
                assert not wizard.import_button.isEnabled()
                assert errors == [p["text"] for p in told["problems"]]
                for problem in told["problems"]:  # an item row: both numbers; a 期末余额 line: the sheet's only
                    if problem["sheet_row"] in plan.source_rows and problem["where"] == "":
                        assert problem["item_row"] == plan.source_rows.index(problem["sheet_row"]) + 1, problem
                        assert f"第{problem['sheet_row']}行" in problem["text"]
                        assert f"明细第{problem['item_row']}行" in problem["text"]
                    else:
                        assert problem["item_row"] is None, problem
                assert len(plan.item.rows) == told["rows"]
            return

        assert run.code == 0, run.err
        assert plan is not None and plan.ok, errors
        assert told["rows"] == len(plan.item.rows) == expect["rows"]
        assert told["header_row"] == plan.header_row
        assert told["warnings"] == warnings == [str(w) for w in plan.warnings]
        if plan.warnings:
            wizard.accept_warnings.setChecked(True)
        with qtbot.waitSignal(wizard.imported, timeout=60_000):
            wizard.do_import()
    finally:
        archive.engine.dispose()

    from_cli, from_gui = stored_rows(cli_db), stored_rows(gui_db)
    assert from_cli == from_gui
    assert [filled(as_json(code, r)) for r in plan.item.rows] == [filled(r) for r in from_cli]
    assert len(from_cli) == expect["rows"]
    assert matches(from_cli[0], expect["first"]), (from_cli[0], expect["first"])
    assert matches(from_cli[-1], expect["last"]), (from_cli[-1], expect["last"])
