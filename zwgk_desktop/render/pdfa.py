"""PDF/A-2u for the posters (ISO 19005-2, level u), and reading back which PDF/A markers a PDF holds.

reportlab draws the sheets; this module then makes the file an archival one with pikepdf (qpdf):
the XMP metadata with the PDF/A identification, an sRGB output intent, `/Lang zh-CN` and true
document information (title, the village committee as author, the 验证码 as keywords, the review
date as creation date), all derived from the content, never from the clock, so the same content
gives the same bytes. qpdf rewrites the file as it saves it: every stream's `endstream` on a line of
its own (reportlab writes it straight after the data, which ISO 19005-2 6.1.7.1 forbids) and a file
identifier that is a digest of the file's content. `pdfa_markers` reads a PDF (ours or not) back.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    import pikepdf

    from zwgk_desktop.render.public import PublicItem

CREATOR = "村务公开栏 zwgk_desktop"
PRODUCER = "ReportLab; qpdf (pikepdf)"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
LANG = "zh-CN"
PART, CONFORMANCE = 2, "U"
CODE_WORD = "验证码"
_CODE = re.compile(CODE_WORD + r" ([A-Z2-7]{10})")
# The review date is a day in China: the document was made on it, at its start, Beijing time.
_TZ_INFO, _TZ_XMP = "+08'00'", "+08:00"
# The ICC header's date (bytes 24–35): LittleCMS writes the clock's; a fixed one keeps the bytes.
_ICC_DATE = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Description:
    """What a document says about itself: its Info dictionary and, the same, its XMP metadata."""

    title: str
    author: str
    subject: str
    keywords: str
    created: date | None  # the review date; None for a draft (nobody has reviewed it yet)
    creator: str = CREATOR
    producer: str = PRODUCER


def describe(items: Iterable[tuple[PublicItem, bool]]) -> Description:
    """The description of a document holding these items' sheets (item, is it a draft).

    One reviewed item (a sealed copy, or the wall copy of one item) is described as itself; a
    board of several joins their titles and codes. A draft says so, and has no creation date.
    """
    listed = list(items)
    titles = [item.item_title or item.title or item.heading for item, _ in listed]
    subjects = [item.heading + ("（草稿，未经村务监督委员会审核，不得张贴）" if draft else "")
                for item, draft in listed]
    keywords = [f"{CODE_WORD} {item.code}" for item, _ in listed]
    if any(draft for _, draft in listed):
        keywords.append("草稿")
    reviewed = [date.fromisoformat(item.reviewed_on) for item, draft in listed if not draft and item.reviewed_on]
    return Description(
        title="；".join(dict.fromkeys(titles)) or "村务公开",
        author="、".join(dict.fromkeys(f"{item.village}村民委员会" for item, _ in listed)),
        subject="；".join(dict.fromkeys(subjects)),
        keywords=", ".join(dict.fromkeys(keywords)),
        created=max(reviewed) if reviewed else None,
    )


def plain(text: str) -> str:
    """Text both the Info dictionary and XML can hold alike: no control characters (XML has no
    form for most; a line break would come back from XML as another one), no lone surrogates; and
    nothing but spaces is nothing (XML reads an element of spaces alone as empty)."""
    kept = "".join(" " if ch in "\t\n\r" else ch for ch in text
                   if ch in "\t\n\r" or not (ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff"))
    return kept if kept.strip(" ") else ""


def make_archival(drawn: bytes, description: Description, out: Path) -> None:
    """Write reportlab's `drawn` PDF to `out` as PDF/A-2u described by `description`."""
    import pikepdf

    with pikepdf.open(io.BytesIO(drawn)) as pdf:
        _mark(pdf, description)
        # reportlab's identifier is a digest of its own default description, alike for every file.
        del pdf.trailer.ID
        _save(pdf, out)


