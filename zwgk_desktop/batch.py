"""Batch printing for the township office: every village's board for a quarter (or a chosen set),
one PDF per village or one file for one print job, rendered in separate processes so both cores
work. The CLI (`zwgk render --all-villages`) and the app call `render_villages`."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from zwgk_desktop.children import process_pool
from zwgk_desktop.domain.periods import Quarter
from zwgk_desktop.errors import BadInput, Blocked, NotFound, ZwgkError
from zwgk_desktop.outputs import replacing, why

_layouts_cache: dict[str, object] = {}


@dataclass(frozen=True)
class VillageResult:
    village: str
    code: str
    path: Path | None  # None: nothing printed (no items, or a problem)
    sheets: int = 0
    items: int = 0
    drafts: int = 0
    problem: str = ""
    blocked: bool = False  # the problem is the computer's (a full disk), not the village's


@dataclass
class BatchResult:
    output: Path
    villages: list[VillageResult] = field(default_factory=list)
    cancelled: bool = False

    @property
    def sheets(self) -> int:
        return sum(v.sheets for v in self.villages)

    @property
    def printed(self) -> list[VillageResult]:
        return [v for v in self.villages if v.path is not None]


def _render_one(database: str, layouts_folder: str, village: tuple[str, str], period: str, out: str,
                base_url: str | None) -> VillageResult:
    """In a worker process: one village's board, with its own connection to the archive."""
    from zwgk_desktop.db.engine import open_engine, session_factory
    from zwgk_desktop.publishing import render_board
    from zwgk_desktop.render.packs import load_pack_layouts

    name, code = village
    layouts = _layouts_cache.get(layouts_folder)
    if layouts is None:
        layouts = _layouts_cache[layouts_folder] = load_pack_layouts(Path(layouts_folder))
    engine = open_engine(database, read_only=True)  # printing changes nothing: a read-only archive prints too
    try:
        with session_factory(engine)() as session:
            result = render_board(session, layouts, code, Quarter.parse(period), Path(out),  # type: ignore[arg-type]
                                  base_url=base_url, how="batch")
            session.commit()  # the record of what went out to the public
        return VillageResult(name, code, Path(out), result.sheets, len(result.items), len(result.drafts))
    except NotFound as exc:
        return VillageResult(name, code, None, problem=f"没有可打印的事项（{exc.message}）")
    except ZwgkError as exc:
        return VillageResult(name, code, None, problem=str(exc), blocked=isinstance(exc, Blocked))
    finally:
        engine.dispose()


def _warm_up() -> None:
    """A worker's start: load what rendering needs, then keep it out of the garbage collector's
    scans, as the programs themselves start (zwgk_desktop/launch.py).

    Ctrl-C in a terminal reaches every process of the job: the workers leave it to the parent,
    which stops the batch and says so, instead of each printing a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from zwgk_desktop.db.engine import open_engine  # noqa: F401  (loaded now, used by every job)
    from zwgk_desktop.publishing import warm_up
    from zwgk_desktop.render.packs import load_pack_layouts  # noqa: F401

    warm_up()
    gc.freeze()


def render_villages(database: str, layouts_folder: Path, period: Quarter, villages: list[tuple[str, str]],
                    out: Path, *, one_file: bool, base_url: str | None = None, workers: int | None = None,
                    progress: Callable[[int, int, VillageResult], None] | None = None,
                    cancelled: Callable[[], bool] = lambda: False) -> BatchResult:
    """Each village's board into `out/{code}-{period}.pdf`, or all of them into the file `out`."""
    if not villages:
        raise BadInput("没有选中任何村")
    if one_file and not out.parent.is_dir():  # said now, not after twenty villages are printed
        raise BadInput(f"无法写出 {out}：文件夹 {out.parent} 不存在")
    if one_file and not os.access(out.parent, os.W_OK):
        raise BadInput(f"无法写出 {out}：文件夹 {out.parent} 没有写入权限")
    folder = Path(tempfile.mkdtemp(prefix="zwgk-batch-")) if one_file else out
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"无法创建目录 {folder}：{why(exc)}") from None
    result = BatchResult(out)
    count = workers or min(len(villages), os.cpu_count() or 1)
    finished: dict[int, VillageResult] = {}
    try:
        with process_pool(count, initializer=_warm_up) as pool:
            jobs: dict[Future[VillageResult], int] = {
                pool.submit(_render_one, database, str(layouts_folder), village, str(period),
                            str(folder / f"{village[1]}-{period}.pdf"), base_url): index
                for index, village in enumerate(villages)}
            pending = dict(jobs)
            while pending:
                try:
                    done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    stop = cancelled()
                except KeyboardInterrupt:  # Ctrl-C: stop as 取消 does (the workers leave it to us)
                    done, stop = set(), True
                for future in done:
                    index = pending.pop(future)
                    finished[index] = future.result()
                    if progress:
                        progress(len(finished), len(villages), finished[index])
                if stop:
                    result.cancelled = True
                    for future in pending:
                        future.cancel()  # not started: never will be
                    break
        # Leaving the pool waited for the villages already being printed: they are on disk now,
        # so they are counted, and the summary says what the folder holds.
        for future, index in jobs.items():
            if index not in finished and future.done() and not future.cancelled() and future.exception() is None:
                finished[index] = future.result()
        result.villages = [finished[i] for i in sorted(finished)]
        if one_file and not result.cancelled and any(v.path is not None for v in result.villages):
            _merge([v.path for v in result.villages if v.path is not None], out)
    finally:
        if one_file:
            shutil.rmtree(folder, ignore_errors=True)  # the parts: in the one file, or of no use
    if one_file:
        # One file for one print job: cancelled, nothing was written, and nothing is said printed.
        result.villages = [replace(v, path=out) if v.path is not None and not result.cancelled
                           else replace(v, path=None, sheets=0, problem=v.problem or "已取消")
                           for v in result.villages]
    return result


def _merge(parts: list[Path], out: Path) -> None:
    """One file for one print job, in the order the villages were chosen."""
    from pypdf import PdfWriter

    if not parts:
        raise BadInput("所选的村在这个季度都没有可打印的事项")
    writer = PdfWriter()
    for part in parts:
        writer.append(str(part))
    with replacing(out) as partial, partial.open("wb") as handle:
        writer.write(handle)
