"""Every name or text typed outside an item passes the one entry check (issue 15, fixc 2).

`zwgk seal --by "李😀"` was accepted while `review --reviewer` refused the same name: 封存人, a
key change's 经办人 and reason, who confirmed a fingerprint (zwgk key trust, bundle import's
--confirmed-by), a correction's reason and 经办人 now go through `domain.items.entered`, the
check of an item's fields (invisible characters, the fonts, length). Each path is tried with one
character of each kind the check refuses, through the office functions the CLI and the app call;
nothing is stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from test_keys import chain, signed  # noqa: F401  (the fixture: 东岗村 with two quarters sealed)

from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput
from zwgk_desktop.office import items, sealing, township
from zwgk_desktop.office import keys as office_keys
from zwgk_desktop.office.handle import Archive

# An emoji, an Extension C ideograph, a zero-width space, an unassigned code point, U+3164 (a
# Hangul filler that prints blank).
REFUSED = ["😀", "\U0002A700", "\u200b", "\U0003FFFD", "\u3164"]


@pytest.mark.parametrize("char", REFUSED)
def test_every_name_typed_outside_an_item_passes_the_one_check(signed: Path, char: str) -> None:  # noqa: F811
    with sqlite3.connect(signed) as db:
        (sealed_id,) = db.execute("SELECT item_id FROM sealed_item ORDER BY item_id LIMIT 1").fetchone()
    before = len(chain(signed))
    name = f"李{char}明"
    fingerprint = "0" * 16
    archive = Archive.open(signed)
    try:
        paths: dict[str, Callable[[], object]] = {
            "seal --by": lambda: sealing.seal(archive, "donggang", Quarter.parse("2025Q4"), name),
            "key replace --by": lambda: office_keys.replace_key(archive, "donggang", "换新电脑", name),
            "key replace --reason": lambda: office_keys.replace_key(archive, "donggang", f"换{char}电脑", "王德明"),
            "key lost --reason": lambda: office_keys.declare_lost(archive, "donggang", f"硬盘{char}损坏", "王德明"),
            "key trust --confirmed-by": lambda: office_keys.trust_key(archive, "donggang", fingerprint, name),
            "bundle import --confirmed-by": lambda: township.import_village_bundle(
                archive, signed.with_name("none.zwgk"), trust=[fingerprint], confirmed_by=name),
            "correct --reason": lambda: items.start_correction(archive, sealed_id, f"第2户{char}金额有误"),
            "correct --by": lambda: items.start_correction(archive, sealed_id, "第2户金额有误", name),
            "review --reviewer": lambda: items.review(archive, sealed_id, name, date.today()),
        }
        for where, call in paths.items():
            with pytest.raises(BadInput) as refused:
                call()
            assert f"U+{ord(char):04X}" in str(refused.value), (where, str(refused.value))
    finally:
        archive.close()
    assert len(chain(signed)) == before
    with sqlite3.connect(signed) as db:
        assert db.execute("SELECT count(*) FROM disclosure_item WHERE supersedes_id IS NOT NULL").fetchone() == (0,)