def join(pieces: list[tuple[bytes, range | None]], description: Description | None, out: Path,
         progress: Callable[[int], None] | None = None) -> int:
    """Write the pages of `pieces` (a PDF and which of its pages, None for all) to `out`, in order,
    and return how many. Made PDF/A-2u described by `description` when every piece is (a sheet
    sealed before PDF/A is not, and is then copied into a file that claims nothing)."""
    import pikepdf

    with pikepdf.new() as joined:
        opened: dict[int, pikepdf.Pdf] = {}
        try:
            for data, pages in pieces:
                source = opened.get(id(data))
                if source is None:
                    source = opened[id(data)] = pikepdf.open(io.BytesIO(data))
                chosen = source.pages if pages is None else [source.pages[i] for i in pages]
                joined.pages.extend(chosen)
                if progress:
                    progress(len(joined.pages))
            archival = description is not None and all(_claims_pdfa(source) for source in opened.values())
            if archival and description is not None:
                _mark(joined, description)
            _save(joined, out)
        finally:
            for source in opened.values():
                source.close()
        return len(joined.pages)


def count_pages(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def _claims_pdfa(pdf: pikepdf.Pdf) -> bool:
    """Made by `make_archival`: it names our output intent and claims PDF/A-2u."""
    import pikepdf

    metadata = pdf.Root.get("/Metadata")
    return isinstance(metadata, pikepdf.Stream) and "/OutputIntents" in pdf.Root and (
        f"<pdfaid:part>{PART}</pdfaid:part><pdfaid:conformance>{CONFORMANCE}<".encode() in metadata.read_bytes())


def _mark(pdf: pikepdf.Pdf, description: Description) -> None:
    """Give `pdf` the catalog entries, document information and XMP metadata of PDF/A-2u."""
    import pikepdf

    # Whoever described it, the Info dictionary and the XMP then hold the same texts.
    d = description
    description = replace(d, title=plain(d.title), author=plain(d.author), subject=plain(d.subject),
                          keywords=plain(d.keywords), creator=plain(d.creator), producer=plain(d.producer))
    root = pdf.Root
    root.Lang = pikepdf.String(LANG)
    # The metadata stream stays uncompressed (ISO 19005-2 6.6.2.1: no Filter).
    root.Metadata = pdf.make_stream(_xmp(description), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    profile = pdf.make_stream(zlib.compress(srgb_profile()), N=3, Filter=pikepdf.Name.FlateDecode)
    root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION), Info=pikepdf.String(OUTPUT_CONDITION),
        RegistryName=pikepdf.String("http://www.color.org"), DestOutputProfile=profile)])
    info = {key: value for key, value in (
        ("Title", description.title), ("Author", description.author), ("Subject", description.subject),
        ("Keywords", description.keywords), ("Creator", description.creator),
        ("Producer", description.producer)) if value}  # an empty entry is left out, in the XMP too
    if description.created is not None:
        info["CreationDate"] = info["ModDate"] = f"D:{description.created:%Y%m%d}000000{_TZ_INFO}"
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary({f"/{k}": pikepdf.String(v) for k, v in info.items()}))


