"""The `zwgk` command as a user runs it (the installed script, in a subprocess): init, demo,
list and render, with exit codes and messages in words for every kind of bad input."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pypdf
import pytest
from conftest import Run, run_zwgk

from zwgk_desktop.paths import standard_layouts_dir

pytestmark = pytest.mark.slow


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err


def test_fresh_database_from_init_to_posters(tmp_path: Path) -> None:
    db = tmp_path / "new" / "archive.sqlite3"
    first = run_zwgk("init", "--db", str(db), cwd=tmp_path)
    assert first.code == 0, first.err
    assert "zwgk demo" in first.out  # tells a newcomer what to do next
    demo = run_zwgk("demo", "--db", str(db), cwd=tmp_path)
    assert demo.code == 0, demo.err
    assert "3 个村" in demo.out and "4 个季度" in demo.out
    listed = run_zwgk("list", "--db", str(db), "--json", cwd=tmp_path)
    data = json.loads(listed.out)
    assert [v["code"] for v in data["villages"]] == ["donggang", "liushuwan", "shiqiao"]
    assert {i["category"] for i in data["items"]} == {"finance", "assistance", "bids", "notice", "assets", "resources",
                                                      "contracts", "debts", "distribution"}
    assert all(len(v["periods"]) == 4 for v in data["villages"])
    out = tmp_path / "公开栏.pdf"
    latest = data["villages"][1]["periods"][-1]
    rendered = run_zwgk("render", "--db", str(db), "--village", "柳树湾村", "--period", latest,
                        "-o", str(out), "--json", cwd=tmp_path)
    assert rendered.code == 0, rendered.err
    result = json.loads(rendered.out)
    assert result["sheets"] == len(pypdf.PdfReader(out).pages) > 4
    assert all(i["url"].endswith(f"{i['id']}.html?v={i['code']}") for i in result["items"])
    assert "草稿" in rendered.err  # the draft notice is flagged
    again = run_zwgk("demo", "--db", str(db), cwd=tmp_path)
    assert again.code == 0 and "无需重复装入" in again.out  # the README's command can run twice
    other = tmp_path / "other.sqlite3"
    assert run_zwgk("init", "--db", str(other), "--township", "红旗镇", "--village", "前进村", cwd=tmp_path).code == 0
    refused = run_zwgk("demo", "--db", str(other), cwd=tmp_path)
    assert refused.code == 2 and "空数据库" in refused.err
    no_traceback(refused)


def test_zwgk_db_environment_variable_is_the_default(tmp_path: Path) -> None:
    db = tmp_path / "env.sqlite3"
    env = {"ZWGK_DB": str(db)}
    assert run_zwgk("init", "--township", "青山镇", "--village", "东岗村", "--base-url", "https://a.example",
                    cwd=tmp_path, env=env).code == 0
    listed = run_zwgk("list", "--json", cwd=tmp_path, env=env)
    assert json.loads(listed.out)["villages"][0]["code"] == "donggang"


@pytest.fixture
def demo_cli(demo_copy: Path, tmp_path: Path) -> Path:
    return demo_copy


def render(db: Path, tmp_path: Path, *extra: str) -> tuple[Run, Path]:
    out = tmp_path / "out.pdf"
    run = run_zwgk("render", "--db", str(db), "--village", "donggang", "--period", "2026Q3", "-o", str(out),
                   *extra, cwd=tmp_path)
    no_traceback(run)
    return run, out


@pytest.mark.parametrize(("args", "message"), [
    (("--village", "西岗村"), "没有名为或代码为“西岗村”的村"),
    (("--period", "2024Q1"), "在 2024Q1 没有任何事项"),
    (("--period", "2026Q5"), "不是季度"),
    (("--item", "99999"), "没有编号为 99999 的事项"),
])
def test_unknown_names_exit_2(demo_cli: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = tmp_path / "out.pdf"
    base = {"--village": "donggang", "--period": "2026Q3"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    run = run_zwgk("render", "--db", str(demo_cli), "-o", str(out), *[x for kv in base.items() for x in kv],
                   cwd=tmp_path)
    assert run.code == 2 and message in run.err, run.err
    assert not out.exists()
    no_traceback(run)


def test_every_help_is_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    """`zwgk --help` and each command's: argparse's own English headings are said in Chinese."""
    from zwgk_desktop.cli import build_parser, main

    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert commands
    for command in [None, *commands]:
        with pytest.raises(SystemExit) as ended:
            main([command, "--help"] if command else ["--help"])
        shown = capsys.readouterr().out
        assert ended.value.code == 0 and shown.startswith("用法：zwgk"), command
        for english in ("usage:", "options:", "positional arguments:", "show this help message"):
            assert english not in shown, (command, english)


def test_usage_errors_exit_2_in_chinese(tmp_path: Path) -> None:
    run = run_zwgk("render", "--village", "x", cwd=tmp_path)
    assert run.code == 2 and "用法错误：缺少必须给出的参数：--period" in run.err
    missing = run_zwgk("list", "--db", str(tmp_path / "nope.sqlite3"), cwd=tmp_path)
    assert missing.code == 2 and "不存在" in missing.err and not (tmp_path / "nope.sqlite3").exists()
    for huge in (("export", "--item", "9" * 20, "-o", "x.xlsx"), ("search", "路灯", "--limit", "0")):
        told = run_zwgk(*huge, cwd=tmp_path)
        assert told.code == 2 and "应在 1 到" in told.err and "Traceback" not in told.err, told.err
    server = run_zwgk("list", "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/nodb", cwd=tmp_path)
    assert server.code == 2 and "连不上数据库服务器" in server.err and "secret" not in server.err, server.err


def test_a_village_code_already_printed_cannot_be_changed(demo_cli: Path, tmp_path: Path) -> None:
    changed = run_zwgk("init", "--db", str(demo_cli), "--village", "东岗村=east", cwd=tmp_path)
    assert changed.code == 2 and "donggang" in changed.err and "二维码" in changed.err
    same = run_zwgk("init", "--db", str(demo_cli), "--village", "东岗村=donggang", cwd=tmp_path)
    assert same.code == 0, same.err


def test_malformed_layout_exits_2_naming_file_and_key(demo_cli: Path, tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    shutil.copytree(standard_layouts_dir(), layouts)
    broken = layouts / "bids.toml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("[qr]\n", "[qr\n"), encoding="utf-8")
    run, out = render(demo_cli, tmp_path, "--layouts", str(layouts))
    assert run.code == 2 and str(broken) in run.err and "TOML 语法错误" in run.err
    broken.write_text(broken.read_text(encoding="utf-8").replace("[qr\n", "[qr]\n").replace(
        'align = "right"', 'align = "justify"', 1), encoding="utf-8")
    run, out = render(demo_cli, tmp_path, "--layouts", str(layouts))
    assert run.code == 2 and "columns[1].align" in run.err and "justify" in run.err, run.err
    assert not out.exists()


def tamper(db: Path, item_category: str, change) -> int:  # type: ignore[no-untyped-def]
    """Change a stored row behind the app's back, as a SQL tool or a damaged copy could."""
    connection = sqlite3.connect(db)
    with connection:
        item_id, = connection.execute(
            "SELECT i.id FROM disclosure_item i JOIN village v ON v.id = i.village_id "
            "WHERE v.code = 'donggang' AND i.period = '2026Q3' AND i.category = ?", (item_category,)).fetchone()
        change(connection, item_id)
    connection.close()
    return int(item_id)


