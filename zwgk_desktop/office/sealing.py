"""Sealing a village's quarter into the archive, and verifying the archive: what `zwgk seal` and
`zwgk verify` do, and the app's 封存本季度 and 核验档案; the 四性检测 report (`zwgk verify --report`,
the app's 导出四性检测报告); and comparing the archive with its seals as published elsewhere
(`zwgk verify --against`, the app's 与公布件核对).

A seal is always preceded by a backup (`Archive.changing`), so neither face can forget it; what
would stop a seal is said before anyone is asked to confirm or sign (`what_seals`)."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop.archive import signing
from zwgk_desktop.archive.anchors import compare, read_published, speaks_for_every_village
from zwgk_desktop.archive.backup import Backup
from zwgk_desktop.archive.four_checks import gather
from zwgk_desktop.archive.seal import SealResult, seal_quarter, to_seal, verify
from zwgk_desktop.db import store
from zwgk_desktop.db.engine import database_url
from zwgk_desktop.domain.four_checks import FourChecks, Published
from zwgk_desktop.domain.periods import Period, Quarter
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.office.handle import Archive
from zwgk_desktop.office.monthly import sealed_period


@dataclass(frozen=True)
class ToSeal:
    """What sealing a quarter now would freeze."""

    village: str  # its name
    period: Quarter
    items: int
    kind: str  # "quarter", or "correction" when the quarter is sealed and corrections wait

    @property
    def what(self) -> str:
        if self.kind == "attachment":
            return "封存后补充的照片和凭证"
        return f"{self.items} 个更正" if self.kind == "correction" else f"全部 {self.items} 个事项"


@dataclass(frozen=True)
class Sealed:
    village: str
    period: Quarter
    result: SealResult
    backup: Backup | None  # taken before the seal (None for a server's archive)
    key_made: str | None = None  # the fingerprint of the village's key, when this seal made it
    key_holder: str = ""  # who holds the key made: the village, or the township sealing a correction for it

    @property
    def key_words(self) -> str:
        """The village's key was made by this seal: what to do with it, told to its holder."""
        from zwgk_desktop.archive.signing import short_fingerprint
        from zwgk_desktop.office.keys import why_a_copy

        holder = self.key_holder or self.village
        whose = f"{self.village}的签名密钥" if holder == self.village else f"{holder}为{self.village}签名的密钥"
        return f"已生成{whose}，指纹 {short_fingerprint(self.key_made or '')}。{why_a_copy(holder, self.village)}"


def what_seals(archive: Archive, village: str, period: Period) -> ToSeal:
    """What sealing would freeze, or the reason it cannot be sealed (raised in words)."""
    period = sealed_period(period)  # a month is refused in words: its quarter is sealed
    with archive.reading() as session:
        found = store.find_village(session, village)
        records, kind = to_seal(session, found, period)
        return ToSeal(found.name, period, len(records), kind)


def seal(archive: Archive, village: str, period: Period, by: str | None = None) -> Sealed:
    """Seal the village's quarter (by name or code), backed up first; `by` defaults to the
    computer's user. A month is refused (`sealed_period`): its items are sealed with its quarter."""
    period = sealed_period(period)
    with archive.changing("before-seal") as (session, backup):
        found = store.find_village(session, village)
        name = found.name
        had_key = signing.own_key_row(session, found) is not None
        result = seal_quarter(session, archive.layouts, village, period, by or getpass.getuser())
        made = None if had_key else signing.own_key_row(session, store.find_village(session, village))
        holder = signing.key_holders(session, found.id).get(made.fingerprint, name) if made else ""
    return Sealed(name, period, result, backup, made.fingerprint if made else None, holder)


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


@dataclass(frozen=True)
class Reported:
    """The 四性检测 report, written to `path`."""

    path: Path
    report: FourChecks

    @property
    def ok(self) -> bool:
        return self.report.ok


def four_checks_report(archive: Archive, out: Path, *, village: str | None = None, against: Published | None = None,
                       progress: Callable[[int, int], None] | None = None) -> Reported:
    """Check the archive (one village, or all) for 真实性, 完整性, 可用性 and 安全性 and write the
    report as a workbook at `out`; `against` is what comparing it with the published seals found
    (`compare_with_published`), or None when it was not compared."""
    from zwgk_desktop.io.four_checks_sheet import write_report

    if out.suffix.lower() != ".xlsx":
        raise BadInput(f"四性检测报告 {out} 应是 .xlsx 文件（Excel / WPS 表格）")
    with archive.reading() as session:
        report = gather(session, village=village, anchors=against, database=_shown(archive), progress=progress)
    write_report(report, out)
    return Reported(out, report)


def _shown(archive: Archive) -> str:
    """The archive as the report names it: its file, or its server's address without the password."""
    url = database_url(archive.target)
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database or "").resolve()) if url.database else archive.target
    return url.render_as_string(hide_password=True)


@dataclass(frozen=True)
class Compared:
    """The archive compared with its seals as published in `source`."""

    source: Path
    villages: tuple[str, ...]  # codes of the villages compared
    published: int  # seals the source lists (of those villages)
    differences: tuple[Problem, ...]
    names: tuple[str, ...] = ()  # names of the villages compared that have seals (here or published)

    @property
    def ok(self) -> bool:
        return not self.differences


def compare_with_published(archive: Archive, source: Path, village: str | None = None) -> Compared:
    """Compare the archive (one village, or every village the source lists) with the seals
    published in `source`: an online copy's folder, a `seals.json`, or a bundle. A whole online
    copy must list every village here that has seals."""
    published = read_published(source)
    with archive.reading() as session:
        if village is not None:
            found = store.find_village(session, village)
            if found.code not in published:
                raise BadInput(f"{source} 中没有{found.name}的封存记录（其中有：{'、'.join(sorted(published))}）")
            published = {found.code: published[found.code]}
        differences = compare(session, published, every_village=village is None and speaks_for_every_village(source))
        names = []
        for code, seals in published.items():
            here = store.village_by_code(session, code)
            if seals or (here is not None and store.has_seals(session, here.id)):
                names.append(here.name if here is not None else code)
    return Compared(source, tuple(published), sum(len(seals) for seals in published.values()), tuple(differences),
                    tuple(names))