def _save(pdf: pikepdf.Pdf, out: Path) -> None:
    import pikepdf

    # The streams reportlab compressed are copied as they are (decoding and compressing them
    # again would take most of the time); the file identifier is a digest of what is written.
    # Into memory first: qpdf writing to a full disk aborts the whole process, where Python's
    # own write raises an OSError the caller turns into words.
    written = io.BytesIO()
    pdf.save(written, deterministic_id=True, min_version="1.7", fix_metadata_version=False,
             compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    out.write_bytes(written.getbuffer())


def _xmp(d: Description) -> bytes:
    properties = [f"<pdfaid:part>{PART}</pdfaid:part><pdfaid:conformance>{CONFORMANCE}</pdfaid:conformance>",
                  "<dc:format>application/pdf</dc:format>"]
    for name, value, form in (("dc:title", d.title, "Alt"), ("dc:creator", d.author, "Seq"),
                              ("dc:description", d.subject, "Alt"), ("pdf:Keywords", d.keywords, ""),
                              ("pdf:Producer", d.producer, ""), ("xmp:CreatorTool", d.creator, "")):
        if not value:
            continue
        if form == "Alt":
            value = f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'
        elif form == "Seq":
            value = f"<rdf:Seq><rdf:li>{escape(value)}</rdf:li></rdf:Seq>"
        else:
            value = escape(value)
        properties.append(f"<{name}>{value}</{name}>")
    if d.created is not None:
        when = f"{d.created:%Y-%m-%d}T00:00:00{_TZ_XMP}"
        properties += [f"<xmp:{name}>{when}</xmp:{name}>" for name in ("CreateDate", "ModifyDate", "MetadataDate")]
    text = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/">\n'
        + "\n".join(properties) +
        "\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )
    return text.encode("utf-8")


def warm_up() -> None:
    """Load pikepdf and make the profile ahead of a render process's first job."""
    import pikepdf  # noqa: F401

    srgb_profile()


@cache
def srgb_profile() -> bytes:
    """The sRGB profile of the output intent, made by LittleCMS through Pillow (ICC v4, a display
    profile), with the header's date fixed so that every sheet carries the same bytes."""
    from PIL import ImageCms

    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = _ICC_DATE
    return bytes(profile)


# ---------------------------------------------------------------------------------------------
# Reading back


@dataclass(frozen=True)
class PdfaMarkers:
    """Which PDF/A markers a PDF holds, and what is missing or wrong, in words (`problems`)."""

    opened: bool
    part: int | None = None  # pdfaid:part of the XMP metadata
    conformance: str = ""  # pdfaid:conformance: "B", "U" (or "A")
    output_intent: str = ""  # the GTS_PDFA1 intent's condition, when it embeds a usable profile
    lang: str = ""
    fonts: tuple[str, ...] = ()  # every font a page or form names
    unembedded_fonts: tuple[str, ...] = ()
    notdef_glyphs: int = 0  # characters shown with the font's .notdef glyph
    unmapped_glyphs: int = 0  # characters shown without a Unicode value (text that cannot extract)
    metadata: dict[str, str] = field(default_factory=dict)  # the Info dictionary: title, author, …
    metadata_disagrees: tuple[str, ...] = ()  # Info entries the XMP metadata says otherwise
    codes: tuple[str, ...] = ()  # the 验证码 its keywords name
    encrypted: bool = False
    pages: int = 0
    problems: tuple[str, ...] = ()

    @property
    def level(self) -> str:
        """"PDF/A-2u" when it claims that and nothing found contradicts it, else ""."""
        if self.problems or self.part is None:
            return ""
        return f"PDF/A-{self.part}{self.conformance.lower()}"


def pdfa_markers(pdf: bytes) -> PdfaMarkers:
    """The PDF/A markers of `pdf`: never raises, whatever the bytes (a damaged file is `opened`
    False, with the reason in `problems`)."""
    import pikepdf

    try:
        document = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PasswordError:
        return PdfaMarkers(opened=False, encrypted=True, problems=("PDF 已加密，需要密码才能打开",))
    except Exception as exc:  # qpdf refuses a damaged file in many ways; the report names it
        return PdfaMarkers(opened=False, problems=(f"PDF 无法打开：{exc}",))
    try:
        with document:
            return _markers(document)
    except Exception as exc:  # an object of the wrong type deep inside: the file is damaged, not us
        return PdfaMarkers(opened=True, problems=(f"PDF 结构损坏，无法读完：{exc}",))


def _markers(pdf: pikepdf.Pdf) -> PdfaMarkers:
    import pikepdf

    problems: list[str] = []
    encrypted = pdf.is_encrypted
    if encrypted:
        problems.append("PDF 已加密（PDF/A 不允许加密）")
    meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    part_text, conformance = str(meta.get("pdfaid:part", "")), str(meta.get("pdfaid:conformance", ""))
    part = int(part_text) if part_text.isdigit() else None
    if part is None:
        problems.append("没有 PDF/A 标识（XMP 元数据中的 pdfaid:part）")
    elif part != PART or conformance not in ("B", "U", "A"):
        problems.append(f"PDF/A 标识为 {part}{conformance.lower()}，不是 PDF/A-2b/2u")
    metadata_stream = pdf.Root.get("/Metadata")
    if isinstance(metadata_stream, pikepdf.Stream) and "/Filter" in metadata_stream:
        problems.append("XMP 元数据被压缩了（PDF/A 要求不压缩）")
    lang = str(pdf.Root.get("/Lang", ""))
    if not lang:
        problems.append("没有声明文档语言（/Lang）")
    output_intent = _output_intent(pdf, problems)
    info = {key: str(value) for key, value in pdf.docinfo.items()} if "/Info" in pdf.trailer else {}
    metadata = {name: info.get(key, "") for name, key in _INFO_NAMES.items()}
    disagrees = tuple(name for name, key in _INFO_NAMES.items() if not _agrees(key, info.get(key), meta))
    if disagrees:
        problems.append(f"文档信息与 XMP 元数据不一致：{'、'.join(disagrees)}")
    fonts, unembedded, notdef, unmapped = _glyphs(pdf)
    if unembedded:
        problems.append(f"字体未嵌入：{'、'.join(unembedded)}")
    if notdef:
        problems.append(f"有 {notdef} 个字用了字体的 .notdef（缺字）字形")
    if unmapped and conformance == "U":
        problems.append(f"有 {unmapped} 个字没有 Unicode 对应，文字无法提取（不合 PDF/A-2u）")
    return PdfaMarkers(
        opened=True, part=part, conformance=conformance, output_intent=output_intent, lang=lang,
        fonts=fonts, unembedded_fonts=unembedded, notdef_glyphs=notdef, unmapped_glyphs=unmapped,
        metadata=metadata, metadata_disagrees=disagrees, codes=tuple(_CODE.findall(metadata["keywords"])),
        encrypted=encrypted, pages=len(pdf.pages), problems=tuple(problems))


_INFO_NAMES = {"title": "/Title", "author": "/Author", "subject": "/Subject", "keywords": "/Keywords",
               "creator": "/Creator", "producer": "/Producer", "created": "/CreationDate", "modified": "/ModDate"}
_XMP_OF = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description", "/Keywords": "pdf:Keywords",
           "/Creator": "xmp:CreatorTool", "/Producer": "pdf:Producer", "/CreationDate": "xmp:CreateDate",
           "/ModDate": "xmp:ModifyDate"}


