"""Printing the very PDF on Windows: PDFium draws each page on the printer's device context.

Windows has no spooler that takes a PDF, and Qt none that prints one as vectors. PDFium does: on
its Windows builds (pypdfium2's wheels for Windows) `FPDF_RenderPage` draws a page on a GDI device
context as GDI text and paths, which the printer driver turns into its own language; a job is then
about as large as the PDF. Where a build lacks it, each page is rendered at the printer's own
resolution in bands (a few MB each, so an A3 page at 600 dpi never needs 200 MB at once) and sent
uncompressed with SetDIBitsToDevice: no JPEG, so the QR code keeps its edges.

The page sits at 1:1 on the paper: its corner on the paper's corner, whatever the printer's
unprintable margin (GDI's origin is the printable area's corner, hence the negative offset).
Copies are printed by repeating the pages, collated as asked, rather than by the driver's copy
count, which some drivers ignore.

What can be checked without Windows is pure and tested on every platform: the DEVMODE fields, the
placement, the bands, and the order of GDI calls against a recording stand-in (`Gdi`).
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from zwgk_desktop.office.spooling import Paper, PrintRefused, PrintRequest, Spooled, page_papers, shrinking

# wingdi.h
DMPAPER = {"A3": 8, "A4": 9, "A5": 11}
DMORIENT_PORTRAIT, DMORIENT_LANDSCAPE = 1, 2
DM_ORIENTATION, DM_PAPERSIZE, DM_PAPERLENGTH, DM_PAPERWIDTH, DM_COPIES, DM_COLLATE = (
    0x1, 0x2, 0x4, 0x8, 0x100, 0x8000)
# DEVMODEW: dmDeviceName is 32 WCHARs, then four WORDs, dmFields, and the printer fields.
DEVMODE_FIELDS = 72
DEVMODE_ORIENTATION, DEVMODE_PAPERSIZE, DEVMODE_PAPERLENGTH, DEVMODE_PAPERWIDTH = 76, 78, 80, 82
DEVMODE_COPIES, DEVMODE_COLLATE = 86, 100
DEVMODE_MIN_SIZE = 102
# GetDeviceCaps indices
LOGPIXELSX, LOGPIXELSY = 88, 90
PHYSICALWIDTH, PHYSICALHEIGHT, PHYSICALOFFSETX, PHYSICALOFFSETY = 110, 111, 112, 113
# fpdfview.h
FPDF_ANNOT, FPDF_PRINTING = 0x01, 0x800
BAND_BYTES = 32 * 1024 * 1024  # one band of BGRA pixels at most


def set_devmode(devmode: bytearray, request: PrintRequest) -> bytearray:
    """The printer's own DEVMODE with the dialog's paper and orientation (copies: see the module)."""
    if len(devmode) < DEVMODE_MIN_SIZE:
        raise ValueError(f"DEVMODE too short: {len(devmode)} bytes")
    fields = struct.unpack_from("<I", devmode, DEVMODE_FIELDS)[0] | DM_ORIENTATION | DM_COPIES | DM_COLLATE
    struct.pack_into("<h", devmode, DEVMODE_ORIENTATION, DMORIENT_LANDSCAPE if request.landscape else DMORIENT_PORTRAIT)
    if request.paper.name in DMPAPER:
        fields |= DM_PAPERSIZE
        fields &= ~(DM_PAPERLENGTH | DM_PAPERWIDTH)
        struct.pack_into("<h", devmode, DEVMODE_PAPERSIZE, DMPAPER[request.paper.name])
    else:  # a size of its own, in tenths of a millimetre
        fields |= DM_PAPERLENGTH | DM_PAPERWIDTH
        fields &= ~DM_PAPERSIZE
        struct.pack_into("<h", devmode, DEVMODE_PAPERSIZE, 0)
        struct.pack_into("<h", devmode, DEVMODE_PAPERLENGTH, round(request.paper.height_mm * 10))
        struct.pack_into("<h", devmode, DEVMODE_PAPERWIDTH, round(request.paper.width_mm * 10))
    struct.pack_into("<h", devmode, DEVMODE_COPIES, 1)
    struct.pack_into("<h", devmode, DEVMODE_COLLATE, 0)
    struct.pack_into("<I", devmode, DEVMODE_FIELDS, fields)
    return devmode


@dataclass(frozen=True)
class Device:
    """What GetDeviceCaps says of the printer's page: resolution, paper and unprintable corner (pixels)."""

    dpi_x: int
    dpi_y: int
    paper_x: int
    paper_y: int
    offset_x: int
    offset_y: int

    @property
    def paper(self) -> Paper:
        return Paper.of_size(self.paper_x / self.dpi_x * 25.4, self.paper_y / self.dpi_y * 25.4)


