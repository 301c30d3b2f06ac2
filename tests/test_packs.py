"""Format packs: the township's formats reach every village unchanged, and a village cannot
quietly change them."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import run_zwgk
from free_text import personal_numbers
from hypothesis import given, settings
from hypothesis import strategies as st
from test_archive import sessions

from zwgk_desktop.db import store
from zwgk_desktop.errors import BadInput
from zwgk_desktop.paths import standard_layouts_dir


def township_formats(tmp_path: Path) -> Path:
    """The township's own edition of the formats: the finance title says 收支 明细 its way."""
    folder = tmp_path / "township-layouts"
    shutil.copytree(standard_layouts_dir(), folder)
    finance = folder / "finance.toml"
    text = finance.read_text(encoding="utf-8")
    finance.write_text(text.replace("季度财务收支公开", "季度财务收支明细公开"), encoding="utf-8")
    return folder


def render(db: Path, data: Path, out: Path, cwd: Path) -> bytes:
    done = run_zwgk("render", "--db", str(db), "--village", "donggang", "--period", "2026Q2", "--category",
                    "finance", "-o", str(out), cwd=cwd, env={"ZWGK_DATA_DIR": str(data)})
    assert done.code == 0, done.err
    return out.read_bytes()


def test_a_village_prints_exactly_the_townships_formats(demo_copy: Path, tmp_path: Path) -> None:
    pack = tmp_path / "青山镇统一格式.zwgkpack"
    made = run_zwgk("pack", "export", "--layouts", str(township_formats(tmp_path)), "-o", str(pack),
                    "--name", "青山镇统一格式", "--version", "2026.1", "--db", str(demo_copy), cwd=tmp_path)
    assert made.code == 0, made.err
    sheets = []
    for office in ("township", "village"):
        data = tmp_path / office
        done = run_zwgk("pack", "import", str(pack), cwd=tmp_path, env={"ZWGK_DATA_DIR": str(data)})
        assert done.code == 0 and "2026.1" in done.out, done.err
        db = tmp_path / f"{office}.sqlite3"
        shutil.copy(demo_copy, db)
        sheets.append(render(db, data, tmp_path / f"{office}.pdf", tmp_path))
    assert sheets[0] == sheets[1]  # byte for byte
    text = pypdf.PdfReader(tmp_path / "village.pdf").pages[0].extract_text()
    assert "财务收支明细公开" in text and "版式：青山镇统一格式 2026.1" in text
    shown = run_zwgk("pack", "show", cwd=tmp_path, env={"ZWGK_DATA_DIR": str(tmp_path / "village")})
    assert "青山镇统一格式 2026.1" in shown.out and "公开目录" in shown.out


