"""Photos of the posted board and vouchers (issue 18, parts 4 and 5), through the `zwgk` command a
clerk types: attached with their camera time, sealed with the quarter (seal format 5), verified,
carried in bundles, and published as copies without any metadata."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pictures import GPS_IFD, has_gps, heic_file, phone_photo, png_claiming
from PIL import Image, ImageCms

from zwgk_desktop.cli import main
from zwgk_desktop.io.pictures import PUBLIC_LONG_SIDE, picture_from_bytes, public_copy

METADATA = ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "photoshop", "comment")


def zwgk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    raw = sqlite3.connect(db)
    try:
        return raw.execute(sql, params).fetchall()
    finally:
        raw.close()


def behind_the_apps_back(db: Path, *statements: str) -> None:
    raw = sqlite3.connect(db)
    try:
        for statement in statements:
            raw.execute(statement)
        raw.commit()
    finally:
        raw.close()


def assert_bare(path: Path) -> None:
    """No EXIF (GPS among it), no ICC profile, no XMP: checked with Pillow as the brief says."""
    with Image.open(path) as image:
        assert not image.getexif(), path
        assert not any(key in image.info for key in METADATA), (path, image.info.keys())


def a_quarter_with_items(db: Path) -> tuple[str, str]:
    """A village and a quarter of the demo whose items are all reviewed (looked up, not assumed)."""
    found = rows(db, "SELECT v.code, i.period FROM disclosure_item i JOIN village v ON v.id = i.village_id "
                     "GROUP BY v.code, i.period HAVING sum(i.status != 'reviewed') = 0 ORDER BY i.period DESC, v.id")
    code, period = found[0]
    return str(code), str(period)


def still_posted(db: Path, village: str, period: str) -> None:
    """The quarter's lists still on the board (their 公示期 not over), so the online copy shows its photos."""
    behind_the_apps_back(db, f"UPDATE disclosure_item SET publicity_end = '2099-12-31' WHERE period = '{period}' "
                             f"AND village_id = (SELECT id FROM village WHERE code = '{village}')")


