"""Reading the pictures a clerk attaches (photos of the posted board, vouchers) and making their
public copies: what a file is, when the camera says it was taken, and a copy without metadata.

The original bytes are kept exactly as given (their SHA-256 is sealed). A public copy is
re-encoded from the pixels alone: EXIF (GPS among it), XMP and ICC profiles never reach it, and
the EXIF orientation is applied first so the board is not shown on its side.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from zwgk_desktop.errors import BadInput
from zwgk_desktop.inputs import readable_file

# A phone photo is 3–12 MB; a scan of an invoice less. Anything far larger is not one of ours.
MAX_FILE_BYTES = 64 * 1024**2
# Pillow refuses more than twice its MAX_IMAGE_PIXELS (about 179 million) as a decompression
# bomb, and only warns above MAX_IMAGE_PIXELS (89 million: less than a 108-megapixel phone's
# photo); our own limit lies between, checked from the header before any pixel is decoded.
MAX_PIXELS = 150_000_000
# The online copy: long side and JPEG quality (a board photo stays readable, some 300–600 KB).
PUBLIC_LONG_SIDE = 1600
PUBLIC_QUALITY = 82
# What may be attached, by what Pillow reads the file as (a voucher may also be a PDF).
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff",
               "BMP": "image/bmp", "GIF": "image/gif"}
PDF_TYPE = "application/pdf"
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
DATETIME = 0x0132


@dataclass(frozen=True)
class Picture:
    """A file read and checked: its bytes as given, what it is and when the camera says it was taken."""

    name: str  # the file's own name, as the clerk knows it
    data: bytes
    media_type: str
    taken_at: str | None  # the camera's clock, as ISO 8601 without a zone (cameras keep local time); None if not said
    width: int = 0
    height: int = 0

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_picture(path: Path, *, allow_pdf: bool = False) -> Picture:
    """The file at `path`, checked to be a whole picture (or, if `allow_pdf`, a PDF); refused in
    words naming it otherwise. Nothing is changed: `data` is the file's bytes."""
    readable_file(path, "图片文件")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput(f"{path.name} 有 {size / 1024**2:.0f} MB，超过 {MAX_FILE_BYTES // 1024**2} MB："
                       "不像是一张照片或凭证的扫描件，没有保存")
    data = path.read_bytes()
    return picture_from_bytes(path.name, data, allow_pdf=allow_pdf)


def picture_from_bytes(name: str, data: bytes, *, allow_pdf: bool = False) -> Picture:
    """As `read_picture`, for bytes already read (named `name` in what is said)."""
    if not data:
        raise BadInput(f"{name} 是空文件，没有保存")
    if data[:5] == b"%PDF-":
        if not allow_pdf:
            raise BadInput(f"{name} 是 PDF 文件，不是照片：公开栏照片须是 JPEG 或 PNG 图片")
        if b"%%EOF" not in data[-2048:]:
            raise BadInput(f"{name} 这个 PDF 不完整（没有下载或复制完？），没有保存")
        return Picture(name, data, PDF_TYPE, None)
    if _is_heif(data):
        raise BadInput(f"{name} 是 HEIC/HEIF 格式（苹果等手机的默认照片格式），本程序读不了：请在手机的"
                       "相机设置中改为“兼容性最佳”（JPEG）再拍，或先把照片转为 JPEG，没有保存")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is below
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise BadInput(f"{name} 有 {width}×{height} 像素（超过 {MAX_PIXELS // 1_000_000} 百万像素），"
                                   "不像是一张照片，可能是恶意构造的文件，没有保存")
                taken = _taken_at(image)
                image.load()  # every byte decoded: a truncated file is found here
    except BadInput:
        raise
    except Image.DecompressionBombError:
        raise BadInput(f"{name} 的像素多得不合常理（解压炸弹），可能是恶意构造的文件，没有保存") from None
    except UnidentifiedImageError:
        raise BadInput(f"{name} 不是本程序认识的图片（应为 JPEG 或 PNG 照片），没有保存") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise BadInput(f"{name} 这张图片不完整或已损坏（没有传完？），没有保存") from None
    if kind not in IMAGE_TYPES:
        raise BadInput(f"{name} 是 {kind or '未知'} 格式的图片，不能保存：请用 JPEG 或 PNG")
    return Picture(name, data, IMAGE_TYPES[kind], taken, width, height)


def _is_heif(data: bytes) -> bool:
    """An ISO base media file whose brand is HEIC/HEIF/AVIF (what iPhones and many Android phones save)."""
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1",
                                                     b"heim", b"heis", b"avif")


def _taken_at(image: Image.Image) -> str | None:
    """When the camera says the photo was taken: EXIF DateTimeOriginal (else DateTime), as ISO."""
    try:
        exif = image.getexif()
        said = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    except (OSError, ValueError, KeyError, TypeError, SyntaxError):
        return None
    if isinstance(said, bytes):
        said = said.decode("ascii", "replace")
    if not isinstance(said, str):
        return None
    try:
        return datetime.strptime(said.strip("\x00 ").strip(), "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None  # "0000:00:00 00:00:00" and other clocks never set


def public_copy(data: bytes, long_side: int = PUBLIC_LONG_SIDE) -> bytes:
    """A JPEG made from the picture's pixels only: turned upright as its EXIF says, shrunk to
    `long_side` pixels at most, without EXIF, GPS, XMP, ICC profile or any other metadata."""
    with warnings.catch_warnings(), Image.open(io.BytesIO(data)) as image:
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # read_picture checked its size
        image.draft("RGB", (long_side, long_side))  # a JPEG decoded at a fraction of its size: fast
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGBA") if "A" in upright.getbands() or upright.mode == "P" else upright
            if upright.mode == "RGBA":
                flat = Image.new("RGB", upright.size, "white")
                flat.paste(upright, mask=upright.getchannel("A"))
                upright = flat
            else:
                upright = upright.convert("RGB")
        upright.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
        # A fresh image of the pixels alone: nothing of the original's `info` can ride along.
        bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        out = io.BytesIO()
        bare.save(out, "JPEG", quality=PUBLIC_QUALITY, optimize=True, progressive=True)
        return out.getvalue()


def taken_at_shown(taken_at: str | None) -> str:
    """The camera's time as a clerk reads it."""
    if not taken_at:
        return "照片未记录拍摄时间"
    return taken_at.replace("T", " ")[:16]
