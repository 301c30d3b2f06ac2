"""Regenerate docs/poster-rare-names.png: the top of a 招投标 sheet whose bidders' names hold
生僻字 the main font lacks (䶮 in Extension A, 𠮷 and 𪚥 in Extension B), drawn by the fallback font.

Run from the repository root: `.venv/bin/python docs/make_rare_names.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pypdfium2

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))

from factories import bids  # noqa: E402

from zwgk_desktop.paths import standard_layouts_dir  # noqa: E402
from zwgk_desktop.render.layout import load_layouts  # noqa: E402
from zwgk_desktop.render.pdf import write_pdf  # noqa: E402
from zwgk_desktop.render.posters import RenderResult, posters_for  # noqa: E402
from zwgk_desktop.render.public import Place  # noqa: E402


def main() -> None:
    place = Place("青山镇", "东岗村", "donggang", "https://qingshan.example/zwgk")
    item = bids()
    item.id = 5
    item.title = "村内道路硬化工程（䶮𠮷路段）招投标结果"
    item.fields["project"] = "䶮𠮷路段道路硬化工程"
    item.fields["winner"] = "王䶮建筑公司"
    for row, name in zip(item.rows, ("王䶮建筑公司", "吉𠮷祥工程队", "李𪚥丰市政公司"), strict=True):
        row["bidder"] = name
    result = RenderResult(base_url=place.base_url or "")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "rare.pdf"
        write_pdf(posters_for([item], load_layouts(standard_layouts_dir()), place, place.base_url or "", result), pdf)
        document = pypdfium2.PdfDocument(str(pdf))
        image = document[0].render(scale=120 / 72).to_pil().convert("RGB")
        document.close()
    width, height = image.size
    image = image.crop((0, 0, width, int(height * 0.40)))
    out = DOCS / "poster-rare-names.png"
    image.quantize(colors=64).save(out, optimize=True)
    print(out, image.size)


if __name__ == "__main__":
    main()