def test_an_altered_pack_is_refused(demo_copy: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack.zwgkpack"
    assert run_zwgk("pack", "export", "--layouts", str(standard_layouts_dir()), "-o", str(pack), "--name", "统一格式",
                    "--version", "1", cwd=tmp_path).code == 0
    with zipfile.ZipFile(pack) as original:
        members = {name: original.read(name) for name in original.namelist()}
    members["finance.toml"] = members["finance.toml"].replace("财务收支".encode(), "财务".encode(), 1)
    altered = tmp_path / "altered.zwgkpack"
    with zipfile.ZipFile(altered, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    env = {"ZWGK_DATA_DIR": str(tmp_path / "village")}
    refused = run_zwgk("pack", "import", str(altered), cwd=tmp_path, env=env)
    assert refused.code == 2 and "finance.toml" in refused.err and "被改动" in refused.err
    assert not (tmp_path / "village" / "packs" / "current").exists()
    broken = tmp_path / "broken.zwgkpack"
    broken.write_bytes(pack.read_bytes()[:300])
    assert run_zwgk("pack", "import", str(broken), cwd=tmp_path, env=env).code == 2


def test_a_village_cannot_quietly_edit_a_standard_format(demo_copy: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack.zwgkpack"
    assert run_zwgk("pack", "export", "--layouts", str(standard_layouts_dir()), "-o", str(pack), "--name", "统一格式",
                    "--version", "1", cwd=tmp_path).code == 0
    data = tmp_path / "village"
    assert run_zwgk("pack", "import", str(pack), cwd=tmp_path, env={"ZWGK_DATA_DIR": str(data)}).code == 0
    installed = next(p for p in (data / "packs").iterdir() if p.is_dir())
    finance = installed / "finance.toml"
    edited = finance.read_text(encoding="utf-8").replace("财务收支公开", "财务公开")
    finance.write_text(edited, encoding="utf-8")
    done = run_zwgk("render", "--db", str(demo_copy), "--village", "donggang", "--period", "2026Q2", "-o",
                    str(tmp_path / "x.pdf"), cwd=tmp_path, env={"ZWGK_DATA_DIR": str(data)})
    assert done.code == 2 and "finance.toml" in done.err and "被改动" in done.err
    # Saved instead as a local variant, it is used, and every sheet says it is one.
    (installed / "local").mkdir()
    (installed / "local" / "finance.toml").write_text(edited, encoding="utf-8")
    shutil.copy(standard_layouts_dir() / "finance.toml", finance)
    sheet = render(demo_copy, data, tmp_path / "local.pdf", tmp_path)
    assert sheet
    text = pypdf.PdfReader(tmp_path / "local.pdf").pages[0].extract_text()
    assert "东岗村2026年第二季度财务公开" in text and "本地版式（非乡镇统一格式）" in text


def test_a_sealed_quarter_reprints_as_sealed_whatever_the_formats_now(demo_copy: Path, tmp_path: Path) -> None:
    """A new pack drops the 凭证号 column: a sealed item still reprints as sealed, so the codes on
    the wall, in the archive and online stay the same; an unsealed item takes the new format."""
    import json

    from test_archive import seal, sessions

    from zwgk_desktop.archive.browse import sealed_pdf
    from zwgk_desktop.render.correction import code_of

    seal(demo_copy, "donggang", "2026Q2")
    layouts = tmp_path / "v2"
    shutil.copytree(standard_layouts_dir(), layouts)
    finance = layouts / "finance.toml"
    blocks = finance.read_text(encoding="utf-8").split("[[columns]]")
    kept = [b for b in blocks if 'field = "voucher"' not in b]
    assert len(kept) == len(blocks) - 1
    finance.write_text("[[columns]]".join(kept), encoding="utf-8")

    def board(period: str) -> dict[str, Any]:
        done = run_zwgk("render", "--db", str(demo_copy), "--layouts", str(layouts), "--village", "donggang",
                        "--period", period, "-o", str(tmp_path / f"{period}.pdf"), "--json", cwd=tmp_path)
        assert done.code == 0, done.err
        return json.loads(done.out)

    printed = board("2026Q2")
    with sessions(demo_copy)() as session:
        for entry in printed["items"]:
            record = store.find_item(session, entry["id"], "donggang")
            assert entry["code"] == code_of(store.sealed_content(session, record.id) or "")
        first = store.find_item(session, printed["items"][0]["id"], "donggang")
        as_sealed = pypdf.PdfReader(io.BytesIO(sealed_pdf(session, first.id) or b""))
    reprint = pypdf.PdfReader(tmp_path / "2026Q2.pdf")
    assert len(reprint.pages) == printed["sheets"]
    assert reprint.pages[0].extract_text() == as_sealed.pages[0].extract_text()
    unsealed = board("2026Q3")  # not sealed: printed in the new format, without 凭证号
    reader = pypdf.PdfReader(tmp_path / "2026Q3.pdf")
    assert unsealed["sheets"] == len(reader.pages) and "凭证号" not in reader.pages[0].extract_text()


def test_a_pack_with_a_bad_catalogue_is_refused_naming_the_pack(tmp_path: Path) -> None:
    """Even with its checksums made to match: what the township could not have exported is not
    installed, and the message names the pack, not a temporary folder."""
    import hashlib

    from zwgk_desktop.render.packs import MANIFEST, export_pack, import_pack

    good = tmp_path / "good.zwgkpack"
    export_pack(standard_layouts_dir(), good, name="青山镇统一格式", version="2026.1", township="青山镇")
    crafted = tmp_path / "bad.zwgkpack"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(crafted, "w") as target:
        members = {name: source.read(name) for name in source.namelist()}
        members["catalogue.toml"] = members["catalogue.toml"].replace(b"working_days = 20", b"working_days = \"20\"", 1)
        members[MANIFEST] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in
                                    sorted(members.items()) if name != MANIFEST).encode("utf-8")
        for name, data in members.items():
            target.writestr(name, data)
    with pytest.raises(BadInput) as refused:
        import_pack(crafted, tmp_path / "installed")
    told = str(refused.value)
    assert "bad.zwgkpack" in told and "catalogue.toml" in told and "zwgk-pack-" not in told, told
    assert not (tmp_path / "installed").exists() or not any((tmp_path / "installed").iterdir())


# ---------------------------------------------------------------------------------------------
# Hostile packs: what the township's export would refuse is refused at import too, at once, in
# words, even with every checksum made to match.


def _crafted_pack(tmp_path: Path, change: Callable[[dict[str, bytes]], None], name: str = "crafted") -> Path:
    """The standard pack with `change` made to its members and its manifest recomputed."""
    import hashlib

    from zwgk_desktop.render.packs import MANIFEST, export_pack

    good = tmp_path / "good.zwgkpack"
    if not good.exists():
        export_pack(standard_layouts_dir(), good, name="青山镇统一格式", version="2026.1", township="青山镇")
    with zipfile.ZipFile(good) as source:
        members = {member: source.read(member) for member in source.namelist()}
    change(members)
    members[MANIFEST] = "".join(f"{hashlib.sha256(data).hexdigest()}  {member}\n" for member, data in
                                sorted(members.items()) if member != MANIFEST).encode("utf-8")
    crafted = tmp_path / f"{name}.zwgkpack"
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as target:
        for member, data in members.items():
            target.writestr(member, data)
    return crafted


def _replace(member: str, old: str, new: str) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        text = members[member].decode("utf-8")
        assert old in text
        members[member] = text.replace(old, new, 1).encode("utf-8")
    return change


def _pack_field(key: str, toml_value: str) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        lines = members["pack.toml"].decode("utf-8").splitlines()
        members["pack.toml"] = "\n".join(f"{key} = {toml_value}" if line.startswith(f"{key} =") else line
                                         for line in lines).encode("utf-8")
    return change


def _nested(member: str, toml: str) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        members[member] = members[member] + b"\n" + toml.encode("utf-8")
    return change


DEEP = 3000
HOSTILE_PACKS: dict[str, tuple[Callable[[dict[str, bytes]], None], tuple[str, ...]]] = {
    "title with a huge width": (_replace("finance.toml", 'pattern = "{village}', 'pattern = "{village!r:>100000000}'),
                                ("finance.toml", "title.pattern", "不能带转换")),
    "title reaching into attributes": (_replace("bids.toml", 'pattern = "{village}', 'pattern = "{village.__class__}'),
                                       ("bids.toml", "title.pattern", "属性或下标")),
    "footer with a format": (_replace("notice.toml", 'note = "', 'note = "{village:>99999999}'),
                             ("notice.toml", "footer.note", "花括号")),
    "footer of 30,000 characters": (_replace("notice.toml", 'note = "', 'note = "' + "很长" * 15_000),
                               ("notice.toml", "footer.note", "太长")),
    "header with a control character": (_replace("finance.toml", 'header = "日期"', 'header = "日\\u202e期"'),
                                        ("finance.toml", "columns[0].header", "控制字符")),
    "name with braces": (_pack_field("name", '"{village!r:>100000000}"'), ("pack.toml", "name", "花括号")),
    "name with a slash": (_pack_field("name", '"../../统一格式"'), ("pack.toml", "name", "/")),
    "name with a newline": (_pack_field("name", '"统一\\n格式"'), ("pack.toml", "name", "控制字符")),
    "name too long": (_pack_field("name", '"' + "名" * 5000 + '"'), ("pack.toml", "name", "太长")),
    "version empty": (_pack_field("version", '"  "'), ("pack.toml", "version", "不能为空")),
    "version a table": (_pack_field("version", "{ a = 1 }"), ("pack.toml", "version", "应为文字")),
    "pack.toml nested deep": (_pack_field("township", "[" * DEEP + "]" * DEEP), ("pack.toml", "嵌套过深")),
    "pack.toml nested by dotted keys": (_nested("pack.toml", "[x" + ".x" * DEEP + "]\n"), ("pack.toml", "嵌套过深")),
    "layout nested deep": (_nested("finance.toml", "deep = " + "{a=" * DEEP + "1" + "}" * DEEP),
                           ("finance.toml", "嵌套过深")),
    "catalogue nested deep": (_nested("catalogue.toml", "x = " + "[" * DEEP + "]" * DEEP),
                              ("catalogue.toml", "嵌套过深")),
    "a number of five thousand digits": (_replace("finance.toml", "size_mm = 34", "size_mm = " + "3" * 5000),
                                         ("finance.toml", "位数过多")),
    "a huge hex number": (_replace("finance.toml", "size_mm = 34", "size_mm = 0x" + "f" * 5000),
                          ("finance.toml", "qr.size_mm", "位数过多")),
}


@pytest.mark.parametrize("kind", list(HOSTILE_PACKS))
def test_a_hostile_pack_is_refused_at_once_in_words(tmp_path: Path, kind: str) -> None:
    import time

    from zwgk_desktop.render.packs import import_pack

    change, told = HOSTILE_PACKS[kind]
    crafted = _crafted_pack(tmp_path, change)
    started = time.process_time()  # CPU time: the machine is shared
    with pytest.raises(BadInput) as refused:
        import_pack(crafted, tmp_path / "installed")
    assert time.process_time() - started < 1
    message = str(refused.value)
    assert "crafted.zwgkpack" in message and all(words in message for words in told), message
    assert "zwgk-pack-" not in message and len(message) < 2000, message
    assert not (tmp_path / "installed").exists() or not any((tmp_path / "installed").iterdir())


def test_a_hostile_pack_is_refused_from_the_command_line(tmp_path: Path) -> None:
    crafted = _crafted_pack(tmp_path, HOSTILE_PACKS["title with a huge width"][0])
    env = {"ZWGK_DATA_DIR": str(tmp_path / "village")}
    done = run_zwgk("pack", "import", str(crafted), cwd=tmp_path, env=env)
    assert done.code == 2 and "title.pattern" in done.err and "Traceback" not in done.err, done.err
    assert not (tmp_path / "village" / "packs" / "current").exists()
    nested = _crafted_pack(tmp_path, HOSTILE_PACKS["layout nested deep"][0], "nested")
    done = run_zwgk("pack", "import", str(nested), cwd=tmp_path, env=env)
    assert done.code == 2 and "finance.toml" in done.err and "嵌套过深" in done.err, done.err


def test_export_refuses_what_import_would(tmp_path: Path) -> None:
    from zwgk_desktop.render.packs import export_pack

    folder = tmp_path / "layouts"
    shutil.copytree(standard_layouts_dir(), folder)
    for name in ("{village}", "a/b", "统一\n格式", "名" * 61, " "):
        with pytest.raises(BadInput, match="不合适"):
            export_pack(folder, tmp_path / "x.zwgkpack", name=name, version="1", township="青山镇")
    finance = folder / "finance.toml"
    finance.write_text(finance.read_text(encoding="utf-8").replace('pattern = "{village}', 'pattern = "{village:>9}'),
                       encoding="utf-8")
    with pytest.raises(BadInput, match=r"title\.pattern"):
        export_pack(folder, tmp_path / "x.zwgkpack", name="统一格式", version="1", township="青山镇")
    assert not (tmp_path / "x.zwgkpack").exists()


def test_a_pack_that_inflates_far_beyond_its_formats_is_refused(tmp_path: Path) -> None:
    """A pack member of 200 MB of spaces, one of a few megabytes, or a thousand members."""
    import time

    from zwgk_desktop.render.packs import import_pack

    def bomb(members: dict[str, bytes]) -> None:
        members["finance.toml"] += b" " * (200 << 20)

    def big(members: dict[str, bytes]) -> None:
        import os

        members["finance.toml"] += b"# " + os.urandom(1 << 20).hex().encode()

    def many(members: dict[str, bytes]) -> None:
        members.update({f"extra{n}.toml": b"" for n in range(1000)})

    for change, told in ((bomb, "finance.toml 压缩比异常"), (big, "finance.toml 解开后超过 128 KB"),
                         (many, "个文件，超过 200 个")):
        crafted = _crafted_pack(tmp_path, change)
        started = time.process_time()  # CPU time: the machine is shared
        with pytest.raises(BadInput, match=told):
            import_pack(crafted, tmp_path / "installed")
        assert time.process_time() - started < 1


# A format's fixed texts (footer notes, labels, headers, signatures) print on every sheet and page:
# a personal number there is refused when the pack is made, imported or loaded.

def _toml_string(text: str) -> str:
    """Any text as a TOML basic string: every character escaped, so controls and odd spaces survive."""
    return '"' + "".join(f"\\U{ord(c):08X}" for c in text) + '"'


# (the line of assistance.toml to replace, how to write the new value there, the key named)
FIXED_TEXTS = [
    ('note = "公示期内', lambda v: f"note = {v}", "footer.note"),
    ('label = "保障标准"', lambda v: f"label = {v}", "info[0].label"),
    ('header = "村民小组"', lambda v: f"header = {v}", "columns[0].header"),
    ('label = "合计"', lambda v: f"label = {v}", "totals.label"),
    ('signatures = [', lambda v: f'signatures = ["村务监督委员会", {v}]', "footer.signatures"),
    ('continued_mark = ', lambda v: f"continued_mark = {v}", "table.continued_mark"),
    ('label = "月保障金额合计（大写）"', lambda v: f"label = {v}", "summary[0].label"),
]


def _with_text(folder: Path, line_start: str, write: Any, value: str) -> Path:
    path = folder / "assistance.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(line_start))
    lines[index] = write(_toml_string(value))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FIXED_TEXTS), personal_numbers(), st.sampled_from(["如有异议请联系", "监督：", "", "户主 "]))
