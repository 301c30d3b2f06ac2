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