def _agrees(key: str, value: str | None, meta: Any) -> bool:
    """ISO 19005-2 6.6.2.3.1: an Info entry and its XMP property say the same (either may be absent
    only when both are)."""
    xmp = meta.get(_XMP_OF[key])
    if value is None or xmp is None:
        return value is None and xmp is None
    if isinstance(xmp, list | set):
        xmp = "; ".join(str(x) for x in xmp)
    if key in ("/CreationDate", "/ModDate"):
        return _info_date(value) == _xmp_date(str(xmp)) is not None
    return str(xmp) == value


def _info_date(text: str) -> datetime | None:
    found = re.fullmatch(r"D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([+-])(\d{2})'(\d{2})'?", text)
    if not found:
        return None
    y, mo, d, h, mi, s, sign, tzh, tzm = found.groups()
    return _xmp_date(f"{y}-{mo}-{d}T{h}:{mi}:{s}{sign}{tzh}:{tzm}")


def _xmp_date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _output_intent(pdf: pikepdf.Pdf, problems: list[str]) -> str:
    import pikepdf

    intents = [i for i in pdf.Root.get("/OutputIntents", pikepdf.Array()) if isinstance(i, pikepdf.Dictionary)
               and i.get("/S") == pikepdf.Name.GTS_PDFA1]
    if not intents:
        problems.append("没有 PDF/A 输出意图（sRGB 等色彩配置）")
        return ""
    intent = intents[0]
    profile = intent.get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        problems.append("输出意图没有嵌入色彩配置文件（ICC）")
        return ""
    icc = profile.read_bytes()
    if len(icc) < 128 or icc[36:40] != b"acsp":
        problems.append("输出意图的 ICC 配置文件已损坏")
        return ""
    components = {b"RGB ": 3, b"GRAY": 1, b"CMYK": 4}.get(icc[16:20])
    if icc[12:16] not in (b"prtr", b"mntr", b"scnr", b"spac") or components is None or icc[8] > 4:
        problems.append("输出意图的 ICC 配置文件不合 PDF/A-2（类别、色彩空间或版本）")
    elif profile.get("/N") != components:
        problems.append("输出意图的 ICC 配置文件与其 /N 分量数不符")
    return str(intent.get("/OutputConditionIdentifier", ""))