def set_row_value(key: str, value: object, seq: int = 3):  # type: ignore[no-untyped-def]
    def change(connection: sqlite3.Connection, item_id: int) -> None:
        data, = connection.execute("SELECT data FROM item_row WHERE item_id = ? AND seq = ?", (item_id, seq)).fetchone()
        data = json.loads(data)
        data[key] = value(data[key]) if callable(value) else value
        connection.execute("UPDATE item_row SET data = ? WHERE item_id = ? AND seq = ?",
                           (json.dumps(data, ensure_ascii=False), item_id, seq))
    return change


def unbalance_first_expense(connection: sqlite3.Connection, item_id: int) -> None:
    """One 分 more on the first expense line: the quarter no longer balances."""
    for seq, data in connection.execute("SELECT seq, data FROM item_row WHERE item_id = ? ORDER BY seq", (item_id,)):
        data = json.loads(data)
        if data["expense"]:
            set_row_value("expense", data["expense"] + 1, seq)(connection, item_id)
            return


@pytest.mark.parametrize(("category", "change", "expected"), [
    ("assistance", set_row_value("id_number", lambda n: n[:17] + ("1" if n[17] != "1" else "2")),
     ["第3行", "身份证号", "校验码错误"]),
    ("assistance", set_row_value("monthly_amount", -5000), ["第3行", "月保障金额", "负数"]),
    ("assistance", set_row_value("monthly_amount", "八百元"), ["第3行", "月保障金额", "不是数字金额"]),
    ("finance", "unbalance", ["收支不平", "期末余额", "相差"]),
])
def test_bad_stored_data_is_not_printed(demo_cli: Path, tmp_path: Path, category: str, change,  # type: ignore[no-untyped-def]
                                        expected: list[str]) -> None:
    if change == "unbalance":
        change = unbalance_first_expense
    item_id = tamper(demo_cli, category, change)
    before = demo_cli.read_bytes()
    run, out = render(demo_cli, tmp_path, "--category", category)
    assert run.code == 2, run.err
    assert f"事项 {item_id}" in run.err
    for word in expected:
        assert word in run.err, run.err
    assert not out.exists() and not list(tmp_path.glob(".zwgk-*"))
    # Nothing in the database changed because of the refusal.
    assert demo_cli.read_bytes() == before


def test_init_with_a_bad_village_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    run = run_zwgk("init", "--db", str(db), "--township", "青山镇", "--village", "东岗村",
                   "--village", "西岗村=Bad Code!", cwd=tmp_path)
    assert run.code == 2 and "村代码“bad code!”无效" in run.err
    listed = run_zwgk("list", "--db", str(db), "--json", cwd=tmp_path)
    assert json.loads(listed.out)["villages"] == []
    bad_url = run_zwgk("init", "--db", str(db), "--township", "青山镇", "--base-url", "qingshan.example",
                       cwd=tmp_path)
    assert bad_url.code == 2 and "http://" in bad_url.err