def test_a_fixed_text_holding_a_personal_number_is_refused_naming_file_and_key(
        place: tuple[str, Any, str], case: tuple[str, str], words: str) -> None:
    import tempfile

    from zwgk_desktop.render.layout import load_layout

    line_start, write, key = place
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shutil.copy(standard_layouts_dir() / "assistance.toml", folder)
        path = _with_text(folder, line_start, write, words + case[1])
        with pytest.raises(BadInput) as refused:
            load_layout(path)
    problems = refused.value.problems
    assert any(p.field.startswith(key) and "不得写入个人证件号" in p.message for p in problems), refused.value


def test_a_pack_whose_footer_holds_a_number_is_refused_at_export_and_at_import(tmp_path: Path) -> None:
    import hashlib

    from zwgk_desktop.render.packs import MANIFEST

    formats = tmp_path / "formats"
    shutil.copytree(standard_layouts_dir(), formats)
    _with_text(formats, 'note = "公示期内', lambda v: f"note = {v}", "有异议请拨打王主任手机 138\u202f1234\u202f5678")
    pack = tmp_path / "pack.zwgkpack"
    made = run_zwgk("pack", "export", "--layouts", str(formats), "-o", str(pack), "--name", "统一格式",
                    "--version", "1", cwd=tmp_path)
    assert made.code == 2 and "assistance.toml" in made.err and "footer.note" in made.err and "手机号" in made.err
    assert "Traceback" not in made.err and not pack.exists()
    # A pack made by hand (or by an older version) with the checksums to match: refused on import.
    good = tmp_path / "good.zwgkpack"
    assert run_zwgk("pack", "export", "--layouts", str(standard_layouts_dir()), "-o", str(good), "--name", "统一格式",
                    "--version", "1", cwd=tmp_path).code == 0
    with zipfile.ZipFile(good) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["assistance.toml"] = (formats / "assistance.toml").read_bytes()
    members[MANIFEST] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in
                                sorted(members.items()) if name != MANIFEST).encode("utf-8")
    with zipfile.ZipFile(pack, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    data = tmp_path / "village"
    refused = run_zwgk("pack", "import", str(pack), cwd=tmp_path, env={"ZWGK_DATA_DIR": str(data)})
    assert refused.code == 2 and "pack.zwgkpack" in refused.err and "assistance.toml" in refused.err
    assert "footer.note" in refused.err and "监督电话请在“设置”中填写" in refused.err
    assert "zwgk-pack-" not in refused.err
    assert not (data / "packs" / "current").exists()


def test_an_office_line_in_a_footer_and_the_supervision_phones_print_as_they_are(
        demo_copy: Path, tmp_path: Path) -> None:
    formats = tmp_path / "formats"
    shutil.copytree(standard_layouts_dir(), formats)
    note = "有异议请拨打镇民政办 0371 62340000 或 (0371)62341101"
    _with_text(formats, 'note = "公示期内', lambda v: f"note = {v}", note)
    with sessions(demo_copy)() as session, session.begin():
        village = store.find_village(session, "donggang")
        store.set_phone(village, "13812345678")  # the 监委会主任's mobile, put in Settings on purpose
    out = tmp_path / "board.pdf"
    done = run_zwgk("render", "--db", str(demo_copy), "--layouts", str(formats), "--village", "donggang",
                    "--period", "2026Q2", "--category", "assistance", "-o", str(out), cwd=tmp_path)
    assert done.code == 0, done.err
    text = pypdf.PdfReader(out).pages[0].extract_text()
    assert "0371 62340000" in text and "(0371)62341101" in text and "13812345678" in text


def test_a_pack_name_holding_a_number_is_refused(tmp_path: Path) -> None:
    """Refused when the pack is made, and when a pack made by hand carries it."""
    from zwgk_desktop.render.packs import export_pack, import_pack

    pack = tmp_path / "p.zwgkpack"
    with pytest.raises(BadInput, match="含有手机号"):
        export_pack(standard_layouts_dir(), pack, name="统一格式 138 1234 5678", version="1", township="青山镇")
    assert not pack.exists()
    crafted = _crafted_pack(tmp_path, _pack_field("name", '"统一格式 138 1234 5678"'))
    with pytest.raises(BadInput, match=r"pack\.toml.*name.*含有手机号"):
        import_pack(crafted, tmp_path / "installed")