# ---------------------------------------------------------------------------------------------
# Fonts and the glyphs the pages show


def _glyphs(pdf: pikepdf.Pdf) -> tuple[tuple[str, ...], tuple[str, ...], int, int]:
    """Every font named, those not embedded, and how many characters shown draw .notdef or
    have no Unicode value (simple TrueType fonts: ours; other kinds are not counted)."""
    import pikepdf

    fonts: dict[tuple[int, int], pikepdf.Dictionary] = {}
    decoders: dict[tuple[int, int], _Decoder | None] = {}
    done: set[tuple[int, int]] = set()
    counts = [0, 0]

    def font_of(resources: Any, name: Any) -> tuple[tuple[int, int], _Decoder | None] | None:
        font = resources.get("/Font", {}).get(name) if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(font, pikepdf.Dictionary):
            return None
        key = font.objgen
        if key not in decoders:
            fonts[key] = font
            decoders[key] = _Decoder.of(font)
        return key, decoders[key]

    def walk(content: Any, resources: Any) -> None:
        for resource_fonts in _fonts_in(resources):
            for font in resource_fonts:
                fonts.setdefault(font.objgen, font)
        stack: list[_Decoder | None] = []
        current: _Decoder | None = None
        for instruction in pikepdf.parse_content_stream(content):
            operands: Any = instruction.operands
            op = str(instruction.operator)
            if op == "Tf" and operands:
                found = font_of(resources, operands[0])
                current = found[1] if found else None
            elif op in ("Tj", "'", '"', "TJ") and current is not None:
                shown = operands[-1]
                for part in (shown if isinstance(shown, pikepdf.Array) else [shown]):
                    if isinstance(part, pikepdf.String):
                        current.count(bytes(part), counts)
            elif op == "q":
                stack.append(current)
            elif op == "Q" and stack:
                current = stack.pop()
            elif op == "Do" and operands and isinstance(resources, pikepdf.Dictionary):
                xobject = resources.get("/XObject", {}).get(operands[0])
                if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == pikepdf.Name.Form \
                        and xobject.objgen not in done:
                    done.add(xobject.objgen)
                    walk(xobject, xobject.get("/Resources", resources))

    for page in pdf.pages:
        walk(page.obj, page.obj.get("/Resources"))
    names = sorted({str(f.get("/BaseFont", "?")).lstrip("/") for f in fonts.values()})
    unembedded = sorted({str(f.get("/BaseFont", "?")).lstrip("/") for f in fonts.values() if not _embedded(f)})
    return tuple(names), tuple(unembedded), counts[0], counts[1]


def _fonts_in(resources: Any) -> Iterator[list[pikepdf.Dictionary]]:
    import pikepdf

    if isinstance(resources, pikepdf.Dictionary) and isinstance(resources.get("/Font"), pikepdf.Dictionary):
        yield [f for f in resources.Font.values() if isinstance(f, pikepdf.Dictionary)]


