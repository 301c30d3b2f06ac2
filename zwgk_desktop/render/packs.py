"""Format packs: the township's standard formats (and its catalogue), versioned and checksummed,
handed to every village.

A pack is a zip: `pack.toml` (name, version, township, date), the `*.toml` files, and
`manifest-sha256.txt`. Importing checks every checksum and loads every format before anything
is installed; an installed pack lives in the user data folder and is checked again each time it
is loaded, so a village cannot silently edit a standard format: a changed, added or missing file
is refused, naming it. A village that truly needs its own variant puts it in the pack folder's
`local/` subfolder, where it is loaded as a clearly marked local variant (its sheets say so).
Sheets print the pack's name and version in small type.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath

from zwgk_desktop import __version__
from zwgk_desktop.domain import categories, holidays
from zwgk_desktop.domain.category_file import is_category_file
from zwgk_desktop.domain.holidays import load_holiday_files
from zwgk_desktop.errors import BadInput, Problem
from zwgk_desktop.incoming import MAX_TOML, BoundedZip, ZipLimits, load_toml, read_small
from zwgk_desktop.outputs import replacing, why
from zwgk_desktop.render.layout import LayoutSet, load_layouts
from zwgk_desktop.render.pack_text import NAME_FORBIDDEN, NAME_LIMIT, excerpt, text_problem

PACK_FILE = "pack.toml"
MANIFEST = "manifest-sha256.txt"
SUFFIX = ".zwgkpack"
LOCAL = "local"
LOCAL_LABEL = "本地版式（非乡镇统一格式）"
# A format is a few kilobytes and a pack a dozen files.
PACK_LIMITS = ZipLimits("版式包", member=MAX_TOML, total=8 << 20, members=200)


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    township: str
    made_on: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def export_pack(folder: Path, out: Path, *, name: str, version: str, township: str) -> PackInfo:
    """The formats in `folder` (checked first) as a pack file at `out`."""
    for value, label in ((name, "名称"), (version, "版本")):
        if reason := _label_problem(value):
            raise BadInput(f"版式包{label}“{excerpt(value)}”不合适：{reason}（请用 1–{NAME_LIMIT} 个字，"
                           "不含引号、斜杠和控制字符）")
    if reason := text_problem(township, limit=NAME_LIMIT):  # import would refuse the pack.toml
        raise BadInput(f"乡镇名称“{excerpt(township)}”不能写入版式包：{reason}")
    load_layouts(folder)  # a bad format is refused here, not in twenty villages
    from zwgk_desktop.domain.catalogue import load_catalogue

    load_catalogue(folder)
    load_holiday_files(folder)  # a township's calendar file too
    files = {p.name: read_small(p, "版式文件") for p in sorted(folder.glob("*.toml")) if p.name != PACK_FILE}
    info = PackInfo(name.strip(), version.strip(), township, date.today().isoformat())
    description = (f"# 乡镇统一下发的版式包：村里不要修改其中的文件；需要本地版式请放在 {LOCAL}/ 子目录。\n"
                   f"name = {_toml_string(info.name)}\nversion = {_toml_string(info.version)}\n"
                   f"township = {_toml_string(info.township)}\nmade_on = {_toml_string(info.made_on)}\n"
                   f"software = {_toml_string('zwgk_desktop ' + __version__)}\n").encode()
    files[PACK_FILE] = description
    manifest = "".join(f"{_sha(data)}  {member}\n" for member, data in sorted(files.items()))
    with replacing(out, "版式包") as partial, zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for member, data in sorted(files.items()):
            pack.writestr(member, data)
        pack.writestr(MANIFEST, manifest)
    return info


def _label_problem(value: str) -> str | None:
    """Why a pack's name or version cannot be used: it is printed on every sheet, written into
    pack.toml and makes the installed pack's folder name."""
    if not value.strip():
        return "不能为空"
    return text_problem(value, limit=NAME_LIMIT, forbidden=NAME_FORBIDDEN)


