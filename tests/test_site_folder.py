"""`zwgk site` writes and cleans up only inside its folder: generated trees of symbolic links (a
village's or quarter's folder, a page, a stale page, the manifest's own hostile names) never let
it write, replace or delete anything outside.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_archive import LAYOUTS, sessions

from zwgk_desktop.errors import BadInput
from zwgk_desktop.office import online as online_copy

TODAY = date(2026, 11, 22)
BASE = "https://qingshan.example/zwgk"
pytestmark = pytest.mark.skipif(not hasattr(Path, "symlink_to"), reason="no symbolic links here")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[tuple[Path, Path]]:
    """The demo township's database and its online copy, written once (each example copies it)."""
    folder = tmp_path_factory.mktemp("written")
    db = folder / "archive.sqlite3"
    shutil.copy(demo_db, db)
    with sessions(db)() as session:
        online_copy.write_site(session, LAYOUTS, folder / "www", BASE, today=TODAY)
    yield db, folder / "www"


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (not following links) by its bytes' hash."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


# Stale names a manifest may hold: one this program could have written, and hostile ones.
_STALE = st.sampled_from([
    "oldvillage/2026Q1/1.html", "oldvillage/2026Q1/1.pdf", "oldvillage/index.html",
    "donggang/2019Q1/1.html", "../outside/victim.html", "donggang/../../outside/victim.html",
    "/tmp/outside-victim.html", "donggang\\..\\..\\outside\\victim.html", "donggang/2026Q1/../../../x.json",
])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data(), linked_root=st.booleans(), stale=st.lists(_STALE, unique=True, max_size=4))
def test_links_in_the_site_folder_never_lead_the_export_outside(
        written: tuple[Path, Path], tmp_path: Path, data: st.DataObject, linked_root: bool,
        stale: list[str]) -> None:
    db, template = written
    case = tmp_path / f"case-{len(list(tmp_path.iterdir()))}"
    real = case / "real"
    shutil.copytree(template, real)
    outside = case / "outside"
    outside.mkdir()
    (outside / "victim.html").write_text("不是网上公开件", encoding="utf-8")
    folders = sorted(p.relative_to(real).as_posix() for p in real.rglob("*") if p.is_dir())
    files = sorted(p.relative_to(real).as_posix() for p in real.rglob("*") if p.is_file())
    # Folders and files of the site replaced by links to copies outside (a web host's shared tree).
    linked = []
    for name in data.draw(st.lists(st.sampled_from(folders), unique=True, max_size=2), label="linked folders"):
        if (real / name).is_dir() and not any(p.is_symlink() for p in (real / name, *(real / name).parents)):
            linked.append(name)
            target = outside / name.replace("/", "_")
            shutil.move(str(real / name), str(target))
            (real / name).symlink_to(target, target_is_directory=True)
    for name in data.draw(st.lists(st.sampled_from(files), unique=True, max_size=3), label="linked files"):
        if (real / name).is_file() and not any(p.is_symlink() for p in (real / name).parents):
            target = outside / ("file_" + name.replace("/", "_"))
            shutil.move(str(real / name), str(target))
            (real / name).symlink_to(target)
    # A village no longer in the archive whose folder is a link out: its pages are stale.
    old_village = outside / "oldvillage"
    (old_village / "2026Q1").mkdir(parents=True)
    for name in ("2026Q1/1.html", "2026Q1/1.pdf", "index.html"):
        (old_village / name).write_text("别处的文件", encoding="utf-8")
    (real / "oldvillage").symlink_to(old_village, target_is_directory=True)
    manifest = json.loads((real / online_copy.MANIFEST).read_text(encoding="utf-8"))
    manifest["files"].update({name: {"sha256": "0" * 64, "source": ""} for name in stale})
    (real / online_copy.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    site = real
    if linked_root:  # the folder given is itself a link (a web root linked into place): that is the site
        site = case / "www"
        site.symlink_to(real, target_is_directory=True)
    before = _snapshot(outside)
    with sessions(db)() as session:
        try:
            online_copy.write_site(session, LAYOUTS, site, BASE, today=TODAY)
        except BadInput as refused:
            assert "链接" in str(refused) and linked, refused
            assert _snapshot(outside) == before
            return
        assert not linked, "wrote through a linked folder"
        assert _snapshot(outside) == before, "a file outside the site folder was changed or removed"
        assert (outside / "victim.html").read_text(encoding="utf-8") == "不是网上公开件"
        assert (real / "oldvillage").is_symlink()  # not ours to remove, nor what it leads to
        _, problems = online_copy.check_site(session, LAYOUTS, site, BASE, today=TODAY)
    assert not problems, problems
    assert not any(p.is_symlink() for p in real.rglob("*") if p.name != "oldvillage")


def test_a_linked_village_folder_is_refused_with_its_name(written: tuple[Path, Path], tmp_path: Path) -> None:
    db, template = written
    site = tmp_path / "www"
    shutil.copytree(template, site)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(site / "donggang"), str(elsewhere))
    (site / "donggang").symlink_to(elsewhere, target_is_directory=True)
    before = _snapshot(elsewhere)
    with sessions(db)() as session, pytest.raises(BadInput) as refused:
        online_copy.write_site(session, LAYOUTS, site, BASE, today=TODAY)
    assert str(site / "donggang") in str(refused.value) and str(elsewhere) in str(refused.value)
    assert _snapshot(elsewhere) == before
    with sessions(db)() as session:
        _, problems = online_copy.check_site(session, LAYOUTS, site, BASE, today=TODAY)
    assert any("链接" in p.message for p in problems)


def test_a_linked_page_is_replaced_by_the_real_one_and_its_target_left_alone(
        written: tuple[Path, Path], tmp_path: Path) -> None:
    db, template = written
    site = tmp_path / "www"
    shutil.copytree(template, site)
    page = next(site.glob("donggang/2026Q1/*.html"))
    elsewhere = tmp_path / "page.html"
    elsewhere.write_text("别处的页面", encoding="utf-8")
    real = page.read_bytes()
    page.unlink()
    page.symlink_to(elsewhere)
    with sessions(db)() as session:
        _, problems = online_copy.check_site(session, LAYOUTS, site, BASE, today=TODAY)
        assert [p.where for p in problems] == [page.relative_to(site).as_posix()]
        result = online_copy.write_site(session, LAYOUTS, site, BASE, today=TODAY)
    assert result.written == [page.relative_to(site).as_posix()]
    assert not page.is_symlink() and page.read_bytes() == real
    assert elsewhere.read_text(encoding="utf-8") == "别处的页面"