def test_a_photo_with_gps_is_attached_sealed_verified_and_published_bare(
        capsys: pytest.CaptureFixture[str], demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    still_posted(demo_copy, village, period)
    photo = phone_photo(tmp_path / "IMG_20261012_093000.jpg")
    original = photo.read_bytes()
    assert has_gps(original)
    code, out, err = zwgk(capsys, "photo", "add", "--db", db, "--village", village, "--period", period, str(photo))
    assert code == 0, err
    assert "IMG_20261012_093000.jpg" in out and "2026-10-12 09:30" in out
    assert "时钟" in err  # a camera clock is no proof on its own, said at once
    stored = rows(demo_copy, "SELECT data, taken_at, seal_id FROM attachment")
    assert stored == [(original, "2026-10-12T09:30:00", None)]  # the bytes as given, GPS and all

    code, out, err = zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")
    assert code == 0, err
    assert "1 张照片" in out
    ((fmt, listed),) = rows(demo_copy, "SELECT format, attachments FROM seal WHERE kind = 'quarter'")
    assert fmt == 5 and json.loads(str(listed))[0]["sha256"] == rows(demo_copy, "SELECT sha256 FROM attachment")[0][0]
    assert zwgk(capsys, "verify", "--db", db)[0] == 0

    # The online copy: the quarter's page shows the photo, upright, shrunk, with no metadata at all.
    site = tmp_path / "site"
    code, _, err = zwgk(capsys, "site", "--db", db, "-o", str(site), "--base-url", "https://qingshan.example/zwgk")
    assert code == 0, err
    (published,) = (site / village / period / "photos").iterdir()
    assert_bare(published)
    with Image.open(published) as image:
        assert image.size == (480, 640)  # orientation 6: the phone was held upright
        assert image.getpixel((image.width - 5, 5))[0] > 200  # the white corner went to the top right
    page = (site / village / period / "index.html").read_text(encoding="utf-8")
    assert f"photos/{published.name}" in page and "不能证明" in page

    # The stored photo altered behind the app's back: verify fails, naming it.
    behind_the_apps_back(demo_copy, "DROP TRIGGER attachment_sealed_update",
                         "UPDATE attachment SET data = substr(data, 1, length(data) - 10)")
    code, out, err = zwgk(capsys, "verify", "--db", db)
    assert code == 1
    assert "IMG_20261012_093000.jpg" in out + err and "被改动" in out + err


def test_a_photo_gone_from_the_archive_is_named(capsys: pytest.CaptureFixture[str], demo_copy: Path,
                                                tmp_path: Path) -> None:
    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    photo = phone_photo(tmp_path / "board.jpg")
    assert zwgk(capsys, "photo", "add", "--db", db, "--village", village, "--period", period, str(photo))[0] == 0
    assert zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")[0] == 0
    with pytest.raises(sqlite3.IntegrityError):  # the database itself refuses
        behind_the_apps_back(demo_copy, "DELETE FROM attachment")
    behind_the_apps_back(demo_copy, "DROP TRIGGER attachment_sealed_delete", "DELETE FROM attachment")
    code, out, err = zwgk(capsys, "verify", "--db", db)
    assert code == 1 and "“board.jpg”缺失" in out + err


def test_a_photo_added_after_sealing_is_sealed_as_the_next_link(capsys: pytest.CaptureFixture[str],
                                                                demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    assert zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")[0] == 0
    # Sealed without photos: format 5 (its objections too), listing no photo.
    assert rows(demo_copy, "SELECT DISTINCT format FROM seal") == [(5,)]
    assert rows(demo_copy, "SELECT count(*) FROM seal WHERE attachments IS NOT NULL") == [(0,)]
    code, out, _ = zwgk(capsys, "photo", "add", "--db", db, "--village", village, "--period", period,
                        str(phone_photo(tmp_path / "late.jpg")))
    assert code == 0 and "下一个封存" in out
    assert zwgk(capsys, "verify", "--db", db)[0] == 0  # waiting for its seal is not damage
    code, out, err = zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")
    assert code == 0, err
    assert "补充的 1 张" in out
    assert rows(demo_copy, "SELECT kind, format FROM seal ORDER BY id")[-2:] == [("quarter", 5), ("attachment", 5)]
    assert zwgk(capsys, "verify", "--db", db)[0] == 0
    code, out, _ = zwgk(capsys, "photo", "list", "--db", db, "--json")
    assert [(a["name"], a["sealed"]) for a in json.loads(out)] == [("late.jpg", True)]
    # Nothing left to seal.
    assert zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")[0] == 2


def test_a_format_4_seal_given_attachments_afterwards_is_caught(capsys: pytest.CaptureFixture[str],
                                                                demo_copy: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from zwgk_desktop.archive import seal as seal_module

    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    monkeypatch.setattr(seal_module, "SEAL_FORMAT", 4)  # sealed as the program before photos did
    assert zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")[0] == 0
    behind_the_apps_back(demo_copy, "DROP TRIGGER seal_append_only_update",
                         "UPDATE seal SET attachments = '[]' WHERE kind = 'quarter'")
    code, out, err = zwgk(capsys, "verify", "--db", db)
    assert code == 1 and "旧格式的封存不应含有照片或凭证" in out + err


@pytest.mark.parametrize("make, said", [
    (lambda p: (p.write_text("不是图片", encoding="utf-8"), p)[1], "不是本程序认识的图片"),
    (lambda p: (p.write_bytes(phone_photo(p).read_bytes()[:1500]), p)[1], "不完整或已损坏"),
    (heic_file, "HEIC"),
    (lambda p: png_claiming(p, 40_000, 40_000), "像素"),
    (lambda p: (p.write_bytes(b""), p)[1], "空文件"),
])
def test_bad_files_are_refused_in_words_naming_them_and_nothing_is_kept(
        capsys: pytest.CaptureFixture[str], demo_copy: Path, tmp_path: Path, make, said: str) -> None:  # type: ignore[no-untyped-def]
    village, period = a_quarter_with_items(demo_copy)
    good = phone_photo(tmp_path / "good.jpg")
    bad = make(tmp_path / "IMG_BAD.jpg")
    code, _, err = zwgk(capsys, "photo", "add", "--db", str(demo_copy), "--village", village, "--period", period,
                        str(good), str(bad))
    assert code == 2
    assert "IMG_BAD.jpg" in err and said in err and "Traceback" not in err
    assert rows(demo_copy, "SELECT count(*) FROM attachment") == [(0,)]  # the good one neither


def test_the_same_photo_twice_is_refused(capsys: pytest.CaptureFixture[str], demo_copy: Path, tmp_path: Path) -> None:
    village, period = a_quarter_with_items(demo_copy)
    photo = str(phone_photo(tmp_path / "a.jpg"))
    assert zwgk(capsys, "photo", "add", "--db", str(demo_copy), "--village", village, "--period", period, photo)[0] == 0
    code, _, err = zwgk(capsys, "photo", "add", "--db", str(demo_copy), "--village", village, "--period", period, photo)
    assert code == 2 and "已经添加过" in err
    assert rows(demo_copy, "SELECT count(*) FROM attachment") == [(1,)]


def test_vouchers_are_private_by_default_sealed_and_checked(capsys: pytest.CaptureFixture[str], demo_copy: Path,
                                                            tmp_path: Path) -> None:
    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    items = ("SELECT coalesce(i.number, i.id), (SELECT count(*) FROM item_row r WHERE r.item_id = i.id) "
             "FROM disclosure_item i JOIN village v ON v.id = i.village_id WHERE v.code = ? AND i.period = ? ")
    ((finance, rows_held),) = rows(demo_copy, items + "AND i.category = 'finance' AND i.month IS NULL", village, period)
    ((other, _),) = rows(demo_copy, items + "AND i.category != 'finance' LIMIT 1", village, period)
    invoice = phone_photo(tmp_path / "发票.jpg", orientation=1)
    pdf = tmp_path / "凭证.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    code, out, err = zwgk(capsys, "voucher", "add", "--db", db, "--village", village, "--item", str(finance),
                          "--row", "2", str(invoice), str(pdf))
    assert code == 0, err
    code, _, err = zwgk(capsys, "voucher", "add", "--db", db, "--village", village, "--item", str(finance),
                        "--row", str(int(rows_held) + 1), str(invoice))  # type: ignore[call-overload]
    assert code == 2 and f"没有第 {int(rows_held) + 1} 行" in err  # type: ignore[call-overload]
    code, _, err = zwgk(capsys, "voucher", "add", "--db", db, "--village", village, "--item", str(other),
                        "--row", "1", str(invoice))
    assert code == 2 and "不能附凭证" in err
    code, out, _ = zwgk(capsys, "voucher", "list", "--db", db, "--json")
    listed = {(v["name"], v["row"], v["public"]) for v in json.loads(out)}
    assert listed == {("发票.jpg", 2, False), ("凭证.pdf", 2, False)}
    assert zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")[0] == 0
    assert zwgk(capsys, "verify", "--db", db)[0] == 0
    site = tmp_path / "site"
    assert zwgk(capsys, "site", "--db", db, "-o", str(site), "--base-url", "https://qingshan.example/zwgk")[0] == 0
    assert not (site / village / period / "photos").exists()  # private: never online
    behind_the_apps_back(demo_copy, "DROP TRIGGER attachment_sealed_update",
                         "UPDATE attachment SET data = x'00' WHERE name = '凭证.pdf'")
    code, out, err = zwgk(capsys, "verify", "--db", db)
    assert code == 1 and f"凭证“凭证.pdf”（事项 {finance} 第 2 行）被改动" in out + err


def test_a_bundle_carries_the_photos_and_refuses_an_altered_one(capsys: pytest.CaptureFixture[str], demo_copy: Path,
                                                                tmp_path: Path) -> None:
    import zipfile

    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    photos = [str(phone_photo(tmp_path / f"p{n}.jpg", colour=colour)) for n, colour in enumerate(("red", "green"))]
    assert zwgk(capsys, "photo", "add", "--db", db, "--village", village, "--period", period, *photos)[0] == 0
    assert zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")[0] == 0
    bundle = tmp_path / "v.zwgk"
    assert zwgk(capsys, "bundle", "export", "--db", db, "--village", village, "-o", str(bundle))[0] == 0
    with zipfile.ZipFile(bundle) as bag:
        carried = [i for i in bag.infolist() if i.filename.startswith("data/attachments/")]
        assert len(carried) == 2 and all(i.compress_type == zipfile.ZIP_STORED for i in carried)
    township = tmp_path / "township.sqlite3"
    assert zwgk(capsys, "init", "--db", str(township), "--township", "青山镇")[0] == 0
    code, out, _ = zwgk(capsys, "key", "show", "--db", db, "--village", village, "--json")
    fingerprint = json.loads(out)["fingerprint"]
    trust = ("--trust-fingerprint", fingerprint, "--confirmed-by", "乡镇经管站")
    # One photo's bytes changed and the manifest recomputed: the seal's list still catches it.
    forged = tmp_path / "forged.zwgk"
    with zipfile.ZipFile(bundle) as bag, zipfile.ZipFile(forged, "w") as out_bag:
        import hashlib
        members = {i.filename: bag.read(i) for i in bag.infolist()}
        target = carried[0].filename
        members[target] = members[target][:-3] + b"\xff\xd9\x00"
        manifest = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(members.items())
                           if n.startswith("data/"))
        members["manifest-sha256.txt"] = manifest.encode()
        tags = "".join(f"{hashlib.sha256(members[n]).hexdigest()}  {n}\n"
                       for n in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"))
        members["tagmanifest-sha256.txt"] = tags.encode()
        for name, data in members.items():
            out_bag.writestr(name, data)
    code, out, err = zwgk(capsys, "bundle", "import", "--db", str(township), str(forged), *trust)
    assert code == 2 and "缺失或被改动" in err and "公开栏照片“p" in err
    assert rows(township, "SELECT count(*) FROM attachment") == [(0,)]
    code, out, err = zwgk(capsys, "bundle", "import", "--db", str(township), str(bundle), *trust)
    assert code == 0, err
    assert sorted(rows(township, "SELECT name, data FROM attachment")) == sorted(
        rows(demo_copy, "SELECT name, data FROM attachment"))
    assert zwgk(capsys, "verify", "--db", str(township))[0] == 0


_MODES = st.sampled_from(["RGB", "RGBA", "L", "P", "CMYK", "LA"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=_MODES, orientation=st.integers(1, 8), width=st.integers(1, 2400), height=st.integers(1, 400),
       with_icc=st.booleans(), xmp=st.booleans(), fmt=st.sampled_from(["JPEG", "PNG"]))
def test_a_public_copy_never_carries_metadata_and_stands_upright(mode: str, orientation: int, width: int, height: int,
                                                                 with_icc: bool, xmp: bool, fmt: str) -> None:
    if fmt == "JPEG" and mode in ("RGBA", "P", "LA"):
        mode = "RGB"  # what JPEG cannot hold
    if fmt == "PNG" and mode == "CMYK":
        mode = "RGBA"
    image = Image.new(mode, (width, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.5)}
    extra: dict[str, object] = {"exif": exif}
    if with_icc and mode in ("RGB", "RGBA"):
        extra["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if xmp and fmt == "JPEG":
        extra["xmp"] = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><gps>30.25N</gps></x:xmpmeta>'
    out = io.BytesIO()
    image.save(out, fmt, **extra)
    picture = picture_from_bytes("x", out.getvalue())
    copy = public_copy(picture.data)
    with Image.open(io.BytesIO(copy)) as made:
        assert made.format == "JPEG"
        assert not made.getexif() and not any(key in made.info for key in METADATA)
        turned = orientation in (5, 6, 7, 8)
        long_side = max(width, height)
        scale = min(1.0, PUBLIC_LONG_SIDE / long_side)
        expected = (height, width) if turned else (width, height)
        assert max(made.size) <= PUBLIC_LONG_SIDE
        assert abs(made.size[0] - expected[0] * scale) <= 1.5 and abs(made.size[1] - expected[1] * scale) <= 1.5


@settings(max_examples=30, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0)))
def test_the_camera_time_is_read_as_written(moment: datetime, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = phone_photo(tmp_path_factory.mktemp("t") / "t.jpg", taken=moment.strftime("%Y:%m:%d %H:%M:%S"),
                       size=(8, 8))
    assert picture_from_bytes("t.jpg", path.read_bytes()).taken_at == moment.isoformat()


def test_vouchers_go_online_where_the_category_file_says_so(capsys: pytest.CaptureFixture[str], demo_copy: Path,
                                                            tmp_path: Path) -> None:
    import shutil

    layouts = tmp_path / "layouts"
    shutil.copytree(Path(__file__).resolve().parent.parent / "layouts", layouts)
    finance_file = layouts / "finance.category.toml"
    text = finance_file.read_text(encoding="utf-8")
    finance_file.write_text(text.replace("min_rows = 1\n", "min_rows = 1\nvouchers_public = true\n", 1),
                            encoding="utf-8")
    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    still_posted(demo_copy, village, period)
    ((finance,),) = rows(demo_copy, "SELECT coalesce(i.number, i.id) FROM disclosure_item i JOIN village v "
                                    "ON v.id = i.village_id WHERE v.code = ? AND i.period = ? "
                                    "AND i.category = 'finance' AND i.month IS NULL", village, period)
    invoice = phone_photo(tmp_path / "发票.jpg", orientation=8, size=(300, 200))
    code, out, err = zwgk(capsys, "voucher", "add", "--db", db, "--layouts", str(layouts), "--village", village,
                          "--item", str(finance), "--row", "1", str(invoice), "--json")
    assert code == 0, err
    assert [v["public"] for v in json.loads(out)["added"]] == [True]
    site = tmp_path / "site"
    code, _, err = zwgk(capsys, "site", "--db", db, "--layouts", str(layouts), "-o", str(site),
                        "--base-url", "https://qingshan.example/zwgk")
    assert code == 0, err
    (published,) = (site / village / period / "photos").iterdir()
    assert_bare(published)
    with Image.open(published) as image:
        assert image.size == (200, 300)  # orientation 8: turned upright too
    assert f"凭证：事项 {finance} 第 1 行" in (site / village / period / "index.html").read_text(encoding="utf-8")
    # With the shipped formats the same voucher is private: the next export takes it down.
    code, _, err = zwgk(capsys, "site", "--db", db, "-o", str(site), "--base-url", "https://qingshan.example/zwgk")
    assert code == 0, err
    assert not list((site / village / period / "photos").glob("*.jpg"))


def test_migration_0016_upgrades_an_archive_of_0015(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from zwgk_desktop.archive.protection import SQLITE_TRIGGERS
    from zwgk_desktop.db import migrate
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.errors import BadInput
    from zwgk_desktop.office.demo import load_demo

    path = tmp_path / "old.sqlite3"
    engine = open_engine(str(path), create=True)
    migrate.upgrade(engine, "0015")  # objections, before photos and vouchers
    assert "attachment" not in inspect(engine).get_table_names()
    with session_factory(engine)() as session, session.begin():
        load_demo(session)  # the demo seals nothing: it fits the old schema
    with pytest.raises(BadInput, match="升级"):
        migrate.require_current(engine)
    migrate.upgrade(engine)
    migrate.require_current(engine)
    assert inspect(engine).get_columns("seal")[-1]["name"] == "attachments"
    triggers = {name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                               "AND tbl_name = 'attachment'")}
    assert triggers == set(SQLITE_TRIGGERS["attachment"])
    migrate.upgrade(engine)  # again: nothing to do
    engine.dispose()
    village, period = a_quarter_with_items(path)
    assert zwgk(capsys, "photo", "add", "--db", str(path), "--village", village, "--period", period,
                str(phone_photo(tmp_path / "p.jpg")))[0] == 0
    assert zwgk(capsys, "seal", "--db", str(path), "--village", village, "--period", period, "--by", "王文书")[0] == 0
    assert zwgk(capsys, "verify", "--db", str(path))[0] == 0


def test_the_database_itself_refuses_to_change_a_sealed_photo(capsys: pytest.CaptureFixture[str], demo_any: str,
                                                              tmp_path: Path) -> None:
    """On both backends (SQLite triggers; PostgreSQL's PL/pgSQL trigger), whoever sends the SQL."""
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from zwgk_desktop.db.engine import open_engine

    engine = open_engine(demo_any)
    with engine.connect() as connection:
        found = connection.execute(text(
            "SELECT v.code, i.period FROM disclosure_item i JOIN village v ON v.id = i.village_id "
            "GROUP BY v.code, i.period HAVING sum(CASE WHEN i.status = 'reviewed' THEN 0 ELSE 1 END) = 0 "
            "ORDER BY i.period DESC, v.code")).first()
    assert found is not None
    village, period = found
    early, late = phone_photo(tmp_path / "early.jpg"), phone_photo(tmp_path / "late.jpg", colour="olive")
    assert zwgk(capsys, "photo", "add", "--db", demo_any, "--village", village, "--period", period, str(early))[0] == 0
    with engine.begin() as connection:  # not sealed yet: it may still be taken back
        connection.execute(text("UPDATE attachment SET name = 'early-1.jpg'"))
    assert zwgk(capsys, "seal", "--db", demo_any, "--village", village, "--period", period, "--by", "王文书")[0] == 0
    assert zwgk(capsys, "photo", "add", "--db", demo_any, "--village", village, "--period", period, str(late))[0] == 0
    for statement in ("UPDATE attachment SET data = :junk WHERE seal_id IS NOT NULL",
                      "DELETE FROM attachment WHERE seal_id IS NOT NULL"):
        with pytest.raises(DatabaseError, match="sealed"), engine.begin() as connection:
            connection.execute(text(statement), {"junk": b"x"})
    with engine.begin() as connection:  # the one waiting for its seal may be taken back
        assert connection.execute(text("DELETE FROM attachment WHERE seal_id IS NULL")).rowcount == 1
    engine.dispose()
    _, out, _ = zwgk(capsys, "photo", "list", "--db", demo_any, "--json")
    assert [(a["name"], a["sealed"]) for a in json.loads(out)] == [("early-1.jpg", True)]
    assert zwgk(capsys, "verify", "--db", demo_any)[0] == 0


def test_a_months_board_is_photographed_for_its_quarter(capsys: pytest.CaptureFixture[str], demo_copy: Path,
                                                        tmp_path: Path) -> None:
    code, out, err = zwgk(capsys, "photo", "add", "--db", str(demo_copy), "--village", "donggang",
                          "--period", "2026-08", str(phone_photo(tmp_path / "august.jpg")), "--json")
    assert code == 0, err
    assert [a["period"] for a in json.loads(out)["added"]] == ["2026Q3"]
    _, out, _ = zwgk(capsys, "photo", "list", "--db", str(demo_copy), "--period", "2026-07", "--json")
    assert [a["name"] for a in json.loads(out)] == ["august.jpg"]
    code, _, err = zwgk(capsys, "photo", "add", "--db", str(demo_copy), "--village", "nowhere",
                        "--period", "2026Q3", str(tmp_path / "august.jpg"))
    assert code == 2 and "nowhere" in err


@pytest.mark.slow
def test_a_quarter_of_twenty_phone_photos_of_5_to_8_mb_travels_in_a_bundle(
        capsys: pytest.CaptureFixture[str], demo_copy: Path, tmp_path: Path) -> None:
    """The bundle limits are sized for photos: 20 photos of 5–8 MB each (noise does not compress,
    as a phone's detail does not) go out and come in, every byte kept."""
    import zipfile

    noise = Image.merge("RGB", (Image.effect_noise((4000, 3000), 90), Image.effect_noise((4000, 3000), 60),
                                Image.effect_noise((4000, 3000), 75)))
    photos = []
    for n in range(20):
        path = tmp_path / f"IMG_{n:02d}.jpg"
        (noise.rotate(n * 0.5) if n else noise).save(path, quality=65 + (n % 4) * 4)
        photos.append(str(path))
    sizes = [Path(p).stat().st_size for p in photos]
    assert min(sizes) > 4.5e6 and max(sizes) < 8.5e6, sizes
    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    assert zwgk(capsys, "photo", "add", "--db", db, "--village", village, "--period", period, *photos)[0] == 0
    assert zwgk(capsys, "seal", "--db", db, "--village", village, "--period", period, "--by", "王文书")[0] == 0
    bundle = tmp_path / "v.zwgk"
    assert zwgk(capsys, "bundle", "export", "--db", db, "--village", village, "-o", str(bundle))[0] == 0
    with zipfile.ZipFile(bundle) as bag:
        assert sum(i.file_size for i in bag.infolist() if i.filename.startswith("data/attachments/")) == sum(sizes)
    township = tmp_path / "township.sqlite3"
    assert zwgk(capsys, "init", "--db", str(township), "--township", "青山镇")[0] == 0
    _, out, _ = zwgk(capsys, "key", "show", "--db", db, "--village", village, "--json")
    code, _, err = zwgk(capsys, "bundle", "import", "--db", str(township), str(bundle), "--trust-fingerprint",
                        json.loads(out)["fingerprint"], "--confirmed-by", "乡镇经管站")
    assert code == 0, err
    assert rows(township, "SELECT count(*), sum(size) FROM attachment") == [(20, sum(sizes))]


def test_a_draft_deleted_takes_its_vouchers_with_it(capsys: pytest.CaptureFixture[str], demo_copy: Path,
                                                    tmp_path: Path) -> None:
    db = str(demo_copy)
    code, out, err = zwgk(capsys, "new", "--db", db, "--village", "donggang", "--period", "2026Q3",
                          "--category", "finance", "--json")
    assert code == 0, err
    number = str(json.loads(out)["item"])
    assert zwgk(capsys, "edit", "--db", db, "--village", "donggang", "--item", number, "--add-rows", "1")[0] == 0
    assert zwgk(capsys, "voucher", "add", "--db", db, "--village", "donggang", "--item", number, "--row", "1",
                str(phone_photo(tmp_path / "发票.jpg")))[0] == 0
    code, _, err = zwgk(capsys, "delete", "--db", db, "--village", "donggang", "--item", number)
    assert code == 0, err
    assert rows(demo_copy, "SELECT count(*) FROM attachment") == [(0,)]


def test_a_quarters_photos_go_offline_with_its_lists(capsys: pytest.CaptureFixture[str], demo_copy: Path,
                                                     tmp_path: Path) -> None:
    """A photo of the board shows the 低保 list: when the list's 公示期 is over and the online copy
    takes it down, the quarter's photos go down too (the archive keeps them)."""
    db = str(demo_copy)
    village, period = a_quarter_with_items(demo_copy)
    site = tmp_path / "site"
    url = ("--base-url", "https://qingshan.example/zwgk")
    assert zwgk(capsys, "photo", "add", "--db", db, "--village", village, "--period", period,
                str(phone_photo(tmp_path / "board.jpg")))[0] == 0
    still_posted(demo_copy, village, period)
    assert zwgk(capsys, "site", "--db", db, "-o", str(site), *url)[0] == 0
    assert len(list((site / village / period / "photos").glob("*.jpg"))) == 1
    behind_the_apps_back(demo_copy, "UPDATE disclosure_item SET publicity_end = '2026-01-31' WHERE category = "
                                    f"'assistance' AND period = '{period}'")
    code, _, err = zwgk(capsys, "site", "--db", db, "-o", str(site), *url)
    assert code == 0, err
    assert not list((site / village / period / "photos").glob("*.jpg"))
    assert "一并撤下" in (site / village / period / "index.html").read_text(encoding="utf-8")
    assert rows(demo_copy, "SELECT count(*) FROM attachment") == [(1,)]