def _read_info(folder: Path, shown: str) -> PackInfo:
    """What pack.toml says, checked as `export_pack` checks what it writes there."""
    data = load_toml(folder / PACK_FILE, f"版式包 {shown} 的", PACK_FILE)
    problems = []
    values = {}
    for key, label, required in (("name", "名称", True), ("version", "版本", True),
                                 ("township", "乡镇", False), ("made_on", "导出日期", False)):
        value = data.get(key, "")
        if not isinstance(value, str):
            problems.append(Problem("应为文字", where=f"{shown}/{PACK_FILE}", field=f"{key}（{label}）"))
            continue
        reason = _label_problem(value) if required else text_problem(value, limit=NAME_LIMIT)
        if reason:
            problems.append(Problem(reason, where=f"{shown}/{PACK_FILE}", field=f"{key}（{label}）"))
        values[key] = value.strip()
    if problems:
        raise BadInput(f"版式包 {shown} 的 {PACK_FILE} 无效：", problems)
    return PackInfo(values["name"], values["version"], values["township"], values["made_on"])


def pack_info(folder: Path) -> PackInfo | None:
    """What an installed pack says of itself (None if it cannot be read)."""
    try:
        return _read_info(folder, folder.name)
    except BadInput:
        return None


def check_pack(folder: Path) -> list[Problem]:
    """Every file of an unpacked pack as the township made it: none changed, added or missing."""
    shown = folder.name
    try:
        lines = read_small(folder / MANIFEST, "校验清单").decode("utf-8").splitlines()
    except (BadInput, UnicodeDecodeError):
        return [Problem("缺少校验清单，无法确认是乡镇下发的原样", where=f"{shown}/{MANIFEST}")]
    expected = {}
    for line in lines:
        digest, _, member = line.partition("  ")
        if len(digest) != 64 or not member or "/" in member or member.startswith("."):
            return [Problem(f"校验清单格式不对：“{line[:60]}”", where=f"{shown}/{MANIFEST}")]
        expected[member] = digest
    if len(expected) > PACK_LIMITS.members:
        return [Problem(f"校验清单列了 {len(expected)} 个文件，不是版式包的清单", where=f"{shown}/{MANIFEST}")]
    present = {p.name for p in folder.glob("*.toml")}
    problems = []
    for member in sorted(present - set(expected)):
        problems.append(Problem(f"多出的版式文件（统一版式不能在村里添加；本地版式请放在 {LOCAL}/ 中）",
                                where=f"{shown}/{member}"))
    for member, digest in sorted(expected.items()):
        path = folder / member
        if not path.exists():
            problems.append(Problem("文件缺失", where=f"{shown}/{member}"))
        elif _sha(read_small(path, "版式文件", f"{shown}/{member}")) != digest:
            problems.append(Problem(f"文件被改动（统一版式不能在村里修改；如确需本地版式，请另存到 {LOCAL}/ 中）",
                                    where=f"{shown}/{member}"))
    return problems


def load_pack_layouts(folder: Path) -> LayoutSet:
    """The formats of a folder, labelled for the sheets: a pack (checked first), its local
    variants, or a plain folder of formats. Its holiday arrangements (`holidays-YYYY.toml`) are
    put to use for this process's deadlines and working days."""
    if not (folder / PACK_FILE).exists() and not (folder / PACK_FILE).is_symlink():
        holidays.install(load_holiday_files(folder))
        layouts = load_layouts(folder)
        categories.install(layouts.categories)
        return _labelled(layouts, f"程序自带标准格式 {__version__}" if _is_shipped(folder) else "自定义版式")
    problems = check_pack(folder)
    if problems:
        raise BadInput(f"版式包 {folder} 与乡镇下发的不一致，拒绝使用：", problems)
    info = _read_info(folder, folder.name)
    holidays.install(load_holiday_files(folder))
    layouts = _labelled(load_layouts(folder), info.label)
    local = folder / LOCAL
    if local.is_dir() and any(local.glob("*.toml")):
        if any(is_category_file(p.name) for p in local.glob("*.toml")):
            raise BadInput(f"版式包 {folder} 的 {LOCAL}/ 中有类别文件：类别只能由乡镇随版式包下发，"
                           f"村里只能放本地版式")
        variants = _labelled(load_layouts(local, layouts.categories), LOCAL_LABEL)
        kept = tuple(lay for lay in layouts.layouts
                     if lay.category not in {v.category for v in variants.layouts})
        layouts = LayoutSet(folder, kept + variants.layouts, categories=layouts.categories)
    categories.install(layouts.categories)
    return layouts