def test_render_without_base_url_says_how_to_set_it(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    assert run_zwgk("init", "--db", str(db), "--township", "青山镇", "--village", "东岗村", cwd=tmp_path).code == 0
    run = run_zwgk("render", "--db", str(db), "--village", "东岗村", "--period", "2026Q3", "-o", "x.pdf",
                   cwd=tmp_path)
    assert run.code == 2 and "--base-url" in run.err


def test_installed_package_finds_its_layouts_and_font(tmp_path: Path) -> None:
    """After a normal (non-editable) install the formats and the font travel inside the package."""
    import subprocess
    import sys

    code = ("from zwgk_desktop import paths; print(paths.standard_layouts_dir()); print(paths.font_file()); "
            "from zwgk_desktop.render import site; print(len(site.stylesheet()))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    layouts, font, stylesheet = done.stdout.splitlines()
    layouts, font = Path(layouts), Path(font)
    assert int(stylesheet) > 1000  # the online copy's templates travel too
    # Every standard format and category file of the source tree, each category with both.
    source = sorted(p.name for p in (Path(__file__).parents[1] / "layouts").glob("*.toml"))
    assert sorted(p.name for p in layouts.glob("*.toml")) == source
    codes = {name.removesuffix(".category.toml") for name in source if name.endswith(".category.toml")}
    assert {"finance", "assets", "contracts", "debts", "distribution"} <= codes
    assert all(f"{c}.toml" in source for c in codes)
    assert font.is_file() and font.stat().st_size > 1_000_000
    assert (font.parent / "LICENSE-wqy-microhei.txt").is_file()


def test_reading_commands_never_change_the_file_they_read(demo_cli: Path, tmp_path: Path) -> None:
    """An auditor's copy stays byte for byte what it was: reading opens it read-only, so not even
    SQLite's journal mode is switched (and a copy on read-only media can be read at all)."""
    copy = tmp_path / "audit.sqlite3"
    source, target = sqlite3.connect(demo_cli), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.execute("PRAGMA journal_mode=DELETE")
    target.close()
    before = copy.read_bytes()
    for command in (("list",), ("verify",), ("search", "路灯"), ("status", "--period", "2026Q2")):
        done = run_zwgk(*command, "--db", str(copy), cwd=tmp_path)
        assert done.code == 0, (command, done.err)
    assert copy.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("audit")) == ["audit.sqlite3"]
    # Printing and the online copy add one thing only: when reviewed items first went out to the public.
    def content() -> list[str]:
        with sqlite3.connect(copy) as connection:
            return [line for line in connection.iterdump() if "first_public" not in line]
    kept = content()
    for command in (("render", "--village", "donggang", "--period", "2026Q2", "-o", str(tmp_path / "b.pdf")),
                    ("site", "-o", str(tmp_path / "site"))):
        done = run_zwgk(*command, "--db", str(copy), cwd=tmp_path)
        assert done.code == 0, (command, done.err)
    assert content() == kept
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    done = run_zwgk("list", "--db", str(empty), cwd=tmp_path)
    assert done.code == 2 and "zwgk init" in done.err and empty.read_bytes() == b""


def test_an_export_with_personal_numbers_says_so(demo_cli: Path, tmp_path: Path) -> None:
    listed = json.loads(run_zwgk("list", "--db", str(demo_cli), "--village", "donggang", "--period", "2026Q2",
                                 "--json", cwd=tmp_path).out)
    numbers = {i["category"]: i["id"] for i in listed["items"]}
    households = run_zwgk("export", "--db", str(demo_cli), "--item", str(numbers["assistance"]),
                          "-o", str(tmp_path / "h.xlsx"), cwd=tmp_path)
    assert households.code == 0 and "身份证号" in households.err and "不得张贴" in households.err
    notice = run_zwgk("export", "--db", str(demo_cli), "--item", str(numbers["notice"]),
                      "-o", str(tmp_path / "n.xlsx"), cwd=tmp_path)
    assert notice.code == 0 and "注意" not in notice.err


def test_the_same_file_imported_twice_is_a_warning(demo_cli: Path, tmp_path: Path) -> None:
    listed = json.loads(run_zwgk("list", "--db", str(demo_cli), "--village", "donggang", "--period", "2026Q3",
                                 "--json", cwd=tmp_path).out)
    notice = next(i["id"] for i in listed["items"] if i["category"] == "bids")
    sheet = tmp_path / "again.xlsx"
    assert run_zwgk("export", "--db", str(demo_cli), "--item", str(notice), "-o", str(sheet), cwd=tmp_path).code == 0
    again = run_zwgk("import", str(sheet), "--db", str(demo_cli), "--village", "donggang", "--period", "2026Q3",
                     "--category", "bids", cwd=tmp_path)
    assert again.code == 2 and "完全相同" in again.err and "导入了两次" in again.err, again.err
