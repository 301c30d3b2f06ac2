"""How the programs start (zwgk_desktop/launch.py): the imports run with the garbage collector
paused, the work with it running, and a failed start leaves it running too."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from zwgk_desktop import launch


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process's own heap goes back to the collector
    gc.enable()


def test_imports_run_paused_and_the_work_with_the_collector_on() -> None:
    seen: dict[str, bool] = {}

    def program() -> int:
        seen["work"] = gc.isenabled()
        return 7

    def load() -> launch.Program:
        seen["imports"] = gc.isenabled()
        return program

    assert launch._start(load) == 7
    assert seen == {"imports": False, "work": True}
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what start-up made is out of the collector's scans


def test_a_failed_start_leaves_the_collector_on() -> None:
    def load() -> launch.Program:
        raise ImportError("no such module")

    with pytest.raises(ImportError):
        launch._start(load)
    assert gc.isenabled()
