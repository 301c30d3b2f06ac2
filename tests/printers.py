"""The print tests' CUPS: the private scheduler `.ci/cups` starts (its queues, where cups-pdf puts
what was printed, the spooled job files), and waiting for a job to come out of cups-pdf."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

PRINTER = os.environ.get("ZWGK_TEST_PRINTER", "")
PRINTER_A4 = os.environ.get("ZWGK_TEST_PRINTER_A4", "")
PRINTED = Path(os.environ.get("ZWGK_TEST_PRINTED", "/nonexistent"))
SPOOL = Path(os.environ.get("ZWGK_TEST_SPOOL", "/nonexistent"))


def _why_no_spooler() -> str:
    if not PRINTER or not os.environ.get("CUPS_SERVER"):
        return "no CUPS spooler for the tests: run `eval \"$(.ci/cups)\"` (it sets CUPS_SERVER, ZWGK_TEST_PRINTER)"
    if shutil.which("lp") is None or shutil.which("lpstat") is None:
        return "CUPS's lp/lpstat are not installed (cups-client, cups-bsd)"
    state = subprocess.run(["lpstat", "-p", PRINTER], capture_output=True, text=True, check=False)
    if state.returncode != 0:
        return f"the test printer {PRINTER} is not there: {state.stderr.strip()} (is .ci/cups's cupsd running?)"
    return ""


WHY_NO_SPOOLER = _why_no_spooler()
needs_spooler = pytest.mark.skipif(bool(WHY_NO_SPOOLER), reason=WHY_NO_SPOOLER)


def printed(job: str, timeout: float = 60) -> Path:
    """The PDF cups-pdf wrote for a job ("zwgk-pdf-12" → …-job_12.pdf), once the job is done."""
    number = job.rsplit("-", 1)[-1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = subprocess.run(["lpstat", "-W", "completed", "-o"], capture_output=True, text=True, check=False)
        found = list(PRINTED.glob(f"*job_{number}.pdf"))
        if found and any(line.split()[0] == job for line in done.stdout.splitlines() if line.strip()):
            return found[0]
        time.sleep(0.2)
    log = (SPOOL.parent / "log" / "error_log")
    tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
    raise AssertionError(f"job {job} did not come out of cups-pdf within {timeout} s:\n" + "\n".join(tail))


def spooled_file(job: str) -> Path:
    """The file the scheduler spooled for the job (cupsd keeps it: PreserveJobFiles), i.e. what
    the printer is sent before CUPS's filters."""
    number = int(job.rsplit("-", 1)[-1])
    return SPOOL / f"d{number:05d}-001"


CUPS_PDF_PPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"


def add_queue(prefix: str, device: str = "cups-pdf:/zwgk") -> str:
    """A queue of the test's own (others may be printing on the shared ones), by a fresh name."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    subprocess.run(["lpadmin", "-p", name, "-E", "-v", device, "-P", CUPS_PDF_PPD], capture_output=True, check=True)
    return name


def remove_queue(name: str) -> None:
    subprocess.run(["cancel", "-a", name], capture_output=True, check=False)
    subprocess.run(["lpadmin", "-x", name], capture_output=True, check=False)