def _embedded(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # its glyphs are drawings in the file itself
    described: Any = font
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        described = descendants[0] if descendants else font
    descriptor = described.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


class _Decoder:
    """A simple TrueType font's codes → glyphs (its embedded cmap) and → Unicode (its ToUnicode)."""

    def __init__(self, glyph_of: dict[int, int], unicode_of: dict[int, str], symbolic_base: int) -> None:
        self.glyph_of, self.unicode_of, self.base = glyph_of, unicode_of, symbolic_base

    @classmethod
    def of(cls, font: pikepdf.Dictionary) -> _Decoder | None:
        descriptor = font.get("/FontDescriptor")
        if font.get("/Subtype") != "/TrueType" or descriptor is None or "/FontFile2" not in descriptor:
            return None
        glyph_of, base = _cmap(descriptor.FontFile2.read_bytes())
        unicode_of = _to_unicode(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {}
        return cls(glyph_of, unicode_of, base)

    def count(self, shown: bytes, counts: list[int]) -> None:
        for code in shown:
            if self.glyph_of.get(self.base + code, 0) == 0:
                counts[0] += 1
            if self.unicode_of.get(code, "\0") in ("\0", "\ufeff", "\ufffe"):
                counts[1] += 1


def _cmap(font: bytes) -> tuple[dict[int, int], int]:
    """A TrueType program's character map (formats 0, 4 and 6) as code → glyph, and the offset a
    symbolic (3,0) table adds to single-byte codes."""
    tables = {font[12 + 16 * i:16 + 16 * i]: struct.unpack(">II", font[20 + 16 * i:28 + 16 * i])
              for i in range(struct.unpack(">H", font[4:6])[0])}
    start, _ = tables[b"cmap"]
    count = struct.unpack(">H", font[start + 2:start + 4])[0]
    records = {struct.unpack(">HH", font[start + 4 + 8 * i:start + 8 + 8 * i]):
               struct.unpack(">I", font[start + 8 + 8 * i:start + 12 + 8 * i])[0] for i in range(count)}
    # ISO 32000-1 9.6.6.4: a symbolic font's codes are looked up in (3,0) at 0xF000 + code, else in (1,0).
    for platform, base in (((3, 0), 0xF000), ((1, 0), 0), ((3, 1), 0)):
        if platform in records:
            return _subtable(font, start + records[platform]), base
    return {}, 0


def _subtable(font: bytes, at: int) -> dict[int, int]:
    fmt = struct.unpack(">H", font[at:at + 2])[0]
    if fmt == 0:
        return dict(enumerate(font[at + 6:at + 262]))
    if fmt == 6:
        first, count = struct.unpack(">HH", font[at + 6:at + 10])
        glyphs = struct.unpack(f">{count}H", font[at + 10:at + 10 + 2 * count])
        return {first + i: g for i, g in enumerate(glyphs)}
    if fmt == 4:
        segments = struct.unpack(">H", font[at + 6:at + 8])[0] // 2
        ends = struct.unpack(f">{segments}H", font[at + 14:at + 14 + 2 * segments])
        at_starts = at + 16 + 2 * segments
        starts = struct.unpack(f">{segments}H", font[at_starts:at_starts + 2 * segments])
        deltas = struct.unpack(f">{segments}h", font[at_starts + 2 * segments:at_starts + 4 * segments])
        at_offsets = at_starts + 4 * segments
        offsets = struct.unpack(f">{segments}H", font[at_offsets:at_offsets + 2 * segments])
        mapping = {}
        for i, (first, last, delta, offset) in enumerate(zip(starts, ends, deltas, offsets, strict=True)):
            for code in range(first, min(last, 0xFFFE) + 1):
                if offset:
                    where = at_offsets + 2 * i + offset + 2 * (code - first)
                    glyph = struct.unpack(">H", font[where:where + 2])[0]
                    mapping[code] = (glyph + delta) & 0xFFFF if glyph else 0
                else:
                    mapping[code] = (code + delta) & 0xFFFF
        return mapping
    return {}


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap's single-byte codes → text (its bfchar and bfrange entries)."""
    text = cmap.decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(code, 16)] = _utf16(value)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            first = int(value, 16) if value else 0
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = _utf16(f"{first + offset:04X}")
    return mapping


def _utf16(hex_text: str) -> str:
    try:
        return bytes.fromhex(hex_text).decode("utf-16-be")
    except ValueError:
        return "\0"
