"""Regenerate the poster pictures in docs/: the first sheet of each category from the demo.

Run with the test extras installed: `.venv/bin/python docs/make_posters.py [CATEGORY…]`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2

DOCS = Path(__file__).resolve().parent
ZWGK = str(Path(sys.executable).with_name("zwgk"))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.sqlite3"
        subprocess.run([ZWGK, "demo", "--db", str(db)], check=True, capture_output=True)
        listed = subprocess.run([ZWGK, "list", "--db", str(db), "--village", "donggang", "--json"], check=True,
                                capture_output=True, text=True)
        items = json.loads(listed.stdout)["items"]
        for category in sys.argv[1:] or ("finance", "assistance", "bids", "notice", "assets", "resources",
                                         "contracts", "debts", "distribution"):
            # The category's reviewed item of 2026Q3 (what gets posted), or of the latest quarter that has
            # one (收益分配 is the year's, disclosed in its fourth quarter).
            item = max((i for i in items if i["category"] == category and i["status"] == "reviewed"),
                       key=lambda i: (i["period"] == "2026Q3", i["period"], -i["id"]))
            pdf = Path(folder) / f"{category}.pdf"
            subprocess.run([ZWGK, "render", "--db", str(db), "--village", "donggang", "--period", item["period"],
                            "--item", str(item["id"]), "-o", str(pdf)], check=True, capture_output=True)
            document = pypdfium2.PdfDocument(str(pdf))
            image = document[0].render(scale=90 / 72).to_pil().convert("RGB")
            document.close()
            out = DOCS / f"poster-{category}.png"
            image.quantize(colors=64).save(out, optimize=True)
            print(out, image.size)


if __name__ == "__main__":
    main()
