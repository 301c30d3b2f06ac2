"""How often WeChat's own decoder (OpenCV's wechat_qrcode) reads a sheet's QR code off simulated
phone photos of the posted sheet: before issue 15 (the code fixed at the layout's 34 mm) and now
(grown for 0.8 mm modules), for the demo's address and longer ones; and level M against level Q
at the same printed size, which is why the sheets use M.

A photo: the sheet's footer rendered by PDFium at three times the photo's scale (the whole A3
sheet 2,000 px tall in the photo, as the issue's trials), tilted in perspective, blurred (focus
and hand shake), lit unevenly, with sensor noise, scaled down and saved as JPEG. Seeded, so two
runs give the same photos. Needs opencv-contrib-python-headless (not a dependency of the
program): `.venv/bin/pip install opencv-contrib-python-headless`.

    .venv/bin/python benchmarks/bench_qr_photos.py [--photos 40]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pypdfium2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import factories

from zwgk_desktop.domain.place import Place
from zwgk_desktop.paths import standard_layouts_dir
from zwgk_desktop.render import fonts, qr
from zwgk_desktop.render.board import layout_board
from zwgk_desktop.render.layout import load_layouts
from zwgk_desktop.render.pdf import Poster, write_pdf
from zwgk_desktop.render.public import build_public_item

PHOTO_HEIGHT = 2000  # px the whole sheet takes in the photo
OVERSAMPLE = 3
ADDRESSES = {
    "demo's (29)": "https://qingshan.example/zwgk",
    "county portal (112)": "https://www.zhongmou.gov.cn/zwgk/xiangzhen/qingshanzhen/cunwugongkai/" + "c" * 43,
    "county portal (120)": "https://www.zhongmou.gov.cn/zwgk/xiangzhen/qingshanzhen/cunwugongkai/" + "c" * 51,
}


def sheet(base_url: str, out: Path, *, fixed_mm: float | None = None,
          level: int | None = None) -> tuple[str, float, int]:
    """A 招投标 sheet for the address: (url, code's size in mm, modules across). `fixed_mm` prints
    the code at that size whatever its modules (as before issue 15); `level` encodes it at another
    error-correction level at the size level M gives."""
    layout = load_layouts(standard_layouts_dir()).for_category("bids")
    item = factories.bids()
    item.id = 12
    public = build_public_item(item, layout, Place("青山镇", "东岗村", "donggang", base_url))
    url = public.url(base_url)
    board = layout_board(public, layout, fonts.text_width, (), url)
    assert board.qr is not None
    if fixed_mm is not None:
        board = replace(board, qr=replace(board.qr, size_mm=fixed_mm))
    original = qr.ERROR_CORRECT_M
    qr._matrix.cache_clear()
    if level is not None:
        qr.ERROR_CORRECT_M = level  # type: ignore[misc]
    try:
        write_pdf([Poster(board, url)], out)
        modules = qr.modules_across(url)
    finally:
        qr.ERROR_CORRECT_M = original  # type: ignore[misc]
        qr._matrix.cache_clear()
    return url, board.qr.size_mm, modules


def footer_image(pdf: Path) -> tuple[np.ndarray, float]:
    """The sheet's lower quarter at OVERSAMPLE × the photo's scale (grey), and that scale (px/pt)."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[0]
        height = page.get_size()[1]
        scale = PHOTO_HEIGHT / height * OVERSAMPLE
        image = page.render(scale=scale, crop=(0, 0, 0, height * 0.75)).to_pil().convert("L")
    finally:
        document.close()
    return np.array(image), scale


def photo(image: np.ndarray, rng: random.Random) -> np.ndarray:
    import cv2

    h, w = image.shape
    tilt = 0.06 * w
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    def moved(x: float, y: float) -> list[float]:  # each corner pulled in by up to 6 % of the width
        return [x + rng.uniform(0, tilt) * (1 if x == 0 else -1), y + rng.uniform(0, tilt) * (1 if y == 0 else -1)]

    dst = np.float32([moved(0, 0), moved(w, 0), moved(w, h), moved(0, h)])
    warped = cv2.warpPerspective(image, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)
    sigma = rng.uniform(0.5, 1.5) * OVERSAMPLE  # focus and shake, in photo pixels
    blurred = cv2.GaussianBlur(warped.astype(np.float32), (0, 0), sigma)
    light = np.linspace(rng.uniform(0.55, 0.8), rng.uniform(0.95, 1.1), w, dtype=np.float32)[None, :]
    lit = blurred * light + rng.uniform(10, 40)  # uneven light, a greyish ground
    small = cv2.resize(lit, (w // OVERSAMPLE, h // OVERSAMPLE), interpolation=cv2.INTER_AREA)
    noisy = small + np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(3, 8), small.shape)
    clipped = np.clip(noisy, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", clipped, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(55, 85)])
    assert ok
    return cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)


def read_rate(pdf: Path, url: str, photos: int, seed: int) -> int:
    import cv2

    detector = cv2.wechat_qrcode.WeChatQRCode()
    image, _ = footer_image(pdf)
    rng = random.Random(seed)
    return sum(url in detector.detectAndDecode(photo(image, rng))[0] for _ in range(photos))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=40)
    args = parser.parse_args()
    from qrcode.constants import ERROR_CORRECT_Q

    print(f"WeChat decoder on {args.photos} simulated photos each (sheet {PHOTO_HEIGHT} px tall)")
    print(f"{'address (characters)':22} {'URL':>4} {'how':24} {'code mm':>8} {'module mm':>10} {'read':>8}")
    cases: list[tuple[str, dict[str, float]]] = [
        ("before: fixed 34 mm, M", {"fixed_mm": 34.0}), ("now: grown, M", {}),
        ("now's size, Q", {"level": ERROR_CORRECT_Q})]
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "sheet.pdf"
        for name, base in ADDRESSES.items():
            for how, options in cases:
                url, size, modules = sheet(base, pdf, **options)  # type: ignore[arg-type]
                read = read_rate(pdf, url, args.photos, seed=15)
                print(f"{name:22} {len(url):4} {how:24} {size:8.1f} {size / modules:10.2f} {read:4}/{args.photos}",
                      flush=True)


if __name__ == "__main__":
    main()