@dataclass(frozen=True)
class Placement:
    """Where FPDF_RenderPage puts a page: its corner and size in device pixels, and PDFium's turn."""

    x: int
    y: int
    width: int
    height: int
    rotate: int  # 0, or 1 (90° clockwise) for a landscape page on paper fed portrait and back


def placement(page_width_pt: float, page_height_pt: float, device: Device, fit: bool = False) -> Placement:
    """The page at 1:1 from the paper's corner (or shrunk to the paper, if the clerk agreed),
    turned when the paper lies the other way, relative to GDI's origin (the printable corner)."""
    turned = (page_width_pt > page_height_pt) != (device.paper_x > device.paper_y)
    if turned:
        page_width_pt, page_height_pt = page_height_pt, page_width_pt
    width, height = page_width_pt / 72 * device.dpi_x, page_height_pt / 72 * device.dpi_y
    scale = min(1.0, device.paper_x / width, device.paper_y / height) if fit else 1.0
    width, height = width * scale, height * scale
    # Centred when shrunk (margins alike on both sides); at 1:1 the corner is the paper's corner.
    left = (device.paper_x - width) / 2 if fit else 0
    top = (device.paper_y - height) / 2 if fit else 0
    return Placement(round(left) - device.offset_x, round(top) - device.offset_y,
                     round(width), round(height), 1 if turned else 0)


