"""Photos made by code for the tests: a phone's JPEG with GPS, orientation, camera time and an ICC
profile (Pillow writes the EXIF and GPS IFDs itself; piexif is not needed)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
ORIENTATION = 0x0112


def phone_photo(path: Path, *, taken: str | None = "2026:10:12 09:30:00", orientation: int = 6,
                size: tuple[int, int] = (640, 480), colour: str = "navy", mode: str = "RGB") -> Path:
    """A JPEG as a phone saves it: GPS position, camera time, orientation, maker and an sRGB profile."""
    image = Image.new(mode, size, colour)
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 4, size[1] // 8), fill="white")  # the top-left corner
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Xiaomi"
    if taken is not None:
        exif[EXIF_IFD] = {0x9003: taken}
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.5), 3: "E", 4: (120.0, 10.0, 5.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(path, "JPEG", exif=exif, icc_profile=icc, quality=90)
    return path


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(GPS_IFD))


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims `width`×`height` pixels (a decompression bomb's first bytes)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
                     + chunk(b"IEND", b""))
    return path


def heic_file(path: Path) -> Path:
    """The first bytes of an iPhone's HEIC photo (an ISO media file of brand heic)."""
    path.write_bytes(struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 200)
    return path


def board_photo(pdf: bytes, path: Path, *, taken: str = "2026:07:08 16:42:10", tilt: float = 3.0,
                wall: str = "#c9c1b3") -> Path:
    """A phone's photo of a sheet posted on the board: its first page drawn on a wall, a little
    askew, saved with GPS and the camera's time (and held sideways: orientation 6)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        sheet = document[0].render(scale=0.9).to_pil().convert("RGB")
    finally:
        document.close()
    width, height = sheet.size
    photo = Image.new("RGB", (int(width * 1.25), int(height * 1.18)), wall)
    photo.paste(sheet, ((photo.width - width) // 2, (photo.height - height) // 2))
    photo = photo.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=wall).rotate(90, expand=True)
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the phone held upright: the pixels lie on their side, as a phone stores them
    exif[EXIF_IFD] = {0x9003: taken}
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.5), 3: "E", 4: (120.0, 10.0, 5.0)}
    photo.save(path, "JPEG", exif=exif, quality=80)
    return path


def invoice_picture(path: Path, lines: tuple[str, ...] = ("增值税普通发票", "购买方：东岗村股份经济合作社",
                                                          "项目：太阳能路灯 12 套", "金额：¥ 38,400.00"),
                    *, taken: str = "2026:08:20 10:05:33") -> Path:
    """A phone's photo of a paper invoice: a few lines of text on a cream slip, with GPS."""
    from PIL import ImageFont

    font_file = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "wqy-microhei.ttc"
    font = ImageFont.truetype(str(font_file), 30)
    slip = Image.new("RGB", (720, 480), "#f4efdc")
    draw = ImageDraw.Draw(slip)
    draw.rectangle((12, 12, 707, 467), outline="#b33a3a", width=4)
    for number, line in enumerate(lines):
        draw.text((40, 40 + number * 90), line, fill="#b33a3a" if number == 0 else "#333333", font=font)
    exif = Image.Exif()
    exif[EXIF_IFD] = {0x9003: taken}
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.5), 3: "E", 4: (120.0, 10.0, 5.0)}
    slip.save(path, "JPEG", exif=exif, quality=85)
    return path
