"""The 密钥恢复单: a village's signing key on one A4 sheet, to be kept locked away off the PC.

It carries the key twice, as a recovery code a person can type back (`zwgk key restore --text`)
and as a QR code of the same text, the key's fingerprint (what the township confirms over the
phone), and in plain Chinese what the sheet is for and what happens if it is lost or seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from zwgk_desktop.outputs import replacing
from zwgk_desktop.render import fonts
from zwgk_desktop.render.qr import QUIET_ZONE, dark_runs, qr_matrix

MM = 72 / 25.4


@dataclass(frozen=True)
class KeySheet:
    village: str  # 东岗村
    township: str
    holder: str  # whose key it is (the village, or the township sealing its corrections)
    fingerprint: str  # the short, grouped form
    full_fingerprint: str
    recovery_code: str  # groups of four, as `signing.recovery_text` gives
    made_on: str  # 2026年10月12日
    printed_on: str


GUIDANCE = (
    "这张单子是什么：本村封存档案的签名密钥。每次封存，程序都用它签名，乡镇据此确认档案确实出自本村、没有被改动。",
    "请怎样保管：与公章一样锁在柜里；不要拍照、复印、发微信或上传网络。谁拿到恢复码，谁就能以本村名义签名。",
    "电脑坏了或换电脑时：在新电脑上装好程序、恢复档案后，运行 zwgk key restore --text \"恢复码\"，"
    "或在程序“档案 → 密钥…”中选“从恢复单恢复”，照下面的恢复码逐组输入（也可以扫描右边的二维码）。",
    "没有这张单子也没有U盘备份：旧密钥就找不回了。须运行 zwgk key lost 启用新密钥，并打电话把新指纹报给乡镇，"
    "乡镇核对后才接收本村以后的档案包；已封存的档案不受影响。",
    "怀疑单子被人看过或拍过：请运行 zwgk key replace 更换密钥（由旧密钥签名，乡镇自动认可），然后打印新的恢复单，"
    "销毁这一张。",
)


def write_key_sheet(sheet: KeySheet, out: Path) -> Path:
    """One A4 page at `out`, whole or not at all."""
    font = fonts.register()
    width, height = A4
    left, right = 20 * MM, width - 20 * MM
    with replacing(out, "密钥恢复单") as partial:
        canvas = Canvas(str(partial), pagesize=A4, invariant=True, lang="zh-CN")
        canvas.setTitle(f"{sheet.village}密钥恢复单")
        canvas.setAuthor(sheet.holder)
        canvas.setSubject(f"签名密钥指纹 {sheet.fingerprint}")
        y = height - 28 * MM
        # The names may hold a 生僻字 only the fallback font has: drawn in runs of each font.
        fonts.draw(canvas, width / 2, y, f"{sheet.holder}密钥恢复单", 22, "center")
        y -= 9 * MM
        heading = f"{sheet.township}　{sheet.village}　村务公开档案签名密钥　（绝密，请锁柜保管）"
        fonts.draw(canvas, width / 2, y, heading, 11, "center")
        y -= 14 * MM
        rows = (("密钥指纹", sheet.fingerprint), ("完整指纹", sheet.full_fingerprint), ("启用日期", sheet.made_on),
                ("打印日期", sheet.printed_on))
        for label, value in rows:
            canvas.setFont(font, 11)
            canvas.setFillColor(black)
            canvas.drawString(left, y, f"{label}：")
            canvas.setFont(font, 14 if label == "密钥指纹" else 9)
            canvas.drawString(left + 24 * MM, y, value)
            y -= 8 * MM
        y -= 4 * MM
        canvas.setFont(font, 13)
        canvas.drawString(left, y, "恢复码（共 14 组，最后一组用于校验）：")
        y -= 4 * MM
        groups = sheet.recovery_code.split()
        box_top = y
        box_height = 4 * 12 * MM
        canvas.setFillColor(HexColor("#f4f4f4"))
        canvas.rect(left, box_top - box_height, 115 * MM, box_height, stroke=1, fill=1)
        canvas.setFillColor(black)
        canvas.setFont("Courier-Bold", 17)
        for index, group in enumerate(groups):
            row, column = divmod(index, 4)
            canvas.drawString(left + 5 * MM + column * 27 * MM, box_top - 9 * MM - row * 12 * MM, group)
        canvas.setFont(font, 7)
        for index in range(len(groups)):
            row, column = divmod(index, 4)
            canvas.drawString(left + 1.5 * MM + column * 27 * MM, box_top - 4 * MM - row * 12 * MM, str(index + 1))
        _qr(canvas, sheet.recovery_code.replace(" ", ""), right - 45 * MM, box_top - 45 * MM, 45 * MM)
        y = box_top - box_height - 12 * MM
        for paragraph in GUIDANCE:
            y = _paragraph(canvas, font, paragraph, left, y, right - left, 11) - 4 * MM
        canvas.setFont(font, 9)
        canvas.drawString(left, 18 * MM,
                          "保管人签字：________________　　　　保管地点：________________　　　　日期：__________")
        canvas.showPage()
        canvas.save()
    return out


def _paragraph(canvas: Canvas, font: str, text: str, left: float, top: float, width: float, size: float) -> float:
    """Wrap `text` (Chinese: any character may end a line) into `width`; returns the next line's top."""
    canvas.setFont(font, size)
    line = ""
    y = top
    for char in text:
        if fonts.text_width(line + char, size) > width:
            canvas.drawString(left, y, line)
            y -= size * 1.6
            line = char
        else:
            line += char
    if line:
        canvas.drawString(left, y, line)
        y -= size * 1.6
    return y


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(text)
    unit = size / (len(matrix) + 2 * QUIET_ZONE)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for row, column, length in dark_runs(matrix):
        top = y + size - (row + QUIET_ZONE) * unit
        path.rect(x + (column + QUIET_ZONE) * unit, top - unit, length * unit, unit)
    canvas.drawPath(path, stroke=0, fill=1)