def _is_shipped(folder: Path) -> bool:
    from zwgk_desktop.paths import standard_layouts_dir

    try:
        return folder.resolve() == standard_layouts_dir().resolve()
    except OSError:
        return False


def _labelled(layouts: LayoutSet, label: str) -> LayoutSet:
    return replace(layouts, layouts=tuple(lay.labelled(label) for lay in layouts.layouts))


def import_pack(file: Path, packs_folder: Path) -> tuple[PackInfo, Path]:
    """Check a pack file whole, then install it as the formats this computer uses."""
    shown = file.name
    if file.is_dir():
        raise BadInput(f"{file} 是一个文件夹：请给出乡镇发来的 {SUFFIX} 文件")
    if not file.is_file():
        raise BadInput(f"找不到版式包 {file}")
    with tempfile.TemporaryDirectory(prefix="zwgk-pack-") as scratch, BoundedZip(file, shown, PACK_LIMITS) as archive:
        staging = Path(scratch) / "pack"
        staging.mkdir()
        for entry in archive.zip.infolist():
            member = PurePosixPath(entry.filename)
            if entry.is_dir() or len(member.parts) != 1 or member.name.startswith(".") \
                    or not (member.suffix == ".toml" or member.name == MANIFEST):
                raise BadInput(f"{shown} 含有不该有的文件“{excerpt(entry.filename)}”，拒绝导入")
            target = staging / member.name
            if target.exists():
                raise BadInput(f"{shown} 中的 {member.name} 出现了两次：文件被改动，拒绝导入")
            try:
                target.write_bytes(archive.read(entry)[0])
            except OSError as exc:
                raise BadInput(f"无法解开版式包 {shown}：{why(exc)}") from None
        if not (staging / PACK_FILE).exists():
            raise BadInput(f"{shown} 缺少 {PACK_FILE}：不是乡镇导出的版式包")
        problems = check_pack(staging)
        if problems:
            raise BadInput(f"版式包 {shown} 已损坏或被改动，拒绝导入：", problems)
        info = _read_info(staging, shown)
        from zwgk_desktop.domain.catalogue import load_catalogue

        try:  # every format and the catalogue must load, or nothing is installed
            load_pack_layouts(staging)
            load_catalogue(staging)
        except BadInput as exc:  # named as in the pack, not as unpacked in a temporary folder
            inside = f"{shown} 中的 "
            raise BadInput(f"版式包 {shown} 有错误，拒绝导入：{exc.message.replace(str(staging) + '/', inside)}",
                           [replace(p, where=p.where.replace(str(staging) + "/", inside)) for p in exc.problems]) \
                from None
        target = packs_folder / _folder_name(info)
        packs_folder.mkdir(parents=True, exist_ok=True)
        incoming = packs_folder / f".incoming-{target.name}"
        try:
            shutil.rmtree(incoming, ignore_errors=True)
            shutil.copytree(staging, incoming)
            if target.exists():
                local = target / LOCAL
                if local.is_dir():  # a village's own variants survive an update of the standard ones
                    shutil.copytree(local, incoming / LOCAL)
                shutil.rmtree(target)
            incoming.replace(target)
        except OSError as exc:
            raise BadInput(f"无法安装版式包到 {packs_folder}：{why(exc)}") from None
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
    (packs_folder / "current").write_text(target.name, encoding="utf-8")
    return info, target


def _folder_name(info: PackInfo) -> str:
    """A folder per name and version: readable, and never the same for two different packs."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in f"{info.name}-{info.version}").strip("-")
    digest = hashlib.sha256(f"{info.name}\n{info.version}".encode()).hexdigest()[:8]
    return f"{safe[:60] or 'pack'}-{digest}"


