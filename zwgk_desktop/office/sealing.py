"""Sealing a village's quarter into the archive, and verifying the archive: what `zwgk seal` and
`zwgk verify` do, and the app's 封存本季度 and 核验档案.

A seal is always preceded by a backup (`Archive.changing`), so neither face can forget it; what
would stop a seal is said before anyone is asked to confirm or sign (`what_seals`)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from zwgk_desktop.archive import signing
from zwgk_desktop.archive.backup import Backup
from zwgk_desktop.archive.seal import SealResult, seal_quarter, to_seal, verify
from zwgk_desktop.db import store
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import Problem
from zwgk_desktop.office.handle import Archive


@dataclass(frozen=True)
class ToSeal:
    """What sealing a quarter now would freeze."""

    village: str  # its name
    period: Quarter
    items: int
    kind: str  # "quarter", or "correction" when the quarter is sealed and corrections wait

    @property
    def what(self) -> str:
        return f"{self.items} 个更正" if self.kind == "correction" else f"全部 {self.items} 个事项"


@dataclass(frozen=True)
class Sealed:
    village: str
    period: Quarter
    result: SealResult
    backup: Backup | None  # taken before the seal (None for a server's archive)
    key_made: str | None = None  # the fingerprint of the village's key, when this seal made it


def what_seals(archive: Archive, village: str, period: Quarter) -> ToSeal:
    """What sealing would freeze, or the reason it cannot be sealed (raised in words)."""
    with archive.reading() as session:
        found = store.find_village(session, village)
        records, kind = to_seal(session, found, period)
        return ToSeal(found.name, period, len(records), kind)


def seal(archive: Archive, village: str, period: Quarter, by: str | None = None) -> Sealed:
    """Seal the village's quarter (by name or code), backed up first; `by` defaults to the
    computer's user."""
    with archive.changing("before-seal") as (session, backup):
        had_key = signing.own_key_row(session, store.find_village(session, village)) is not None
        result = seal_quarter(session, archive.layouts, village, period, by or getpass.getuser())
        made = None if had_key else signing.own_key_row(session, store.find_village(session, village))
    return Sealed(village, period, result, backup, made.fingerprint if made else None)


@dataclass(frozen=True)
class Verified:
    checked: int  # sealed items checked
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_archive(archive: Archive, village: str | None = None) -> Verified:
    """Recompute every seal's hashes, chain and stored sheets (of one village, or all)."""
    with archive.reading() as session:
        checked, problems = verify(session, village)
    return Verified(checked, tuple(problems))