def bands(height: int, width: int, budget: int = BAND_BYTES) -> list[tuple[int, int]]:
    """Rows [top, bottom) of the bands a page of `width` × `height` pixels is sent in."""
    rows = max(1, budget // max(1, width * 4))
    return [(top, min(height, top + rows)) for top in range(0, height, rows)]


def print_order(pages: Sequence[int], copies: int, collate: bool) -> list[int]:
    """The pages in the order they come out: 1 2 3 1 2 3 collated, 1 1 2 2 3 3 not."""
    copies = max(1, copies)
    return [p for _ in range(copies) for p in pages] if collate else [p for p in pages for _ in range(copies)]


class Gdi(Protocol):
    """The few Windows calls the job makes (a stand-in records them in the tests)."""

    def open(self, printer: str, request: PrintRequest) -> Device: ...
    def start_doc(self, title: str) -> int: ...  # the spooler's job id
    def start_page(self) -> None: ...
    def draw_page(self, page: Any, at: Placement) -> bool: ...  # False: this PDFium cannot draw on a DC
    def draw_band(self, pixels: bytes, x: int, y: int, width: int, height: int) -> None: ...
    def end_page(self) -> None: ...
    def end_doc(self) -> None: ...
    def abort(self) -> None: ...


def _band_pixels(page: Any, at: Placement, band: tuple[int, int]) -> bytes:
    """One band of the page as PDFium renders it at the device's resolution: BGRA rows, top-down,
    no padding. The whole page is placed as on the paper, shifted up by the band's top, and
    PDFium clips it to the band's bitmap, so the bands join without a seam or a rounding gap."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    top, bottom = band
    bitmap = pypdfium2.PdfBitmap.new_native(at.width, bottom - top, pdfium_c.FPDFBitmap_BGRA)
    try:
        bitmap.fill_rect((255, 255, 255, 255), 0, 0, at.width, bottom - top)
        pdfium_c.FPDF_RenderPageBitmap(bitmap, page, 0, -top, at.width, at.height, at.rotate,
                                       FPDF_ANNOT | FPDF_PRINTING)
        rows, stride = bottom - top, bitmap.stride
        data = bytes(bitmap.buffer)
        return data if stride == at.width * 4 else b"".join(
            data[row * stride: row * stride + at.width * 4] for row in range(rows))
    finally:
        bitmap.close()


def print_pdf(pdf: Path, request: PrintRequest, gdi: Gdi | None = None, band_bytes: int = BAND_BYTES) -> Spooled:
    """Print the PDF's chosen pages to the Windows printer, vectors where PDFium can."""
    import pypdfium2

    papers = page_papers(pdf)
    request = request.checked(len(papers))
    gdi = gdi or _Win32Gdi()
    device = gdi.open(request.queue, request)
    document = pypdfium2.PdfDocument(str(pdf))
    chosen = request.chosen_pages(len(papers))
    try:
        try:
            job = gdi.start_doc(request.title)
            for number in print_order(chosen, request.copies, request.collate):
                page = document[number - 1]
                width_pt, height_pt = page.get_size()
                at = placement(width_pt, height_pt, device, request.fit)
                gdi.start_page()
                if not gdi.draw_page(page, at):
                    for band in bands(at.height, at.width, band_bytes):
                        gdi.draw_band(_band_pixels(page, at, band), at.x, at.y + band[0], at.width, band[1] - band[0])
                gdi.end_page()
        except BaseException:
            gdi.abort()
            raise
        gdi.end_doc()
    finally:
        document.close()
    worst = shrinking([papers[n - 1] for n in chosen], device.paper)
    return Spooled(request.queue, str(job), len(chosen) * max(1, request.copies), device.paper,
                   pdf.stat().st_size, worst.scale if worst and request.fit else 1.0)


class _Win32Gdi:  # pragma: no cover - Windows only
    """The real calls, through ctypes (no pywin32 needed): winspool for the DEVMODE, gdi32 for the job."""

    def __init__(self) -> None:
        from ctypes import wintypes

        self.ctypes, self.wintypes = ctypes, wintypes
        # WinDLL exists only on Windows (mypy, checking on Linux, does not know it).
        self.winspool = ctypes.WinDLL("winspool.drv")  # type: ignore[attr-defined]
        self.gdi32 = ctypes.WinDLL("gdi32")  # type: ignore[attr-defined]
        self.dc: Any = None
        # Handles are pointers: without these, ctypes would pass and return them as 32-bit ints
        # and a 64-bit Windows would get a truncated DC.
        hdc, handle, text, long = wintypes.HDC, wintypes.HANDLE, wintypes.LPCWSTR, wintypes.LONG
        pointer = ctypes.c_void_p
        self.winspool.OpenPrinterW.argtypes = [text, ctypes.POINTER(handle), pointer]
        self.winspool.DocumentPropertiesW.argtypes = [wintypes.HWND, handle, text, pointer, pointer, wintypes.DWORD]
        self.winspool.DocumentPropertiesW.restype = long
        self.winspool.ClosePrinter.argtypes = [handle]
        self.gdi32.CreateDCW.argtypes = [text, text, text, pointer]
        self.gdi32.CreateDCW.restype = hdc
        self.gdi32.GetDeviceCaps.argtypes = [hdc, ctypes.c_int]
        self.gdi32.StartDocW.argtypes = [hdc, pointer]
        self.gdi32.SetDIBitsToDevice.argtypes = [hdc, ctypes.c_int, ctypes.c_int, wintypes.DWORD, wintypes.DWORD,
                                                 ctypes.c_int, ctypes.c_int, wintypes.UINT, wintypes.UINT,
                                                 ctypes.c_char_p, pointer, wintypes.UINT]
        for name in ("StartPage", "EndPage", "EndDoc", "AbortDoc", "DeleteDC"):
            getattr(self.gdi32, name).argtypes = [hdc]

    def open(self, printer: str, request: PrintRequest) -> Device:
        wintypes = self.wintypes
        handle = wintypes.HANDLE()
        if not self.winspool.OpenPrinterW(printer, ctypes.byref(handle), None):
            raise PrintRefused(f"打不开打印机“{printer}”（已删除、改名或断开？）。请另选一台。海报没有送出。")
        try:
            size = self.winspool.DocumentPropertiesW(None, handle, printer, None, None, 0)
            if size < DEVMODE_MIN_SIZE:
                raise PrintRefused(f"打印机“{printer}”的驱动没有给出纸张设置。海报没有送出。")
            buffer = (ctypes.c_char * size)()
            self.winspool.DocumentPropertiesW(None, handle, printer, buffer, None, 2)  # DM_OUT_BUFFER
            ours = set_devmode(bytearray(buffer.raw), request)
            merged = (ctypes.c_char * size).from_buffer_copy(bytes(ours))
            self.winspool.DocumentPropertiesW(None, handle, printer, merged, merged, 2 | 8)  # OUT | IN
        finally:
            self.winspool.ClosePrinter(handle)
        self.dc = self.gdi32.CreateDCW("WINSPOOL", printer, None, merged)
        if not self.dc:
            raise PrintRefused(f"打印机“{printer}”拒绝了打印（无法建立打印任务）。海报没有送出。")
        caps = self.gdi32.GetDeviceCaps
        return Device(caps(self.dc, LOGPIXELSX), caps(self.dc, LOGPIXELSY), caps(self.dc, PHYSICALWIDTH),
                      caps(self.dc, PHYSICALHEIGHT), caps(self.dc, PHYSICALOFFSETX), caps(self.dc, PHYSICALOFFSETY))

    def start_doc(self, title: str) -> int:
        wintypes = self.wintypes

        class DOCINFOW(ctypes.Structure):
            _fields_: ClassVar = [("cbSize", ctypes.c_int), ("lpszDocName", wintypes.LPCWSTR),
                                  ("lpszOutput", wintypes.LPCWSTR), ("lpszDatatype", wintypes.LPCWSTR),
                                  ("fwType", wintypes.DWORD)]

        info = DOCINFOW(ctypes.sizeof(DOCINFOW), title, None, None, 0)
        job = int(self.gdi32.StartDocW(self.dc, ctypes.byref(info)))
        if job <= 0:
            raise PrintRefused("打印机拒绝了这次打印（无法开始打印任务：队列停用或没有权限？）。海报没有送出。")
        return job

    def start_page(self) -> None:
        self.gdi32.StartPage(self.dc)

    def draw_page(self, page: Any, at: Placement) -> bool:
        import pypdfium2.raw as pdfium_c

        render = getattr(pdfium_c, "FPDF_RenderPage", None)
        if render is None:
            return False
        render(self.dc, page.raw, at.x, at.y, at.width, at.height, at.rotate, FPDF_ANNOT | FPDF_PRINTING)
        return True

    def draw_band(self, pixels: bytes, x: int, y: int, width: int, height: int) -> None:
        wintypes = self.wintypes

        class BITMAPINFOHEADER(ctypes.Structure):
            _fields_: ClassVar = [("biSize", wintypes.DWORD), ("biWidth", wintypes.LONG), ("biHeight", wintypes.LONG),
                        ("biPlanes", wintypes.WORD), ("biBitCount", wintypes.WORD), ("biCompression", wintypes.DWORD),
                        ("biSizeImage", wintypes.DWORD), ("biXPelsPerMeter", wintypes.LONG),
                        ("biYPelsPerMeter", wintypes.LONG), ("biClrUsed", wintypes.DWORD),
                        ("biClrImportant", wintypes.DWORD)]

        # Negative height: rows top-down, as PDFium renders them; BI_RGB: uncompressed.
        header = BITMAPINFOHEADER(ctypes.sizeof(BITMAPINFOHEADER), width, -height, 1, 32, 0, 0, 0, 0, 0, 0)
        self.gdi32.SetDIBitsToDevice(self.dc, x, y, width, height, 0, 0, 0, height, pixels, ctypes.byref(header), 0)

    def end_page(self) -> None:
        self.gdi32.EndPage(self.dc)

    def end_doc(self) -> None:
        self.gdi32.EndDoc(self.dc)
        self.gdi32.DeleteDC(self.dc)

    def abort(self) -> None:
        self.gdi32.AbortDoc(self.dc)
        self.gdi32.DeleteDC(self.dc)
